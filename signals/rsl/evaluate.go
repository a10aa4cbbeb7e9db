package rsl

import (
	"fmt"
	"strings"
)

// Status is what a content element's licences say about one usage.
type Status int

const (
	// NotCovered: no licence covers the usage, so it is not licensed.
	NotCovered Status = iota
	// Prohibited: a licence prohibits the usage (or all, or ai-all for AI
	// usages).
	Prohibited
	// LicenseRequired: a licence covers the usage but costs something,
	// must be obtained from a license server, or has conditions.
	LicenseRequired
	// Free: a licence covers the usage at no cost, with no server and no
	// user or geo restriction.
	Free
)

// String returns "not-covered", "prohibited", "license-required" or
// "free".
func (s Status) String() string {
	switch s {
	case Prohibited:
		return "prohibited"
	case LicenseRequired:
		return "license-required"
	case Free:
		return "free"
	}
	return "not-covered"
}

// Offer is what a user needs to obtain a licence.
type Offer struct {
	// PaymentType is the licence's payment type ("" when it has none).
	PaymentType string
	// Amount and Currency are the first amount of the payment.
	Amount, Currency string
	// Terms are the licence's standard and custom terms URLs and the
	// content's terms.
	Terms []string
	// Server is the RSL License Server to obtain the licence from.
	Server string
	// Contact is a contact from the licence's legal statements or the
	// content's copyright holder.
	Contact string
	// Holder is the copyright holder's name.
	Holder string
}

// Evaluation is the outcome of Evaluate.
type Evaluation struct {
	// Usage is the canonical usage evaluated.
	Usage  string
	Status Status
	// License is the deciding licence: the prohibiting one, or the best
	// covering one (free before paid, then document order); nil for
	// NotCovered.
	License *License
	// Offer is set for LicenseRequired and Free, and for Prohibited when
	// another licence of the content covers the usage (so the user knows
	// whom to ask).
	Offer *Offer
	// Conditions lists user and geo restrictions of the deciding licence.
	Conditions []string
}

// parents returns usage and the values that include it.
func parents(usage string) []string {
	switch usage {
	case UsageAITrain, UsageAIInput, UsageAIIndex:
		return []string{usage, UsageAIAll, UsageAll}
	case UsageAIAll:
		return []string{usage, UsageAll}
	}
	return []string{usage, UsageAll}
}

func listed(values []string, usage string) bool {
	for _, p := range parents(usage) {
		for _, v := range values {
			if v == p {
				return true
			}
		}
	}
	return false
}

// covers reports whether a licence grants usage (see the package doc).
func (l *License) covers(usage string) bool {
	if len(l.Permits.Usage) > 0 {
		return listed(l.Permits.Usage, usage)
	}
	// No usage permits: every usage, unless the licence holds only
	// prohibitions.
	return !(l.Permits.empty() && l.Payment == nil && !l.Prohibits.empty())
}

func (l *License) conditions() []string {
	var out []string
	if len(l.Permits.User) > 0 {
		out = append(out, "users: "+strings.Join(l.Permits.User, " "))
	}
	if len(l.Prohibits.User) > 0 {
		out = append(out, "not for users: "+strings.Join(l.Prohibits.User, " "))
	}
	if len(l.Permits.Geo) > 0 {
		out = append(out, "regions: "+strings.Join(l.Permits.Geo, " "))
	}
	if len(l.Prohibits.Geo) > 0 {
		out = append(out, "not in regions: "+strings.Join(l.Prohibits.Geo, " "))
	}
	return out
}

// Evaluate says what the content's licences say about a usage (an RSL
// usage value or alias, see CanonicalUsage). Prohibition wins; then a free
// unconditional licence; then any covering licence; else NotCovered.
func (c *Content) Evaluate(usage string) (Evaluation, error) {
	u, ok := CanonicalUsage(usage)
	if !ok {
		return Evaluation{}, fmt.Errorf("evaluate RSL usage %q: not an RSL 1.0 usage", usage)
	}
	ev := Evaluation{Usage: u}
	var free, paid *License
	for i := range c.Licenses {
		l := &c.Licenses[i]
		if listed(l.Prohibits.Usage, u) {
			if ev.Status != Prohibited {
				ev.Status, ev.License = Prohibited, l
			}
			continue
		}
		if !l.covers(u) {
			continue
		}
		if l.Free() && c.Server == "" && len(l.conditions()) == 0 {
			if free == nil {
				free = l
			}
		} else if paid == nil {
			paid = l
		}
	}
	best := free
	if best == nil {
		best = paid
	}
	switch {
	case ev.Status == Prohibited:
		if best != nil {
			ev.Offer = c.offer(best)
		}
	case free != nil:
		ev.Status, ev.License, ev.Offer = Free, free, c.offer(free)
	case paid != nil:
		ev.Status, ev.License, ev.Offer = LicenseRequired, paid, c.offer(paid)
	}
	if ev.License != nil {
		ev.Conditions = ev.License.conditions()
	}
	return ev, nil
}

func (c *Content) offer(l *License) *Offer {
	o := &Offer{Server: c.Server}
	if p := l.Payment; p != nil {
		o.PaymentType = p.Type
		if len(p.Amounts) > 0 {
			o.Amount, o.Currency = p.Amounts[0].Value, p.Amounts[0].Currency
		}
		o.Terms = append(o.Terms, p.Standard...)
		o.Terms = append(o.Terms, p.Custom...)
	}
	o.Terms = append(o.Terms, c.Terms...)
	for _, lg := range l.Legal {
		if strings.EqualFold(lg.Type, "contact") && o.Contact == "" {
			o.Contact = lg.Value
		}
	}
	if cp := c.Copyright; cp != nil {
		o.Holder = cp.Name
		if o.Contact == "" {
			o.Contact = cp.Email
			if o.Contact == "" {
				o.Contact = cp.URL
			}
		}
	}
	return o
}
