package tdmrep

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxHTML caps how much of an HTML document ParseHTML reads.
const MaxHTML = 1 << 20

// ParseHTML reads <meta name="tdm-reservation" content="..."> and <meta
// name="tdm-policy" content="..."> from an HTML document's head (up to
// <body>, </head> or MaxHTML bytes), names compared case-insensitively.
// Repeats are read as ParseHeaders reads them. It never
// fails: malformed markup yields what the tokenizer recovered.
func ParseHTML(doc []byte) Statement {
	if len(doc) > MaxHTML {
		doc = doc[:MaxHTML]
	}
	var res, pol []string
	z := html.NewTokenizer(bytes.NewReader(doc))
loop:
	for {
		switch z.Next() {
		case html.ErrorToken:
			break loop
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				break loop
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				break loop
			case atom.Meta:
				if !hasAttr {
					continue
				}
				var mname, content string
				for more := true; more; {
					var k, v []byte
					k, v, more = z.TagAttr()
					switch string(k) {
					case "name":
						mname = string(v)
					case "content":
						content = string(v)
					}
				}
				switch strings.ToLower(strings.TrimSpace(mname)) {
				case "tdm-reservation":
					res = append(res, content)
				case "tdm-policy":
					pol = append(pol, content)
				}
			}
		}
	}
	s := Statement{Source: "meta"}
	s.set(res, pol)
	return s
}

// ParseMeta builds the statement of meta elements already extracted by
// the caller: the content values of tdm-reservation and tdm-policy, in
// document order.
func ParseMeta(reservation, policy []string) Statement {
	s := Statement{Source: "meta"}
	s.set(reservation, policy)
	return s
}
