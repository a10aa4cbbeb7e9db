// Package airobots is the catalogue of AI crawler product tokens published
// by the ai.robots.txt project (robots.json, MIT licence; askfirst's
// signals digest §2), embedded with its provenance (Source, SOURCES.md),
// with each crawler's purpose classified for askfirst's uses.
//
// Purposes are derived from the catalogue's free-text fields by these
// rules, applied in order (the first that yields decides):
//  1. An override for well-known tokens whose text is ambiguous:
//     Google-Extended and Applebot-Extended are training control tokens
//     (no request carries them, digest §1.6); CCBot's open crawl feeds
//     training sets; Amazonbot answers Alexa users (AI input); Applebot
//     indexes for Siri and Spotlight answers (AI search).
//  2. The function label: "AI Data Scrapers" and "AI Data Providers" are
//     training; "AI Assistants", "AI Agents", "AI Coding Agents" and
//     "Undocumented AI Agents" are AI input; "AI Search Crawlers" are AI
//     search.
//  3. Keywords in function and description, all that match: "train",
//     "dataset", "data set", "llm", "machine learning", "scrap", "data is
//     sold", "ai development" give training; "user-initiated", "user
//     prompt", "users ask", "user request", "user queries", "answer",
//     "assistant", "agent", "chatbot" give AI input; "search" gives AI
//     search.
//  4. Otherwise Unknown.
//
// The classification labels tokens; it is not the operators' own
// statement, and the catalogue's "respect" field is not authoritative.
// Package signals maps PurposeTraining to train-ai and train-genai, and
// PurposeAIInput and PurposeAISearch to ai-input.
//
// It does not match User-Agent headers (use whole tokens, never
// substrings) and does not update itself: a new snapshot is a new copy of
// robots.json with SOURCES.md updated.
package airobots

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Source is the provenance of the embedded catalogue.
const Source = "github.com/ai-robots-txt/ai.robots.txt robots.json at commit 738c80df2169027ce0e07c9976fd3f2f57dd8f7b (2026-08-22), MIT licence, sha256 b8ddd5fdd5a384766fa556f7183a05656b5722082b5931d63a0e5ec91961a3ec"

// SHA256 is the hex SHA-256 of the embedded robots.json.
const SHA256 = "b8ddd5fdd5a384766fa556f7183a05656b5722082b5931d63a0e5ec91961a3ec"

//go:embed robots.json
var robotsJSON []byte

// RobotsJSON returns a copy of the embedded robots.json, byte for byte.
func RobotsJSON() []byte { return append([]byte(nil), robotsJSON...) }

// Purpose is what a crawler collects content for.
type Purpose string

// Purposes.
const (
	// PurposeTraining: collecting training data (train-ai, train-genai).
	PurposeTraining Purpose = "training"
	// PurposeAIInput: fetching for AI assistants and agents at inference
	// time (ai-input).
	PurposeAIInput Purpose = "ai-input"
	// PurposeAISearch: indexing for AI search answers (ai-input).
	PurposeAISearch Purpose = "ai-search"
	// PurposeUnknown: the catalogue does not say.
	PurposeUnknown Purpose = "unknown"
)

// Crawler is one catalogue entry.
type Crawler struct {
	// Token is the name as the catalogue writes it.
	Token string
	// Operator, Function, Frequency, Description and Respect are the
	// catalogue's fields with Markdown links reduced to their text.
	Operator, Function, Frequency, Description, Respect string
	// Purposes are the classified purposes, never empty.
	Purposes []Purpose
	// ValidToken is true when Token is a valid RFC 9309 product token
	// (letters, "-" and "_" only); 21 names are not, such as "AI2Bot".
	ValidToken bool
	// Control is true for control tokens that no request carries.
	Control bool
}

// Has reports whether the crawler has purpose p.
func (c Crawler) Has(p Purpose) bool {
	for _, x := range c.Purposes {
		if x == p {
			return true
		}
	}
	return false
}

var overrides = map[string][]Purpose{
	"google-extended":   {PurposeTraining},
	"applebot-extended": {PurposeTraining},
	"ccbot":             {PurposeTraining},
	"amazonbot":         {PurposeAIInput},
	"applebot":          {PurposeAISearch},
}

var controlTokens = map[string]bool{"google-extended": true, "applebot-extended": true}

var byFunction = map[string]Purpose{
	"ai data scrapers":       PurposeTraining,
	"ai data providers":      PurposeTraining,
	"ai assistants":          PurposeAIInput,
	"ai agents":              PurposeAIInput,
	"ai coding agents":       PurposeAIInput,
	"undocumented ai agents": PurposeAIInput,
	"ai search crawlers":     PurposeAISearch,
}

var keywords = []struct {
	p     Purpose
	words []string
}{
	{PurposeTraining, []string{"train", "dataset", "data set", "llm", "machine learning", "scrap", "data is sold", "ai development"}},
	{PurposeAIInput, []string{"user-initiated", "user prompt", "users ask", "user request", "user queries", "answer", "assistant", "agent", "chatbot"}},
	{PurposeAISearch, []string{"search"}},
}

// classify applies the package's rules to one entry.
func classify(token, function, description string) []Purpose {
	if p, ok := overrides[strings.ToLower(token)]; ok {
		return p
	}
	if p, ok := byFunction[strings.ToLower(strings.TrimSpace(function))]; ok {
		return []Purpose{p}
	}
	text := strings.ToLower(function + " " + description)
	var out []Purpose
	for _, k := range keywords {
		for _, w := range k.words {
			if strings.Contains(text, w) {
				out = append(out, k.p)
				break
			}
		}
	}
	if len(out) == 0 {
		out = []Purpose{PurposeUnknown}
	}
	return out
}

var mdLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

func plain(s string) string { return strings.TrimSpace(mdLink.ReplaceAllString(s, "$1")) }

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// catalogue is built once from the embedded file; it is read-only.
var catalogue = func() []Crawler {
	var raw map[string]struct {
		Operator    string `json:"operator"`
		Respect     string `json:"respect"`
		Function    string `json:"function"`
		Frequency   string `json:"frequency"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(robotsJSON, &raw); err != nil {
		panic("airobots: embedded robots.json: " + err.Error()) // a build defect, not input
	}
	out := make([]Crawler, 0, len(raw))
	for name, e := range raw {
		out = append(out, Crawler{
			Token:       name,
			Operator:    plain(e.Operator),
			Function:    plain(e.Function),
			Frequency:   plain(e.Frequency),
			Description: plain(e.Description),
			Respect:     plain(e.Respect),
			Purposes:    classify(name, e.Function, e.Description),
			ValidToken:  validToken(name),
			Control:     controlTokens[strings.ToLower(name)],
		})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Token), strings.ToLower(out[j].Token)
		if a != b {
			return a < b
		}
		return out[i].Token < out[j].Token
	})
	return out
}()

// All returns every catalogue entry, sorted case-insensitively by token.
// The slice is shared: do not modify it.
func All() []Crawler { return catalogue }

// Lookup finds a crawler by name, case-insensitively. A name with a
// version or comment ("GPTBot/1.2", "ClaudeBot (+https://...)") is tried
// whole first, then by its leading token. Names that differ only in case
// in the catalogue return the first in All's order.
func Lookup(name string) (Crawler, bool) {
	name = strings.TrimSpace(name)
	for _, c := range catalogue {
		if strings.EqualFold(c.Token, name) {
			return c, true
		}
	}
	if i := strings.IndexAny(name, " \t/;("); i > 0 {
		return Lookup(name[:i])
	}
	return Crawler{}, false
}

// Tokens returns the product tokens of crawlers with purpose p as
// askfirst's robots.txt matching reads them (package robotstxt, digest
// §14.4): the leading run of each name up to whitespace or "/", so
// "MistralAI-User/1.0" gives "MistralAI-User" and digits are kept
// ("Ai2Bot-Dolma"). Sorted case-insensitively, without case duplicates.
// Use it for defaults such as the strict training-reservation list.
func Tokens(p Purpose) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range catalogue {
		tok := c.Token
		if i := strings.IndexAny(tok, " \t/"); i >= 0 {
			tok = tok[:i]
		}
		k := strings.ToLower(tok)
		if tok != "" && c.Has(p) && !seen[k] {
			seen[k] = true
			out = append(out, tok)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
