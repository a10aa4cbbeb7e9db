package noai_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/noai"
)

func TestXRobotsTag(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
		agent   string
		noai    bool
		noimage bool
		noindex bool
		noml    bool
	}{
		// Spawning datadiligence's test cases (digest §11.4), read with
		// Google's grammar.
		{"empty", []string{""}, "spawningbot", false, false, false, false},
		{"missing", nil, "spawningbot", false, false, false, false},
		{"noai", []string{"noai"}, "spawningbot", true, false, false, false},
		{"noimageai", []string{"noimageai"}, "spawningbot", false, true, false, false},
		{"other, noai", []string{"other, noai"}, "spawningbot", true, false, false, false},
		{"other", []string{"other"}, "spawningbot", false, false, false, false},
		{"noindex", []string{"noindex"}, "spawningbot", false, false, true, false},
		{"scoped to us", []string{"spawningbot: noai"}, "spawningbot", true, false, false, false},
		{"scoped no space", []string{"spawningbot:noai"}, "spawningbot", true, false, false, false},
		{"scoped to us, other case", []string{"SpawningBot: NoAI"}, "spawningbot/1.0", true, false, false, false},
		{"scoped to another", []string{"spawningbot: noai"}, "otherbot", false, false, false, false},
		{"scoped all", []string{"spawningbot: all"}, "spawningbot", false, false, false, false},
		{"mixed scopes", []string{"spawningbot: other, spawningbot: all, test:noai"}, "spawningbot", false, false, false, false},
		{"mixed scopes for test", []string{"spawningbot: other, spawningbot: all, test:noai"}, "test", true, false, false, false},
		// Google's grammar: the scope runs to the next prefix, so noai here
		// belongs to otherbot (datadiligence would read it as general).
		{"scope runs on", []string{"otherbot: noindex, noai"}, "spawningbot", false, false, false, false},
		{"scope ends with the header", []string{"otherbot: noindex", "noai"}, "spawningbot", true, false, false, false},
		{"none", []string{"none"}, "x", false, false, true, false},
		{"noml", []string{"NOML"}, "x", false, false, false, true},
		{"valued directive is not a scope", []string{"unavailable_after: 25 Jun 2010 15:00:00 PST, noai"}, "x", true, false, false, false},
		{"malformed", []string{":,"}, "x", false, false, false, false},
		{"unreadable scope read as general", []string{": noai"}, "x", true, false, false, false},
	} {
		d, _ := noai.ParseXRobotsTag(tc.headers)
		s := d.For(tc.agent)
		if s.NoAI != tc.noai || s.NoImageAI != tc.noimage || s.NoIndex != tc.noindex || s.NoML != tc.noml {
			t.Errorf("%s: ParseXRobotsTag(%q).For(%q) = %+v; want noai=%v noimageai=%v noindex=%v noml=%v", tc.name, tc.headers, tc.agent, s, tc.noai, tc.noimage, tc.noindex, tc.noml)
		}
	}
}

func TestXRobotsTagDirectives(t *testing.T) {
	d, warn := noai.ParseXRobotsTag([]string{"max-snippet: 20, GoogleBot: NoIndex ,noai", "bad name: x"})
	want := noai.Directives{
		{Name: "max-snippet: 20", Source: "X-Robots-Tag"},
		{Agent: "googlebot", Name: "noindex", Source: "X-Robots-Tag"},
		{Agent: "googlebot", Name: "noai", Source: "X-Robots-Tag"},
		{Name: "x", Source: "X-Robots-Tag"},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("directives (-want +got):\n%s", diff)
	}
	if len(warn) != 1 {
		t.Errorf("warnings = %q, want one for \"bad name: x\"", warn)
	}
}

func TestLimits(t *testing.T) {
	d, warn := noai.ParseXRobotsTag([]string{strings.Repeat("x,", noai.MaxDirectives+10)})
	if len(d) != noai.MaxDirectives || len(warn) == 0 {
		t.Errorf("%d directives, %d warnings; want %d and a warning", len(d), len(warn), noai.MaxDirectives)
	}
}

func TestParseHTML(t *testing.T) {
	doc, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	d := noai.ParseHTML(doc)
	want := noai.Directives{
		{Name: "noai", Source: "meta name=robots"},
		{Name: "noimageai", Source: "meta name=robots"},
		{Agent: "gptbot", Name: "noindex", Source: "meta name=gptbot"},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("ParseHTML (-want +got):\n%s", diff)
	}
	if s := d.For("GPTBot"); !s.NoAI || !s.NoIndex || s.NoML {
		t.Errorf("For(GPTBot) = %+v, want noai and noindex, not noml (it is in the body)", s)
	}
	if s := d.For("askfirst"); !s.NoAI || s.NoIndex {
		t.Errorf("For(askfirst) = %+v, want noai only", s)
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _ := noai.ParseXRobotsTag(strings.Split(s, "\n"))
		if len(d) > noai.MaxDirectives {
			t.Fatalf("%d directives", len(d))
		}
		d.For("x")
		if h := noai.ParseHTML([]byte(s)); len(h) > noai.MaxDirectives {
			t.Fatalf("ParseHTML: %d directives", len(h))
		}
	})
}
