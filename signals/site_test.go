package signals

import (
	"context"
	"testing"
)

// TestSiteFiles: Inspector.Site (used by audits that do not fetch items)
// applies robots.txt, tdmrep.json and ai.txt without fetching the item.
func TestSiteFiles(t *testing.T) {
	const o = "https://pub.example"
	m := memFetcher{
		o + "/robots.txt":              resp("User-agent: *\nContent-Signal: search=yes\n"),
		o + "/.well-known/tdmrep.json": resp(`[{"location":"/press/*","tdm-reservation":0},{"location":"/","tdm-reservation":1}]`),
		o + "/ai.txt":                  resp("User-Agent: *\nDisallow: *.jpg\n"),
		o + "/item.jpg":                nil, // fetching the item would fail
	}
	for _, tc := range []struct {
		path string
		want map[Use]Verdict
	}{
		{"/item.jpg", map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Allow}},
		{"/press/a.html", map[Use]Verdict{TrainGenAI: Allow, TrainAI: Allow, AIInput: Allow, Search: Allow}},
	} {
		stmts, err := (&Inspector{Fetcher: m}).Site(context.Background(), o+tc.path)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(stmts, Options{})
		for _, ur := range r.Uses {
			if ur.Verdict != tc.want[ur.Use] {
				t.Errorf("Site(%s) %s: got %s, want %s (%s)", tc.path, ur.Use, ur.Verdict, tc.want[ur.Use], ur.Reason)
			}
		}
	}
}
