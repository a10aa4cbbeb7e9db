package airobots_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/airobots"
)

func Example() {
	for _, name := range []string{"GPTBot/1.2", "Claude-User", "Google-Extended"} {
		c, ok := airobots.Lookup(name)
		if !ok {
			continue
		}
		fmt.Printf("%s (%s): %v control=%v\n", c.Token, c.Operator, c.Purposes, c.Control)
	}
	// Output:
	// GPTBot (OpenAI): [training] control=false
	// Claude-User (Anthropic): [ai-input] control=false
	// Google-Extended (Google): [training] control=true
}
