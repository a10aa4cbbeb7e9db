package registry_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// clock is a settable time source for registry.Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClockedRegistry(t *testing.T) (*registry.Registry, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	return openRegistry(t, func(cfg *registry.Config) { cfg.Now, cfg.Verifier = c.now, fakeVerifier{} }), c
}

// logEntries returns every entry of r's log as text.
func logEntries(t *testing.T, r *registry.Registry) []string {
	t.Helper()
	var out []string
	err := r.Store().View(t.Context(), func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		es, err := tx.LogEntries(0, n)
		for _, e := range es {
			out = append(out, string(e))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func entryType(t *testing.T, entry string) string {
	t.Helper()
	var h struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(entry), &h); err != nil {
		t.Fatalf("log entry %s: %v", entry, err)
	}
	return h.Type
}

func TestJoinAndSignIn(t *testing.T) {
	r, _ := newClockedRegistry(t)
	ctx := t.Context()
	const pw = "correct horse battery staple"
	s, rc, err := r.Join(ctx, registry.JoinInput{Name: "Jane  Doe", Password: pw, Email: "jane@example.org"})
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if _, err := ledger.VerifyReceipt(rc, r.Ledger().Origin(), r.Ledger().Verifier()); err != nil {
		t.Fatalf("receipt of Join does not verify: %v", err)
	}
	if s.Principal.Account.Kind != store.KindCreator || s.Secret == "" || s.CSRF == "" {
		t.Fatalf("Join: got %+v, want a creator with a session and a CSRF token", s)
	}
	got, err := r.Session(ctx, s.Secret)
	if err != nil || got.Principal.Account.ID != s.Principal.Account.ID || got.CSRF != s.CSRF {
		t.Fatalf("Session(join secret): got %+v, %v", got, err)
	}
	// The name is taken, whatever its case and spacing.
	_, _, err = r.Join(ctx, registry.JoinInput{Name: "jane doe", Password: pw})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Join with a taken name: got %v, want ErrConflict", err)
	}
	_, _, err = r.Join(ctx, registry.JoinInput{Name: "Short", Password: "123456789"})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("Join with a 9-character password: got %v, want ErrInvalid", err)
	}
	_, _, err = r.Join(ctx, registry.JoinInput{Name: "Mail", Password: pw, Email: "not an address"})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("Join with a bad e-mail address: got %v, want ErrInvalid", err)
	}

	for _, c := range []struct{ name, pw string }{{"Jane Doe", "wrong password"}, {"Nobody", pw}} {
		if _, err := r.SignIn(ctx, c.name, c.pw, "192.0.2.1"); !errors.Is(err, registry.ErrBadCredentials) {
			t.Errorf("SignIn(%q, %q): got %v, want ErrBadCredentials", c.name, c.pw, err)
		}
	}
	s2, err := r.SignIn(ctx, "JANE DOE", pw, "192.0.2.1")
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if s2.Secret == s.Secret || s2.CSRF == s.CSRF || s2.Principal.Account.ID != s.Principal.Account.ID {
		t.Errorf("SignIn: got secret %q csrf %q account %s; want a new session of %s", s2.Secret, s2.CSRF, s2.Principal.Account.ID, s.Principal.Account.ID)
	}
	if err := r.SignOut(ctx, s2.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Session(ctx, s2.Secret); !errors.Is(err, registry.ErrSessionEnded) {
		t.Errorf("Session after SignOut: got %v, want ErrSessionEnded", err)
	}
	if _, err := r.Session(ctx, "forged"); !errors.Is(err, registry.ErrSessionEnded) {
		t.Errorf("Session(forged): got %v, want ErrSessionEnded", err)
	}
	if email, err := r.Email(ctx, s.Principal.Account.ID); err != nil || email != "jane@example.org" {
		t.Errorf("Email: got %q, %v", email, err)
	}
	// Secrets are not in the log: not the password, its hash, the e-mail
	// address, the session or its CSRF token.
	for _, e := range logEntries(t, r) {
		for _, secret := range []string{pw, "argon2", "jane@example.org", s.Secret, s.CSRF, s2.Secret} {
			if strings.Contains(e, secret) {
				t.Errorf("log entry %s holds the secret %q", e, secret)
			}
		}
	}
}

func TestSessionTimeouts(t *testing.T) {
	r, c := newClockedRegistry(t)
	ctx := t.Context()
	s, _, err := r.Join(ctx, registry.JoinInput{Name: "Ada", Password: "analytical engine"})
	if err != nil {
		t.Fatal(err)
	}
	// Active every 20 minutes: alive until the absolute timeout.
	for elapsed := 20 * time.Minute; elapsed < registry.DefaultSessionMax; elapsed += 20 * time.Minute {
		c.add(20 * time.Minute)
		if _, err := r.Session(ctx, s.Secret); err != nil {
			t.Fatalf("Session after %s of activity: %v", elapsed, err)
		}
	}
	c.add(20 * time.Minute)
	if _, err := r.Session(ctx, s.Secret); !errors.Is(err, registry.ErrSessionEnded) {
		t.Errorf("Session past the absolute timeout: got %v, want ErrSessionEnded", err)
	}
	s2, err := r.SignIn(ctx, "Ada", "analytical engine", "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	c.add(registry.DefaultSessionIdle - time.Second)
	if _, err := r.Session(ctx, s2.Secret); err != nil {
		t.Fatalf("Session just before the idle timeout: %v", err)
	}
	c.add(registry.DefaultSessionIdle)
	if _, err := r.Session(ctx, s2.Secret); !errors.Is(err, registry.ErrSessionEnded) {
		t.Errorf("Session past the idle timeout: got %v, want ErrSessionEnded", err)
	}
}

func TestSignInLockout(t *testing.T) {
	r, c := newClockedRegistry(t)
	ctx := t.Context()
	const pw = "my long password"
	if _, _, err := r.Join(ctx, registry.JoinInput{Name: "Bo", Password: pw}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < registry.LoginLockAfter; i++ {
		if _, err := r.SignIn(ctx, "Bo", "guess", "192.0.2.1"); !errors.Is(err, registry.ErrBadCredentials) {
			t.Fatalf("failure %d: got %v, want ErrBadCredentials", i+1, err)
		}
	}
	// Locked: even the right password is refused, from any address.
	_, err := r.SignIn(ctx, "Bo", pw, "198.51.100.9")
	var le *registry.LockedError
	if !errors.As(err, &le) || le.ByAddress || !le.Until.Equal(c.now().Add(registry.LockBase)) {
		t.Fatalf("SignIn while locked: got %v, want a lock of the name until %s", err, c.now().Add(registry.LockBase))
	}
	c.add(registry.LockBase)
	// One more failure doubles the lock.
	if _, err := r.SignIn(ctx, "Bo", "guess", "192.0.2.1"); !errors.Is(err, registry.ErrBadCredentials) {
		t.Fatalf("failure after the lock: got %v", err)
	}
	if _, err := r.SignIn(ctx, "Bo", pw, "192.0.2.1"); !errors.As(err, &le) || !le.Until.Equal(c.now().Add(2*registry.LockBase)) {
		t.Fatalf("SignIn after another failure: got %v, want a lock of %s", err, 2*registry.LockBase)
	}
	c.add(2 * registry.LockBase)
	if _, err := r.SignIn(ctx, "Bo", pw, "192.0.2.1"); err != nil {
		t.Fatalf("SignIn after the lock expired: %v", err)
	}
	// The name's count was cleared by the success.
	if _, err := r.SignIn(ctx, "Bo", "guess", "192.0.2.1"); !errors.Is(err, registry.ErrBadCredentials) {
		t.Fatalf("failure after success: got %v", err)
	}

	// One address guessing many names is locked as an address; other
	// addresses are not, and one IPv6 /64 is one address.
	for i := 0; i < registry.AddressLockAfter; i++ {
		name := "user" + string(rune('a'+i%26))
		if _, err := r.SignIn(ctx, name, "guess", "2001:db8:1:2::"+string(rune('a'+i%6))); err == nil {
			t.Fatal("a guess signed in")
		}
	}
	if _, err := r.SignIn(ctx, "Bo", pw, "2001:db8:1:2::ffff"); !errors.As(err, &le) || !le.ByAddress {
		t.Fatalf("SignIn from a locked /64: got %v, want a lock of the address", err)
	}
	if _, err := r.SignIn(ctx, "Bo", pw, "2001:db8:1:3::1"); err != nil {
		t.Fatalf("SignIn from another /64: %v", err)
	}
}

func TestRevokeDelegation(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	jane := account(t, r, "Jane", "creator")
	guild := account(t, r, "Guild", "organisation")
	w, _ := imageWork(t, 1)
	rs, err := r.RegisterWorks(ctx, jane, "", []registry.WorkInput{w}, []store.Term{{Use: "train-ai", Decision: "deny"}})
	if err != nil {
		t.Fatal(err)
	}
	work := rs[0].Work.ID
	if _, err := r.Delegate(ctx, jane, guild.Account.ID); err != nil {
		t.Fatal(err)
	}
	// While delegated, the guild may supersede Jane's deny, but not relax
	// it (internal/precedence: a delegate never relaxes what the member
	// declared herself).
	allow := []store.Term{{Use: "train-ai", Decision: "allow"}}
	if _, _, err := r.Declare(ctx, guild, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: work}, Terms: allow,
		OnBehalfOf: jane.Account.ID, Supersedes: rs[0].Declaration.ID}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("the guild supersedes Jane's deny with an allow: got %v, want ErrForbidden", err)
	}
	d, _, err := r.Declare(ctx, guild, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: work},
		Terms: []store.Term{{Use: "train-ai", Decision: "deny"}, {Use: "search", Decision: "deny"}}, OnBehalfOf: jane.Account.ID, Supersedes: rs[0].Declaration.ID})
	if err != nil {
		t.Fatalf("Declare for a member who delegated: %v", err)
	}
	v, err := r.Account(ctx, jane.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.DelegateDeclarations) != 1 || v.DelegateDeclarations[0].ID != d.ID || v.Names[guild.Account.ID] != "Guild" {
		t.Errorf("Account(jane).DelegateDeclarations: got %+v, want %s by Guild", v.DelegateDeclarations, d.ID)
	}

	// The guild cannot revoke Jane's delegation; Jane can.
	if _, err := r.RevokeDelegation(ctx, guild, jane.Account.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeDelegation by the organisation: got %v, want ErrNotFound", err)
	}
	rc, err := r.RevokeDelegation(ctx, jane, guild.Account.ID)
	if err != nil {
		t.Fatalf("RevokeDelegation: %v", err)
	}
	if typ := entryType(t, string(rc.Entry)); typ != "delegation-revocation" {
		t.Errorf("revocation entry type %q, want delegation-revocation", typ)
	}
	if _, err := ledger.VerifyReceipt(rc, r.Ledger().Origin(), r.Ledger().Verifier()); err != nil {
		t.Errorf("revocation receipt: %v", err)
	}
	if _, err := r.RevokeDelegation(ctx, jane, guild.Account.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeDelegation twice: got %v, want ErrNotFound", err)
	}

	// After the revocation the guild can neither declare, supersede nor
	// register for Jane.
	if _, _, err := r.Declare(ctx, guild, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: work}, Terms: allow,
		OnBehalfOf: jane.Account.ID, Supersedes: d.ID}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("Declare for the member after revocation: got %v, want ErrForbidden", err)
	}
	if _, _, err := r.Declare(ctx, guild, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: work}, Terms: allow,
		Supersedes: d.ID}); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("Declare on the member's work in its own name: got %v, want ErrForbidden", err)
	}
	w2, _ := imageWork(t, 2)
	if _, err := r.RegisterWorks(ctx, guild, jane.Account.ID, []registry.WorkInput{w2}, nil); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("RegisterWorks for the member after revocation: got %v, want ErrForbidden", err)
	}
	// Jane supersedes what the guild declared for her.
	if _, _, err := r.Declare(ctx, jane, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: work},
		Terms: []store.Term{{Use: "train-ai", Decision: "deny"}}, SupersedeOwn: true}); err != nil {
		t.Errorf("the member supersedes its delegate's declaration: %v", err)
	}
	ws, err := r.Works(ctx, jane.Account.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || len(ws[0].Declarations) != 1 || ws[0].Declarations[0].Terms[0].Decision != "deny" {
		t.Errorf("Works(jane) after superseding: got %+v, want one work with Jane's deny only", ws)
	}
}

func TestRevokeKey(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	jane := account(t, r, "Jane", "creator")
	bo := account(t, r, "Bo", "creator")
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	k, _, err := r.AddKey(ctx, jane, pub)
	if err != nil {
		t.Fatal(err)
	}
	signed := func() error {
		terms := []store.Term{{Use: "train-genai", Decision: "deny"}}
		st := registry.DeclarationStatement{Type: "declaration", Account: jane.Account.ID,
			Subject: store.Subject{Kind: store.SubjectAccount, Value: jane.Account.ID}, Terms: terms}
		canon, err := jcs.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = r.Declare(ctx, jane, registry.DeclareInput{Subject: st.Subject, Terms: terms, Signed: canon,
			Signature: ed25519.Sign(priv, canon), Key: k.ID})
		return err
	}
	if err := signed(); err != nil {
		t.Fatalf("signed declaration with a valid key: %v", err)
	}
	if _, err := r.RevokeKey(ctx, bo, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeKey of another account's key: got %v, want ErrNotFound", err)
	}
	rc, err := r.RevokeKey(ctx, jane, k.ID)
	if err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	if typ := entryType(t, string(rc.Entry)); typ != "key-revocation" {
		t.Errorf("revocation entry type %q, want key-revocation", typ)
	}
	if _, err := r.RevokeKey(ctx, jane, k.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("RevokeKey twice: got %v, want ErrConflict", err)
	}
	if err := signed(); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("signed declaration with a revoked key: got %v, want ErrForbidden", err)
	}
}

func TestCampaignAdministration(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	guild := account(t, r, "Guild", "organisation")
	other := account(t, r, "Other", "organisation")
	ada := account(t, r, "Ada", "creator")
	bo := account(t, r, "Bo", "creator")
	c, _, err := r.CreateCampaign(ctx, guild, "Ask frist", "Our works may not train AI.")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.EditCampaign(ctx, other, c.ID, "Ask first", "x"); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("EditCampaign by another organisation: got %v, want ErrForbidden", err)
	}
	edited, rc, err := r.EditCampaign(ctx, guild, c.ID, "Ask first", "Our works may not train AI without a licence.")
	if err != nil {
		t.Fatalf("EditCampaign before any signature: %v", err)
	}
	if edited.Title != "Ask first" || entryType(t, string(rc.Entry)) != "campaign-edit" {
		t.Errorf("EditCampaign: got %+v, entry %s", edited, rc.Entry)
	}
	sa, _, err := r.SignCampaign(ctx, ada, c.ID, registry.SignInput{Listed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.SignCampaign(ctx, bo, c.ID, registry.SignInput{Listed: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.EditCampaign(ctx, guild, c.ID, "Changed", "Changed."); !errors.Is(err, registry.ErrSigned) {
		t.Errorf("EditCampaign after a signature: got %v, want ErrSigned", err)
	}
	if _, err := r.SetListingHidden(ctx, other, c.ID, sa.ID, true); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("SetListingHidden by another organisation: got %v, want ErrForbidden", err)
	}
	rc, err = r.SetListingHidden(ctx, guild, c.ID, sa.ID, true)
	if err != nil {
		t.Fatalf("SetListingHidden: %v", err)
	}
	if entryType(t, string(rc.Entry)) != "listing" {
		t.Errorf("moderation entry %s", rc.Entry)
	}
	v, err := r.Campaign(ctx, c.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if v.Signatures != 2 || len(v.Listed) != 1 || v.Listed[0].Name != "Bo" {
		t.Errorf("Campaign after hiding Ada: %d signatures, listed %+v; want 2 and only Bo", v.Signatures, v.Listed)
	}
	var all []string
	if err := r.CampaignSignatures(ctx, guild, c.ID, func(s store.Signature) error {
		all = append(all, s.Name+map[bool]string{true: " (hidden)", false: ""}[s.Hidden])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(all, ", ") != "Ada (hidden), Bo" && strings.Join(all, ", ") != "Bo, Ada (hidden)" {
		t.Errorf("CampaignSignatures: got %v", all)
	}
	if err := r.CampaignSignatures(ctx, other, c.ID, func(store.Signature) error { return nil }); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("CampaignSignatures by another organisation: got %v, want ErrForbidden", err)
	}
}

func TestDeclareManySupersedesOwn(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	jane := account(t, r, "Jane", "creator")
	var works []registry.WorkInput
	for i := byte(1); i <= 3; i++ {
		w, _ := imageWork(t, i)
		works = append(works, w)
	}
	rs, err := r.RegisterWorks(ctx, jane, "", works, []store.Term{{Use: "train-ai", Decision: "deny"}})
	if err != nil {
		t.Fatal(err)
	}
	lic := []store.Term{{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "0.05", Currency: "EUR"}}}
	var ins []registry.DeclareInput
	for _, x := range rs[:2] {
		ins = append(ins, registry.DeclareInput{Subject: store.Subject{Kind: store.SubjectWork, Value: x.Work.ID}, Terms: lic, SupersedeOwn: true})
	}
	ds, rcs, err := r.DeclareMany(ctx, jane, ins)
	if err != nil {
		t.Fatalf("DeclareMany: %v", err)
	}
	if len(ds) != 2 || len(rcs) != 2 || ds[0].Supersedes != rs[0].Declaration.ID || ds[1].Supersedes != rs[1].Declaration.ID {
		t.Fatalf("DeclareMany: got %+v, want two declarations superseding the registration's", ds)
	}
	// All or none: a batch with one work of another account writes nothing.
	bo := account(t, r, "Bo", "creator")
	w4, _ := imageWork(t, 9)
	brs, err := r.RegisterWorks(ctx, bo, "", []registry.WorkInput{w4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := len(logEntries(t, r))
	_, _, err = r.DeclareMany(ctx, jane, []registry.DeclareInput{
		{Subject: store.Subject{Kind: store.SubjectWork, Value: rs[2].Work.ID}, Terms: lic},
		{Subject: store.Subject{Kind: store.SubjectWork, Value: brs[0].Work.ID}, Terms: lic},
	})
	if !errors.Is(err, registry.ErrForbidden) || len(logEntries(t, r)) != before {
		t.Errorf("DeclareMany with another's work: got %v and %d new entries, want ErrForbidden and none", err, len(logEntries(t, r))-before)
	}
	ws, err := r.Works(ctx, jane.Account.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	licensed := 0
	for _, w := range ws {
		if len(w.Declarations) != 1 {
			t.Errorf("work %s: %d current declarations, want 1", w.Work.ID, len(w.Declarations))
			continue
		}
		if w.Declarations[0].Terms[0].Decision == "license" {
			licensed++
		}
	}
	if licensed != 2 {
		t.Errorf("%d works licensed, want 2", licensed)
	}
}
