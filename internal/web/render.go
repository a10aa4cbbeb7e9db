package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// pageData is what every template gets: the page's own data in D.
type pageData struct {
	Title     string
	Session   *registry.WebSession // nil when signed out
	Account   store.Account        // the session's account
	IsOrg     bool
	CSRF      string // the token of the page's forms
	Path      string
	WasmReady bool
	D         any
}

// parseTemplates parses every page in templates/ with the layout and the
// shared partials.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":       s.static.url,
		"when":        when,
		"date":        func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"short":       short,
		"useLabel":    useLabel,
		"useHint":     useHint,
		"uses":        func() []string { return registry.Uses },
		"decision":    decisionLabel,
		"offer":       offerText,
		"subject":     subjectText,
		"add":         func(a, b int) int { return a + b },
		"entryWhat":   entryWhat,
		"verdictText": verdictText,
		"termsJSON":   termsJSON,
		"size":        sizeText,
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// render writes page with data under the layout. It renders into a
// buffer first, so a template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	t := s.pages[page]
	if t == nil {
		http.Error(w, "no template "+page, http.StatusInternalServerError)
		return
	}
	pd := pageData{Title: title, Path: r.URL.Path, WasmReady: s.static.wasmReady(), D: data}
	if ws, ok := r.Context().Value(ctxKey{}).(*registry.WebSession); ok {
		pd.Session = ws
	} else {
		pd.Session = s.session(r)
	}
	if pd.Session != nil {
		pd.Account = pd.Session.Principal.Account
		pd.IsOrg = pd.Account.Kind == store.KindOrganisation
		pd.CSRF = pd.Session.CSRF
		w.Header().Set("Cache-Control", "no-store")
	} else {
		tok, err := s.preToken(r.Context(), s.ensurePre(w, r))
		if err != nil {
			s.log.LogAttrs(r.Context(), slog.LevelError, "csrf secret", slog.String("error", err.Error()))
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		pd.CSRF = tok
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pd); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "render", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// sizeText prints a byte count for people.
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// short abbreviates a long code for display: its first n characters and
// an ellipsis.
func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Plain words for the uses (DESIGN §2; signals digest §14.3).
var useLabels = map[string][2]string{
	"train-genai": {"Training generative AI", "models that write text or make images, music or video"},
	"train-ai":    {"Training any AI model", "includes generative AI, and also models that classify or recognise"},
	"ai-input":    {"Use by AI when it answers", "retrieval, grounding and agents reading the work at answer time"},
	"search":      {"Search engines", "indexing to show links and snippets"},
}

func useLabel(u string) string {
	if l, ok := useLabels[u]; ok {
		return l[0]
	}
	return u
}

func useHint(u string) string { return useLabels[u][1] }

func decisionLabel(d string) string {
	switch d {
	case "deny":
		return "Not allowed"
	case "allow":
		return "Allowed"
	case "license":
		return "Only with a licence"
	}
	return "Not said"
}

func verdictText(v string) string {
	switch v {
	case "deny":
		return "Not allowed"
	case "allow":
		return "Allowed"
	case "license":
		return "Licence needed"
	}
	return "Nothing declared"
}

// offerText prints an offer in plain words.
func offerText(o *store.Offer) string {
	if o == nil {
		return ""
	}
	var parts []string
	if o.Price != "" {
		p := o.Price + " " + o.Currency + " per work"
		if o.PerUse {
			p += " per use"
		}
		parts = append(parts, p)
	}
	if o.TermsURL != "" {
		parts = append(parts, "terms at "+o.TermsURL)
	}
	if o.Contact != "" {
		parts = append(parts, "contact "+o.Contact)
	}
	return strings.Join(parts, "; ")
}

// subjectText says what a declaration is about, in plain words.
func subjectText(sj store.Subject) string {
	switch sj.Kind {
	case store.SubjectWork:
		return "the work " + sj.Value
	case store.SubjectAccount:
		return "all works of " + sj.Value
	case store.SubjectDomain:
		return "everything published on " + sj.Value
	case store.SubjectURLPrefix:
		return "everything published under " + sj.Value
	}
	return sj.Kind + ":" + sj.Value
}

func entryWhat(what string) string {
	switch what {
	case "account":
		return "Account created"
	case "work":
		return "Work registered"
	case "declaration":
		return "Declaration"
	case "key":
		return "Signing key added"
	case "delegation":
		return "Delegation given"
	case "signature":
		return "Campaign signed"
	case "domain":
		return "Domain verified"
	}
	return what
}
