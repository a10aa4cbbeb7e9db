package signals

import (
	"fmt"
	"strings"
)

// Directive-name prefixes of Google's robots grammar that contain a colon
// and are not crawler names (digest §4).
var robotsDirectivesWithValue = map[string]bool{
	"unavailable_after": true, "max-snippet": true, "max-image-preview": true, "max-video-preview": true,
}

// maxDirectives caps the directives read from one header or meta element.
const maxDirectives = 256

// robotsDirectives splits X-Robots-Tag field values into directives with
// their crawler scope ("" for all crawlers), as Google's grammar reads
// them: "examplebot: noai, noimageai" scopes both to examplebot until the
// next "name:" prefix (digest §4). Directives are lower-cased.
func robotsDirectives(values []string) (scoped []struct{ scope, directive string }) {
	for _, v := range values {
		scope := ""
		for _, part := range strings.Split(v, ",") {
			if len(scoped) >= maxDirectives {
				return scoped
			}
			part = strings.TrimSpace(part)
			if name, rest, ok := strings.Cut(part, ":"); ok {
				n := strings.ToLower(strings.TrimSpace(name))
				if !robotsDirectivesWithValue[n] && n != "" && !strings.ContainsAny(n, " \t") {
					scope = n
					part = strings.TrimSpace(rest)
				}
			}
			if part == "" {
				continue
			}
			scoped = append(scoped, struct{ scope, directive string }{scope, strings.ToLower(part)})
		}
	}
	return scoped
}

// noaiEffects maps robots directives (digest §4 and §14.3): noai (and noml)
// denies G, T and I; noimageai does too for an image, and for a page it
// concerns only the page's images; noindex and none deny S.
func noaiEffects(directives []string, image bool) (map[Use]Verdict, []string) {
	m := map[Use]Verdict{}
	var warn []string
	for _, d := range directives {
		switch d {
		case "noai", "noml":
			for _, u := range []Use{TrainGenAI, TrainAI, AIInput} {
				m[u] = Deny
			}
		case "noimageai":
			if image {
				for _, u := range []Use{TrainGenAI, TrainAI, AIInput} {
					m[u] = Deny
				}
			} else {
				warn = append(warn, "noimageai reserves the images of this page, not the page itself")
			}
		case "noindex", "none":
			m[Search] = Deny
		}
	}
	return m, warn
}

// relevant reports whether a directive set can matter, so that pages
// without any of them leave no evidence.
func relevant(ds []string) bool {
	for _, d := range ds {
		switch d {
		case "noai", "noml", "noimageai", "noindex", "none":
			return true
		}
	}
	return false
}

// noaiHeader maps X-Robots-Tag fields: general directives apply to every
// use, scoped ones to the uses whose product token is the scope.
func noaiHeader(loc string, values []string, image bool, uses []Use, tokenUses func(string) []Use) []Statement {
	if len(values) == 0 {
		return nil
	}
	byScope := map[string][]string{}
	var order []string
	for _, sd := range robotsDirectives(values) {
		if _, ok := byScope[sd.scope]; !ok {
			order = append(order, sd.scope)
		}
		byScope[sd.scope] = append(byScope[sd.scope], sd.directive)
	}
	var out []Statement
	for _, scope := range order {
		ds := byScope[scope]
		if !relevant(ds) {
			continue
		}
		applies := uses
		if scope != "" {
			applies = tokenUses(scope)
			if len(applies) == 0 {
				continue // scoped to another crawler
			}
		}
		m, w := noaiEffects(ds, image)
		val := strings.Join(ds, ", ")
		if scope != "" {
			val = scope + ": " + val
		}
		out = append(out, Statement{Mechanism: "noai", Location: loc + " header X-Robots-Tag", Value: val, Uses: restrict(m, applies), Warnings: w})
	}
	return out
}

// noaiMeta maps <meta name="robots"> (general) and <meta name="TOKEN">
// (for the uses of that product token) elements.
func noaiMeta(loc string, metas []headMeta, uses []Use, tokenUses func(string) []Use) []Statement {
	var out []Statement
	for _, mt := range metas {
		name := strings.ToLower(mt.Name)
		applies := uses
		if name != "robots" {
			applies = tokenUses(name)
			if len(applies) == 0 {
				continue
			}
		}
		var ds []string
		for _, d := range strings.Split(mt.Content, ",") {
			if d = strings.ToLower(strings.TrimSpace(d)); d != "" && len(ds) < maxDirectives {
				ds = append(ds, d)
			}
		}
		if !relevant(ds) {
			continue
		}
		m, w := noaiEffects(ds, false)
		out = append(out, Statement{
			Mechanism: "noai", Location: fmt.Sprintf("%s <meta name=%q> line %d", loc, mt.Name, mt.Line),
			Value: mt.Content, Uses: restrict(m, applies), Warnings: w,
		})
	}
	return out
}
