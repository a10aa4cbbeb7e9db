package signals

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/contentsignal"
	"github.com/askfirst/askfirst/signals/robotstxt"
)

// contentSignalEffects maps one Content-Signal value (Cloudflare Content
// Signals Policy, digest §8, parsed by package contentsignal): ai-train
// covers all training, so it denies and grants both G and T; ai-input
// speaks to I and search to S (§14.3).
func contentSignalEffects(value string) (map[Use]Verdict, []string) {
	sig := contentsignal.Parse(value)
	m := map[Use]Verdict{}
	set := func(v contentsignal.Value, uses ...Use) {
		for _, u := range uses {
			switch v {
			case contentsignal.No:
				m[u] = Deny
			case contentsignal.Yes:
				m[u] = Allow
			}
		}
	}
	set(sig.AITrain, TrainGenAI, TrainAI)
	set(sig.AIInput, AIInput)
	set(sig.Search, Search)
	warn := sig.Warnings
	for _, p := range sig.Other {
		if p.Key != "use" { // Cloudflare's informal use=reference is not formalised (§8)
			warn = append(warn, fmt.Sprintf("%s: unknown key, ignored", p.Key))
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
