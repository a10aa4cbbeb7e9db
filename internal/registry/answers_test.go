package registry_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// outcomes prints the applied declarations' outcomes as
// "id use=decision/status", in order.
func outcomes(ds []wire.AppliedDeclaration, ids map[string]string) string {
	var out []string
	for _, d := range ds {
		for _, o := range d.Uses {
			s := fmt.Sprintf("%s %s=%s/%s", ids[d.ID], o.Use, o.Decision, o.Status)
			if o.Offer != nil {
				s += "+offer"
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// TestPrecedenceWithinAParty: a creator reserves all her works for training
// and licenses one; the work's licence decides for it, the account-wide
// deny for the others, and the answer says which declaration lost and why.
// An organisation acting for her cannot lift her reservation, neither by a
// more specific declaration nor by superseding hers.
func TestPrecedenceWithinAParty(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	jane := account(t, r, "Jane", "creator")
	guild := account(t, r, "Guild", "organisation")
	w1, _ := imageWork(t, 1)
	w2, _ := imageWork(t, 2)
	lic := []store.Term{{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "0.05", Currency: "EUR"}}}
	reg, err := r.RegisterWorks(ctx, jane, "", []registry.WorkInput{w1}, lic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.RegisterWorks(ctx, jane, "", []registry.WorkInput{w2}, nil); err != nil {
		t.Fatal(err)
	}
	all, _, err := r.Declare(ctx, jane, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectAccount}, Terms: deny("train-ai")})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{all.ID: "all", reg[0].Declaration.ID: "work"}
	res, err := r.Match(ctx, []registry.MatchItem{{Datahash: w1.Datahash}, {Datahash: w2.Datahash}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res[0].Declarations, ids), "work train-genai=license/decides+offer work train-ai=license/decides+offer all train-genai=deny/outranked all train-ai=deny/outranked"; got != want {
		t.Errorf("the licensed work: got %s, want %s", got, want)
	}
	if o := res[0].Declarations[1].Uses[1]; o.By != reg[0].Declaration.ID || !strings.Contains(o.Why, "a more specific subject than account:"+jane.Account.ID) {
		t.Errorf("the account-wide deny's train-ai: by %s, why %q; want the work's declaration, more specific", o.By, o.Why)
	}
	if got, want := outcomes(res[1].Declarations, ids), "all train-genai=deny/decides all train-ai=deny/decides"; got != want {
		t.Errorf("another work: got %s, want %s", got, want)
	}
	for _, d := range res[0].Declarations {
		if d.Party != jane.Account.ID || d.Work != reg[0].Work.ID {
			t.Errorf("%s: party %q work %q, want Jane's, through the matched work", d.ID, d.Party, d.Work)
		}
	}

	// Her organisation, acting for her, allows the licensed work for
	// training: her own reservation still decides.
	if _, err := r.Delegate(ctx, jane, guild.Account.ID); err != nil {
		t.Fatal(err)
	}
	work := store.Subject{Kind: store.SubjectWork, Value: reg[0].Work.ID}
	g, _, err := r.Declare(ctx, guild, registry.DeclareInput{OnBehalfOf: jane.Account.ID, Subject: work, Terms: []store.Term{{Use: "train-ai", Decision: "allow"}}})
	if err != nil {
		t.Fatal(err)
	}
	ids[g.ID] = "guild"
	if res, err = r.Match(ctx, []registry.MatchItem{{Datahash: w1.Datahash}}); err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res[0].Declarations, ids), "work train-genai=license/decides+offer work train-ai=license/decides+offer guild train-ai=allow/outranked all train-genai=deny/outranked all train-ai=deny/outranked"; got != want {
		t.Errorf("with the guild's allow: got %s, want %s", got, want)
	}
	// Superseding her declaration with a grant is refused; with stricter
	// terms it is not.
	_, _, err = r.Declare(ctx, guild, registry.DeclareInput{OnBehalfOf: jane.Account.ID, Subject: store.Subject{Kind: store.SubjectAccount, Value: jane.Account.ID},
		Terms: []store.Term{{Use: "train-ai", Decision: "allow"}}, Supersedes: all.ID})
	if !errors.Is(err, registry.ErrForbidden) || !strings.Contains(err.Error(), "a delegate cannot relax it") {
		t.Errorf("the guild supersedes Jane's deny with an allow: got %v, want ErrForbidden", err)
	}
	if _, _, err := r.Declare(ctx, guild, registry.DeclareInput{OnBehalfOf: jane.Account.ID, Subject: store.Subject{Kind: store.SubjectAccount, Value: jane.Account.ID},
		Terms: deny("train-ai", "search"), Supersedes: all.ID}); err != nil {
		t.Errorf("the guild supersedes Jane's deny with a stricter one: %v", err)
	}
}

// TestOwnWorksPrecedence: the works list applies the same rule, per use.
func TestOwnWorksPrecedence(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	jane := account(t, r, "Jane", "creator")
	w1, _ := imageWork(t, 1)
	reg, err := r.RegisterWorks(ctx, jane, "", []registry.WorkInput{w1}, []store.Term{{Use: "search", Decision: "allow"}})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := r.Declare(ctx, jane, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectAccount}, Terms: deny("train-ai", "search")})
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.OwnWorks(ctx, jane, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{all.ID: "all", reg[0].Declaration.ID: "work"}
	if len(l.Works) != 1 || l.Works[0].Declaration == nil || l.Works[0].Declaration.ID != reg[0].Declaration.ID {
		t.Fatalf("OwnWorks: %+v, want the work with its own declaration first", l.Works)
	}
	if got, want := outcomes(l.Works[0].Declarations, ids), "work search=allow/decides all train-genai=deny/decides all train-ai=deny/decides all search=deny/outranked"; got != want {
		t.Errorf("OwnWorks declarations: got %s, want %s", got, want)
	}
}

// TestPossibleMatches: a candidate within the Content-Code threshold whose
// PDQ is 40 bits away fails confirmation; it is reported with its units
// and why, and no declaration applies through it.
func TestPossibleMatches(t *testing.T) {
	r := newRegistry(t)
	alice := account(t, r, "Alice", "creator")
	orig, _ := imageWork(t, 1)
	reg, err := r.RegisterWorks(t.Context(), alice, "", []registry.WorkInput{orig}, deny("train-ai"))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := hex.DecodeString(orig.PDQ.Hash)
	for i := 0; i < 40; i++ {
		h[i/8*3%32] ^= 1 << (i % 8)
	}
	far := &wire.PDQ{Hash: hex.EncodeToString(h)}
	res, err := r.Match(t.Context(), []registry.MatchItem{{ISCC: orig.ISCC, PDQ: far}, {Units: wire.Units{Content: contentUnit(t, orig.ISCC)}, PDQ: far}})
	if err != nil {
		t.Fatal(err)
	}
	// The same ISCC-CODE: its units are equal, an exact match.
	if len(res[0].Matches) != 1 || res[0].Matches[0].Confidence != "exact" || len(res[0].PossibleMatches) != 0 {
		t.Errorf("equal units: got %+v, want an exact match", res[0])
	}
	got := res[1]
	if len(got.Matches) != 0 || len(got.Declarations) != 0 || len(got.PossibleMatches) != 1 {
		t.Fatalf("content unit equal, PDQ 40 bits away: got %+v, want one possible match and nothing applied", got)
	}
	p := got.PossibleMatches[0]
	if p.Work != reg[0].Work.ID || p.Unit != "iscc-content-image/64" || p.Distance != 0 || p.Why != "pdq/256 is 40 bits apart, over its threshold of 31" {
		t.Errorf("possible match: %+v", p)
	}
	if len(p.Units) != 2 || p.Units[1] != (wire.UnitDistance{Unit: "pdq/256", Distance: 40, Threshold: 31}) {
		t.Errorf("possible match units: %+v", p.Units)
	}
}

// contentUnit returns the Content-Code unit of an ISCC-CODE.
func contentUnit(t *testing.T, code string) string {
	t.Helper()
	units, err := iscc.Decompose(code)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if c, _ := iscc.Decode(u); c.MainType() == iscc.MainTypeContent {
			return u
		}
	}
	t.Fatalf("no Content-Code in %s", code)
	return ""
}

// TestForgedLocator: a locator on a domain nobody verified lets its
// registrant reserve the URL but neither grant nor offer a licence for it
// (DESIGN §3.5); once the owner verifies the domain it may.
func TestForgedLocator(t *testing.T) {
	r := newRegistry(t, "site.example")
	ctx := t.Context()
	mallory := account(t, r, "Mallory", "creator")
	w, _ := imageWork(t, 3)
	w.Locators = []string{"http://site.example/photo.jpg"}
	terms := []store.Term{{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "9.00", Currency: "EUR"}}, {Use: "search", Decision: "allow"}}
	reg, err := r.RegisterWorks(ctx, mallory, "", []registry.WorkInput{w}, terms)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{reg[0].Declaration.ID: "m"}
	res, err := r.Match(ctx, []registry.MatchItem{{URL: "http://site.example/photo.jpg"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := res[0].Matches; len(m) != 1 || m[0].MatchedBy != "url" || m[0].Confidence != "unconfirmed" || !strings.Contains(m[0].Why, "site.example is not a domain the work's owner verified") {
		t.Errorf("match by an unverified locator: %+v", m)
	}
	if got, want := outcomes(res[0].Declarations, ids), "m train-genai=deny/decides m train-ai=deny/decides m search=allow/withheld"; got != want {
		t.Errorf("declarations through an unverified locator: got %s, want %s", got, want)
	}
	// Verified by the owner, the locator is hers to speak for.
	if _, err := r.ClaimDomain(ctx, mallory, "site.example"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.VerifyDomain(ctx, mallory, "site.example"); err != nil {
		t.Fatal(err)
	}
	if res, err = r.Match(ctx, []registry.MatchItem{{URL: "http://site.example/photo.jpg"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(res[0].Declarations, ids), "m train-genai=license/decides+offer m train-ai=license/decides+offer m search=allow/decides"; got != want {
		t.Errorf("declarations through a verified locator: got %s, want %s", got, want)
	}
}

// TestForgedSignature: a signature or key without the signed statement,
// or a key of another account, is refused; nothing is logged.
func TestForgedSignature(t *testing.T) {
	r, _, priv, k := signer(t)
	ctx := t.Context()
	bob := account(t, r, "Bob", "creator")
	subj := store.Subject{Kind: store.SubjectAccount, Value: bob.Account.ID}
	terms := deny("train-ai")
	canon, _ := jcs.Marshal(registry.DeclarationStatement{Type: "declaration", Account: bob.Account.ID, Subject: subj, Terms: terms})
	pub, bobPriv, _ := ed25519.GenerateKey(rand.Reader)
	bk, _, err := r.AddKey(ctx, bob, pub)
	if err != nil {
		t.Fatal(err)
	}
	size := func() (n int64) {
		err := r.Store().View(ctx, func(tx store.ReadTx) (err error) {
			n, err = tx.LogSize()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	for _, tc := range []struct {
		name string
		in   registry.DeclareInput
		want error
	}{
		{"signature and another account's key, no statement", registry.DeclareInput{Signature: []byte{0, 0, 0}, Key: k.ID}, registry.ErrInvalid},
		{"a key alone", registry.DeclareInput{Key: bk.ID}, registry.ErrInvalid},
		{"a signature alone", registry.DeclareInput{Signature: ed25519.Sign(bobPriv, canon)}, registry.ErrInvalid},
		{"another account's key over the statement", registry.DeclareInput{Signed: canon, Signature: ed25519.Sign(priv, canon), Key: k.ID}, registry.ErrForbidden},
		{"an unknown key", registry.DeclareInput{Signed: canon, Signature: ed25519.Sign(bobPriv, canon), Key: "key_nope"}, registry.ErrForbidden},
	} {
		in := tc.in
		in.Subject, in.Terms = subj, terms
		if _, _, err := r.Declare(ctx, bob, in); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if n := size(); n != before {
		t.Errorf("refused declarations logged %d entries", n-before)
	}
	d, _, err := r.Declare(ctx, bob, registry.DeclareInput{Subject: subj, Terms: terms, Signed: canon, Signature: ed25519.Sign(bobPriv, canon), Key: bk.ID})
	if err != nil || d.Signature == nil {
		t.Errorf("Bob's own signed declaration: %v", err)
	}
}

// TestEqualMetaCode: two photos both titled "Sunset" share a Meta-Code.
// That equality alone matched "exact" and applied the other's
// declarations; titles collide, so it is no match when the item has
// content codes, and only a possible match when it has nothing else.
func TestEqualMetaCode(t *testing.T) {
	r := newRegistry(t)
	alice := account(t, r, "Alice", "creator")
	meta, err := iscc.GenMetaCode("Sunset", "", nil, 64)
	if err != nil {
		t.Fatal(err)
	}
	w1, _ := imageWork(t, 1)
	w2, _ := imageWork(t, 7)
	units := func(w registry.WorkInput) wire.Units {
		return wire.Units{Meta: meta.ISCC, Content: contentUnit(t, w.ISCC)}
	}
	reg, err := r.RegisterWorks(t.Context(), alice, "", []registry.WorkInput{{Units: units(w1), PDQ: w1.PDQ}}, deny("train-ai"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Match(t.Context(), []registry.MatchItem{{Units: units(w2), PDQ: w2.PDQ}, {Units: wire.Units{Meta: meta.ISCC}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Matches) != 0 || len(res[0].Declarations) != 0 || len(res[0].PossibleMatches) != 0 {
		t.Errorf("another photo titled Sunset: got %+v, want no match", res[0])
	}
	if len(res[1].Matches) != 0 || len(res[1].PossibleMatches) != 1 || res[1].PossibleMatches[0].Work != reg[0].Work.ID ||
		!strings.Contains(res[1].PossibleMatches[0].Why, "only the Meta-Code") {
		t.Errorf("the Meta-Code alone: got %+v, want a possible match", res[1])
	}
}
