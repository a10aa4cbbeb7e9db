// Package web is the registry's web app for creators and organisations
// (DESIGN §6, issue 13), served by `askfirst serve` on the API's port: join
// and sign in, register works by dropping files (codes computed in the
// browser by the project's own iscc and pdq packages compiled to
// WebAssembly; only codes are sent), declare per use, receipts verified in
// the browser, domains, campaigns with live counts, and a public lookup.
//
// Pages are rendered on the server with html/template from files under
// templates/, with assets under static/, all embedded; they work without
// JavaScript wherever they can, and without any other server (no CDN, no
// external font or script). Everything a page changes goes through
// internal/registry's methods, the same code as the API; there is no second
// path to the store.
//
// Security (OWASP Session Management and CSRF Prevention cheat sheets):
// sessions are random 256-bit IDs in HttpOnly, SameSite=Lax cookies (Secure
// when the registry is reached over TLS or PublicURL is https), stored only
// hashed, renewed at every sign-in, with idle and absolute timeouts. Every
// form carries a CSRF token: the session's synchronizer token once signed
// in, before that a token bound to a pre-session cookie by an HMAC under a
// server secret (signed double submit, so sign-in itself cannot be forged).
// Requests whose Origin or Sec-Fetch-Site says another site sent them are
// refused as well. The API accepts the session from the app's own
// JavaScript only together with the X-CSRF-Token header (AuthenticateRequest).
//
// What it does not do: e-mail (no password reset by mail; an address is
// kept private for the operator), or server-side hashing of audio and video
// in the browser flow (the upload path does that).
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures New.
type Config struct {
	Registry *registry.Registry
	// Log receives a line per failed request; nil discards.
	Log *slog.Logger
	// PublicURL is the address users reach the registry at, such as
	// https://registry.example (behind a TLS proxy). It sets the origin
	// that forms must come from, receipt links, and Secure cookies when it
	// is https. Empty: the request's own host, Secure only over TLS.
	PublicURL string
	// Static replaces the embedded static assets (tests that build the
	// WebAssembly module themselves); nil means the embedded ones.
	Static fs.FS
	// Identify configures the no-JavaScript upload path.
	Identify identify.Options
}

// Server serves the web app. It is safe for concurrent use.
type Server struct {
	reg       *registry.Registry
	log       *slog.Logger
	public    *url.URL // nil: the request's host
	mux       *http.ServeMux
	pages     map[string]*template.Template
	static    *assets
	idopts    identify.Options
	csrfKey   []byte
	csrfOnce  sync.Once
	csrfErr   error
	streams   chan struct{} // live-count streams open
	joins     *limiter
	uploadSem chan struct{}
}

// New returns the web app for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Registry == nil {
		return nil, errors.New("web: Registry is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{reg: cfg.Registry, log: cfg.Log, mux: http.NewServeMux(), idopts: cfg.Identify,
		streams: make(chan struct{}, maxStreams), joins: newLimiter(joinsPerHour, time.Hour), uploadSem: make(chan struct{}, 2)}
	if cfg.PublicURL != "" {
		u, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: PublicURL %q: want http:// or https:// and a host", cfg.PublicURL)
		}
		s.public = u
	}
	static := cfg.Static
	if static == nil {
		sub, err := fs.Sub(staticFS, "static")
		if err != nil {
			return nil, err
		}
		static = sub
	}
	var err error
	if s.static, err = loadAssets(static); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// WasmMissing reports, when the WebAssembly module or wasm_exec.js is not
// among the assets, what is missing and how to build it; "" when both are
// there. Without them the register and lookup pages fall back to sending
// files to the server.
func (s *Server) WasmMissing() string {
	if s.static.wasmReady() {
		return ""
	}
	return "the in-browser hashing module (internal/web/static/askfirst.wasm, wasm_exec.js) is not built: run 'go generate ./internal/web' and build again; until then the register page sends files to the server, which hashes and discards them"
}

// Compose serves the API (apiHandler: /v1/, the log, /healthz, /metrics)
// and the web app on one mux.
func Compose(apiHandler http.Handler, app *Server) http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/checkpoint", "/tile/", "/healthz", "/metrics"} {
		mux.Handle(p, apiHandler)
	}
	mux.Handle("/", app)
	return mux
}

// ServeHTTP serves a page with the app's security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /static/{name}", s.serveStatic)
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /join", s.joinPage)
	m.HandleFunc("POST /join", s.join)
	m.HandleFunc("GET /signin", s.signInPage)
	m.HandleFunc("POST /signin", s.signIn)
	m.HandleFunc("POST /signout", s.signOut)
	m.HandleFunc("GET /done", s.done)

	m.HandleFunc("GET /account", s.signedIn(s.accountPage))
	m.HandleFunc("POST /account/tokens", s.signedIn(s.createToken))
	m.HandleFunc("POST /account/tokens/{id}/revoke", s.signedIn(s.revokeToken))
	m.HandleFunc("POST /account/keys", s.signedIn(s.addKey))
	m.HandleFunc("POST /account/keys/{id}/revoke", s.signedIn(s.revokeKey))
	m.HandleFunc("POST /account/delegations", s.signedIn(s.delegate))
	m.HandleFunc("POST /account/delegations/{organisation}/revoke", s.signedIn(s.revokeDelegation))

	m.HandleFunc("GET /register", s.signedIn(s.registerPage))
	m.HandleFunc("POST /register/upload", s.signedInStream(s.upload))
	m.HandleFunc("GET /declare", s.signedIn(s.declarePage))
	m.HandleFunc("POST /declare", s.signedIn(s.declare))
	m.HandleFunc("GET /receipts", s.signedIn(s.receiptsPage))
	m.HandleFunc("GET /receipts/all.zip", s.signedIn(s.receiptsZip))
	m.HandleFunc("GET /receipts/{file}", s.receiptFile)
	m.HandleFunc("GET /domains", s.signedIn(s.domainsPage))
	m.HandleFunc("POST /domains", s.signedIn(s.claimDomain))
	m.HandleFunc("POST /domains/{domain}/verify", s.signedIn(s.verifyDomain))

	m.HandleFunc("GET /campaigns/new", s.signedIn(s.newCampaignPage))
	m.HandleFunc("POST /campaigns", s.signedIn(s.createCampaign))
	m.HandleFunc("GET /campaigns/{id}", s.campaignPage)
	m.HandleFunc("GET /campaigns/{id}/events", s.campaignEvents)
	m.HandleFunc("POST /campaigns/{id}/sign", s.signedIn(s.signCampaign))
	m.HandleFunc("GET /campaigns/{id}/edit", s.signedIn(s.editCampaignPage))
	m.HandleFunc("POST /campaigns/{id}/edit", s.signedIn(s.editCampaign))
	m.HandleFunc("GET /campaigns/{id}/moderate", s.signedIn(s.moderatePage))
	m.HandleFunc("POST /campaigns/{id}/signatures/{sig}/listing", s.signedIn(s.setListing))
	m.HandleFunc("GET /campaigns/{id}/signatures.csv", s.signedIn(s.exportSignatures))

	m.HandleFunc("GET /lookup", s.lookupPage)
	m.HandleFunc("/", s.notFound)
}

// origin is the scheme and host forms must come from.
func (s *Server) origin(r *http.Request) string {
	if s.public != nil {
		return s.public.Scheme + "://" + s.public.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// secure reports whether cookies must carry Secure.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.public != nil && s.public.Scheme == "https")
}

// baseURL is the registry's address for links that leave the page
// (receipt URLs in evidence).
func (s *Server) baseURL(r *http.Request) string {
	if s.public != nil {
		return s.public.String()
	}
	return s.origin(r)
}

// statusOf is the status the API answers err with.
func statusOf(err error) int { return api.Status(err) }

// fail renders an error page for err with the status the API would give.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := userMessage(err)
	if code >= 500 {
		if !errors.Is(err, context.Canceled) {
			s.log.LogAttrs(r.Context(), slog.LevelError, "page failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("error", err.Error()))
		}
		msg = "Something went wrong on the registry's side; the server log has the details. Please try again."
	}
	s.render(w, r, code, "error", "Error", errorData{Status: code, Message: msg})
}

type errorData struct {
	Status  int
	Message string
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: "There is no page at this address."})
}

// userMessage turns a registry error into a sentence for a person: the
// message without the sentinel words a program branches on.
func userMessage(err error) string {
	msg := err.Error()
	for _, sentinel := range []error{registry.ErrInvalid, registry.ErrForbidden, registry.ErrUnverified, registry.ErrUnauthenticated,
		store.ErrConflict, store.ErrInvalid} {
		msg = strings.ReplaceAll(msg, sentinel.Error()+": ", "")
	}
	msg = strings.ReplaceAll(msg, ": "+store.ErrNotFound.Error(), ": not found")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}
