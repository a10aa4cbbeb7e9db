package signals

import (
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// contentSignalEffects maps one Content-Signal record (Cloudflare Content
// Signals Policy, digest §8): "search=yes, ai-train=no". Keys and values
// are compared case-insensitively; values other than yes/no and unknown
// keys state nothing (with a warning); ai-train covers all training, so
// it denies and grants both G and T (§14.3).
func contentSignalEffects(value string) (map[Use]Verdict, []string) {
	m := map[Use]Verdict{}
	var warn []string
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		if !ok {
			warn = append(warn, fmt.Sprintf("%q: not key=value; ignored", part))
			continue
		}
		var verdict Verdict
		switch v {
		case "yes":
			verdict = Allow
		case "no":
			verdict = Deny
		default:
			warn = append(warn, fmt.Sprintf("%s=%s: value is not yes or no; unknown", k, v))
			continue
		}
		var uses []Use
		switch k {
		case "ai-train":
			uses = []Use{TrainGenAI, TrainAI}
		case "ai-input":
			uses = []Use{AIInput}
		case "search":
			uses = []Use{Search}
		case "use":
			continue // Cloudflare's informal use=reference: not formalised, ignored (§8)
		default:
			warn = append(warn, fmt.Sprintf("%s: unknown key, ignored", k))
			continue
		}
		for _, u := range uses {
			if m[u] != Deny {
				m[u] = verdict
			}
		}
	}
	return m, warn
}

// robotsContentSignal maps the Content-Signal records of the group
// robots.txt selected for a token.
func robotsContentSignal(robotsURL string, lines []robotstxt.Line, uses []Use) []Statement {
	var out []Statement
	for _, l := range lines {
		m, w := contentSignalEffects(l.Value)
		out = append(out, Statement{
			Mechanism: "content-signal", Location: fmt.Sprintf("%s line %d", robotsURL, l.Line),
			Value: l.Value, Uses: restrict(m, uses), Warnings: w,
		})
	}
	return out
}
