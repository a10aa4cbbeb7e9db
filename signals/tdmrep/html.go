package tdmrep

import (
	"strings"

	"github.com/askfirst/askfirst/signals/internal/htmlmeta"
)

// MaxHTML caps how much of an HTML document ParseHTML reads.
const MaxHTML = htmlmeta.MaxDoc

// ParseHTML reads <meta name="tdm-reservation" content="..."> and <meta
// name="tdm-policy" content="..."> from an HTML document's head (up to
// <body>, </head> or MaxHTML bytes), names compared case-insensitively.
// Repeats are read as ParseHeaders reads them. It never
// fails: malformed markup yields what the tokenizer recovered.
func ParseHTML(doc []byte) Statement {
	var res, pol []string
	htmlmeta.Walk(doc, func(m htmlmeta.Meta) bool {
		switch strings.ToLower(m.Name) {
		case "tdm-reservation":
			res = append(res, m.Content)
		case "tdm-policy":
			pol = append(pol, m.Content)
		}
		return true
	})
	return ParseMeta(res, pol)
}

// ParseMeta builds the statement of meta elements already extracted by
// the caller: the content values of tdm-reservation and tdm-policy, in
// document order.
func ParseMeta(reservation, policy []string) Statement {
	s := Statement{Source: "meta"}
	s.set(reservation, policy)
	return s
}
