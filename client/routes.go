package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/askfirst/askfirst/wire"
)

// CreateAccount creates an account (POST /v1/accounts); no token needed.
// kind is wire.KindCreator, KindOrganisation or KindDeveloper.
func (c *Client) CreateAccount(ctx context.Context, name, kind string) (wire.AccountCreated, error) {
	var out wire.AccountCreated
	err := c.do(ctx, "POST", "/v1/accounts", nil, wire.CreateAccountRequest{Name: name, Kind: kind}, &out, MaxResponse)
	return out, err
}

// Me returns the caller's account and token (GET /v1/accounts/me).
func (c *Client) Me(ctx context.Context) (wire.Me, error) {
	var out wire.Me
	err := c.do(ctx, "GET", "/v1/accounts/me", nil, nil, &out, MaxResponse)
	return out, err
}

// pageQuery is the query of a list: ?after=CURSOR&limit=N, each when set.
func pageQuery(after string, limit int) url.Values {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// OwnWorks returns a page of up to limit (0: wire.DefaultPageSize) of the
// caller's works after the cursor after ("" for the first page), each with
// the declaration that applies to it today (GET /v1/accounts/me/works).
// The answer's Next is the cursor of the next page.
func (c *Client) OwnWorks(ctx context.Context, after string, limit int) (wire.WorkList, error) {
	var out wire.WorkList
	err := c.do(ctx, "GET", "/v1/accounts/me/works", pageQuery(after, limit), nil, &out, MaxBatchResponse)
	return out, err
}

// OwnDeclarations returns a page of the declarations the caller made,
// current and superseded (GET /v1/accounts/me/declarations); paged as
// OwnWorks.
func (c *Client) OwnDeclarations(ctx context.Context, after string, limit int) (wire.DeclarationList, error) {
	var out wire.DeclarationList
	err := c.do(ctx, "GET", "/v1/accounts/me/declarations", pageQuery(after, limit), nil, &out, MaxBatchResponse)
	return out, err
}

// CreateToken issues another token for the caller's account
// (POST /v1/tokens); its secret is in the answer only.
func (c *Client) CreateToken(ctx context.Context, scope, label string) (wire.TokenCreated, error) {
	var out wire.TokenCreated
	err := c.do(ctx, "POST", "/v1/tokens", nil, wire.CreateTokenRequest{Scope: scope, Label: label}, &out, MaxResponse)
	return out, err
}

// RevokeToken revokes one of the caller's tokens (DELETE /v1/tokens/{id}).
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/v1/tokens/"+url.PathEscape(id), nil, nil, nil, MaxResponse)
}

// AddKey registers an Ed25519 public key for self-signed declarations
// (POST /v1/keys).
func (c *Client) AddKey(ctx context.Context, pub ed25519.PublicKey) (wire.KeyAdded, error) {
	var out wire.KeyAdded
	err := c.do(ctx, "POST", "/v1/keys", nil, wire.AddKeyRequest{PublicKey: pub}, &out, MaxResponse)
	return out, err
}

// Delegate lets organisation register works and declare for the caller's
// account (POST /v1/delegations).
func (c *Client) Delegate(ctx context.Context, organisation string) (wire.Receipt, error) {
	var out wire.Delegated
	err := c.do(ctx, "POST", "/v1/delegations", nil, wire.DelegateRequest{Organisation: organisation}, &out, MaxResponse)
	return out.Receipt, err
}

// RegisterWorks registers a batch of at most wire.MaxBatch works
// (POST /v1/works). The batch is one transaction: all are written or
// none; the answer holds them in the order sent.
func (c *Client) RegisterWorks(ctx context.Context, in wire.RegisterRequest) ([]wire.Registered, error) {
	if len(in.Works) > wire.MaxBatch {
		return nil, fmt.Errorf("register %d works: the limit is %d per call", len(in.Works), wire.MaxBatch)
	}
	var out wire.RegisterResponse
	err := c.do(ctx, "POST", "/v1/works", nil, in, &out, MaxBatchResponse)
	if err == nil && len(out.Works) != len(in.Works) {
		err = fmt.Errorf("POST /v1/works: %d works sent, %d answered", len(in.Works), len(out.Works))
	}
	return out.Works, err
}

// Upload describes a file sent to UploadWork: its name (for media
// detection and the Meta-Code), the work's title, creator and locator, the
// terms to declare, and the member an organisation registers for.
type Upload struct {
	Filename, Title, Creator, Locator string
	Terms                             []wire.Term
	OnBehalfOf                        string
}

// UploadWork sends a file, at most wire.MaxUploadBody bytes, for the
// registry to compute its codes and register the work; the registry keeps
// only the codes (POST /v1/works/upload). Prefer computing the codes
// locally and RegisterWorks: the file then never leaves the machine.
func (c *Client) UploadWork(ctx context.Context, file io.Reader, in Upload) (wire.Registered, error) {
	data, err := readCapped(file, wire.MaxUploadBody)
	if err != nil {
		return wire.Registered{}, fmt.Errorf("upload %s: %w", in.Filename, err)
	}
	q := url.Values{}
	for k, v := range map[string]string{"filename": in.Filename, "title": in.Title, "creator": in.Creator, "locator": in.Locator, "on_behalf_of": in.OnBehalfOf} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(in.Terms) > 0 {
		t, err := json.Marshal(in.Terms)
		if err != nil {
			return wire.Registered{}, err
		}
		q.Set("terms", string(t))
	}
	var out wire.RegisterResponse
	if err := c.do(ctx, "POST", "/v1/works/upload", q, octets(data), &out, MaxResponse); err != nil {
		return wire.Registered{}, err
	}
	if len(out.Works) != 1 {
		return wire.Registered{}, fmt.Errorf("POST /v1/works/upload: %d works answered, want 1", len(out.Works))
	}
	return out.Works[0], nil
}

// ImportDeclaration registers a work by ISCC with the declaration of a
// TDM·AI-style document (POST /v1/declarations/import), for the caller or
// for onBehalfOf, a member who delegated to it.
func (c *Client) ImportDeclaration(ctx context.Context, in wire.ImportRequest, onBehalfOf string) (wire.Registered, error) {
	q := url.Values{}
	if onBehalfOf != "" {
		q.Set("on_behalf_of", onBehalfOf)
	}
	var out wire.RegisterResponse
	if err := c.do(ctx, "POST", "/v1/declarations/import", q, in, &out, MaxResponse); err != nil {
		return wire.Registered{}, err
	}
	if len(out.Works) != 1 {
		return wire.Registered{}, fmt.Errorf("POST /v1/declarations/import: %d works answered, want 1", len(out.Works))
	}
	return out.Works[0], nil
}

// Work returns a registered work (GET /v1/works/{id}).
func (c *Client) Work(ctx context.Context, id string) (wire.Work, error) {
	var out wire.Work
	err := c.do(ctx, "GET", "/v1/works/"+url.PathEscape(id), nil, nil, &out, MaxResponse)
	return out, err
}

// Declare records a declaration (POST /v1/declarations).
func (c *Client) Declare(ctx context.Context, in wire.DeclareRequest) (wire.Declared, error) {
	var out wire.Declared
	err := c.do(ctx, "POST", "/v1/declarations", nil, in, &out, MaxResponse)
	return out, err
}

// ClaimDomain starts a claim on domain (POST /v1/domains).
func (c *Client) ClaimDomain(ctx context.Context, domain string) (wire.DomainClaim, error) {
	var out wire.DomainClaim
	err := c.do(ctx, "POST", "/v1/domains", nil, wire.ClaimDomainRequest{Domain: domain}, &out, MaxResponse)
	return out, err
}

// VerifyDomain asks the registry to check the published token
// (POST /v1/domains/{domain}/verify).
func (c *Client) VerifyDomain(ctx context.Context, domain string) (wire.DomainVerified, error) {
	var out wire.DomainVerified
	err := c.do(ctx, "POST", "/v1/domains/"+url.PathEscape(domain)+"/verify", nil, struct{}{}, &out, MaxResponse)
	return out, err
}

// Campaigns returns a page of up to limit (0: wire.DefaultPageSize)
// campaigns after the cursor after (GET /v1/campaigns). The answer's Next
// is the cursor of the next page.
func (c *Client) Campaigns(ctx context.Context, after string, limit int) (wire.CampaignList, error) {
	var out wire.CampaignList
	err := c.do(ctx, "GET", "/v1/campaigns", pageQuery(after, limit), nil, &out, MaxBatchResponse)
	return out, err
}

// CreateCampaign publishes a campaign statement (POST /v1/campaigns).
func (c *Client) CreateCampaign(ctx context.Context, title, statement string) (wire.CampaignCreated, error) {
	var out wire.CampaignCreated
	err := c.do(ctx, "POST", "/v1/campaigns", nil, wire.CreateCampaignRequest{Title: title, Statement: statement}, &out, MaxResponse)
	return out, err
}

// Campaign returns a campaign and a page of up to limit (0:
// wire.DefaultPageSize) listed signatories after the signature ID after
// (GET /v1/campaigns/{id}).
func (c *Client) Campaign(ctx context.Context, id, after string, limit int) (wire.CampaignView, error) {
	var out wire.CampaignView
	err := c.do(ctx, "GET", "/v1/campaigns/"+url.PathEscape(id), pageQuery(after, limit), nil, &out, MaxResponse)
	return out, err
}

// SignCampaign signs a campaign (POST /v1/campaigns/{id}/signatures).
func (c *Client) SignCampaign(ctx context.Context, id string, in wire.SignRequest) (wire.Signed, error) {
	var out wire.Signed
	err := c.do(ctx, "POST", "/v1/campaigns/"+url.PathEscape(id)+"/signatures", nil, in, &out, MaxResponse)
	return out, err
}

// Match looks items up (POST /v1/match), at most wire.MaxBatch per call;
// len(result) == len(items).
func (c *Client) Match(ctx context.Context, items []wire.MatchItem) ([]wire.MatchResult, error) {
	if len(items) > wire.MaxBatch {
		return nil, fmt.Errorf("match %d items: the limit is %d per call", len(items), wire.MaxBatch)
	}
	var out wire.MatchResponse
	err := c.do(ctx, "POST", "/v1/match", nil, wire.MatchRequest{Items: items}, &out, MaxBatchResponse)
	if err == nil && len(out.Results) != len(items) {
		err = fmt.Errorf("POST /v1/match: %d items sent, %d answered", len(items), len(out.Results))
	}
	return out.Results, err
}

// Lookup looks up by one of iscc, datahash, url, domain or pdq (hex)
// (GET /v1/lookup).
func (c *Client) Lookup(ctx context.Context, by, value string) (wire.MatchResult, error) {
	var out wire.MatchResult
	err := c.do(ctx, "GET", "/v1/lookup", url.Values{by: {value}}, nil, &out, MaxBatchResponse)
	return out, err
}

// Receipt fetches the receipt of log entry index against the latest
// checkpoint (GET /v1/receipts/{index}).
func (c *Client) Receipt(ctx context.Context, index int64) (wire.Receipt, error) {
	var out wire.Receipt
	err := c.do(ctx, "GET", "/v1/receipts/"+strconv.FormatInt(index, 10), nil, nil, &out, MaxResponse)
	return out, err
}

// Log describes the registry's log (GET /v1/log): its origin, verifier key
// and size.
func (c *Client) Log(ctx context.Context) (wire.LogInfo, error) {
	var out wire.LogInfo
	err := c.do(ctx, "GET", "/v1/log", nil, nil, &out, MaxResponse)
	return out, err
}
