package signals

import (
	"errors"
	"fmt"

	"github.com/askfirst/askfirst/signals/xmp"
)

// xmpEffects maps a PLUS Data Mining key (IPTC Photo Metadata, digest §9
// table). DMI-UNSPECIFIED and unknown values state nothing.
func xmpEffects(v xmp.Value) map[Use]Verdict {
	switch v {
	case xmp.Allowed:
		return effects(Allow, AllUses()...)
	case xmp.ProhibitedAIMLTraining:
		return effects(Deny, TrainGenAI, TrainAI)
	case xmp.ProhibitedGenAIMLTraining:
		return effects(Deny, TrainGenAI)
	case xmp.ProhibitedExceptSearch:
		m := effects(Deny, TrainGenAI, TrainAI, AIInput)
		m[Search] = Allow
		return m
	case xmp.Prohibited:
		return effects(Deny, AllUses()...)
	case xmp.ProhibitedSeeConstraint, xmp.ProhibitedSeeEmbeddedRightsExpr, xmp.ProhibitedSeeLinkedRightsExpr:
		return effects(License, AllUses()...)
	}
	return map[Use]Verdict{}
}

// fromXMP maps the plus:DataMining values embedded in a file. Grants are
// weak (unsigned metadata, §14.1.5); a damaged file whose metadata could
// not be fully read leaves every use unknown, besides what was read.
func fromXMP(loc string, data []byte, uses []Use) []Statement {
	res, err := xmp.Read(data)
	return fromXMPResult(loc, res, err, uses)
}

// fromXMPResult maps what xmp.Read returned.
func fromXMPResult(loc string, res *xmp.Result, err error, uses []Use) []Statement {
	var out []Statement
	if res != nil {
		for _, st := range res.DataMining {
			s := Statement{
				Mechanism: "iptc", Location: loc + " XMP " + st.Location.String(), Value: "plus:DataMining " + st.Raw,
				Uses: restrict(xmpEffects(st.Value), uses), Warnings: st.Warnings, Grade: Weak,
			}
			if st.Value == "" {
				s.Warnings = append(s.Warnings, "unknown Data Mining value; unknown")
			}
			for _, c := range res.OtherConstraints {
				if st.Value == xmp.ProhibitedSeeConstraint {
					s.Warnings = append(s.Warnings, fmt.Sprintf("plus:OtherConstraints: %s", c.Text))
				}
			}
			out = append(out, s)
		}
	}
	if err != nil && (errors.Is(err, xmp.ErrMalformed) || errors.Is(err, xmp.ErrTooLarge)) {
		out = append(out, Statement{
			Mechanism: "iptc", Location: loc, Value: "unreadable XMP",
			Uses: effects(Unknown, uses...), Warnings: []string{err.Error()},
		})
	}
	return out
}
