// Package htmlmeta reads the named <meta> elements of an HTML document's
// head, the one HTML walker of the signals packages (meta robots and
// crawler-named meta, noai and noimageai, tdm-reservation and tdm-policy).
//
// It tokenizes with golang.org/x/net/html (the HTML5 tokenizer, so
// malformed markup yields what a browser would recover) from the start of
// the document up to </head>, <body> or MaxDoc bytes, whichever comes
// first. Attribute names are compared as the tokenizer lower-cases them;
// when an attribute is repeated in one element the first one counts, as
// the HTML5 parser keeps it (WHATWG HTML §13.2.5.33, "duplicate-attribute"
// parse error). It reads no other element, fetches nothing and keeps
// nothing between calls.
package htmlmeta

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxDoc caps how much of a document is scanned.
const MaxDoc = 1 << 20

// Meta is one <meta> element that has a name attribute.
type Meta struct {
	// Name is the name attribute, white space trimmed, case kept.
	Name string
	// Content is the content attribute as written ("" when absent).
	Content string
	// Line is the 1-based line of the element's start.
	Line int
}

// Walk calls fn, in document order, for every <meta> element with a name
// attribute in the head of doc, until fn returns false.
func Walk(doc []byte, fn func(Meta) bool) {
	if len(doc) > MaxDoc {
		doc = doc[:MaxDoc]
	}
	z := html.NewTokenizer(bytes.NewReader(doc))
	z.SetMaxBuf(MaxDoc)
	line := 1
	for {
		tt := z.Next()
		start := line
		line += bytes.Count(z.Raw(), []byte{'\n'})
		switch tt {
		case html.ErrorToken:
			return
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return
			case atom.Meta:
				var m Meta
				named, hasContent := false, false
				for more {
					var k, v []byte
					k, v, more = z.TagAttr()
					switch string(k) {
					case "name":
						if !named {
							m.Name, named = strings.TrimSpace(string(v)), true
						}
					case "content":
						if !hasContent {
							m.Content, hasContent = string(v), true
						}
					}
				}
				if named {
					m.Line = start
					if !fn(m) {
						return
					}
				}
			}
		}
	}
}
