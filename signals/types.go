package signals

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Use is what content would be used for (DESIGN §2; signals digest §14.3).
type Use string

// The four uses. TrainGenAI is a subset of TrainAI.
const (
	// TrainGenAI is training generative models (G).
	TrainGenAI Use = "train-genai"
	// TrainAI is training any AI model, generative or not (T).
	TrainAI Use = "train-ai"
	// AIInput is use at inference time: retrieval, grounding, agents (I).
	AIInput Use = "ai-input"
	// Search is indexing for links and snippets (S).
	Search Use = "search"
)

// AllUses returns the four uses in their canonical order.
func AllUses() []Use { return []Use{TrainGenAI, TrainAI, AIInput, Search} }

// ParseUse parses a use name as printed by Use.
func ParseUse(s string) (Use, error) {
	for _, u := range AllUses() {
		if s == string(u) {
			return u, nil
		}
	}
	return "", fmt.Errorf("unknown use %q (want one of train-genai, train-ai, ai-input, search)", s)
}

// ParseUses parses a comma-separated list of uses; empty means all four.
func ParseUses(s string) ([]Use, error) {
	if strings.TrimSpace(s) == "" {
		return AllUses(), nil
	}
	var out []Use
	seen := map[Use]bool{}
	for _, part := range strings.Split(s, ",") {
		u, err := ParseUse(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// Verdict is what the signals say about one use.
type Verdict string

// The verdicts, in decreasing order of restriction.
const (
	// Deny: reserved or refused.
	Deny Verdict = "deny"
	// License: allowed only under a licence that is offered.
	License Verdict = "license"
	// Allow: granted, or licensed by a licence the developer holds.
	Allow Verdict = "allow"
	// Unknown: nothing decides; the Mode turns it into a Decision. As a
	// statement's effect it marks a check for that use that could not
	// complete.
	Unknown Verdict = "unknown"
)

// Mode is the declared policy that turns an Unknown verdict into a
// Decision (signals digest §14.5).
type Mode string

// The modes.
const (
	// EUTDM: unknown is included (the EU DSM Art. 4 exception applies when
	// nothing is reserved). The default.
	EUTDM Mode = "eu-tdm"
	// Consent: unknown is excluded for training, included for search and
	// ai-input; only strong and origin grants count for training.
	Consent Mode = "consent"
	// Research: reservations are recorded but do not exclude (Art. 3
	// beneficiaries); the robots.txt fetch gate still does.
	Research Mode = "research"
)

// ParseMode parses a mode name.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case EUTDM, Consent, Research:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown mode %q (want eu-tdm, consent or research)", s)
}

// Decision is whether an item may be included for a use under a Mode.
type Decision string

// The decisions.
const (
	Include Decision = "include"
	Exclude Decision = "exclude"
)

// Grade is how much a grant can be trusted (DESIGN §3.5, digest §14.1.5).
// Reservations are honoured whatever their grade.
type Grade string

// The grades, strongest first.
const (
	// Strong: a held licence, a validated C2PA/CAWG manifest, a
	// licence-server token.
	Strong Grade = "strong"
	// Origin: served by the origin itself (robots.txt, headers, HTML head,
	// /.well-known files, RSL documents).
	Origin Grade = "origin"
	// Weak: unsigned embedded metadata (plain XMP).
	Weak Grade = "weak"
)

// Offer is a licence offered for a use: what to pay and whom to ask.
type Offer struct {
	// Price is the amount as written by the offerer (a decimal string).
	Price string `json:"price,omitempty"`
	// Currency is an ISO 4217 code.
	Currency string `json:"currency,omitempty"`
	// Per is the unit paid for, as the mechanism names it (RSL payment
	// type: purchase, subscription, training, crawl, use, ...).
	Per string `json:"per,omitempty"`
	// Terms is the URL of the licence terms or policy.
	Terms string `json:"terms,omitempty"`
	// Contact is a URL or mailto: to negotiate with.
	Contact string `json:"contact,omitempty"`
	// Server is a licence server that must issue a token (RSL).
	Server string `json:"server,omitempty"`
	// Holder names the rights holder when the mechanism says who it is
	// (an RSL copyright holder, a registry account).
	Holder string `json:"holder,omitempty"`
	// Organisation names the organisation that made the offer on the
	// holder's behalf (a registry organisation acting for a member); empty
	// when the holder made it.
	Organisation string `json:"organisation,omitempty"`
}

// Statement is one piece of evidence: what one mechanism, found at one
// location, says about some uses. Statements are produced by the
// from_*.go mappings and by Inspector, and combined by Evaluate.
type Statement struct {
	// Mechanism names the convention: robots.txt, content-usage,
	// content-signal, tdmrep, noai, ai.txt, rsl, iptc, c2pa, http, registry.
	Mechanism string `json:"mechanism"`
	// Location is where it was found: a URL, a header, a file and part.
	Location string `json:"location"`
	// Value is the statement as written (a rule, a header value).
	Value string `json:"value"`
	// Uses is the effect per use; a use absent is one the statement is
	// silent on. Unknown marks a check that could not complete.
	Uses map[Use]Verdict `json:"uses"`
	// Warnings are problems met reading it: malformed input, legacy
	// labels, values outside the spec.
	Warnings []string `json:"warnings,omitempty"`
	// Grade grades its grants; empty means Origin.
	Grade Grade `json:"grade,omitempty"`
	// Gate marks a statement about access rather than use (the robots.txt
	// fetch gate, a login or paywall), which excludes even in Research mode.
	Gate bool `json:"gate,omitempty"`
	// Held marks a licence the developer holds: its Allow wins over any
	// reservation (DESIGN §3.3).
	Held bool `json:"held,omitempty"`
	// Offer is the licence offered, when the statement offers one: it
	// applies to the uses the statement requires a licence for.
	Offer *Offer `json:"offer,omitempty"`
	// Offers, when not nil, replaces Offer with one offer per use, for a
	// statement whose uses carry different offers or none (a registry
	// declaration: "deny train-genai; license train-ai 0.05 EUR"). A use
	// absent from it has no offer; a reserved use present in it is a deny
	// with the offer attached, D(offer).
	Offers map[Use]*Offer `json:"offers,omitempty"`
	// Overruled lists uses the statement speaks about that another
	// statement of the same party decides instead, each with why (a
	// registry declaration outranked by a more specific one of the same
	// rights holder, DESIGN §3.3). Such a use is absent from Uses, and
	// Evaluate counts the statement among the use's Lost.
	Overruled map[Use]string `json:"overruled,omitempty"`
	// Fetched is when the document the statement was read from was
	// fetched from its origin (zero for local files and for statements
	// without a document), and SHA256 the hex SHA-256 of the bytes read:
	// the snapshot a dispute needs (digest §14.1 principle 8).
	Fetched time.Time `json:"fetched,omitzero"`
	SHA256  string    `json:"sha256,omitempty"`
}

// OfferFor returns the licence s offers for u (nil for none): Offers[u]
// when s has Offers, else Offer.
func (s *Statement) OfferFor(u Use) *Offer {
	if s.Offers != nil {
		return s.Offers[u]
	}
	return s.Offer
}

// stamp records the document behind statements that do not name one yet.
func stamp(stmts []Statement, fetched time.Time, sum string) []Statement {
	for i := range stmts {
		if stmts[i].SHA256 == "" && stmts[i].Fetched.IsZero() {
			stmts[i].Fetched, stmts[i].SHA256 = fetched, sum
		}
	}
	return stmts
}

// digest returns the hex SHA-256 of data.
func digest(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// grade returns the statement's grade, Origin by default.
func (s *Statement) grade() Grade {
	if s.Grade == "" {
		return Origin
	}
	return s.Grade
}

// effects builds a Uses map giving v to each of uses.
func effects(v Verdict, uses ...Use) map[Use]Verdict {
	m := make(map[Use]Verdict, len(uses))
	for _, u := range uses {
		m[u] = v
	}
	return m
}
