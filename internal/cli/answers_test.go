package cli_test

import (
	"encoding/json"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/wire"
)

// evidenceLine is a line of check --json with the fields of registry
// evidence this file asserts.
type evidenceLine struct {
	Verdicts map[string]struct {
		Verdict string `json:"verdict"`
		Offer   *struct {
			Price  string `json:"price"`
			Holder string `json:"holder"`
		} `json:"offer"`
	} `json:"verdicts"`
	Evidence []struct {
		Mechanism string            `json:"mechanism"`
		Value     string            `json:"value"`
		Uses      map[string]string `json:"uses"`
		Overruled map[string]string `json:"overruled"`
		Warnings  []string          `json:"warnings"`
	} `json:"evidence"`
}

// TestPrecedenceEndToEnd: a creator reserves all her works for training
// and licenses one of them; check, lookup and the audit's bill follow the
// work's licence for that one and the reservation for the others, and the
// evidence says which declaration lost and why.
func TestPrecedenceEndToEnd(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	photos := filepath.Join(dir, "photos")
	os.MkdirAll(photos, 0o755)
	os.WriteFile(filepath.Join(photos, "licensed.jpg"), encodeJPEG(t, photo(31, 320, 240), 90), 0o644)
	os.WriteFile(filepath.Join(photos, "reserved.jpg"), encodeJPEG(t, photo(32, 320, 240), 90), 0o644)
	mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe", "--save", "jane.token")
	mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--license", "train-ai", "--price", "0.05", "--currency", "EUR", "photos/licensed.jpg")
	mustRun(t, dir, 0, "register", "--token-file", "jane.token", "photos/reserved.jpg")
	mustRun(t, dir, 0, "declare", "--token-file", "jane.token", "--subject", "account", "--deny", "train-ai")

	out, errOut, code := runIn(t, dir, "check", "--json", "--registry", reg.URL, "--use", "train-genai,train-ai", "photos/licensed.jpg", "photos/reserved.jpg")
	if code != 3 {
		t.Fatalf("check: exit %d, want 3\n%s%s", code, out, errOut)
	}
	lines := jsonLines[evidenceLine](t, out)
	for _, u := range []string{"train-genai", "train-ai"} {
		if v := lines[0].Verdicts[u]; v.Verdict != "license" || v.Offer == nil || v.Offer.Price != "0.05" || v.Offer.Holder != "Jane Doe" {
			t.Errorf("licensed work, %s: got %+v, want license at 0.05 from Jane Doe", u, v)
		}
		if v := lines[1].Verdicts[u]; v.Verdict != "deny" {
			t.Errorf("reserved work, %s: got %s, want deny", u, v.Verdict)
		}
	}
	lost := false
	for _, e := range lines[0].Evidence {
		if e.Mechanism == "registry" && strings.Contains(e.Overruled["train-ai"], "a more specific subject than account:") {
			lost = true
		}
	}
	if !lost {
		t.Errorf("licensed work: no evidence says the account-wide deny lost: %+v", lines[0].Evidence)
	}

	out = mustRun(t, dir, 3, "lookup", "photos/licensed.jpg")
	for _, want := range []string{"    train-ai: license 0.05 EUR per item\n", "    train-ai: deny -- outranked: decided by dcl_"} {
		if !strings.Contains(out, want) {
			t.Errorf("lookup lacks %q:\n%s", want, out)
		}
	}

	audit := filepath.Join(dir, "audit")
	mustRun(t, dir, 3, "audit", "--registry", reg.URL, "--out", audit, photos)
	bill, err := os.ReadFile(filepath.Join(audit, "bill.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bill), "\nJane Doe,,1,train-ai train-genai,0.05,EUR,item,0.05,") {
		t.Errorf("bill.csv: want one item billed to Jane Doe:\n%s", bill)
	}
}

// TestForgedLocatorEndToEnd: an account registering its own file with a
// locator on a site it has not verified, and allow or licence terms, can
// neither make check answer allow for that URL nor put itself on the bill.
func TestForgedLocatorEndToEnd(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	img := encodeJPEG(t, photo(33, 320, 240), 90)
	site := serve(t, site{"/robots.txt": status(404), "/photo.jpg": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	}})
	target := site.URL + "/photo.jpg"
	os.WriteFile(filepath.Join(dir, "mine.jpg"), encodeJPEG(t, photo(34, 320, 240), 90), 0o644)
	os.WriteFile(filepath.Join(dir, "mine2.jpg"), encodeJPEG(t, photo(35, 320, 240), 90), 0o644)
	mustRun(t, dir, 0, "account", "create", "--name", "Mallory", "--save", "m.token")
	mustRun(t, dir, 0, "register", "--token-file", "m.token", "--locator", target, "--allow", "train-genai,train-ai,search", "mine.jpg")

	lines, errOut, code := checkJSON(t, "--allow-private", "--registry", reg.URL, "--use", "train-ai,search", target)
	if code != 0 || len(lines) != 1 {
		t.Fatalf("check: exit %d\n%s", code, errOut)
	}
	if got, want := verdicts(lines[0]), "train-ai=unknown/include search=unknown/include"; got != want {
		t.Errorf("check of a URL someone else's locator names with allow: got %s, want %s", got, want)
	}

	mustRun(t, dir, 0, "register", "--token-file", "m.token", "--locator", target, "--license", "train-ai", "--price", "9.00", "--currency", "EUR", "mine2.jpg")
	csvPath := filepath.Join(dir, "urls.csv")
	os.WriteFile(csvPath, []byte("url\n"+target+"\n"), 0o644)
	audit := filepath.Join(dir, "audit")
	runIn(t, dir, "audit", "--allow-private", "--registry", reg.URL, "--fetch", "head", "--out", audit, csvPath)
	bill, err := os.ReadFile(filepath.Join(audit, "bill.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(bill), "Mallory") {
		t.Errorf("bill.csv names the locator's registrant:\n%s", bill)
	}
	var res wire.MatchResult
	json.Unmarshal([]byte(mustRun(t, dir, 3, "lookup", "--json", target)), &res)
	for _, m := range res.Matches {
		if m.MatchedBy != "url" || m.Confidence != "unconfirmed" || m.Why == "" {
			t.Errorf("lookup: match %+v, want by url, unconfirmed, with why", m)
		}
	}
}

// TestPossibleMatchEndToEnd: a 5 % crop keeps the Image-Code within its
// threshold (4 bits) while its PDQ moves 48 bits: lookup, check and the
// audit's evidence report it as a possible match that decides nothing,
// where before it vanished ("nothing registered").
func TestPossibleMatchEndToEnd(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	img := photo(1, 320, 240)
	os.WriteFile(filepath.Join(dir, "orig.jpg"), encodeJPEG(t, img, 90), 0o644)
	os.MkdirAll(filepath.Join(dir, "copies"), 0o755)
	os.WriteFile(filepath.Join(dir, "copies", "crop.jpg"), encodeJPEG(t, img.SubImage(image.Rect(16, 0, 320, 240)), 85), 0o644)
	mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe", "--save", "jane.token")
	mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--deny", "train-ai", "orig.jpg")

	out := mustRun(t, dir, 0, "lookup", "copies/crop.jpg")
	if !strings.Contains(out, "  possible match, not confirmed: work wrk_") || !strings.Contains(out, "found on iscc-content-image/64 at distance 4, but pdq/256 is 48 bits apart, over its threshold of 31; it decides nothing") {
		t.Errorf("lookup of the crop:\n%s", out)
	}
	var lk struct {
		Matches         []wire.WorkMatch     `json:"matches"`
		PossibleMatches []wire.PossibleMatch `json:"possible_matches"`
		Restricted      bool                 `json:"restricted"`
	}
	json.Unmarshal([]byte(mustRun(t, dir, 0, "lookup", "--json", "copies/crop.jpg")), &lk)
	if len(lk.Matches) != 0 || len(lk.PossibleMatches) != 1 || lk.Restricted || len(lk.PossibleMatches[0].Units) != 2 {
		t.Errorf("lookup --json of the crop: %+v", lk)
	}

	out, errOut, code := runIn(t, dir, "check", "--json", "--registry", reg.URL, "--use", "train-ai", "copies/crop.jpg")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s", code, errOut)
	}
	l := jsonLines[evidenceLine](t, out)[0]
	found := false
	for _, e := range l.Evidence {
		if e.Mechanism == "registry" && strings.HasPrefix(e.Value, "possible match, not confirmed: work wrk_") && len(e.Uses) == 0 {
			found = true
		}
	}
	if !found || l.Verdicts["train-ai"].Verdict != "unknown" {
		t.Errorf("check --json of the crop: %+v", l)
	}

	audit := filepath.Join(dir, "audit")
	mustRun(t, dir, 3, "audit", "--registry", reg.URL, "--use", "train-ai", "--mode", "consent", "--out", audit, filepath.Join(dir, "copies"))
	ev, err := os.ReadFile(filepath.Join(audit, "evidence.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ev), "possible match, not confirmed: work wrk_") {
		t.Errorf("evidence.jsonl lacks the possible match:\n%s", ev)
	}
}
