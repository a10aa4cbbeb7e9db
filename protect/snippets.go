package protect

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// exemptPaths are served to every crawler, refused or not: the files that
// tell it the policy and how to obtain a licence.
func exemptPaths() []string {
	return []string{"/" + PathRobots, "/" + PathAITxt, "/" + PathTDMRep, "/" + PathLicense, "/" + PathTDMPolicy}
}

// regexNames returns the User-Agent names whose crawler gets action a, as
// case-insensitive regular-expression alternatives (words joined by
// white space), sorted.
func (m *matcher) regexNames(a action) []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range m.names {
		for _, n := range list {
			if m.actions[n.crawler] != a {
				continue
			}
			var parts []string
			for _, w := range n.words {
				parts = append(parts, regexp.QuoteMeta(strings.ToLower(w)))
			}
			re := strings.Join(parts, `\s+`)
			if !seen[re] {
				seen[re] = true
				out = append(out, re)
			}
		}
	}
	sort.Strings(out)
	return out
}

// uaRegexp is a case-insensitive (by the caller's flag) expression that
// finds one of names as a whole word of a User-Agent header, the way the
// Go middleware does.
func uaRegexp(names []string) string {
	return `(?:^|[^a-z0-9._-])(?:` + strings.Join(names, "|") + `)(?:[^a-z0-9._-]|$)`
}

// challenge is the WWW-Authenticate value of a 402 answer (RSL Crawler
// Authorization Protocol: the License scheme, RFC 6750-style parameters).
func challenge(l Links, errCode, desc string) string {
	return fmt.Sprintf(`License error="%s", error_description="%s", license_uri="%s"`, errCode, desc, l.License)
}

const (
	refusedText  = "Forbidden: this site's policy does not allow this crawler's use of its content. See /robots.txt.\n"
	licenceText  = "Payment Required: this crawler's use of the content needs a licence: %s. Present it as Authorization: License <token>.\n"
	licenceError = "a licence is required for this use of the content"
)

// snippetHeader opens a snippet with the policy and the warnings.
func snippetHeader(p Policy, comment, server, where string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s askfirst protect site: %s. Policy: %s.\n", comment, server, p)
	fmt.Fprintf(&b, "%s %s\n", comment, where)
	return b.String()
}

// quoteNginx quotes a value for nginx, in single quotes.
func quoteNginx(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// nginx writes the nginx snippet.
func nginx(p Policy, hs []header, m *matcher, l Links) []byte {
	var b strings.Builder
	b.WriteString(snippetHeader(p, "#", "nginx", "The map blocks go in the http {} context, the rest in your server {} block."))
	refuseNames, licenseNames := m.regexNames(refuse), m.regexNames(license)
	b.WriteString("\n# --- http {} context ---\nmap $http_user_agent $askfirst_crawler {\n    default \"\";\n")
	if len(refuseNames) > 0 {
		fmt.Fprintf(&b, "    %s refuse;\n", quoteNginx("~*"+uaRegexp(refuseNames)))
	}
	if len(licenseNames) > 0 {
		fmt.Fprintf(&b, "    %s license;\n", quoteNginx("~*"+uaRegexp(licenseNames)))
	}
	b.WriteString("}\nmap $uri $askfirst_exempt {\n    default 0;\n")
	for _, e := range exemptPaths() {
		fmt.Fprintf(&b, "    %s 1;\n", e)
	}
	b.WriteString("}\nmap \"$askfirst_crawler:$askfirst_exempt\" $askfirst_answer {\n    default \"\";\n    \"refuse:0\" 403;\n    \"license:0\" 402;\n}\n")
	b.WriteString("\n# --- server {} block ---\n# nginx drops these add_header lines in a location that has add_header lines of its own: repeat them there.\n")
	for _, h := range hs {
		fmt.Fprintf(&b, "add_header %s %s always;\n", h.name, quoteNginx(h.value))
	}
	fmt.Fprintf(&b, "location = /%s { types { } default_type application/rsl+xml; }\n", PathLicense)
	fmt.Fprintf(&b, "location = /%s { types { } default_type application/ld+json; }\n", PathTDMPolicy)
	b.WriteString("if ($askfirst_answer = 403) {\n    return 403;\n}\nif ($askfirst_answer = 402) {\n    return 402;\n}\n")
	b.WriteString("error_page 402 @askfirst_licence;\nlocation @askfirst_licence {\n")
	for _, h := range hs {
		fmt.Fprintf(&b, "    add_header %s %s always;\n", h.name, quoteNginx(h.value))
	}
	fmt.Fprintf(&b, "    add_header WWW-Authenticate %s always;\n", quoteNginx(challenge(l, "invalid_request", licenceError)))
	b.WriteString("    default_type text/plain;\n")
	fmt.Fprintf(&b, "    return 402 %s;\n}\n", quoteNginx(fmt.Sprintf(licenceText, l.License)))
	b.WriteString("# To admit crawlers that present a licence token (Authorization: License <token>), verify it with\n# your licence server, for example with auth_request, or serve through the Go middleware.\n")
	return []byte(b.String())
}

// quoteApache quotes a value for Apache, in double quotes: Apache's
// configuration reader unescapes only the quote, so a regular
// expression's backslashes stay as written.
func quoteApache(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// apache writes the Apache 2.4 snippet.
func apache(p Policy, hs []header, m *matcher, l Links) []byte {
	var b strings.Builder
	b.WriteString(snippetHeader(p, "#", "Apache 2.4 with mod_headers, mod_setenvif and mod_rewrite", "Put it in the virtual host, or in the site root's .htaccess."))
	b.WriteString("\n")
	for _, h := range hs {
		fmt.Fprintf(&b, "Header always set %s %s\n", h.name, quoteApache(h.value))
	}
	fmt.Fprintf(&b, "<Files %q>\n    ForceType application/rsl+xml\n</Files>\n", PathLicense)
	fmt.Fprintf(&b, "<Files %q>\n    ForceType application/ld+json\n</Files>\n", PathTDMPolicy)
	refuseNames, licenseNames := m.regexNames(refuse), m.regexNames(license)
	if len(refuseNames) > 0 {
		fmt.Fprintf(&b, "SetEnvIfNoCase User-Agent %s askfirst_refuse\n", quoteApache(uaRegexp(refuseNames)))
	}
	if len(licenseNames) > 0 {
		fmt.Fprintf(&b, "SetEnvIfNoCase User-Agent %s askfirst_license\n", quoteApache(uaRegexp(licenseNames)))
	}
	if len(refuseNames)+len(licenseNames) > 0 {
		var ex []string
		for _, e := range exemptPaths() {
			ex = append(ex, regexp.QuoteMeta(strings.TrimPrefix(e, "/")))
		}
		exempt := "!^/(?:" + strings.Join(ex, "|") + ")$"
		b.WriteString("RewriteEngine On\n")
		if len(refuseNames) > 0 {
			fmt.Fprintf(&b, "RewriteCond %%{REQUEST_URI} %s\nRewriteCond %%{ENV:askfirst_refuse} =1\nRewriteRule ^ - [F]\n", exempt)
		}
		if len(licenseNames) > 0 {
			fmt.Fprintf(&b, "RewriteCond %%{REQUEST_URI} %s\nRewriteCond %%{ENV:askfirst_license} =1\nRewriteRule ^ - [R=402,L]\n", exempt)
			fmt.Fprintf(&b, "Header always set WWW-Authenticate %s \"expr=%%{REQUEST_STATUS} == 402\"\n", quoteApache(challenge(l, "invalid_request", licenceError)))
			fmt.Fprintf(&b, "ErrorDocument 402 %s\n", quoteApache(strings.TrimSuffix(fmt.Sprintf(licenceText, l.License), "\n")))
		}
		b.WriteString("# To admit crawlers that present a licence token (Authorization: License <token>), verify it with\n# your licence server in front of this rule, or serve through the Go middleware.\n")
	}
	return []byte(b.String())
}

// caddy writes the Caddyfile snippet (Caddy 2).
func caddy(p Policy, hs []header, m *matcher, l Links) []byte {
	var b strings.Builder
	b.WriteString(snippetHeader(p, "#", "Caddy 2", "Paste it inside your site block."))
	bt := func(s string) string { return "`" + s + "`" }
	if len(hs) > 0 {
		b.WriteString("\nheader {\n")
		for _, h := range hs {
			fmt.Fprintf(&b, "\t%s %s\n", h.name, bt(h.value))
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "@askfirst_rsl path /%s\nheader @askfirst_rsl Content-Type application/rsl+xml\n", PathLicense)
	fmt.Fprintf(&b, "@askfirst_tdmpolicy path /%s\nheader @askfirst_tdmpolicy Content-Type application/ld+json\n", PathTDMPolicy)
	exempt := strings.Join(exemptPaths(), " ")
	if names := m.regexNames(refuse); len(names) > 0 {
		fmt.Fprintf(&b, "@askfirst_refuse {\n\theader_regexp User-Agent %s\n\tnot path %s\n}\n", bt("(?i)"+uaRegexp(names)), exempt)
		fmt.Fprintf(&b, "respond @askfirst_refuse %s 403\n", bt(refusedText))
	}
	if names := m.regexNames(license); len(names) > 0 {
		fmt.Fprintf(&b, "@askfirst_license {\n\theader_regexp User-Agent %s\n\tnot path %s\n}\n", bt("(?i)"+uaRegexp(names)), exempt)
		fmt.Fprintf(&b, "handle @askfirst_license {\n\theader WWW-Authenticate %s\n\trespond %s 402\n}\n", bt(challenge(l, "invalid_request", licenceError)), bt(fmt.Sprintf(licenceText, l.License)))
		b.WriteString("# To admit crawlers that present a licence token (Authorization: License <token>), verify it with\n# your licence server (forward_auth), or serve through the Go middleware.\n")
	}
	return []byte(b.String())
}
