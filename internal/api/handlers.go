package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

func (s *Server) routesTable() {
	s.handle("POST", "/v1/accounts", false, MaxBody, s.createAccount)
	s.handle("GET", "/v1/accounts/me", true, MaxBody, s.me)
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
	s.handle("POST", "/v1/campaigns", true, MaxBody, s.createCampaign)
	s.handle("GET", "/v1/campaigns/{id}", false, MaxBody, s.showCampaign)
	s.handle("POST", "/v1/campaigns/{id}/signatures", true, MaxBody, s.signCampaign)
	s.handle("POST", "/v1/match", false, MaxBatchBody, s.match)
	s.handle("GET", "/v1/lookup", false, MaxBody, s.lookup)
	s.handle("GET", "/v1/receipts/{index}", false, MaxBody, s.receipt)
}

// accountJSON is an account as the API shows it.
type accountJSON struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Created  string `json:"created"`
	LogIndex int64  `json:"log_index"`
}

func accountOut(a store.Account) accountJSON {
	return accountJSON{ID: a.ID, Kind: a.Kind, Name: a.Name, Created: a.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), LogIndex: a.LogIndex}
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	var in struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a, secret, rc, err := s.reg.CreateAccount(r.Context(), in.Name, in.Kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"account": accountOut(a), "token": secret, "receipt": rc})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	return writeJSON(w, http.StatusOK, map[string]any{"account": accountOut(p.Account), "token": map[string]any{"id": p.Token.ID, "scope": p.Token.Scope}})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Scope string `json:"scope"`
		Label string `json:"label"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := s.reg.CreateToken(r.Context(), p, in.Scope, in.Label)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "scope": t.Scope, "label": t.Label, "token": secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	if err := s.reg.RevokeToken(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		PublicKey string `json:"public_key"` // base64 Ed25519
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	pub, err := base64.StdEncoding.DecodeString(in.PublicKey)
	if err != nil {
		return fmt.Errorf("%w: public_key: not base64", errBadRequest)
	}
	k, rc, err := s.reg.AddKey(r.Context(), p, pub)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"id": k.ID, "receipt": rc})
}

func (s *Server) delegate(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Organisation string `json:"organisation"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	rc, err := s.reg.Delegate(r.Context(), p, in.Organisation)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"receipt": rc})
}

// workJSON is a work as the API shows it.
type workJSON struct {
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

func workOut(wk store.Work) workJSON {
	out := workJSON{ID: wk.ID, Account: wk.AccountID, ISCC: wk.ISCC, Units: wk.Units, Datahash: wk.Datahash, Title: wk.Title, Creator: wk.Creator, LogIndex: wk.LogIndex}
	if wk.PDQ != nil {
		out.PDQ = fmt.Sprintf("%x", wk.PDQ)
	}
	for _, l := range wk.Locators {
		out.Locators = append(out.Locators, l.URL)
	}
	return out
}

type registeredJSON struct {
	Work               workJSON         `json:"work"`
	Receipt            ledger.Receipt   `json:"receipt"`
	Declaration        *declarationJSON `json:"declaration,omitempty"`
	DeclarationReceipt *ledger.Receipt  `json:"declaration_receipt,omitempty"`
}

type declarationJSON struct {
	ID         string        `json:"id"`
	Account    string        `json:"account"`
	OnBehalfOf string        `json:"on_behalf_of,omitempty"`
	Subject    store.Subject `json:"subject"`
	Terms      []store.Term  `json:"terms"`
	Supersedes string        `json:"supersedes,omitempty"`
	LogIndex   int64         `json:"log_index"`
}

func declarationOut(d store.Declaration) *declarationJSON {
	return &declarationJSON{ID: d.ID, Account: d.AccountID, OnBehalfOf: d.OnBehalfOf, Subject: d.Subject, Terms: d.Terms, Supersedes: d.Supersedes, LogIndex: d.LogIndex}
}

func registeredOut(rs []registry.Registered) []registeredJSON {
	out := make([]registeredJSON, len(rs))
	for i, x := range rs {
		out[i] = registeredJSON{Work: workOut(x.Work), Receipt: x.Receipt, DeclarationReceipt: x.DeclarationReceipt}
		if x.Declaration != nil {
			out[i].Declaration = declarationOut(*x.Declaration)
		}
	}
	return out
}

func (s *Server) registerWorks(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Works      []registry.WorkInput `json:"works"`
		Terms      []store.Term         `json:"terms,omitempty"`
		OnBehalfOf string               `json:"on_behalf_of,omitempty"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, in.OnBehalfOf, in.Works, in.Terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"works": registeredOut(rs)})
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
	in := registry.WorkInput{ISCC: res.ISCC, Datahash: res.Datahash, Mediatype: res.MediaType, Filesize: res.Filesize,
		Title: q.Get("title"), Creator: q.Get("creator")}
	for _, u := range []string{res.Units.Meta, res.Units.Content, res.Units.Data, res.Units.Instance} {
		if u != "" {
			in.Units = append(in.Units, u)
		}
	}
	if res.PDQ != nil {
		in.PDQ, in.PDQQuality = res.PDQ.Hash, res.PDQ.Quality
	}
	if l := q.Get("locator"); l != "" {
		in.Locators = []string{l}
	}
	var terms []store.Term
	if t := q.Get("terms"); t != "" {
		if err := json.Unmarshal([]byte(t), &terms); err != nil {
			return fmt.Errorf("%w: terms: %v", errBadRequest, err)
		}
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, q.Get("on_behalf_of"), []registry.WorkInput{in}, terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"works": registeredOut(rs)})
}

func (s *Server) getWork(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	wk, err := s.reg.Work(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, workOut(wk))
}

func (s *Server) declare(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Subject    store.Subject   `json:"subject"`
		Terms      []store.Term    `json:"terms"`
		OnBehalfOf string          `json:"on_behalf_of,omitempty"`
		Supersedes string          `json:"supersedes,omitempty"`
		Signed     json.RawMessage `json:"signed,omitempty"`
		Signature  []byte          `json:"signature,omitempty"`
		Key        string          `json:"key,omitempty"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d, rc, err := s.reg.Declare(r.Context(), p, registry.DeclareInput{Subject: in.Subject, Terms: in.Terms, OnBehalfOf: in.OnBehalfOf,
		Supersedes: in.Supersedes, Signed: in.Signed, Signature: in.Signature, Key: in.Key})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"declaration": declarationOut(d), "receipt": rc})
}

func (s *Server) importTDMAI(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	work, terms, err := registry.ImportTDMAI(body)
	if err != nil {
		return err
	}
	rs, err := s.reg.RegisterWorks(r.Context(), p, r.URL.Query().Get("on_behalf_of"), []registry.WorkInput{work}, terms)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"works": registeredOut(rs)})
}

func (s *Server) claimDomain(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Domain string `json:"domain"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.reg.ClaimDomain(r.Context(), p, in.Domain)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"domain": c.Domain, "state": c.State, "token": c.Token,
		"instructions": fmt.Sprintf("publish the token as a line of https://%s/.well-known/askfirst.txt, or as a DNS TXT record of _askfirst.%s; then verify", c.Domain, c.Domain)})
}

func (s *Server) verifyDomain(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	c, rc, err := s.reg.VerifyDomain(r.Context(), p, r.PathValue("domain"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"domain": c.Domain, "state": c.State, "method": c.Method, "receipt": rc})
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Title     string `json:"title"`
		Statement string `json:"statement"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, rc, err := s.reg.CreateCampaign(r.Context(), p, in.Title, in.Statement)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"campaign": campaignOut(c), "receipt": rc})
}

func campaignOut(c store.Campaign) map[string]any {
	return map[string]any{"id": c.ID, "account": c.AccountID, "title": c.Title, "statement": c.Statement, "log_index": c.LogIndex}
}

func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	limit := 100
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 1000 {
		limit = l
	}
	v, err := s.reg.Campaign(r.Context(), r.PathValue("id"), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	listed := []map[string]any{}
	for _, sg := range v.Listed {
		listed = append(listed, map[string]any{"id": sg.ID, "name": sg.Name, "role": sg.Role, "domain": sg.Domain, "log_index": sg.LogIndex})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"campaign": campaignOut(v.Campaign), "signatures": v.Signatures, "listed": listed})
}

func (s *Server) signCampaign(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	var in struct {
		Name   string       `json:"name"`
		Role   string       `json:"role"`
		Domain string       `json:"domain"`
		Listed bool         `json:"listed"`
		Terms  []store.Term `json:"terms,omitempty"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	sg, rcs, err := s.reg.SignCampaign(r.Context(), p, r.PathValue("id"), registry.SignInput{Name: in.Name, Role: in.Role, Domain: in.Domain, Listed: in.Listed, Terms: in.Terms})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"signature": map[string]any{"id": sg.ID, "name": sg.Name, "role": sg.Role,
		"domain": sg.Domain, "listed": sg.Listed, "declaration": sg.DeclarationID}, "receipts": rcs})
}

func (s *Server) match(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	var in struct {
		Items []registry.MatchItem `json:"items"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	rs, err := s.reg.Match(r.Context(), in.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"results": rs})
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request, _ registry.Principal) error {
	q := r.URL.Query()
	var by, value string
	for _, k := range []string{"iscc", "datahash", "url", "domain", "pdq"} {
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
	return writeJSON(w, http.StatusOK, rc)
}
