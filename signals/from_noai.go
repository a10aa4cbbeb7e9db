package signals

import (
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals/internal/htmlmeta"
	"github.com/askfirst/askfirst/signals/noai"
)

// noaiEffects maps what the robots directives say to one crawler (digest
// §4 and §14.3): noai and noml deny G, T and I; noimageai does too for an
// image, while on a page it concerns only the page's images; noindex and
// none deny S; noarchive has no effect by default.
func noaiEffects(s noai.Set, image bool) (map[Use]Verdict, []string) {
	m := map[Use]Verdict{}
	var warn []string
	if s.NoAI || s.NoML || s.NoImageAI && image {
		for _, u := range []Use{TrainGenAI, TrainAI, AIInput} {
			m[u] = Deny
		}
	}
	if s.NoImageAI && !image {
		warn = append(warn, "noimageai reserves the images of this page, not the page itself")
	}
	if s.NoIndex {
		m[Search] = Deny
	}
	return m, warn
}

// relevant reports whether a directive set can matter, so that pages
// without any of them leave no evidence.
func relevant(s noai.Set) bool {
	return s.NoAI || s.NoML || s.NoImageAI || s.NoIndex
}

func directiveText(ds []noai.Directive) string {
	var parts []string
	for _, d := range ds {
		if d.Agent != "" {
			parts = append(parts, d.Agent+": "+d.Name)
		} else {
			parts = append(parts, d.Name)
		}
	}
	return strings.Join(parts, ", ")
}

// noaiFor maps parsed directives for every product token in use: general
// directives and those scoped to the token apply to that token's uses.
func (in *Inspector) noaiFor(loc string, ds noai.Directives, image bool, warn []string) []Statement {
	order, byToken := in.tokens()
	var out []Statement
	for _, tok := range order {
		set := ds.For(tok)
		if !relevant(set) {
			continue
		}
		m, w := noaiEffects(set, image)
		out = append(out, Statement{
			Mechanism: "noai", Location: loc, Value: directiveText(set.Matched),
			Uses: restrict(m, byToken[tok]), Warnings: append(append([]string(nil), warn...), w...),
		})
	}
	return out
}

// noaiHeader maps X-Robots-Tag fields (package noai parses them).
func (in *Inspector) noaiHeader(loc string, values []string, image bool) []Statement {
	if len(values) == 0 {
		return nil
	}
	ds, warn := noai.ParseXRobotsTag(values)
	return in.noaiFor(loc+" header X-Robots-Tag", ds, image, warn)
}

// noaiMeta maps <meta name="robots"> (general) and <meta name="TOKEN">
// (for that product token) elements of a page.
func (in *Inspector) noaiMeta(loc string, metas []htmlmeta.Meta) []Statement {
	var out []Statement
	for _, mt := range metas {
		ds := noai.ParseMeta(mt.Name, mt.Content)
		if len(ds) == 0 {
			continue
		}
		out = append(out, in.noaiFor(fmt.Sprintf("%s <meta name=%q> line %d", loc, mt.Name, mt.Line), ds, false, nil)...)
	}
	return out
}
