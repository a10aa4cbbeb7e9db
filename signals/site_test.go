package signals

import (
	"context"
	"strings"
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

// TestTruncatedRobotsTxt: a robots.txt cut at the size limit in the middle
// of an Allow line must not grant what the cut line would grant
// (robotstxt.ParseTruncated), while a cut Disallow still reserves.
func TestTruncatedRobotsTxt(t *testing.T) {
	const o = "https://big.example"
	for _, tc := range []struct {
		name, tail, path string
		want             Verdict
	}{
		// "Allow: /private/pub" cut to "Allow: /priv" would allow /private/x.
		{"cut allow", "User-agent: *\nDisallow: /private/\nAllow: /private/pub", "/private/x", Deny},
		// "Disallow: /pri" cut from "Disallow: /private/" still reserves /private/.
		{"cut disallow", "User-agent: *\nDisallow: /private/", "/private/x", Deny},
	} {
		body := tc.tail
		// Place the tail so that the limit cuts its last line 3 bytes short.
		cut := len(body) - 3
		data := strings.Repeat("#\n", (MaxRobotsTxt-cut)/2)
		if (MaxRobotsTxt-cut)%2 == 1 {
			data += "\n"
		}
		data += body
		m := memFetcher{o + "/robots.txt": resp(data)}
		stmts, err := (&Inspector{Fetcher: m}).Site(context.Background(), o+tc.path)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(stmts, Options{Uses: []Use{TrainAI}})
		if got := r.Uses[0].Verdict; got != tc.want {
			t.Errorf("%s: %s on a robots.txt cut at %d bytes: got %s, want %s (%s)", tc.name, tc.path, MaxRobotsTxt, got, tc.want, r.Uses[0].Reason)
		}
	}
}
