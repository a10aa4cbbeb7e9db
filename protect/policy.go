// Package protect publishes a rights holder's policy on the AI use of
// their works in every machine-readable form that crawlers and dataset
// tools read, and enforces it.
//
// One Policy (per use of askfirst's vocabulary, signals.Use: deny, licence
// or allow, and the licence offered) drives three things:
//
//   - Site writes the files of a web site: robots.txt (groups for the AI
//     crawlers of the ai.robots.txt catalogue, package signals/airobots,
//     chosen by purpose; IETF AIPREF Content-Usage and Cloudflare
//     Content-Signal lines; an RSL License line), ai.txt,
//     /.well-known/tdmrep.json with a TDM Policy (W3C TDMRep), an RSL 1.0
//     licence (license.xml), the HTML head tags, and the response headers
//     with the crawler rules as nginx, Apache and Caddy snippets.
//   - Embed writes IPTC plus:DataMining (with plus:OtherConstraints) into
//     the XMP of JPEG, PNG, WebP, TIFF and PDF files, and the TDMRep
//     properties into PDF XMP and EPUB package metadata, without
//     re-encoding anything.
//   - Middleware enforces the policy in a Go server: the headers on every
//     response, 403 for crawlers the policy refuses, and 402 with
//     WWW-Authenticate: License (RSL Crawler Authorization Protocol) for
//     those that must licence, accepting Authorization: License tokens
//     through a Verifier.
//
// Every format is written exactly: a format states a use only when what
// askfirst's own readers (package signals) make of the statement is the
// policy's verdict for every use the statement speaks to. Where a format's
// vocabulary cannot do that (TDMRep reserves training and AI input
// together; ai.txt has no per-use vocabulary; Content-Usage has no licence
// value), it states the strictest part it can state exactly, stays silent
// on the rest, and a Warning says so. docs/design/protect.md gives the
// reasons and the table of what each format states.
//
// The package does no I/O except through the http.Handler it returns; its
// functions are safe for concurrent use.
package protect

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/signals"
)

// Policy is what a rights holder says about the AI uses of their works.
// The zero value states nothing.
type Policy struct {
	// Uses gives a use its verdict: signals.Deny, signals.License or
	// signals.Allow. A use absent is left unstated: no format says
	// anything about it.
	Uses map[signals.Use]signals.Verdict
	// Offer is the licence offered for the uses whose verdict is
	// signals.License: Price and Currency (per item), Terms (the URL of
	// the licence terms, required), Contact (a mailto: or URL), Server (an
	// RSL licence server that issues tokens), Holder (who offers it).
	Offer signals.Offer
}

// Warning is a part of the policy a format cannot state exactly.
type Warning struct {
	// Format names the format: "robots.txt", "ai.txt", "tdmrep", "rsl",
	// "content-usage", "content-signal", "noai", "iptc", "policy".
	Format string
	// Message says what is not stated and why.
	Message string
}

func (w Warning) String() string { return w.Format + ": " + w.Message }

// Get returns the verdict for u, "" when unstated.
func (p Policy) Get(u signals.Use) signals.Verdict { return p.Uses[u] }

// Licensed reports whether some use needs a licence.
func (p Policy) Licensed() bool {
	for _, v := range p.Uses {
		if v == signals.License {
			return true
		}
	}
	return false
}

// String returns the policy as "train-genai deny, train-ai deny, ..." in
// the canonical order of uses, unstated uses left out.
func (p Policy) String() string {
	var parts []string
	for _, u := range signals.AllUses() {
		if v := p.Uses[u]; v != "" {
			parts = append(parts, string(u)+" "+string(v))
		}
	}
	if len(parts) == 0 {
		return "nothing stated"
	}
	return strings.Join(parts, ", ")
}

// rank orders verdicts by restriction; unstated is lowest.
func rank(v signals.Verdict) int {
	switch v {
	case signals.Deny:
		return 3
	case signals.License:
		return 2
	case signals.Allow:
		return 1
	}
	return 0
}

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	priceRE    = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,8})?$`)
)

// Normalize returns the policy with train-genai given train-ai's verdict
// when it is unstated (train-genai is part of train-ai: a reservation of
// train-ai reserves it, a grant of train-ai grants it), and checks it:
// only deny, license and allow; train-genai no less restrictive than
// train-ai (deny broadly, grant narrowly, DESIGN §3.4); a licence use
// needs Offer.Terms, an absolute http(s) URL; a price needs a currency
// (ISO 4217) and a decimal amount. The returned warnings note what
// Normalize filled in.
func (p Policy) Normalize() (Policy, []Warning, error) {
	q := Policy{Uses: map[signals.Use]signals.Verdict{}, Offer: p.Offer}
	for u, v := range p.Uses {
		if !slices.Contains(signals.AllUses(), u) {
			return Policy{}, nil, fmt.Errorf("policy: unknown use %q", u)
		}
		switch v {
		case signals.Deny, signals.License, signals.Allow:
			q.Uses[u] = v
		case "":
		default:
			return Policy{}, nil, fmt.Errorf("policy: %s: verdict %q (want deny, license or allow)", u, v)
		}
	}
	var warns []Warning
	g, t := q.Uses[signals.TrainGenAI], q.Uses[signals.TrainAI]
	switch {
	case g == "" && t != "":
		q.Uses[signals.TrainGenAI] = t
		warns = append(warns, Warning{"policy", fmt.Sprintf("train-genai is part of train-ai: it gets train-ai's %s", t)})
	case g != "" && t != "" && rank(g) < rank(t):
		return Policy{}, nil, fmt.Errorf("policy: train-genai %s with train-ai %s: train-genai is part of train-ai, so a train-ai %s also applies to it (give train-genai %s, or a stricter verdict)", g, t, t, t)
	}
	if q.Licensed() {
		if q.Offer.Terms == "" {
			return Policy{}, nil, fmt.Errorf("policy: a licence is offered but no terms URL is given")
		}
	}
	if q.Offer.Terms != "" {
		if err := absoluteURL(q.Offer.Terms); err != nil {
			return Policy{}, nil, fmt.Errorf("policy: terms %w", err)
		}
	}
	if q.Offer.Server != "" {
		if err := absoluteURL(q.Offer.Server); err != nil {
			return Policy{}, nil, fmt.Errorf("policy: licence server %w", err)
		}
	}
	if q.Offer.Price != "" || q.Offer.Currency != "" {
		if !priceRE.MatchString(q.Offer.Price) {
			return Policy{}, nil, fmt.Errorf("policy: price %q is not a decimal amount such as 0.05", q.Offer.Price)
		}
		if !currencyRE.MatchString(q.Offer.Currency) {
			return Policy{}, nil, fmt.Errorf("policy: currency %q is not an ISO 4217 code such as EUR", q.Offer.Currency)
		}
	}
	if c := q.Offer.Contact; c != "" && !strings.HasPrefix(c, "mailto:") {
		if err := absoluteURL(c); err != nil {
			if strings.Contains(c, "@") && !strings.ContainsAny(c, " /:") {
				q.Offer.Contact = "mailto:" + c
			} else {
				return Policy{}, nil, fmt.Errorf("policy: contact %q is neither an e-mail address nor a URL", c)
			}
		}
	}
	return q, warns, nil
}

// absoluteURL checks an absolute http or https URL.
func absoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	return nil
}
