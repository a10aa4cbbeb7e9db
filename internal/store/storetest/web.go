package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/askfirst/askfirst/internal/store"
)

// Cases for the web app's tables (store.WebReader, store.WebWriter).

func testCredentials(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2")
	c := store.Credential{AccountID: "a1", Login: "ada lovelace", Password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		Email: "ada@example.org", CreatedAt: t0, UpdatedAt: t0}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreateCredential(c) })
	wantErr(t, "CreateCredential same login", update(t, s, func(tx store.Tx) error {
		return tx.CreateCredential(store.Credential{AccountID: "a2", Login: "ada lovelace", Password: "x"})
	}), store.ErrConflict)
	wantErr(t, "CreateCredential same account", update(t, s, func(tx store.Tx) error {
		return tx.CreateCredential(store.Credential{AccountID: "a1", Login: "other", Password: "x"})
	}), store.ErrConflict)
	wantErr(t, "CreateCredential unknown account", update(t, s, func(tx store.Tx) error {
		return tx.CreateCredential(store.Credential{AccountID: "ghost", Login: "ghost", Password: "x"})
	}), store.ErrNotFound)
	wantErr(t, "CreateCredential without password", update(t, s, func(tx store.Tx) error {
		return tx.CreateCredential(store.Credential{AccountID: "a2", Login: "bo"})
	}), store.ErrInvalid)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.CredentialByLogin("ada lovelace")
		if err != nil {
			return err
		}
		check(t, "CredentialByLogin", got, c)
		got, err = tx.Credential("a1")
		if err != nil {
			return err
		}
		check(t, "Credential(a1)", got, c)
		_, err = tx.CredentialByLogin("Ada Lovelace")
		wantErr(t, "CredentialByLogin is exact", err, store.ErrNotFound)
		_, err = tx.Credential("a2")
		wantErr(t, "Credential(a2)", err, store.ErrNotFound)
		return nil
	})
}

func testSessions(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1")
	s1 := store.Session{Hash: bytes.Repeat([]byte{1}, 32), AccountID: "a1", CSRF: []byte("csrf-1"), CreatedAt: t0, SeenAt: t0}
	s2 := store.Session{Hash: bytes.Repeat([]byte{2}, 32), AccountID: "a1", CSRF: []byte("csrf-2"), CreatedAt: t0.Add(time.Hour), SeenAt: t0.Add(time.Hour)}
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreateSession(s1); err != nil {
			return err
		}
		return tx.CreateSession(s2)
	})
	wantErr(t, "CreateSession duplicate", update(t, s, func(tx store.Tx) error { return tx.CreateSession(s1) }), store.ErrConflict)
	wantErr(t, "CreateSession unknown account", update(t, s, func(tx store.Tx) error {
		return tx.CreateSession(store.Session{Hash: []byte{9}, AccountID: "ghost", CSRF: []byte{1}, CreatedAt: t0, SeenAt: t0})
	}), store.ErrNotFound)
	wantErr(t, "CreateSession without CSRF token", update(t, s, func(tx store.Tx) error {
		return tx.CreateSession(store.Session{Hash: []byte{9}, AccountID: "a1", CreatedAt: t0, SeenAt: t0})
	}), store.ErrInvalid)
	seen := t0.Add(30 * time.Minute)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.TouchSession(s1.Hash, seen) })
	wantErr(t, "TouchSession unknown", update(t, s, func(tx store.Tx) error { return tx.TouchSession([]byte{7}, seen) }), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.SessionByHash(s1.Hash)
		if err != nil {
			return err
		}
		want := s1
		want.SeenAt = seen
		check(t, "SessionByHash(s1)", got, want)
		_, err = tx.SessionByHash([]byte{7})
		wantErr(t, "SessionByHash(unknown)", err, store.ErrNotFound)
		return nil
	})
	// s1 was created before t0+1h: it goes; s2 stays.
	mustUpdate(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteSessionsBefore(t0.Add(time.Hour), t0)
		if err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("DeleteSessionsBefore: removed %d, want 1", n)
		}
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error {
		if _, err := tx.SessionByHash(s1.Hash); err == nil {
			t.Errorf("session s1 survived DeleteSessionsBefore")
		}
		if err := tx.DeleteSession(s2.Hash); err != nil {
			return err
		}
		return tx.DeleteSession(s2.Hash) // deleting a missing session is not an error
	})
	mustView(t, s, func(tx store.ReadTx) error {
		_, err := tx.SessionByHash(s2.Hash)
		wantErr(t, "SessionByHash after DeleteSession", err, store.ErrNotFound)
		return nil
	})
}

func testSignInFailures(t *testing.T, s store.Store) {
	f := store.SignInFailures{Key: "login:ada", Count: 3, LastAt: t0, LockedUntil: t0.Add(time.Minute)}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutSignInFailures(f) })
	f.Count, f.LockedUntil = 4, time.Time{}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutSignInFailures(f) })
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.SignInFailures("login:ada")
		if err != nil {
			return err
		}
		check(t, "SignInFailures after replace", got, f)
		_, err = tx.SignInFailures("addr:192.0.2.1")
		wantErr(t, "SignInFailures(none)", err, store.ErrNotFound)
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.DeleteSignInFailures("login:ada") })
	mustView(t, s, func(tx store.ReadTx) error {
		_, err := tx.SignInFailures("login:ada")
		wantErr(t, "SignInFailures after delete", err, store.ErrNotFound)
		return nil
	})
}

func testSecrets(t *testing.T, s store.Store) {
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutSecret("csrf", []byte("first")) })
	wantErr(t, "PutSecret again", update(t, s, func(tx store.Tx) error { return tx.PutSecret("csrf", []byte("second")) }), store.ErrConflict)
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.Secret("csrf")
		if err != nil {
			return err
		}
		check(t, "Secret(csrf)", got, []byte("first"))
		_, err = tx.Secret("nope")
		wantErr(t, "Secret(nope)", err, store.ErrNotFound)
		return nil
	})
}

func testCampaignModeration(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "o1", "o2")
	c1 := store.Campaign{ID: "c1", AccountID: "o1", Title: "First", Statement: "One.", CreatedAt: t0, LogIndex: 1}
	c2 := store.Campaign{ID: "c2", AccountID: "o2", Title: "Second", Statement: "Two.", CreatedAt: t0.Add(time.Hour), LogIndex: 2}
	s1 := store.Signature{ID: "s1", CampaignID: "c1", AccountID: "a1", Name: "Ada", Listed: true, CreatedAt: t0, LogIndex: 3}
	s2 := store.Signature{ID: "s2", CampaignID: "c1", AccountID: "a2", Name: "Bo", Listed: true, CreatedAt: t0, LogIndex: 4}
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, c := range []store.Campaign{c1, c2} {
			if err := tx.CreateCampaign(c); err != nil {
				return err
			}
		}
		for _, g := range []store.Signature{s1, s2} {
			if err := tx.AddSignature(g); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx store.ReadTx) error {
		all, err := tx.CampaignsByAccount("", 0)
		if err != nil {
			return err
		}
		check(t, "CampaignsByAccount(all), newest first", all, []store.Campaign{c2, c1})
		mine, err := tx.CampaignsByAccount("o1", 10)
		if err != nil {
			return err
		}
		check(t, "CampaignsByAccount(o1)", mine, []store.Campaign{c1})
		one, err := tx.CampaignsByAccount("", 1)
		if err != nil {
			return err
		}
		check(t, "CampaignsByAccount(limit 1)", one, []store.Campaign{c2})
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.UpdateCampaign("c2", "Second, edited", "Two, edited.") })
	wantErr(t, "UpdateCampaign unknown", update(t, s, func(tx store.Tx) error { return tx.UpdateCampaign("ghost", "x", "y") }), store.ErrNotFound)
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.SetSignatureHidden("c1", "s2", true); err != nil {
			return err
		}
		return tx.SetSignatureHidden("c1", "s2", true) // hiding twice is not an error
	})
	wantErr(t, "SetSignatureHidden of another campaign", update(t, s, func(tx store.Tx) error { return tx.SetSignatureHidden("c2", "s1", true) }), store.ErrNotFound)
	mustView(t, s, func(tx store.ReadTx) error {
		c, err := tx.Campaign("c2")
		if err != nil {
			return err
		}
		want := c2
		want.Title, want.Statement = "Second, edited", "Two, edited."
		check(t, "Campaign(c2) after UpdateCampaign", c, want)
		listed, err := tx.Signatures("c1", true, "", 0)
		if err != nil {
			return err
		}
		check(t, "Signatures(listed) with s2 hidden", listed, []store.Signature{s1})
		hidden := s2
		hidden.Hidden = true
		all, err := tx.Signatures("c1", false, "", 0)
		if err != nil {
			return err
		}
		check(t, "Signatures(all) with s2 hidden", all, []store.Signature{s1, hidden})
		total, nlisted, err := tx.SignatureCount("c1")
		if err != nil {
			return err
		}
		if total != 2 || nlisted != 1 {
			t.Errorf("SignatureCount(c1) with s2 hidden: got %d, %d, want 2, 1", total, nlisted)
		}
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return tx.SetSignatureHidden("c1", "s2", false) })
	mustView(t, s, func(tx store.ReadTx) error {
		listed, err := tx.Signatures("c1", true, "", 0)
		if err != nil {
			return err
		}
		check(t, "Signatures(listed) with s2 shown again", listed, []store.Signature{s1, s2})
		return nil
	})
}

func testMemberDelegations(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "o1", "o2")
	d1 := store.Delegation{MemberID: "a1", OrganisationID: "o1", CreatedAt: t0, LogIndex: 5}
	d2 := store.Delegation{MemberID: "a1", OrganisationID: "o2", CreatedAt: t0.Add(time.Second), LogIndex: 6}
	d3 := store.Delegation{MemberID: "a2", OrganisationID: "o1", CreatedAt: t0, LogIndex: 7}
	revoked := t0.Add(time.Hour)
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, d := range []store.Delegation{d1, d2, d3} {
			if err := tx.CreateDelegation(d); err != nil {
				return err
			}
		}
		return tx.RevokeDelegation("a1", "o1", revoked)
	})
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.MemberDelegations("a1")
		if err != nil {
			return err
		}
		r1 := d1
		r1.RevokedAt = revoked
		check(t, "MemberDelegations(a1)", got, []store.Delegation{r1, d2})
		got, err = tx.MemberDelegations("o1")
		if err != nil {
			return err
		}
		check(t, "MemberDelegations(o1)", got, []store.Delegation(nil))
		return nil
	})
}

func testDeclarationsOnBehalfOf(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "o1")
	own := declaration("d1", "a1", store.Subject{Kind: store.SubjectAccount, Value: "a1"})
	forA1 := declaration("d2", "o1", store.Subject{Kind: store.SubjectAccount, Value: "a1"})
	forA1.OnBehalfOf = "a1"
	orgOwn := declaration("d3", "o1", store.Subject{Kind: store.SubjectAccount, Value: "o1"})
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, d := range []store.Declaration{own, forA1, orgOwn} {
			if err := tx.AddDeclaration(d); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.DeclarationsOnBehalfOf("a1", "", 0)
		if err != nil {
			return err
		}
		check(t, "DeclarationsOnBehalfOf(a1)", got, []store.Declaration{forA1})
		got, err = tx.DeclarationsOnBehalfOf("a1", "d2", 0)
		if err != nil {
			return err
		}
		check(t, "DeclarationsOnBehalfOf(a1) after d2", got, []store.Declaration(nil))
		got, err = tx.DeclarationsOnBehalfOf("", "", 0)
		if err != nil {
			return err
		}
		check(t, "DeclarationsOnBehalfOf(empty)", got, []store.Declaration(nil))
		return nil
	})
}

func testWorksRegisteredFor(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "o1")
	own := work("w1", "a1", 1)
	byOrg := work("w2", "a1", 2)
	byOrg.RegisteredBy = "o1"
	orgOwn := work("w3", "o1", 3)
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, w := range []store.Work{own, byOrg, orgOwn} {
			if err := tx.CreateWork(w); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.WorksRegisteredFor("a1", "", 0)
		if err != nil {
			return err
		}
		check(t, "WorksRegisteredFor(a1)", got, []store.Work{byOrg})
		got, err = tx.WorksRegisteredFor("o1", "", 0)
		if err != nil {
			return err
		}
		check(t, "WorksRegisteredFor(o1)", got, []store.Work(nil))
		return nil
	})
}

func testSignaturesByAccount(t *testing.T, s store.Store) {
	seedAccounts(t, s, "a1", "a2", "o1")
	c1 := store.Campaign{ID: "c1", AccountID: "o1", Title: "One", Statement: "1", CreatedAt: t0, LogIndex: 1}
	c2 := store.Campaign{ID: "c2", AccountID: "o1", Title: "Two", Statement: "2", CreatedAt: t0, LogIndex: 2}
	s1 := store.Signature{ID: "s1", CampaignID: "c1", AccountID: "a1", Name: "Ada", Listed: true, CreatedAt: t0, LogIndex: 3}
	s2 := store.Signature{ID: "s2", CampaignID: "c2", AccountID: "a1", Name: "Ada", CreatedAt: t0.Add(time.Second), LogIndex: 4}
	s3 := store.Signature{ID: "s3", CampaignID: "c1", AccountID: "a2", Name: "Bo", CreatedAt: t0, LogIndex: 5}
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, c := range []store.Campaign{c1, c2} {
			if err := tx.CreateCampaign(c); err != nil {
				return err
			}
		}
		for _, g := range []store.Signature{s1, s2, s3} {
			if err := tx.AddSignature(g); err != nil {
				return err
			}
		}
		return tx.SetSignatureHidden("c1", "s1", true)
	})
	mustView(t, s, func(tx store.ReadTx) error {
		got, err := tx.SignaturesByAccount("a1")
		if err != nil {
			return err
		}
		h1 := s1
		h1.Hidden = true
		check(t, "SignaturesByAccount(a1)", got, []store.Signature{h1, s2})
		return nil
	})
}
