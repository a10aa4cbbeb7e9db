package robotstxt_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

func TestDecisionEvidence(t *testing.T) {
	const f = `# news site
User-agent: *
Disallow: /search

User-agent: GPTBot
User-agent: ClaudeBot
Disallow: /

User-agent: AI2Bot/1.0
Disallow: /archive/
`
	r := robotstxt.Parse([]byte(f))
	for _, tc := range []struct {
		agent, path string
		want        robotstxt.Decision
	}{
		{"GPTBot", "/news/1", robotstxt.Decision{Status: robotstxt.StatusOK, Group: "gptbot", GroupLines: []int{5}, Rule: &robotstxt.Rule{Pattern: "/", Line: 7}}},
		{"claudebot/1.0 (+https://anthropic.com)", "/news/1", robotstxt.Decision{Status: robotstxt.StatusOK, Group: "claudebot", GroupLines: []int{5}, Rule: &robotstxt.Rule{Pattern: "/", Line: 7}}},
		{"ai2bot", "/archive/x", robotstxt.Decision{Status: robotstxt.StatusOK, Group: "ai2bot", GroupLines: []int{9}, Rule: &robotstxt.Rule{Pattern: "/archive/", Line: 10}}},
		{"ai2bot", "/news", robotstxt.Decision{Allowed: true, Status: robotstxt.StatusOK, Group: "ai2bot", GroupLines: []int{9}}},
		{"askfirst", "/search?q=x", robotstxt.Decision{Status: robotstxt.StatusOK, Group: "*", GroupLines: []int{2}, Rule: &robotstxt.Rule{Pattern: "/search", Line: 3}}},
		{"GPTBot", "/robots.txt", robotstxt.Decision{Allowed: true, Status: robotstxt.StatusOK, Group: "gptbot", GroupLines: []int{5}}},
	} {
		got := r.Allowed(tc.agent, tc.path)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Allowed(%q, %q) mismatch (-want +got):\n%s", tc.agent, tc.path, diff)
		}
	}
}

func TestMergedStarGroups(t *testing.T) {
	// Cloudflare's managed preamble prepended to the site's own file gives
	// two "*" groups, which RFC 9309 §2.2.1 merges.
	const f = "User-agent: *\nContent-Signal: search=yes,ai-train=no\nAllow: /\n\nUser-agent: *\nDisallow: /private/\n"
	r := robotstxt.Parse([]byte(f))
	d := r.Allowed("anybot", "/private/x")
	if d.Allowed || d.Rule.Line != 6 || !cmp.Equal(d.GroupLines, []int{1, 5}) {
		t.Errorf("Allowed(anybot, /private/x) = %+v, want disallowed by line 6 from groups at lines 1 and 5", d)
	}
	want := []robotstxt.Line{{Line: 2, Value: "search=yes,ai-train=no"}}
	if diff := cmp.Diff(want, r.ContentSignals("anybot")); diff != "" {
		t.Errorf("ContentSignals(anybot) mismatch (-want +got):\n%s", diff)
	}
}

func TestExtensionsScope(t *testing.T) {
	const f = `License: https://example.com/license.xml
User-agent: *
Content-Signal: search=yes, ai-train=no
User-agent: ExampleBot
Content-Usage: train-ai=n
User-agent: OtherBot
Content-Signal: ai-input=no
Disallow: /x/
Sitemap: https://example.com/sitemap.xml
`
	r := robotstxt.Parse([]byte(f))
	// Content-Signal is an other record: it does not end the run of
	// user-agent lines, so "*" and ExampleBot share one group, but it
	// applies to the crawlers named before it (ExampleBot is named after).
	// Content-Usage is a rule: it applies to the whole group and ends it, so
	// OtherBot starts a new one.
	for agent, want := range map[string][]robotstxt.Line{
		"anybot":     {{Line: 3, Value: "search=yes, ai-train=no"}},
		"ExampleBot": nil,
	} {
		if diff := cmp.Diff(want, r.ContentSignals(agent)); diff != "" {
			t.Errorf("ContentSignals(%s) (-want +got):\n%s", agent, diff)
		}
		if diff := cmp.Diff([]robotstxt.Line{{Line: 5, Value: "train-ai=n"}}, r.ContentUsage(agent, "/a")); diff != "" {
			t.Errorf("ContentUsage(%s) (-want +got):\n%s", agent, diff)
		}
	}
	if diff := cmp.Diff([]robotstxt.Line{{Line: 7, Value: "ai-input=no"}}, r.ContentSignals("otherbot")); diff != "" {
		t.Errorf("ContentSignals(otherbot) (-want +got):\n%s", diff)
	}
	if got := r.ContentUsage("otherbot", "/a"); got != nil {
		t.Errorf("ContentUsage(otherbot) = %v, want none (its group replaces *)", got)
	}
	if d := r.Allowed("otherbot", "/x/1"); d.Allowed || !cmp.Equal(d.GroupLines, []int{6}) {
		t.Errorf("Allowed(otherbot, /x/1) = %+v, want disallowed by the group at line 6", d)
	}
	if diff := cmp.Diff([]robotstxt.Line{{Line: 1, Value: "https://example.com/license.xml"}}, r.Licenses()); diff != "" {
		t.Errorf("Licenses() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]robotstxt.Line{{Line: 9, Value: "https://example.com/sitemap.xml"}}, r.Sitemaps()); diff != "" {
		t.Errorf("Sitemaps() (-want +got):\n%s", diff)
	}
}

// TestContentUsageAttachExample is the example of
// draft-ietf-aipref-attach-05 §3.4 (figure and table), and the same file
// with the path-less form earlier drafts allowed (signals digest §6.3).
func TestContentUsageAttachExample(t *testing.T) {
	const draft = "User-Agent: *\nAllow: /\nDisallow: /never/\nContent-Usage: / train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n\nUser-Agent: ExampleBot\nAllow: /\nContent-Usage: / train-ai=y\n"
	r := robotstxt.Parse([]byte(draft))
	for _, tc := range []struct {
		agent, path string
		want        []robotstxt.Line
	}{
		{"AnyBot", "/test", []robotstxt.Line{{Line: 4, Value: "train-ai=n", Path: "/"}}},
		{"AnyBot", "/ai-ok/test", []robotstxt.Line{{Line: 5, Value: "train-ai=y", Path: "/ai-ok/"}}},
		{"AnyBot", "/never/test", nil},
		{"ExampleBot", "/never/test", []robotstxt.Line{{Line: 9, Value: "train-ai=y", Path: "/"}}},
		{"ExampleBot", "/test", []robotstxt.Line{{Line: 9, Value: "train-ai=y", Path: "/"}}},
	} {
		if diff := cmp.Diff(tc.want, r.ContentUsage(tc.agent, tc.path)); diff != "" {
			t.Errorf("ContentUsage(%s, %q) (-want +got):\n%s", tc.agent, tc.path, diff)
		}
	}
	const older = "User-Agent: *\nAllow: /\nDisallow: /never/\nContent-Usage: train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n"
	r = robotstxt.Parse([]byte(older))
	if diff := cmp.Diff([]robotstxt.Line{{Line: 4, Value: "train-ai=n"}}, r.ContentUsage("AnyBot", "/test")); diff != "" {
		t.Errorf("path-less rule (-want +got):\n%s", diff)
	}
}

func TestContentUsageSamePathAllKept(t *testing.T) {
	const f = "User-Agent: *\nContent-Usage: /a/ train-ai=y\nContent-Usage: /a/ train-ai=n\nContent-Usage: /a%20b search=n\nContent-Usage: /only-path\n"
	r := robotstxt.Parse([]byte(f))
	want := []robotstxt.Line{{Line: 2, Value: "train-ai=y", Path: "/a/"}, {Line: 3, Value: "train-ai=n", Path: "/a/"}}
	if diff := cmp.Diff(want, r.ContentUsage("x", "/a/b")); diff != "" {
		t.Errorf("ContentUsage(x, /a/b) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]robotstxt.Line{{Line: 4, Value: "search=n", Path: "/a%20b"}}, r.ContentUsage("x", "/a b")); diff != "" {
		t.Errorf("ContentUsage(x, \"/a b\") (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]robotstxt.Line{{Line: 5, Path: "/only-path"}}, r.ContentUsage("x", "/only-path")); diff != "" {
		t.Errorf("ContentUsage(x, /only-path) (-want +got):\n%s", diff)
	}
}

func TestFromStatus(t *testing.T) {
	for _, tc := range []struct {
		code int
		want robotstxt.Status
	}{
		{200, robotstxt.StatusOK}, {204, robotstxt.StatusOK},
		{301, robotstxt.StatusUnavailable}, {308, robotstxt.StatusUnavailable},
		{401, robotstxt.StatusUnavailable}, {403, robotstxt.StatusUnavailable}, {404, robotstxt.StatusUnavailable}, {410, robotstxt.StatusUnavailable},
		{429, robotstxt.StatusUnreachable},
		{500, robotstxt.StatusUnreachable}, {503, robotstxt.StatusUnreachable}, {599, robotstxt.StatusUnreachable},
		{0, robotstxt.StatusUnreachable}, {100, robotstxt.StatusUnreachable}, {600, robotstxt.StatusUnreachable}, {-1, robotstxt.StatusUnreachable},
	} {
		if got := robotstxt.FromStatus(tc.code); got != tc.want {
			t.Errorf("FromStatus(%d) = %v, want %v", tc.code, got, tc.want)
		}
	}
	if d := robotstxt.Unavailable().Allowed("x", "/a"); !d.Allowed || d.Status != robotstxt.StatusUnavailable {
		t.Errorf("Unavailable().Allowed = %+v, want allowed with status unavailable", d)
	}
	if d := robotstxt.Unreachable().Allowed("x", "/a"); d.Allowed || d.Status != robotstxt.StatusUnreachable {
		t.Errorf("Unreachable().Allowed = %+v, want disallowed with status unreachable", d)
	}
	if d := robotstxt.Unreachable().Allowed("x", "/robots.txt"); d.Allowed {
		t.Errorf("Unreachable().Allowed(/robots.txt) = %+v, want disallowed", d)
	}
}

// limitFile returns a file whose rule `last` starts before MaxSize and
// ends after it, followed by "Disallow: /after-limit".
func limitFile(last string) string {
	head := "User-agent: *\nDisallow: /private/\nAllow: /private/open/\n"
	var b strings.Builder
	b.WriteString(head)
	line := "# padding padding padding padding padding padding padding\n"
	for b.Len()+len(line) < robotstxt.MaxSize-len(last)/2 {
		b.WriteString(line)
	}
	// Fill with one comment line so that `last` straddles the limit.
	fill := robotstxt.MaxSize - len(last)/2 - b.Len()
	if fill > 1 {
		b.WriteString("#" + strings.Repeat("x", fill-2) + "\n")
	}
	b.WriteString(last + "\nDisallow: /after-limit\n")
	return b.String()
}

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		name, last string
		checks     []check
	}{
		{"cut disallow kept", "Disallow: /long-rule-cut-by-the-limit", []check{
			{"x", "/long-rule-cut-by-the-limit/x", false}, // the cut rule still covers it
			{"x", "/after-limit", true},
			{"x", "/private/a", false},
			{"x", "/private/open/a", true},
		}},
		{"cut allow ignored", "Allow: /private/open-for-everyone-once-complete", []check{
			{"x", "/private/open-for-everyone-once-complete", false}, // the cut Allow must not grant
			{"x", "/private/open/a", true},
			{"x", "/after-limit", true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := limitFile(tc.last)
			if i := strings.Index(f, tc.last); i >= robotstxt.MaxSize || i+len(tc.last) <= robotstxt.MaxSize {
				t.Fatalf("test file: rule at %d..%d does not straddle %d", i, i+len(tc.last), robotstxt.MaxSize)
			}
			for name, r := range map[string]*robotstxt.Robots{
				"Parse":          robotstxt.Parse([]byte(f)),
				"ParseTruncated": robotstxt.ParseTruncated([]byte(f[:robotstxt.MaxSize])),
			} {
				if r.Size() > robotstxt.MaxSize {
					t.Errorf("%s: Size() = %d, want at most %d", name, r.Size(), robotstxt.MaxSize)
				}
				for _, c := range tc.checks {
					if got := r.Allowed(c.agent, c.url).Allowed; got != c.want {
						t.Errorf("%s: Allowed(%q) = %v, want %v", name, c.url, got, c.want)
					}
				}
				if len(r.Warnings()) == 0 {
					t.Errorf("%s: no warning about the cut line", name)
				}
			}
		})
	}
}

func TestTokensAndValues(t *testing.T) {
	const f = "User-agent: Googlebot*\nDisallow: /a\nUser-agent: * extra\nDisallow: /b\nUser-agent: Brightbot 1.0\nDisallow: /c\nUser-agent:\nDisallow: /d\nuser agent: spacebot\nDisallow: /e\n"
	r := robotstxt.Parse([]byte(f))
	for _, tc := range []struct {
		agent, path string
		want        bool
	}{
		{"Googlebot", "/a", false},     // "Googlebot*" is cut to "Googlebot", as Google's parser cuts it
		{"Googlebot", "/b", true},      // so "* extra" is not its group
		{"otherbot", "/b", false},      // "* extra" is "*", as in Google's parser
		{"brightbot", "/c", false},     // "Brightbot 1.0" read as "brightbot"
		{"Brightbot 1.0", "/c", false}, // the crawler's own name read the same way
		{"spacebot", "/e", false},      // "user agent" typo accepted
		{"spacebot", "/d", true},       // the empty user-agent line named nobody
	} {
		if got := r.Allowed(tc.agent, tc.path).Allowed; got != tc.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tc.agent, tc.path, got, tc.want)
		}
	}
}

func TestPatternWithoutSlash(t *testing.T) {
	r := robotstxt.Parse([]byte("User-agent: *\nDisallow: private/\n"))
	if !r.Allowed("x", "/private/a").Allowed {
		t.Errorf("\"private/\" matched /private/a; RFC 9309 patterns start with /")
	}
	if w := r.Warnings(); len(w) != 1 || w[0].Line != 2 {
		t.Errorf("Warnings() = %v, want one on line 2", w)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/", true},
		{"*.jpg", "/a/b.jpg", true},
		{"*.jpg", "/a/b.png", false},
		{"/*.jpg$", "/a/b.jpg?x", false},
		{"/a$b", "/a$b/c", true}, // "$" inside a pattern is literal
		{"/a*b*c$", "/axxbyyc", true},
		{"/a*b*c$", "/axxbyycz", false},
		{"/a*bc$", "/abcbc", true},
		{"/a**", "/a", true},
		{"/ü", "/%C3%BC", true},
		{"/%c3%bc", "/ü", true},
	} {
		if got := robotstxt.Match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestProductTokens: a user-agent value names the crawler whose product
// token it starts with, cut at the first character that cannot be in a
// token ([A-Za-z0-9_-]), as google/robotstxt cuts it; only "*" alone (or
// followed by white space) is the global group (signals digest §1.2,
// §14.4).
func TestProductTokens(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		named       []string // crawlers the group applies to
		notNamed    []string // crawlers it does not apply to
	}{
		{"comma list", "GPTBot, CCBot", []string{"GPTBot", "gptbot"}, []string{"CCBot", "anybot"}},
		{"semicolon", "GPTBot;", []string{"GPTBot"}, []string{"anybot"}},
		{"version", "GPTBot/1.2", []string{"GPTBot"}, []string{"anybot"}},
		{"digits kept", "AI2Bot", []string{"AI2Bot"}, []string{"AIBot", "anybot"}},
		{"dots cut", "bigsur.ai", []string{"bigsur"}, []string{"anybot"}},
		{"star prefix names no crawler", "*bot", nil, []string{"anybot", "bot"}},
		{"star comma names no crawler", "*,", nil, []string{"anybot"}},
		{"star alone", "*", []string{"anybot", "GPTBot"}, nil},
		{"star and words", "* everyone", []string{"anybot"}, nil},
	} {
		r := robotstxt.Parse([]byte("User-agent: " + tc.value + "\nDisallow: /\n"))
		for _, a := range tc.named {
			if r.Allowed(a, "/x").Allowed {
				t.Errorf("%s: User-agent %q does not name %s; want it to", tc.name, tc.value, a)
			}
		}
		for _, a := range tc.notNamed {
			if !r.Allowed(a, "/x").Allowed {
				t.Errorf("%s: User-agent %q names %s; want it not to", tc.name, tc.value, a)
			}
		}
	}
	// The owner is told when a value is cut at anything but the usual
	// "/version" or " comment" forms.
	r := robotstxt.Parse([]byte("User-agent: GPTBot, CCBot\nUser-agent: *bot\nUser-agent: ClaudeBot/1.0\nDisallow: /\n"))
	if w := r.Warnings(); len(w) != 2 || w[0].Line != 1 || w[1].Line != 2 {
		t.Errorf("Warnings() = %v, want one for line 1 and one for line 2", w)
	}
}

// TestRecordWithoutColon: google/robotstxt reads "name value" lines; askfirst
// reads them only where that cannot grant: "Allow *" after "Disallow: /"
// would allow everything (equal length, allow wins ties), so it is ignored
// with a warning, while "disallow /" still reserves.
func TestRecordWithoutColon(t *testing.T) {
	r := robotstxt.Parse([]byte("User-agent: *\nDisallow: /\nAllow *\nAllow /x\nContent-Signal ai-train=yes\nLicense /l.xml\n"))
	for _, p := range []string{"/", "/a", "/x/1"} {
		if d := r.Allowed("anybot", p); d.Allowed {
			t.Errorf("Allowed(anybot, %s) = %+v, want disallowed: an allow without its colon is not read", p, d)
		}
	}
	if got := r.ContentSignals("anybot"); got != nil {
		t.Errorf("ContentSignals = %v, want none", got)
	}
	if got := r.Licenses(); got != nil {
		t.Errorf("Licenses = %v, want none", got)
	}
	if w := r.Warnings(); len(w) != 4 {
		t.Errorf("Warnings() = %v, want one per ignored line", w)
	}
	r = robotstxt.Parse([]byte("user-agent FooBot\ndisallow /private\n"))
	if r.Allowed("FooBot", "/private/a").Allowed {
		t.Errorf("disallow without a colon not read")
	}
}

// TestRecordsBelongToTheirGroup: a Content-Signal or License record
// written in the group of another crawler is that crawler's, even when a
// user-agent line for "*" follows it without a rule in between (the issue
// of a Content-Signal for GPTBot read by every crawler).
func TestRecordsBelongToTheirGroup(t *testing.T) {
	const f = `License: https://example.com/all.xml
User-agent: GPTBot
Content-Signal: ai-train=no
License: https://example.com/gptbot.xml

User-agent: *
Content-Signal: search=yes
License: https://example.com/star.xml
Allow: /
`
	r := robotstxt.Parse([]byte(f))
	for agent, want := range map[string][]robotstxt.Line{
		"askfirst": {{Line: 7, Value: "search=yes"}},
		"GPTBot":   {{Line: 3, Value: "ai-train=no"}, {Line: 7, Value: "search=yes"}},
	} {
		if diff := cmp.Diff(want, r.ContentSignals(agent)); diff != "" {
			t.Errorf("ContentSignals(%s) (-want +got):\n%s", agent, diff)
		}
	}
	for agent, want := range map[string][]robotstxt.Line{
		"askfirst": {{Line: 1, Value: "https://example.com/all.xml"}, {Line: 8, Value: "https://example.com/star.xml"}},
		"GPTBot":   {{Line: 1, Value: "https://example.com/all.xml"}, {Line: 4, Value: "https://example.com/gptbot.xml"}, {Line: 8, Value: "https://example.com/star.xml"}},
	} {
		if diff := cmp.Diff(want, r.LicensesFor(agent)); diff != "" {
			t.Errorf("LicensesFor(%s) (-want +got):\n%s", agent, diff)
		}
	}
	// Both crawlers share the group's rules, as RFC 9309 §2.1 merges them.
	for _, agent := range []string{"askfirst", "GPTBot"} {
		if d := r.Allowed(agent, "/a"); !d.Allowed || d.Rule == nil {
			t.Errorf("Allowed(%s, /a) = %+v, want allowed by line 9", agent, d)
		}
	}
	if len(r.Licenses()) != 3 {
		t.Errorf("Licenses() = %v, want all three", r.Licenses())
	}
}
