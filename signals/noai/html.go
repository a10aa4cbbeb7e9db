package noai

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxHTML caps how much of an HTML document ParseHTML reads.
const MaxHTML = 1 << 20

// ParseHTML reads the <meta> elements of an HTML document's head (up to
// <body>, </head> or MaxHTML bytes) with the HTML5 tokenizer. It keeps
// <meta name="robots"> and every other named meta element whose content
// holds a directive this package knows (so <meta name="GPTBot"
// content="noai"> is kept, <meta name="description"> is not). It never
// fails: malformed markup yields what the tokenizer recovered.
func ParseHTML(doc []byte) Directives {
	if len(doc) > MaxHTML {
		doc = doc[:MaxHTML]
	}
	var out Directives
	z := html.NewTokenizer(bytes.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return out
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return out
			case atom.Meta:
				if !hasAttr {
					continue
				}
				var mname, content string
				for {
					k, v, more := z.TagAttr()
					switch string(k) {
					case "name":
						mname = string(v)
					case "content":
						content = string(v)
					}
					if !more {
						break
					}
				}
				if mname == "" {
					continue
				}
				d := ParseMeta(mname, content)
				if !strings.EqualFold(strings.TrimSpace(mname), "robots") && !anyKnown(d) {
					continue
				}
				if len(out)+len(d) > MaxDirectives {
					return out
				}
				out = append(out, d...)
			}
		}
	}
}

func anyKnown(d Directives) bool {
	for _, x := range d {
		if Known(x.Name) {
			return true
		}
	}
	return false
}
