package wire

import "encoding/json"

// Uses a declaration decides (DESIGN §2; specs/signals.md §14.3):
// UseTrainGenAI ⊂ UseTrainAI.
const (
	UseTrainGenAI = "train-genai"
	UseTrainAI    = "train-ai"
	UseAIInput    = "ai-input"
	UseSearch     = "search"
)

// Decisions of a term.
const (
	DecisionDeny    = "deny"
	DecisionAllow   = "allow"
	DecisionLicense = "license"
)

// Subject kinds of a declaration.
const (
	SubjectWork      = "work"       // Value: a work ID
	SubjectAccount   = "account"    // Value: an account ID (all its works)
	SubjectDomain    = "domain"     // Value: a verified domain
	SubjectURLPrefix = "url-prefix" // Value: a URL prefix; Domain: its host
)

// Subject is what a declaration is about.
//
// Log entries written before the wire types existed spell its keys "Kind",
// "Value" and "Domain"; encoding/json matches keys case-insensitively, so
// they decode into Subject unchanged.
type Subject struct {
	// Kind is one of the Subject* kinds.
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Domain is the host of a SubjectURLPrefix; absent otherwise.
	Domain string `json:"domain,omitempty"`
}

// String returns the subject as the command line takes it: work:ID,
// account:ID, domain:D or url-prefix:URL.
func (s Subject) String() string { return s.Kind + ":" + s.Value }

// Term is the decision for one use.
type Term struct {
	// Use is one of the Use* names.
	Use string `json:"use"`
	// Decision is DecisionDeny, DecisionAllow or DecisionLicense.
	Decision string `json:"decision"`
	// Offer is the licence offered: required with DecisionLicense, allowed
	// with DecisionDeny (whom to ask), refused with DecisionAllow.
	Offer *Offer `json:"offer,omitempty"`
}

// Offer is a licence offer (DESIGN §9): at least a price with its currency,
// a terms URL or a contact.
type Offer struct {
	// Price is a decimal amount per item, such as "0.05".
	Price string `json:"price,omitempty"`
	// Currency is the ISO 4217 code of Price, such as "EUR".
	Currency string `json:"currency,omitempty"`
	// PerUse prices each use separately rather than the item once.
	PerUse   bool   `json:"per_use,omitempty"`
	TermsURL string `json:"terms_url,omitempty"`
	// Contact is where to ask for a licence: a URL or a mailto: address.
	Contact string `json:"contact,omitempty"`
}

// DeclarationStatement is what a declaration says. Its RFC 8785 canonical
// JSON, without ID and Created, is what a self-signing account signs with
// Ed25519 (DeclareRequest.Signed); with them it is the declaration's log
// entry (DESIGN §5).
type DeclarationStatement struct {
	// Type is "declaration".
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	// Account is who declares: the owner, or the organisation acting for
	// the member OnBehalfOf.
	Account    string  `json:"account"`
	OnBehalfOf string  `json:"on_behalf_of,omitempty"`
	Subject    Subject `json:"subject"`
	Terms      []Term  `json:"terms"`
	Supersedes string  `json:"supersedes,omitempty"`
	Created    string  `json:"created,omitempty"`
}

// DeclareRequest is the body of POST /v1/declarations. Signed, Signature
// and Key together make it self-signed; one without the others is refused,
// and so is a signature that does not verify over Signed with a current key
// of the declaring account (or of the member it declares for).
type DeclareRequest struct {
	Subject Subject `json:"subject"`
	Terms   []Term  `json:"terms"`
	// OnBehalfOf is the member account an organisation declares for.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
	// Supersedes is the ID of the declaration this one replaces (same
	// subject, same party); both stay in the log.
	Supersedes string `json:"supersedes,omitempty"`
	// Signed is the RFC 8785 canonical JSON of the DeclarationStatement of
	// this request (type, account, on_behalf_of, subject, terms,
	// supersedes); Signature is its Ed25519 signature (base64 in JSON) by
	// the registered key Key.
	Signed    json.RawMessage `json:"signed,omitempty"`
	Signature []byte          `json:"signature,omitempty"`
	Key       string          `json:"key,omitempty"`
}

// Declaration is a declaration as the API shows it.
type Declaration struct {
	ID string `json:"id"`
	// Account is who declared: the owner, or its organisation.
	Account    string  `json:"account"`
	OnBehalfOf string  `json:"on_behalf_of,omitempty"`
	Subject    Subject `json:"subject"`
	Terms      []Term  `json:"terms"`
	Supersedes string  `json:"supersedes,omitempty"`
	// SupersededBy is the declaration that replaced this one; absent while
	// it is current.
	SupersededBy string `json:"superseded_by,omitempty"`
	// Signed reports a self-signed declaration.
	Signed   bool   `json:"signed,omitempty"`
	Created  string `json:"created"`
	LogIndex int64  `json:"log_index"`
}

// Declared answers POST /v1/declarations.
type Declared struct {
	Declaration Declaration `json:"declaration"`
	Receipt     Receipt     `json:"receipt"`
}

// DeclarationList answers GET /v1/accounts/me/declarations: a page of the
// declarations the caller made (for itself or for members), current and
// superseded, ordered by ID.
type DeclarationList struct {
	Declarations []Declaration `json:"declarations"`
	// Next is the cursor of the next page (pass it as ?after=); absent on
	// the last page.
	Next string `json:"next,omitempty"`
}

// TDM is the per-use part of a TDM·AI declaration: a decision per use,
// absent for a use it does not decide.
type TDM struct {
	TrainGenAI string `json:"train-genai,omitempty"`
	TrainAI    string `json:"train-ai,omitempty"`
	AIInput    string `json:"ai-input,omitempty"`
	Search     string `json:"search,omitempty"`
}

// ImportRequest is the body of POST /v1/declarations/import: a TDM·AI-style
// declaration keyed by ISCC (the Liccium shape), registered as a work with
// one declaration.
type ImportRequest struct {
	ISCC string `json:"iscc"`
	// Name is the work's title.
	Name string `json:"name,omitempty"`
	TDM  TDM    `json:"tdm"`
	// Offer applies to the uses TDM licenses.
	Offer *Offer `json:"offer,omitempty"`
}
