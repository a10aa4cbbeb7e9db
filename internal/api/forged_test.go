package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/askfirst/askfirst/wire"
)

// TestForgedSignature: POST /v1/declarations with "signature":"AAAA" and
// another account's key but no signed statement is refused, and nothing
// shows as signed.
func TestForgedSignature(t *testing.T) {
	_, hs, _ := newServer(t, 1000)
	var alice, mallory wire.AccountCreated
	call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Alice"}, &alice)
	call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Mallory"}, &mallory)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	var key wire.KeyAdded
	if code := call(t, hs, "POST", "/v1/keys", alice.Token, wire.AddKeyRequest{PublicKey: pub}, &key); code != 201 {
		t.Fatalf("add key: %d", code)
	}
	subject := map[string]string{"kind": "account", "value": mallory.Account.ID}
	terms := []map[string]string{{"use": "train-ai", "decision": "deny"}}
	var p struct{ Status int }
	for _, body := range []map[string]any{
		{"subject": subject, "terms": terms, "signature": "AAAA", "key": key.ID},
		{"subject": subject, "terms": terms, "key": key.ID},
		{"subject": subject, "terms": terms, "signature": "AAAA"},
	} {
		if code := call(t, hs, "POST", "/v1/declarations", mallory.Token, body, &p); code != 400 {
			t.Errorf("declaration with %v and no signed statement: %d, want 400", body, code)
		}
	}
	var d wire.DeclarationList
	call(t, hs, "GET", "/v1/accounts/me/declarations", mallory.Token, nil, &d)
	if len(d.Declarations) != 0 {
		t.Errorf("refused declarations were recorded: %+v", d.Declarations)
	}
}
