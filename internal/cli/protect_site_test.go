package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// policySite serves the files protect site wrote into a folder, as a web
// site configured by them would: DIR/site at the root, every response
// with the headers of DIR/server/nginx.conf, and /page.html an HTML page
// whose head holds DIR/server/head.html.
type policySite struct {
	mu      sync.Mutex
	dir     string
	headers [][2]string
}

var tdmValue = regexp.MustCompile(`^tdm-reservation: (\S+)`)

var nginxHeader = regexp.MustCompile(`(?m)^add_header (\S+) '((?:[^'\\]|\\.)*)' always;$`)

// nginxHeaders reads the server-level add_header lines of a snippet.
func nginxHeaders(t *testing.T, conf string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, m := range nginxHeader.FindAllStringSubmatch(conf, -1) {
		out = append(out, [2]string{m[1], strings.ReplaceAll(m[2], `\'`, "'")})
	}
	return out
}

func (s *policySite) load(t *testing.T, dir string) {
	t.Helper()
	h := nginxHeaders(t, string(mustRead(t, filepath.Join(dir, "server", "nginx.conf"))))
	s.mu.Lock()
	s.dir, s.headers = dir, h
	s.mu.Unlock()
}

func (s *policySite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	dir, hs := s.dir, s.headers
	s.mu.Unlock()
	for _, h := range hs {
		w.Header().Add(h[0], h[1])
	}
	if r.URL.Path == "/page.html" {
		head, _ := os.ReadFile(filepath.Join(dir, "server", "head.html"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>A page</title>\n%s</head><body><p>Words.</p></body></html>", head)
		return
	}
	switch r.URL.Path {
	case "/license.xml":
		w.Header().Set("Content-Type", "application/rsl+xml")
	case "/tdm-policy.json":
		w.Header().Set("Content-Type", "application/ld+json")
	}
	http.FileServer(http.Dir(filepath.Join(dir, "site"))).ServeHTTP(w, r)
}

// Choices of one use in the matrix: unstated, or one of the verdicts.
var choices = []string{"", "deny", "license", "allow"}

var matrixUses = []string{"train-genai", "train-ai", "ai-input", "search"}

func rankOf(v string) int { return map[string]int{"": 0, "allow": 1, "license": 2, "deny": 3}[v] }

// TestProtectSiteConsistency is the consistency matrix of protect site:
// every combination of unstated, deny, licence and allow for the four uses
// (4^4 = 256). For each, protect site writes the files, a loopback site
// serves them, and askfirst check reads a page of it three ways: with the
// default agent, with the catalogue's crawler tokens for each use
// (GPTBot for training, ChatGPT-User for AI input), and in strict
// training mode. Each use must come out as the policy says (unstated:
// unknown), no statement of the evidence may say otherwise, and every
// mechanism written must be in the evidence. Combinations where
// train-genai is less restrictive than train-ai must be refused.
func TestProtectSiteConsistency(t *testing.T) {
	ps := &policySite{}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	modes := []struct {
		name string
		args []string
	}{
		{"default agent", nil},
		{"crawler tokens", []string{"--agent-for", "train-genai=GPTBot", "--agent-for", "train-ai=GPTBot", "--agent-for", "ai-input=ChatGPT-User"}},
		{"strict training", []string{"--strict-training"}},
	}
	tested := 0
	var stats matrixStats
	for _, g := range choices {
		for _, tr := range choices {
			for _, in := range choices {
				for _, se := range choices {
					combo := []string{g, tr, in, se}
					name := fmt.Sprintf("g=%s,t=%s,i=%s,s=%s", orDash(g), orDash(tr), orDash(in), orDash(se))
					t.Run(name, func(t *testing.T) {
						testCombo(t, ps, srv.URL, combo, modes, &stats)
					})
					tested++
				}
			}
		}
	}
	if tested != 256 {
		t.Fatalf("tested %d combinations, want 256", tested)
	}
	t.Logf("256 combinations: %d refused (%d with train-genai less restrictive than train-ai, 1 stating nothing); %d published, %d of them with every decided use stated, %d with %d decided uses no site format can state (reported)",
		stats.refused, stats.refused-1, stats.published, stats.exact, stats.published-stats.exact, stats.unstatable)
	t.Logf("with all four uses decided: %d published, %d with every use stated (every one where train-genai and train-ai agree)", stats.decided, stats.decidedExact)
}

// matrixStats counts what the matrix found.
type matrixStats struct {
	refused, published, exact, unstatable int
	decided, decidedExact                 int // all four uses decided
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func testCombo(t *testing.T, ps *policySite, base string, combo []string, modes []struct {
	name string
	args []string
}, stats *matrixStats) {
	byVerdict := map[string][]string{}
	want := map[string]string{}
	for k, v := range combo {
		if v != "" {
			byVerdict[v] = append(byVerdict[v], matrixUses[k])
		}
		want[matrixUses[k]] = v
	}
	dir := t.TempDir()
	args := []string{"protect", "site", "--json", "--site", base, "--out", dir}
	for _, v := range []string{"deny", "allow", "license"} {
		if len(byVerdict[v]) > 0 {
			args = append(args, "--"+v, strings.Join(byVerdict[v], ","))
		}
	}
	if len(byVerdict["license"]) > 0 {
		args = append(args, "--terms", "https://pub.example/terms", "--price", "0.05", "--currency", "EUR", "--contact", "rights@pub.example")
	}
	out, errOut, code := run(t, args...)
	switch {
	case len(byVerdict) == 0:
		stats.refused++
		if code != 2 {
			t.Fatalf("an empty policy: exit %d, want 2\n%s", code, errOut)
		}
		return
	case combo[0] != "" && combo[1] != "" && rankOf(combo[0]) < rankOf(combo[1]):
		stats.refused++
		if code != 2 || !strings.Contains(errOut, "train-genai is part of train-ai") {
			t.Fatalf("train-genai %s with train-ai %s: exit %d, want 2 and why\n%s", combo[0], combo[1], code, errOut)
		}
		return
	case code != 0:
		t.Fatalf("protect site: exit %d\n%s", code, errOut)
	}
	if want["train-genai"] == "" {
		want["train-genai"] = want["train-ai"] // train-genai is part of train-ai
	}
	var res struct{ Warnings []string }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("protect site --json: %v\n%s", err, out)
	}
	// A use no site format can state must be reported, and comes out
	// unknown; all others as the policy says.
	stats.published++
	unstatable := 0
	allDecided := !slices.Contains(combo, "")
	defer func() {
		if unstatable == 0 {
			stats.exact++
		}
		if allDecided {
			stats.decided++
			if unstatable == 0 {
				stats.decidedExact++
			}
		}
		stats.unstatable += unstatable
	}()
	for _, u := range matrixUses {
		if want[u] == "" {
			continue
		}
		reported := slices.ContainsFunc(res.Warnings, func(w string) bool {
			return strings.HasPrefix(w, "policy: "+u+" "+want[u]+" is stated by no format")
		})
		if !expressible(want, u) {
			unstatable++
			if !reported {
				t.Errorf("%s %s cannot be stated on a site, and protect site did not say so: %v", u, want[u], res.Warnings)
			}
			want[u] = ""
		} else if reported {
			t.Errorf("%s %s is reported as stated by no format; it can be: %v", u, want[u], res.Warnings)
		}
	}
	ps.load(t, dir)
	written := writtenMechanisms(t, dir)
	for _, m := range modes {
		lines, errOut, code := checkJSON(t, append(m.args, base+"/page.html")...)
		if len(lines) != 1 || lines[0].Error != "" {
			t.Fatalf("%s: check: exit %d %+v\n%s", m.name, code, lines, errOut)
		}
		c := lines[0]
		for _, u := range matrixUses {
			got := c.Verdicts[u].Verdict
			w := want[u]
			if w == "" {
				w = "unknown"
			}
			if got != w {
				t.Errorf("%s: %s is %s, want %s (%s)", m.name, u, got, w, c.Verdicts[u].Reason)
			}
			if got == "license" && len(c.Verdicts[u].Offer) == 0 {
				t.Errorf("%s: %s needs a licence but no offer is reported", m.name, u)
			}
		}
		seen := map[string]bool{}
		tdmValues := map[string]bool{}
		for _, ev := range c.Evidence {
			// TDMRep resolves its sources (file, header, meta) into one
			// statement; the superseded ones must say the same.
			if m := tdmValue.FindStringSubmatch(ev.Value); ev.Mechanism == "tdmrep" && m != nil {
				tdmValues[m[1]] = true
			}
			for u, v := range ev.Uses {
				if v != want[u] {
					t.Errorf("%s: %s at %s says %s %s; the policy says %q", m.name, ev.Mechanism, ev.Location, u, v, want[u])
				}
			}
			if len(ev.Uses) > 0 {
				seen[ev.Mechanism] = true
			}
		}
		if len(tdmValues) > 1 {
			t.Errorf("%s: the TDMRep sources disagree: %v", m.name, tdmValues)
		}
		if m.args == nil {
			for _, mech := range written {
				if !seen[mech] {
					t.Errorf("%s: %s was written but is not in the evidence", m.name, mech)
				}
			}
		}
		if t.Failed() {
			t.Logf("files: %v; evidence:", written)
			for _, ev := range c.Evidence {
				t.Logf("  %s %q at %s: %v %v", ev.Mechanism, ev.Value, ev.Location, ev.Uses, ev.Warnings)
			}
			return
		}
	}
}

// expressible says, from what askfirst's readers make of each format,
// whether a site can state use u's verdict: train-ai apart from
// train-genai, never (every web format covers both); a licence only
// through RSL, which needs train-genai, train-ai and ai-input decided,
// with the same verdict for the two training uses, or through TDMRep,
// which needs a licence for all three; everything else, always
// (Content-Signal, Content-Usage with the legacy train-genai label).
func expressible(want map[string]string, u string) bool {
	g, tr, in := want["train-genai"], want["train-ai"], want["ai-input"]
	if u == "train-ai" && g != tr {
		return false
	}
	if want[u] == "license" {
		rsl := g != "" && tr != "" && in != "" && g == tr
		tdm := g == "license" && tr == "license" && in == "license" && u != "search"
		return rsl || tdm
	}
	return true
}

// writtenMechanisms names the mechanisms of the files protect site wrote,
// as the evidence names them.
func writtenMechanisms(t *testing.T, dir string) []string {
	var out []string
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(dir, p)); return err == nil }
	robots := string(mustRead(t, filepath.Join(dir, "site", "robots.txt")))
	head := string(mustRead(t, filepath.Join(dir, "server", "head.html")))
	if strings.Contains(robots, "\nContent-Usage:") {
		out = append(out, "content-usage")
	}
	if strings.Contains(robots, "\nContent-Signal:") {
		out = append(out, "content-signal")
	}
	if exists("site/ai.txt") {
		out = append(out, "ai.txt")
	}
	if exists("site/.well-known/tdmrep.json") {
		out = append(out, "tdmrep")
	}
	if exists("site/license.xml") {
		out = append(out, "rsl")
	}
	if strings.Contains(head, `name="robots"`) {
		out = append(out, "noai")
	}
	return out
}

// httptestServer serves h on loopback for the test and returns its URL.
func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
