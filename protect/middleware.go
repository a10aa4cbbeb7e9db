package protect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/signals"
)

// Errors of the Verifier family. A Verifier returns nil for a token that
// licenses the request, an error wrapping ErrDenied when it does not, and
// any other error when it cannot tell.
var (
	// ErrDenied: the token does not license the request. The crawler is
	// answered as if it had presented none.
	ErrDenied = errors.New("licence denied")
	// ErrInvalidToken: the token is malformed, expired, revoked or not
	// signed by the licence server (answered 401, error="invalid_token").
	ErrInvalidToken = fmt.Errorf("invalid licence token: %w", ErrDenied)
	// ErrNotCovered: the token is valid but licenses another resource or
	// use (answered 402, error="insufficient_scope").
	ErrNotCovered = fmt.Errorf("licence does not cover this request: %w", ErrDenied)
)

// Verifier checks the licence token a crawler presents as
// "Authorization: License <token>" (RSL Crawler Authorization Protocol).
// A licence server (the RSL Open License Protocol) issues the tokens; its
// verifier checks their signature, expiry and scope, locally or by token
// introspection.
type Verifier interface {
	// VerifyLicense reports whether token licenses use of the resource at
	// u. It returns nil when it does; an error wrapping ErrDenied when it
	// does not (ErrInvalidToken, ErrNotCovered); any other error when it
	// cannot tell, such as a licence server that does not answer, and the
	// middleware then answers 503 and never serves the content. It is
	// called for each request of a crawler that must licence and presents
	// a token, concurrently: it must be safe for concurrent use, and
	// should cache what it can.
	VerifyLicense(ctx context.Context, token string, u *url.URL, use signals.Use) error
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, token string, u *url.URL, use signals.Use) error

// VerifyLicense calls f.
func (f VerifierFunc) VerifyLicense(ctx context.Context, token string, u *url.URL, use signals.Use) error {
	return f(ctx, token, u, use)
}

// Config configures a Middleware.
type Config struct {
	// Policy is the policy to enforce.
	Policy Policy
	// Links are where the licence and TDM Policy are served; zero gives
	// LinksFor(""), root-relative links to the files Site writes.
	Links Links
	// Verifier checks licence tokens; nil refuses every token, so that
	// crawlers that must licence are always answered 402.
	Verifier Verifier
	// Exempt are paths served to every crawler; nil gives the files Site
	// writes (robots.txt, ai.txt, /.well-known/tdmrep.json, the licence
	// and the TDM Policy), which a refused crawler must still be able to
	// read.
	Exempt []string
}

// Middleware enforces a Policy in front of an http.Handler. It is safe
// for concurrent use.
type Middleware struct {
	headers []field
	m       *matcher
	uses    [][]signals.Use // per catalogue crawler, its uses needing a licence
	exempt  []string
	verify  Verifier
	links   Links
}

type field struct {
	key  string
	vals []string
}

// New returns a Middleware for c. It fails on a policy Normalize refuses.
func New(c Config) (*Middleware, error) {
	p, _, err := c.Policy.Normalize()
	if err != nil {
		return nil, err
	}
	if c.Links == (Links{}) {
		c.Links = LinksFor("")
	}
	m := &Middleware{m: newMatcher(p), verify: c.Verifier, links: c.Links, exempt: c.Exempt}
	if m.exempt == nil {
		m.exempt = exemptPaths()
	}
	for _, h := range p.express().headers(c.Links) {
		// Values are shared by every response: a slice at full capacity,
		// so that a later Header.Add copies it rather than writing into it.
		m.headers = append(m.headers, field{textproto.CanonicalMIMEHeaderKey(h.name), slices.Clip([]string{h.value})})
	}
	for _, cr := range catalogue() {
		var lic []signals.Use
		for _, u := range cr.uses {
			if p.Uses[u] == signals.License {
				lic = append(lic, u)
			}
		}
		m.uses = append(m.uses, lic)
	}
	return m, nil
}

// Handler returns next behind the middleware: every response carries the
// policy's headers (Content-Usage, TDM-Reservation and TDM-Policy,
// X-Robots-Tag, Link to the licence); a request from an AI crawler of the
// catalogue that the policy refuses for every use it collects for is
// answered 403; one whose uses all need a licence is answered 402 with
// WWW-Authenticate: License, unless it presents a token the Verifier
// accepts; every other request (browsers, allowed crawlers, the exempt
// paths) goes to next untouched. The header values are shared between
// responses: a handler may replace them (Header.Set) or add to them, but
// must not modify them in place.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, f := range m.headers {
			h[f.key] = f.vals
		}
		var ua string
		if v := r.Header["User-Agent"]; len(v) > 0 {
			ua = v[0]
		}
		a, who := m.m.match(ua)
		if a == pass || slices.Contains(m.exempt, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h.Add("Vary", "User-Agent")
		h.Set("Cache-Control", "private")
		if a == refuse {
			http.Error(w, strings.TrimSuffix(refusedText, "\n"), http.StatusForbidden)
			return
		}
		auth := r.Header.Get("Authorization")
		if len(auth) < 8 || !strings.EqualFold(auth[:8], "License ") {
			m.needLicence(w, http.StatusPaymentRequired, "invalid_request", licenceError)
			return
		}
		if m.verify == nil {
			m.needLicence(w, http.StatusPaymentRequired, "invalid_request", licenceError)
			return
		}
		token := strings.TrimSpace(auth[8:])
		u := *r.URL
		if u.Host == "" {
			u.Host = r.Host
		}
		if u.Scheme == "" {
			u.Scheme = "http"
			if r.TLS != nil {
				u.Scheme = "https"
			}
		}
		var denied error
		for _, use := range m.uses[who] {
			err := m.verify.VerifyLicense(r.Context(), token, &u, use)
			switch {
			case err == nil:
				next.ServeHTTP(w, r)
				return
			case errors.Is(err, ErrDenied):
				if denied == nil || errors.Is(err, ErrInvalidToken) {
					denied = err
				}
			default:
				w.Header().Set("Retry-After", "60")
				http.Error(w, "Service Unavailable: the licence could not be verified; try again later.", http.StatusServiceUnavailable)
				return
			}
		}
		if errors.Is(denied, ErrInvalidToken) {
			m.needLicence(w, http.StatusUnauthorized, "invalid_token", "the licence token is not valid")
			return
		}
		m.needLicence(w, http.StatusPaymentRequired, "insufficient_scope", "the licence token does not cover this use of the content")
	})
}

// needLicence answers a crawler that must licence (RSL CAP).
func (m *Middleware) needLicence(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", challenge(m.links, code, desc))
	http.Error(w, strings.TrimSuffix(fmt.Sprintf(licenceText, m.links.License), "\n"), status)
}
