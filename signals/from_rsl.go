package signals

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/signals/rsl"
)

// rslUsage is the RSL usage evaluated for each use (digest §7.2): RSL's
// ai-train covers all training and fine-tuning, so it speaks to G and T.
var rslUsage = map[Use]string{
	TrainGenAI: rsl.UsageAITrain,
	TrainAI:    rsl.UsageAITrain,
	AIInput:    rsl.UsageAIInput,
	Search:     rsl.UsageSearch,
}

// rslOffer converts package rsl's offer.
func rslOffer(o *rsl.Offer, docURL string) *Offer {
	if o == nil {
		return nil
	}
	out := &Offer{Price: o.Amount, Currency: o.Currency, Per: o.PaymentType, Server: o.Server, Contact: o.Contact, Terms: docURL, Holder: o.Holder}
	if len(o.Terms) > 0 {
		out.Terms = o.Terms[0]
	}
	return out
}

// rslDocument maps one RSL document for target (digest §7 and the RSL rows
// of §14.3), one statement per group of uses with the same outcome, so
// that each carries its own offer: prohibited denies, a free licence that
// covers the developer (profile p) allows, a paid or server-issued one
// requires a licence, a licence that covers the use only for other users
// or regions denies with its offer attached, and an AI use no licence
// covers is denied (search stays silent unless a licence names it). A
// document whose licences only prohibit says nothing about the uses it
// does not name. A document that cannot be parsed requires a licence for
// the AI uses: the terms exist but cannot be read (fail closed).
func rslDocument(target *url.URL, loc, docURL string, data []byte, uses []Use, p rsl.Profile) []Statement {
	doc, err := rsl.Parse(data)
	if err != nil {
		return []Statement{{
			Mechanism: "rsl", Location: loc, Value: "unparseable",
			Uses:     restrict(effects(License, TrainGenAI, TrainAI, AIInput), uses),
			Offer:    &Offer{Terms: docURL},
			Warnings: []string{fmt.Sprintf("RSL document unreadable (%v); a declared licence that cannot be read requires a licence", err)},
		}}
	}
	c, ok := doc.Select(target)
	if !ok {
		return []Statement{{Mechanism: "rsl", Location: loc, Value: "no <content> matches " + target.String(), Uses: map[Use]Verdict{}, Warnings: doc.Warnings}}
	}
	type group struct {
		s      Statement
		key    string
		note   string
		usages []string
	}
	var groups []*group
	for _, u := range uses {
		ev, err := c.EvaluateFor(rslUsage[u], p)
		var v Verdict
		var offer *Offer
		note := ""
		switch {
		case err != nil:
			v, note = License, "unevaluable: "+err.Error()
			offer = &Offer{Terms: docURL}
		case ev.Status == rsl.Prohibited:
			v, note = Deny, "prohibited"
			if ev.Offer != nil {
				// Another licence of the document covers the use: a deny
				// with an offer tells the developer whom to ask.
				offer = rslOffer(ev.Offer, docURL)
			}
		case ev.Status == rsl.LicenseRequired:
			v, note = License, "licence required"
			offer = rslOffer(ev.Offer, docURL)
			if len(ev.Conditions) > 0 {
				note += " (conditions: " + strings.Join(ev.Conditions, ", ") + ")"
			}
		case ev.Status == rsl.Free:
			v, note = Allow, "free licence"
			if len(ev.Conditions) > 0 {
				note += " (conditions: " + strings.Join(ev.Conditions, ", ") + "; " + p.String() + ")"
			}
		case ev.Status == rsl.NotAddressed:
			continue // the document only prohibits other usages
		case ev.Status == rsl.NotCovered && ev.Offer != nil && (u != Search || namesSearch(ev.License)):
			// A licence for other users or regions: not a licence for
			// this developer, but whom to ask.
			v, note = Deny, "not licensed for this developer: the licence is "+strings.Join(ev.Conditions, ", ")+" ("+p.String()+")"
			offer = rslOffer(ev.Offer, docURL)
		case u != Search:
			v, note = Deny, "not covered by any licence"
		default:
			continue // RSL is silent on search unless it names it
		}
		key := fmt.Sprintf("%s|%s|%v", v, note, offer)
		if offer != nil {
			key = fmt.Sprintf("%s|%s|%+v", v, note, *offer)
		}
		var g *group
		for _, x := range groups {
			if x.key == key {
				g = x
			}
		}
		if g == nil {
			g = &group{key: key, note: note, s: Statement{Mechanism: "rsl", Location: loc, Uses: map[Use]Verdict{}, Offer: offer, Warnings: doc.Warnings}}
			groups = append(groups, g)
		}
		if !slices.Contains(g.usages, rslUsage[u]) {
			g.usages = append(g.usages, rslUsage[u])
		}
		g.s.Uses[u] = v
		if v == Deny && offer != nil {
			// D(offer): the reserved use still says whom to ask.
			if g.s.Offers == nil {
				g.s.Offers = map[Use]*Offer{}
			}
			g.s.Offers[u] = offer
		}
	}
	var out []Statement
	for _, g := range groups {
		g.s.Value = fmt.Sprintf("content %q: %s %s", c.URL, strings.Join(g.usages, ", "), g.note)
		out = append(out, g.s)
	}
	return out
}

// namesSearch reports whether a licence's usage permits name search (or
// all): RSL speaks to search only when it names it.
func namesSearch(l *rsl.License) bool {
	return l != nil && (slices.Contains(l.Permits.Usage, rsl.UsageSearch) || slices.Contains(l.Permits.Usage, rsl.UsageAll))
}

// fromRSLDocuments fetches linked RSL documents (robots.txt License
// records, Link headers, <link rel=license type=application/rsl+xml>) and
// maps each for uses. An unreachable document requires a licence for the
// AI uses (fail closed, digest §14.3).
func (in *Inspector) fromRSLDocuments(ctx context.Context, target *url.URL, urls []string, via string, uses []Use) []Statement {
	var out []Statement
	seen := map[string]bool{}
	for _, du := range urls {
		if seen[du] || len(seen) >= MaxRSLDocuments {
			continue
		}
		seen[du] = true
		loc := du + " (via " + via + ")"
		resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: du, Limit: rsl.MaxDocument, Site: true})
		if err == nil && resp.Status/100 != 2 {
			err = fmt.Errorf("status %d", resp.Status)
		}
		if err != nil {
			out = append(out, Statement{
				Mechanism: "rsl", Location: loc, Value: "unreachable",
				Uses:     restrict(effects(License, TrainGenAI, TrainAI, AIInput), uses),
				Offer:    &Offer{Terms: du},
				Warnings: []string{fmt.Sprintf("RSL document unreachable (%v); a declared licence that cannot be read requires a licence", err)},
			})
			continue
		}
		out = append(out, stamp(rslDocument(target, loc, du, resp.Body, uses, in.profile()), resp.Fetched, digest(resp.Body))...)
	}
	return out
}
