package tdmrep

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Policy is a TDM Policy: an ODRL 2.2 Offer in the TDMRep profile (spec
// §"TDM Policy", digest §3.4), read far enough to report what it permits,
// prohibits and requires, and whom to contact.
type Policy struct {
	// UID is the policy's identifier.
	UID string
	// Type is the ODRL policy type ("Offer").
	Type string
	// Profile should be "http://www.w3.org/ns/tdmrep".
	Profile string
	// Assigner is the rights holder offering the policy.
	Assigner Party
	// Permissions, Prohibitions and Obligations are the policy's rules.
	// TDMRep policies should hold permissions only, with action tdm:mine.
	Permissions  []PolicyRule
	Prohibitions []PolicyRule
	Obligations  []PolicyRule
	// Warnings report deviations from the TDMRep profile.
	Warnings []string
}

// Party is an ODRL party described with vCard properties.
type Party struct {
	// ID is the party's URI.
	ID string
	// Name (vcard:fn), Nickname, Email (mailto:), Phone (tel:), URL and
	// Address, as given.
	Name, Nickname, Email, Phone, URL, Address string
}

// PolicyRule is an ODRL permission, prohibition or obligation.
type PolicyRule struct {
	// Action is the action ("tdm:mine").
	Action string
	// Target is the asset collection the rule covers, "" for any.
	Target string
	// Duties are the actions required ("compensate", "obtainConsent").
	Duties []string
	// Constraints are "leftOperand operator rightOperand" triples, such as
	// "purpose eq tdm:research".
	Constraints []string
}

// RequiresCompensation reports whether a permission carries a compensate
// duty.
func (r PolicyRule) RequiresCompensation() bool { return hasDuty(r, "compensate") }

// RequiresConsent reports whether a permission carries an obtainConsent
// duty.
func (r PolicyRule) RequiresConsent() bool { return hasDuty(r, "obtainconsent") }

func hasDuty(r PolicyRule, d string) bool {
	for _, x := range r.Duties {
		if strings.EqualFold(localName(x), d) {
			return true
		}
	}
	return false
}

// ParsePolicy parses a TDM Policy in JSON or JSON-LD. It fails when the
// document is over MaxPolicy or not a JSON object; deviations from the
// TDMRep profile (context, type, profile, rules other than permissions)
// are warnings. It does not expand JSON-LD: compact terms and prefixed
// names ("tdm:mine", "vcard:fn") are read as the spec's examples write
// them.
func ParsePolicy(data []byte) (*Policy, error) {
	if len(data) > MaxPolicy {
		return nil, fmt.Errorf("parse TDM policy: %d bytes over the %d-byte limit", len(data), MaxPolicy)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse TDM policy: not a JSON object: %w", err)
	}
	p := &Policy{
		UID:     str(doc["uid"]),
		Type:    str(first(doc["@type"], doc["type"])),
		Profile: str(doc["profile"]),
	}
	if !hasContext(doc["@context"], "http://www.w3.org/ns/tdmrep.jsonld") {
		p.Warnings = append(p.Warnings, `@context lacks "http://www.w3.org/ns/tdmrep.jsonld"`)
	}
	if p.Type != "Offer" && p.Type != "odrl:Offer" {
		p.Warnings = append(p.Warnings, fmt.Sprintf("@type is %q, not Offer", p.Type))
	}
	if p.Profile != "http://www.w3.org/ns/tdmrep" {
		p.Warnings = append(p.Warnings, fmt.Sprintf("profile is %q, not http://www.w3.org/ns/tdmrep", p.Profile))
	}
	p.Assigner = party(doc["assigner"])
	p.Permissions = rules(doc["permission"])
	p.Prohibitions = rules(doc["prohibition"])
	p.Obligations = rules(doc["obligation"])
	if len(p.Prohibitions) > 0 || len(p.Obligations) > 0 {
		p.Warnings = append(p.Warnings, "policy has prohibitions or obligations, which TDMRep policies should not")
	}
	return p, nil
}

func hasContext(v any, want string) bool {
	for _, x := range list(v) {
		if str(x) == want {
			return true
		}
	}
	return false
}

// list returns v as a slice: arrays as they are, anything else as one.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

func first(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// str reads a JSON-LD value as a string: a string, or the @id, @value or
// uid of an object.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return str(first(x["@id"], x["@value"], x["uid"]))
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

// prop reads a vCard property under its prefixed or bare name.
func prop(m map[string]any, name string) string {
	return str(first(m["vcard:"+name], m[name]))
}

func party(v any) Party {
	if s, ok := v.(string); ok {
		return Party{ID: s}
	}
	m, _ := first(v).(map[string]any)
	if l, ok := v.([]any); ok && len(l) > 0 {
		m, _ = l[0].(map[string]any)
	}
	if m == nil {
		return Party{}
	}
	return Party{
		ID:       str(first(m["@id"], m["uid"])),
		Name:     prop(m, "fn"),
		Nickname: prop(m, "nickname"),
		Email:    prop(m, "hasEmail"),
		Phone:    prop(m, "hasTelephone"),
		URL:      prop(m, "hasURL"),
		Address:  address(first(m["vcard:hasAddress"], m["hasAddress"])),
	}
}

func address(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return str(v)
	}
	var parts []string
	for _, k := range []string{"street-address", "postal-code", "locality", "region", "country-name"} {
		if s := prop(m, k); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// maxPolicyRules caps the rules read per kind.
const maxPolicyRules = 1000

func rules(v any) []PolicyRule {
	var out []PolicyRule
	for _, x := range list(v) {
		if len(out) >= maxPolicyRules {
			break
		}
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		r := PolicyRule{Action: str(m["action"]), Target: str(m["target"])}
		for _, d := range list(m["duty"]) {
			if dm, ok := d.(map[string]any); ok {
				r.Duties = append(r.Duties, str(dm["action"]))
			} else if s := str(d); s != "" {
				r.Duties = append(r.Duties, s)
			}
		}
		for _, c := range list(m["constraint"]) {
			if cm, ok := c.(map[string]any); ok {
				r.Constraints = append(r.Constraints, strings.TrimSpace(str(cm["leftOperand"])+" "+str(cm["operator"])+" "+str(cm["rightOperand"])))
			}
		}
		out = append(out, r)
	}
	return out
}

func localName(s string) string {
	if i := strings.LastIndexAny(s, ":/#"); i >= 0 {
		return s[i+1:]
	}
	return s
}
