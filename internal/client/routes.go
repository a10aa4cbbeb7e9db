package client

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Account is an account as the API shows it.
type Account struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Created  string `json:"created"`
	LogIndex int64  `json:"log_index"`
}

// AccountCreated answers CreateAccount: the account, its first token
// (read-write; shown once) and the receipt of its log entry.
type AccountCreated struct {
	Account Account         `json:"account"`
	Token   string          `json:"token"`
	Receipt *ledger.Receipt `json:"receipt,omitempty"`
}

// CreateAccount creates an account (POST /v1/accounts); no token needed.
// kind is creator, organisation or developer.
func (c *Client) CreateAccount(ctx context.Context, name, kind string) (AccountCreated, error) {
	var out AccountCreated
	err := c.do(ctx, "POST", "/v1/accounts", nil, map[string]string{"name": name, "kind": kind}, &out, MaxResponse)
	return out, err
}

// Me is the account and token the client authenticates as.
type Me struct {
	Account Account `json:"account"`
	Token   struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	} `json:"token"`
}

// Me returns the caller's account (GET /v1/accounts/me).
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out Me
	err := c.do(ctx, "GET", "/v1/accounts/me", nil, nil, &out, MaxResponse)
	return out, err
}

// KeyAdded answers AddKey.
type KeyAdded struct {
	ID      string         `json:"id"`
	Receipt ledger.Receipt `json:"receipt"`
}

// AddKey registers an Ed25519 public key for self-signed declarations
// (POST /v1/keys).
func (c *Client) AddKey(ctx context.Context, pub ed25519.PublicKey) (KeyAdded, error) {
	var out KeyAdded
	err := c.do(ctx, "POST", "/v1/keys", nil, map[string]string{"public_key": base64.StdEncoding.EncodeToString(pub)}, &out, MaxResponse)
	return out, err
}

// Delegate lets organisation register works and declare for the
// caller's account (POST /v1/delegations).
func (c *Client) Delegate(ctx context.Context, organisation string) (ledger.Receipt, error) {
	var out struct {
		Receipt ledger.Receipt `json:"receipt"`
	}
	err := c.do(ctx, "POST", "/v1/delegations", nil, map[string]string{"organisation": organisation}, &out, MaxResponse)
	return out.Receipt, err
}

// Work is a registered work as the API shows it.
type Work struct {
	ID       string       `json:"id"`
	Account  string       `json:"account"`
	ISCC     string       `json:"iscc,omitempty"`
	Units    []store.Unit `json:"units,omitempty"`
	Datahash string       `json:"datahash,omitempty"`
	PDQ      string       `json:"pdq,omitempty"`
	Title    string       `json:"title,omitempty"`
	Creator  string       `json:"creator,omitempty"`
	Locators []string     `json:"locators,omitempty"`
	LogIndex int64        `json:"log_index"`
}

// Declaration is a declaration as the API shows it.
type Declaration struct {
	ID         string        `json:"id"`
	Account    string        `json:"account"`
	OnBehalfOf string        `json:"on_behalf_of,omitempty"`
	Subject    store.Subject `json:"subject"`
	Terms      []store.Term  `json:"terms"`
	Supersedes string        `json:"supersedes,omitempty"`
	LogIndex   int64         `json:"log_index"`
}

// Registered is one work written by RegisterWorks, with its declaration
// when terms were given, and their receipts.
type Registered struct {
	Work               Work            `json:"work"`
	Receipt            ledger.Receipt  `json:"receipt"`
	Declaration        *Declaration    `json:"declaration,omitempty"`
	DeclarationReceipt *ledger.Receipt `json:"declaration_receipt,omitempty"`
}

// RegisterRequest is a batch of works (at most registry.MaxBatch) with the
// terms declared for each, for the caller or a member who delegated to it.
type RegisterRequest struct {
	Works      []registry.WorkInput `json:"works"`
	Terms      []store.Term         `json:"terms,omitempty"`
	OnBehalfOf string               `json:"on_behalf_of,omitempty"`
}

// RegisterWorks registers a batch of works (POST /v1/works). The batch is
// one transaction: all are written or none.
func (c *Client) RegisterWorks(ctx context.Context, in RegisterRequest) ([]Registered, error) {
	if len(in.Works) > registry.MaxBatch {
		return nil, fmt.Errorf("register %d works: the limit is %d per call", len(in.Works), registry.MaxBatch)
	}
	var out struct {
		Works []Registered `json:"works"`
	}
	err := c.do(ctx, "POST", "/v1/works", nil, in, &out, MaxBatchResponse)
	if err == nil && len(out.Works) != len(in.Works) {
		err = fmt.Errorf("POST /v1/works: %d works sent, %d answered", len(in.Works), len(out.Works))
	}
	return out.Works, err
}

// Work returns a registered work (GET /v1/works/{id}).
func (c *Client) Work(ctx context.Context, id string) (Work, error) {
	var out Work
	err := c.do(ctx, "GET", "/v1/works/"+url.PathEscape(id), nil, nil, &out, MaxResponse)
	return out, err
}

// DeclareRequest is a declaration; Signed, Signature and Key make it
// self-signed (see registry.DeclarationStatement).
type DeclareRequest struct {
	Subject    store.Subject   `json:"subject"`
	Terms      []store.Term    `json:"terms"`
	OnBehalfOf string          `json:"on_behalf_of,omitempty"`
	Supersedes string          `json:"supersedes,omitempty"`
	Signed     json.RawMessage `json:"signed,omitempty"`
	Signature  []byte          `json:"signature,omitempty"`
	Key        string          `json:"key,omitempty"`
}

// Declared answers Declare.
type Declared struct {
	Declaration Declaration    `json:"declaration"`
	Receipt     ledger.Receipt `json:"receipt"`
}

// Declare records a declaration (POST /v1/declarations).
func (c *Client) Declare(ctx context.Context, in DeclareRequest) (Declared, error) {
	var out Declared
	err := c.do(ctx, "POST", "/v1/declarations", nil, in, &out, MaxResponse)
	return out, err
}

// DomainClaim answers ClaimDomain: the token to publish and where.
type DomainClaim struct {
	Domain       string `json:"domain"`
	State        string `json:"state"`
	Token        string `json:"token"`
	Instructions string `json:"instructions"`
}

// ClaimDomain starts a claim on domain (POST /v1/domains).
func (c *Client) ClaimDomain(ctx context.Context, domain string) (DomainClaim, error) {
	var out DomainClaim
	err := c.do(ctx, "POST", "/v1/domains", nil, map[string]string{"domain": domain}, &out, MaxResponse)
	return out, err
}

// DomainVerified answers VerifyDomain.
type DomainVerified struct {
	Domain  string          `json:"domain"`
	State   string          `json:"state"`
	Method  string          `json:"method"`
	Receipt *ledger.Receipt `json:"receipt,omitempty"`
}

// VerifyDomain asks the registry to check the published token
// (POST /v1/domains/{domain}/verify).
func (c *Client) VerifyDomain(ctx context.Context, domain string) (DomainVerified, error) {
	var out DomainVerified
	err := c.do(ctx, "POST", "/v1/domains/"+url.PathEscape(domain)+"/verify", nil, struct{}{}, &out, MaxResponse)
	return out, err
}

// Campaign is a campaign as the API shows it.
type Campaign struct {
	ID        string `json:"id"`
	Account   string `json:"account"`
	Title     string `json:"title"`
	Statement string `json:"statement"`
	LogIndex  int64  `json:"log_index"`
}

// CampaignCreated answers CreateCampaign.
type CampaignCreated struct {
	Campaign Campaign       `json:"campaign"`
	Receipt  ledger.Receipt `json:"receipt"`
}

// CreateCampaign publishes a campaign statement (POST /v1/campaigns).
func (c *Client) CreateCampaign(ctx context.Context, title, statement string) (CampaignCreated, error) {
	var out CampaignCreated
	err := c.do(ctx, "POST", "/v1/campaigns", nil, map[string]string{"title": title, "statement": statement}, &out, MaxResponse)
	return out, err
}

// Signatory is a listed signature of a campaign.
type Signatory struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"`
	Domain   string `json:"domain,omitempty"`
	LogIndex int64  `json:"log_index"`
}

// CampaignView is a campaign with its count of signatures and a page of
// the signatories who chose to be listed.
type CampaignView struct {
	Campaign   Campaign    `json:"campaign"`
	Signatures int64       `json:"signatures"`
	Listed     []Signatory `json:"listed"`
}

// Campaign returns a campaign and up to limit listed signatories after
// the signature ID after (GET /v1/campaigns/{id}).
func (c *Client) Campaign(ctx context.Context, id, after string, limit int) (CampaignView, error) {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out CampaignView
	err := c.do(ctx, "GET", "/v1/campaigns/"+url.PathEscape(id), q, nil, &out, MaxResponse)
	return out, err
}

// SignRequest is a signature of a campaign; Terms, when set, are declared
// for all the signer's works.
type SignRequest struct {
	Name   string       `json:"name"`
	Role   string       `json:"role,omitempty"`
	Domain string       `json:"domain,omitempty"`
	Listed bool         `json:"listed"`
	Terms  []store.Term `json:"terms,omitempty"`
}

// Signed answers SignCampaign: the signature and the receipts of its log
// entries (the signature, and the blanket declaration when terms were
// given).
type Signed struct {
	Signature struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Role        string `json:"role,omitempty"`
		Domain      string `json:"domain,omitempty"`
		Listed      bool   `json:"listed"`
		Declaration string `json:"declaration,omitempty"`
	} `json:"signature"`
	Receipts []ledger.Receipt `json:"receipts"`
}

// SignCampaign signs a campaign (POST /v1/campaigns/{id}/signatures).
func (c *Client) SignCampaign(ctx context.Context, id string, in SignRequest) (Signed, error) {
	var out Signed
	err := c.do(ctx, "POST", "/v1/campaigns/"+url.PathEscape(id)+"/signatures", nil, in, &out, MaxResponse)
	return out, err
}

// Match looks items up (POST /v1/match), at most registry.MaxBatch per
// call; len(result) == len(items).
func (c *Client) Match(ctx context.Context, items []registry.MatchItem) ([]registry.MatchResult, error) {
	if len(items) > registry.MaxBatch {
		return nil, fmt.Errorf("match %d items: the limit is %d per call", len(items), registry.MaxBatch)
	}
	var out struct {
		Results []registry.MatchResult `json:"results"`
	}
	err := c.do(ctx, "POST", "/v1/match", nil, map[string]any{"items": items}, &out, MaxBatchResponse)
	if err == nil && len(out.Results) != len(items) {
		err = fmt.Errorf("POST /v1/match: %d items sent, %d answered", len(items), len(out.Results))
	}
	return out.Results, err
}

// Lookup looks up by one of iscc, datahash, url, domain or pdq
// (GET /v1/lookup).
func (c *Client) Lookup(ctx context.Context, by, value string) (registry.MatchResult, error) {
	var out registry.MatchResult
	err := c.do(ctx, "GET", "/v1/lookup", url.Values{by: {value}}, nil, &out, MaxBatchResponse)
	return out, err
}

// Receipt fetches the receipt of log entry index against the latest
// checkpoint (GET /v1/receipts/{index}).
func (c *Client) Receipt(ctx context.Context, index int64) (ledger.Receipt, error) {
	var out ledger.Receipt
	err := c.do(ctx, "GET", "/v1/receipts/"+strconv.FormatInt(index, 10), nil, nil, &out, MaxResponse)
	return out, err
}
