package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/askfirst/askfirst/internal/ledger"
)

func TestRevocation(t *testing.T) {
	_, hs, led := newServer(t, 1000)
	type created struct {
		Account struct{ ID string }
		Token   string
	}
	var jane, guild, bo created
	for _, a := range []struct {
		name, kind string
		out        *created
	}{{"Jane", "creator", &jane}, {"Guild", "organisation", &guild}, {"Bo", "creator", &bo}} {
		if code := call(t, hs, "POST", "/v1/accounts", "", map[string]string{"name": a.name, "kind": a.kind}, a.out); code != 201 {
			t.Fatalf("create %s: %d", a.name, code)
		}
	}
	if code := call(t, hs, "POST", "/v1/delegations", jane.Token, map[string]string{"organisation": guild.Account.ID}, nil); code != 201 {
		t.Fatalf("delegate: %d", code)
	}
	declare := map[string]any{"subject": map[string]string{"kind": "account", "value": jane.Account.ID}, "on_behalf_of": jane.Account.ID,
		"terms": []map[string]string{{"use": "train-ai", "decision": "allow"}}}
	if code := call(t, hs, "POST", "/v1/declarations", guild.Token, declare, nil); code != 201 {
		t.Fatalf("declaration for a member who delegated: %d", code)
	}
	var out struct {
		Organisation string
		ID           string
		Receipt      ledger.Receipt
	}
	path := "/v1/delegations/" + guild.Account.ID
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"DELETE", path, "", 401},
		{"DELETE", "/v1/delegations/" + jane.Account.ID, guild.Token, 404}, // the organisation cannot revoke for the member
		{"DELETE", path, jane.Token, 200},
		{"DELETE", path, jane.Token, 404},
	} {
		if code := call(t, hs, tc.method, tc.path, tc.token, nil, &out); code != tc.want {
			t.Errorf("%s %s: got %d, want %d", tc.method, tc.path, code, tc.want)
		}
		if tc.want == 200 {
			if _, err := ledger.VerifyReceipt(out.Receipt, led.Origin(), led.Verifier()); err != nil {
				t.Errorf("revocation receipt: %v", err)
			}
		}
	}
	if code := call(t, hs, "POST", "/v1/declarations", guild.Token, declare, nil); code != 403 {
		t.Errorf("declaration for the member after revocation: got %d, want 403", code)
	}

	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	var key struct{ ID string }
	if code := call(t, hs, "POST", "/v1/keys", jane.Token, map[string]string{"public_key": base64.StdEncoding.EncodeToString(pub)}, &key); code != 201 {
		t.Fatalf("add key: %d", code)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{bo.Token, 404}, {jane.Token, 200}, {jane.Token, 409}} {
		if code := call(t, hs, "DELETE", "/v1/keys/"+key.ID, tc.token, nil, &out); code != tc.want {
			t.Errorf("DELETE /v1/keys/%s: got %d, want %d", key.ID, code, tc.want)
		}
	}
}
