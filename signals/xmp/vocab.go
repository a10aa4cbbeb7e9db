package xmp

import "strings"

// Namespace URIs used by the Data Mining properties (IPTC Photo Metadata
// Standard, PLUS namespace), by RDF and by the XMP Note schema.
const (
	NSPlus    = "http://ns.useplus.org/ldf/xmp/1.0/"
	NSRDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	NSXMPNote = "http://ns.adobe.com/xmp/note/"
	NSXML     = "http://www.w3.org/XML/1998/namespace"
	NSMeta    = "adobe:ns:meta/"
	NSDC      = "http://purl.org/dc/elements/1.1/"

	// VocabBase is the prefix of every PLUS Data Mining value URI.
	VocabBase = "http://ns.useplus.org/ldf/vocab/"
)

// Value is a PLUS Data Mining vocabulary key such as
// "DMI-PROHIBITED-AIMLTRAINING". Its full URI is VocabBase + the key.
// The zero value means the property held no recognised key.
type Value string

// The PLUS Data Mining vocabulary (signals.md §9). The comments give the
// meaning the vocabulary states; the signals package maps them to uses.
const (
	// Unspecified: no prohibition defined.
	Unspecified Value = "DMI-UNSPECIFIED"
	// Allowed: data mining, including AI/ML training, allowed.
	Allowed Value = "DMI-ALLOWED"
	// ProhibitedAIMLTraining: prohibited for AI/ML training (generative or not).
	ProhibitedAIMLTraining Value = "DMI-PROHIBITED-AIMLTRAINING"
	// ProhibitedGenAIMLTraining: prohibited for generative AI/ML training only.
	ProhibitedGenAIMLTraining Value = "DMI-PROHIBITED-GENAIMLTRAINING"
	// ProhibitedExceptSearch: prohibited except for search engine indexing.
	ProhibitedExceptSearch Value = "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING"
	// Prohibited: data mining prohibited, search indexing included.
	Prohibited Value = "DMI-PROHIBITED"
	// ProhibitedSeeConstraint: prohibited, see plus:OtherConstraints.
	ProhibitedSeeConstraint Value = "DMI-PROHIBITED-SEECONSTRAINT"
	// ProhibitedSeeEmbeddedRightsExpr: prohibited, see the embedded encoded
	// rights expression (Iptc4xmpExt:EmbdEncRightsExpr).
	ProhibitedSeeEmbeddedRightsExpr Value = "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR"
	// ProhibitedSeeLinkedRightsExpr: prohibited, see the linked encoded
	// rights expression (Iptc4xmpExt:LinkedEncRightsExpr).
	ProhibitedSeeLinkedRightsExpr Value = "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR"
)

// Values lists every key of the vocabulary, in the order of signals.md §9.
var Values = []Value{
	Unspecified, Allowed, ProhibitedAIMLTraining, ProhibitedGenAIMLTraining,
	ProhibitedExceptSearch, Prohibited, ProhibitedSeeConstraint,
	ProhibitedSeeEmbeddedRightsExpr, ProhibitedSeeLinkedRightsExpr,
}

// URI returns the full PLUS URI of v, VocabBase + v.
func (v Value) URI() string { return VocabBase + string(v) }

// ParseValue maps a property value as written in a file to a key of the
// vocabulary. Exact is true when raw was the canonical URI (surrounding white
// space aside); a bare key, another letter case or an https:// URI is still
// recognised, with exact false, because signals.md §9 asks to read obvious
// reservations leniently. ok is false when raw names no key of the vocabulary.
func ParseValue(raw string) (v Value, exact, ok bool) {
	s := strings.TrimSpace(raw)
	exact = strings.HasPrefix(s, VocabBase)
	key := s
	for _, base := range []string{VocabBase, "https://ns.useplus.org/ldf/vocab/"} {
		if len(key) >= len(base) && strings.EqualFold(key[:len(base)], base) {
			key = key[len(base):]
			break
		}
	}
	for _, c := range Values {
		if key == string(c) {
			return c, exact, true
		}
	}
	for _, c := range Values {
		if strings.EqualFold(key, string(c)) {
			return c, false, true
		}
	}
	return "", false, false
}
