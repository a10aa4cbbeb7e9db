package web

import (
	"archive/zip"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// Receipts: every log entry of an account's rows, verified in the browser
// against the registry's published key (the WebAssembly module runs
// ledger.VerifyReceipt, as `askfirst verify` does), and downloadable as
// the JSON files `askfirst verify` reads, one by one or all in a zip.

const receiptsPerPage = 100

type receiptsData struct {
	Refs        []registry.LogRef
	Page, Pages int
	Total       int
	VerifierKey string
	Origin      string
	BaseURL     string
}

func (s *Server) receiptsPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	refs, err := s.reg.AccountLogRefs(r.Context(), ws.Principal.Account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := receiptsData{Total: len(refs), VerifierKey: s.reg.Ledger().VerifierKey(), Origin: s.reg.Ledger().Origin(), BaseURL: s.baseURL(r)}
	d.Pages = max(1, (len(refs)+receiptsPerPage-1)/receiptsPerPage)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	start := (d.Page - 1) * receiptsPerPage
	d.Refs = refs[start:min(len(refs), start+receiptsPerPage)]
	s.render(w, r, http.StatusOK, "receipts", "Your receipts", d)
}

// receiptFile serves the receipt of one log entry as a download named
// INDEX.json, in the format `askfirst register --receipts` saves. Receipts
// are public, as GET /v1/receipts/{index} is.
func (s *Server) receiptFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	i, err := strconv.ParseInt(strings.TrimSuffix(name, ".json"), 10, 64)
	if err != nil || i < 0 || !strings.HasSuffix(name, ".json") {
		s.notFound(w, r)
		return
	}
	var b []byte
	err = s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
		rc, err := s.reg.Ledger().Receipt(tx, i)
		if err != nil {
			return err
		}
		b, err = rc.Marshal()
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%d.json"`, i))
	w.Write(append(b, '\n'))
}

// receiptsZip streams every receipt of the account's rows as a zip of
// INDEX.json files.
func (s *Server) receiptsZip(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	refs, err := s.reg.AccountLogRefs(r.Context(), ws.Principal.Account.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="askfirst-receipts.zip"`)
	zw := zip.NewWriter(w)
	for start := 0; start < len(refs); start += 1000 {
		chunk := refs[start:min(len(refs), start+1000)]
		var rcs []ledger.Receipt
		err := s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
			for _, ref := range chunk {
				rc, err := s.reg.Ledger().Receipt(tx, ref.Index)
				if err != nil {
					return err
				}
				rcs = append(rcs, rc)
			}
			return nil
		})
		if err != nil {
			// The zip is under way: end it; the missing files show.
			s.log.Error("receipts zip", "account", ws.Principal.Account.ID, "error", err.Error())
			break
		}
		for _, rc := range rcs {
			b, err := rc.Marshal()
			if err != nil {
				continue
			}
			f, err := zw.Create(fmt.Sprintf("askfirst-receipts/%d.json", rc.Index))
			if err != nil {
				return
			}
			f.Write(append(b, '\n'))
		}
	}
	zw.Close()
}
