package wire

// Domain claim states.
const (
	DomainStatePending  = "pending"
	DomainStateVerified = "verified"
)

// ClaimDomainRequest is the body of POST /v1/domains.
type ClaimDomainRequest struct {
	Domain string `json:"domain"`
}

// DomainClaim answers POST /v1/domains: the token to publish as a line of
// https://DOMAIN/.well-known/askfirst.txt or as a DNS TXT record of
// _askfirst.DOMAIN, and where.
type DomainClaim struct {
	Domain string `json:"domain"`
	// State is DomainStatePending or DomainStateVerified.
	State        string `json:"state"`
	Token        string `json:"token"`
	Instructions string `json:"instructions"`
}

// DomainVerified answers POST /v1/domains/{domain}/verify.
type DomainVerified struct {
	Domain string `json:"domain"`
	State  string `json:"state"`
	// Method is how the token was found: "http" or "dns".
	Method  string  `json:"method"`
	Receipt Receipt `json:"receipt"`
}
