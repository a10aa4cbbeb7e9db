package htmlmeta_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/internal/htmlmeta"
)

func metas(doc string) []htmlmeta.Meta {
	var out []htmlmeta.Meta
	htmlmeta.Walk([]byte(doc), func(m htmlmeta.Meta) bool {
		out = append(out, m)
		return true
	})
	return out
}

func TestWalk(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []htmlmeta.Meta
	}{
		{"head", "<html><head>\n<meta name=robots content=noai>\n<META NAME=' GPTBot ' CONTENT='noai'><meta charset=utf-8><meta property=og:title content=x></head><meta name=late content=1>",
			[]htmlmeta.Meta{{Name: "robots", Content: "noai", Line: 2}, {Name: "GPTBot", Content: "noai", Line: 3}}},
		{"stops at body", "<meta name=a content=1><body><meta name=b content=2>", []htmlmeta.Meta{{Name: "a", Content: "1", Line: 1}}},
		{"no head tags", "<meta name=a>", []htmlmeta.Meta{{Name: "a", Line: 1}}},
		{"first attribute wins", `<meta name="robots" name="x" content="noai" content="all">`, []htmlmeta.Meta{{Name: "robots", Content: "noai", Line: 1}}},
		{"empty first content wins", `<meta name="robots" content="" content="noai">`, []htmlmeta.Meta{{Name: "robots", Line: 1}}},
		{"comments and scripts", "<!--<meta name=a content=1>-->\n<script>\n'<meta name=b content=2>'\n</script><meta name=c content=3>", []htmlmeta.Meta{{Name: "c", Content: "3", Line: 4}}},
		{"entities", `<meta name="tdm-policy" content="https://x.example/?a=1&amp;b=2">`, []htmlmeta.Meta{{Name: "tdm-policy", Content: "https://x.example/?a=1&b=2", Line: 1}}},
	} {
		if diff := cmp.Diff(tc.want, metas(tc.doc)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestWalkStops(t *testing.T) {
	n := 0
	htmlmeta.Walk([]byte(strings.Repeat("<meta name=a>", 10)), func(htmlmeta.Meta) bool {
		n++
		return n < 3
	})
	if n != 3 {
		t.Errorf("fn called %d times after returning false at 3", n)
	}
	// Nothing past MaxDoc is read.
	doc := strings.Repeat(" ", htmlmeta.MaxDoc) + "<meta name=a>"
	if got := metas(doc); got != nil {
		t.Errorf("meta past MaxDoc read: %v", got)
	}
}
