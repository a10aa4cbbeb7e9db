package wire

// Campaign is a statement an organisation publishes for others to sign.
type Campaign struct {
	ID string `json:"id"`
	// Account is the organiser; AccountName its name.
	Account     string `json:"account"`
	AccountName string `json:"account_name,omitempty"`
	Title       string `json:"title"`
	Statement   string `json:"statement"`
	Created     string `json:"created"`
	LogIndex    int64  `json:"log_index"`
}

// CreateCampaignRequest is the body of POST /v1/campaigns.
type CreateCampaignRequest struct {
	Title     string `json:"title"`
	Statement string `json:"statement"`
}

// CampaignCreated answers POST /v1/campaigns.
type CampaignCreated struct {
	Campaign Campaign `json:"campaign"`
	Receipt  Receipt  `json:"receipt"`
}

// Signatory is a signature whose signer chose to be listed publicly.
type Signatory struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
	// Domain is a domain the signer verified.
	Domain   string `json:"domain,omitempty"`
	LogIndex int64  `json:"log_index"`
}

// CampaignView answers GET /v1/campaigns/{id}: the campaign, its count of
// signatures (listed or not) and a page of the listed signatories.
type CampaignView struct {
	Campaign   Campaign    `json:"campaign"`
	Signatures int64       `json:"signatures"`
	Listed     []Signatory `json:"listed"`
	// Next is the cursor of the next page of signatories (pass it as
	// ?after=); absent on the last page.
	Next string `json:"next,omitempty"`
}

// CampaignSummary is a campaign with its count of signatures.
type CampaignSummary struct {
	Campaign   Campaign `json:"campaign"`
	Signatures int64    `json:"signatures"`
}

// CampaignList answers GET /v1/campaigns: a page of campaigns ordered by
// ID.
type CampaignList struct {
	Campaigns []CampaignSummary `json:"campaigns"`
	// Next is the cursor of the next page (pass it as ?after=); absent on
	// the last page.
	Next string `json:"next,omitempty"`
}

// SignRequest is the body of POST /v1/campaigns/{id}/signatures.
type SignRequest struct {
	// Name is the signatory's name; the account's name when empty.
	Name string `json:"name,omitempty"`
	Role string `json:"role,omitempty"`
	// Domain is a domain the signer verified, shown with the signature.
	Domain string `json:"domain,omitempty"`
	// Listed lists the signature publicly; it is counted either way.
	Listed bool `json:"listed,omitempty"`
	// Terms, when given, are declared for all the signer's works.
	Terms []Term `json:"terms,omitempty"`
}

// Signature is one signature of a campaign.
type Signature struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role,omitempty"`
	Domain string `json:"domain,omitempty"`
	Listed bool   `json:"listed"`
	// Declaration is the ID of the declaration for all the signer's works
	// the signature carries, when it carries terms.
	Declaration string `json:"declaration,omitempty"`
}

// Signed answers POST /v1/campaigns/{id}/signatures: the signature and the
// receipts of its log entries (the blanket declaration first when terms
// were given, then the signature).
type Signed struct {
	Signature Signature `json:"signature"`
	Receipts  []Receipt `json:"receipts"`
}
