package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Declaring: per use deny, allow or licence (with its offer) for selected
// works, all one's works, a verified domain or a URL prefix on one; the
// works list says which declarations apply to each work today and why.

// worksPerPage is how many works the declare page lists at once.
const worksPerPage = 100

type declareData struct {
	Works    []workRow
	Next     string // the ID to list from on the next page; "" on the last
	From     int64  // works from this log index are preselected
	Domains  []string
	Account  []registry.AppliedDeclaration // current declarations on all works
	Form     termsForm
	Subject  string
	Error    string
	Selected map[string]bool
}

type workRow struct {
	W        registry.WorkStatus
	Verdicts []useVerdict
}

// termsForm is the state of the terms editor, per use.
type termsForm map[string]termField

type termField struct {
	Decision, Price, Currency, Terms, Contact string
}

func (s *Server) declarePage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	q := r.URL.Query()
	from, _ := strconv.ParseInt(q.Get("from"), 10, 64)
	d := declareData{Subject: "works", Form: termsForm{}, From: from, Selected: map[string]bool{}}
	if from == 0 {
		d.From = -1
	}
	s.renderDeclare(w, r, ws, http.StatusOK, q.Get("after"), d)
}

func (s *Server) renderDeclare(w http.ResponseWriter, r *http.Request, ws *registry.WebSession, status int, after string, d declareData) {
	ctx := r.Context()
	id := ws.Principal.Account.ID
	list, err := s.reg.Works(ctx, id, after, worksPerPage+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(list) > worksPerPage {
		list = list[:worksPerPage]
		d.Next = list[len(list)-1].Work.ID
	}
	base := s.baseURL(r)
	for _, x := range list {
		res := registry.MatchResult{Matches: []registry.WorkMatch{{Work: x.Work.ID, Account: x.Work.AccountID, MatchedBy: "datahash", Confidence: "exact"}},
			Declarations: x.Declarations}
		d.Works = append(d.Works, workRow{W: x, Verdicts: verdicts(base, res)})
		if d.From >= 0 && x.Work.LogIndex >= d.From {
			d.Selected[x.Work.ID] = true
		}
	}
	claims, err := s.reg.Domains(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range claims {
		if c.State == store.DomainVerified {
			d.Domains = append(d.Domains, c.Domain)
		}
	}
	s.render(w, r, status, "declare", "Declare how your works may be used", d)
}

// parseTerms reads the terms editor: per use a decision, and for a
// licence its offer. It returns the form's state too, to show it again.
func parseTerms(r *http.Request) ([]store.Term, termsForm, error) {
	form := termsForm{}
	var terms []store.Term
	for _, u := range registry.Uses {
		f := termField{Decision: r.PostFormValue("d_" + u), Price: trimmed(r, "price_"+u), Currency: strings.ToUpper(trimmed(r, "currency_"+u)),
			Terms: trimmed(r, "terms_"+u), Contact: trimmed(r, "contact_"+u)}
		form[u] = f
		switch f.Decision {
		case "":
			continue
		case "deny", "allow":
			terms = append(terms, store.Term{Use: u, Decision: f.Decision})
		case "license":
			if f.Price == "" && f.Terms == "" && f.Contact == "" {
				return nil, form, fmt.Errorf("%w: a licence for %q needs a price, a terms address or a contact", registry.ErrInvalid, useLabel(u))
			}
			terms = append(terms, store.Term{Use: u, Decision: "license", Offer: &store.Offer{Price: f.Price, Currency: f.Currency, TermsURL: f.Terms, Contact: f.Contact}})
		default:
			return nil, form, fmt.Errorf("%w: decision %q", registry.ErrInvalid, f.Decision)
		}
	}
	if len(terms) == 0 {
		return nil, form, fmt.Errorf("%w: choose, for at least one use, whether it is allowed, not allowed, or needs a licence", registry.ErrInvalid)
	}
	return terms, form, nil
}

func (s *Server) declare(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	entries, form, err := s.declareForm(r, ws)
	if err == nil {
		http.Redirect(w, r, doneURL("declared", "/declare", entries...), http.StatusSeeOther)
		return
	}
	d := declareData{Subject: r.PostFormValue("subject"), Form: form, From: -1, Selected: map[string]bool{}, Error: userMessage(err)}
	for _, id := range r.PostForm["work"] {
		d.Selected[id] = true
	}
	s.renderDeclare(w, r, ws, statusOf(err), r.PostFormValue("after"), d)
}

// declareForm records the declarations of the posted form and returns
// their log entries, and the form's state to show it again on error.
func (s *Server) declareForm(r *http.Request, ws *registry.WebSession) ([]int64, termsForm, error) {
	terms, form, err := parseTerms(r)
	if err != nil {
		return nil, form, err
	}
	ins, err := declareInputs(r, r.PostFormValue("subject"), terms)
	if err != nil {
		return nil, form, err
	}
	_, rcs, err := s.reg.DeclareMany(r.Context(), ws.Principal, ins)
	if err != nil {
		return nil, form, err
	}
	return receiptIndexes(rcs), form, nil
}

// declareInputs turns the chosen subject into declarations of terms.
func declareInputs(r *http.Request, subject string, terms []store.Term) ([]registry.DeclareInput, error) {
	in := registry.DeclareInput{Terms: terms, SupersedeOwn: true}
	switch subject {
	case "works":
		ids := r.PostForm["work"]
		if len(ids) == 0 {
			return nil, fmt.Errorf("%w: select the works to declare for, or choose all your works", registry.ErrInvalid)
		}
		if len(ids) > registry.MaxBatch {
			return nil, fmt.Errorf("%w: %d works selected, the limit is %d at once", registry.ErrInvalid, len(ids), registry.MaxBatch)
		}
		var out []registry.DeclareInput
		for _, id := range ids {
			x := in
			x.Subject = store.Subject{Kind: store.SubjectWork, Value: id}
			out = append(out, x)
		}
		return out, nil
	case "account":
		in.Subject = store.Subject{Kind: store.SubjectAccount}
	case "domain":
		in.Subject = store.Subject{Kind: store.SubjectDomain, Value: trimmed(r, "domain")}
	case "url-prefix":
		in.Subject = store.Subject{Kind: store.SubjectURLPrefix, Value: trimmed(r, "prefix")}
	default:
		return nil, fmt.Errorf("%w: choose what the declaration is about", registry.ErrInvalid)
	}
	return []registry.DeclareInput{in}, nil
}

// termsJSON is the exact JSON of terms, as the log entry will hold them
// (the machine meaning behind the plain words).
func termsJSON(terms []store.Term) string {
	b, _ := json.MarshalIndent(terms, "", "  ")
	return string(b)
}
