package protect_test

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/signals/airobots"
	"github.com/askfirst/askfirst/signals/robotstxt"
	"github.com/askfirst/askfirst/signals/rsl"
	"github.com/askfirst/askfirst/signals/tdmrep"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func uses(kv ...string) map[signals.Use]signals.Verdict {
	m := map[signals.Use]signals.Verdict{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[signals.Use(kv[i])] = signals.Verdict(kv[i+1])
	}
	return m
}

func TestNormalize(t *testing.T) {
	offer := signals.Offer{Terms: terms}
	for _, tt := range []struct {
		name    string
		p       protect.Policy
		want    string // Policy.String of the result
		wantErr string
	}{
		{"train-genai follows train-ai", protect.Policy{Uses: uses("train-ai", "deny")}, "train-genai deny, train-ai deny", ""},
		{"train-genai stricter", protect.Policy{Uses: uses("train-genai", "deny", "train-ai", "allow")}, "train-genai deny, train-ai allow", ""},
		{"train-genai looser", protect.Policy{Uses: uses("train-genai", "allow", "train-ai", "license"), Offer: offer}, "", "train-genai is part of train-ai"},
		{"unknown verdict", protect.Policy{Uses: uses("search", "unknown")}, "", "want deny, license or allow"},
		{"unknown use", protect.Policy{Uses: uses("train-robots", "deny")}, "", "unknown use"},
		{"licence without terms", protect.Policy{Uses: uses("ai-input", "license")}, "", "no terms URL"},
		{"relative terms", protect.Policy{Uses: uses("ai-input", "license"), Offer: signals.Offer{Terms: "/terms"}}, "", "absolute"},
		{"price without currency", protect.Policy{Uses: uses("ai-input", "license"), Offer: signals.Offer{Terms: terms, Price: "0.05"}}, "", "currency"},
		{"bad price", protect.Policy{Uses: uses("ai-input", "license"), Offer: signals.Offer{Terms: terms, Price: "5 cents", Currency: "EUR"}}, "", "price"},
		{"bad contact", protect.Policy{Uses: uses("ai-input", "license"), Offer: signals.Offer{Terms: terms, Contact: "call me"}}, "", "contact"},
		{"nothing", protect.Policy{}, "nothing stated", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, _, err := tt.p.Normalize()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Normalize = %v, want an error about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || q.String() != tt.want {
				t.Errorf("Normalize = %q, %v; want %q", q, err, tt.want)
			}
		})
	}
	q, _, _ := protect.Policy{Uses: uses("ai-input", "license"), Offer: signals.Offer{Terms: terms, Contact: "rights@pub.example"}}.Normalize()
	if q.Offer.Contact != "mailto:rights@pub.example" {
		t.Errorf("an e-mail contact becomes %q, want a mailto: URL", q.Offer.Contact)
	}
}

// TestSiteGolden pins the files of one policy: training denied, AI input
// licensed, search allowed.
func TestSiteGolden(t *testing.T) {
	f, err := protect.Site(protect.SiteConfig{Policy: policy(), URL: "https://pub.example"})
	if err != nil {
		t.Fatal(err)
	}
	for path, got := range f.Files {
		golden := filepath.Join("testdata", "site", filepath.FromSlash(path)+".golden")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			os.WriteFile(golden, got, 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from %s (run go test -update and review)", path, golden)
		}
	}
	// What each file says, read by askfirst's own parsers.
	r := robotstxt.Parse(f.Files["site/robots.txt"])
	if r.Allowed("GPTBot", "/a").Allowed || !r.Allowed("ChatGPT-User", "/a").Allowed || !r.Allowed("Googlebot", "/a").Allowed {
		t.Errorf("robots.txt: GPTBot must be kept out, ChatGPT-User (licensed) and Googlebot let in")
	}
	if lic := r.Licenses(); len(lic) != 1 || lic[0].Value != "https://pub.example/license.xml" {
		t.Errorf("robots.txt License records %+v", lic)
	}
	doc, err := rsl.Parse(f.Files["site/license.xml"])
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Contents[0]
	for usage, want := range map[string]rsl.Status{"ai-train": rsl.Prohibited, "ai-input": rsl.LicenseRequired, "search": rsl.Free} {
		ev, _ := c.Evaluate(usage)
		if ev.Status != want {
			t.Errorf("license.xml: %s is %s, want %s", usage, ev.Status, want)
		}
		if usage == "ai-input" && (ev.Offer.Amount != "0.05" || ev.Offer.Currency != "EUR" || ev.Offer.PaymentType != "use") {
			t.Errorf("license.xml: ai-input offer %+v", ev.Offer)
		}
	}
	if _, ok := f.Files["site/.well-known/tdmrep.json"]; ok {
		t.Errorf("tdmrep.json written, though TDMRep cannot deny training and license AI input at once")
	}
}

// The TDM policy written with a licence for every TDM use reads as an
// offer with a compensation duty and a contact.
func TestSiteTDMPolicy(t *testing.T) {
	p := protect.Policy{Uses: uses("train-ai", "license", "ai-input", "license"), Offer: signals.Offer{Terms: terms, Contact: "mailto:rights@pub.example", Holder: "Pub Ltd"}}
	f, err := protect.Site(protect.SiteConfig{Policy: p, URL: "https://pub.example"})
	if err != nil {
		t.Fatal(err)
	}
	file, err := tdmrep.ParseFile(f.Files["site/.well-known/tdmrep.json"])
	if err != nil {
		t.Fatal(err)
	}
	rule, ok := file.Lookup("/any/page")
	if !ok || rule.Statement().Reservation != tdmrep.Reserved || rule.Statement().Policy != "https://pub.example/tdm-policy.json" {
		t.Errorf("tdmrep.json rule %+v", rule)
	}
	pol, err := tdmrep.ParsePolicy(f.Files["site/tdm-policy.json"])
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Warnings) > 0 || pol.Assigner.Email != "mailto:rights@pub.example" || pol.Assigner.Name != "Pub Ltd" ||
		len(pol.Permissions) != 1 || !pol.Permissions[0].RequiresCompensation() {
		t.Errorf("TDM policy %+v", pol)
	}
}

// The snippets of every server send the same headers, and their
// User-Agent expressions refuse and ask a licence of the same crawlers as
// the middleware.
func TestSnippetsAgree(t *testing.T) {
	f, err := protect.Site(protect.SiteConfig{Policy: policy(), URL: "https://pub.example"})
	if err != nil {
		t.Fatal(err)
	}
	headerLines := map[string]*regexp.Regexp{
		"server/nginx.conf":  regexp.MustCompile(`(?m)^add_header (\S+) '((?:[^'\\]|\\.)*)' always;$`),
		"server/apache.conf": regexp.MustCompile(`(?m)^Header always set (\S+) "((?:[^"\\]|\\.)*)"$`),
		"server/Caddyfile":   regexp.MustCompile("(?m)^\t(\\S+) `([^`]*)`$"),
	}
	var sets []string
	for file, re := range headerLines {
		var hs []string
		for _, m := range re.FindAllStringSubmatch(string(f.Files[file]), -1) {
			v := strings.NewReplacer(`\'`, `'`, `\"`, `"`).Replace(m[2])
			hs = append(hs, strings.ToLower(m[1])+": "+v)
		}
		slices.Sort(hs)
		sets = append(sets, strings.Join(hs, "\n"))
	}
	if sets[0] != sets[1] || sets[1] != sets[2] || !strings.Contains(sets[0], "content-usage: train-ai=n, search=y") {
		t.Errorf("the snippets send different headers:\n%s", strings.Join(sets, "\n---\n"))
	}
	// The Caddy expressions are RE2, as Go's regexp; nginx and Apache's
	// PCRE read them the same.
	exprs := regexp.MustCompile("header_regexp User-Agent `([^`]*)`").FindAllStringSubmatch(string(f.Files["server/Caddyfile"]), -1)
	if len(exprs) != 2 {
		t.Fatalf("Caddyfile has %d User-Agent expressions, want 2 (refuse, licence)", len(exprs))
	}
	refuseRE, licenseRE := regexp.MustCompile(exprs[0][1]), regexp.MustCompile(exprs[1][1])
	m, err := protect.New(protect.Config{Policy: policy()})
	if err != nil {
		t.Fatal(err)
	}
	agents := []string{uaChrome, uaFirefox, uaVSCode, uaGPTBot, uaChatGPT, uaCCBot, uaKangaroo, uaPerplex, uaNotGPT, uaCurl, uaGoogle}
	for _, c := range airobots.All() {
		agents = append(agents, "Mozilla/5.0 (compatible; "+c.Token+"; +https://example.com/bot)")
	}
	for _, ua := range agents {
		status := statusOf(t, m, ua)
		want := 200
		switch {
		case refuseRE.MatchString(ua):
			want = 403
		case licenseRE.MatchString(ua):
			want = 402
		}
		if status != want {
			t.Errorf("%q: the middleware answers %d, the snippets %d", ua, status, want)
		}
	}
	for _, file := range []string{"server/nginx.conf", "server/apache.conf", "server/Caddyfile"} {
		s := string(f.Files[file])
		if !strings.Contains(s, exprs[0][1][len("(?i)"):]) || !strings.Contains(s, "402") || !strings.Contains(s, "License error=") {
			t.Errorf("%s lacks the refuse expression, the 402 answer or its challenge", file)
		}
	}
}

// TestMergeRobots: an existing robots.txt keeps every line, and what in it
// goes against the policy is reported.
func TestMergeRobots(t *testing.T) {
	existing := "# my site\nUser-agent: *\nDisallow: /admin/\nContent-Signal: search=yes, ai-train=yes\n\nUser-agent: GPTBot\nAllow: /blog/\n\nUser-agent: ChatGPT-User\nDisallow: /\n\nUser-agent: Googlebot\nAllow: /\n\nSitemap: https://pub.example/sitemap.xml\nLicense: https://other.example/l.xml\n"
	f, err := protect.Site(protect.SiteConfig{Policy: policy(), URL: "https://pub.example", Robots: []byte(existing)})
	if err != nil {
		t.Fatal(err)
	}
	merged := string(f.Files["site/robots.txt"])
	if !strings.HasPrefix(merged, existing) {
		t.Fatalf("the existing file is not kept as it was:\n%s", merged)
	}
	r := robotstxt.Parse([]byte(merged))
	if r.Allowed("GPTBot", "/a").Allowed || !r.Allowed("GPTBot", "/blog/x").Allowed || r.Allowed("ChatGPT-User", "/a").Allowed {
		t.Errorf("merged rules: GPTBot must be kept out but for /blog/, ChatGPT-User kept out by the owner's rule")
	}
	// Googlebot's own group replaces "*": it gets the preferences too.
	if got := r.ContentUsage("Googlebot", "/a"); len(got) != 1 || got[0].Value != "train-ai=n, search=y" {
		t.Errorf("Googlebot's Content-Usage %+v", got)
	}
	want := []string{
		`line 7: "Allow: /blog/" lets GPTBot crawl`,
		`line 10: "Disallow: /" keeps ChatGPT-User out`,
		`line 4: Content-Signal ai-train=yes says train-genai allow (policy: deny)`,
		`line 16: License: https://other.example/l.xml`,
	}
	for _, w := range want {
		if !slices.ContainsFunc(f.Conflicts, func(c string) bool { return strings.HasPrefix(c, w) }) {
			t.Errorf("no conflict %q in:\n%s", w, strings.Join(f.Conflicts, "\n"))
		}
	}
	if len(f.Conflicts) != len(want) {
		t.Errorf("%d conflicts, want %d:\n%s", len(f.Conflicts), len(want), strings.Join(f.Conflicts, "\n"))
	}
}

func TestSiteRefuses(t *testing.T) {
	for _, c := range []protect.SiteConfig{
		{Policy: policy(), URL: "ftp://pub.example"},
		{Policy: policy(), URL: "https://pub.example/blog/"},
		{Policy: policy(), Robots: make([]byte, protect.MaxRobots+1)},
		{Policy: protect.Policy{Uses: uses("search", "license")}},
	} {
		if _, err := protect.Site(c); err == nil {
			t.Errorf("Site(%+v) succeeded", c.URL)
		}
	}
}

// statusOf is the middleware's answer to a request from ua.
func statusOf(t *testing.T, m *protect.Middleware, ua string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://pub.example/a", nil)
	req.Header.Set("User-Agent", ua)
	w := httptest.NewRecorder()
	m.Handler(http.NotFoundHandler()).ServeHTTP(w, req)
	if w.Code == http.StatusNotFound {
		return 200 // served by the handler
	}
	return w.Code
}
