package signals

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// Caps for RSL documents.
const (
	maxRSLContents = 1000
	maxRSLLicenses = 100
)

// RSL 1.0 document model (digest §7.2), namespace https://rslstandard.org/rsl.
type rslDoc struct {
	XMLName  xml.Name     `xml:"rsl"`
	Contents []rslContent `xml:"content"`
}

type rslContent struct {
	URL      string       `xml:"url,attr"`
	Server   string       `xml:"server,attr"`
	Licenses []rslLicense `xml:"license"`
	Contact  []rslContact `xml:"copyright"`
}

type rslContact struct {
	Email string `xml:"contactEmail,attr"`
	URL   string `xml:"contactUrl,attr"`
}

type rslLicense struct {
	Permits   []rslList   `xml:"permits"`
	Prohibits []rslList   `xml:"prohibits"`
	Payment   *rslPayment `xml:"payment"`
	Legal     []rslList   `xml:"legal"`
}

type rslList struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type rslPayment struct {
	Type     string `xml:"type,attr"`
	Standard string `xml:"standard"`
	Custom   string `xml:"custom"`
	Amount   *struct {
		Currency string `xml:"currency,attr"`
		Value    string `xml:",chardata"`
	} `xml:"amount"`
}

// rslCovers lists the RSL usage tokens (1.0 and the AIPREF-style aliases of
// earlier drafts, digest §7.2) that name each use when prohibited (broadly)
// and when permitted (narrowly).
var (
	rslProhibits = map[Use][]string{
		TrainGenAI: {"all", "ai-all", "ai-train", "train-ai", "train-genai"},
		TrainAI:    {"all", "ai-all", "ai-train", "train-ai"},
		AIInput:    {"all", "ai-all", "ai-input", "ai-use", "ai-summarize"},
		Search:     {"all", "search"},
	}
	rslPermits = map[Use][]string{
		TrainGenAI: {"all", "ai-all", "ai-train", "train-ai", "train-genai"},
		TrainAI:    {"all", "ai-all", "ai-train"},
		AIInput:    {"all", "ai-all", "ai-input", "ai-use"},
		Search:     {"all", "search"},
	}
)

func usageTokens(lists []rslList) (tokens []string, present bool) {
	for _, l := range lists {
		if l.Type == "" || strings.EqualFold(l.Type, "usage") {
			present = true
			for _, f := range strings.Fields(l.Text) {
				tokens = append(tokens, strings.ToLower(f))
			}
		}
	}
	return tokens, present
}

func anyOf(tokens, names []string) bool {
	for _, t := range tokens {
		if slices.Contains(names, t) {
			return true
		}
	}
	return false
}

// rslEffects maps the licences of the selected <content> (digest §7 and
// §14.3 RSL rows): a use named by any <prohibits> is denied; otherwise a
// licence that covers it (its usage <permits> lists it, or it has none)
// allows when free and without a server, else requires a licence (with
// the offer); user or geo conditions make a grant a licence requirement;
// an AI use no licence covers is denied, search stays silent.
func rslEffects(c *rslContent, base *url.URL, docURL string) (map[Use]Verdict, *Offer, []string) {
	m := map[Use]Verdict{}
	var offer *Offer
	var warn []string
	for _, u := range AllUses() {
		denied, covered := false, false
		var best Verdict
		for i := range c.Licenses {
			l := &c.Licenses[i]
			if pro, _ := usageTokens(l.Prohibits); anyOf(pro, rslProhibits[u]) {
				denied = true
			}
			per, present := usageTokens(l.Permits)
			if present && !anyOf(per, rslPermits[u]) {
				continue
			}
			if !present && len(l.Permits) == 0 && len(l.Prohibits) > 0 {
				// A licence that only prohibits covers nothing.
				continue
			}
			covered = true
			free := l.Payment == nil || strings.EqualFold(l.Payment.Type, "free") || l.Payment.Type == "" && l.Payment.Amount == nil && l.Payment.Standard == "" && l.Payment.Custom == ""
			conditional := false
			for _, p := range l.Permits {
				if strings.EqualFold(p.Type, "user") || strings.EqualFold(p.Type, "geo") {
					conditional = true
				}
			}
			v := License
			if free && c.Server == "" && !conditional {
				v = Allow
			}
			if v == License && offer == nil {
				offer = rslOffer(c, l, base, docURL)
			}
			if best == "" || v == Allow {
				best = v
			}
			if conditional {
				warn = append(warn, "a licence is limited to some users or regions; treated as requiring a licence")
			}
		}
		switch {
		case denied:
			m[u] = Deny
		case covered:
			m[u] = best
		case u != Search:
			m[u] = Deny // RSL: what no licence covers is not licensed
		}
	}
	return m, offer, warn
}

func rslOffer(c *rslContent, l *rslLicense, base *url.URL, docURL string) *Offer {
	o := &Offer{Terms: docURL, Server: c.Server}
	if p := l.Payment; p != nil {
		o.Per = p.Type
		if p.Amount != nil {
			o.Price, o.Currency = strings.TrimSpace(p.Amount.Value), strings.TrimSpace(p.Amount.Currency)
		}
		if s := strings.TrimSpace(p.Standard); s != "" {
			o.Terms = resolve(base, s)
		}
		if s := strings.TrimSpace(p.Custom); s != "" {
			o.Contact = resolve(base, s)
		}
	}
	for _, ct := range c.Contact {
		if o.Contact == "" && ct.Email != "" {
			o.Contact = "mailto:" + ct.Email
		}
		if o.Contact == "" && ct.URL != "" {
			o.Contact = ct.URL
		}
	}
	return o
}

func resolve(base *url.URL, ref string) string {
	r, err := url.Parse(ref)
	if err != nil || base == nil {
		return ref
	}
	return base.ResolveReference(r).String()
}

// selectContent returns the <content> whose url pattern matches target and
// is longest (our choice where RSL is silent, digest §14.6). A pattern is a
// full URL (its origin must be target's) or a robots.txt path pattern.
func selectContent(d *rslDoc, target *url.URL) *rslContent {
	path := robotstxt.PathOf(target)
	var best *rslContent
	bestLen := -1
	for i := range d.Contents {
		c := &d.Contents[i]
		pat := strings.TrimSpace(c.URL)
		if pu, err := url.Parse(pat); err == nil && pu.Scheme != "" && pu.Host != "" {
			if !strings.EqualFold(pu.Host, target.Host) || pu.Scheme != target.Scheme {
				continue
			}
			pat = robotstxt.PathOf(pu)
			if pu.Path == "" {
				pat = "/"
			}
		}
		if pat == "" || !robotstxt.Match(pat, path) {
			continue
		}
		if len(pat) > bestLen {
			best, bestLen = c, len(pat)
		}
	}
	return best
}

// rslDocument maps one RSL document for target. A document that cannot be
// parsed requires a licence for the AI uses (fail closed: the terms exist
// but cannot be read, digest §14.3).
func rslDocument(target *url.URL, loc string, data []byte, uses []Use) []Statement {
	s := Statement{Mechanism: "rsl", Location: loc, Uses: map[Use]Verdict{}}
	var d rslDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&d); err != nil || d.XMLName.Local != "rsl" {
		if err == nil {
			err = fmt.Errorf("root element %q, want rsl", d.XMLName.Local)
		}
		s.Value = "unparseable"
		s.Uses = restrict(effects(License, TrainGenAI, TrainAI, AIInput), uses)
		s.Warnings = []string{fmt.Sprintf("RSL document unreadable (%v); a declared licence that cannot be read requires a licence", err)}
		return []Statement{s}
	}
	if len(d.Contents) > maxRSLContents {
		d.Contents = d.Contents[:maxRSLContents]
	}
	c := selectContent(&d, target)
	if c == nil {
		s.Value = "no <content> matches " + target.String()
		return []Statement{s}
	}
	if len(c.Licenses) > maxRSLLicenses {
		c.Licenses = c.Licenses[:maxRSLLicenses]
	}
	base, _ := url.Parse(strings.SplitN(loc, " ", 2)[0])
	m, offer, warn := rslEffects(c, base, strings.SplitN(loc, " ", 2)[0])
	s.Value = rslSummary(c)
	s.Uses, s.Offer, s.Warnings = restrict(m, uses), offer, warn
	return []Statement{s}
}

// rslSummary renders the selected content compactly for evidence.
func rslSummary(c *rslContent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "content %q", c.URL)
	if c.Server != "" {
		fmt.Fprintf(&b, " server %q", c.Server)
	}
	for _, l := range c.Licenses {
		b.WriteString("; license")
		for _, p := range l.Permits {
			fmt.Fprintf(&b, " permits(%s)=%s", p.Type, strings.Join(strings.Fields(p.Text), " "))
		}
		for _, p := range l.Prohibits {
			fmt.Fprintf(&b, " prohibits(%s)=%s", p.Type, strings.Join(strings.Fields(p.Text), " "))
		}
		if l.Payment != nil {
			fmt.Fprintf(&b, " payment=%s", l.Payment.Type)
			if l.Payment.Amount != nil {
				fmt.Fprintf(&b, " %s %s", strings.TrimSpace(l.Payment.Amount.Value), l.Payment.Amount.Currency)
			}
		}
	}
	return b.String()
}

// fromRSLDocuments fetches linked RSL documents (robots.txt License
// records, Link headers, <link rel=license>) and maps each. An unreachable
// or failing document requires a licence for the AI uses (fail closed).
func (in *Inspector) fromRSLDocuments(ctx context.Context, target *url.URL, urls []string, via string) []Statement {
	var out []Statement
	seen := map[string]bool{}
	for _, du := range urls {
		if seen[du] || len(seen) >= MaxRSLDocuments {
			continue
		}
		seen[du] = true
		loc := du + " (via " + via + ")"
		resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: du, Limit: MaxRSLDocument, Site: true})
		if err == nil && resp.Status/100 != 2 {
			err = fmt.Errorf("status %d", resp.Status)
		}
		if err != nil {
			out = append(out, Statement{
				Mechanism: "rsl", Location: loc, Value: "unreachable",
				Uses:     restrict(effects(License, TrainGenAI, TrainAI, AIInput), in.uses()),
				Offer:    &Offer{Terms: du},
				Warnings: []string{fmt.Sprintf("RSL document unreachable (%v); a declared licence that cannot be read requires a licence", err)},
			})
			continue
		}
		out = append(out, rslDocument(target, loc, resp.Body, in.uses())...)
	}
	return out
}
