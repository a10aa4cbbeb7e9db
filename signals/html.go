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
	// maxHeadItems caps the meta and link elements kept.
	maxHeadItems = 512
	// maxInlineRSL caps an inline <script type="application/rsl+xml">.
	maxInlineRSL = MaxRSLDocument
)

// headMeta is one <meta name content> element.
type headMeta struct {
	Name, Content string
	Line          int
}

// headLink is one <link rel href type> element.
type headLink struct {
	Rel, Href, Type string
	Line            int
}

// head is what signals need from an HTML page's head: meta elements
// (robots, token-specific robots, tdm-reservation, tdm-policy), link
// elements (rel=license) and inline RSL documents.
type head struct {
	Metas     []headMeta
	Links     []headLink
	InlineRSL [][]byte
}

// parseHead scans the start of an HTML document with the HTML5 tokenizer
// and collects meta and link elements up to </head> or <body> (or the
// first MaxHead bytes). It never fails: malformed markup yields what the
// tokenizer recovered.
func parseHead(doc []byte) head {
	if len(doc) > MaxHead {
		doc = doc[:MaxHead]
	}
	var h head
	z := html.NewTokenizer(bytes.NewReader(doc))
	z.SetMaxBuf(MaxHead)
	line := 1
	inRSL := false
	var rsl []byte
	for {
		tt := z.Next()
		raw := z.Raw()
		startLine := line
		line += bytes.Count(raw, []byte{'\n'})
		switch tt {
		case html.ErrorToken:
			return h
		case html.TextToken:
			if inRSL && len(rsl)+len(raw) <= maxInlineRSL {
				rsl = append(rsl, z.Text()...)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Head:
				return h
			case atom.Script:
				if inRSL {
					h.InlineRSL = append(h.InlineRSL, rsl)
					inRSL, rsl = false, nil
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Body {
				return h
			}
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := strings.ToLower(string(k))
				if _, dup := attrs[key]; !dup {
					attrs[key] = string(v)
				}
			}
			switch a {
			case atom.Meta:
				if n, ok := attrs["name"]; ok && len(h.Metas) < maxHeadItems {
					h.Metas = append(h.Metas, headMeta{Name: strings.TrimSpace(n), Content: attrs["content"], Line: startLine})
				}
			case atom.Link:
				if len(h.Links) < maxHeadItems {
					h.Links = append(h.Links, headLink{Rel: attrs["rel"], Href: strings.TrimSpace(attrs["href"]), Type: attrs["type"], Line: startLine})
				}
			case atom.Script:
				if strings.EqualFold(strings.TrimSpace(attrs["type"]), "application/rsl+xml") && tt == html.StartTagToken && len(h.InlineRSL) < MaxRSLDocuments {
					inRSL = true
				}
			}
		}
	}
}

// hasRel reports whether a space-separated rel list holds rel
// (case-insensitive, HTML §4.6.7 and RFC 8288 §3.3).
func hasRel(list, rel string) bool {
	for _, r := range strings.Fields(list) {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// linkValue is one link-value of an HTTP Link header (RFC 8288 §3).
type linkValue struct {
	Target string
	Params map[string]string // lower-case names; first occurrence wins
}

// maxLinks caps the link-values read from Link headers.
const maxLinks = 64

// parseLinkHeader parses Link header field values (RFC 8288 §3):
// `<uri-reference>; param=value; param="quoted"`, comma-separated, commas
// allowed inside quoted strings and the URI. Malformed link-values are
// skipped.
func parseLinkHeader(values []string) []linkValue {
	var out []linkValue
	for _, v := range values {
		s := v
		for len(s) > 0 && len(out) < maxLinks {
			s = strings.TrimLeft(s, " \t,")
			if !strings.HasPrefix(s, "<") {
				// Skip to the next comma outside quotes.
				s = skipToComma(s)
				continue
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				break
			}
			lv := linkValue{Target: strings.TrimSpace(s[1:end]), Params: map[string]string{}}
			s = s[end+1:]
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
				if _, dup := lv.Params[name]; !dup && name != "" {
					lv.Params[name] = val
				}
			}
			out = append(out, lv)
			s = skipToComma(s)
		}
	}
	return out
}

// paramValue reads a token or quoted-string (RFC 9110 §5.6.4) from s.
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

// skipToComma returns s after the next comma outside a quoted string.
func skipToComma(s string) string {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == ',' && !quoted:
			return s[i+1:]
		}
	}
	return ""
}
