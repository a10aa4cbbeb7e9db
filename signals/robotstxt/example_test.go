package robotstxt_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

func Example() {
	r := robotstxt.Parse([]byte(`User-agent: *
Content-Signal: search=yes, ai-train=no
Disallow: /private/

User-agent: GPTBot
Disallow: /
`))
	for _, agent := range []string{"GPTBot", "askfirst"} {
		d := r.Allowed(agent, robotstxt.Path("https://example.com/news/today.html"))
		fmt.Printf("%s: allowed=%v group=%q rule=%v\n", agent, d.Allowed, d.Group, d.Rule)
	}
	for _, l := range r.ContentSignals("askfirst") {
		fmt.Printf("line %d: Content-Signal: %s\n", l.Line, l.Value)
	}
	fmt.Println(robotstxt.FromStatus(503))
	// Output:
	// GPTBot: allowed=false group="gptbot" rule=Disallow: /
	// askfirst: allowed=true group="*" rule=<nil>
	// line 2: Content-Signal: search=yes, ai-train=no
	// unreachable
}
