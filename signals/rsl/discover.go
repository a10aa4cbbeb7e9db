package rsl

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Caps on discovery input.
const (
	// MaxLinks caps the links read from headers or HTML.
	MaxLinks = 256
	// MaxHTML caps how much of an HTML document ParseHTML reads.
	MaxHTML = 1 << 20
)

// Link is one link from an RFC 8288 Link header field or an HTML <link>.
type Link struct {
	// URL is the target, resolved against the base when one was given.
	URL string
	// Rel holds the relation types, lower-cased.
	Rel []string
	// Type is the type parameter or attribute, lower-cased.
	Type string
}

// HasRel reports whether the link has relation type rel.
func (l Link) HasRel(rel string) bool {
	for _, r := range l.Rel {
		if r == rel {
			return true
		}
	}
	return false
}

// IsRSL reports whether the link is an RSL licence: rel license with type
// application/rsl+xml. A rel=license link without that type (a Creative
// Commons deed, say) is not.
func (l Link) IsRSL() bool { return l.HasRel("license") && l.Type == MediaType }

// ParseLinkHeader parses Link header field values (RFC 8288 §3): links
// separated by commas, each "<URI>" with ";"-separated parameters whose
// values are tokens or quoted strings. Relative URIs are resolved against
// base when it is not nil. Malformed links are skipped.
func ParseLinkHeader(values []string, base *url.URL) []Link {
	var out []Link
	for _, v := range values {
		s := v
		for len(out) < MaxLinks {
			s = strings.TrimLeft(s, " \t,")
			if !strings.HasPrefix(s, "<") {
				break
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				break
			}
			l := Link{URL: resolve(base, strings.TrimSpace(s[1:end]))}
			s = s[end+1:]
			// Parameters up to the next link.
			for {
				s = strings.TrimLeft(s, " \t")
				if !strings.HasPrefix(s, ";") {
					break
				}
				s = strings.TrimLeft(s[1:], " \t")
				i := strings.IndexAny(s, "=;,")
				name := s
				if i >= 0 {
					name = s[:i]
				}
				name = strings.ToLower(strings.TrimSpace(name))
				var val string
				if i >= 0 && s[i] == '=' {
					s = strings.TrimLeft(s[i+1:], " \t")
					val, s = paramValue(s)
				} else if i >= 0 {
					s = s[i:]
				} else {
					s = ""
				}
				switch name {
				case "rel":
					if l.Rel == nil { // RFC 8288 §3.3: only the first rel counts
						for _, r := range strings.Fields(val) {
							l.Rel = append(l.Rel, strings.ToLower(r))
						}
					}
				case "type":
					if l.Type == "" {
						l.Type = strings.ToLower(strings.TrimSpace(val))
					}
				}
			}
			out = append(out, l)
			// Skip to the next link.
			if i := strings.IndexByte(s, ','); i >= 0 {
				s = s[i+1:]
			} else {
				break
			}
		}
	}
	return out
}

// paramValue reads a token or quoted string and returns it with the rest.
func paramValue(s string) (string, string) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				return b.String(), s[i+1:]
			default:
				b.WriteByte(s[i])
			}
		}
		return b.String(), ""
	}
	i := strings.IndexAny(s, ";,")
	if i < 0 {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:i]), s[i:]
}

func resolve(base *url.URL, ref string) string {
	if base == nil {
		return ref
	}
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// HTMLResult is what ParseHTML found.
type HTMLResult struct {
	// Links are the <link> elements with rel license, in order.
	Links []Link
	// Inline are the bodies of <script type="application/rsl+xml">
	// elements, each at most MaxDocument bytes.
	Inline [][]byte
}

// ParseHTML reads <link rel="license" href type> elements and inline
// <script type="application/rsl+xml"> documents from an HTML document
// (the whole document up to MaxHTML bytes, since RSL allows the script in
// the body). Relative hrefs are resolved against base when not nil. It
// never fails.
func ParseHTML(doc []byte, base *url.URL) HTMLResult {
	if len(doc) > MaxHTML {
		doc = doc[:MaxHTML]
	}
	var res HTMLResult
	z := html.NewTokenizer(bytes.NewReader(doc))
	inRSL := false
	var script []byte
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return res
		case html.TextToken:
			if inRSL && len(script) < MaxDocument {
				script = append(script, z.Text()...)
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Script && inRSL {
				inRSL = false
				if len(res.Inline) < MaxLinks {
					if len(script) > MaxDocument {
						script = script[:MaxDocument]
					}
					res.Inline = append(res.Inline, script)
				}
				script = nil
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if !hasAttr || (a != atom.Link && a != atom.Script) {
				continue
			}
			attrs := map[string]string{}
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
			if a == atom.Script {
				inRSL = typ == MediaType && tt == html.StartTagToken
				continue
			}
			var rels []string
			for _, r := range strings.Fields(attrs["rel"]) {
				rels = append(rels, strings.ToLower(r))
			}
			l := Link{URL: resolve(base, strings.TrimSpace(attrs["href"])), Rel: rels, Type: typ}
			if l.HasRel("license") && len(res.Links) < MaxLinks {
				res.Links = append(res.Links, l)
			}
		}
	}
}
