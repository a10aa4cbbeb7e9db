package protect

import (
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/signals/xmp"
)

// effects is what askfirst's readers (package signals, digest §14.3) make
// of one statement: the verdict for each use it speaks to.
type effects map[signals.Use]signals.Verdict

func on(v signals.Verdict, uses ...signals.Use) effects {
	e := effects{}
	for _, u := range uses {
		e[u] = v
	}
	return e
}

// Short names for the effect tables below.
const (
	uG = signals.TrainGenAI
	uT = signals.TrainAI
	uI = signals.AIInput
	uS = signals.Search
	vD = signals.Deny
	vL = signals.License
	vA = signals.Allow
)

// exact reports whether e gives every use it speaks to the policy's
// verdict.
func (p Policy) exact(e effects) bool {
	for u, v := range e {
		if p.Uses[u] != v {
			return false
		}
	}
	return true
}

// candidate is one statement a format can make.
type candidate[T any] struct {
	value T
	eff   effects
}

// score orders exact statements: the one reserving most, then requiring
// a licence most, then granting most.
func score(e effects) int {
	n := 0
	for _, v := range e {
		n += []int{0, 1, 100, 10000}[rank(v)]
	}
	return n
}

// best returns the exact candidate that states the most; ok is false when
// only silence is exact.
func best[T any](p Policy, cands []candidate[T]) (T, effects, bool) {
	var zero T
	bi, bs := -1, 0
	for k, c := range cands {
		if p.exact(c.eff) && score(c.eff) > bs {
			bi, bs = k, score(c.eff)
		}
	}
	if bi < 0 {
		return zero, nil, false
	}
	return cands[bi].value, cands[bi].eff, true
}

// unstated warns about the verdicts of the policy that one of a format's
// statements could give a use but the chosen statements leave out, and
// about licences the format speaks of the use but has no value for.
func unstated(p Policy, format, why string, speaks []effects, chosen ...effects) []Warning {
	var missing, nolicence []string
	for _, u := range signals.AllUses() {
		v := p.Uses[u]
		if v == "" {
			continue
		}
		can, spoken, stated := false, false, false
		for _, e := range speaks {
			w, ok := e[u]
			can = can || w == v
			spoken = spoken || ok
		}
		for _, e := range chosen {
			_, ok := e[u]
			stated = stated || ok
		}
		switch {
		case stated:
		case can:
			missing = append(missing, string(u)+" "+string(v))
		case spoken && v == signals.License:
			nolicence = append(nolicence, string(u))
		}
	}
	var out []Warning
	if len(missing) > 0 {
		out = append(out, Warning{format, fmt.Sprintf("does not state %s: %s; crawlers that read only %s see nothing about it", strings.Join(missing, ", "), why, format)})
	}
	if len(nolicence) > 0 {
		out = append(out, Warning{format, fmt.Sprintf("has no licence value: it says nothing about %s, whose licence other formats state", strings.Join(nolicence, ", "))})
	}
	return out
}

// tdmValue is a TDMRep statement: tdm-reservation 1 or 0, and whether a
// tdm-policy goes with it.
type tdmValue struct{ reserved, policy bool }

// tdmCandidates: reservation 1 denies, 1 with a policy requires a
// licence, 0 allows; TDM covers training and AI input, not search
// (digest §3.5).
var tdmCandidates = []candidate[tdmValue]{
	{tdmValue{true, false}, on(vD, uG, uT, uI)},
	{tdmValue{true, true}, on(vL, uG, uT, uI)},
	{tdmValue{false, false}, on(vA, uG, uT, uI)},
}

const tdmWhy = "TDMRep's one property covers train-genai, train-ai and ai-input together"

// iptcCandidates: the PLUS Data Mining values (digest §9); a "see
// constraint" licence only with a licence link for plus:OtherConstraints.
func (p Policy) iptcCandidates() []candidate[xmp.Value] {
	c := []candidate[xmp.Value]{
		{xmp.Allowed, on(vA, uG, uT, uI, uS)},
		{xmp.ProhibitedAIMLTraining, on(vD, uG, uT)},
		{xmp.ProhibitedGenAIMLTraining, on(vD, uG)},
		{xmp.ProhibitedExceptSearch, effects{uG: vD, uT: vD, uI: vD, uS: vA}},
		{xmp.Prohibited, on(vD, uG, uT, uI, uS)},
	}
	if p.Offer.Terms != "" {
		c = append(c, candidate[xmp.Value]{xmp.ProhibitedSeeConstraint, on(vL, uG, uT, uI, uS)})
	}
	return c
}

const iptcWhy = "IPTC Data Mining holds one value for the whole file, from a fixed list"

// aitxtCandidates: Spawning's ai.txt speaks to training only (digest §5).
var aitxtCandidates = []candidate[string]{
	{"Disallow", on(vD, uG, uT)},
	{"Allow", on(vA, uG, uT)},
}

const aitxtWhy = "ai.txt's Allow and Disallow cover train-genai and train-ai together and it has no licence value"

// key is one key=value of a dictionary-valued statement.
type key struct {
	name  string
	cands []candidate[string]
}

// contentUsageKeys: IETF AIPREF vocab-07 labels; askfirst reads
// train-ai=n as reserving all training, train-ai=y as granting
// generative training only (deny broadly, grant narrowly, digest §6.3).
// The label train-genai of earlier drafts (vocab-02, -03), which askfirst
// honours with its meaning there, is written only to state train-genai
// apart from train-ai, which no current label can.
var contentUsageKeys = []key{
	{"train-ai", []candidate[string]{{"n", on(vD, uG, uT)}, {"y", on(vA, uG)}}},
	{"search", []candidate[string]{{"n", on(vD, uS)}, {"y", on(vA, uS)}}},
	{"train-genai", []candidate[string]{{"n", on(vD, uG)}, {"y", on(vA, uG)}}},
}

const contentUsageWhy = "Content-Usage (IETF AIPREF) has no licence value and no ai-input label, and its train-ai=n covers train-genai and train-ai together"

// contentSignalKeys: Cloudflare's Content Signals (digest §8).
var contentSignalKeys = []key{
	{"search", []candidate[string]{{"no", on(vD, uS)}, {"yes", on(vA, uS)}}},
	{"ai-input", []candidate[string]{{"no", on(vD, uI)}, {"yes", on(vA, uI)}}},
	{"ai-train", []candidate[string]{{"no", on(vD, uG, uT)}, {"yes", on(vA, uG, uT)}}},
}

const contentSignalWhy = "Content-Signal has yes and no only, and its ai-train covers train-genai and train-ai together"

// noaiKeys: X-Robots-Tag and meta robots directives (digest §4).
var noaiKeys = []key{
	{"noai", []candidate[string]{{"noai, noimageai", on(vD, uG, uT, uI)}}},
	{"noindex", []candidate[string]{{"noindex", on(vD, uS)}}},
}

const noaiWhy = "noai reserves train-genai, train-ai and ai-input together, and robots directives can only reserve"

// dictionary chooses each key's value; it returns "k=v" items and what
// they state.
func (p Policy) dictionary(keys []key, sep string) ([]string, []effects, []effects) {
	var items []string
	var chosen, speaks []effects
	for _, k := range keys {
		for _, c := range k.cands {
			speaks = append(speaks, c.eff)
		}
		if v, e, ok := best(p, k.cands); ok && !covered(e, chosen) {
			if sep == "" {
				items = append(items, v)
			} else {
				items = append(items, k.name+sep+v)
			}
			chosen = append(chosen, e)
		}
	}
	return items, chosen, speaks
}

// covered reports whether every use e speaks to is stated by one of
// chosen already.
func covered(e effects, chosen []effects) bool {
	for u := range e {
		found := false
		for _, c := range chosen {
			_, ok := c[u]
			found = found || ok
		}
		if !found {
			return false
		}
	}
	return true
}

// rslKind is how an RSL licence treats one usage.
type rslKind int

const (
	rslProhibit rslKind = iota + 1
	rslPaid
	rslFree
)

// rslUsage is one RSL usage and the uses askfirst reads it for (digest
// §7.2: ai-train covers all training).
type rslUsage struct {
	name string
	uses []signals.Use
	ai   bool // an AI usage no licence covers reads as reserved
}

var rslUsages = []rslUsage{
	{"ai-train", []signals.Use{uG, uT}, true},
	{"ai-input", []signals.Use{uI}, true},
	{"search", []signals.Use{uS}, false},
}

const rslWhy = "RSL's ai-train covers train-genai and train-ai together, RSL reads an AI use that no licence covers as not licensed, and a licence server applies to every licence of the content"

// rslPlan is what license.xml says per usage (in rslUsages order); nil
// when RSL cannot state the policy exactly.
func (p Policy) rslPlan() ([]rslKind, []Warning) {
	kinds := make([]rslKind, len(rslUsages))
	var speaks, chosen []effects
	stated := false
	for k, u := range rslUsages {
		cands := []candidate[rslKind]{{rslProhibit, on(vD, u.uses...)}}
		if p.Offer.Terms != "" {
			cands = append(cands, candidate[rslKind]{rslPaid, on(vL, u.uses...)})
		}
		if p.Offer.Server == "" {
			// With a server every covered usage needs its token.
			cands = append(cands, candidate[rslKind]{rslFree, on(vA, u.uses...)})
		}
		for _, c := range cands {
			speaks = append(speaks, c.eff)
		}
		kind, e, ok := best(p, cands)
		if !ok {
			if u.ai {
				// Left out, an AI usage reads as reserved: RSL would say
				// more than the policy.
				return nil, unstated(p, "rsl", rslWhy+"; license.xml is not written", speaks)
			}
			continue
		}
		kinds[k], stated = kind, true
		chosen = append(chosen, e)
	}
	if !stated {
		return nil, nil
	}
	return kinds, unstated(p, "rsl", rslWhy, speaks, chosen...)
}

// expression is what every format states for a policy.
type expression struct {
	tdm           *tdmValue
	iptc          xmp.Value
	aitxt         string
	noai          []string // meta robots / X-Robots-Tag directives
	contentUsage  []string
	contentSignal []string
	rsl           []rslKind
	warnings      []Warning
	// stated is what the site's formats state together (IPTC aside).
	stated effects
}

// express works out what each format states; p must be normalized.
func (p Policy) express() expression {
	x := expression{stated: effects{}}
	state := func(es ...effects) {
		for _, e := range es {
			for u, v := range e {
				x.stated[u] = v
			}
		}
	}
	var speaks []effects
	for _, c := range tdmCandidates {
		speaks = append(speaks, c.eff)
	}
	if v, e, ok := best(p, tdmCandidates); ok {
		x.tdm = &v
		state(e)
		x.warnings = append(x.warnings, unstated(p, "tdmrep", tdmWhy, speaks, e)...)
	} else {
		x.warnings = append(x.warnings, unstated(p, "tdmrep", tdmWhy, speaks)...)
	}
	speaks = nil
	for _, c := range p.iptcCandidates() {
		speaks = append(speaks, c.eff)
	}
	v, e, ok := best(p, p.iptcCandidates())
	if ok {
		x.iptc = v
	}
	x.warnings = append(x.warnings, unstated(p, "iptc", iptcWhy, speaks, e)...)
	speaks = nil
	for _, c := range aitxtCandidates {
		speaks = append(speaks, c.eff)
	}
	rule, e, _ := best(p, aitxtCandidates)
	x.aitxt = rule
	state(e)
	x.warnings = append(x.warnings, unstated(p, "ai.txt", aitxtWhy, speaks, e)...)

	items, chosen, sp := p.dictionary(noaiKeys, "")
	x.noai = items
	state(chosen...)
	x.warnings = append(x.warnings, unstated(p, "noai", noaiWhy, sp, chosen...)...)
	items, chosen, sp = p.dictionary(contentUsageKeys, "=")
	x.contentUsage = items
	state(chosen...)
	x.warnings = append(x.warnings, unstated(p, "content-usage", contentUsageWhy, sp, chosen...)...)
	items, chosen, sp = p.dictionary(contentSignalKeys, "=")
	x.contentSignal = items
	state(chosen...)
	x.warnings = append(x.warnings, unstated(p, "content-signal", contentSignalWhy, sp, chosen...)...)
	var w []Warning
	x.rsl, w = p.rslPlan()
	for k, kind := range x.rsl {
		if kind != 0 {
			state(on(map[rslKind]signals.Verdict{rslProhibit: vD, rslPaid: vL, rslFree: vA}[kind], rslUsages[k].uses...))
		}
	}
	x.warnings = append(x.warnings, w...)
	return x
}

// unstatedBySite returns the decided uses no site format states, with
// what to do about it.
func (p Policy) unstatedBySite(x expression) []Warning {
	var out []Warning
	for _, u := range signals.AllUses() {
		v := p.Uses[u]
		if v == "" || x.stated[u] == v {
			continue
		}
		why := "the formats that could state it also speak for a use the policy leaves unstated or decides otherwise"
		switch {
		case u == uT && p.Uses[uG] != v:
			why = "no web format states train-ai apart from train-genai (AIPREF's train-ai=n, Content-Signal's ai-train, ai.txt, TDMRep and RSL's ai-train cover both); give train-genai and train-ai the same verdict, and state the difference in files (protect embed) and in the registry"
		case v == signals.License:
			why = "only RSL and TDMRep carry licences, and RSL reads an AI use it does not license as reserved: decide train-ai and ai-input too (the same for train-genai as for train-ai)"
		}
		out = append(out, Warning{"policy", fmt.Sprintf("%s %s is stated by no format of the site: %s", u, v, why)})
	}
	return out
}
