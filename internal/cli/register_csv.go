package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
)

// maxCSVRows caps the rows of a --csv file; split larger files.
const maxCSVRows = 1_000_000

// csvColumns are the columns register --csv reads; others are ignored.
var csvColumns = []string{"member", "path", "iscc", "datahash", "title", "creator", "locator",
	"deny", "allow", "license", "price", "currency", "terms", "contact"}

// csvRow is one work of a --csv file.
type csvRow struct {
	line   int
	job    *idJob // the file when the row names one
	work   registry.WorkInput
	member string
	terms  []store.Term
}

// registerCSV registers the works listed in a CSV file, for an
// organisation acting for its members in bulk (DESIGN §8): one row per
// work with its member account, its file (codes computed locally) or its
// codes, and its own terms; a row without terms takes those of the flags.
// Rows are grouped by member and terms and sent in batches.
func (e *env) registerCSV(ctx context.Context, c *client.Client, path string, defTerms []store.Term, defMember string, base registerRun, jobs int) int {
	rows, code := e.readRegisterCSV(path, defTerms, defMember)
	if code >= 0 {
		return code
	}
	opts := identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG")}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for _, r := range rows {
		if r.job == nil {
			continue
		}
		g.Go(func() error {
			r.job.res, r.job.err = identify.File(gctx, r.job.path, opts)
			return nil
		})
	}
	g.Wait()

	type group struct {
		member string
		terms  []store.Term
		jobs   []*idJob
		works  []registry.WorkInput
	}
	var order []string
	groups := map[string]*group{}
	failed := 0
	for _, r := range rows {
		w := r.work
		job := r.job
		if job != nil {
			if job.res == nil {
				failed++
				e.errorf("register %s line %d: %s: %v", path, r.line, job.path, job.err)
				continue
			}
			if job.err != nil {
				e.warnf("%s line %d: %v; registered by its Data- and Instance-Code only", path, r.line, job.err)
			}
			fw := registry.WorkFromIdentity(job.res)
			fw.Title, fw.Creator, fw.Locators = w.Title, w.Creator, w.Locators
			w = fw
		} else {
			job = &idJob{path: fmt.Sprintf("%s line %d", path, r.line)}
		}
		tb, _ := json.Marshal(r.terms)
		key := r.member + "\x00" + string(tb)
		gr := groups[key]
		if gr == nil {
			gr = &group{member: r.member, terms: r.terms}
			groups[key] = gr
			order = append(order, key)
		}
		gr.jobs = append(gr.jobs, job)
		gr.works = append(gr.works, w)
	}
	var done, saved, skipped int
	for _, key := range order {
		gr := groups[key]
		run := base
		run.terms, run.onBehalf, run.total = gr.terms, gr.member, len(gr.works)
		if run.owner != "" && gr.member != "" {
			run.owner = gr.member
		}
		for start := 0; start < len(gr.works); start += run.batch {
			end := min(start+run.batch, len(gr.works))
			if code := run.send(ctx, gr.jobs[start:end], gr.works[start:end]); code >= 0 {
				return code
			}
		}
		done, saved, skipped, failed = done+run.done, saved+run.saved, skipped+run.skipped, failed+run.failed
	}
	if !base.jsonOut {
		fmt.Fprintf(e.stdout, "%d works registered from %s in %d groups of member and terms (%d skipped: registered before); %d receipts saved in %s\n",
			done, path, len(order), skipped, saved, base.receipts)
	}
	if failed > 0 {
		e.errorf("register: %d of %d rows of %s not registered", failed, len(rows), path)
		return ExitFailure
	}
	return ExitOK
}

// readRegisterCSV reads and checks every row before anything is sent, so a
// malformed file registers nothing.
func (e *env) readRegisterCSV(path string, defTerms []store.Term, defMember string) ([]csvRow, int) {
	f, err := os.Open(path)
	if err != nil {
		e.errorf("register --csv: %v", err)
		return nil, ExitFailure
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, 1<<30))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		e.errorf("register --csv %s: read the header row: %v", path, err)
		return nil, ExitUsage
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["path"]; !ok {
		if _, ok := col["iscc"]; !ok {
			if _, ok := col["datahash"]; !ok {
				e.errorf("register --csv %s: no path, iscc or datahash column", path)
				e.hintf("the header names the columns: %s", strings.Join(csvColumns, ","))
				return nil, ExitUsage
			}
		}
	}
	dir := filepath.Dir(path)
	var rows []csvRow
	bad := 0
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			e.errorf("register --csv %s line %d: %v", path, line, err)
			bad++
			continue
		}
		if len(rows) >= maxCSVRows {
			e.errorf("register --csv %s: more than %d rows; split the file", path, maxCSVRows)
			return nil, ExitUsage
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := csvRow{line: line, member: get("member")}
		if row.member == "" {
			row.member = defMember
		}
		row.work = registry.WorkInput{ISCC: get("iscc"), Datahash: get("datahash"), Title: get("title"), Creator: get("creator")}
		if l := get("locator"); l != "" {
			row.work.Locators = []string{l}
		}
		if p := get("path"); p != "" {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			row.job = &idJob{path: p}
		} else if row.work.ISCC == "" && row.work.Datahash == "" {
			e.errorf("register --csv %s line %d: no path, iscc or datahash", path, line)
			bad++
			continue
		}
		deny, allow, license := get("deny"), get("allow"), get("license")
		row.terms = defTerms
		if deny != "" || allow != "" || license != "" {
			price, currency, terms, contact := get("price"), get("currency"), get("terms"), get("contact")
			tf := &termsFlags{deny: &deny, allow: &allow, license: &license, price: &price, currency: &currency, termsURL: &terms, contact: &contact}
			if row.terms, err = tf.terms(); err != nil {
				e.errorf("register --csv %s line %d: %v", path, line, strings.ReplaceAll(err.Error(), "--", ""))
				bad++
				continue
			}
		}
		rows = append(rows, row)
	}
	if bad > 0 {
		e.errorf("register --csv %s: %d bad rows; nothing was registered", path, bad)
		return nil, ExitUsage
	}
	if len(rows) == 0 {
		e.errorf("register --csv %s: no rows", path)
		return nil, ExitUsage
	}
	return rows, -1
}
