package registry

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// SelfCheck verifies the log (ledger.SelfCheck: every stored hash and the
// checkpoint against the entries) and every row a log entry describes
// against that entry: a row edited in the database behind the log's back
// (a declaration's terms, a work's codes or owner, an account's kind) is
// reported with an error wrapping ledger.ErrTampered.
func (r *Registry) SelfCheck(ctx context.Context) (int64, error) {
	return r.led.SelfCheck(ctx, r.st, func(tx store.ReadTx, index int64, entry []byte) error {
		var head struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal(entry, &head); err != nil {
			return fmt.Errorf("entry is not JSON: %v: %w", err, ledger.ErrTampered)
		}
		mismatch := func(what string) error {
			return fmt.Errorf("%s %s does not match its log entry: %w", head.Type, head.ID, ledger.ErrTampered)
		}
		switch head.Type {
		case "declaration":
			d, err := tx.Declaration(head.ID)
			if err != nil {
				return fmt.Errorf("declaration %s of the log: %w (%w)", head.ID, err, ledger.ErrTampered)
			}
			if d.LogIndex != index || !bytes.Equal(d.Statement, entry) {
				return mismatch("statement")
			}
			var e declarationEntry
			if err := json.Unmarshal(entry, &e); err != nil {
				return mismatch("entry")
			}
			if d.AccountID != e.Account || d.Subject != e.Subject || !slices.EqualFunc(d.Terms, e.Terms, termEqual) {
				return mismatch("row")
			}
		case "work":
			w, err := tx.Work(head.ID)
			if err != nil {
				return fmt.Errorf("work %s of the log: %w (%w)", head.ID, err, ledger.ErrTampered)
			}
			var e struct {
				workStatement
				Units json.RawMessage `json:"units"` // either shape (entryUnits)
			}
			if err := json.Unmarshal(entry, &e); err != nil {
				return mismatch("entry")
			}
			units, err := entryUnits(e.Units)
			if err != nil {
				return mismatch("entry")
			}
			pdqHex := ""
			if w.PDQ != nil {
				pdqHex = hex.EncodeToString(w.PDQ)
			}
			if w.LogIndex != index || w.AccountID != e.Account || w.ISCC != e.ISCC || w.Datahash != e.Datahash || pdqHex != e.PDQ ||
				!sameUnits(w.Units, units) || w.Title != e.Title {
				return mismatch("row")
			}
		case "account":
			a, err := tx.Account(head.ID)
			if err != nil {
				return fmt.Errorf("account %s of the log: %w (%w)", head.ID, err, ledger.ErrTampered)
			}
			var e accountStatement
			if err := json.Unmarshal(entry, &e); err != nil || a.Kind != e.Kind || a.Name != e.Name || a.LogIndex != index {
				return mismatch("row")
			}
		}
		return nil
	})
}

func termEqual(a, b store.Term) bool {
	if a.Use != b.Use || a.Decision != b.Decision || (a.Offer == nil) != (b.Offer == nil) {
		return false
	}
	return a.Offer == nil || *a.Offer == *b.Offer
}

// sameUnits reports whether two lists hold the same units, in any order.
func sameUnits(a, b []store.Unit) bool {
	cmp := func(x, y store.Unit) int { return strings.Compare(x.Kind+x.Code, y.Kind+y.Code) }
	a, b = slices.SortedFunc(slices.Values(a), cmp), slices.SortedFunc(slices.Values(b), cmp)
	return slices.Equal(a, b)
}
