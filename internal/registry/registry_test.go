package registry_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/pdq"
	"github.com/askfirst/askfirst/wire"
)

// fakeVerifier accepts the domains listed.
type fakeVerifier map[string]bool

func (f fakeVerifier) Verify(ctx context.Context, domain, token string) (string, error) {
	if f[domain] {
		return "http", nil
	}
	return "", fmt.Errorf("%w: no token at %s", registry.ErrUnverified, domain)
}

func newRegistry(t *testing.T, verified ...string) *registry.Registry {
	t.Helper()
	v := fakeVerifier{}
	for _, d := range verified {
		v[d] = true
	}
	return openRegistry(t, func(c *registry.Config) { c.Verifier = v })
}

// openRegistry returns a registry on a new SQLite store and log, with
// config adjusted by set.
func openRegistry(t *testing.T, set func(*registry.Config)) *registry.Registry {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	skey, _, err := note.GenerateKey(rand.Reader, "test.askfirst.example/log")
	if err != nil {
		t.Fatal(err)
	}
	led, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	cfg := registry.Config{Store: st, Ledger: led}
	set(&cfg)
	r, err := registry.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func account(t *testing.T, r *registry.Registry, name, kind string) registry.Principal {
	t.Helper()
	_, secret, rc, err := r.CreateAccount(t.Context(), name, kind)
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	if _, err := ledger.VerifyReceipt(ledger.Receipt(rc), r.Ledger().Origin(), r.Ledger().Verifier()); err != nil {
		t.Fatalf("receipt of account %s does not verify: %v", name, err)
	}
	p, err := r.Authenticate(t.Context(), secret)
	if err != nil {
		t.Fatalf("Authenticate(new token of %s): %v", name, err)
	}
	return p
}

// imageWork returns the codes of a synthetic grey image, and of a variant
// of it with a few pixels changed.
func imageWork(t *testing.T, seed byte) (orig, near registry.WorkInput) {
	t.Helper()
	px := make([]byte, 1024)
	for i := range px {
		px[i] = byte((i*int(seed+3) + i/32*7) % 251)
	}
	code := func(px []byte, data string) registry.WorkInput {
		img := image.NewGray(image.Rect(0, 0, 32, 32))
		copy(img.Pix, px)
		h, q, err := pdq.Compute(img)
		if err != nil {
			t.Fatal(err)
		}
		ic, err := iscc.GenImageCode(px, 64)
		if err != nil {
			t.Fatal(err)
		}
		dc, _ := iscc.GenDataCode(strings.NewReader(data), 64)
		in, _ := iscc.GenInstanceCode(strings.NewReader(data), 64)
		full, err := iscc.GenISCCCode([]string{ic.ISCC, dc.ISCC, in.ISCC}, false)
		if err != nil {
			t.Fatal(err)
		}
		return registry.WorkInput{ISCC: full.ISCC, Datahash: in.Datahash, Title: fmt.Sprintf("photo %d", seed), PDQ: &wire.PDQ{Hash: h.String(), Quality: q}}
	}
	orig = code(px, strings.Repeat(string(rune('a'+seed)), 5000))
	px2 := append([]byte(nil), px...)
	for i := 0; i < 20; i++ {
		px2[i*50] ^= 4
	}
	near = code(px2, strings.Repeat(string(rune('a'+seed)), 4990)+"xyz")
	return orig, near
}

func deny(uses ...string) []store.Term {
	var ts []store.Term
	for _, u := range uses {
		ts = append(ts, store.Term{Use: u, Decision: "deny"})
	}
	return ts
}

func TestRegisterAndMatchNearCopy(t *testing.T) {
	r := newRegistry(t)
	alice := account(t, r, "Alice", "creator")
	orig, near := imageWork(t, 1)
	other, _ := imageWork(t, 9)
	terms := []store.Term{{Use: "train-genai", Decision: "deny"},
		{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://alice.example/terms"}}}
	reg, err := r.RegisterWorks(t.Context(), alice, "", []registry.WorkInput{orig, other}, terms)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range reg {
		for _, rc := range []ledger.Receipt{x.Receipt, *x.DeclarationReceipt} {
			if _, err := ledger.VerifyReceipt(rc, r.Ledger().Origin(), r.Ledger().Verifier()); err != nil {
				t.Fatalf("receipt %d: %v", rc.Index, err)
			}
		}
	}
	res, err := r.Match(t.Context(), []registry.MatchItem{{ISCC: near.ISCC, PDQ: near.PDQ}, {Datahash: orig.Datahash}, {URL: "https://nobody.example/x.jpg"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Matches) != 1 || res[0].Matches[0].Work != reg[0].Work.ID || res[0].Matches[0].MatchedBy != "similarity" || res[0].Matches[0].Confidence != "confirmed" {
		t.Fatalf("near copy: got matches %+v, want work %s by similarity", res[0].Matches, reg[0].Work.ID)
	}
	if len(res[0].Declarations) != 1 || res[0].Declarations[0].Terms[1].Offer.Price != "0.05" {
		t.Fatalf("near copy: got declarations %+v, want the work's declaration with its offer", res[0].Declarations)
	}
	if len(res[1].Matches) != 1 || res[1].Matches[0].MatchedBy != "datahash" {
		t.Fatalf("datahash: got %+v", res[1].Matches)
	}
	if len(res[2].Matches) != 0 || len(res[2].Declarations) != 0 {
		t.Fatalf("unknown URL: got %+v", res[2])
	}
}

func TestAuthorisation(t *testing.T) {
	r := newRegistry(t, "alice.example")
	ctx := t.Context()
	alice := account(t, r, "Alice", "creator")
	mallory := account(t, r, "Mallory", "creator")
	org := account(t, r, "Photographers' Guild", "organisation")
	orig, _ := imageWork(t, 2)
	reg, err := r.RegisterWorks(ctx, alice, "", []registry.WorkInput{orig}, nil)
	if err != nil {
		t.Fatal(err)
	}
	work := store.Subject{Kind: store.SubjectWork, Value: reg[0].Work.ID}

	if _, _, err := r.Declare(ctx, mallory, registry.DeclareInput{Subject: work, Terms: deny("train-ai")}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("declaring for another's work: got %v, want ErrForbidden", err)
	}
	if _, _, err := r.Declare(ctx, mallory, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectAccount, Value: alice.Account.ID}, Terms: deny("train-ai")}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("declaring for another account's works: got %v, want ErrForbidden", err)
	}
	if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectDomain, Value: "alice.example"}, Terms: deny("train-ai")}); !errors.Is(err, registry.ErrUnverified) {
		t.Errorf("declaring for an unverified domain: got %v, want ErrUnverified", err)
	}
	if _, err := r.ClaimDomain(ctx, mallory, "alice.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ClaimDomain(ctx, alice, "alice.example"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.VerifyDomain(ctx, alice, "alice.example"); err != nil {
		t.Fatalf("verify alice.example: %v", err)
	}
	if _, _, err := r.VerifyDomain(ctx, mallory, "alice.example"); err == nil {
		t.Errorf("a second account verifying the same domain: got nil error")
	}
	if _, _, err := r.Declare(ctx, mallory, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectURLPrefix, Value: "https://alice.example/photos/"}, Terms: deny("train-ai")}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("declaring for a URL prefix on another's domain: got %v, want ErrForbidden", err)
	}
	if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectURLPrefix, Value: "https://alice.example/photos/"}, Terms: deny("train-ai")}); err != nil {
		t.Errorf("declaring for a URL prefix on one's verified domain: %v", err)
	}
	// Acting for members needs a delegation.
	if _, err := r.RegisterWorks(ctx, org, alice.Account.ID, []registry.WorkInput{orig}, nil); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("organisation registering for a non-member: got %v, want ErrForbidden", err)
	}
	if _, err := r.Delegate(ctx, alice, org.Account.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Declare(ctx, org, registry.DeclareInput{OnBehalfOf: alice.Account.ID, Subject: work, Terms: deny("train-genai")}); err != nil {
		t.Errorf("organisation declaring for a member who delegated: %v", err)
	}
	if _, err := r.Delegate(ctx, mallory, alice.Account.ID); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("delegating to a creator: got %v, want ErrForbidden", err)
	}
	// Revoked and read-only tokens.
	tok, secret, err := r.CreateToken(ctx, alice, store.ScopeRead, "reader")
	if err != nil {
		t.Fatal(err)
	}
	reader, err := r.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Declare(ctx, reader, registry.DeclareInput{Subject: work, Terms: deny("search")}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("writing with a read token: got %v, want ErrForbidden", err)
	}
	if err := r.RevokeToken(ctx, alice, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Authenticate(ctx, secret); !errors.Is(err, registry.ErrUnauthenticated) {
		t.Errorf("revoked token: got %v, want ErrUnauthenticated", err)
	}
	if err := r.RevokeToken(ctx, mallory, tok.ID); err == nil {
		t.Errorf("revoking another account's token: got nil error")
	}
	// Campaigns: only organisations publish; anyone signs once.
	if _, _, err := r.CreateCampaign(ctx, alice, "t", "s"); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("creator publishing a campaign: got %v, want ErrForbidden", err)
	}
	c, _, err := r.CreateCampaign(ctx, org, "Ask first", "Ask before training on our work.")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.SignCampaign(ctx, alice, c.ID, registry.SignInput{Role: "photographer", Listed: true, Domain: "alice.example", Terms: deny("train-genai")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.SignCampaign(ctx, alice, c.ID, registry.SignInput{}); err == nil {
		t.Errorf("signing twice: got nil error")
	}
	if _, _, err := r.SignCampaign(ctx, mallory, c.ID, registry.SignInput{Domain: "alice.example"}); err == nil {
		t.Errorf("signing with another's domain: got nil error")
	}
	if _, _, err := r.SignCampaign(ctx, mallory, c.ID, registry.SignInput{Listed: false}); err != nil {
		t.Fatal(err)
	}
	v, err := r.Campaign(ctx, c.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if v.Signatures != 2 || len(v.Listed) != 1 || v.Listed[0].Name != "Alice" {
		t.Errorf("campaign: got %d signatures, listed %+v; want 2 and Alice only", v.Signatures, v.Listed)
	}
	// The blanket declaration applies to all of Alice's works.
	res, err := r.Match(ctx, []registry.MatchItem{{Datahash: orig.Datahash}})
	if err != nil {
		t.Fatal(err)
	}
	vias := []string{}
	for _, d := range res[0].Declarations {
		vias = append(vias, d.AppliesVia)
	}
	if len(vias) != 2 {
		t.Errorf("declarations of Alice's work: got %v, want the organisation's work declaration and the campaign's account declaration", vias)
	}
}

// signer is a registry with an account, Alice, and a signing key of hers.
func signer(t *testing.T) (*registry.Registry, registry.Principal, ed25519.PrivateKey, store.Key) {
	t.Helper()
	r := newRegistry(t)
	alice := account(t, r, "Alice", "creator")
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	k, _, err := r.AddKey(t.Context(), alice, pub)
	if err != nil {
		t.Fatal(err)
	}
	return r, alice, priv, k
}

func TestSelfSignedDeclaration(t *testing.T) {
	r, alice, priv, k := signer(t)
	ctx := t.Context()
	subj := store.Subject{Kind: store.SubjectAccount, Value: alice.Account.ID}
	terms := deny("train-ai")
	st := registry.DeclarationStatement{Type: "declaration", Account: alice.Account.ID, Subject: subj, Terms: terms}
	canon, _ := jcs.Marshal(st)
	sig := ed25519.Sign(priv, canon)
	d, rc, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: subj, Terms: terms, Signed: canon, Signature: sig, Key: k.ID})
	if err != nil {
		t.Fatalf("self-signed declaration: %v", err)
	}
	var entry map[string]any
	json.Unmarshal(rc.Entry, &entry)
	if entry["key"] != k.ID || entry["signature"] == nil || d.Signature == nil {
		t.Fatalf("log entry lacks the signature: %s", rc.Entry)
	}
	sig[0] ^= 1
	if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: subj, Terms: terms, Signed: canon, Signature: sig, Key: k.ID}); !errors.Is(err, registry.ErrForbidden) {
		t.Fatalf("bad signature: got %v, want ErrForbidden", err)
	}
	other, _ := jcs.Marshal(registry.DeclarationStatement{Type: "declaration", Account: alice.Account.ID, Subject: subj, Terms: deny("search")})
	if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: subj, Terms: terms, Signed: other, Signature: ed25519.Sign(priv, other), Key: k.ID}); !errors.Is(err, registry.ErrInvalid) {
		t.Fatalf("signature over another statement: got %v, want ErrInvalid", err)
	}
}

func TestValidation(t *testing.T) {
	r := newRegistry(t)
	alice := account(t, r, "Alice", "creator")
	for _, tc := range []struct {
		name  string
		works []registry.WorkInput
		terms []store.Term
	}{
		{"no codes", []registry.WorkInput{{Title: "x"}}, nil},
		{"bad iscc", []registry.WorkInput{{ISCC: "ISCC:NOPE"}}, nil},
		{"bad pdq", []registry.WorkInput{{Datahash: "1e20aa", PDQ: &wire.PDQ{Hash: "zz"}}}, nil},
		{"bad use", []registry.WorkInput{{Datahash: "1e20aa"}}, []store.Term{{Use: "train", Decision: "deny"}}},
		{"licence without offer", []registry.WorkInput{{Datahash: "1e20aa"}}, []store.Term{{Use: "train-ai", Decision: "license"}}},
		{"bad price", []registry.WorkInput{{Datahash: "1e20aa"}}, []store.Term{{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "1e9", Currency: "EUR"}}}},
		{"bad locator", []registry.WorkInput{{Datahash: "1e20aa", Locators: []string{"javascript:alert(1)"}}}, nil},
		{"long title", []registry.WorkInput{{Datahash: "1e20aa", Title: strings.Repeat("x", registry.MaxTextLen+1)}}, nil},
	} {
		if _, err := r.RegisterWorks(t.Context(), alice, "", tc.works, tc.terms); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tc.name, err)
		}
	}
	big := make([]registry.WorkInput, registry.MaxBatch+1)
	if _, err := r.RegisterWorks(t.Context(), alice, "", big, nil); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("batch over the cap: got %v, want ErrInvalid", err)
	}
}

// TestDomainDeclarationsApplyToURLs: declarations on a verified domain and
// on a URL prefix apply to URLs on it, also for a domain with a port.
func TestDomainDeclarationsApplyToURLs(t *testing.T) {
	for _, host := range []string{"pub.example", "127.0.0.1:8080"} {
		r := newRegistry(t, host)
		ctx := t.Context()
		alice := account(t, r, "Alice", "creator")
		if _, err := r.ClaimDomain(ctx, alice, host); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.VerifyDomain(ctx, alice, host); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectDomain, Value: host}, Terms: deny("train-ai")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectURLPrefix, Value: "http://" + host + "/photos/"}, Terms: deny("search")}); err != nil {
			t.Fatal(err)
		}
		res, err := r.Match(ctx, []registry.MatchItem{{URL: "http://" + host + "/photos/a.jpg"}, {URL: "http://" + host + "/about"}, {URL: "http://other.example/photos/a.jpg"}})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{2, 1, 0} {
			if got := len(res[i].Declarations); got != want {
				t.Errorf("%s: item %d: got %d declarations (%+v), want %d", host, i, got, res[i].Declarations, want)
			}
		}
	}
}
