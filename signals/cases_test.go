package signals

import (
	"context"
	"strings"
	"testing"
)

// signalCases are whole-site cases of the signals digest
// (../shared/specs/signals.md), each a signal that askfirst once misread:
// the site files an origin serves, the Inspector's settings, and the
// verdict wanted per use, with the warnings the evidence must carry.
var signalCases = []struct {
	name string
	// files maps a path of https://pub.example to its body.
	files map[string]string
	// target is the path checked.
	target string
	// in sets the Inspector's options (the Fetcher is set by the test).
	in   func(*Inspector)
	want map[Use]Verdict
	// offer lists uses whose verdict must carry a licence offer.
	offer []Use
	// warn lists substrings that some warning of the result must hold.
	warn []string
}{
	{
		// §7.2, §14.3: a usage value reserves exactly the usages it names
		// and contains; prohibiting ai-train says nothing about ai-input.
		name:   "rsl prohibits ai-train only",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><prohibits type="usage">ai-train</prohibits></license>`)},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Unknown, Search: Unknown},
	},
	{
		name:   "rsl prohibits ai-all, not search",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><prohibits type="usage">ai-all</prohibits></license>`)},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Unknown},
	},
	{
		// §7.2: a licence for education users does not cover a developer
		// of the default (commercial) class: a deny with the offer, not a
		// licence.
		name:   "rsl licence for other users",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><permits type="usage">ai-train ai-input</permits><permits type="user">education</permits><payment type="training"><amount currency="EUR">5</amount></payment></license>`)},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Unknown},
		offer:  []Use{TrainGenAI, TrainAI, AIInput},
	},
	{
		name:   "rsl licence for the declared user class",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><permits type="usage">ai-train ai-input</permits><permits type="user">education</permits><payment type="training"><amount currency="EUR">5</amount></payment></license>`)},
		target: "/a.html",
		in:     func(in *Inspector) { in.User = "education" },
		want:   map[Use]Verdict{TrainGenAI: License, TrainAI: License, AIInput: License, Search: Unknown},
		offer:  []Use{TrainGenAI, TrainAI, AIInput},
	},
	{
		name:   "rsl free licence in a region, developer elsewhere",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><permits type="usage">ai-input</permits><permits type="geo">EU</permits></license>`)},
		target: "/a.html",
		in:     func(in *Inspector) { in.Geo = "US" },
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Unknown},
		offer:  []Use{AIInput},
	},
	{
		name:   "rsl free licence in a region, developer there",
		files:  map[string]string{"/robots.txt": "License: /l.xml\nUser-agent: *\nAllow: /\n", "/l.xml": rslDoc(`<license><permits type="usage">ai-input</permits><permits type="geo">EU</permits></license>`)},
		target: "/a.html",
		in:     func(in *Inspector) { in.Geo = "DE" },
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Allow, Search: Unknown},
	},
	{
		// §8, §14.6 "Group scope": a Content-Signal written in GPTBot's
		// group is GPTBot's, even when "User-agent: *" follows it with no
		// rule in between.
		name:   "content-signal of another crawler's group",
		files:  map[string]string{"/robots.txt": "User-agent: GPTBot\nContent-Signal: ai-train=no, search=no\nUser-agent: *\nAllow: /\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Unknown, TrainAI: Unknown, AIInput: Unknown, Search: Unknown},
	},
	{
		name:   "content-signal of our group",
		files:  map[string]string{"/robots.txt": "User-agent: *\nContent-Signal: ai-train=no\nAllow: /\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Unknown, Search: Unknown},
	},
	{
		name: "license record of another crawler's group",
		files: map[string]string{
			"/robots.txt": "User-agent: GPTBot\nLicense: /l.xml\nUser-agent: *\nAllow: /\n",
			"/l.xml":      rslDoc(`<license><prohibits type="usage">all</prohibits></license>`),
		},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Unknown, TrainAI: Unknown, AIInput: Unknown, Search: Unknown},
		warn:   []string{"line 2: License /l.xml is written in the group of another crawler"},
	},
	{
		// §1.2, §14.4: a user-agent value is cut at the first character
		// that cannot be in a product token, as Google's parser cuts it.
		name:   "user-agent list names its first crawler",
		files:  map[string]string{"/robots.txt": "User-agent: GPTBot, askfirst\nDisallow: /\n"},
		target: "/a.html",
		in:     func(in *Inspector) { in.Agent = "GPTBot" },
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Deny},
		warn:   []string{`user-agent "GPTBot, askfirst" read as "GPTBot"`},
	},
	{
		name:   "user-agent with a semicolon",
		files:  map[string]string{"/robots.txt": "User-agent: askfirst;\nDisallow: /\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Deny},
	},
	{
		name:   "star prefix is not the global group",
		files:  map[string]string{"/robots.txt": "User-agent: *bot\nDisallow: /\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Unknown, TrainAI: Unknown, AIInput: Unknown, Search: Unknown},
		warn:   []string{`user-agent "*bot" names no crawler`},
	},
	{
		// RFC 9309 §2.2 requires the colon; "Allow *" without it must not
		// undo "Disallow: /" (issue 11, FuzzInspect).
		name:   "allow without a colon",
		files:  map[string]string{"/robots.txt": "User-agent: *\nDisallow: /\nAllow *\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Deny},
		warn:   []string{`"Allow" without a colon ignored`},
	},
	{
		// §3.2: the array brackets are required even for one rule, but a
		// reservation is not lost to that slip.
		name:   "tdmrep.json with one rule object",
		files:  map[string]string{"/robots.txt": "User-agent: *\nAllow: /\n", "/.well-known/tdmrep.json": `{"location":"/","tdm-reservation":1}`},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Unknown},
		warn:   []string{"one rule object"},
	},
	{
		// §14.4: blocking known AI training crawlers is reported, and
		// names the strict mode, even when it is not read as a reservation.
		name:   "ai training crawlers blocked, default agent",
		files:  map[string]string{"/robots.txt": "User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"},
		target: "/a.html",
		want:   map[Use]Verdict{TrainGenAI: Unknown, TrainAI: Unknown, AIInput: Unknown, Search: Unknown},
		warn:   []string{"blocks AI training crawlers CCBot, GPTBot", "--strict-training"},
	},
	{
		name:   "ai training crawlers blocked, strict mode",
		files:  map[string]string{"/robots.txt": "User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"},
		target: "/a.html",
		in:     func(in *Inspector) { in.StrictTraining = true },
		want:   map[Use]Verdict{TrainGenAI: Deny, TrainAI: Deny, AIInput: Unknown, Search: Unknown},
	},
}

func rslDoc(licences string) string {
	return `<rsl xmlns="https://rslstandard.org/rsl"><content url="/">` + licences + `</content></rsl>`
}

// TestSignalCases runs signalCases through Inspector.Site (the site files
// only) and Evaluate.
func TestSignalCases(t *testing.T) {
	const o = "https://pub.example"
	for _, tc := range signalCases {
		t.Run(tc.name, func(t *testing.T) {
			m := memFetcher{}
			for p, body := range tc.files {
				m[o+p] = resp(body)
			}
			in := &Inspector{Fetcher: m}
			if tc.in != nil {
				tc.in(in)
			}
			stmts, err := in.Site(context.Background(), o+tc.target)
			if err != nil {
				t.Fatal(err)
			}
			r := Evaluate(stmts, Options{})
			for _, ur := range r.Uses {
				if want := tc.want[ur.Use]; ur.Verdict != want {
					t.Errorf("%s: got %s, want %s (%s)", ur.Use, ur.Verdict, want, ur.Reason)
				}
				offered := false
				for _, u := range tc.offer {
					offered = offered || u == ur.Use
				}
				if offered && ur.Offer == nil {
					t.Errorf("%s: %s without the licence offer", ur.Use, ur.Verdict)
				}
			}
			all := strings.Join(r.Warnings, "\n")
			for _, w := range tc.warn {
				if !strings.Contains(all, w) {
					t.Errorf("no warning holds %q; warnings:\n%s", w, all)
				}
			}
		})
	}
}
