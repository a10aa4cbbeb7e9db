package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/dataset"
	"github.com/askfirst/askfirst/signals"
)

// Report is report.json: the totals of an audit.
type Report struct {
	Generated  string         `json:"generated"`
	Settings   *Header        `json:"settings"`
	Period     Period         `json:"period"`
	Totals     Summary        `json:"totals"`
	Sources    Sources        `json:"sources"`
	Inputs     []*InputStat   `json:"inputs"`
	Uses       []*UseStat     `json:"uses"`
	Mechanisms []*MechStat    `json:"mechanisms"`
	Domains    []*DomainStat  `json:"top_domains"`
	Holders    []*HolderStat  `json:"top_rights_holders"`
	Rights     Rights         `json:"rights"`
	Registry   *RegistryStat  `json:"registry,omitempty"`
	AskHolder  []AskLine      `json:"ask_the_holder,omitempty"`
	Failures   []*FailureStat `json:"failures,omitempty"`
	// Incomplete counts items of the inputs that no journal decided (a
	// shard missing from a merge, or a run stopped before the end).
	Incomplete int64 `json:"incomplete,omitempty"`
}

// Period is when the audited data was checked.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Sources splits the items by where they came from.
type Sources struct {
	// Online counts items with a URL: their signals were read online.
	Online int64 `json:"online"`
	// Local counts items without one: local files, archive members and
	// inline text, whose provenance the audit cannot tell.
	Local int64 `json:"local"`
}

// Rights counts what was found about rights, per item.
type Rights struct {
	// Reserved: a rights reservation was found for at least one use.
	Reserved int64 `json:"reserved"`
	// Respected: of those, excluded.
	Respected int64 `json:"respected"`
	// Unreachable: denied only because a check could not complete (an
	// unreachable robots.txt): excluded, though no reservation is known.
	Unreachable int64 `json:"unreachable"`
	// Licensable: a licence is required and offered for at least one use
	// (the items of bill.csv).
	Licensable int64 `json:"licensable"`
	// AskHolder: reserved for a use whose holder offers a licence (the
	// items of ask-the-holder.csv, never priced).
	AskHolder int64 `json:"ask_the_holder"`
}

// RegistryStat says how items were matched against the registry.
type RegistryStat struct {
	URL string `json:"url"`
	// Content: the item's bytes were identified and matched by their codes.
	Content int64 `json:"matched_by_content"`
	// DatasetISCC: the ISCC the dataset carries was matched.
	DatasetISCC int64 `json:"matched_by_dataset_iscc"`
	// URLOnly: only the URL could be matched; a copy of a registered work
	// at another address would not be recognised.
	URLOnly int64 `json:"matched_by_url_only"`
}

// InputStat totals one input.
type InputStat struct {
	Input    string `json:"input"`
	Format   string `json:"format"`
	Kept     string `json:"kept"`
	Items    int64  `json:"items"`
	KeptN    int64  `json:"kept_items"`
	Excluded int64  `json:"excluded"`
	Failed   int64  `json:"failed"`
}

// UseStat counts verdicts and decisions for one use.
type UseStat struct {
	Use       string           `json:"use"`
	Verdicts  map[string]int64 `json:"verdicts"`
	Decisions map[string]int64 `json:"decisions"`
}

// MechStat counts the items where a mechanism decided a use.
type MechStat struct {
	Mechanism string           `json:"mechanism"`
	Items     int64            `json:"items"`
	Verdicts  map[string]int64 `json:"verdicts"`
}

// DomainStat totals one domain.
type DomainStat struct {
	Domain   string `json:"domain"`
	Items    int64  `json:"items"`
	Bytes    int64  `json:"bytes"`
	Excluded int64  `json:"excluded"`
	Reserved int64  `json:"reserved"`
}

// HolderStat totals one rights holder whose licence an item needs.
type HolderStat struct {
	Holder       string `json:"holder"`
	Organisation string `json:"organisation,omitempty"`
	Items        int64  `json:"items"`
}

// FailureStat counts failures by kind.
type FailureStat struct {
	Reason string `json:"reason"`
	Items  int64  `json:"items"`
}

// excludedRef locates an excluded item's entry in the journal.
type excludedRef struct {
	input int
	seq   int64
	off   int64
}

type aggregator struct {
	hdr      *Header
	inputIdx map[string]int
	decided  []bitset
	drop     []bitset
	report   *Report
	uses     map[string]*UseStat
	mechs    map[string]*MechStat
	domains  map[string]*DomainStat
	holders  map[holderKey]*HolderStat
	failures map[string]int64
	bill     *bill
	excluded []excludedRef
}

func newAggregator(hdr *Header) *aggregator {
	a := &aggregator{hdr: hdr, inputIdx: map[string]int{}, report: &Report{Settings: hdr},
		uses: map[string]*UseStat{}, mechs: map[string]*MechStat{}, domains: map[string]*DomainStat{},
		holders: map[holderKey]*HolderStat{}, failures: map[string]int64{}, bill: newBill()}
	for i, in := range hdr.Inputs {
		a.inputIdx[in] = i
		a.report.Inputs = append(a.report.Inputs, &InputStat{Input: in})
	}
	a.decided = make([]bitset, len(hdr.Inputs))
	a.drop = make([]bitset, len(hdr.Inputs))
	for _, u := range hdr.Uses {
		a.uses[u] = &UseStat{Use: u, Verdicts: map[string]int64{}, Decisions: map[string]int64{}}
		a.report.Uses = append(a.report.Uses, a.uses[u])
	}
	if hdr.Registry != "" {
		a.report.Registry = &RegistryStat{URL: hdr.Registry}
	}
	return a
}

// add counts one decided item, whose entry is at off in the journal.
func (a *aggregator) add(off int64, it *itemEntry, d *decisionEntry) error {
	ii, ok := a.inputIdx[it.Input]
	if !ok {
		return fmt.Errorf("journal names input %q, which the audit's settings do not list", it.Input)
	}
	if a.decided[ii].has(it.Seq) {
		return fmt.Errorf("item %s of %s decided twice (overlapping shards?)", it.Key, it.Input)
	}
	a.decided[ii].set(it.Seq)
	in := a.report.Inputs[ii]
	in.Items++
	r := a.report
	t := &r.Totals
	t.Items++
	if d.Excluded {
		a.drop[ii].set(it.Seq)
		in.Excluded++
		t.Excluded++
		a.excluded = append(a.excluded, excludedRef{ii, it.Seq, off})
	} else {
		in.KeptN++
		t.Kept++
	}
	if it.Failed != "" {
		in.Failed++
		t.Failed++
		a.failures[failureKind(it.Failed)]++
	}
	if it.URL != "" {
		r.Sources.Online++
	} else {
		r.Sources.Local++
	}
	if rs := r.Registry; rs != nil {
		switch it.RegistryMatch {
		case MatchContent:
			rs.Content++
		case MatchDatasetCode:
			rs.DatasetISCC++
		case MatchURL:
			rs.URLOnly++
		}
	}
	denied := false
	mechSeen := map[string]bool{}
	for u, v := range d.Verdicts {
		us := a.uses[u]
		if us == nil {
			continue
		}
		us.Verdicts[string(v.Verdict)]++
		us.Decisions[string(v.Decision)]++
		denied = denied || v.Verdict == signals.Deny
		for _, m := range v.DecidedBy {
			ms := a.mechs[m]
			if ms == nil {
				ms = &MechStat{Mechanism: m, Verdicts: map[string]int64{}}
				a.mechs[m] = ms
			}
			ms.Verdicts[string(v.Verdict)]++
			if !mechSeen[m] {
				ms.Items++
				mechSeen[m] = true
			}
		}
	}
	reserved := len(d.Reserved) > 0
	switch {
	case reserved:
		r.Rights.Reserved++
		if d.Excluded {
			r.Rights.Respected++
		}
	case denied:
		r.Rights.Unreachable++
	}
	if dom := domainOf(it.URL); dom != "" {
		ds := a.domains[dom]
		if ds == nil {
			ds = &DomainStat{Domain: dom}
			a.domains[dom] = ds
		}
		ds.Items++
		ds.Bytes += it.Bytes
		if d.Excluded {
			ds.Excluded++
		}
		if reserved {
			ds.Reserved++
		}
	}
	licensed, ask := a.bill.add(a.hdr.Uses, d.Verdicts, domainOf(it.URL))
	if len(licensed) > 0 {
		r.Rights.Licensable++
	}
	if ask {
		r.Rights.AskHolder++
	}
	for _, k := range licensed {
		h := a.holders[k]
		if h == nil {
			h = &HolderStat{Holder: k.Holder, Organisation: k.Organisation}
			a.holders[k] = h
		}
		h.Items++
	}
	return nil
}

// domainOf is the host of an item's URL, lower case, without "www.".
func domainOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if rawURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// failureKind groups failure messages for the report.
func failureKind(s string) string {
	switch {
	case strings.HasPrefix(s, "unreadable record"):
		return "unreadable record"
	case strings.HasPrefix(s, "not an http"):
		return "not an http(s) URL"
	case strings.HasPrefix(s, "nothing to check"):
		return "nothing to check"
	case strings.HasPrefix(s, "read "):
		return "unreadable content"
	}
	if i := strings.IndexByte(s, ':'); i > 0 && i < 40 {
		return s[:i]
	}
	return s
}

// finish derives every output in out from its journal: kept items,
// excluded.jsonl and evidence.jsonl, report.json and report.html, bill.csv
// and ask-the-holder.csv, eu-training-summary.md.
func finish(ctx context.Context, out string, hdr *Header, period Period, link bool) (*Summary, error) {
	a := newAggregator(hdr)
	j, err := openIndex(filepath.Join(out, journalName))
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer j.close()
	if err := j.scan(a.add); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	a.report.Period = period
	a.report.Generated = time.Now().UTC().Format(time.RFC3339)

	if err := a.writeKept(ctx, out, link); err != nil {
		return nil, err
	}
	if err := a.writeExcluded(out, j); err != nil {
		return nil, err
	}
	a.finalizeReport()
	if err := a.bill.write(out); err != nil {
		return nil, err
	}
	b, _ := jsonIndent(a.report)
	if err := writeFileSync(filepath.Join(out, "report.json"), b); err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(out, "report.html"), renderHTML(a.report, a.bill.lines())); err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(out, "eu-training-summary.md"), a.euSummary()); err != nil {
		return nil, err
	}
	s := a.report.Totals
	return &s, nil
}

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}

// keptName is the file name of input i's kept output.
func keptName(inputs []string, i int) string {
	base := filepath.Base(filepath.Clean(inputs[i]))
	for j, other := range inputs {
		if j != i && filepath.Base(filepath.Clean(other)) == base {
			return fmt.Sprintf("%d-%s", i+1, base)
		}
	}
	return base
}

func (a *aggregator) writeKept(ctx context.Context, out string, link bool) error {
	dir := filepath.Join(out, "kept")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, input := range a.hdr.Inputs {
		r, err := dataset.Open(input)
		if err != nil {
			return fmt.Errorf("audit: reopen %s to write its kept items: %w", input, err)
		}
		name := filepath.Join(dir, keptName(a.hdr.Inputs, i))
		a.report.Inputs[i].Format = string(r.Format())
		a.report.Inputs[i].Kept = filepath.ToSlash(filepath.Join("kept", keptName(a.hdr.Inputs, i)))
		tmp := name + ".partial"
		if r.Format() == dataset.Folder {
			os.RemoveAll(tmp)
		}
		w, err := r.NewWriter(tmp)
		if err != nil {
			r.Close()
			return fmt.Errorf("audit: write %s: %w", name, err)
		}
		if l, ok := w.(dataset.FileLinker); ok && link {
			l.LinkFiles()
		}
		for {
			if err := ctx.Err(); err != nil {
				r.Close()
				w.Close()
				return err
			}
			it, err := r.Next()
			if err == io.EOF {
				break
			}
			var re *dataset.RecordError
			if errors.As(err, &re) {
				if !a.decided[i].has(re.Seq) {
					a.report.Incomplete++
				}
				continue
			}
			if err != nil {
				r.Close()
				w.Close()
				return fmt.Errorf("audit: reread %s: %w", input, err)
			}
			if !a.decided[i].has(it.Seq) {
				a.report.Incomplete++
				continue
			}
			if a.drop[i].has(it.Seq) {
				continue
			}
			if err := w.Write(it); err != nil {
				r.Close()
				w.Close()
				return fmt.Errorf("audit: %w", err)
			}
		}
		r.Close()
		if err := w.Close(); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		os.RemoveAll(name)
		if err := os.Rename(tmp, name); err != nil {
			return err
		}
	}
	return nil
}

const topN = 25

func (a *aggregator) finalizeReport() {
	r := a.report
	r.Mechanisms, r.Domains, r.Holders = []*MechStat{}, []*DomainStat{}, []*HolderStat{}
	for _, m := range a.mechs {
		r.Mechanisms = append(r.Mechanisms, m)
	}
	sort.Slice(r.Mechanisms, func(i, j int) bool {
		if r.Mechanisms[i].Items != r.Mechanisms[j].Items {
			return r.Mechanisms[i].Items > r.Mechanisms[j].Items
		}
		return r.Mechanisms[i].Mechanism < r.Mechanisms[j].Mechanism
	})
	for _, d := range a.domains {
		r.Domains = append(r.Domains, d)
	}
	sortDomains(r.Domains)
	if len(r.Domains) > topN {
		r.Domains = r.Domains[:topN]
	}
	for _, h := range a.holders {
		r.Holders = append(r.Holders, h)
	}
	sort.Slice(r.Holders, func(i, j int) bool {
		x, y := r.Holders[i], r.Holders[j]
		if x.Items != y.Items {
			return x.Items > y.Items
		}
		if x.Holder != y.Holder {
			return x.Holder < y.Holder
		}
		return x.Organisation < y.Organisation
	})
	if len(r.Holders) > topN {
		r.Holders = r.Holders[:topN]
	}
	r.AskHolder = a.bill.askLines()
	for k, n := range a.failures {
		r.Failures = append(r.Failures, &FailureStat{Reason: k, Items: n})
	}
	sort.Slice(r.Failures, func(i, j int) bool {
		if r.Failures[i].Items != r.Failures[j].Items {
			return r.Failures[i].Items > r.Failures[j].Items
		}
		return r.Failures[i].Reason < r.Failures[j].Reason
	})
}

// sortDomains ranks domains by content size, then items, then name.
func sortDomains(ds []*DomainStat) {
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].Bytes != ds[j].Bytes {
			return ds[i].Bytes > ds[j].Bytes
		}
		if ds[i].Items != ds[j].Items {
			return ds[i].Items > ds[j].Items
		}
		return ds[i].Domain < ds[j].Domain
	})
}
