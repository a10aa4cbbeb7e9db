// Package storetest is the conformance suite every store.Store driver must
// pass (DESIGN §7): each method, not-found and conflict behaviour,
// rollback, and a gapless, verifiable log under concurrent writers.
//
// It lives in a non-test file so each driver's tests run it against a real
// engine; nothing here mocks the store.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/store"
)

// Run runs the suite. open returns a new, empty store for each call; the
// driver's open closes it (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, open(t)) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open(t)) })
	t.Run("Works", func(t *testing.T) { testWorks(t, open(t)) })
	t.Run("Declarations", func(t *testing.T) { testDeclarations(t, open(t)) })
	t.Run("Domains", func(t *testing.T) { testDomains(t, open(t)) })
	t.Run("Delegations", func(t *testing.T) { testDelegations(t, open(t)) })
	t.Run("Campaigns", func(t *testing.T) { testCampaigns(t, open(t)) })
	t.Run("CampaignModeration", func(t *testing.T) { testCampaignModeration(t, open(t)) })
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("SignInFailures", func(t *testing.T) { testSignInFailures(t, open(t)) })
	t.Run("Secrets", func(t *testing.T) { testSecrets(t, open(t)) })
	t.Run("MemberDelegations", func(t *testing.T) { testMemberDelegations(t, open(t)) })
	t.Run("DeclarationsOnBehalfOf", func(t *testing.T) { testDeclarationsOnBehalfOf(t, open(t)) })
	t.Run("WorksRegisteredFor", func(t *testing.T) { testWorksRegisteredFor(t, open(t)) })
	t.Run("SignaturesByAccount", func(t *testing.T) { testSignaturesByAccount(t, open(t)) })
	t.Run("Log", func(t *testing.T) { testLog(t, open(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("ConflictKeepsTxUsable", func(t *testing.T) { testConflictKeepsTxUsable(t, open(t)) })
	t.Run("ConcurrentAppend", func(t *testing.T) {
		s := open(t)
		testConcurrentAppend(t, []store.Store{s})
	})
}

// RunShared runs the concurrency cases for stores that several processes
// open on one database: openPair returns two independent Store values (two
// connection pools, as two `askfirst serve` processes would hold) on the
// same empty database.
func RunShared(t *testing.T, openPair func(t *testing.T) (store.Store, store.Store)) {
	t.Run("TwoStoresAppend", func(t *testing.T) {
		a, b := openPair(t)
		testConcurrentAppend(t, []store.Store{a, b})
	})
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func update(t *testing.T, s store.Store, fn func(store.Tx) error) error {
	t.Helper()
	return s.Update(t.Context(), fn)
}

func mustUpdate(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := update(t, s, fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func mustView(t *testing.T, s store.Store, fn func(store.ReadTx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func check(t *testing.T, what string, got, want any, opts ...cmp.Option) {
	t.Helper()
	opts = append(opts, cmpopts.EquateEmpty())
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s: mismatch (-want +got):\n%s", what, d)
	}
}

func account(id, kind string) store.Account {
	return store.Account{ID: id, Kind: kind, Name: "Name of " + id, CreatedAt: t0, LogIndex: 0}
}

func seedAccounts(t *testing.T, s store.Store, ids ...string) {
	t.Helper()
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			kind := store.KindCreator
			if id[0] == 'o' {
				kind = store.KindOrganisation
			}
			if err := tx.CreateAccount(account(id, kind)); err != nil {
				return err
			}
		}
		return nil
	})
}

func testAccounts(t *testing.T, s store.Store) {
	a := account("a1", store.KindCreator)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreateAccount(a) })
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Account("a1")
		if err != nil {
			return err
		}
		check(t, "Account(a1)", got, a)
		_, err = tx.Account("nope")
		wantErr(t, "Account(nope)", err, store.ErrNotFound)
		return nil
	})
	wantErr(t, "CreateAccount duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateAccount(a) }), store.ErrConflict)
	wantErr(t, "CreateAccount bad kind", update(t, s, func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: "x", Kind: "robot"})
	}), store.ErrInvalid)
}

func testTokens(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1")
	tok := store.Token{ID: "t1", AccountID: "a1", Hash: []byte("hash-1"), Scope: store.ScopeWrite, Label: "laptop", CreatedAt: t0}
	tok2 := store.Token{ID: "t2", AccountID: "a1", Hash: []byte("hash-2"), Scope: store.ScopeRead, CreatedAt: t0.Add(time.Second)}
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateToken(tok); err != nil {
			return err
		}
		return tx.CreateToken(tok2)
	})
	wantErr(t, "CreateToken duplicate hash", update(t, s, func(tx store.Tx) error {
		return tx.CreateToken(store.Token{ID: "t3", AccountID: "a1", Hash: []byte("hash-1"), Scope: store.ScopeRead})
	}), store.ErrConflict)
	wantErr(t, "CreateToken unknown account", update(t, s, func(tx store.Tx) error {
		return tx.CreateToken(store.Token{ID: "t4", AccountID: "ghost", Hash: []byte("hash-4"), Scope: store.ScopeRead})
	}), store.ErrNotFound)
	wantErr(t, "CreateToken bad scope", update(t, s, func(tx store.Tx) error {
		return tx.CreateToken(store.Token{ID: "t5", AccountID: "a1", Hash: []byte("hash-5"), Scope: "admin"})
	}), store.ErrInvalid)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.TokenByHash([]byte("hash-1"))
		if err != nil {
			return err
		}
		check(t, "TokenByHash", got, tok)
		_, err = tx.TokenByHash([]byte("nope"))
		wantErr(t, "TokenByHash(nope)", err, store.ErrNotFound)
		list, err := tx.Tokens("a1")
		if err != nil {
			return err
		}
		check(t, "Tokens(a1)", list, []store.Token{tok, tok2})
		return nil
	})
	revoked := t0.Add(time.Hour)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.RevokeToken("t1", revoked) })
	mustUpdate(t, s, func(tx store.Tx) error { return tx.RevokeToken("t1", revoked.Add(time.Hour)) })
	wantErr(t, "RevokeToken(nope)", update(t, s, func(tx store.Tx) error { return tx.RevokeToken("nope", revoked) }), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.TokenByHash([]byte("hash-1"))
		if err != nil {
			return err
		}
		if !got.Revoked() || !got.RevokedAt.Equal(revoked) {
			t.Errorf("after revocation: got RevokedAt %v, want %v (the first revocation)", got.RevokedAt, revoked)
		}
		return nil
	})
}

func testKeys(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1")
	k := store.Key{ID: "k1", AccountID: "a1", PublicKey: bytes.Repeat([]byte{7}, 32), CreatedAt: t0, LogIndex: 3}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.AddKey(k) })
	wantErr(t, "AddKey duplicate", update(t, s, func(tx store.Tx) error { return tx.AddKey(k) }), store.ErrConflict)
	wantErr(t, "AddKey short", update(t, s, func(tx store.Tx) error {
		return tx.AddKey(store.Key{ID: "k2", AccountID: "a1", PublicKey: []byte{1}})
	}), store.ErrInvalid)
	wantErr(t, "AddKey unknown account", update(t, s, func(tx store.Tx) error {
		return tx.AddKey(store.Key{ID: "k3", AccountID: "ghost", PublicKey: make([]byte, 32)})
	}), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Key("k1")
		if err != nil {
			return err
		}
		check(t, "Key(k1)", got, k)
		_, err = tx.Key("nope")
		wantErr(t, "Key(nope)", err, store.ErrNotFound)
		list, err := tx.Keys("a1")
		if err != nil {
			return err
		}
		check(t, "Keys(a1)", list, []store.Key{k})
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.RevokeKey("k1", t0.Add(time.Minute)) })
	wantErr(t, "RevokeKey(nope)", update(t, s, func(tx store.Tx) error { return tx.RevokeKey("nope", t0) }), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Key("k1")
		if err != nil {
			return err
		}
		if !got.Revoked() {
			t.Errorf("Key(k1) after RevokeKey: not revoked")
		}
		return nil
	})
}

func work(id, account string, n int) store.Work {
	return store.Work{
		ID: id, AccountID: account, RegisteredBy: account,
		ISCC: fmt.Sprintf("ISCC:KEC%03d", n),
		Units: []store.Unit{
			{Kind: "meta", Bits: 64, Code: fmt.Sprintf("ISCC:AAA%03d", n)},
			{Kind: "data", Bits: 64, Code: fmt.Sprintf("ISCC:GAA%03d", n)},
			{Kind: "instance", Bits: 256, Code: fmt.Sprintf("ISCC:IAD%03d", n)},
		},
		Datahash:   fmt.Sprintf("1e20%03d", n),
		PDQ:        bytes.Repeat([]byte{byte(n)}, 32),
		PDQQuality: 90,
		Mediatype:  "image/jpeg",
		Filesize:   int64(1000 + n),
		Title:      "Work " + id,
		Creator:    "Ada",
		Locators: []store.Locator{
			{URL: fmt.Sprintf("https://photos.example/%s.jpg", id), Domain: "photos.example"},
			{URL: fmt.Sprintf("https://mirror.example/%s", id), Domain: "mirror.example"},
		},
		CreatedAt: t0,
		LogIndex:  int64(n),
	}
}

func testWorks(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2")
	w1, w2, w3 := work("w1", "a1", 1), work("w2", "a1", 2), work("w3", "a2", 3)
	w3.PDQ, w3.Locators, w3.Units = nil, nil, nil
	w2.Datahash = w1.Datahash // two registrations of the same file
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, w := range []store.Work{w1, w2, w3} {
			if err := tx.CreateWork(w); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, "CreateWork duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateWork(w1) }), store.ErrConflict)
	wantErr(t, "CreateWork unknown account", update(t, s, func(tx store.Tx) error { return tx.CreateWork(work("w9", "ghost", 9)) }), store.ErrNotFound)
	bad := work("w8", "a1", 8)
	bad.Units[0].Bits = 32
	wantErr(t, "CreateWork bad unit", update(t, s, func(tx store.Tx) error { return tx.CreateWork(bad) }), store.ErrInvalid)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Work("w1")
		if err != nil {
			return err
		}
		check(t, "Work(w1)", got, w1)
		got, err = tx.Work("w3")
		if err != nil {
			return err
		}
		check(t, "Work(w3)", got, w3)
		_, err = tx.Work("nope")
		wantErr(t, "Work(nope)", err, store.ErrNotFound)

		for _, c := range []struct {
			name string
			fn   func() ([]store.Work, error)
			want []store.Work
		}{
			{"WorksByUnit(data unit of w2)", func() ([]store.Work, error) { return tx.WorksByUnit(w2.Units[1].Code) }, []store.Work{w2}},
			{"WorksByUnit(ISCC-CODE of w3)", func() ([]store.Work, error) { return tx.WorksByUnit(w3.ISCC) }, []store.Work{w3}},
			{"WorksByUnit(unknown)", func() ([]store.Work, error) { return tx.WorksByUnit("ISCC:NONE") }, nil},
			{"WorksByDatahash", func() ([]store.Work, error) { return tx.WorksByDatahash(w1.Datahash) }, []store.Work{w1, w2}},
			{"WorksByDatahash(empty)", func() ([]store.Work, error) { return tx.WorksByDatahash("") }, nil},
			{"WorksByURL", func() ([]store.Work, error) { return tx.WorksByURL(w2.Locators[0].URL) }, []store.Work{w2}},
			{"WorksByURL(unknown)", func() ([]store.Work, error) { return tx.WorksByURL("https://none.example/") }, nil},
			{"WorksByDomain", func() ([]store.Work, error) { return tx.WorksByDomain("PHOTOS.example", "", 10) }, []store.Work{w1, w2}},
			{"WorksByDomain after w1", func() ([]store.Work, error) { return tx.WorksByDomain("photos.example", "w1", 10) }, []store.Work{w2}},
			{"WorksByDomain limit 1", func() ([]store.Work, error) { return tx.WorksByDomain("photos.example", "", 1) }, []store.Work{w1}},
			{"WorksByAccount(a1)", func() ([]store.Work, error) { return tx.WorksByAccount("a1", "", 0) }, []store.Work{w1, w2}},
			{"WorksByAccount(a2)", func() ([]store.Work, error) { return tx.WorksByAccount("a2", "", 0) }, []store.Work{w3}},
			{"ListWorks", func() ([]store.Work, error) { return tx.ListWorks("", 0) }, []store.Work{w1, w2, w3}},
			{"ListWorks page 2", func() ([]store.Work, error) { return tx.ListWorks("w1", 1) }, []store.Work{w2}},
			{"ListWorks end", func() ([]store.Work, error) { return tx.ListWorks("w3", 5) }, nil},
		} {
			got, err := c.fn()
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			check(t, c.name, got, c.want)
		}
		return nil
	})
}

func declaration(id, account string, subject store.Subject) store.Declaration {
	return store.Declaration{
		ID: id, AccountID: account, Subject: subject,
		Terms: []store.Term{
			{Use: "train-genai", Decision: "deny"},
			{Use: "search", Decision: "allow"},
			{Use: "ai-input", Decision: "license", Offer: &store.Offer{Price: "0.02", Currency: "EUR", PerUse: true, TermsURL: "https://example.org/terms", Contact: "mailto:rights@example.org"}},
		},
		Statement: []byte(`{"declaration":"` + id + `"}`),
		CreatedAt: t0,
		LogIndex:  7,
	}
}

func testDeclarations(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "o1")
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreateWork(work("w1", "a1", 1)) })
	onWork := store.Subject{Kind: store.SubjectWork, Value: "w1"}
	d1 := declaration("d1", "a1", onWork)
	d1.Signature, d1.KeyID = bytes.Repeat([]byte{9}, 64), "k1"
	d2 := declaration("d2", "a1", onWork)
	d2.Supersedes = "d1"
	d3 := declaration("d3", "o1", store.Subject{Kind: store.SubjectAccount, Value: "a1"})
	d3.OnBehalfOf = "a1"
	p1 := declaration("p1", "a1", store.Subject{Kind: store.SubjectURLPrefix, Value: "https://photos.example/2024/", Domain: "photos.example"})
	p2 := declaration("p2", "a1", store.Subject{Kind: store.SubjectURLPrefix, Value: "https://photos.example/2024/summer/", Domain: "photos.example"})
	p3 := declaration("p3", "a1", store.Subject{Kind: store.SubjectURLPrefix, Value: "https://photos.example/2025/", Domain: "photos.example"})
	dom := declaration("x1", "a1", store.Subject{Kind: store.SubjectDomain, Value: "photos.example"})
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, d := range []store.Declaration{d1, d2, d3, p1, p2, p3, dom} {
			if err := tx.AddDeclaration(d); err != nil {
				return err
			}
		}
		return nil
	})
	d1.SupersededBy = "d2"
	d4 := declaration("d4", "a1", onWork)
	d4.Supersedes = "d1"
	wantErr(t, "AddDeclaration superseding a superseded one", update(t, s, func(tx store.Tx) error { return tx.AddDeclaration(d4) }), store.ErrConflict)
	d4.Supersedes = "ghost"
	wantErr(t, "AddDeclaration superseding unknown", update(t, s, func(tx store.Tx) error { return tx.AddDeclaration(d4) }), store.ErrNotFound)
	wantErr(t, "AddDeclaration duplicate", update(t, s, func(tx store.Tx) error { return tx.AddDeclaration(p1) }), store.ErrConflict)
	bad := declaration("d5", "a1", store.Subject{Kind: "planet", Value: "mars"})
	wantErr(t, "AddDeclaration bad subject", update(t, s, func(tx store.Tx) error { return tx.AddDeclaration(bad) }), store.ErrInvalid)
	bad = declaration("d6", "a1", onWork)
	bad.Terms[0].Decision = "maybe"
	wantErr(t, "AddDeclaration bad decision", update(t, s, func(tx store.Tx) error { return tx.AddDeclaration(bad) }), store.ErrInvalid)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Declaration("d1")
		if err != nil {
			return err
		}
		check(t, "Declaration(d1)", got, d1)
		_, err = tx.Declaration("nope")
		wantErr(t, "Declaration(nope)", err, store.ErrNotFound)
		for _, c := range []struct {
			name string
			fn   func() ([]store.Declaration, error)
			want []store.Declaration
		}{
			{"CurrentDeclarations(work w1)", func() ([]store.Declaration, error) { return tx.CurrentDeclarations(onWork) }, []store.Declaration{d2}},
			{"CurrentDeclarations(account a1)", func() ([]store.Declaration, error) {
				return tx.CurrentDeclarations(store.Subject{Kind: store.SubjectAccount, Value: "a1"})
			}, []store.Declaration{d3}},
			{"CurrentDeclarations(domain)", func() ([]store.Declaration, error) {
				return tx.CurrentDeclarations(store.Subject{Kind: store.SubjectDomain, Value: "photos.example"})
			}, []store.Declaration{dom}},
			{"CurrentDeclarations(work w9)", func() ([]store.Declaration, error) {
				return tx.CurrentDeclarations(store.Subject{Kind: store.SubjectWork, Value: "w9"})
			}, nil},
			{"URLPrefixDeclarations(summer photo)", func() ([]store.Declaration, error) {
				return tx.URLPrefixDeclarations("photos.example", "https://photos.example/2024/summer/beach.jpg")
			}, []store.Declaration{p1, p2}},
			{"URLPrefixDeclarations(2025)", func() ([]store.Declaration, error) {
				return tx.URLPrefixDeclarations("photos.example", "https://photos.example/2025/")
			}, []store.Declaration{p3}},
			{"URLPrefixDeclarations(other domain)", func() ([]store.Declaration, error) {
				return tx.URLPrefixDeclarations("other.example", "https://photos.example/2024/a.jpg")
			}, nil},
			{"URLPrefixDeclarations(shorter than prefix)", func() ([]store.Declaration, error) {
				return tx.URLPrefixDeclarations("photos.example", "https://photos.example/20")
			}, nil},
			{"DeclarationsByAccount(o1)", func() ([]store.Declaration, error) { return tx.DeclarationsByAccount("o1", "", 0) }, []store.Declaration{d3}},
			{"DeclarationsByAccount(a1) after d2 limit 2", func() ([]store.Declaration, error) {
				return tx.DeclarationsByAccount("a1", "d2", 2)
			}, []store.Declaration{p1, p2}},
		} {
			got, err := c.fn()
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			check(t, c.name, got, c.want)
		}
		return nil
	})
}

func testDomains(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2")
	c1 := store.DomainClaim{Domain: "photos.example", AccountID: "a1", Token: "tok-1", State: store.DomainPending, CreatedAt: t0}
	c2 := store.DomainClaim{Domain: "photos.example", AccountID: "a2", Token: "tok-2", State: store.DomainPending, CreatedAt: t0}
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateDomainClaim(c1); err != nil {
			return err
		}
		return tx.CreateDomainClaim(c2)
	})
	wantErr(t, "CreateDomainClaim duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateDomainClaim(c1) }), store.ErrConflict)
	wantErr(t, "CreateDomainClaim unknown account", update(t, s, func(tx store.Tx) error {
		return tx.CreateDomainClaim(store.DomainClaim{Domain: "x.example", AccountID: "ghost", Token: "t", State: store.DomainPending})
	}), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.DomainClaim("photos.example", "a1")
		if err != nil {
			return err
		}
		check(t, "DomainClaim pending", got, c1)
		_, err = tx.VerifiedDomain("photos.example")
		wantErr(t, "VerifiedDomain before verification", err, store.ErrNotFound)
		_, err = tx.DomainClaim("photos.example", "ghost")
		wantErr(t, "DomainClaim(ghost)", err, store.ErrNotFound)
		return nil
	})
	at := t0.Add(time.Hour)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.VerifyDomain("photos.example", "a1", "dns", at, 42) })
	wantErr(t, "VerifyDomain by a second account", update(t, s, func(tx store.Tx) error {
		return tx.VerifyDomain("photos.example", "a2", "http", at, 43)
	}), store.ErrConflict)
	wantErr(t, "VerifyDomain without claim", update(t, s, func(tx store.Tx) error {
		return tx.VerifyDomain("other.example", "a1", "http", at, 44)
	}), store.ErrNotFound)
	want := c1
	want.State, want.Method, want.VerifiedAt, want.LogIndex = store.DomainVerified, "dns", at, 42
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.VerifiedDomain("photos.example")
		if err != nil {
			return err
		}
		check(t, "VerifiedDomain", got, want)
		list, err := tx.DomainClaims("a1")
		if err != nil {
			return err
		}
		check(t, "DomainClaims(a1)", list, []store.DomainClaim{want})
		return nil
	})
}

func testDelegations(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "o1")
	d1 := store.Delegation{MemberID: "a1", OrganisationID: "o1", CreatedAt: t0, LogIndex: 5}
	d2 := store.Delegation{MemberID: "a2", OrganisationID: "o1", CreatedAt: t0.Add(time.Second), LogIndex: 6}
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateDelegation(d1); err != nil {
			return err
		}
		return tx.CreateDelegation(d2)
	})
	wantErr(t, "CreateDelegation duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateDelegation(d1) }), store.ErrConflict)
	wantErr(t, "CreateDelegation unknown org", update(t, s, func(tx store.Tx) error {
		return tx.CreateDelegation(store.Delegation{MemberID: "a1", OrganisationID: "ghost"})
	}), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Delegation("a1", "o1")
		if err != nil {
			return err
		}
		check(t, "Delegation(a1, o1)", got, d1)
		_, err = tx.Delegation("o1", "a1")
		wantErr(t, "Delegation(o1, a1)", err, store.ErrNotFound)
		list, err := tx.Delegations("o1")
		if err != nil {
			return err
		}
		check(t, "Delegations(o1)", list, []store.Delegation{d1, d2})
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.RevokeDelegation("a1", "o1", t0.Add(time.Hour)) })
	wantErr(t, "RevokeDelegation twice", update(t, s, func(tx store.Tx) error { return tx.RevokeDelegation("a1", "o1", t0) }), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		_, err := tx.Delegation("a1", "o1")
		wantErr(t, "Delegation after revocation", err, store.ErrNotFound)
		list, err := tx.Delegations("o1")
		if err != nil {
			return err
		}
		check(t, "Delegations(o1) after revocation", list, []store.Delegation{d2})
		return nil
	})
	// A member may delegate again after revoking.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreateDelegation(d1) })
}

func testCampaigns(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "a3", "o1")
	c := store.Campaign{ID: "c1", AccountID: "o1", Title: "Ask first", Statement: "We reserve our works.", CreatedAt: t0, LogIndex: 1}
	sigs := []store.Signature{
		{ID: "s1", CampaignID: "c1", AccountID: "a1", Name: "Ada", Role: "photographer", Listed: true, CreatedAt: t0, LogIndex: 2},
		{ID: "s2", CampaignID: "c1", AccountID: "a2", Name: "Bo", Role: "writer", Domain: "bo.example", Listed: false, DeclarationID: "d9", CreatedAt: t0, LogIndex: 3},
		{ID: "s3", CampaignID: "c1", AccountID: "a3", Name: "Cy", Listed: true, CreatedAt: t0, LogIndex: 4},
	}
	c2 := store.Campaign{ID: "c2", AccountID: "o1", Title: "Second", Statement: "Another.", CreatedAt: t0, LogIndex: 5}
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateCampaign(c2); err != nil {
			return err
		}
		if err := tx.CreateCampaign(c); err != nil {
			return err
		}
		for _, g := range sigs {
			if err := tx.AddSignature(g); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, "CreateCampaign duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateCampaign(c) }), store.ErrConflict)
	wantErr(t, "AddSignature twice by one account", update(t, s, func(tx store.Tx) error {
		return tx.AddSignature(store.Signature{ID: "s4", CampaignID: "c1", AccountID: "a1"})
	}), store.ErrConflict)
	wantErr(t, "AddSignature unknown campaign", update(t, s, func(tx store.Tx) error {
		return tx.AddSignature(store.Signature{ID: "s5", CampaignID: "ghost", AccountID: "a1"})
	}), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Campaign("c1")
		if err != nil {
			return err
		}
		check(t, "Campaign(c1)", got, c)
		_, err = tx.Campaign("nope")
		wantErr(t, "Campaign(nope)", err, store.ErrNotFound)
		all, err := tx.Signatures("c1", false, "", 0)
		if err != nil {
			return err
		}
		check(t, "Signatures(all)", all, sigs)
		listed, err := tx.Signatures("c1", true, "", 0)
		if err != nil {
			return err
		}
		check(t, "Signatures(listed)", listed, []store.Signature{sigs[0], sigs[2]})
		page, err := tx.Signatures("c1", false, "s1", 1)
		if err != nil {
			return err
		}
		check(t, "Signatures(after s1, limit 1)", page, []store.Signature{sigs[1]})
		cs, err := tx.Campaigns("", 0)
		if err != nil {
			return err
		}
		check(t, "Campaigns()", cs, []store.Campaign{c, c2})
		if cs, err = tx.Campaigns("c1", 10); err != nil {
			return err
		}
		check(t, "Campaigns(after c1)", cs, []store.Campaign{c2})
		if cs, err = tx.Campaigns("", 1); err != nil {
			return err
		}
		check(t, "Campaigns(limit 1)", cs, []store.Campaign{c})
		total, nlisted, err := tx.SignatureCount("c1")
		if err != nil {
			return err
		}
		if total != 3 || nlisted != 2 {
			t.Errorf("SignatureCount(c1): got %d, %d, want 3, 2", total, nlisted)
		}
		total, nlisted, err = tx.SignatureCount("ghost")
		if err != nil || total != 0 || nlisted != 0 {
			t.Errorf("SignatureCount(ghost): got %d, %d, %v, want 0, 0, nil", total, nlisted, err)
		}
		return nil
	})
}

// appendEntry appends entry at the current size with the hashes tlog
// computes, returning its index.
func appendEntry(tx store.Tx, entry []byte) (int64, error) {
	n, err := tx.LogSize()
	if err != nil {
		return 0, err
	}
	hashes, err := tlog.StoredHashes(n, entry, tx)
	if err != nil {
		return 0, err
	}
	return n, tx.AppendLog(n, entry, hashes)
}

func testLog(t *testing.T, s store.Store) {
	mustView(t, s, func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil || n != 0 {
			t.Errorf("LogSize of a new store: got %d, %v, want 0, nil", n, err)
		}
		_, _, err = tx.Checkpoint()
		wantErr(t, "Checkpoint of a new store", err, store.ErrNotFound)
		got, err := tx.LogEntries(0, 0)
		if err != nil || len(got) != 0 {
			t.Errorf("LogEntries(0, 0): got %d entries, %v", len(got), err)
		}
		return nil
	})
	var entries [][]byte
	for i := range 20 {
		entries = append(entries, fmt.Appendf(nil, `{"n":%d}`, i))
	}
	entries = append(entries, []byte{}) // an empty entry is an entry
	mustUpdate(t, s, func(tx store.Tx) error {
		for i, e := range entries {
			n, err := appendEntry(tx, e)
			if err != nil {
				return err
			}
			if n != int64(i) {
				t.Errorf("append %d: got index %d", i, n)
			}
		}
		return nil
	})
	wantErr(t, "AppendLog at an old index", update(t, s, func(tx store.Tx) error {
		h := tlog.RecordHash([]byte("x"))
		return tx.AppendLog(3, []byte("x"), []tlog.Hash{h})
	}), store.ErrConflict)
	wantErr(t, "AppendLog beyond the end", update(t, s, func(tx store.Tx) error {
		n, _ := tx.LogSize()
		hashes, err := tlog.StoredHashes(n, []byte("x"), tx)
		if err != nil {
			return err
		}
		return tx.AppendLog(n+1, []byte("x"), hashes)
	}), store.ErrConflict)
	wantErr(t, "AppendLog with the wrong number of hashes", update(t, s, func(tx store.Tx) error {
		n, _ := tx.LogSize()
		return tx.AppendLog(n, []byte("x"), nil)
	}), store.ErrInvalid)
	size := int64(len(entries))
	mustView(t, s, func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil || n != size {
			t.Errorf("LogSize: got %d, %v, want %d", n, err, size)
		}
		got, err := tx.LogEntries(0, size)
		if err != nil {
			return err
		}
		check(t, "LogEntries(0, size)", got, entries)
		got, err = tx.LogEntries(5, 7)
		if err != nil {
			return err
		}
		check(t, "LogEntries(5, 7)", got, entries[5:7])
		_, err = tx.LogEntries(size-1, size+1)
		wantErr(t, "LogEntries past the end", err, store.ErrNotFound)
		_, err = tx.ReadHashes([]int64{tlog.StoredHashIndex(0, size)})
		wantErr(t, "ReadHashes past the end", err, store.ErrNotFound)
		// The stored hashes are the ones tlog computes from the entries.
		root, err := tlog.TreeHash(size, tx)
		if err != nil {
			return err
		}
		if want := treeHash(entries); root != want {
			t.Errorf("TreeHash(%d) from stored hashes: got %v, want %v", size, root, want)
		}
		return nil
	})
	note := []byte("origin\n21\nroot\n\n— sig\n")
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutCheckpoint(size, note) })
	wantErr(t, "PutCheckpoint beyond the log", update(t, s, func(tx store.Tx) error { return tx.PutCheckpoint(size+1, note) }), store.ErrConflict)
	wantErr(t, "PutCheckpoint going back", update(t, s, func(tx store.Tx) error { return tx.PutCheckpoint(size-1, note) }), store.ErrConflict)
	mustView(t, s, func(tx store.ReadTx) error {
		n, got, err := tx.Checkpoint()
		if err != nil {
			return err
		}
		if n != size || !bytes.Equal(got, note) {
			t.Errorf("Checkpoint: got %d %q, want %d %q", n, got, size, note)
		}
		return nil
	})
}

// treeHash computes the RFC 6962 root of entries in memory.
func treeHash(entries [][]byte) tlog.Hash {
	var hashes []tlog.Hash
	r := hashReader(func(i int64) tlog.Hash { return hashes[i] })
	for i, e := range entries {
		h, err := tlog.StoredHashes(int64(i), e, r)
		if err != nil {
			panic(err)
		}
		hashes = append(hashes, h...)
	}
	root, err := tlog.TreeHash(int64(len(entries)), r)
	if err != nil {
		panic(err)
	}
	return root
}

type hashReader func(int64) tlog.Hash

func (f hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = f(x)
	}
	return out, nil
}

// testConflictKeepsTxUsable checks that an ErrConflict from a write leaves
// the transaction usable on every driver (PostgreSQL aborts a transaction
// on a unique violation unless the driver avoids raising one).
func testConflictKeepsTxUsable(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "o1")
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateDomainClaim(store.DomainClaim{Domain: "x.example", AccountID: "a1", Token: "t1", State: store.DomainPending}); err != nil {
			return err
		}
		if err := tx.CreateDomainClaim(store.DomainClaim{Domain: "x.example", AccountID: "a2", Token: "t2", State: store.DomainPending}); err != nil {
			return err
		}
		return tx.VerifyDomain("x.example", "a1", "http", t0, 1)
	})
	mustUpdate(t, s, func(tx store.Tx) error {
		for name, err := range map[string]error{
			"CreateAccount":          tx.CreateAccount(account("a1", store.KindCreator)),
			"CreateToken":            tx.CreateToken(store.Token{ID: "t1", AccountID: "a1", Hash: []byte("h"), Scope: store.ScopeRead}),
			"CreateToken again":      tx.CreateToken(store.Token{ID: "t2", AccountID: "a1", Hash: []byte("h"), Scope: store.ScopeRead}),
			"CreateWork":             tx.CreateWork(work("w1", "a1", 1)),
			"CreateWork again":       tx.CreateWork(work("w1", "a1", 1)),
			"CreateDelegation":       tx.CreateDelegation(store.Delegation{MemberID: "a1", OrganisationID: "o1"}),
			"CreateDelegation again": tx.CreateDelegation(store.Delegation{MemberID: "a1", OrganisationID: "o1"}),
			"VerifyDomain":           tx.VerifyDomain("x.example", "a2", "dns", t0, 2),
		} {
			if strings.HasSuffix(name, "again") || name == "VerifyDomain" || name == "CreateAccount" {
				wantErr(t, name+" conflicting", err, store.ErrConflict)
			}
		}
		// The transaction goes on after the conflicts.
		if err := tx.CreateAccount(account("a3", store.KindCreator)); err != nil {
			return fmt.Errorf("write after conflicts: %w", err)
		}
		_, err := appendEntry(tx, []byte(`{"after":"conflicts"}`))
		return err
	})
	mustView(t, s, func(tx store.ReadTx) error {
		if _, err := tx.Account("a3"); err != nil {
			t.Errorf("account written after conflicts: %v", err)
		}
		if _, err := tx.Work("w1"); err != nil {
			t.Errorf("work written before its duplicate: %v", err)
		}
		return nil
	})
}

var errBoom = errors.New("boom")

func testRollback(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1")
	err := update(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(account("a2", store.KindCreator)); err != nil {
			return err
		}
		if err := tx.CreateWork(work("w1", "a1", 1)); err != nil {
			return err
		}
		if _, err := appendEntry(tx, []byte(`{"work":"w1"}`)); err != nil {
			return err
		}
		if err := tx.PutCheckpoint(1, []byte("cp")); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update returning errBoom: got %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Update with a panicking fn did not panic")
			}
		}()
		s.Update(t.Context(), func(tx store.Tx) error {
			if _, err := appendEntry(tx, []byte(`{"panic":true}`)); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	mustView(t, s, func(tx store.ReadTx) error {
		_, err := tx.Account("a2")
		wantErr(t, "Account after rollback", err, store.ErrNotFound)
		_, err = tx.Work("w1")
		wantErr(t, "Work after rollback", err, store.ErrNotFound)
		n, err := tx.LogSize()
		if err != nil || n != 0 {
			t.Errorf("LogSize after rollback: got %d, %v, want 0", n, err)
		}
		_, _, err = tx.Checkpoint()
		wantErr(t, "Checkpoint after rollback", err, store.ErrNotFound)
		return nil
	})
	// The store still works after a rollback and a panic.
	mustUpdate(t, s, func(tx store.Tx) error {
		_, err := appendEntry(tx, []byte(`{"after":true}`))
		return err
	})
}

// testConcurrentAppend appends from many goroutines spread over stores and
// checks the log is gapless, holds every entry once and its stored hashes
// give the tree an independent computation gives.
func testConcurrentAppend(t *testing.T, stores []store.Store) {
	const writers, perWriter = 8, 12
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%len(stores)]
			for i := range perWriter {
				err := s.Update(ctx, func(tx store.Tx) error {
					// Some transactions append two entries, some a row too.
					if _, err := appendEntry(tx, fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i)); err != nil {
						return err
					}
					if i%3 == 0 {
						_, err := appendEntry(tx, fmt.Appendf(nil, `{"w":%d,"i":%d,"second":true}`, w, i))
						return err
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d append %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	// Readers run alongside: every snapshot must be internally consistent.
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := stores[len(stores)-1].View(ctx, func(tx store.ReadTx) error {
				n, err := tx.LogSize()
				if err != nil || n == 0 {
					return err
				}
				entries, err := tx.LogEntries(0, n)
				if err != nil {
					return err
				}
				root, err := tlog.TreeHash(n, tx)
				if err != nil {
					return err
				}
				if root != treeHash(entries) {
					return fmt.Errorf("snapshot of size %d: stored tree hash does not match its entries", n)
				}
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := writers * (perWriter + (perWriter+2)/3)
	mustView(t, stores[0], func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		if n != int64(want) {
			t.Errorf("LogSize after concurrent appends: got %d, want %d", n, want)
		}
		entries, err := tx.LogEntries(0, n)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, e := range entries {
			if seen[string(e)] {
				t.Errorf("entry %d %s appears twice", i, e)
			}
			seen[string(e)] = true
		}
		root, err := tlog.TreeHash(n, tx)
		if err != nil {
			return err
		}
		if root != treeHash(entries) {
			t.Errorf("tree hash of size %d from stored hashes does not match its entries", n)
		}
		// Every entry's inclusion proof from stored hashes verifies.
		for i := int64(0); i < n; i += 7 {
			p, err := tlog.ProveRecord(n, i, tx)
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(p, n, root, i, tlog.RecordHash(entries[i])); err != nil {
				t.Errorf("inclusion of entry %d in tree %d: %v", i, n, err)
			}
		}
		return nil
	})
}
