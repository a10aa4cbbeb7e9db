package web

import (
	"cmp"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// The account page: who you are, the trust you gave (API tokens, signing
// keys, delegations) and can withdraw, and what your delegates did.

type accountData struct {
	V            registry.AccountView
	Declarations []store.Declaration
	// NewToken is a token's secret, shown once, right after it was made.
	NewToken      string
	NewTokenLabel string
	Notice, Error string
}

var accountNotices = map[string]string{
	"token-revoked": "The token is revoked: requests with it are refused from now on.",
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	s.renderAccount(w, r, ws, http.StatusOK, accountData{Notice: accountNotices[r.URL.Query().Get("n")]})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, ws *registry.WebSession, status int, d accountData) {
	id := ws.Principal.Account.ID
	var err error
	if d.V, err = s.reg.Account(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Declarations, err = s.reg.Declarations(r.Context(), id, "", 1000); err != nil {
		s.fail(w, r, err)
		return
	}
	// Newest first, at most 50.
	slices.SortFunc(d.Declarations, func(a, b store.Declaration) int { return cmp.Compare(b.LogIndex, a.LogIndex) })
	if len(d.Declarations) > 50 {
		d.Declarations = d.Declarations[:50]
	}
	s.render(w, r, status, "account", "Your account", d)
}

// About says what a declaration on the account page is about, naming
// accounts.
func (d accountData) About(sj store.Subject) string {
	if sj.Kind == store.SubjectAccount {
		if sj.Value == d.V.Account.ID {
			return "all your works"
		}
		if n := d.V.Names[sj.Value]; n != "" {
			return "all works of " + n
		}
	}
	return subjectText(sj)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	scope := r.PostFormValue("scope")
	if scope != store.ScopeRead {
		scope = store.ScopeWrite
	}
	label := trimmed(r, "label")
	if label == "" {
		label = "made on the account page"
	}
	_, secret, err := s.reg.CreateToken(r.Context(), ws.Principal, scope, label)
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	s.renderAccount(w, r, ws, http.StatusCreated, accountData{NewToken: secret, NewTokenLabel: label})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	if err := s.reg.RevokeToken(r.Context(), ws.Principal, r.PathValue("id")); err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, "/account?n=token-revoked#tokens", http.StatusSeeOther)
}

// maxKeyText caps a pasted public key.
const maxKeyText = 4096

// parsePublicKey reads an Ed25519 public key as PEM ("PUBLIC KEY",
// as 'openssl pkey -pubout' writes it) or as base64 of its 32 bytes.
func parsePublicKey(text string) (ed25519.PublicKey, error) {
	text = strings.TrimSpace(text)
	if len(text) > maxKeyText {
		return nil, fmt.Errorf("%w: the key is over %d bytes", registry.ErrInvalid, maxKeyText)
	}
	if b, _ := pem.Decode([]byte(text)); b != nil {
		if b.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("%w: a PEM %q block; paste the PUBLIC KEY (openssl pkey -in KEY.pem -pubout), never the private key", registry.ErrInvalid, b.Type)
		}
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", registry.ErrInvalid, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: a %T key; askfirst signs with Ed25519", registry.ErrInvalid, k)
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: paste a PEM public key, or the base64 of the 32 bytes of an Ed25519 public key", registry.ErrInvalid)
	}
	return ed25519.PublicKey(raw), nil
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	pub, err := parsePublicKey(r.PostFormValue("public_key"))
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	_, rc, err := s.reg.AddKey(r.Context(), ws.Principal, pub)
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, doneURL("key-added", "/account#keys", rc.Index), http.StatusSeeOther)
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	rc, err := s.reg.RevokeKey(r.Context(), ws.Principal, r.PathValue("id"))
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, doneURL("key-revoked", "/account#keys", rc.Index), http.StatusSeeOther)
}

func (s *Server) delegate(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	org := trimmed(r, "organisation")
	if !strings.HasPrefix(org, "acc_") {
		a, err := s.reg.AccountByLogin(r.Context(), org)
		if errors.Is(err, store.ErrNotFound) {
			s.renderAccount(w, r, ws, http.StatusNotFound, accountData{Error: fmt.Sprintf("No organisation signs in with the name %q. Give its exact name, or its account ID (acc_…).", org)})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		org = a.ID
	}
	rc, err := s.reg.Delegate(r.Context(), ws.Principal, org)
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, doneURL("delegated", "/account#delegations", rc.Index), http.StatusSeeOther)
}

func (s *Server) revokeDelegation(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	rc, err := s.reg.RevokeDelegation(r.Context(), ws.Principal, r.PathValue("organisation"))
	if err != nil {
		s.renderAccount(w, r, ws, statusOf(err), accountData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, doneURL("delegation-revoked", "/account#delegations", rc.Index), http.StatusSeeOther)
}
