package ledger_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/ledger"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedKey returns a note signer key from a fixed seed, so signatures (Ed25519
// is deterministic) and hence checkpoints and receipts are reproducible.
func fixedKey(t *testing.T) string {
	seed := bytes.Repeat([]byte{42}, ed25519.SeedSize)
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(vkey, "+", 3)
	return "PRIVATE+KEY+" + origin + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))
}

// TestReceiptGolden pins the DESIGN §5 wire format of receipts and
// checkpoints: field names, entry canonicalisation, proof encoding, the
// C2SP checkpoint note and its signature line.
func TestReceiptGolden(t *testing.T) {
	f := newFixtureWithKey(t, fixedKey(t))
	f.write(t, map[string]any{"type": "account", "id": "acc_1", "kind": "creator"})
	rs := f.write(t,
		map[string]any{"type": "work", "id": "wrk_1", "iscc": "ISCC:KACYPXW445FTYNJ3", "title": "Été <1>"},
		map[string]any{"type": "declaration", "id": "dcl_1", "subject": map[string]any{"kind": "work", "value": "wrk_1"}, "terms": []any{
			map[string]any{"use": "train-genai", "decision": "deny"},
			map[string]any{"use": "ai-input", "decision": "license", "offer": map[string]any{"price": "0.02", "currency": "EUR"}},
		}})
	var got []byte
	for _, r := range rs {
		b, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		// The entry's bytes are exactly the logged ones.
		if want, _ := ledger.Canonical(r.Entry); !bytes.Contains(b, append([]byte(`{"entry":`), want...)) {
			t.Errorf("Marshal: entry not verbatim in %s", b)
		}
		got = append(append(got, b...), '\n')
		back, err := ledger.ParseReceipt(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.VerifyReceipt(back, origin, f.l.Verifier()); err != nil {
			t.Errorf("receipt %d after Marshal and ParseReceipt: %v", r.Index, err)
		}
	}
	golden := filepath.Join("testdata", "receipts.jsonl.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("receipts differ from %s (run with -update if the change is intended):\n%s", golden, got)
	}
}
