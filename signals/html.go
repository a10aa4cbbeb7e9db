package signals

import "github.com/askfirst/askfirst/signals/internal/htmlmeta"

// Caps for reading an HTML head.
const (
	// MaxHead is how much of a page is scanned for head elements.
	MaxHead = htmlmeta.MaxDoc
	// maxHeadItems caps the meta elements kept.
	maxHeadItems = 512
)

// head is what signals need from an HTML page's head, with line numbers
// for the evidence: meta elements (robots, token-specific robots,
// tdm-reservation, tdm-policy). Links and inline RSL are read by package
// rsl.
type head struct {
	Metas []htmlmeta.Meta
}

// parseHead collects the named meta elements of a page's head (package
// htmlmeta: up to </head> or <body>, or the first MaxHead bytes), at most
// maxHeadItems. It never fails: malformed markup yields what the HTML5
// tokenizer recovered.
func parseHead(doc []byte) head {
	var h head
	htmlmeta.Walk(doc, func(m htmlmeta.Meta) bool {
		h.Metas = append(h.Metas, m)
		return len(h.Metas) < maxHeadItems
	})
	return h
}
