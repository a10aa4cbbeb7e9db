package noai

import (
	"strings"

	"github.com/askfirst/askfirst/signals/internal/htmlmeta"
)

// MaxHTML caps how much of an HTML document ParseHTML reads.
const MaxHTML = htmlmeta.MaxDoc

// ParseHTML reads the <meta> elements of an HTML document's head (up to
// <body>, </head> or MaxHTML bytes) with the HTML5 tokenizer. It keeps
// <meta name="robots"> and every other named meta element whose content
// holds a directive this package knows (so <meta name="GPTBot"
// content="noai"> is kept, <meta name="description"> is not). It never
// fails: malformed markup yields what the tokenizer recovered.
func ParseHTML(doc []byte) Directives {
	var out Directives
	htmlmeta.Walk(doc, func(m htmlmeta.Meta) bool {
		if m.Name == "" {
			return true
		}
		d := ParseMeta(m.Name, m.Content)
		if !strings.EqualFold(m.Name, "robots") && !anyKnown(d) {
			return true
		}
		if len(out)+len(d) > MaxDirectives {
			return false
		}
		out = append(out, d...)
		return true
	})
	return out
}

func anyKnown(d Directives) bool {
	for _, x := range d {
		if Known(x.Name) {
			return true
		}
	}
	return false
}
