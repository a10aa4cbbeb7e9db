// Package api serves the registry's HTTP JSON API under /v1 (DESIGN §6):
// bearer-token authentication (or the web app's session, see
// SessionAuthenticator), RFC 9457 problem+json errors, body and batch
// caps, per-token rate limits, Prometheus metrics at /metrics, health at
// /healthz, the OpenAPI 3.1 document at /v1/openapi.json, and the log at
// /checkpoint and /tile/ (internal/ledger). The web pages are
// internal/web's; the server composes both on one mux.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// Caps on requests (package wire declares them).
const (
	MaxBody       = wire.MaxBody      // JSON bodies
	MaxBatchBody  = wire.MaxBatchBody // POST /v1/works and /v1/match
	MaxUploadBody = wire.MaxUploadBody
)

// Config configures a Server.
type Config struct {
	Registry *registry.Registry
	Log      *slog.Logger // nil: discard
	// RatePerSecond and Burst bound the requests of one token (or, without a
	// token, one client address). Zero means 50 per second, burst 200.
	RatePerSecond float64
	Burst         int
	// Identify configures server-side code computation for uploads.
	Identify identify.Options
	// Sessions, when set, authenticates requests that carry no bearer
	// token by the web app's session cookie (the web app's JavaScript
	// calls the API that way).
	Sessions SessionAuthenticator
}

// SessionAuthenticator authenticates a browser's request by its session.
type SessionAuthenticator interface {
	// AuthenticateRequest reports whether r carries a session cookie and,
	// if it does, returns the session's principal, or an error wrapping
	// registry.ErrUnauthenticated when the session has ended or the
	// request lacks the session's CSRF token.
	AuthenticateRequest(r *http.Request) (registry.Principal, bool, error)
}

// Server is the registry's HTTP handler. It is safe for concurrent use.
type Server struct {
	reg     *registry.Registry
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *limiter
	metrics *metrics
	idopts  identify.Options
	routes  []route
	// sessions authenticates browser requests; may be nil.
	sessions SessionAuthenticator
}

// route is an API route: its method, pattern and whether it needs a
// token.
type route struct {
	method, pattern string
	auth            bool
}

// New returns the handler for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Registry == nil {
		return nil, errors.New("api: Registry is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 50
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 200
	}
	s := &Server{reg: cfg.Registry, log: cfg.Log, mux: http.NewServeMux(), limiter: newLimiter(cfg.RatePerSecond, cfg.Burst),
		metrics: newMetrics(), idopts: cfg.Identify, sessions: cfg.Sessions}
	s.routesTable()
	s.revocationRoutes()
	logH := cfg.Registry.Ledger().Handler(cfg.Registry.Store())
	s.mux.Handle("GET /checkpoint", logH)
	s.mux.Handle("GET /tile/", logH)
	s.mux.Handle("GET /v1/log", logH)
	s.routes = append(s.routes, route{"GET", "/v1/log", false})
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		s.metrics.serve(w, r)
		writeIndexMetrics(w, s.reg.Index().Stats())
	})
	s.mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	return s, nil
}

// handle registers an API route with its body cap.
func (s *Server) handle(method, pattern string, auth bool, limit int64, h func(w http.ResponseWriter, r *http.Request, p registry.Principal) error) {
	s.routes = append(s.routes, route{method, pattern, auth})
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var p registry.Principal
		key := "ip:" + clientIP(r)
		if auth {
			var err error
			p, err = s.authenticate(r)
			if err != nil {
				s.problem(w, r, err)
				return
			}
			key = "tok:" + p.Token.ID
		} else if tok := bearer(r); tok != "" {
			if pp, err := s.authenticate(r); err == nil {
				p, key = pp, "tok:"+pp.Token.ID
			}
		}
		if retry, ok := s.limiter.allow(key); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(retry.Seconds())+1))
			s.problem(w, r, errRateLimited)
			return
		}
		if err := h(w, r, p); err != nil {
			s.problem(w, r, err)
		}
	})
}

var errRateLimited = errors.New("rate limit exceeded")

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) authenticate(r *http.Request) (registry.Principal, error) {
	tok := bearer(r)
	if tok == "" && s.sessions != nil {
		if p, ok, err := s.sessions.AuthenticateRequest(r); ok {
			return p, err
		}
	}
	if tok == "" {
		return registry.Principal{}, fmt.Errorf("%w: send Authorization: Bearer <token>", registry.ErrUnauthenticated)
	}
	return s.reg.Authenticate(r.Context(), tok)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ServeHTTP serves the API with metrics and a log line per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: 200}
	sw.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(sw, r)
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		pattern = "unmatched"
	}
	d := time.Since(start)
	s.metrics.observe(pattern, sw.status, d)
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", pattern),
		slog.Int("status", sw.status), slog.Duration("duration", d), slog.String("remote", clientIP(r)))
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// status maps an error to its HTTP status and problem type; the one place
// that does (STYLE: one function maps errors to statuses).
func status(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, wire.ProblemTooLarge
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests, wire.ProblemRateLimited
	case errors.Is(err, registry.ErrUnauthenticated):
		return http.StatusUnauthorized, wire.ProblemUnauthenticated
	case errors.Is(err, registry.ErrForbidden):
		return http.StatusForbidden, wire.ProblemForbidden
	case errors.Is(err, registry.ErrUnverified):
		return http.StatusForbidden, wire.ProblemDomainNotVerified
	case errors.Is(err, registry.ErrInvalid), errors.Is(err, errBadRequest), errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, wire.ProblemInvalid
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, wire.ProblemNotFound
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, wire.ProblemConflict
	case errors.Is(err, context.Canceled):
		return 499, wire.ProblemCanceled
	}
	return http.StatusInternalServerError, wire.ProblemInternal
}

var errBadRequest = errors.New("bad request")

func (s *Server) problem(w http.ResponseWriter, r *http.Request, err error) {
	code, typ := status(err)
	p := wire.Problem{Type: wire.ProblemTypeBase + typ, Title: http.StatusText(code), Status: code, Detail: err.Error()}
	if code >= 500 {
		// Details of server faults go to the log, never to the client.
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		p.Detail = "internal error; the server log has the details"
		if code == 499 {
			p.Title = "client closed request"
		}
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="askfirst"`)
	}
	w.Header().Set("Content-Type", wire.ProblemContentType)
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// decode reads a JSON body into v, refusing unknown fields and trailing
// data.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fmt.Errorf("%w: JSON body: %v", errBadRequest, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: JSON body: data after the object", errBadRequest)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	err := s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
		_, err := tx.LogSize()
		return err
	})
	if err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "health check failed", slog.String("error", err.Error()))
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}
