package aipref_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/aipref"
)

func TestParseVocabExamples(t *testing.T) {
	U, Y, N := aipref.Unknown, aipref.Allowed, aipref.Disallowed
	for _, tc := range []struct {
		field         string
		train, search aipref.Value
		wantErr       bool
	}{
		// draft-ietf-aipref-vocab-07 and the digest §6.1.
		{"train-ai=y, search=n", Y, N, false},
		{"train-ai=n", N, U, false},
		{"train-ai=y, train-ai, search=n, search=\"n\"", U, U, false},
		{"train-ai;allow=n, train-ai=y", Y, U, false},
		{"train-ai=no, search=N", U, U, false},
		{"train-ai=?0", U, U, false},
		{"Train-AI=n", U, U, true},
		{"train-ai=n,", U, U, true},
		{"train-ai=n search=n", U, U, true},
		{"", U, U, false},
		{"  train-ai=n ,\tsearch=y", N, Y, false},
		{"unknown-label=n, search=y", U, Y, false},
		{"train-ai=n;q=\"unterminated", U, U, true},
	} {
		p, err := aipref.Parse(tc.field)
		if (err != nil) != tc.wantErr {
			t.Errorf("Parse(%q) error = %v, want error %v", tc.field, err, tc.wantErr)
		}
		if err != nil && !errors.Is(err, aipref.ErrSyntax) {
			t.Errorf("Parse(%q) error %v does not wrap ErrSyntax", tc.field, err)
		}
		if got := p.Get("train-ai"); got != tc.train {
			t.Errorf("Parse(%q).Get(train-ai) = %v, want %v", tc.field, got, tc.train)
		}
		if got := p.Get("search"); got != tc.search {
			t.Errorf("Parse(%q).Get(search) = %v, want %v", tc.field, got, tc.search)
		}
	}
}

func TestParseEntries(t *testing.T) {
	p, err := aipref.Parse("train-genai=n;exceptions=cc-cr, ai-use=n, search=\"y\"")
	if err != nil {
		t.Fatal(err)
	}
	want := []aipref.Entry{
		{Label: "train-genai", Value: aipref.Disallowed, Raw: "n", Params: []string{"exceptions=cc-cr"}},
		{Label: "ai-use", Value: aipref.Disallowed, Raw: "n"},
		{Label: "search", Value: aipref.Unknown, Raw: `"y"`},
	}
	if diff := cmp.Diff(want, p.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if got := p.String(); got != "train-genai=n, ai-use=n" {
		t.Errorf("String() = %q", got)
	}
}

func TestCombine(t *testing.T) {
	mustParse := func(s string) aipref.Preferences {
		p, err := aipref.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		return p
	}
	got := aipref.Combine(mustParse("train-ai=y, search=y"), mustParse("train-ai=n"), mustParse("search=x, ai-use=y"))
	for label, want := range map[string]aipref.Value{"train-ai": aipref.Disallowed, "search": aipref.Allowed, "ai-use": aipref.Allowed, "bots": aipref.Unknown} {
		if v := got.Get(label); v != want {
			t.Errorf("Combine: %s = %v, want %v", label, v, want)
		}
	}
}

func TestLookupLabel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		current bool
		covers  []aipref.Category
	}{
		{"train-ai", true, []aipref.Category{aipref.CatTrainGenAI, aipref.CatTrainAI}},
		{"search", true, []aipref.Category{aipref.CatSearch}},
		{"train-genai", false, []aipref.Category{aipref.CatTrainGenAI}},
		{"ai-use", false, []aipref.Category{aipref.CatAIUse}},
		{"inference", false, []aipref.Category{aipref.CatAIUse}},
		{"ai-output", false, []aipref.Category{aipref.CatAIOutput}},
		{"bots", false, []aipref.Category{aipref.CatAll}},
		{"all", false, []aipref.Category{aipref.CatAll}},
		{"tdm", false, []aipref.Category{aipref.CatAll}},
	} {
		l, ok := aipref.LookupLabel(tc.name)
		if !ok || l.Current != tc.current || !cmp.Equal(l.Covers, tc.covers) {
			t.Errorf("LookupLabel(%q) = %+v, %v; want current=%v covers=%v", tc.name, l, ok, tc.current, tc.covers)
		}
	}
	if _, ok := aipref.LookupLabel("Train-AI"); ok {
		t.Errorf("LookupLabel(Train-AI) found; labels are case-sensitive")
	}
}

func TestParseDictionary(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // members as key:value;params, "" for error
	}{
		// RFC 9651 §3.2 examples.
		{`en="Applepie", da=:w4ZibGV0w6ZydGUK:`, `en:"Applepie" da::w4ZibGV0w6ZydGUK:`},
		{`a=?0, b, c; foo=bar`, `a:?0 b:?1 c:?1;foo=bar`},
		{`rating=1.5, feelings=(joy sadness)`, `rating:1.5 feelings:(joy sadness)`},
		{`a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid`, `a:(1 2) b:3 c:4;aa=bb d:(5 6);valid=?1`},
		{`a=1, a=2`, `a:2`},
		{`e=@1659578233, f=%"caf%c3%a9"`, `e:@1659578233 f:%"café"`},
		{`n=-12.345, i=999999999999999`, `n:-12.345 i:999999999999999`},
		{`i=9999999999999999`, ``},
		{`d=1.2345`, ``},
		{`a=1,,b=2`, ``},
		{`a=(1 2`, ``},
		{`a="\x"`, ``},
		{`a=%"caf%C3%A9"`, ``},
		{`A=1`, ``},
		{`a=?2`, ``},
		{`a=:not base64!:`, ``},
	} {
		d, err := aipref.ParseDictionary(tc.in)
		var got string
		if err == nil {
			for i, m := range d {
				if i > 0 {
					got += " "
				}
				got += m.Key + ":" + m.Value.String()
				for _, p := range m.Value.Params {
					got += ";" + p.Key + "=" + p.Value.String()
				}
			}
		}
		if got != tc.want {
			t.Errorf("ParseDictionary(%q) = %q (err %v), want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseDictionaryLimit(t *testing.T) {
	big := make([]byte, aipref.MaxFieldLen+1)
	for i := range big {
		big[i] = 'a'
	}
	if _, err := aipref.ParseDictionary(string(big)); !errors.Is(err, aipref.ErrSyntax) {
		t.Errorf("ParseDictionary(%d bytes) error = %v, want ErrSyntax", len(big), err)
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.txt")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := aipref.Parse(s)
		if err != nil && len(p.Entries) != 0 {
			t.Fatalf("Parse(%q) failed with %d entries kept", s, len(p.Entries))
		}
		seen := map[string]bool{}
		for _, e := range p.Entries {
			if seen[e.Label] {
				t.Fatalf("Parse(%q): label %q twice", s, e.Label)
			}
			seen[e.Label] = true
		}
	})
}
