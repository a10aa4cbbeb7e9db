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
	// or a 256-bit unit agrees) or ConfidenceUnconfirmed.
	Confidence string `json:"confidence"`
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
}

// MatchResult answers one MatchItem (and GET /v1/lookup): the matching
// works and the declarations that apply, or the error that kept the item
// from being looked up.
type MatchResult struct {
	Matches      []WorkMatch          `json:"matches"`
	Declarations []AppliedDeclaration `json:"declarations"`
	Error        string               `json:"error,omitempty"`
}
