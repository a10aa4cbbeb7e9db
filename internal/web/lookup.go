package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// The public lookup: "is this work registered, and on what terms?" A file
// is hashed in the browser and only its codes come here (as query
// parameters, so the answer is a page anyone can link to); a URL or an
// ISCC is typed in. The answer is the registry's today: per use the
// verdict, the declarations that apply with their receipts, the works
// matched with their distance, and the possible matches that were not
// confirmed, marked as such.

type lookupData struct {
	Query    string // what the visitor typed
	Name     string // the file's name, when a file was looked up
	Item     registry.MatchItem
	Asked    bool
	Result   registry.MatchResult
	Verdicts []useVerdict
	Error    string
	// Unconfirmed is set when a match is a possible one, not confirmed.
	Unconfirmed bool
}

// About says what a declaration of the answer is about, naming the works
// matched by their titles.
func (d lookupData) About(sj store.Subject) string {
	if sj.Kind == store.SubjectWork {
		for _, m := range d.Result.Matches {
			if m.Work == sj.Value && m.Title != "" {
				return "the work “" + m.Title + "”"
			}
		}
	}
	return subjectText(sj)
}

// Caps on a lookup's query.
const (
	maxLookupParam = 2048
)

func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := lookupData{Query: strings.TrimSpace(q.Get("q")), Name: q.Get("name")}
	it := registry.MatchItem{URL: q.Get("url"), ISCC: q.Get("iscc"), Datahash: q.Get("datahash"),
		Units: wire.Units{Meta: q.Get("meta"), Content: q.Get("content"), Data: q.Get("data"), Instance: q.Get("instance")}}
	if h := q.Get("pdq"); h != "" {
		it.PDQ = &wire.PDQ{Hash: h}
	}
	switch {
	case d.Query == "":
	case strings.HasPrefix(strings.ToUpper(d.Query), "ISCC:"):
		it.ISCC = d.Query
	case strings.HasPrefix(d.Query, "http://") || strings.HasPrefix(d.Query, "https://"):
		it.URL = d.Query
	case len(d.Query) == 68 && strings.HasPrefix(d.Query, "1e20"):
		it.Datahash = d.Query
	default:
		d.Error = "Give a web address (https://…), an ISCC (ISCC:…) or a datahash (1e20…), or drop a file."
	}
	for _, v := range append([]string{it.URL, it.ISCC, it.Datahash, q.Get("pdq"), d.Name}, it.Units.Codes()...) {
		if len(v) > maxLookupParam {
			d.Error = fmt.Sprintf("A value of the query is over %d bytes.", maxLookupParam)
		}
	}
	d.Item = it
	d.Asked = it.URL != "" || it.ISCC != "" || it.Datahash != "" || it.PDQ != nil || it.Units != (wire.Units{})
	status := http.StatusOK
	if d.Error != "" {
		d.Asked = false
		status = http.StatusBadRequest
	}
	if d.Asked {
		rs, err := s.reg.Match(r.Context(), []registry.MatchItem{it})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Result = rs[0]
		if d.Result.Error != "" {
			d.Error, d.Asked, status = userMessage(fmt.Errorf("%s", d.Result.Error)), false, http.StatusBadRequest
		} else {
			d.Verdicts = verdicts(s.baseURL(r), d.Result)
			for _, m := range d.Result.Matches {
				d.Unconfirmed = d.Unconfirmed || m.Confidence == "unconfirmed"
			}
		}
	}
	s.render(w, r, status, "lookup", "Look a work up", d)
}
