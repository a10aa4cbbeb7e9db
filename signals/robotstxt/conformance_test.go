package robotstxt_test

import (
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

type check struct {
	agent, url string
	want       bool
}

// conformanceCases are the cases of google/robotstxt's robots_test.cc
// (commit 22b355ff, signals digest §1.5), restated as tables. Where askfirst
// deliberately differs (Google-only behaviour, or the lenient token rules of
// the digest §14.4) the case says so and expects our answer.
var conformanceCases = []struct {
	name   string
	robots string
	checks []check
}{
	{"system/empty file allows", "", []check{{"FooBot", "", true}, {"", "", true}}},
	{"system/empty agent allowed", "user-agent: FooBot\ndisallow: /\n", []check{
		{"", "", true},
		// An empty URL is read as "/", which is disallowed here.
		{"FooBot", "", false},
	}},
	{"line syntax/correct", "user-agent: FooBot\ndisallow: /\n", []check{{"FooBot", "http://foo.bar/x/y", false}}},
	{"line syntax/unknown names ignored", "foo: FooBot\nbar: /\n", []check{{"FooBot", "http://foo.bar/x/y", true}}},
	{"line syntax/missing colon accepted", "user-agent FooBot\ndisallow /\n", []check{{"FooBot", "http://foo.bar/x/y", false}}},
	{"groups", "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n", []check{
		{"FooBot", "http://foo.bar/x/b", true},
		{"FooBot", "http://foo.bar/z/d", true},
		{"FooBot", "http://foo.bar/y/c", false},
		{"BarBot", "http://foo.bar/y/c", true},
		{"BarBot", "http://foo.bar/w/a", true},
		{"BarBot", "http://foo.bar/z/d", false},
		{"BazBot", "http://foo.bar/z/d", true},
		{"FooBot", "http://foo.bar/foo/bar/", false},
		{"BarBot", "http://foo.bar/foo/bar/", false},
		{"BazBot", "http://foo.bar/foo/bar/", false},
	}},
	{"record names case-insensitive/upper", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", []check{{"FooBot", "http://foo.bar/x/y", true}, {"FooBot", "http://foo.bar/a/b", false}}},
	{"record names case-insensitive/lower", "user-agent: FooBot\nallow: /x/\ndisallow: /\n", []check{{"FooBot", "http://foo.bar/x/y", true}, {"FooBot", "http://foo.bar/a/b", false}}},
	{"record names case-insensitive/camel", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", []check{{"FooBot", "http://foo.bar/x/y", true}, {"FooBot", "http://foo.bar/a/b", false}}},
	{"agent value case-insensitive/upper", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", []check{{"Foo", "http://foo.bar/x/y", true}, {"Foo", "http://foo.bar/a/b", false}, {"foo", "http://foo.bar/x/y", true}, {"foo", "http://foo.bar/a/b", false}}},
	{"agent value case-insensitive/lower", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", []check{{"Foo", "http://foo.bar/x/y", true}, {"Foo", "http://foo.bar/a/b", false}, {"foo", "http://foo.bar/x/y", true}, {"foo", "http://foo.bar/a/b", false}}},
	{"agent value case-insensitive/camel", "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n", []check{{"Foo", "http://foo.bar/x/y", true}, {"Foo", "http://foo.bar/a/b", false}, {"foo", "http://foo.bar/x/y", true}, {"foo", "http://foo.bar/a/b", false}}},
	{"agent up to first space", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", []check{
		{"Foo", "http://foo.bar/x/y", true},
		// Google refuses to obey "Foo Bar" (not a valid token) and answers
		// false; the lenient rule of the digest §14.4 reads it as "Foo".
		{"Foo Bar", "http://foo.bar/x/y", true},
	}},
	{"global groups/empty", "", []check{{"FooBot", "http://foo.bar/x/y", true}}},
	{"global groups/global", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", []check{{"FooBot", "http://foo.bar/x/y", false}, {"BarBot", "http://foo.bar/x/y", true}}},
	{"global groups/only specific", "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n", []check{{"QuxBot", "http://foo.bar/x/y", true}}},
	{"path case-sensitive/lower", "user-agent: FooBot\ndisallow: /x/\n", []check{{"FooBot", "http://foo.bar/x/y", false}}},
	{"path case-sensitive/upper", "user-agent: FooBot\ndisallow: /X/\n", []check{{"FooBot", "http://foo.bar/x/y", true}}},
	{"longest match/disallow longer", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", []check{{"FooBot", "http://foo.bar/x/page.html", false}}},
	{"longest match/allow longer", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", []check{{"FooBot", "http://foo.bar/x/page.html", true}, {"FooBot", "http://foo.bar/x/", false}}},
	{"longest match/both empty", "user-agent: FooBot\ndisallow: \nallow: \n", []check{{"FooBot", "http://foo.bar/x/page.html", true}}},
	{"longest match/both root", "user-agent: FooBot\ndisallow: /\nallow: /\n", []check{{"FooBot", "http://foo.bar/x/page.html", true}}},
	{"longest match/x and x slash", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", []check{{"FooBot", "http://foo.bar/x", false}, {"FooBot", "http://foo.bar/x/", true}}},
	{"longest match/same path", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", []check{{"FooBot", "http://foo.bar/x/page.html", true}}},
	{"longest match/wildcard length counts", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", []check{{"FooBot", "http://foo.bar/page.html", false}, {"FooBot", "http://foo.bar/page", true}}},
	{"longest match/allow prefix longer", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", []check{{"FooBot", "http://foo.bar/x/page.html", true}, {"FooBot", "http://foo.bar/x/y.html", false}}},
	{"longest match/specific group", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", []check{{"FooBot", "http://foo.bar/x/page", true}, {"FooBot", "http://foo.bar/y/page", false}}},
	{"encoding/query stays", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", []check{{"FooBot", "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true}}},
	{"encoding/non-ASCII rule", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", []check{
		{"FooBot", "http://foo.bar/foo/bar/%E3%83%84", true},
		// Google compares the raw URL and answers false; RFC 9309 §2.2.2
		// encodes both sides before comparison, so we allow.
		{"FooBot", "http://foo.bar/foo/bar/ツ", true},
	}},
	{"encoding/encoded rule", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", []check{
		{"FooBot", "http://foo.bar/foo/bar/%E3%83%84", true},
		{"FooBot", "http://foo.bar/foo/bar/ツ", true}, // as above
		{"FooBot", "http://foo.bar/foo/bar/%e3%83%84", true},
	}},
	{"encoding/encoded unreserved not decoded", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", []check{{"FooBot", "http://foo.bar/foo/bar/baz", false}, {"FooBot", "http://foo.bar/foo/bar/%62%61%7A", true}}},
	{"special/star", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", []check{
		{"FooBot", "http://foo.bar/foo/bar/quz", false},
		{"FooBot", "http://foo.bar/foo/quz", true},
		{"FooBot", "http://foo.bar/foo//quz", true},
		{"FooBot", "http://foo.bar/foo/bax/quz", true},
	}},
	{"special/dollar", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", []check{
		{"FooBot", "http://foo.bar/foo/bar", false},
		{"FooBot", "http://foo.bar/foo/bar/qux", true},
		{"FooBot", "http://foo.bar/foo/bar/", true},
		{"FooBot", "http://foo.bar/foo/bar/baz", true},
	}},
	{"special/comment", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", []check{{"FooBot", "http://foo.bar/foo/bar", true}, {"FooBot", "http://foo.bar/foo/quz", false}}},
	{"index.html not a directory", "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", []check{
		// Google-only rewrite not copied (digest §1.4): the directory stays
		// disallowed.
		{"foobot", "http://foo.com/allowed-slash/", false},
		{"foobot", "http://foo.com/allowed-slash/index.htm", false},
		{"foobot", "http://foo.com/allowed-slash/index.html", true},
		{"foobot", "http://foo.com/anyother-url", false},
	}},
	{"docs/fish", "user-agent: FooBot\ndisallow: /\nallow: /fish\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/fish", true},
		{"FooBot", "http://foo.bar/fish.html", true},
		{"FooBot", "http://foo.bar/fish/salmon.html", true},
		{"FooBot", "http://foo.bar/fishheads", true},
		{"FooBot", "http://foo.bar/fishheads/yummy.html", true},
		{"FooBot", "http://foo.bar/fish.html?id=anything", true},
		{"FooBot", "http://foo.bar/Fish.asp", false},
		{"FooBot", "http://foo.bar/catfish", false},
		{"FooBot", "http://foo.bar/?id=fish", false},
	}},
	{"docs/fish star", "user-agent: FooBot\ndisallow: /\nallow: /fish*\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/fish", true},
		{"FooBot", "http://foo.bar/fish.html", true},
		{"FooBot", "http://foo.bar/fish/salmon.html", true},
		{"FooBot", "http://foo.bar/fishheads", true},
		{"FooBot", "http://foo.bar/fishheads/yummy.html", true},
		{"FooBot", "http://foo.bar/fish.html?id=anything", true},
		{"FooBot", "http://foo.bar/Fish.bar", false},
		{"FooBot", "http://foo.bar/catfish", false},
		{"FooBot", "http://foo.bar/?id=fish", false},
	}},
	{"docs/fish slash", "user-agent: FooBot\ndisallow: /\nallow: /fish/\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/fish/", true},
		{"FooBot", "http://foo.bar/fish/salmon", true},
		{"FooBot", "http://foo.bar/fish/?salmon", true},
		{"FooBot", "http://foo.bar/fish/salmon.html", true},
		{"FooBot", "http://foo.bar/fish/?id=anything", true},
		{"FooBot", "http://foo.bar/fish", false},
		{"FooBot", "http://foo.bar/fish.html", false},
		{"FooBot", "http://foo.bar/Fish/Salmon.html", false},
	}},
	{"docs/php", "user-agent: FooBot\ndisallow: /\nallow: /*.php\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/filename.php", true},
		{"FooBot", "http://foo.bar/folder/filename.php", true},
		{"FooBot", "http://foo.bar/folder/filename.php?parameters", true},
		{"FooBot", "http://foo.bar//folder/any.php.file.html", true},
		{"FooBot", "http://foo.bar/filename.php/", true},
		{"FooBot", "http://foo.bar/index?f=filename.php/", true},
		{"FooBot", "http://foo.bar/php/", false},
		{"FooBot", "http://foo.bar/index?php", false},
		{"FooBot", "http://foo.bar/windows.PHP", false},
	}},
	{"docs/php anchored", "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/filename.php", true},
		{"FooBot", "http://foo.bar/folder/filename.php", true},
		{"FooBot", "http://foo.bar/filename.php?parameters", false},
		{"FooBot", "http://foo.bar/filename.php/", false},
		{"FooBot", "http://foo.bar/filename.php5", false},
		{"FooBot", "http://foo.bar/php/", false},
		{"FooBot", "http://foo.bar/filename?php", false},
		{"FooBot", "http://foo.bar/aaaphpaaa", false},
		{"FooBot", "http://foo.bar//windows.PHP", false},
	}},
	{"docs/fish star php", "user-agent: FooBot\ndisallow: /\nallow: /fish*.php\n", []check{
		{"FooBot", "http://foo.bar/bar", false},
		{"FooBot", "http://foo.bar/fish.php", true},
		{"FooBot", "http://foo.bar/fishheads/catfish.php?parameters", true},
		{"FooBot", "http://foo.bar/Fish.PHP", false},
	}},
	{"precedence/p", "user-agent: FooBot\nallow: /p\ndisallow: /\n", []check{{"FooBot", "http://example.com/page", true}}},
	{"precedence/folder", "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", []check{{"FooBot", "http://example.com/folder/page", true}}},
	{"precedence/htm", "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", []check{{"FooBot", "http://example.com/page.htm", false}}},
	{"precedence/dollar", "user-agent: FooBot\nallow: /$\ndisallow: /\n", []check{{"FooBot", "http://example.com/", true}, {"FooBot", "http://example.com/page.html", false}}},
}

func TestConformance(t *testing.T) {
	for _, tc := range conformanceCases {
		t.Run(tc.name, func(t *testing.T) {
			r := robotstxt.Parse([]byte(tc.robots))
			for _, c := range tc.checks {
				d := r.Allowed(c.agent, robotstxt.Path(c.url))
				if d.Allowed != c.want {
					t.Errorf("Allowed(%q, %q) = %v (rule %v), want %v\nrobots.txt:\n%s", c.agent, c.url, d.Allowed, d.Rule, c.want, tc.robots)
				}
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	const maxLineLen = 2083 * 8 // google/robotstxt kMaxLineLen
	long := func(prefix string, fill byte, n int) string {
		return prefix + strings.Repeat(string(fill), n-len(prefix))
	}
	t.Run("disallow cut", func(t *testing.T) {
		longline := long("/x/", 'a', maxLineLen-len("/x/")-len("disallow: ")+1)
		r := robotstxt.Parse([]byte("user-agent: FooBot\ndisallow: " + longline + "/qux\n"))
		for _, c := range []check{
			{"FooBot", "http://foo.bar/fux", true},
			{"FooBot", "http://foo.bar" + longline + "/fux", false},
		} {
			if got := r.Allowed(c.agent, robotstxt.Path(c.url)).Allowed; got != c.want {
				t.Errorf("Allowed(%q, <%d-byte URL>) = %v, want %v", c.agent, len(c.url), got, c.want)
			}
		}
	})
	t.Run("allow cut", func(t *testing.T) {
		n := maxLineLen - len("/x/") - len("allow: ") + 1
		a, b := long("/x/", 'a', n), long("/x/", 'b', n)
		r := robotstxt.Parse([]byte("user-agent: FooBot\ndisallow: /\nallow: " + a + "/qux\nallow: " + b + "/qux\n"))
		for _, c := range []check{
			{"FooBot", "http://foo.bar/", false},
			{"FooBot", "http://foo.bar" + a + "/qux", true},
			{"FooBot", "http://foo.bar" + b + "/fux", true},
		} {
			if got := r.Allowed(c.agent, robotstxt.Path(c.url)).Allowed; got != c.want {
				t.Errorf("Allowed(%q, <%d-byte URL>) = %v, want %v", c.agent, len(c.url), got, c.want)
			}
		}
	})
}

// TestLineEndings checks google's ID_LinesNumbersAreCountedCorrectly: every
// line ending gives the same rules on the same line numbers.
func TestLineEndings(t *testing.T) {
	files := map[string]string{
		"unix":       "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n",
		"dos":        "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n",
		"mac":        "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r",
		"no newline": "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /",
		"mixed":      "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /",
	}
	for name, f := range files {
		t.Run(name, func(t *testing.T) {
			r := robotstxt.Parse([]byte(f))
			d := r.Allowed("bar", "/x")
			if d.Allowed || d.Rule == nil || d.Rule.Line != 6 {
				t.Errorf("Allowed(bar, /x) = %+v, want disallowed by line 6", d)
			}
			d = r.Allowed("foo", "/some/path")
			if !d.Allowed || d.Rule == nil || d.Rule.Line != 2 {
				t.Errorf("Allowed(foo, /some/path) = %+v, want allowed by line 2", d)
			}
			if got := r.Agents(); strings.Join(got, ",") != "foo,bar" {
				t.Errorf("Agents() = %q, want [foo bar]", got)
			}
			if w := r.Warnings(); len(w) != 0 {
				t.Errorf("Warnings() = %v, want none", w)
			}
		})
	}
}

func TestBOM(t *testing.T) {
	const body = "User-Agent: foo\nAllow: /AnyValue\nDisallow: /\n"
	for _, tc := range []struct {
		name     string
		prefix   string
		wantRule bool // the User-Agent line survives
	}{
		{"full", "\xEF\xBB\xBF", true},
		{"partial 2", "\xEF\xBB", true},
		{"partial 1", "\xEF", true},
		{"broken", "\xEF\x11\xBF", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := robotstxt.Parse([]byte(tc.prefix + body))
			got := !r.Allowed("foo", "/x").Allowed
			if got != tc.wantRule {
				t.Errorf("with BOM prefix %q: foo disallowed /x = %v, want %v", tc.prefix, got, tc.wantRule)
			}
		})
	}
	t.Run("middle", func(t *testing.T) {
		r := robotstxt.Parse([]byte("User-Agent: foo\n\xEF\xBB\xBFAllow: /AnyValue\nDisallow: /\n"))
		if d := r.Allowed("foo", "/AnyValue"); d.Allowed {
			t.Errorf("BOM in the middle: Allowed(foo, /AnyValue) = %+v, want disallowed (the Allow line is junk)", d)
		}
		if len(r.Warnings()) != 1 {
			t.Errorf("Warnings() = %v, want one for the junk line", r.Warnings())
		}
	})
}

func TestPath(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"", "/"},
		{"http://www.example.com", "/"},
		{"http://www.example.com/", "/"},
		{"http://www.example.com/a", "/a"},
		{"http://www.example.com/a/", "/a/"},
		{"http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"},
		{"http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"},
		{"example.com", "/"},
		{"example.com/", "/"},
		{"example.com/a", "/a"},
		{"example.com/a/", "/a/"},
		{"example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"},
		{"a", "/"},
		{"a/", "/"},
		{"/a", "/a"},
		{"a/b", "/b"},
		{"example.com?a", "/?a"},
		{"example.com/a;b#c", "/a;b"},
		{"//a/b/c", "/b/c"},
	} {
		if got := robotstxt.Path(tc.url); got != tc.want {
			t.Errorf("Path(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestSitemap(t *testing.T) {
	const loc = "http://foo.bar/sitemap.xml"
	for name, f := range map[string]string{
		"end":   "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nSitemap: " + loc + "\n",
		"start": "Sitemap: " + loc + "\nUser-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\n",
	} {
		r := robotstxt.Parse([]byte(f))
		if s := r.Sitemaps(); len(s) != 1 || s[0].Value != loc {
			t.Errorf("%s: Sitemaps() = %v, want [%s]", name, s, loc)
		}
	}
}

// TestIsValidToken ports google's ID_VerifyValidUserAgentsToObey.
func TestIsValidToken(t *testing.T) {
	for _, tc := range []struct {
		token string
		want  bool
	}{
		{"Foobot", true}, {"Foobot-Bar", true}, {"Foo_Bar", true},
		{"", false}, {"ツ", false}, {"Foobot*", false}, {" Foobot ", false},
		{"Foobot/2.1", false}, {"Foobot Bar", false}, {"AI2Bot", false},
	} {
		if got := robotstxt.IsValidToken(tc.token); got != tc.want {
			t.Errorf("IsValidToken(%q) = %v, want %v", tc.token, got, tc.want)
		}
	}
}
