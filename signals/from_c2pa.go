package signals

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/signals/c2pa"
)

// c2paUses maps an entry kind to the uses it speaks to (digest §10 and
// §14.3): each of the three specific kinds to its own use; data_mining to
// G, T and I, but only as a reservation.
func c2paUses(kind string) []Use {
	switch kind {
	case c2pa.KindAIGenerativeTraining:
		return []Use{TrainGenAI}
	case c2pa.KindAITraining:
		return []Use{TrainAI}
	case c2pa.KindAIInference:
		return []Use{AIInput}
	case c2pa.KindDataMining:
		return []Use{TrainGenAI, TrainAI, AIInput}
	}
	return nil
}

// fromC2PA maps the training-mining assertions of the active C2PA manifest
// (package c2pa reads and validates them). notAllowed denies and
// constrained requires a licence (CAWG: constrained is notAllowed unless
// more is known; constraint_info becomes the offer's terms) even when the
// manifest does not validate; allowed is a strong grant only when the
// manifest validates and the claim covers the assertion (§14.1.5), and is
// ignored otherwise. A damaged store leaves G, T and I unknown besides
// what could be read.
func fromC2PA(loc string, data []byte, uses []Use) []Statement {
	r, err := c2pa.Read(data)
	if err != nil && (errors.Is(err, c2pa.ErrNoManifest) || errors.Is(err, c2pa.ErrUnsupported)) {
		return nil
	}
	var out []Statement
	if r != nil {
		where := loc + " C2PA " + r.Location.String()
		if r.ActiveManifest != "" {
			where += " manifest " + r.ActiveManifest
		}
		usable := r.GrantsUsable()
		for _, a := range r.TrainingMining {
			s := Statement{Mechanism: "c2pa", Location: where + " assertion " + a.Label, Uses: map[Use]Verdict{}, Warnings: a.Warnings}
			var vals []string
			granted := false
			for _, e := range a.Entries {
				vals = append(vals, e.Key+"="+e.RawUse)
				s.Warnings = append(s.Warnings, e.Warnings...)
				us := c2paUses(e.Kind)
				if us == nil {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s: custom entry, not interpreted", e.Key))
					continue
				}
				switch e.Use {
				case c2pa.UseNotAllowed:
					for _, u := range us {
						s.Uses[u] = Deny
					}
				case c2pa.UseConstrained:
					for _, u := range us {
						if s.Uses[u] != Deny {
							s.Uses[u] = License
						}
					}
					if s.Offer == nil {
						s.Offer = &Offer{}
					}
					if ci := strings.TrimSpace(e.ConstraintInfo); ci != "" {
						if cu, err := url.Parse(ci); err == nil && (cu.Scheme == "http" || cu.Scheme == "https") {
							s.Offer.Terms = ci
						} else {
							s.Warnings = append(s.Warnings, fmt.Sprintf("%s constraint: %s", e.Key, ci))
						}
					}
				case c2pa.UseAllowed:
					if e.Kind == c2pa.KindDataMining {
						continue // grants nothing more specific (digest §10)
					}
					if !usable || !a.Covered {
						s.Warnings = append(s.Warnings, fmt.Sprintf("%s=allowed ignored: the manifest is %s (binding %s), so its grants do not count", e.Key, r.Status, r.Binding))
						continue
					}
					for _, u := range us {
						if s.Uses[u] == "" {
							s.Uses[u] = Allow
							granted = true
						}
					}
				default:
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s: use %q is not allowed, notAllowed or constrained; unknown", e.Key, e.RawUse))
				}
			}
			if s.Offer != nil && *s.Offer == (Offer{}) {
				s.Offer = nil
			}
			if granted {
				s.Grade = Strong
			}
			s.Value = a.Label + " {" + strings.Join(vals, ", ") + "}"
			s.Value += fmt.Sprintf(" (manifest %s, binding %s", r.Status, r.Binding)
			if r.Signer != "" {
				s.Value += ", signer " + r.Signer
			}
			s.Value += ")"
			s.Uses = restrict(s.Uses, uses)
			out = append(out, s)
		}
	}
	if err != nil {
		out = append(out, Statement{
			Mechanism: "c2pa", Location: loc, Value: "unreadable C2PA manifest store",
			Uses: restrict(effects(Unknown, TrainGenAI, TrainAI, AIInput), uses), Warnings: []string{err.Error()},
		})
	}
	return out
}
