package wire

// Units are the ISCC-UNITs of a file or a work (ISO 24138), each an
// "ISCC:" string; a unit that was not computed is absent. The same object
// is the "units" of askfirst id, of a registered work and of a match item.
type Units struct {
	Meta string `json:"meta,omitempty"`
	// Semantic is the Semantic-Code of an ISCC-CODE that has one; askfirst
	// id computes none.
	Semantic string `json:"semantic,omitempty"`
	// Content is the Text-, Image-, Audio-, Video- or Mixed-Code.
	Content  string `json:"content,omitempty"`
	Data     string `json:"data,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// Codes returns the units that are set, in the order meta, semantic,
// content, data, instance.
func (u Units) Codes() []string {
	var out []string
	for _, c := range []string{u.Meta, u.Semantic, u.Content, u.Data, u.Instance} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// PDQ is a PDQ perceptual hash of an image: 256 bits as 64 hex digits, and
// its quality (0–100; 0 when unknown, as in a match item).
type PDQ struct {
	Hash    string `json:"hash"`
	Quality int    `json:"quality"`
}

// WorkInput is a work to register, known by its codes: at least one of
// ISCC, Units, Datahash and PDQ.
type WorkInput struct {
	// ISCC is the ISCC-CODE; when Units is empty its units are taken from it.
	ISCC     string `json:"iscc,omitempty"`
	Units    Units  `json:"units,omitzero"`
	Datahash string `json:"datahash,omitempty"`
	PDQ      *PDQ   `json:"pdq,omitempty"`
	// Mediatype and Filesize describe the file the codes were computed from.
	Mediatype string `json:"mediatype,omitempty"`
	Filesize  int64  `json:"filesize,omitempty"`
	Title     string `json:"title,omitempty"`
	Creator   string `json:"creator,omitempty"`
	// Locators are the http(s) URLs where the work is published.
	Locators []string `json:"locators,omitempty"`
}

// Work is a registered work as the API shows it.
type Work struct {
	ID string `json:"id"`
	// Account owns the work: the creator, or the member an organisation
	// registered it for.
	Account string `json:"account"`
	// RegisteredBy is the organisation that registered it for Account;
	// absent when the owner did.
	RegisteredBy string   `json:"registered_by,omitempty"`
	ISCC         string   `json:"iscc,omitempty"`
	Units        Units    `json:"units,omitzero"`
	Datahash     string   `json:"datahash,omitempty"`
	PDQ          *PDQ     `json:"pdq,omitempty"`
	Mediatype    string   `json:"mediatype,omitempty"`
	Filesize     int64    `json:"filesize,omitempty"`
	Title        string   `json:"title,omitempty"`
	Creator      string   `json:"creator,omitempty"`
	Locators     []string `json:"locators,omitempty"`
	Created      string   `json:"created"`
	LogIndex     int64    `json:"log_index"`
}

// RegisterRequest is the body of POST /v1/works: at most MaxBatch works,
// with the terms declared for each, for the caller or for a member who
// delegated to it. The batch is one transaction: all are registered or
// none.
type RegisterRequest struct {
	Works []WorkInput `json:"works"`
	// Terms, when given, are declared for every work of the batch.
	Terms []Term `json:"terms,omitempty"`
	// OnBehalfOf is the member account an organisation registers for.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

// Registered is one registered work with its receipt, and the declaration
// made with it and its receipt when terms were given.
type Registered struct {
	Work               Work         `json:"work"`
	Receipt            Receipt      `json:"receipt"`
	Declaration        *Declaration `json:"declaration,omitempty"`
	DeclarationReceipt *Receipt     `json:"declaration_receipt,omitempty"`
}

// RegisterResponse answers POST /v1/works, POST /v1/works/upload and POST
// /v1/declarations/import: the works in the order sent.
type RegisterResponse struct {
	Works []Registered `json:"works"`
}

// OwnWork is one of the caller's works with the owner's current
// declarations that apply to it (made by the owner, or by an organisation
// for it), each with the uses it decides (DESIGN §3.3: per use the most
// specific subject — the work, then a URL prefix of its locators, then
// their domain, then all the owner's works — the newest among equals).
type OwnWork struct {
	Work Work `json:"work"`
	// Declaration is the most specific of Declarations that decides at
	// least one use; absent when none applies.
	Declaration *AppliedDeclaration `json:"declaration,omitempty"`
	// Declarations are all of them, most specific first, each with its
	// UseOutcomes.
	Declarations []AppliedDeclaration `json:"declarations,omitempty"`
}

// WorkList answers GET /v1/accounts/me/works: a page of the caller's works
// ordered by ID.
type WorkList struct {
	Works []OwnWork `json:"works"`
	// Next is the cursor of the next page (pass it as ?after=); absent on
	// the last page.
	Next string `json:"next,omitempty"`
}
