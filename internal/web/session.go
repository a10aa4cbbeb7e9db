package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/internal/registry"
)

// Cookies. Over TLS they take the __Host- prefix, which browsers accept
// only with Secure, Path=/ and no Domain: no other host can set them.
const (
	sessionCookie = "sid"
	preCookie     = "pre" // the pre-session of signed-out forms
	csrfField     = "csrf"
	// CSRFHeader carries the CSRF token of the app's JavaScript requests.
	CSRFHeader = "X-CSRF-Token"
)

func (s *Server) cookieName(r *http.Request, name string) string {
	if s.secure(r) {
		return "__Host-" + name
	}
	return name
}

// setCookie sets a session cookie (no Max-Age: it ends with the browser)
// with the app's attributes.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, name), Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r, name), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(r, name))
	if err != nil {
		return ""
	}
	return c.Value
}

type ctxKey struct{}

// session returns the request's session, or nil when signed out.
func (s *Server) session(r *http.Request) *registry.WebSession {
	if ws, ok := r.Context().Value(ctxKey{}).(*registry.WebSession); ok {
		return ws
	}
	secret := s.cookie(r, sessionCookie)
	if secret == "" {
		return nil
	}
	ws, err := s.reg.Session(r.Context(), secret)
	if err != nil {
		return nil
	}
	return &ws
}

// withSession stores ws in the request's context for the handlers after.
func withSession(r *http.Request, ws *registry.WebSession) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, ws))
}

// signedIn wraps a handler that needs a session: a signed-out visitor is
// sent to sign in and brought back; a POST must carry the session's CSRF
// token.
func (s *Server) signedIn(h func(w http.ResponseWriter, r *http.Request, ws *registry.WebSession)) http.HandlerFunc {
	return s.withSessionCheck(h, true)
}

// signedInStream is signedIn for a handler that reads its body as a
// stream (a multipart upload, whose files must not be buffered) and checks
// the CSRF token itself (checkCSRFValue).
func (s *Server) signedInStream(h func(w http.ResponseWriter, r *http.Request, ws *registry.WebSession)) http.HandlerFunc {
	return s.withSessionCheck(h, false)
}

func (s *Server) withSessionCheck(h func(w http.ResponseWriter, r *http.Request, ws *registry.WebSession), csrf bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ws := s.session(r)
		if ws == nil {
			if s.cookie(r, sessionCookie) != "" {
				s.clearCookie(w, r, sessionCookie)
			}
			if r.Method != http.MethodGet {
				s.render(w, withSession(r, nil), http.StatusUnauthorized, "error", "Signed out",
					errorData{Status: 401, Message: "Your session has ended. Sign in again, then repeat what you were doing."})
				return
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = withSession(r, ws)
		if csrf && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.checkCSRF(r, ws); err != nil {
				s.csrfFailed(w, r, err)
				return
			}
		}
		// Pages of an account are never cached (OWASP: no caching of
		// session data).
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, ws)
	}
}

var errCSRF = errors.New("the form is stale or did not come from this site")

func (s *Server) csrfFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.render(w, r, http.StatusForbidden, "error", "Refused",
		errorData{Status: 403, Message: "This request was refused: " + err.Error() + ". Reload the page and try again."})
}

// sameOrigin refuses a request a browser says another site sent (Fetch
// Metadata, Origin). Requests without these headers (older browsers,
// command-line clients) rely on the token alone.
func (s *Server) sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return errCSRF
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.origin(r) {
		return errCSRF
	}
	return nil
}

// checkCSRF checks a signed-in request: same origin, and the session's
// synchronizer token in the form field or the X-CSRF-Token header.
func (s *Server) checkCSRF(r *http.Request, ws *registry.WebSession) error {
	if err := s.sameOrigin(r); err != nil {
		return err
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return checkCSRFValue(ws, got)
}

// checkCSRFValue compares a token with the session's, in constant time.
func checkCSRFValue(ws *registry.WebSession, got string) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ws.CSRF)) != 1 {
		return errCSRF
	}
	return nil
}

// csrfSecret returns the HMAC key of pre-session tokens, shared by every
// process on the database.
func (s *Server) csrfSecret(ctx context.Context) ([]byte, error) {
	s.csrfOnce.Do(func() { s.csrfKey, s.csrfErr = s.reg.Secret(ctx, "web-csrf", 32) })
	return s.csrfKey, s.csrfErr
}

// preToken returns the CSRF token of a pre-session: HMAC-SHA256 of its
// ID under the server secret.
func (s *Server) preToken(ctx context.Context, pre string) (string, error) {
	key, err := s.csrfSecret(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("askfirst pre-session csrf v1\x00" + pre))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// ensurePre returns the pre-session of a signed-out visitor, setting a new
// one if there is none.
func (s *Server) ensurePre(w http.ResponseWriter, r *http.Request) string {
	pre := s.cookie(r, preCookie)
	if len(pre) != 43 {
		b := make([]byte, 32)
		rand.Read(b)
		pre = base64.RawURLEncoding.EncodeToString(b)
		s.setCookie(w, r, preCookie, pre)
	}
	return pre
}

// checkPreCSRF checks a signed-out form (join, sign in): same origin, and
// the token bound to the visitor's pre-session cookie.
func (s *Server) checkPreCSRF(r *http.Request) error {
	if err := s.sameOrigin(r); err != nil {
		return err
	}
	pre := s.cookie(r, preCookie)
	if pre == "" {
		return fmt.Errorf("%w (no cookie: cookies must be allowed to sign in)", errCSRF)
	}
	want, err := s.preToken(r.Context(), pre)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// startSession sets the cookie of a new session (a new ID at every sign-in
// and join) and drops the pre-session.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, ws registry.WebSession) {
	s.setCookie(w, r, sessionCookie, ws.Secret)
	s.clearCookie(w, r, preCookie)
}

// AuthenticateRequest implements api.SessionAuthenticator: an API request
// carrying the session cookie is the session's when it also carries the
// session's CSRF token in the X-CSRF-Token header and comes from this
// site. A cross-site page can make the browser send the cookie, but can
// neither read the token nor add a header without a CORS preflight, which
// the API never grants.
func (s *Server) AuthenticateRequest(r *http.Request) (registry.Principal, bool, error) {
	secret := s.cookie(r, sessionCookie)
	if secret == "" {
		return registry.Principal{}, false, nil
	}
	ws, err := s.reg.Session(r.Context(), secret)
	if err != nil {
		return registry.Principal{}, true, err
	}
	if s.sameOrigin(r) != nil || checkCSRFValue(&ws, r.Header.Get(CSRFHeader)) != nil {
		return registry.Principal{}, true, fmt.Errorf("%w: a session needs the %s header of its page", registry.ErrUnauthenticated, CSRFHeader)
	}
	return ws.Principal, true, nil
}

// safeNext returns next when it is a path on this site, else "/account".
// It keeps a link from sending a signed-in visitor to another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/account"
	}
	return next
}

// clientAddr is the request's client address (the connection's; a
// proxy's forwarded headers are not trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
