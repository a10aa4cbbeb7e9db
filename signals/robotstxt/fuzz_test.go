package robotstxt_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// reference decides by scanning every rule: the longest matching pattern
// wins, Allow wins ties, no match allows (RFC 9309 §2.2.2).
func reference(rules []robotstxt.Rule, path string) bool {
	best, allow := -1, true
	for _, ru := range rules {
		if !robotstxt.Match(ru.Pattern, path) {
			continue
		}
		n := len(ru.Pattern)
		if n > best || (n == best && ru.Allow) {
			best, allow = n, ru.Allow
		}
	}
	return allow
}

// TestAgainstReference compares Allowed, which sorts large groups, with a
// plain scan on generated files with many rules.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Short parts exercise wildcards; long ones give literal prefixes of 8
	// bytes or more, which the index buckets.
	parts := []string{"/", "a", "b", "ab", "*", ".html", "?", "=", "x/", "%C3%A4", "ä", "wiki/Spezial:", "wikipedia/", "wiki/Special", "$"}
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		return b.String()
	}
	for file := range 200 {
		var b strings.Builder
		b.WriteString("User-agent: bot\n")
		nrules := 10 + rng.IntN(80)
		for range nrules {
			kind := "Disallow"
			if rng.IntN(2) == 0 {
				kind = "Allow"
			}
			p := "/" + gen(rng.IntN(4))
			if rng.IntN(5) == 0 {
				p += "$"
			}
			b.WriteString(kind + ": " + p + "\n")
		}
		r := robotstxt.Parse([]byte(b.String()))
		rules := r.Rules("bot")
		if len(rules) != nrules {
			t.Fatalf("file %d: Rules(bot) has %d rules, want %d", file, len(rules), nrules)
		}
		for range 200 {
			path := "/" + gen(rng.IntN(6))
			d := r.Allowed("bot", path)
			if want := reference(rules, path); d.Allowed != want {
				t.Fatalf("file %d: Allowed(bot, %q) = %v (rule %v), reference says %v\n%s", file, path, d.Allowed, d.Rule, want, b.String())
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.txt")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "GPTBot", "/world/2026/a.html?x=1")
	}
	for _, tc := range conformanceCases {
		for _, c := range tc.checks {
			f.Add([]byte(tc.robots), c.agent, robotstxt.Path(c.url))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, agent, path string) {
		r := robotstxt.Parse(data)
		if r.Size() > robotstxt.MaxSize {
			t.Fatalf("Size() = %d over MaxSize", r.Size())
		}
		if len(r.Warnings()) > robotstxt.MaxWarnings {
			t.Fatalf("%d warnings over MaxWarnings", len(r.Warnings()))
		}
		d := r.Allowed(agent, path)
		if want := reference(r.Rules(agent), path); d.Allowed != want && path != "/robots.txt" {
			t.Fatalf("Allowed(%q, %q) = %v, reference says %v", agent, path, d.Allowed, want)
		}
		if d.Rule != nil && d.Rule.Allow != d.Allowed {
			t.Fatalf("Allowed(%q, %q) = %v but deciding rule %v", agent, path, d.Allowed, d.Rule)
		}
		if !d.Allowed {
			if cu := r.ContentUsage(agent, path); cu != nil {
				t.Fatalf("ContentUsage(%q, %q) = %v on a disallowed path", agent, path, cu)
			}
		}
		r.ContentSignals(agent)
		robotstxt.Path(path)
		rt := robotstxt.ParseTruncated(data)
		if d := rt.Allowed(agent, path); d.Allowed != reference(rt.Rules(agent), path) && path != "/robots.txt" {
			t.Fatalf("ParseTruncated: Allowed(%q, %q) = %v disagrees with the reference", agent, path, d.Allowed)
		}
	})
}

// TestIndexOnlyLongPatterns covers a large group whose patterns all have
// long literal prefixes, so a query may find no candidate at all.
func TestIndexOnlyLongPatterns(t *testing.T) {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for i := range 40 {
		fmt.Fprintf(&b, "Disallow: /section-%02d/private\nAllow: /section-%02d/private/ok$\n", i, i)
	}
	r := robotstxt.Parse([]byte(b.String()))
	for _, tc := range []struct {
		path string
		want bool
		line int
	}{
		{"/section-07/private/x", false, 16},
		{"/section-07/private/ok", true, 17},
		{"/section-07/public", true, 0},
		{"/x", true, 0},
		{"/", true, 0},
	} {
		d := r.Allowed("bot", tc.path)
		line := 0
		if d.Rule != nil {
			line = d.Rule.Line
		}
		if d.Allowed != tc.want || line != tc.line {
			t.Errorf("Allowed(bot, %q) = %v (line %d), want %v (line %d)", tc.path, d.Allowed, line, tc.want, tc.line)
		}
		if want := reference(r.Rules("bot"), tc.path); d.Allowed != want {
			t.Errorf("Allowed(bot, %q) = %v, reference says %v", tc.path, d.Allowed, want)
		}
	}
}
