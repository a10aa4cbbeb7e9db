package noai_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/noai"
)

func Example() {
	d, _ := noai.ParseXRobotsTag([]string{"noimageai", "examplebot: noai, noindex"})
	for _, agent := range []string{"ExampleBot", "askfirst"} {
		s := d.For(agent)
		fmt.Printf("%s: noai=%v noimageai=%v noindex=%v\n", agent, s.NoAI, s.NoImageAI, s.NoIndex)
	}
	// Output:
	// ExampleBot: noai=true noimageai=true noindex=true
	// askfirst: noai=false noimageai=true noindex=false
}
