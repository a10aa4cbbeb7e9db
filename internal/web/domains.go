package web

import (
	"errors"
	"net/http"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Domains: claim one, publish the token where only its owner can, verify,
// and see what to fix when verification fails.

type domainsData struct {
	Claims  []store.DomainClaim
	Claimed string // the domain just claimed, to show its instructions open
	Failed  string // the domain whose verification just failed
	Problem string // what the verifier found
	Error   string
}

func (s *Server) domainsPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	s.renderDomains(w, r, ws, http.StatusOK, domainsData{})
}

func (s *Server) renderDomains(w http.ResponseWriter, r *http.Request, ws *registry.WebSession, status int, d domainsData) {
	var err error
	if d.Claims, err = s.reg.Domains(r.Context(), ws.Principal.Account.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "domains", "Your domains", d)
}

func (s *Server) claimDomain(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	c, err := s.reg.ClaimDomain(r.Context(), ws.Principal, trimmed(r, "domain"))
	if err != nil {
		s.renderDomains(w, r, ws, statusOf(err), domainsData{Error: userMessage(err)})
		return
	}
	s.renderDomains(w, r, ws, http.StatusOK, domainsData{Claimed: c.Domain})
}

func (s *Server) verifyDomain(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	domain := r.PathValue("domain")
	_, rc, err := s.reg.VerifyDomain(r.Context(), ws.Principal, domain)
	switch {
	case errors.Is(err, registry.ErrUnverified):
		s.renderDomains(w, r, ws, http.StatusUnprocessableEntity, domainsData{Failed: domain, Problem: userMessage(err)})
		return
	case err != nil:
		s.renderDomains(w, r, ws, statusOf(err), domainsData{Error: userMessage(err)})
		return
	}
	http.Redirect(w, r, doneURL("domain-verified", "/domains", rc.Index), http.StatusSeeOther)
}
