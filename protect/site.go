package protect

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
)

// Paths of the files Site writes under the site root.
const (
	PathRobots    = "robots.txt"
	PathAITxt     = "ai.txt"
	PathTDMRep    = ".well-known/tdmrep.json"
	PathTDMPolicy = "tdm-policy.json"
	PathLicense   = "license.xml"
)

// Links are the absolute (or root-relative) URLs where the published
// files are served.
type Links struct {
	// License is the RSL licence document.
	License string
	// TDMPolicy is the TDM Policy (TDMRep §"TDM Policy").
	TDMPolicy string
}

// LinksFor returns the links of a site whose base URL is base ("" gives
// root-relative links).
func LinksFor(base string) Links {
	base = strings.TrimSuffix(base, "/")
	return Links{License: base + "/" + PathLicense, TDMPolicy: base + "/" + PathTDMPolicy}
}

// SiteConfig is what Site publishes.
type SiteConfig struct {
	// Policy is the policy to publish.
	Policy Policy
	// URL is the site's base URL, such as https://www.example.com; with
	// it the links in the files are absolute, without it root-relative.
	URL string
	// Robots is an existing robots.txt to keep and add to; nil writes a
	// new one.
	Robots []byte
}

// SiteFiles is what Site writes: Files by path, under "site/" the files
// of the web root and under "server/" the snippets for the server and the
// pages, and README.md saying where each goes.
type SiteFiles struct {
	Files map[string][]byte
	// Policy is the normalized policy published.
	Policy Policy
	// Warnings list what a format cannot state exactly.
	Warnings []Warning
	// Conflicts list what the existing robots.txt says against the
	// policy; it is kept.
	Conflicts []string
}

// Site writes the files that publish c.Policy. It fails on a policy that
// Normalize refuses, a bad URL, or an existing robots.txt over MaxRobots.
func Site(c SiteConfig) (*SiteFiles, error) {
	p, warns, err := c.Policy.Normalize()
	if err != nil {
		return nil, err
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("site URL %q: want the site's root, such as https://www.example.com", c.URL)
		}
	}
	if len(c.Robots) > MaxRobots {
		return nil, fmt.Errorf("existing robots.txt of %d bytes, over %d", len(c.Robots), MaxRobots)
	}
	l := LinksFor(c.URL)
	x := p.express()
	out := &SiteFiles{Files: map[string][]byte{}, Policy: p, Warnings: append(warns, p.unstatedBySite(x)...)}
	for _, w := range x.warnings {
		if w.Format != "iptc" { // embedded metadata is for Embed
			out.Warnings = append(out.Warnings, w)
		}
	}
	if c.URL == "" {
		out.Warnings = append(out.Warnings, Warning{"policy", "no site URL given: the links in the files are root-relative, which some crawlers do not resolve; give the site's URL"})
	}
	put := func(path string, b []byte) { out.Files[path] = b }
	robots, conflicts := p.robots(x, l, c.Robots)
	out.Conflicts = conflicts
	put("site/"+PathRobots, robots)
	if x.aitxt != "" {
		put("site/"+PathAITxt, p.aiTxt(x))
	}
	if x.tdm != nil {
		put("site/"+PathTDMRep, tdmrepJSON(*x.tdm, l))
		if x.tdm.policy {
			put("site/"+PathTDMPolicy, p.tdmPolicy(l))
		}
	}
	if x.rsl != nil {
		put("site/"+PathLicense, p.rslDocument(x))
	}
	put("server/head.html", x.head(l))
	hs := x.headers(l)
	m := newMatcher(p)
	put("server/nginx.conf", nginx(p, hs, m, l))
	put("server/apache.conf", apache(p, hs, m, l))
	put("server/Caddyfile", caddy(p, hs, m, l))
	put("README.md", out.readme(x, l, c.URL))
	return out, nil
}

// aiTxt writes Spawning's ai.txt (digest §5): one rule for every path.
func (p Policy) aiTxt(x expression) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# ai.txt (Spawning) written by askfirst protect site.\n# Policy: %s.\n", p)
	fmt.Fprintf(&b, "User-Agent: *\n%s: /\n", x.aitxt)
	return []byte(b.String())
}

// tdmrepJSON writes /.well-known/tdmrep.json: one rule for every path
// (TDMRep §"TDM File on the Origin Server").
func tdmrepJSON(v tdmValue, l Links) []byte {
	type rule struct {
		Location    string `json:"location"`
		Reservation int    `json:"tdm-reservation"`
		Policy      string `json:"tdm-policy,omitempty"`
	}
	r := rule{Location: "/"}
	if v.reserved {
		r.Reservation = 1
	}
	if v.policy {
		r.Policy = l.TDMPolicy
	}
	b, _ := json.MarshalIndent([]rule{r}, "", "  ")
	return append(b, '\n')
}

// tdmPolicy writes the TDM Policy: an ODRL Offer in the TDMRep profile
// permitting mining with a compensation duty (TDMRep §"TDM Policy",
// digest §3.4), naming whom to ask.
func (p Policy) tdmPolicy(l Links) []byte {
	assigner := map[string]string{}
	if p.Offer.Holder != "" {
		assigner["vcard:fn"] = p.Offer.Holder
	}
	if strings.HasPrefix(p.Offer.Contact, "mailto:") {
		assigner["vcard:hasEmail"] = p.Offer.Contact
	}
	switch {
	case p.Offer.Contact != "" && !strings.HasPrefix(p.Offer.Contact, "mailto:"):
		assigner["vcard:hasURL"] = p.Offer.Contact
	default:
		assigner["vcard:hasURL"] = p.Offer.Terms
	}
	doc := map[string]any{
		"@context": []string{"http://www.w3.org/ns/odrl.jsonld", "http://www.w3.org/ns/tdmrep.jsonld"},
		"@type":    "Offer",
		"profile":  "http://www.w3.org/ns/tdmrep",
		"uid":      l.TDMPolicy,
		"assigner": assigner,
		"permission": []any{map[string]any{
			"action": "tdm:mine",
			"duty":   []any{map[string]string{"action": "compensate"}},
		}},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return append(b, '\n')
}

// paymentType is the RSL payment type for a licence of one usage.
var paymentType = map[string]string{"ai-train": "training", "ai-input": "use", "search": "crawl"}

// rslDocument writes license.xml (RSL 1.0): one content element for the
// whole site, a licence per usage.
func (p Policy) rslDocument(x expression) []byte {
	var b bytes.Buffer
	esc := func(s string) string {
		var e strings.Builder
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<!-- RSL licence written by askfirst protect site. Policy: %s. -->\n", esc(p.String()))
	b.WriteString(`<rsl xmlns="https://rslstandard.org/rsl">` + "\n")
	if p.Offer.Server != "" {
		fmt.Fprintf(&b, "  <content url=\"/\" server=\"%s\">\n", esc(p.Offer.Server))
	} else {
		b.WriteString("  <content url=\"/\">\n")
	}
	if p.Offer.Holder != "" {
		fmt.Fprintf(&b, "    <copyright>%s</copyright>\n", esc(p.Offer.Holder))
	}
	if p.Offer.Terms != "" {
		fmt.Fprintf(&b, "    <terms>%s</terms>\n", esc(p.Offer.Terms))
	}
	for k, u := range rslUsages {
		switch x.rsl[k] {
		case rslProhibit:
			fmt.Fprintf(&b, "    <license>\n      <prohibits type=\"usage\">%s</prohibits>\n    </license>\n", u.name)
		case rslFree:
			fmt.Fprintf(&b, "    <license>\n      <permits type=\"usage\">%s</permits>\n      <payment type=\"free\"/>\n    </license>\n", u.name)
		case rslPaid:
			fmt.Fprintf(&b, "    <license>\n      <permits type=\"usage\">%s</permits>\n      <payment type=\"%s\">\n", u.name, paymentType[u.name])
			if p.Offer.Price != "" {
				fmt.Fprintf(&b, "        <amount currency=\"%s\">%s</amount>\n", esc(p.Offer.Currency), esc(p.Offer.Price))
			}
			fmt.Fprintf(&b, "        <custom>%s</custom>\n      </payment>\n", esc(p.Offer.Terms))
			if p.Offer.Contact != "" {
				fmt.Fprintf(&b, "      <legal type=\"contact\">%s</legal>\n", esc(p.Offer.Contact))
			}
			b.WriteString("    </license>\n")
		}
	}
	b.WriteString("  </content>\n</rsl>\n")
	return b.Bytes()
}

// header is one response header field.
type header struct{ name, value string }

// headers returns the response header fields that state the policy:
// Content-Usage (IETF AIPREF), tdm-reservation and tdm-policy (TDMRep),
// X-Robots-Tag (noai, noindex) and Link to the RSL licence.
func (x expression) headers(l Links) []header {
	var hs []header
	if len(x.contentUsage) > 0 {
		hs = append(hs, header{"Content-Usage", strings.Join(x.contentUsage, ", ")})
	}
	if x.tdm != nil {
		v := "0"
		if x.tdm.reserved {
			v = "1"
		}
		hs = append(hs, header{"TDM-Reservation", v})
		if x.tdm.policy {
			hs = append(hs, header{"TDM-Policy", l.TDMPolicy})
		}
	}
	if len(x.noai) > 0 {
		hs = append(hs, header{"X-Robots-Tag", strings.Join(x.noai, ", ")})
	}
	if x.rsl != nil {
		hs = append(hs, header{"Link", fmt.Sprintf(`<%s>; rel="license"; type="application/rsl+xml"`, l.License)})
	}
	return hs
}

// head returns the tags for every HTML page's <head>.
func (x expression) head(l Links) []byte {
	var b strings.Builder
	b.WriteString("<!-- askfirst protect site: put these tags in the <head> of every page. -->\n")
	if x.tdm != nil {
		v := "0"
		if x.tdm.reserved {
			v = "1"
		}
		fmt.Fprintf(&b, "<meta name=\"tdm-reservation\" content=\"%s\">\n", v)
		if x.tdm.policy {
			fmt.Fprintf(&b, "<meta name=\"tdm-policy\" content=\"%s\">\n", html.EscapeString(l.TDMPolicy))
		}
	}
	if len(x.noai) > 0 {
		fmt.Fprintf(&b, "<meta name=\"robots\" content=\"%s\">\n", strings.Join(x.noai, ", "))
	}
	if x.rsl != nil {
		fmt.Fprintf(&b, "<link rel=\"license\" type=\"application/rsl+xml\" href=\"%s\">\n", html.EscapeString(l.License))
	}
	return []byte(b.String())
}

// readme says where each file goes.
func (f *SiteFiles) readme(x expression, l Links, base string) []byte {
	var b strings.Builder
	p := f.Policy
	fmt.Fprintf(&b, "# Your site's AI-use policy\n\nWritten by `askfirst protect site`. Policy: %s.\n", p)
	if p.Licensed() {
		fmt.Fprintf(&b, "Licence: %s", p.Offer.Terms)
		if p.Offer.Price != "" {
			fmt.Fprintf(&b, ", %s %s per item", p.Offer.Price, p.Offer.Currency)
		}
		b.WriteString(".\n")
	}
	b.WriteString("\n## 1. Copy `site/` to the root of your web site\n\n| file | served at | what it is |\n| --- | --- | --- |\n")
	var paths []string
	for path := range f.Files {
		if strings.HasPrefix(path, "site/") {
			paths = append(paths, strings.TrimPrefix(path, "site/"))
		}
	}
	sort.Strings(paths)
	what := map[string]string{
		PathRobots:    "robots.txt (RFC 9309): AI crawlers the policy refuses are disallowed; Content-Usage and Content-Signal lines state the policy to every crawler",
		PathAITxt:     "Spawning's ai.txt, read by dataset tools",
		PathTDMRep:    "W3C TDMRep site file: the text and data mining reservation",
		PathTDMPolicy: "TDMRep policy: how to obtain a licence (serve it as application/ld+json)",
		PathLicense:   "RSL 1.0 licence, named by robots.txt's License line (serve it as application/rsl+xml)",
	}
	for _, path := range paths {
		fmt.Fprintf(&b, "| `site/%s` | `%s/%s` | %s |\n", path, strings.TrimSuffix(base, "/"), path, what[path])
	}
	b.WriteString("\nIf you already have a robots.txt, run the command again with `--merge robots.txt`: your groups and rules are kept, and what contradicts the policy is reported.\n")
	b.WriteString("\n## 2. Add the tags of `server/head.html` to the `<head>` of every page\n\n")
	b.WriteString("## 3. Send the headers and refuse the crawlers, with your server's snippet\n\n")
	b.WriteString("- nginx: `server/nginx.conf` (its `map` blocks go in `http {}`, the rest in your `server {}`)\n")
	b.WriteString("- Apache 2.4: `server/apache.conf` (in the virtual host, or `.htaccess` with mod_headers and mod_rewrite)\n")
	b.WriteString("- Caddy 2: `server/Caddyfile` (inside your site block)\n")
	b.WriteString("- a Go server: the `protect.Middleware` of github.com/askfirst/askfirst/protect, which also accepts licence tokens\n\n")
	b.WriteString("They send on every response: ")
	var names []string
	for _, h := range x.headers(l) {
		names = append(names, "`"+h.name+"`")
	}
	if len(names) == 0 {
		names = []string{"nothing (the policy states nothing a header carries)"}
	}
	b.WriteString(strings.Join(names, ", ") + ". ")
	b.WriteString("AI crawlers the policy refuses get 403 Forbidden; those that must take a licence get 402 Payment Required with `WWW-Authenticate: License` (RSL Crawler Authorization Protocol). Browsers and other crawlers are served as before.\n")
	b.WriteString("\n## 4. Check what crawlers read\n\n```\naskfirst check " + strings.TrimSuffix(base, "/") + "/\n```\n\nEach use should come out as the policy says.\n")
	if len(f.Warnings) > 0 {
		b.WriteString("\n## What some formats cannot say\n\n")
		for _, w := range f.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	if len(f.Conflicts) > 0 {
		b.WriteString("\n## Your robots.txt says otherwise (kept)\n\n")
		for _, c := range f.Conflicts {
			fmt.Fprintf(&b, "- %s\n", c)
		}
	}
	return []byte(b.String())
}
