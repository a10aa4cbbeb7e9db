package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

// defaultRegisterBatch is the works sent per call by default.
const defaultRegisterBatch = 1000

const registerSynopsis = "[--deny U,...] [--allow U,...] [--license U,... --price AMOUNT --currency CUR [--terms URL] [--contact C]] [--receipts DIR] [--title T] [--creator C] [--locator URL] [--on-behalf-of ACCOUNT] [--json] FILE|DIR...\n       askfirst register --csv FILE [flags]\n\n" +
	"Computes the content codes of each file on this machine (the files never leave it), registers\n" +
	"them as works with the declaration given, and saves every receipt as DIR/<log index>.json."

// registerJSON is one line of register --json.
type registerJSON struct {
	Path        string            `json:"path"`
	Work        *wire.Work        `json:"work,omitempty"`
	Declaration *wire.Declaration `json:"declaration,omitempty"`
	// ReceiptFiles are the receipts saved: the work's, then the
	// declaration's.
	ReceiptFiles []string `json:"receipt_files,omitempty"`
	Skipped      string   `json:"skipped,omitempty"` // the work registered before
	Error        string   `json:"error,omitempty"`
}

func runRegister(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("register", registerSynopsis)
	rf := e.addRegistryFlags(fs)
	tf := addTermsFlags(fs)
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipts in, one DIR/<log index>.json each")
	title := fs.String("title", "", "title of the work (one file only)")
	creator := fs.String("creator", "", "creator named on every work")
	locator := fs.String("locator", "", "URL where the work is published (one file only)")
	onBehalf := fs.String("on-behalf-of", "", "register for this member account (an organisation the member delegated to)")
	jsonOut := fs.Bool("json", false, "print one JSON object per file per line (JSON Lines)")
	again := fs.Bool("again", false, "register files the account already registered (same bytes) again; by default they are skipped, so an interrupted run can simply be repeated")
	batch := fs.Int("batch", defaultRegisterBatch, fmt.Sprintf("works per call, at most %d", wire.MaxBatch))
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files identified at the same time")
	csvFile := fs.String("csv", "", "register the works listed in a CSV file instead (columns: "+strings.Join(csvColumns, ",")+"); for organisations registering for their members in bulk")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *csvFile != "" {
		if fs.NArg() > 0 {
			e.errorf("register: give --csv or files, not both")
			return ExitUsage
		}
		terms, err := tf.terms()
		if err != nil {
			e.errorf("register: %v", err)
			return ExitUsage
		}
		if *batch < 1 || *batch > wire.MaxBatch {
			e.errorf("register: --batch %d: want 1 to %d", *batch, wire.MaxBatch)
			return ExitUsage
		}
		c, code := e.registryClient(rf, true)
		if code >= 0 {
			return code
		}
		base := registerRun{e: e, c: c, receipts: *receipts, jsonOut: *jsonOut, batch: *batch}
		if !*again {
			me, err := c.Me(ctx)
			if err != nil {
				return e.apiError("register", err, c.URL())
			}
			base.owner = me.Account.ID
		}
		return e.registerCSV(ctx, c, *csvFile, terms, *onBehalf, base, *jobs)
	}
	if fs.NArg() == 0 {
		e.errorf("register: no file given")
		e.hintf("askfirst register --deny train-genai --license train-ai --price 0.05 --currency EUR photos/")
		return ExitUsage
	}
	terms, err := tf.terms()
	if err != nil {
		e.errorf("register: %v", err)
		return ExitUsage
	}
	if *batch < 1 || *batch > wire.MaxBatch {
		e.errorf("register: --batch %d: want 1 to %d", *batch, wire.MaxBatch)
		return ExitUsage
	}
	for _, a := range fs.Args() {
		if a == "-" {
			e.errorf("register: standard input cannot be registered; give files or folders")
			return ExitUsage
		}
	}
	list, code := e.idInputs(fs.Args())
	if code >= 0 {
		return code
	}
	if len(list) > 1 && (*title != "" || *locator != "") {
		e.errorf("register: --title and --locator name one work, but %d files were given", len(list))
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	if len(terms) == 0 {
		e.warnf("no --deny, --allow or --license given: the works are registered without a declaration")
	}
	if *jobs < 1 {
		*jobs = 1
	}
	opts := identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG")}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*jobs)
	go func() {
		for _, j := range list {
			if j.err != nil {
				close(j.done)
				continue
			}
			g.Go(func() error {
				defer close(j.done)
				j.res, j.err = identify.File(gctx, j.path, opts)
				return nil
			})
		}
	}()

	r := &registerRun{e: e, c: c, terms: terms, onBehalf: *onBehalf, receipts: *receipts, jsonOut: *jsonOut, total: len(list), batch: *batch}
	if !*again {
		r.owner = *onBehalf
		if r.owner == "" {
			me, err := c.Me(ctx)
			if err != nil {
				return e.apiError("register", err, c.URL())
			}
			r.owner = me.Account.ID
		}
	}
	var pending []*idJob
	var works []wire.WorkInput
	for _, j := range list {
		select {
		case <-j.done:
		case <-ctx.Done():
			e.errorf("register: %v", ctx.Err())
			return ExitFailure
		}
		if j.res == nil {
			r.failed++
			r.fileError(j.path, j.err)
			continue
		}
		if j.err != nil {
			e.warnf("%v; registered by its Data- and Instance-Code only", j.err)
		}
		w := registry.WorkFromIdentity(j.res)
		w.Title, w.Creator = *title, *creator
		if *locator != "" {
			w.Locators = []string{*locator}
		}
		pending = append(pending, j)
		works = append(works, w)
		if len(works) == *batch {
			if code := r.send(ctx, pending, works); code >= 0 {
				return code
			}
			pending, works = pending[:0], works[:0]
		}
	}
	if len(works) > 0 {
		if code := r.send(ctx, pending, works); code >= 0 {
			return code
		}
	}
	if !*jsonOut {
		msg := fmt.Sprintf("%d works registered at %s", r.done, c.URL())
		if r.skipped > 0 {
			msg += fmt.Sprintf(" (%d skipped: registered before)", r.skipped)
		}
		if r.saved > 0 {
			msg += fmt.Sprintf("; %d receipts saved in %s (check them with 'askfirst verify%s --registry %s %s/*.json')", r.saved, *receipts, allowPrivateFlag(c.URL()), c.URL(), *receipts)
		}
		fmt.Fprintln(e.stdout, msg)
	}
	if r.failed > 0 {
		e.errorf("register: %d of %d files not registered", r.failed, len(list))
		return ExitFailure
	}
	return ExitOK
}

// registerRun is the state of one register command.
type registerRun struct {
	e                            *env
	c                            *client.Client
	terms                        []wire.Term
	onBehalf                     string
	owner                        string // skip files this account registered already; "" with --again
	receipts                     string
	jsonOut                      bool
	total, batch                 int
	done, failed, saved, skipped int
}

// send registers one batch. A batch the registry refuses as invalid is
// retried one work at a time so that one bad file does not sink the
// others; any other failure stops the command (exit code returned, -1 to
// go on).
func (r *registerRun) send(ctx context.Context, jobs []*idJob, works []wire.WorkInput) int {
	if r.owner != "" {
		var code int
		if jobs, works, code = r.skipRegistered(ctx, jobs, works); code >= 0 || len(works) == 0 {
			return code
		}
	}
	res, err := r.c.RegisterWorks(ctx, wire.RegisterRequest{Works: works, Terms: r.terms, OnBehalfOf: r.onBehalf})
	var ae *client.Error
	if err != nil && errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 422) && len(works) > 1 {
		for i := range works {
			if code := r.send(ctx, jobs[i:i+1], works[i:i+1]); code >= 0 {
				return code
			}
		}
		return -1
	}
	if err != nil {
		if errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 422) {
			r.failed++
			r.fileError(jobs[0].path, err)
			return -1
		}
		code := r.e.apiError("register", err, r.c.URL())
		if r.done > 0 {
			r.e.hintf("%d works were registered before the failure; their receipts are in %s", r.done, r.receipts)
		}
		return code
	}
	for i, x := range res {
		out := registerJSON{Path: jobs[i].path, Work: &x.Work, Declaration: x.Declaration}
		for _, rc := range []*wire.Receipt{&x.Receipt, x.DeclarationReceipt} {
			if rc == nil {
				continue
			}
			p, err := saveReceipt(r.receipts, *rc)
			if err != nil {
				r.e.errorf("%s: %v", jobs[i].path, err)
				r.failed++
				continue
			}
			r.saved++
			out.ReceiptFiles = append(out.ReceiptFiles, p)
		}
		r.done++
		if r.jsonOut {
			enc := json.NewEncoder(r.e.stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(out)
			continue
		}
		line := fmt.Sprintf("registered %s as %s (log %d)", jobs[i].path, x.Work.ID, x.Work.LogIndex)
		if d := x.Declaration; d != nil {
			line += fmt.Sprintf(", declaration %s (log %d): %s", d.ID, d.LogIndex, registryevidence.TermsString(d.Terms))
		}
		fmt.Fprintln(r.e.stdout, line)
	}
	if r.total > r.batch {
		fmt.Fprintf(r.e.stderr, "askfirst: register: %d of %d files done\n", r.done+r.skipped+r.failed, r.total)
	}
	return -1
}

// skipRegistered drops the files whose bytes (datahash) the owner has
// registered already, reporting each.
func (r *registerRun) skipRegistered(ctx context.Context, jobs []*idJob, works []wire.WorkInput) ([]*idJob, []wire.WorkInput, int) {
	items := make([]wire.MatchItem, len(works))
	for i, w := range works {
		items[i] = wire.MatchItem{Datahash: w.Datahash}
	}
	rs, err := r.c.Match(ctx, items)
	if err != nil {
		return nil, nil, r.e.apiError("register: look for works registered already", err, r.c.URL())
	}
	var keptJobs []*idJob
	var keptWorks []wire.WorkInput
	for i, res := range rs {
		prev := ""
		for _, m := range res.Matches {
			if m.MatchedBy == wire.MatchedByDatahash && m.Account == r.owner {
				prev = m.Work
				break
			}
		}
		if prev == "" || works[i].Datahash == "" {
			keptJobs, keptWorks = append(keptJobs, jobs[i]), append(keptWorks, works[i])
			continue
		}
		r.skipped++
		if r.jsonOut {
			enc := json.NewEncoder(r.e.stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(registerJSON{Path: jobs[i].path, Skipped: prev})
		} else {
			fmt.Fprintf(r.e.stdout, "skipped %s: already registered as %s (change its terms with 'askfirst declare', or give --again to register it anew)\n", jobs[i].path, prev)
		}
	}
	return keptJobs, keptWorks, -1
}

func (r *registerRun) fileError(path string, err error) {
	if r.jsonOut {
		enc := json.NewEncoder(r.e.stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(registerJSON{Path: path, Error: err.Error()})
	}
	r.e.errorf("register %s: %v", path, err)
}

// allowPrivateFlag is " --allow-private" when the registry is on this
// machine or a private network (askfirst verify refuses those otherwise).
func allowPrivateFlag(registryURL string) string {
	u, err := url.Parse(registryURL)
	if err != nil {
		return ""
	}
	h := u.Hostname()
	if h == "localhost" {
		return " --allow-private"
	}
	if ip, err := netip.ParseAddr(h); err == nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
		return " --allow-private"
	}
	return ""
}
