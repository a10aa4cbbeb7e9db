package airobots_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/airobots"
)

func TestEmbeddedProvenance(t *testing.T) {
	sum := sha256.Sum256(airobots.RobotsJSON())
	if got := hex.EncodeToString(sum[:]); got != airobots.SHA256 {
		t.Errorf("embedded robots.json sha256 = %s, want %s (update SOURCES.md and Source with a new snapshot)", got, airobots.SHA256)
	}
	var m map[string]any
	if err := json.Unmarshal(airobots.RobotsJSON(), &m); err != nil {
		t.Fatal(err)
	}
	if len(airobots.All()) != len(m) || len(m) != 166 {
		t.Errorf("All() has %d entries, robots.json %d, want 166", len(airobots.All()), len(m))
	}
	invalid := 0
	for _, c := range airobots.All() {
		if !c.ValidToken {
			invalid++
		}
		if len(c.Purposes) == 0 {
			t.Errorf("%s has no purpose", c.Token)
		}
	}
	if invalid != 21 {
		t.Errorf("%d names are not RFC 9309 tokens, want 21 (digest §2)", invalid)
	}
}

func TestClassification(t *testing.T) {
	for _, tc := range []struct {
		token   string
		want    []airobots.Purpose
		control bool
	}{
		{"GPTBot", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"ChatGPT-User", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"ClaudeBot", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"Claude-User", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"Claude-SearchBot", []airobots.Purpose{airobots.PurposeAISearch}, false},
		{"PerplexityBot", []airobots.Purpose{airobots.PurposeAISearch}, false},
		{"Perplexity-User", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"Google-Extended", []airobots.Purpose{airobots.PurposeTraining}, true},
		{"Applebot-Extended", []airobots.Purpose{airobots.PurposeTraining}, true},
		{"CCBot", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"Bytespider", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"meta-externalagent", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"meta-externalfetcher", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"cohere-training-data-crawler", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"img2dataset", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"Amazonbot", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"YouBot", []airobots.Purpose{airobots.PurposeTraining, airobots.PurposeAISearch}, false},
		{"bedrockbot", []airobots.Purpose{airobots.PurposeTraining}, false},
		{"iaskspider/2.0", []airobots.Purpose{airobots.PurposeAIInput}, false},
		{"OpenAI", []airobots.Purpose{airobots.PurposeUnknown}, false},
	} {
		c, ok := airobots.Lookup(tc.token)
		if !ok || !slices.Equal(c.Purposes, tc.want) || c.Control != tc.control {
			t.Errorf("Lookup(%q) = %v %v control=%v, want %v control=%v", tc.token, ok, c.Purposes, c.Control, tc.want, tc.control)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"gptbot", "GPTBot"},
		{"GPTBot/1.2", "GPTBot"},
		{"ClaudeBot (+claudebot@anthropic.com)", "ClaudeBot"},
		{"MistralAI-User/1.0", "MistralAI-User/1.0"},
		{"brightbot 1.0", "Brightbot 1.0"},
		{"META-EXTERNALAGENT", "Meta-ExternalAgent"}, // case twins: the first in All order
	} {
		c, ok := airobots.Lookup(tc.name)
		if !ok || c.Token != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.name, c.Token, ok, tc.want)
		}
	}
	for _, name := range []string{"", "Googlebot", "GPT", "bot"} {
		if c, ok := airobots.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %q, want not found", name, c.Token)
		}
	}
	c, _ := airobots.Lookup("GPTBot")
	if c.Operator != "OpenAI" {
		t.Errorf("GPTBot operator = %q, want OpenAI (Markdown link reduced to text)", c.Operator)
	}
}

func TestTokens(t *testing.T) {
	train := airobots.Tokens(airobots.PurposeTraining)
	for _, want := range []string{"GPTBot", "Google-Extended", "Applebot-Extended", "ClaudeBot", "anthropic-ai", "CCBot", "meta-externalagent", "Bytespider", "cohere-training-data-crawler", "Ai2Bot-Dolma", "LAIONDownloader"} {
		if !slices.ContainsFunc(train, func(s string) bool { return lower(s) == lower(want) }) {
			t.Errorf("Tokens(training) lacks %s", want)
		}
	}
	for _, want := range []string{"AI2Bot", "Brightbot"} {
		if !slices.Contains(train, want) {
			t.Errorf("Tokens(training) lacks %s (digits kept, version dropped)", want)
		}
	}
	for _, tok := range train {
		if strings.ContainsAny(tok, " \t/") {
			t.Errorf("Tokens(training) has %q with a space or slash", tok)
		}
	}
	seen := map[string]bool{}
	for _, tok := range train {
		if seen[lower(tok)] {
			t.Errorf("Tokens(training) has %s twice", tok)
		}
		seen[lower(tok)] = true
	}
	if in := airobots.Tokens(airobots.PurposeAIInput); !slices.Contains(in, "ChatGPT-User") || slices.Contains(in, "GPTBot") {
		t.Errorf("Tokens(ai-input) = %v", in)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func FuzzLookup(f *testing.F) {
	for _, c := range airobots.All() {
		f.Add(c.Token)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if c, ok := airobots.Lookup(name); ok && len(c.Purposes) == 0 {
			t.Fatalf("Lookup(%q) found %q without purposes", name, c.Token)
		}
	})
}
