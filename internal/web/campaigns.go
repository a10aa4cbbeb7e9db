package web

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Campaigns: the public page with its live count and listed signatories,
// signing in one click (with an optional reservation of all one's works),
// and the organiser's pages: create, edit until the first signature,
// moderate the public list, export the signatures.

// listedPerPage is how many signatories a campaign page lists at once.
const listedPerPage = 200

type campaignData struct {
	V          registry.CampaignView
	Organiser  string
	Own        bool
	Signed     *store.Signature
	NextListed string
	Error      string
	Sign       signForm
}

type signForm struct {
	Name, Role string
	Listed     bool
	Reserve    bool
	Uses       map[string]bool
}

func defaultSignForm(name string) signForm {
	return signForm{Name: name, Listed: true, Uses: map[string]bool{"train-genai": true, "train-ai": true}}
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	ws := s.session(r)
	f := signForm{}
	if ws != nil {
		f = defaultSignForm(ws.Principal.Account.Name)
	}
	s.renderCampaign(w, withSession(r, ws), ws, http.StatusOK, campaignData{Sign: f})
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, ws *registry.WebSession, status int, d campaignData) {
	id := r.PathValue("id")
	var err error
	if d.V, err = s.reg.Campaign(r.Context(), id, r.URL.Query().Get("after"), listedPerPage+1); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.V.Listed) > listedPerPage {
		d.V.Listed = d.V.Listed[:listedPerPage]
		d.NextListed = d.V.Listed[listedPerPage-1].ID
	}
	if d.Organiser, err = s.reg.AccountName(r.Context(), d.V.Campaign.AccountID); err != nil {
		s.fail(w, r, err)
		return
	}
	if ws != nil {
		d.Own = ws.Principal.Account.ID == d.V.Campaign.AccountID
		sig, ok, err := s.reg.SignatureOf(r.Context(), ws.Principal.Account.ID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if ok {
			d.Signed = &sig
		}
	}
	s.render(w, r, status, "campaign", d.V.Campaign.Title, d)
}

func (s *Server) signCampaign(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	f := signForm{Name: trimmed(r, "name"), Role: trimmed(r, "role"), Listed: r.PostFormValue("listed") != "",
		Reserve: r.PostFormValue("reserve") != "", Uses: map[string]bool{}}
	in := registry.SignInput{Name: f.Name, Role: f.Role, Listed: f.Listed}
	for _, u := range registry.Uses {
		if r.PostFormValue("use_"+u) != "" {
			f.Uses[u] = true
			if f.Reserve {
				in.Terms = append(in.Terms, store.Term{Use: u, Decision: "deny"})
			}
		}
	}
	var err error
	if f.Reserve && len(in.Terms) == 0 {
		err = fmt.Errorf("%w: choose the uses to reserve your works from, or untick the reservation", registry.ErrInvalid)
	}
	var receipts []ledger.Receipt
	if err == nil {
		_, receipts, err = s.reg.SignCampaign(r.Context(), ws.Principal, r.PathValue("id"), in)
	}
	if err != nil {
		msg := userMessage(err)
		if errors.Is(err, store.ErrConflict) {
			msg = "You signed this campaign already."
		}
		s.renderCampaign(w, r, ws, statusOf(err), campaignData{Sign: f, Error: msg})
		return
	}
	http.Redirect(w, r, doneURL("signed", "/campaigns/"+r.PathValue("id"), receiptIndexes(receipts)...), http.StatusSeeOther)
}

// campaignEvents streams the campaign's count as server-sent events:
// "count" with {"signatures":N,"listed":M} when it changes. A stream
// lives streamLife and the browser reconnects; at most maxStreams are
// open at once (then 503, and the page polls instead).
func (s *Server) campaignEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.reg.Campaign(r.Context(), id, "", 1); err != nil {
		s.fail(w, r, err)
		return
	}
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many live streams; retry later", http.StatusServiceUnavailable)
		return
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(streamLife + 30*time.Second))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	end := time.NewTimer(streamLife)
	defer end.Stop()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	last, idle := int64(-1), 0
	for {
		var total, listed int64
		err := s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
			var err error
			total, listed, err = tx.SignatureCount(id)
			return err
		})
		if err != nil {
			return
		}
		if total != last {
			last, idle = total, 0
			b, _ := json.Marshal(map[string]int64{"signatures": total, "listed": listed})
			fmt.Fprintf(w, "event: count\ndata: %s\n\n", b)
		} else if idle++; idle%10 == 0 {
			fmt.Fprint(w, ": still here\n\n")
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-end.C:
			return
		case <-tick.C:
		}
	}
}

type campaignEditData struct {
	ID, Title, Statement, Error string
}

func (s *Server) newCampaignPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	s.render(w, r, http.StatusOK, "campaign_edit", "New campaign", campaignEditData{})
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	d := campaignEditData{Title: trimmed(r, "title"), Statement: trimmed(r, "statement")}
	c, rc, err := s.reg.CreateCampaign(r.Context(), ws.Principal, d.Title, d.Statement)
	if err != nil {
		d.Error = userMessage(err)
		s.render(w, r, statusOf(err), "campaign_edit", "New campaign", d)
		return
	}
	http.Redirect(w, r, doneURL("campaign-created", "/campaigns/"+c.ID, rc.Index), http.StatusSeeOther)
}

func (s *Server) editCampaignPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	v, err := s.reg.Campaign(r.Context(), r.PathValue("id"), "", 1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Campaign.AccountID != ws.Principal.Account.ID {
		s.fail(w, r, fmt.Errorf("%w: only the organisation that published a campaign edits it", registry.ErrForbidden))
		return
	}
	d := campaignEditData{ID: v.Campaign.ID, Title: v.Campaign.Title, Statement: v.Campaign.Statement}
	if v.Signatures > 0 {
		d.Error = userMessage(registry.ErrSigned)
	}
	s.render(w, r, http.StatusOK, "campaign_edit", "Edit the campaign", d)
}

func (s *Server) editCampaign(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	d := campaignEditData{ID: r.PathValue("id"), Title: trimmed(r, "title"), Statement: trimmed(r, "statement")}
	_, rc, err := s.reg.EditCampaign(r.Context(), ws.Principal, d.ID, d.Title, d.Statement)
	if err != nil {
		d.Error = userMessage(err)
		s.render(w, r, statusOf(err), "campaign_edit", "Edit the campaign", d)
		return
	}
	http.Redirect(w, r, doneURL("campaign-edited", "/campaigns/"+d.ID, rc.Index), http.StatusSeeOther)
}

type moderateData struct {
	C    store.Campaign
	Sigs []store.Signature
	Next string
}

func (s *Server) moderatePage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	id := r.PathValue("id")
	sigs, err := s.reg.CampaignPage(r.Context(), ws.Principal, id, r.URL.Query().Get("after"), listedPerPage+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.reg.Campaign(r.Context(), id, "", 1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := moderateData{C: v.Campaign, Sigs: sigs}
	if len(sigs) > listedPerPage {
		d.Sigs = sigs[:listedPerPage]
		d.Next = d.Sigs[listedPerPage-1].ID
	}
	s.render(w, r, http.StatusOK, "moderate", "Moderate: "+v.Campaign.Title, d)
}

func (s *Server) setListing(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	id, sig := r.PathValue("id"), r.PathValue("sig")
	hide := r.PostFormValue("hidden") == "true"
	rc, err := s.reg.SetListingHidden(r.Context(), ws.Principal, id, sig, hide)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	what := "listing-shown"
	if hide {
		what = "listing-hidden"
	}
	http.Redirect(w, r, doneURL(what, "/campaigns/"+id+"/moderate", rc.Index), http.StatusSeeOther)
}

// exportSignatures writes every signature of the organiser's campaign as
// CSV. A cell a spreadsheet would take for a formula (starting with =, +,
// -, @, a tab or a carriage return) is prefixed with an apostrophe (OWASP
// CSV Injection), so a signer's name cannot run in the organiser's
// spreadsheet.
func (s *Server) exportSignatures(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	id := r.PathValue("id")
	// Refuse before anything is written.
	if _, err := s.reg.CampaignPage(r.Context(), ws.Principal, id, "", 1); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-signatures.csv"`, id))
	cw := csv.NewWriter(w)
	cw.Write([]string{"signature", "name", "role", "domain", "listed", "hidden", "declaration", "signed", "log_index"})
	err := s.reg.CampaignSignatures(r.Context(), ws.Principal, id, func(g store.Signature) error {
		return cw.Write([]string{g.ID, neutralise(g.Name), neutralise(g.Role), neutralise(g.Domain), strconv.FormatBool(g.Listed),
			strconv.FormatBool(g.Hidden), g.DeclarationID, g.CreatedAt.UTC().Format(time.RFC3339), strconv.FormatInt(g.LogIndex, 10)})
	})
	cw.Flush()
	if err != nil {
		// The export is under way: it ends short, and the log says why.
		s.log.Error("export signatures", "campaign", id, "error", err.Error())
	}
}

// neutralise keeps a CSV cell from being read as a formula.
func neutralise(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
