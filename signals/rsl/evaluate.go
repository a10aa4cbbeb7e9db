package rsl

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Status is what a content element's licences say about one usage.
type Status int

const (
	// NotCovered: the content offers licences, but none that covers the
	// usage for the requester, so the usage is not licensed. Offer is set
	// when a licence covers the usage for other users or regions.
	NotCovered Status = iota
	// Prohibited: a licence prohibits the usage (or all, or ai-all for AI
	// usages).
	Prohibited
	// LicenseRequired: a licence covers the usage but costs something,
	// must be obtained from a license server, or has conditions.
	LicenseRequired
	// Free: a licence covers the usage for the requester at no cost, with
	// no license server.
	Free
	// NotAddressed: the content's licences grant nothing at all (they only
	// prohibit other usages), so they say nothing about this usage: a
	// prohibition reserves exactly the usages it names and those they
	// contain, no more.
	NotAddressed
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
	case NotAddressed:
		return "not-addressed"
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
	// covering one (free before paid, then document order); for
	// NotCovered, the licence that covers the usage for other users or
	// regions, if any; nil otherwise.
	License *License
	// Offer is set for LicenseRequired and Free, and for Prohibited and
	// NotCovered when a licence of the content covers the usage (for
	// NotCovered: for other users or regions), so the user knows whom to
	// ask.
	Offer *Offer
	// Conditions lists the user and geo restrictions of the deciding
	// licence; for NotCovered with a licence, why it does not cover the
	// requester.
	Conditions []string
}

// User classes of RSL 1.0 (<permits type="user">, <prohibits
// type="user">).
const (
	UserCommercial    = "commercial"
	UserNonCommercial = "non-commercial"
	UserEducation     = "education"
	UserGovernment    = "government"
	UserPersonal      = "personal"
)

// UserClasses lists the RSL 1.0 user classes.
var UserClasses = []string{UserCommercial, UserNonCommercial, UserEducation, UserGovernment, UserPersonal}

// Profile is who wants to use the content: a licence restricted by
// <permits type="user|geo"> or <prohibits type="user|geo"> covers only the
// requesters it admits. The zero Profile declares nothing, and a licence
// with any user or geo restriction then covers no one: nobody can show
// that the requester is in the classes or regions it names, or outside the
// ones it excludes.
type Profile struct {
	// User is the requester's user class (see UserClasses), "" when
	// undeclared.
	User string
	// Geo is the ISO 3166-1 alpha-2 code of the country where the content
	// is used, "" when undeclared. A licence's geo value may also be a
	// region containing countries (EU, 150 for Europe), as CLDR defines
	// them.
	Geo string
}

// ParseProfile checks a requester's declared profile: user must be one of
// UserClasses (or empty), geo an ISO 3166-1 alpha-2 country code (or
// empty), returned upper-cased.
func ParseProfile(user, geo string) (Profile, error) {
	p := Profile{User: strings.ToLower(strings.TrimSpace(user)), Geo: strings.ToUpper(strings.TrimSpace(geo))}
	if p.User != "" && !slices.Contains(UserClasses, p.User) {
		return Profile{}, fmt.Errorf("user class %q: not one of %s", user, strings.Join(UserClasses, ", "))
	}
	if p.Geo != "" {
		r, err := language.ParseRegion(p.Geo)
		if len(p.Geo) != 2 || err != nil || !r.IsCountry() {
			return Profile{}, fmt.Errorf("country %q: not an ISO 3166-1 alpha-2 country code (such as DE, US, JP)", geo)
		}
	}
	return p, nil
}

// String returns "user commercial, geo DE declared", "no user class, no
// country declared", and so on.
func (p Profile) String() string {
	user, geo := "no user class", "no country"
	if p.User != "" {
		user = "user " + p.User
	}
	if p.Geo != "" {
		geo = "geo " + p.Geo
	}
	return user + ", " + geo + " declared"
}

// admits reports whether the licence's user and geo restrictions admit p,
// and if not, why.
func (l *License) admits(p Profile) (bool, string) {
	user := strings.ToLower(strings.TrimSpace(p.User))
	if len(l.Permits.User) > 0 && (user == "" || !slices.Contains(l.Permits.User, user)) {
		return false, "for users " + strings.Join(l.Permits.User, " ") + ", not " + orUndeclared(user, "an undeclared user class")
	}
	if len(l.Prohibits.User) > 0 && (user == "" || slices.Contains(l.Prohibits.User, user)) {
		return false, "not for users " + strings.Join(l.Prohibits.User, " ") + ", and the requester is " + orUndeclared(user, "of an undeclared user class")
	}
	if len(l.Permits.Geo) > 0 && (p.Geo == "" || !anyRegionContains(l.Permits.Geo, p.Geo)) {
		return false, "for regions " + strings.Join(l.Permits.Geo, " ") + ", not " + orUndeclared(strings.ToUpper(p.Geo), "an undeclared country")
	}
	if len(l.Prohibits.Geo) > 0 && (p.Geo == "" || anyRegionContains(l.Prohibits.Geo, p.Geo)) {
		return false, "not in regions " + strings.Join(l.Prohibits.Geo, " ") + ", and the requester is in " + orUndeclared(strings.ToUpper(p.Geo), "an undeclared country")
	}
	return true, ""
}

func orUndeclared(v, undeclared string) string {
	if v == "" {
		return undeclared
	}
	return v
}

// anyRegionContains reports whether one of the licence's geo values is
// country or a region containing it (CLDR containment: EU contains DE).
func anyRegionContains(values []string, country string) bool {
	c, err := language.ParseRegion(country)
	if err != nil {
		return false
	}
	for _, v := range values {
		if strings.EqualFold(v, country) {
			return true
		}
		if r, err := language.ParseRegion(v); err == nil && r.Contains(c) {
			return true
		}
	}
	return false
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
	return l.grants()
}

// grants reports whether the licence grants anything: it has permits or
// a payment, or it has no prohibitions (an empty licence is a free
// licence for every usage). A licence that holds only prohibitions grants
// nothing.
func (l *License) grants() bool {
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

// Evaluate is EvaluateFor with the zero Profile: a requester who declared
// no user class and no country, whom no user- or geo-restricted licence
// covers.
func (c *Content) Evaluate(usage string) (Evaluation, error) {
	return c.EvaluateFor(usage, Profile{})
}

// EvaluateFor says what the content's licences say about a usage (an RSL
// usage value or alias, see CanonicalUsage) for the requester p. A
// prohibition of the usage (or of a value containing it: ai-all, all) in
// any licence wins; then a free licence, with no license server, that
// covers the usage and admits p; then any covering licence that admits p
// (LicenseRequired); then, when only licences for other users or regions
// cover the usage, NotCovered with that licence's offer (RSL licences
// grant only to those they name, so the requester is not licensed but
// knows whom to ask); else NotCovered when the content offers licences
// that grant something, and NotAddressed when it only prohibits.
func (c *Content) EvaluateFor(usage string, p Profile) (Evaluation, error) {
	u, ok := CanonicalUsage(usage)
	if !ok {
		return Evaluation{}, fmt.Errorf("evaluate RSL usage %q: not an RSL 1.0 usage", usage)
	}
	ev := Evaluation{Usage: u}
	var free, paid, other *License
	why, grants := "", false
	for i := range c.Licenses {
		l := &c.Licenses[i]
		grants = grants || l.grants()
		if listed(l.Prohibits.Usage, u) {
			if ev.Status != Prohibited {
				ev.Status, ev.License = Prohibited, l
			}
			continue
		}
		if !l.covers(u) {
			continue
		}
		if ok, w := l.admits(p); !ok {
			if other == nil {
				other, why = l, w
			}
			continue
		}
		if l.Free() && c.Server == "" {
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
		if best == nil {
			best = other
		}
		if best != nil {
			ev.Offer = c.offer(best)
		}
	case free != nil:
		ev.Status, ev.License, ev.Offer = Free, free, c.offer(free)
	case paid != nil:
		ev.Status, ev.License, ev.Offer = LicenseRequired, paid, c.offer(paid)
	case other != nil:
		ev.Status, ev.License, ev.Offer = NotCovered, other, c.offer(other)
		ev.Conditions = []string{why}
		return ev, nil
	case !grants:
		ev.Status = NotAddressed
		return ev, nil
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
