package api

import (
	"net/http"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/wire"
)

// Revocable trust (issue 11): a member ends a delegation, an account
// revokes a signing key. Each answers the receipt of its log entry.
func (s *Server) revocationRoutes() {
	s.handle("DELETE", "/v1/delegations/{organisation}", true, MaxBody, s.revokeDelegation)
	s.handle("DELETE", "/v1/keys/{id}", true, MaxBody, s.revokeKey)
}

func (s *Server) revokeDelegation(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	rc, err := s.reg.RevokeDelegation(r.Context(), p, r.PathValue("organisation"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.DelegationRevoked{Organisation: r.PathValue("organisation"), Receipt: wire.Receipt(rc)})
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, p registry.Principal) error {
	rc, err := s.reg.RevokeKey(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.KeyRevoked{ID: r.PathValue("id"), Receipt: wire.Receipt(rc)})
}
