package wire

// MatchItem is one item a developer asks about: its URL and/or its content
// codes, the shapes askfirst id prints.
type MatchItem struct {
	URL      string `json:"url,omitempty"`
	ISCC     string `json:"iscc,omitempty"`
	Units    Units  `json:"units,omitzero"`
	Datahash string `json:"datahash,omitempty"`
	// PDQ is matched by its hash; the quality is not used.
	PDQ *PDQ `json:"pdq,omitempty"`
}

// IsZero reports whether the item asks about nothing.
func (it MatchItem) IsZero() bool {
	return it.URL == "" && it.ISCC == "" && it.Units == (Units{}) && it.Datahash == "" && it.PDQ == nil
}

// MatchRequest is the body of POST /v1/match: at most MaxBatch items.
type MatchRequest struct {
	Items []MatchItem `json:"items"`
}

// MatchResponse answers POST /v1/match: one result per item, in order.
type MatchResponse struct {
	Results []MatchResult `json:"results"`
}

// Match kinds of WorkMatch.MatchedBy.
const (
	MatchedByDatahash   = "datahash"   // the same bytes
	MatchedByUnit       = "unit"       // an ISCC unit or code equal
	MatchedBySimilarity = "similarity" // a unit or PDQ within its threshold
	MatchedByURL        = "url"        // published at the item's URL
	MatchedByDomain     = "domain"     // published on the domain looked up
)

// Confidences of a work match (DESIGN §4).
const (
	ConfidenceExact       = "exact"
	ConfidenceConfirmed   = "confirmed"
	ConfidenceUnconfirmed = "unconfirmed"
)

// WorkMatch is a registered work matching an item, and how.
type WorkMatch struct {
	Work    string `json:"work"`
	Account string `json:"account"`
	Title   string `json:"title,omitempty"`
	Creator string `json:"creator,omitempty"`
	ISCC    string `json:"iscc,omitempty"`
	// MatchedBy is one of the MatchedBy* kinds.
	MatchedBy string `json:"matched_by"`
	// Unit is what matched: the code of an equal unit, "instance" for a
	// datahash, or the kind and length of the similar unit
	// ("iscc-content-image/64", "pdq/256").
	Unit     string `json:"unit,omitempty"`
	Distance int    `json:"distance"`
	// Confidence is ConfidenceExact, ConfidenceConfirmed (a second unit
	// or a 256-bit unit agrees) or ConfidenceUnconfirmed: one 64-bit unit
	// with nothing to confirm it, or a locator on a domain that neither the
	// owner nor the account that registered the work has verified.
	Confidence string `json:"confidence"`
	// Why says why an unconfirmed match is unconfirmed; absent otherwise.
	Why string `json:"why,omitempty"`
}

// PossibleMatch is a registered work that came within the threshold of an
// item on the unit it was found on but failed confirmation (DESIGN §4):
// another unit both sides have is beyond its threshold, as with a crop or
// a heavy edit, or with an unrelated work that looks alike. It is shown for
// a person to judge and never decides a verdict: no declaration applies
// through it.
type PossibleMatch struct {
	Work    string `json:"work"`
	Account string `json:"account"`
	Title   string `json:"title,omitempty"`
	Creator string `json:"creator,omitempty"`
	ISCC    string `json:"iscc,omitempty"`
	// Unit is the kind and length of the unit it was found on
	// ("iscc-content-image/64"), Distance its distance there in bits.
	Unit     string `json:"unit"`
	Distance int    `json:"distance"`
	// Units compares every unit both sides have, the unit found on first.
	Units []UnitDistance `json:"units"`
	// Why says which units failed: "pdq/256 is 40 bits apart, over its
	// threshold of 31".
	Why string `json:"why"`
}

// UnitDistance compares one unit of an item with a registered work's.
type UnitDistance struct {
	// Unit is the kind and length of the unit ("pdq/256").
	Unit      string `json:"unit"`
	Distance  int    `json:"distance"`
	Threshold int    `json:"threshold"`
	// Within reports Distance <= Threshold.
	Within bool `json:"within"`
}

// AppliedDeclaration is a current declaration that applies to an item,
// with why it applies.
type AppliedDeclaration struct {
	Declaration
	// AccountName is the name of the declaring account.
	AccountName string `json:"account_name,omitempty"`
	// OnBehalfOfName is the name of the member the declaration was made
	// for (Declaration.OnBehalfOf): the rights holder, when an organisation
	// declared for a member.
	OnBehalfOfName string `json:"on_behalf_of_name,omitempty"`
	// AppliesVia names the match: "work:<id>", "account:<id>" (all works
	// of the account), "domain" or "url-prefix".
	AppliesVia string `json:"applies_via"`
	// Confidence is that of the work match it applies through; absent for
	// domains and URL prefixes. Consumers honour reservations whatever the
	// confidence, and grants only from exact or confirmed matches (DESIGN
	// §3: deny broadly, grant narrowly).
	Confidence string `json:"confidence,omitempty"`
	// Work is the matched work it applies through (AppliesVia "work:" or
	// "account:"); absent for domains and URL prefixes.
	Work string `json:"work,omitempty"`
	// Party is the rights holder the declaration speaks for: OnBehalfOf
	// when an organisation declared for a member, else Account. Among one
	// party's declarations the most specific decides each use (DESIGN
	// §3.3); across parties deny beats licence beats allow.
	Party string `json:"party,omitempty"`
	// Uses says, for every use the declaration speaks about, what it says
	// as it applies to the item and whether it decides the use for its
	// party; in the order of the uses (train-genai, train-ai, ai-input,
	// search).
	Uses []UseOutcome `json:"uses,omitempty"`
}

// Statuses of a UseOutcome.
const (
	// StatusDecides: the declaration decides the use for its party.
	StatusDecides = "decides"
	// StatusOutranked: another declaration of the same party decides the
	// use (UseOutcome.By): a more specific subject, a closer match, a newer
	// declaration, or the member's own stricter one over a delegate's.
	StatusOutranked = "outranked"
	// StatusWithheld: a grant that cannot apply through this match (an
	// unconfirmed work match, a locator on an unverified domain); it takes
	// no part in precedence.
	StatusWithheld = "withheld"
)

// UseOutcome is what an applied declaration says about one use and how it
// fared (DESIGN §3.3–3.5).
type UseOutcome struct {
	Use string `json:"use"`
	// Decision is what the declaration says for the use as it applies:
	// its own term, or a broader deny or licence term that contains the
	// use (From); a licence reached only through an unverified locator is
	// a deny without its offer.
	Decision string `json:"decision"`
	// From is the broader use whose term decides this one ("train-ai"
	// for train-genai); absent when the use has its own term.
	From string `json:"from,omitempty"`
	// Offer is the licence offer that goes with the decision: the term's
	// own, or for a use a broader deny reserves, the offer of its own term
	// (whom to ask).
	Offer *Offer `json:"offer,omitempty"`
	// Status is StatusDecides, StatusOutranked or StatusWithheld.
	Status string `json:"status"`
	// By is the declaration that decides the use instead (outranked).
	By string `json:"by,omitempty"`
	// Why explains an outranked or withheld use, or what was withheld
	// from a deciding one (an offer through an unverified locator).
	Why string `json:"why,omitempty"`
}

// MatchResult answers one MatchItem (and GET /v1/lookup): the matching
// works, the declarations that apply with what each decides, the possible
// matches that failed confirmation, or the error that kept the item from
// being looked up.
type MatchResult struct {
	Matches      []WorkMatch          `json:"matches"`
	Declarations []AppliedDeclaration `json:"declarations"`
	// PossibleMatches are works found within a threshold that failed
	// confirmation; they never decide (PossibleMatch).
	PossibleMatches []PossibleMatch `json:"possible_matches,omitempty"`
	Error           string          `json:"error,omitempty"`
}
