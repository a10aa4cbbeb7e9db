package signals

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Caps for reading an HTML head.
const (
	// MaxHead is how much of a page is scanned for head elements.
	MaxHead = 1 << 20
	// maxHeadItems caps the meta elements kept.
	maxHeadItems = 512
)

// headMeta is one <meta name content> element and its line.
type headMeta struct {
	Name, Content string
	Line          int
}

// head is what signals need from an HTML page's head, with line numbers
// for the evidence: meta elements (robots, token-specific robots,
// tdm-reservation, tdm-policy). Links and inline RSL are read by package
// rsl.
type head struct {
	Metas []headMeta
}

// parseHead scans the start of an HTML document with the HTML5 tokenizer
// and collects meta elements up to </head> or <body> (or the first MaxHead
// bytes). It never fails: malformed markup yields what the tokenizer
// recovered.
func parseHead(doc []byte) head {
	if len(doc) > MaxHead {
		doc = doc[:MaxHead]
	}
	var h head
	z := html.NewTokenizer(bytes.NewReader(doc))
	z.SetMaxBuf(MaxHead)
	line := 1
	for {
		tt := z.Next()
		startLine := line
		line += bytes.Count(z.Raw(), []byte{'\n'})
		switch tt {
		case html.ErrorToken:
			return h
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return h
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return h
			case atom.Meta:
				var m headMeta
				named := false
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch strings.ToLower(string(k)) {
					case "name":
						if !named {
							m.Name, named = strings.TrimSpace(string(v)), true
						}
					case "content":
						if m.Content == "" {
							m.Content = string(v)
						}
					}
				}
				if named && len(h.Metas) < maxHeadItems {
					m.Line = startLine
					h.Metas = append(h.Metas, m)
				}
			}
		}
	}
}
