package signals

import (
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals/aipref"
	"github.com/askfirst/askfirst/signals/robotstxt"
)

// categoryUses maps the categories of an AIPREF label (package aipref,
// digest §6.2) to uses: a reservation applies to all of them (deny broadly).
var categoryUses = map[aipref.Category][]Use{
	aipref.CatTrainGenAI: {TrainGenAI},
	aipref.CatTrainAI:    {TrainGenAI, TrainAI},
	aipref.CatSearch:     {Search},
	aipref.CatAIUse:      {AIInput},
	aipref.CatAIOutput:   {Search, AIInput},
	aipref.CatAll:        {TrainGenAI, TrainAI, AIInput, Search},
}

// grantUses is what a y grants, narrowly (digest §14.1.4): vocab-07
// train-ai covers generative training only, so it grants G and not T.
var grantUses = map[string][]Use{
	"train-ai":    {TrainGenAI},
	"train-genai": {TrainGenAI},
	"genai":       {TrainGenAI},
	"search":      {Search},
}

// contentUsageEffects maps parsed AIPREF usage preferences to uses by the
// digest §14.3 table: train-ai=n denies G and T, train-ai=y grants G only;
// legacy labels of earlier drafts keep the meaning of their draft, with a
// warning; unknown labels and values state nothing.
func contentUsageEffects(p aipref.Preferences) (map[Use]Verdict, []string) {
	m := map[Use]Verdict{}
	var warn []string
	for _, e := range p.Entries {
		lbl, known := aipref.LookupLabel(e.Label)
		if !known {
			warn = append(warn, fmt.Sprintf("%s: unknown label, ignored", e.Label))
			continue
		}
		if e.Value == aipref.Unknown {
			warn = append(warn, fmt.Sprintf("%s=%s: value is not the token y or n; unknown", e.Label, e.Raw))
			continue
		}
		if !lbl.Current {
			warn = append(warn, fmt.Sprintf("%s=%s: legacy label of AIPREF %s, honoured with its meaning there", e.Label, e.Raw, lbl.Draft))
		}
		if e.Value == aipref.Disallowed {
			for _, c := range lbl.Covers {
				for _, u := range categoryUses[c] {
					m[u] = Deny
				}
			}
			continue
		}
		g, ok := grantUses[e.Label]
		if !ok {
			warn = append(warn, fmt.Sprintf("%s=y: grants nothing narrow enough to act on", e.Label))
		}
		for _, u := range g {
			if m[u] != Deny { // within one statement, the most restrictive
				m[u] = Allow
			}
		}
	}
	return m, warn
}

// contentUsageHeader maps Content-Usage response header fields (IETF
// draft-ietf-aipref-attach-05 §HTTP): the field lines are combined into
// one dictionary before parsing, so a repeated key keeps its last value.
func contentUsageHeader(loc string, values []string, uses []Use) []Statement {
	raw := strings.Join(values, ", ")
	prefs, err := aipref.Parse(raw)
	s := Statement{Mechanism: "content-usage", Location: loc, Value: raw, Uses: map[Use]Verdict{}}
	if err != nil {
		s.Warnings = append(s.Warnings, err.Error()+"; every use unknown")
		return []Statement{s}
	}
	m, w := contentUsageEffects(prefs)
	s.Uses, s.Warnings = restrict(m, uses), w
	return []Statement{s}
}

// robotsContentUsage maps the Content-Usage records robots.txt selected
// for a token and path (the longest path; records of equal length all
// apply and combine most restrictively, which Evaluate does across
// statements).
func robotsContentUsage(robotsURL string, lines []robotstxt.Line, uses []Use) []Statement {
	var out []Statement
	for _, l := range lines {
		s := Statement{Mechanism: "content-usage", Location: fmt.Sprintf("%s line %d", robotsURL, l.Line), Value: l.Value, Uses: map[Use]Verdict{}}
		if l.Path != "" {
			s.Value = l.Path + " " + l.Value
		}
		prefs, err := aipref.Parse(l.Value)
		if err != nil {
			s.Warnings = append(s.Warnings, err.Error()+"; every use unknown")
		} else {
			m, w := contentUsageEffects(prefs)
			s.Uses, s.Warnings = restrict(m, uses), w
		}
		out = append(out, s)
	}
	return out
}
