package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// routesTable registers every /v1 route; each request and answer is a
// type of package wire.
func (s *Server) routesTable() {
	s.handle("POST", "/v1/accounts", false, MaxBody, s.createAccount)
	s.handle("GET", "/v1/accounts/me", true, MaxBody, s.me)
	s.handle("GET", "/v1/accounts/me/works", true, MaxBody, s.ownWorks)
	s.handle("GET", "/v1/accounts/me/declarations", true, MaxBody, s.ownDeclarations)
	s.handle("POST", "/v1/tokens", true, MaxBody, s.createToken)
	s.handle("DELETE", "/v1/tokens/{id}", true, MaxBody, s.revokeToken)
	s.handle("POST", "/v1/keys", true, MaxBody, s.addKey)
	s.handle("POST", "/v1/delegations", true, MaxBody, s.delegate)
	s.handle("POST", "/v1/works", true, MaxBatchBody, s.registerWorks)
	s.handle("POST", "/v1/works/upload", true, MaxUploadBody, s.uploadWork)
	s.handle("GET", "/v1/works/{id}", false, MaxBody, s.getWork)
	s.handle("POST", "/v1/declarations", true, MaxBody, s.declare)
	s.handle("POST", "/v1/declarations/import", true, MaxBody, s.importTDMAI)
	s.handle("POST", "/v1/domains", true, MaxBody, s.claimDomain)
	s.handle("POST", "/v1/domains/{domain}/verify", true, MaxBody, s.verifyDomain)
	s.handle("GET", "/v1/campaigns", false, MaxBody, s.listCampaigns)
	s.handle("POST", "/v1/campaigns", true, MaxBody, s.createCampaign)
	s.handle("GET", "/v1/campaigns/{id}", false, MaxBody, s.showCampaign)
	s.handle("POST", "/v1/campaigns/{id}/signatures", true, MaxBody, s.signCampaign)
	s.handle("POST", "/v1/match", false, MaxBatchBody, s.match)
	s.handle("GET", "/v1/lookup", false, MaxBody, s.lookup)
	s.handle("GET", "/v1/receipts/{index}", false, MaxBody, s.receipt)
}

// page reads the paging parameters of a list: ?after=CURSOR&limit=N (0
// when absent; the registry applies the default and the cap).
func page(r *http.Request) (after string, limit int, err error) {
	q := r.URL.Query()
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			return "", 0, fmt.Errorf("%w: limit %q: want 1 to %d", errBadRequest, l, wire.MaxPageSize)
		}
	}
	return q.Get("after"), limit, nil
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	var in wire.CreateAccountRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	a, secret, rc, err := s.reg.CreateAccount(r.Context(), in.Name, in.Kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.AccountCreated{Account: registry.AccountOut(a), Token: secret, Receipt: wire.Receipt(rc)})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	return writeJSON(w, http.StatusOK, wire.Me{Account: registry.AccountOut(p.Account), Token: wire.Token{ID: p.Token.ID, Scope: p.Token.Scope, Label: p.Token.Label}})
}

// writePage answers a page of a list: fetch gets the request's ?after
// and ?limit.
func writePage[T any](w http.ResponseWriter, r *http.Request, fetch func(after string, limit int) (T, error)) error {
	after, limit, err := page(r)
	if err != nil {
		return err
	}
	out, err := fetch(after, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) ownWorks(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	return writePage(w, r, func(after string, limit int) (wire.WorkList, error) {
		return s.reg.OwnWorks(r.Context(), p, after, limit)
	})
}

func (s *Server) ownDeclarations(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	return writePage(w, r, func(after string, limit int) (wire.DeclarationList, error) {
		return s.reg.OwnDeclarations(r.Context(), p, after, limit)
	})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.CreateTokenRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := s.reg.CreateToken(r.Context(), p, in.Scope, in.Label)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.TokenCreated{ID: t.ID, Scope: t.Scope, Label: t.Label, Secret: secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	if err := s.reg.RevokeToken(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.AddKeyRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	k, rc, err := s.reg.AddKey(r.Context(), p, in.PublicKey)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.KeyAdded{ID: k.ID, Receipt: wire.Receipt(rc)})
}

func (s *Server) delegate(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.DelegateRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	rc, err := s.reg.Delegate(r.Context(), p, in.Organisation)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.Delegated{Receipt: wire.Receipt(rc)})
}

func registeredOut(rs []registry.Registered) wire.RegisterResponse {
	out := wire.RegisterResponse{Works: make([]wire.Registered, len(rs))}
	for i, x := range rs {
		out.Works[i] = wire.Registered{Work: registry.WorkOut(x.Work), Receipt: wire.Receipt(x.Receipt)}
		if x.Declaration != nil {
			d := registry.DeclarationOut(*x.Declaration)
			out.Works[i].Declaration = &d
		}
		if x.DeclarationReceipt != nil {
			rc := wire.Receipt(*x.DeclarationReceipt)
			out.Works[i].DeclarationReceipt = &rc
		}
	}
	return out
}

func (s *Server) registerWorks(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.RegisterRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, in.OnBehalfOf, in.Works, in.Terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, registeredOut(rs))
}

// uploadWork computes the codes of an uploaded file (the request body)
// server-side, registers the work, and discards the file.
func (s *Server) uploadWork(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	q := r.URL.Query()
	name := q.Get("filename")
	if name == "" {
		name = "upload"
	}
	res, err := identify.Reader(r.Context(), name, r.Body, s.idopts)
	if res == nil && err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	in := registry.WorkFromIdentity(res)
	in.Title, in.Creator = q.Get("title"), q.Get("creator")
	if l := q.Get("locator"); l != "" {
		in.Locators = []string{l}
	}
	var terms []wire.Term
	if t := q.Get("terms"); t != "" {
		if err := json.Unmarshal([]byte(t), &terms); err != nil {
			return fmt.Errorf("%w: terms: %v", errBadRequest, err)
		}
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, q.Get("on_behalf_of"), []wire.WorkInput{in}, terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, registeredOut(rs))
}

func (s *Server) getWork(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	wk, err := s.reg.Work(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, registry.WorkOut(wk))
}

func (s *Server) declare(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.DeclareRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	d, rc, err := s.reg.Declare(r.Context(), p, registry.DeclareInput{Subject: in.Subject, Terms: in.Terms, OnBehalfOf: in.OnBehalfOf,
		Supersedes: in.Supersedes, Signed: in.Signed, Signature: in.Signature, Key: in.Key})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.Declared{Declaration: registry.DeclarationOut(d), Receipt: wire.Receipt(rc)})
}

func (s *Server) importTDMAI(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	// A TDM·AI declaration is a format of its own: fields askfirst does
	// not read are ignored, not refused.
	var in wire.ImportRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		if status, _ := status(err); status == http.StatusRequestEntityTooLarge {
			return err
		}
		return fmt.Errorf("%w: TDM·AI declaration: %v", errBadRequest, err)
	}
	work, terms, err := registry.ImportTDMAI(in)
	if err != nil {
		return err
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, r.URL.Query().Get("on_behalf_of"), []wire.WorkInput{work}, terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, registeredOut(rs))
}

func (s *Server) claimDomain(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.ClaimDomainRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.reg.ClaimDomain(r.Context(), p, in.Domain)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.DomainClaim{Domain: c.Domain, State: c.State, Token: c.Token,
		Instructions: fmt.Sprintf("publish the token as a line of https://%s/.well-known/askfirst.txt, or as a DNS TXT record of _askfirst.%s; then verify", c.Domain, c.Domain)})
}

func (s *Server) verifyDomain(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	c, rc, err := s.reg.VerifyDomain(r.Context(), p, r.PathValue("domain"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.DomainVerified{Domain: c.Domain, State: c.State, Method: c.Method, Receipt: wire.Receipt(rc)})
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	return writePage(w, r, func(after string, limit int) (wire.CampaignList, error) {
		return s.reg.Campaigns(r.Context(), after, limit)
	})
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.CreateCampaignRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	c, rc, err := s.reg.CreateCampaign(r.Context(), p, in.Title, in.Statement)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, wire.CampaignCreated{Campaign: registry.CampaignOut(c, p.Account.Name), Receipt: wire.Receipt(rc)})
}

func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	after, limit, err := page(r)
	if err != nil {
		return err
	}
	v, err := s.reg.Campaign(r.Context(), r.PathValue("id"), after, limit)
	if err != nil {
		return err
	}
	out := wire.CampaignView{Campaign: registry.CampaignOut(v.Campaign, v.Organiser), Signatures: v.Signatures, Listed: []wire.Signatory{}, Next: v.Next}
	for _, sg := range v.Listed {
		out.Listed = append(out.Listed, wire.Signatory{ID: sg.ID, Name: sg.Name, Role: sg.Role, Domain: sg.Domain, LogIndex: sg.LogIndex})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) signCampaign(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in wire.SignRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	sg, rcs, err := s.reg.SignCampaign(r.Context(), p, r.PathValue("id"), registry.SignInput{Name: in.Name, Role: in.Role, Domain: in.Domain, Listed: in.Listed, Terms: in.Terms})
	if err != nil {
		return err
	}
	out := wire.Signed{Signature: wire.Signature{ID: sg.ID, Name: sg.Name, Role: sg.Role, Domain: sg.Domain, Listed: sg.Listed, Declaration: sg.DeclarationID},
		Receipts: make([]wire.Receipt, len(rcs))}
	for i, rc := range rcs {
		out.Receipts[i] = wire.Receipt(rc)
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) match(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	var in wire.MatchRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	rs, err := s.reg.Match(r.Context(), in.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.MatchResponse{Results: rs})
}

// lookupKeys are the query parameters of GET /v1/lookup, one of which is
// given.
var lookupKeys = []string{"iscc", "datahash", "url", "domain", "pdq"}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	q := r.URL.Query()
	var by, value string
	for _, k := range lookupKeys {
		if v := q.Get(k); v != "" {
			if by != "" {
				return fmt.Errorf("%w: give one of iscc, datahash, url, domain, pdq", errBadRequest)
			}
			by, value = k, v
		}
	}
	if by == "" {
		return fmt.Errorf("%w: give one of iscc, datahash, url, domain, pdq", errBadRequest)
	}
	res, err := s.reg.Lookup(r.Context(), by, value)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	i, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || i < 0 {
		return fmt.Errorf("%w: index must be a non-negative integer", errBadRequest)
	}
	var rc ledger.Receipt
	err = s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
		rc, err = s.reg.Ledger().Receipt(tx, i)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.Receipt(rc))
}
