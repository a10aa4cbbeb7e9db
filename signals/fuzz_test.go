package signals

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// memFetcher serves fixed responses from memory; a missing URL is a 404,
// a URL mapped to nil a network failure.
type memFetcher map[string]*FetchResponse

func (m memFetcher) Fetch(ctx context.Context, req FetchRequest) (*FetchResponse, error) {
	r, ok := m[req.URL]
	if !ok {
		return &FetchResponse{URL: req.URL, Chain: []string{req.URL}, Status: 404, Header: http.Header{}}, nil
	}
	if r == nil {
		return nil, errors.New("connection refused")
	}
	c := *r
	c.URL, c.Chain = req.URL, []string{req.URL}
	if int64(len(c.Body)) > req.Limit {
		if !req.Truncate {
			return nil, errors.New("body too large")
		}
		c.Body, c.Truncated = c.Body[:req.Limit], true
	}
	return &c, nil
}

func resp(body string, h ...string) *FetchResponse {
	hd := http.Header{}
	for i := 0; i+1 < len(h); i += 2 {
		hd.Add(h[i], h[i+1])
	}
	return &FetchResponse{Status: 200, Header: hd, Body: []byte(body)}
}

// FuzzParseHead: the head scanner never panics, never keeps more than its
// caps, and reports line numbers within the document.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte(`<html><head><meta name="robots" content="noai"><meta name=tdm-reservation content=1></head><body>`))
	f.Add([]byte("<meta name='x'\n content='y'><script>\n</script><meta name=robots content=noindex>"))
	f.Add([]byte("<html><body><meta name=robots content=noai>"))
	f.Add([]byte("<!--<meta name=robots content=noai>--><meta name=ROBOTS content=NOAI>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		h := parseHead(doc)
		lines := bytes.Count(doc, []byte{'\n'}) + 1
		if len(h.Metas) > maxHeadItems {
			t.Fatalf("%d metas kept, cap %d", len(h.Metas), maxHeadItems)
		}
		for _, m := range h.Metas {
			if m.Line < 1 || m.Line > lines {
				t.Fatalf("meta %q at line %d of %d", m.Name, m.Line, lines)
			}
		}
	})
}

// FuzzInspect drives the whole Inspector over fuzzed site files, headers
// and bodies. Whatever the input: no panic; every verdict but unknown is
// decided by some statement; whenever robots.txt disallows the target for
// our token, every use is denied and excluded, whatever else the site says
// (signals, licences, TDMRep); and a target that could not be read is
// never included unless something decided.
//
// For the robots.txt property the fuzzed file is appended to "User-agent:
// *" / "Disallow: /" with its user-agent lines renamed, so that it mostly
// keeps askfirst in the "*" group; an Allow rule it adds may still allow
// the path (as "Allow: /x/a" rightly does), so the property is checked
// when the parsed file disallows the path, as package robotstxt decides.
// The regression input testdata/fuzz/FuzzInspect/allow-without-colon is
// "Allow *": before askfirst stopped reading a colon-less Allow (see
// robotstxt's lenientWithoutColon) it undid "Disallow: /".
func FuzzInspect(f *testing.F) {
	seeds := [][7]string{
		{"User-agent: *\nDisallow: /x\nContent-Signal: ai-train=no\nContent-Usage: train-ai=n\nLicense: /l.xml", "train-ai=y, search=n", "noai, otherbot: noindex", "1", `<meta name="tdm-reservation" content="0"><link rel=license type=application/rsl+xml href=/l.xml>`, `[{"location":"/","tdm-reservation":1,"tdm-policy":"/p.json"}]`, `<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits type="usage">ai-train</permits><payment type="training"><amount currency="EUR">1</amount></payment></license></content></rsl>`},
		{"", "", "", "", "", "", ""},
		{"User-agent: askfirst\nAllow: /\n", "bots=n", "askfirst: noimageai", "2", "<html><body>", "{}", "<rsl/>"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6])
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "iptc-prohibited-aimltraining.jpg")); err == nil {
		f.Add("", "", "", "", string(b), "", "")
	}
	f.Fuzz(func(t *testing.T, robots, usage, xrobots, tdm, body, tdmjson, rslDoc string) {
		const o = "https://pub.example"
		m := memFetcher{
			o + "/robots.txt":              resp(robots),
			o + "/.well-known/tdmrep.json": resp(tdmjson),
			o + "/ai.txt":                  resp(robots),
			o + "/l.xml":                   resp(rslDoc),
			o + "/x/a":                     resp(body, "Content-Usage", usage, "X-Robots-Tag", xrobots, "tdm-reservation", tdm, "Link", "</l.xml>; rel=license; type=\"application/rsl+xml\""),
		}
		in := &Inspector{Fetcher: m}
		stmts, err := in.URL(context.Background(), o+"/x/a")
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(stmts, Options{})
		for _, ur := range r.Uses {
			if ur.Verdict != Unknown && len(ur.DecidedBy) == 0 {
				t.Fatalf("%s: %s decided by nothing", ur.Use, ur.Verdict)
			}
		}
		// The same target behind a robots.txt that disallows it.
		gated := "User-agent: *\nDisallow: /\n" + strings.ReplaceAll(robots, "User-agent", "X-User-agent")
		m[o+"/robots.txt"] = resp(gated)
		if !robotstxt.Parse([]byte(gated)).Allowed("askfirst", "/x/a").Allowed {
			stmts, _ = (&Inspector{Fetcher: m}).URL(context.Background(), o+"/x/a")
			for _, ur := range Evaluate(stmts, Options{}).Uses {
				if ur.Verdict != Deny || ur.Decision != Exclude {
					t.Fatalf("%s under a robots.txt disallowing it is %s/%s", ur.Use, ur.Verdict, ur.Decision)
				}
			}
		}
		// An unreachable target is never included by default.
		m[o+"/robots.txt"] = resp("")
		m[o+"/x/a"] = nil
		stmts, _ = (&Inspector{Fetcher: m}).URL(context.Background(), o+"/x/a")
		for _, ur := range Evaluate(stmts, Options{}).Uses {
			if ur.Decision == Include {
				t.Fatalf("%s of an unreachable target included: %s", ur.Use, ur.Reason)
			}
		}
	})
}
