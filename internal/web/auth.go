package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Joining, signing in and out, and the page every write ends on.

type homeData struct {
	Campaigns []campaignSummary
	LogSize   int64
	Origin    string
}

type campaignSummary struct {
	Campaign   store.Campaign
	Organiser  string
	Signatures int64
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	cs, err := s.reg.CampaignsByAccount(r.Context(), "", 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := homeData{Origin: s.reg.Ledger().Origin()}
	for _, c := range cs {
		v, err := s.reg.Campaign(r.Context(), c.ID, "", 1)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		name, _ := s.reg.AccountName(r.Context(), c.AccountID)
		d.Campaigns = append(d.Campaigns, campaignSummary{Campaign: c, Organiser: name, Signatures: v.Signatures})
	}
	s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
		d.LogSize, _, _ = tx.Checkpoint()
		return nil
	})
	s.render(w, r, http.StatusOK, "home", "Your work, your terms for AI", d)
}

type joinData struct {
	Name, Kind, Email, Next, Error string
}

func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s.session(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "join", "Join", joinData{Kind: store.KindCreator, Next: next})
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	if err := s.checkPreCSRF(r); err != nil {
		s.csrfFailed(w, r, err)
		return
	}
	d := joinData{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Email: r.PostFormValue("email"),
		Next: safeNext(r.PostFormValue("next"))}
	if d.Kind != store.KindOrganisation {
		d.Kind = store.KindCreator
	}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		d.Error = "The two passwords differ."
		s.render(w, r, http.StatusBadRequest, "join", "Join", d)
		return
	}
	if !s.joins.allow(clientAddr(r)) {
		d.Error = fmt.Sprintf("Too many accounts were created from your network address (the limit is %d an hour). Try again later.", joinsPerHour)
		s.render(w, r, http.StatusTooManyRequests, "join", "Join", d)
		return
	}
	ws, rc, err := s.reg.Join(r.Context(), registry.JoinInput{Name: d.Name, Kind: d.Kind, Password: r.PostFormValue("password"), Email: d.Email})
	if err != nil {
		if code := statusOf(err); code < 500 {
			d.Error = userMessage(err)
			s.render(w, r, code, "join", "Join", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, ws)
	http.Redirect(w, r, doneURL("joined", d.Next, rc.Index), http.StatusSeeOther)
}

type signInData struct {
	Name, Next, Error string
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s.session(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", "Sign in", signInData{Next: next})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if err := s.checkPreCSRF(r); err != nil {
		s.csrfFailed(w, r, err)
		return
	}
	d := signInData{Name: r.PostFormValue("name"), Next: safeNext(r.PostFormValue("next"))}
	ws, err := s.reg.SignIn(r.Context(), d.Name, r.PostFormValue("password"), clientAddr(r))
	var locked *registry.LockedError
	switch {
	case errors.As(err, &locked):
		d.Error = "Too many failed sign-ins with " + map[bool]string{true: "your network address", false: "this name"}[locked.ByAddress] +
			": sign-in is paused until " + locked.Until.UTC().Format("15:04 UTC") + ". The pause doubles with each further failure."
		s.render(w, r, http.StatusTooManyRequests, "signin", "Sign in", d)
		return
	case errors.Is(err, registry.ErrBadCredentials):
		d.Error = "The name or the password is wrong."
		s.render(w, r, http.StatusUnauthorized, "signin", "Sign in", d)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, ws)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	ws := s.session(r)
	if ws != nil {
		if err := s.checkCSRF(r, ws); err != nil {
			s.csrfFailed(w, r, err)
			return
		}
		if err := s.reg.SignOut(r.Context(), ws.Secret); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// What a write did, in plain words, by the key the done page gets.
var doneMessages = map[string]string{
	"joined":             "Welcome. Your account is created, and recorded in the registry's public log.",
	"signed":             "You signed the campaign. Your signature is recorded in the registry's public log.",
	"declared":           "Your declaration is recorded. It applies from now on; the one it replaces stays in the log.",
	"uploaded":           "The files were hashed on the registry and discarded; their works are registered.",
	"delegated":          "The organisation may now register works and declare for you. You can revoke this at any time.",
	"delegation-revoked": "The delegation is revoked: the organisation can no longer register works or declare for you.",
	"key-added":          "Your signing key is registered.",
	"key-revoked":        "The key is revoked: declarations signed with it are refused from now on.",
	"domain-verified":    "The domain is verified: you can now declare for everything published on it.",
	"campaign-created":   "The campaign is published.",
	"campaign-edited":    "The campaign's new text is published.",
	"listing-hidden":     "The signatory is hidden from the public list. The signature still counts.",
	"listing-shown":      "The signatory is listed again.",
}

// maxDoneEntries caps the receipts a done page lists.
const maxDoneEntries = 100

// doneURL is the page a write redirects to (post/redirect/get): what was
// done, the log entries it wrote, and where to go next.
func doneURL(what, next string, entries ...int64) string {
	q := url.Values{"what": {what}, "next": {safeNext(next)}}
	for i, e := range entries {
		if i == maxDoneEntries {
			q.Set("more", strconv.Itoa(len(entries)-maxDoneEntries))
			break
		}
		q.Add("e", strconv.FormatInt(e, 10))
	}
	return "/done?" + q.Encode()
}

func receiptIndexes(rcs []ledger.Receipt) []int64 {
	out := make([]int64, len(rcs))
	for i, rc := range rcs {
		out[i] = rc.Index
	}
	return out
}

type doneData struct {
	Message string
	Entries []int64
	More    int
	Next    string
}

func (s *Server) done(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := doneData{Message: doneMessages[q.Get("what")], Next: safeNext(q.Get("next"))}
	if d.Message == "" {
		d.Message = "Done."
	}
	for _, e := range q["e"] {
		if i, err := strconv.ParseInt(e, 10, 64); err == nil && i >= 0 && len(d.Entries) < maxDoneEntries {
			d.Entries = append(d.Entries, i)
		}
	}
	d.More, _ = strconv.Atoi(q.Get("more"))
	s.render(w, r, http.StatusOK, "done", "Done", d)
}

// trimmed returns a form field without surrounding space.
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
