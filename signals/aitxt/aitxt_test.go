package aitxt_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/signals/aitxt"
)

func parse(t *testing.T, name string) *aitxt.File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := aitxt.Parse(b)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return f
}

func TestEvaluate(t *testing.T) {
	images := parse(t, "images.txt")
	all := parse(t, "all.txt")
	for _, tc := range []struct {
		name string
		f    *aitxt.File
		path string
		want aitxt.Match
		line int
	}{
		// Typical generated files, digest §5.
		{"images blocks jpg", images, "/gallery/cat.jpg", aitxt.Disallow, 5},
		{"images blocks png with query", images, "/a/b.png?w=200", aitxt.Disallow, 7},
		{"images allows txt", images, "/notes/readme.txt", aitxt.Allow, 10},
		{"images silent on html", images, "/index.html", aitxt.None, 0},
		{"images case-sensitive", images, "/CAT.JPG", aitxt.None, 0},
		{"local file name", images, "/holiday.webp", aitxt.Disallow, 9},
		{"all blocks html", all, "/index.html", aitxt.Disallow, 2},
		{"all blocks root", all, "/", aitxt.Disallow, 2},
	} {
		d := tc.f.Evaluate("askfirst", tc.path)
		line := 0
		if d.Rule != nil {
			line = d.Rule.Line
		}
		if d.Match != tc.want || line != tc.line {
			t.Errorf("%s: Evaluate(askfirst, %q) = %v (line %d), want %v (line %d)", tc.name, tc.path, d.Match, line, tc.want, tc.line)
		}
	}
}

func TestParseTruncated(t *testing.T) {
	f, err := aitxt.ParseTruncated([]byte("User-Agent: *\nDisallow: *.png\nAllow: *.jp"))
	if err != nil {
		t.Fatal(err)
	}
	if d := f.Evaluate("askfirst", "/a.jpg"); d.Match != aitxt.None {
		t.Errorf("cut Allow applied: Evaluate(/a.jpg) = %v, want none", d.Match)
	}
	f, err = aitxt.ParseTruncated([]byte("User-Agent: *\nDisallow: *.png\nDisallow: *.jp"))
	if err != nil {
		t.Fatal(err)
	}
	if d := f.Evaluate("askfirst", "/a.jpg"); d.Match != aitxt.Disallow {
		t.Errorf("cut Disallow dropped: Evaluate(/a.jpg) = %v, want disallow", d.Match)
	}
}

func TestNotSpawning(t *testing.T) {
	for _, in := range []string{"", "# only comments\n", "User-Agent: *\n", "Disallow: /\n"} {
		if _, err := aitxt.Parse([]byte(in)); !errors.Is(err, aitxt.ErrNotSpawning) {
			t.Errorf("Parse(%q) error = %v, want ErrNotSpawning", in, err)
		}
	}
	b, err := os.ReadFile("testdata/markdown.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aitxt.Parse(b); !errors.Is(err, aitxt.ErrNotSpawning) {
		t.Errorf("Parse(markdown.txt) error = %v, want ErrNotSpawning", err)
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.txt")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "/a/b.jpg")
	}
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		file, err := aitxt.Parse(data)
		if err != nil {
			return
		}
		d := file.Evaluate("askfirst", path)
		if (d.Match == aitxt.None) != (d.Rule == nil) {
			t.Fatalf("Evaluate(%q) = %+v: match and rule disagree", path, d)
		}
	})
}
