package protect

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/signals/airobots"
)

// crawler is one AI crawler of the ai.robots.txt catalogue (package
// signals/airobots) as protect uses it.
type crawler struct {
	// token is its robots.txt product token, as askfirst's robots.txt
	// matching reads it (airobots.Tokens): the name up to white space or
	// "/".
	token string
	// uses are what it collects for, from its classified purposes:
	// training for train-genai and train-ai, AI input and AI search for
	// ai-input, an unknown purpose for all three.
	uses []signals.Use
}

// genericNames are catalogue names too common to find in a User-Agent
// header without refusing browsers and editors (Visual Studio Code and
// Cursor send "Code/1.90" and "Cursor/0.40"); they are still named in
// robots.txt, where a crawler looks for its own token.
var genericNames = map[string]bool{
	"code": true, "cursor": true, "spider": true, "operator": true, "trae": true,
	"devin": true, "lcc": true, "yak": true, "openai": true,
}

// usesOf maps catalogue purposes to askfirst's uses.
func usesOf(c airobots.Crawler) []signals.Use {
	var out []signals.Use
	add := func(us ...signals.Use) {
		for _, u := range us {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	for _, p := range c.Purposes {
		switch p {
		case airobots.PurposeTraining:
			add(signals.TrainGenAI, signals.TrainAI)
		case airobots.PurposeAIInput, airobots.PurposeAISearch:
			add(signals.AIInput)
		default:
			add(signals.TrainGenAI, signals.TrainAI, signals.AIInput)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		return slices.Index(signals.AllUses(), out[a]) < slices.Index(signals.AllUses(), out[b])
	})
	return out
}

// catalogue returns the crawlers, one per token (case-insensitively; the
// uses of names sharing a token are joined), sorted by token.
var catalogue = sync.OnceValue(func() []crawler {
	byToken := map[string]*crawler{}
	var order []string
	for _, c := range airobots.All() {
		tok := c.Token
		if k := strings.IndexAny(tok, " \t/"); k >= 0 {
			tok = tok[:k]
		}
		if tok == "" {
			continue
		}
		k := strings.ToLower(tok)
		cr := byToken[k]
		if cr == nil {
			cr = &crawler{token: tok}
			byToken[k] = cr
			order = append(order, k)
		}
		for _, u := range usesOf(c) {
			if !slices.Contains(cr.uses, u) {
				cr.uses = append(cr.uses, u)
			}
		}
		sort.Slice(cr.uses, func(a, b int) bool {
			return slices.Index(signals.AllUses(), cr.uses[a]) < slices.Index(signals.AllUses(), cr.uses[b])
		})
	}
	sort.Strings(order)
	out := make([]crawler, 0, len(order))
	for _, k := range order {
		out = append(out, *byToken[k])
	}
	return out
})

// uaNames are the catalogue names found in User-Agent headers: each as
// words, with the index of its crawler in catalogue(). Control tokens
// (Google-Extended) are sent by no request.
type uaName struct {
	words   []string
	crawler int
}

var uaNames = sync.OnceValue(func() []uaName {
	idx := map[string]int{}
	for k, c := range catalogue() {
		idx[strings.ToLower(c.token)] = k
	}
	var out []uaName
	seen := map[string]bool{}
	for _, c := range airobots.All() {
		if c.Control {
			continue
		}
		name := c.Token
		if k := strings.IndexByte(name, '/'); k >= 0 {
			name = name[:k] // "MistralAI-User/1.0": the version varies
		}
		words := strings.Fields(name)
		key := strings.ToLower(strings.Join(words, " "))
		if len(words) == 0 || seen[key] || genericNames[key] {
			continue
		}
		seen[key] = true
		tok := words[0]
		out = append(out, uaName{words: words, crawler: idx[strings.ToLower(tok)]})
	}
	return out
})

// action is what a server does with a request.
type action uint8

const (
	pass    action = iota // serve it
	license               // 402 unless a licence token is verified
	refuse                // 403
)

// actionFor decides for a crawler collecting for uses: refuse when the
// policy denies every one of them, require a licence when each is denied
// or licensed and one is licensed, otherwise serve (a use allowed or
// unstated lets it collect).
func (p Policy) actionFor(uses []signals.Use) action {
	lic := false
	for _, u := range uses {
		switch p.Uses[u] {
		case signals.Deny:
		case signals.License:
			lic = true
		default:
			return pass
		}
	}
	if lic {
		return license
	}
	if len(uses) == 0 {
		return pass
	}
	return refuse
}

// wordBytes marks the bytes a User-Agent word is made of: letters,
// digits, "-", "_" and "."; lower maps a byte to its ASCII lower case.
var wordBytes, lower = func() (w [256]bool, l [256]byte) {
	for c := range 256 {
		b := byte(c)
		w[c] = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.'
		l[c] = b
		if b >= 'A' && b <= 'Z' {
			l[c] = b + 'a' - 'A'
		}
	}
	return w, l
}()

func isWordByte(c byte) bool { return wordBytes[c] }

func fold(c byte) byte { return lower[c] }

// hashWord is FNV-1a over the lower-cased word.
func hashWord(w string) uint64 {
	h := uint64(14695981039346656037)
	for k := 0; k < len(w); k++ {
		h ^= uint64(fold(w[k]))
		h *= 1099511628211
	}
	return h
}

// matcher finds catalogue crawlers in User-Agent headers without
// allocating: the header's words (runs of letters, digits, "-", "_", ".")
// that could start a name are hashed and looked up in an open-addressing
// table; a hit is confirmed case-insensitively, with the following words
// for names of several words.
type matcher struct {
	slots   []slot // power-of-two length; hash 0 marks an empty slot
	names   [][]uaName
	minLen  int
	maxLen  int
	actions []action // per catalogue crawler
}

type slot struct {
	hash  uint64
	names int32 // index into matcher.names
}

func newMatcher(p Policy) *matcher {
	m := &matcher{minLen: 1 << 30}
	for _, c := range catalogue() {
		m.actions = append(m.actions, p.actionFor(c.uses))
	}
	byHash := map[uint64][]uaName{}
	var order []uint64
	for _, n := range uaNames() {
		if m.actions[n.crawler] == pass {
			continue
		}
		h := hashWord(n.words[0]) | 1 // never 0
		if byHash[h] == nil {
			order = append(order, h)
		}
		byHash[h] = append(byHash[h], n)
		m.minLen, m.maxLen = min(m.minLen, len(n.words[0])), max(m.maxLen, len(n.words[0]))
	}
	size := 16
	for size < 4*len(order) {
		size *= 2
	}
	m.slots = make([]slot, size)
	for _, h := range order {
		k := int(h) & (size - 1)
		for m.slots[k].hash != 0 {
			k = (k + 1) & (size - 1)
		}
		m.slots[k] = slot{hash: h, names: int32(len(m.names))}
		m.names = append(m.names, byHash[h])
	}
	return m
}

// lookup returns the names whose first word hashes to h.
func (m *matcher) lookup(h uint64) []uaName {
	mask := len(m.slots) - 1
	for k := int(h) & mask; ; k = (k + 1) & mask {
		s := m.slots[k]
		if s.hash == h {
			return m.names[s.names]
		}
		if s.hash == 0 {
			return nil
		}
	}
}

// match returns the strictest action for the crawlers named in ua, and the
// crawler (-1 when none).
func (m *matcher) match(ua string) (action, int) {
	best, who := pass, -1
	if len(m.names) == 0 {
		return best, who
	}
	for k := 0; k < len(ua); {
		for k < len(ua) && !isWordByte(ua[k]) {
			k++
		}
		start := k
		for k < len(ua) && isWordByte(ua[k]) {
			k++
		}
		if start == k {
			break
		}
		// No name starts with a digit (versions do) or has a first word of
		// another length than the table's.
		if n := k - start; n < m.minLen || n > m.maxLen || ua[start] <= '9' {
			continue
		}
		for _, n := range m.lookup(hashWord(ua[start:k]) | 1) {
			if !strings.EqualFold(n.words[0], ua[start:k]) || !followedBy(ua[k:], n.words[1:]) {
				continue
			}
			if a := m.actions[n.crawler]; a > best {
				best, who = a, n.crawler
			}
		}
	}
	return best, who
}

// followedBy reports whether rest starts with the words, each preceded by
// white space, and ends a word there.
func followedBy(rest string, words []string) bool {
	for _, w := range words {
		k := 0
		for k < len(rest) && (rest[k] == ' ' || rest[k] == '\t') {
			k++
		}
		if k == 0 || len(rest)-k < len(w) || !strings.EqualFold(rest[k:k+len(w)], w) {
			return false
		}
		rest = rest[k+len(w):]
		if len(rest) > 0 && isWordByte(rest[0]) {
			return false
		}
	}
	return true
}
