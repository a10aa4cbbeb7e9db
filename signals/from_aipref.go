package signals

import (
	"fmt"
	"sort"
	"strings"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// contentUsageEffects maps AIPREF usage preferences (label → "y"/"n", a
// parsed Structured Fields dictionary, draft-ietf-aipref-vocab-07) to uses
// by the digest §14.3 table: deny broadly (train-ai=n denies G and T),
// grant narrowly (train-ai=y grants G only); legacy labels of earlier
// drafts (§6.2) keep the meaning of their draft, with a warning.
func contentUsageEffects(prefs map[string]string) (map[Use]Verdict, []string) {
	m := map[Use]Verdict{}
	var warn []string
	set := func(v Verdict, uses ...Use) {
		for _, u := range uses {
			if m[u] != Deny { // within one statement, the most restrictive
				m[u] = v
			}
		}
	}
	labels := make([]string, 0, len(prefs))
	for l := range prefs {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, label := range labels {
		val := prefs[label]
		if val != "y" && val != "n" {
			warn = append(warn, fmt.Sprintf("%s=%s: value is not the token y or n; unknown", label, val))
			continue
		}
		deny := val == "n"
		legacy := func() {
			warn = append(warn, fmt.Sprintf("%s=%s: legacy label of an earlier AIPREF draft, honoured with its meaning then", label, val))
		}
		switch label {
		case "train-ai":
			if deny {
				set(Deny, TrainGenAI, TrainAI)
			} else {
				set(Allow, TrainGenAI)
			}
		case "search":
			if deny {
				set(Deny, Search)
			} else {
				set(Allow, Search)
			}
		case "train-genai", "genai":
			legacy()
			if deny {
				set(Deny, TrainGenAI)
			} else {
				set(Allow, TrainGenAI)
			}
		case "ai":
			legacy()
			if deny {
				set(Deny, TrainGenAI, TrainAI)
			}
		case "ai-use", "inference":
			legacy()
			if deny {
				set(Deny, AIInput)
			}
		case "ai-output":
			legacy()
			if deny {
				set(Deny, Search, AIInput)
			}
		case "bots", "all", "tdm":
			legacy()
			if deny {
				set(Deny, AllUses()...)
			}
		default:
			warn = append(warn, fmt.Sprintf("%s: unknown label, ignored", label))
		}
	}
	return m, warn
}

// contentUsageHeader maps Content-Usage response header fields (IETF
// draft-ietf-aipref-attach-05 §HTTP): the field lines are combined into
// one dictionary before parsing, so a repeated key keeps its last value.
func contentUsageHeader(loc string, values []string, uses []Use) []Statement {
	raw := strings.Join(values, ", ")
	prefs, err := parseUsagePrefs(raw)
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
		prefs, err := parseUsagePrefs(l.Value)
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
