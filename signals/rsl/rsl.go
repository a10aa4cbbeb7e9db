// Package rsl reads RSL 1.0, Really Simple Licensing (RSL Technical
// Steering Committee, RSL-SPEC-1.0, https://rslstandard.org/rsl;
// askfirst's signals digest §7): the RSL XML document (standalone, or the
// rsl: module of an RSS feed), the selection of the content element that
// applies to a URL, and what its licences say about each usage, with the
// offer to show the user (payment type, amount, currency, terms, server,
// contact). Discovery helpers read RFC 8288 Link header fields and HTML
// <link rel="license"> and inline <script type="application/rsl+xml">;
// robots.txt License records come from package robotstxt.
//
// Interpretation (digest §7.2, §14.3), where the spec leaves room:
//   - <content url> patterns are full URLs or paths with robots.txt "*"
//     and "$"; the most specific content is the longest matching pattern
//     (our choice; the spec does not say).
//   - Usage values may be separated by spaces or commas. all ⊃ ai-all ⊃
//     {ai-train, ai-input, ai-index}; search stands apart. Earlier AIPREF
//     spellings are aliases: train-ai and train-genai → ai-train, ai-use
//     and ai-summarize → ai-input.
//   - A prohibition of a usage in any licence wins over every permission.
//     A usage value reserves or grants exactly the usages it names and
//     those it contains (all ⊃ ai-all ⊃ ai-train), no more: prohibiting
//     ai-train says nothing about ai-input.
//   - A licence with <permits type="usage"> covers only what it lists; a
//     licence with no usage permits covers every usage, except a licence
//     that holds only prohibitions, which grants nothing.
//   - <permits type="user|geo"> and <prohibits type="user|geo"> restrict
//     whom a licence covers; they are evaluated against the requester's
//     declared Profile (user class, country; a geo value may be a region
//     containing the country, such as EU). A requester who declared
//     nothing is covered by no restricted licence. A licence that covers
//     the usage but not the requester is not a licence for it: the usage
//     is NotCovered, with that licence as the offer.
//   - A covering licence is free when it has no payment or payment type
//     free, and the content names no license server; otherwise a licence
//     must be obtained.
//   - A usage no licence covers is not licensed, when the content offers
//     licences; a content whose licences only prohibit says nothing about
//     the usages it does not name (NotAddressed).
//
// It does not fetch, speak the Open License Protocol or Crawler
// Authorization Protocol, decrypt Encrypted Media Standard assets, or map
// usages to askfirst's uses (package signals).
package rsl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/language"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// Namespace is the RSL XML namespace.
const Namespace = "https://rslstandard.org/rsl"

// MediaType is the media type of RSL documents.
const MediaType = "application/rsl+xml"

// Caps on untrusted input.
const (
	// MaxDocument caps an RSL document.
	MaxDocument = 1 << 20
	// MaxContents caps the content elements read.
	MaxContents = 10000
	// MaxLicenses caps the licences read per content element.
	MaxLicenses = 100
	// MaxValues caps the values of one permits or prohibits element.
	MaxValues = 100
)

// ErrNotRSL is returned (wrapped) for XML that is not an RSL document or
// an RSS feed with RSL content.
var ErrNotRSL = errors.New("not an RSL document")

// Usage values of RSL 1.0.
const (
	UsageAll     = "all"
	UsageAIAll   = "ai-all"
	UsageAITrain = "ai-train"
	UsageAIInput = "ai-input"
	UsageAIIndex = "ai-index"
	UsageSearch  = "search"
)

var usageAliases = map[string]string{
	"train-ai":     UsageAITrain,
	"train-genai":  UsageAITrain,
	"ai-use":       UsageAIInput,
	"ai-summarize": UsageAIInput,
}

// CanonicalUsage returns the RSL 1.0 spelling of a usage value,
// lower-cased, mapping the aliases of earlier drafts; ok is false for
// values outside the vocabulary.
func CanonicalUsage(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if a, ok := usageAliases[v]; ok {
		return a, true
	}
	switch v {
	case UsageAll, UsageAIAll, UsageAITrain, UsageAIInput, UsageAIIndex, UsageSearch:
		return v, true
	}
	return v, false
}

// Scope is the values of permits or prohibits elements by type.
type Scope struct {
	// Usage holds canonical usage values (see CanonicalUsage); unknown
	// values are kept lower-cased.
	Usage []string
	// User holds user classes (commercial, non-commercial, education,
	// government, personal).
	User []string
	// Geo holds ISO 3166-1 alpha-2 codes.
	Geo []string
}

func (s Scope) empty() bool { return len(s.Usage) == 0 && len(s.User) == 0 && len(s.Geo) == 0 }

// Amount is a licence cost.
type Amount struct {
	// Value is the amount as written ("0.015").
	Value string
	// Currency is the ISO 4217 code.
	Currency string
}

// Payment is a licence's compensation model.
type Payment struct {
	// Type is purchase, subscription, training, crawl, use, contribution,
	// attribution or free ("" when the attribute is absent).
	Type string
	// Standard and Custom are URLs of a standard licence or rate card and
	// of custom terms.
	Standard, Custom []string
	// Amounts are the costs.
	Amounts []Amount
}

// Legal is a legal statement of a licence.
type Legal struct {
	// Type is warranty, disclaimer, contact, proof, attestation, ...
	Type string
	// Value is its text or URL.
	Value string
}

// License is one set of terms a user can satisfy.
type License struct {
	// Index is its 0-based position in its content element.
	Index     int
	Permits   Scope
	Prohibits Scope
	// Payment is nil when the licence has none (it is then free).
	Payment *Payment
	Legal   []Legal
}

// Free reports whether the licence costs nothing.
func (l *License) Free() bool {
	return l.Payment == nil || l.Payment.Type == "" && len(l.Payment.Amounts) == 0 || strings.EqualFold(l.Payment.Type, "free")
}

// Copyright names the rights holder.
type Copyright struct {
	// Type is person or organization.
	Type string
	// Name is the element's text.
	Name string
	// Email and URL are its contact attributes.
	Email, URL string
}

// Content is one <content> element: a set of assets and their licences.
type Content struct {
	// Index is its 0-based position in the document.
	Index int
	// URL is the asset pattern: a full URL or a path with "*" and "$".
	URL string
	// Server is the RSL License Server; when set a licence must be
	// obtained from it even when free.
	Server    string
	Encrypted bool
	LastMod   string
	Licenses  []License
	Terms     []string
	Copyright *Copyright
	Schema    string
}

// Document is a parsed RSL document.
type Document struct {
	Contents []Content
	// Warnings report ignored elements and values outside the vocabulary.
	Warnings []string
}

// Parse parses an RSL document, or an RSS feed carrying rsl: content
// elements. It fails on XML errors, on documents over MaxDocument, and
// with ErrNotRSL when the root is neither <rsl> nor <rss>.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxDocument {
		return nil, fmt.Errorf("parse RSL document: %d bytes over the %d-byte limit", len(data), MaxDocument)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	// Documents may declare another encoding (ISO-8859-1, windows-1252).
	dec.CharsetReader = charset.NewReaderLabel
	doc := &Document{}
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse RSL document: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			root = false
			switch {
			case se.Name.Local == "rsl" && (se.Name.Space == Namespace || se.Name.Space == ""):
				if se.Name.Space == "" {
					doc.Warnings = append(doc.Warnings, "root <rsl> lacks the RSL namespace")
				}
				continue
			case se.Name.Local == "rss":
				continue
			}
			return nil, fmt.Errorf("parse RSL document: root element <%s>: %w", se.Name.Local, ErrNotRSL)
		}
		if se.Name.Local != "content" || (se.Name.Space != Namespace && se.Name.Space != "") {
			continue
		}
		if len(doc.Contents) >= MaxContents {
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("more than %d content elements; rest ignored", MaxContents))
			break
		}
		var xc xmlContent
		if err := dec.DecodeElement(&xc, &se); err != nil {
			return nil, fmt.Errorf("parse RSL document: content %d: %w", len(doc.Contents), err)
		}
		doc.Contents = append(doc.Contents, xc.convert(len(doc.Contents), &doc.Warnings))
	}
	if root {
		return nil, fmt.Errorf("parse RSL document: empty: %w", ErrNotRSL)
	}
	return doc, nil
}

type xmlScope struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type xmlPayment struct {
	Type     string   `xml:"type,attr"`
	Standard []string `xml:"standard"`
	Custom   []string `xml:"custom"`
	Amount   []struct {
		Currency string `xml:"currency,attr"`
		Value    string `xml:",chardata"`
	} `xml:"amount"`
}

type xmlLicense struct {
	Permits   []xmlScope   `xml:"permits"`
	Prohibits []xmlScope   `xml:"prohibits"`
	Payment   []xmlPayment `xml:"payment"`
	Legal     []xmlScope   `xml:"legal"`
}

type xmlContent struct {
	URL       string       `xml:"url,attr"`
	Server    string       `xml:"server,attr"`
	Encrypted string       `xml:"encrypted,attr"`
	LastMod   string       `xml:"lastmod,attr"`
	License   []xmlLicense `xml:"license"`
	Terms     []string     `xml:"terms"`
	Schema    string       `xml:"schema"`
	Copyright []struct {
		Type  string `xml:"type,attr"`
		Email string `xml:"contactEmail,attr"`
		URL   string `xml:"contactUrl,attr"`
		Name  string `xml:",chardata"`
	} `xml:"copyright"`
}

func (xc *xmlContent) convert(index int, warn *[]string) Content {
	c := Content{
		Index:     index,
		URL:       strings.TrimSpace(xc.URL),
		Server:    strings.TrimSpace(xc.Server),
		Encrypted: strings.EqualFold(strings.TrimSpace(xc.Encrypted), "true"),
		LastMod:   strings.TrimSpace(xc.LastMod),
		Schema:    strings.TrimSpace(xc.Schema),
	}
	if c.URL == "" {
		*warn = append(*warn, fmt.Sprintf("content %d has no url attribute; it matches nothing", index))
	}
	for _, t := range xc.Terms {
		if t = strings.TrimSpace(t); t != "" {
			c.Terms = append(c.Terms, t)
		}
	}
	if len(xc.Copyright) > 0 {
		x := xc.Copyright[0]
		c.Copyright = &Copyright{Type: strings.TrimSpace(x.Type), Name: strings.TrimSpace(x.Name), Email: strings.TrimSpace(x.Email), URL: strings.TrimSpace(x.URL)}
	}
	for i, xl := range xc.License {
		if i >= MaxLicenses {
			*warn = append(*warn, fmt.Sprintf("content %d: more than %d licences; rest ignored", index, MaxLicenses))
			break
		}
		l := License{Index: i}
		where := fmt.Sprintf("content %d licence %d", index, i)
		for _, s := range xl.Permits {
			addScope(&l.Permits, s, where+" permits", warn)
		}
		for _, s := range xl.Prohibits {
			addScope(&l.Prohibits, s, where+" prohibits", warn)
		}
		if len(xl.Payment) > 0 {
			xp := xl.Payment[0]
			p := &Payment{Type: strings.ToLower(strings.TrimSpace(xp.Type))}
			for _, s := range xp.Standard {
				if s = strings.TrimSpace(s); s != "" {
					p.Standard = append(p.Standard, s)
				}
			}
			for _, s := range xp.Custom {
				if s = strings.TrimSpace(s); s != "" {
					p.Custom = append(p.Custom, s)
				}
			}
			for _, a := range xp.Amount {
				p.Amounts = append(p.Amounts, Amount{Value: strings.TrimSpace(a.Value), Currency: strings.ToUpper(strings.TrimSpace(a.Currency))})
			}
			switch p.Type {
			case "", "purchase", "subscription", "training", "crawl", "use", "contribution", "attribution", "free", "inference":
			default:
				*warn = append(*warn, fmt.Sprintf("%s: payment type %q outside RSL 1.0", where, p.Type))
			}
			if len(xl.Payment) > 1 {
				*warn = append(*warn, fmt.Sprintf("%s: %d payment elements; the first counts", where, len(xl.Payment)))
			}
			l.Payment = p
		}
		for _, lg := range xl.Legal {
			l.Legal = append(l.Legal, Legal{Type: strings.TrimSpace(lg.Type), Value: strings.TrimSpace(lg.Value)})
		}
		c.Licenses = append(c.Licenses, l)
	}
	return c
}

func splitValues(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

func addScope(dst *Scope, s xmlScope, where string, warn *[]string) {
	vals := splitValues(s.Value)
	if len(vals) > MaxValues {
		*warn = append(*warn, fmt.Sprintf("%s: more than %d values; rest ignored", where, MaxValues))
		vals = vals[:MaxValues]
	}
	switch t := strings.ToLower(strings.TrimSpace(s.Type)); t {
	case "usage", "":
		if t == "" {
			*warn = append(*warn, where+": no type attribute; read as usage")
		}
		for _, v := range vals {
			u, ok := CanonicalUsage(v)
			if !ok {
				*warn = append(*warn, fmt.Sprintf("%s: usage %q outside RSL 1.0", where, v))
			} else if u != strings.ToLower(v) {
				*warn = append(*warn, fmt.Sprintf("%s: usage %q read as %q (earlier draft spelling)", where, v, u))
			}
			dst.Usage = append(dst.Usage, u)
		}
	case "user":
		for _, v := range vals {
			v = strings.ToLower(v)
			if !slices.Contains(UserClasses, v) {
				*warn = append(*warn, fmt.Sprintf("%s: user class %q outside RSL 1.0", where, v))
			}
			dst.User = append(dst.User, v)
		}
	case "geo":
		for _, v := range vals {
			v = strings.ToUpper(v)
			if _, err := language.ParseRegion(v); err != nil {
				*warn = append(*warn, fmt.Sprintf("%s: geo %q is not an ISO 3166-1 code", where, v))
			}
			dst.Geo = append(dst.Geo, v)
		}
	default:
		*warn = append(*warn, fmt.Sprintf("%s: type %q outside usage, user and geo; ignored", where, s.Type))
	}
}

// Select returns the content element that applies to target: among those
// whose url pattern matches (a full-URL pattern must also have the
// target's scheme and host), the one with the longest path pattern; the
// first in document order on a tie. ok is false when none matches.
func (d *Document) Select(target *url.URL) (c *Content, ok bool) {
	path := robotstxt.PathOf(target)
	best := -1
	for i := range d.Contents {
		pat := d.Contents[i].URL
		if pat == "" {
			continue
		}
		if strings.Contains(pat, "://") {
			u, err := url.Parse(pat)
			if err != nil || !strings.EqualFold(u.Scheme, target.Scheme) || !strings.EqualFold(u.Host, target.Host) {
				continue
			}
			pat = robotstxt.Path(pat)
			if u.Path == "" && u.RawQuery == "" {
				pat = "/" // "https://example.com" covers the whole origin
			}
		}
		if len(pat) > best && robotstxt.Match(pat, path) {
			best, c = len(pat), &d.Contents[i]
		}
	}
	return c, c != nil
}
