package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRevokeTrust withdraws a delegation and a signing key with the
// commands 'askfirst help account' and 'askfirst help key' name, and checks
// that the organisation can no longer declare for the member.
func TestRevokeTrust(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	type created struct {
		Account struct{ ID string }
	}
	jane := jsonLines[created](t, mustRun(t, dir, 0, "account", "create", "--name", "Jane", "--save", "jane.token", "--json"))[0]
	guild := jsonLines[created](t, mustRun(t, dir, 0, "account", "create", "--name", "Guild", "--kind", "organisation", "--save", "guild.token", "--json"))[0]
	mustRun(t, dir, 0, "account", "delegate", "--token-file", "jane.token", "--to", guild.Account.ID)
	mustRun(t, dir, 0, "declare", "--token-file", "guild.token", "--subject", "account", "--on-behalf-of", jane.Account.ID, "--allow", "train-ai")

	out := mustRun(t, dir, 0, "account", "revoke-delegation", "--token-file", "jane.token", "--to", guild.Account.ID)
	if !strings.Contains(out, guild.Account.ID+" may no longer register or declare for your account") {
		t.Errorf("revoke-delegation printed %q", out)
	}
	_, errOut, code := runIn(t, dir, "declare", "--token-file", "guild.token", "--subject", "account", "--on-behalf-of", jane.Account.ID, "--allow", "train-ai")
	if code != 1 || !strings.Contains(errOut, "has not delegated") {
		t.Errorf("declare for the member after revocation: exit %d, stderr %q; want 1 and a refusal", code, errOut)
	}
	_, errOut, code = runIn(t, dir, "account", "revoke-delegation", "--token-file", "jane.token", "--to", guild.Account.ID)
	if code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("revoke-delegation twice: exit %d, stderr %q", code, errOut)
	}

	type keyOut struct {
		ID       string `json:"id"`
		LogIndex int64  `json:"log_index"`
		Receipt  string `json:"receipt"`
	}
	k := jsonLines[keyOut](t, mustRun(t, dir, 0, "key", "add", "--token-file", "jane.token", "--generate", "--json", "jane.pem"))[0]
	rv := jsonLines[keyOut](t, mustRun(t, dir, 0, "key", "revoke", "--token-file", "jane.token", "--json", k.ID))[0]
	if rv.ID != k.ID || rv.LogIndex <= k.LogIndex {
		t.Errorf("key revoke --json: got %+v after key add %+v", rv, k)
	}
	if _, err := os.Stat(filepath.Join(dir, rv.Receipt)); err != nil {
		t.Errorf("the revocation's receipt was not saved: %v", err)
	}
	_, errOut, code = runIn(t, dir, "declare", "--token-file", "jane.token", "--subject", "account", "--deny", "train-ai", "--sign-key", "jane.pem", "--key-id", k.ID)
	if code != 1 || !strings.Contains(errOut, "was revoked") {
		t.Errorf("declare signed with a revoked key: exit %d, stderr %q", code, errOut)
	}
	// Every receipt saved verifies against the log.
	saved, _ := filepath.Glob(filepath.Join(dir, "askfirst-receipts", "*.json"))
	if len(saved) < 6 {
		t.Fatalf("%d receipts saved, want at least 6", len(saved))
	}
	mustRun(t, dir, 0, append([]string{"verify", "--allow-private", "--state", filepath.Join(dir, "state"), "--registry", reg.URL}, saved...)...)
}
