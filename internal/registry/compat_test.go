package registry_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// TestLegacyEntries writes a work and a declaration the way the registry
// logged them before the wire types existed — units as an array of
// {"Kind","Bits","Code"}, the subject as {"Domain","Kind","Value"} — and
// checks that they still decode: the self-check finds every row equal to
// its entry. Entries written now use the wire's snake_case shapes.
func TestLegacyEntries(t *testing.T) {
	r := newRegistry(t)
	ctx := t.Context()
	alice := account(t, r, "Alice", "creator")
	content, err := iscc.GenTextCode("An old work registered before the wire types.", 64)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	datahash := "1e20" + strings.Repeat("cd", 32)
	workEntry := fmt.Sprintf(`{"type":"work","id":"wrk_old","account":%q,"units":[{"Kind":"content","Bits":64,"Code":%q}],"datahash":%q,"title":"Old","created":"2026-01-02T03:04:05Z"}`,
		alice.Account.ID, content.ISCC, datahash)
	declEntry := fmt.Sprintf(`{"type":"declaration","id":"dcl_old","account":%q,"subject":{"Domain":"","Kind":"work","Value":"wrk_old"},"terms":[{"use":"train-ai","decision":"deny"}],"created":"2026-01-02T03:04:05Z"}`,
		alice.Account.ID)
	err = r.Store().Update(ctx, func(tx store.Tx) error {
		we, err := r.Ledger().Append(tx, json.RawMessage(workEntry))
		if err != nil {
			return err
		}
		if err := tx.CreateWork(store.Work{ID: "wrk_old", AccountID: alice.Account.ID, RegisteredBy: alice.Account.ID, Datahash: datahash, Title: "Old",
			Units: []store.Unit{{Kind: "content", Bits: 64, Code: content.ISCC}}, CreatedAt: created, LogIndex: we.Index}); err != nil {
			return err
		}
		de, err := r.Ledger().Append(tx, json.RawMessage(declEntry))
		if err != nil {
			return err
		}
		if err := tx.AddDeclaration(store.Declaration{ID: "dcl_old", AccountID: alice.Account.ID, Subject: store.Subject{Kind: store.SubjectWork, Value: "wrk_old"},
			Terms: deny("train-ai"), Statement: de.Data, CreatedAt: created, LogIndex: de.Index}); err != nil {
			return err
		}
		_, err = r.Ledger().Seal(tx, we, de)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.SelfCheck(ctx); err != nil {
		t.Fatalf("self-check with entries in the old shapes: %v", err)
	}
	// The old work is looked up, shown in the wire's shapes.
	res, err := r.Match(ctx, []registry.MatchItem{{Datahash: datahash}})
	if err != nil || len(res[0].Declarations) != 1 || res[0].Declarations[0].Subject != (wire.Subject{Kind: "work", Value: "wrk_old"}) {
		t.Fatalf("match of the old work: %+v, %v", res, err)
	}
	w, err := r.Work(ctx, "wrk_old")
	if err != nil || registry.WorkOut(w).Units != (wire.Units{Content: content.ISCC}) {
		t.Fatalf("old work as the API shows it: %+v, %v", registry.WorkOut(w), err)
	}

	// New entries: snake_case, units an object, no empty domain.
	rs, err := r.RegisterWorks(ctx, alice, "", []wire.WorkInput{{Units: wire.Units{Content: content.ISCC}, Datahash: "1e20" + strings.Repeat("ef", 32)}}, deny("search"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"units":{"content":"` + content.ISCC + `"}`} {
		if !strings.Contains(string(rs[0].Receipt.Entry), want) {
			t.Errorf("work entry %s lacks %s", rs[0].Receipt.Entry, want)
		}
	}
	if want := `"subject":{"kind":"work","value":"` + rs[0].Work.ID + `"}`; !strings.Contains(string(rs[0].DeclarationReceipt.Entry), want) {
		t.Errorf("declaration entry %s lacks %s", rs[0].DeclarationReceipt.Entry, want)
	}
	if _, err := r.SelfCheck(ctx); err != nil {
		t.Fatalf("self-check with old and new entries: %v", err)
	}
}

// TestLegacySignedStatement: a client that signed the statement with the
// subject in the old shape ({"Domain","Kind","Value"}) is still accepted,
// and so is one signed in the wire's shape; anything else is refused.
func TestLegacySignedStatement(t *testing.T) {
	r, alice, priv, k := signer(t)
	ctx := t.Context()
	subj := wire.Subject{Kind: wire.SubjectAccount, Value: alice.Account.ID}
	legacy := fmt.Sprintf(`{"account":%q,"subject":{"Domain":"","Kind":"account","Value":%q},"terms":[{"decision":"deny","use":"train-ai"}],"type":"declaration"}`, alice.Account.ID, alice.Account.ID)
	current, _ := jcs.Marshal(wire.DeclarationStatement{Type: "declaration", Account: alice.Account.ID, Subject: subj, Terms: deny("train-ai")})
	wrong := strings.Replace(legacy, "train-ai", "search", 1)
	for _, tc := range []struct {
		name, signed string
		ok           bool
	}{
		{"legacy", legacy, true},
		{"current", string(current), true},
		{"other terms", wrong, false},
	} {
		_, rc, err := r.Declare(ctx, alice, registry.DeclareInput{Subject: subj, Terms: deny("train-ai"), Signed: json.RawMessage(tc.signed),
			Signature: ed25519.Sign(priv, []byte(tc.signed)), Key: k.ID})
		if (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tc.name, err)
		}
		if err == nil {
			if _, err := ledger.VerifyReceipt(ledger.Receipt(rc), r.Ledger().Origin(), r.Ledger().Verifier()); err != nil {
				t.Errorf("%s: receipt: %v", tc.name, err)
			}
		}
	}
}
