package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
	Inputs     []*InputStat   `json:"inputs"`
	Uses       []*UseStat     `json:"uses"`
	Mechanisms []*MechStat    `json:"mechanisms"`
	Domains    []*DomainStat  `json:"top_domains"`
	Holders    []*HolderStat  `json:"top_rights_holders"`
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

// HolderStat totals one rights holder who offers a licence.
type HolderStat struct {
	Holder string `json:"holder"`
	Items  int64  `json:"items"`
}

// FailureStat counts failures by kind.
type FailureStat struct {
	Reason string `json:"reason"`
	Items  int64  `json:"items"`
}

// billKey identifies one bill line: a rights holder and an offer.
type billKey struct {
	Holder, Price, Currency, Per, Terms, Contact string
}

type billLine struct {
	billKey
	Items int64
	Uses  map[string]bool
}

// excludedRef locates an excluded item's record in a journal.
type excludedRef struct {
	input   int
	seq     int64
	journal int
	off     int64
}

type aggregator struct {
	hdr       *Header
	inputIdx  map[string]int
	decided   []bitset
	drop      []bitset
	report    *Report
	uses      map[string]*UseStat
	mechs     map[string]*MechStat
	domains   map[string]*DomainStat
	holders   map[string]*HolderStat
	failures  map[string]int64
	bill      map[billKey]*billLine
	excluded  []excludedRef
	reservedN int64
	respected int64
}

func newAggregator(hdr *Header) *aggregator {
	a := &aggregator{hdr: hdr, inputIdx: map[string]int{}, report: &Report{Settings: hdr},
		uses: map[string]*UseStat{}, mechs: map[string]*MechStat{}, domains: map[string]*DomainStat{},
		holders: map[string]*HolderStat{}, failures: map[string]int64{}, bill: map[billKey]*billLine{}}
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
	return a
}

func (a *aggregator) add(journal int, off int64, r *Record) error {
	ii, ok := a.inputIdx[r.Input]
	if !ok {
		return fmt.Errorf("journal names input %q, which the audit's settings do not list", r.Input)
	}
	if a.decided[ii].has(r.Seq) {
		return fmt.Errorf("item %s of %s decided twice (overlapping shards?)", r.Key, r.Input)
	}
	a.decided[ii].set(r.Seq)
	in := a.report.Inputs[ii]
	in.Items++
	t := &a.report.Totals
	t.Items++
	if r.Excluded {
		a.drop[ii].set(r.Seq)
		in.Excluded++
		t.Excluded++
		a.excluded = append(a.excluded, excludedRef{ii, r.Seq, journal, off})
	} else {
		in.KeptN++
		t.Kept++
	}
	if r.Failed != "" {
		in.Failed++
		t.Failed++
		a.failures[failureKind(r.Failed)]++
	}
	reserved := false
	mechSeen := map[string]bool{}
	for u, v := range r.Verdicts {
		us := a.uses[u]
		if us == nil {
			continue
		}
		us.Verdicts[string(v.Verdict)]++
		us.Decisions[string(v.Decision)]++
		if v.Verdict == signals.Deny {
			reserved = true
		}
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
	if reserved {
		a.reservedN++
		if r.Excluded {
			a.respected++
		}
	}
	if r.Domain != "" {
		d := a.domains[r.Domain]
		if d == nil {
			d = &DomainStat{Domain: r.Domain}
			a.domains[r.Domain] = d
		}
		d.Items++
		d.Bytes += r.Bytes
		if r.Excluded {
			d.Excluded++
		}
		if reserved {
			d.Reserved++
		}
	}
	// The bill: one line per rights holder and offer; one licence per item
	// covers every listed use of that offer.
	seen := map[billKey]bool{}
	for _, u := range a.hdr.Uses {
		v := r.Verdicts[u]
		if v == nil || v.Offer == nil || (v.Verdict != signals.License && v.Verdict != signals.Deny) {
			continue
		}
		o := v.Offer
		k := billKey{Holder: holderOf(o, r.Domain), Price: o.Price, Currency: o.Currency, Per: o.Per, Terms: o.Terms, Contact: o.Contact}
		line := a.bill[k]
		if line == nil {
			line = &billLine{billKey: k, Uses: map[string]bool{}}
			a.bill[k] = line
		}
		line.Uses[u] = true
		if !seen[k] {
			seen[k] = true
			line.Items++
			h := a.holders[k.Holder]
			if h == nil {
				h = &HolderStat{Holder: k.Holder}
				a.holders[k.Holder] = h
			}
			h.Items++
		}
	}
	return nil
}

// holderOf names the rights holder of an offer: the holder the mechanism
// names, else its contact's host or address, else its terms' host, else
// the item's domain.
func holderOf(o *signals.Offer, domain string) string {
	if o.Holder != "" {
		return o.Holder
	}
	if c := o.Contact; c != "" {
		if strings.HasPrefix(c, "mailto:") {
			c = strings.TrimPrefix(c, "mailto:")
			if i := strings.IndexByte(c, '@'); i >= 0 {
				return strings.ToLower(c[i+1:])
			}
			return c
		}
		if u, err := url.Parse(c); err == nil && u.Host != "" {
			return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
		return c
	}
	if o.Terms != "" {
		if u, err := url.Parse(o.Terms); err == nil && u.Host != "" {
			return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		}
	}
	return domain
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

// finish derives every output in out from the journals in dirs.
func finish(ctx context.Context, out string, dirs []string, hdr *Header) (*Summary, error) {
	a := newAggregator(hdr)
	start, end := "", ""
	for j, dir := range dirs {
		h, err := readHeader(filepath.Join(dir, headerName))
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if start == "" || h.Started < start {
			start = h.Started
		}
		st, err := os.Stat(filepath.Join(dir, journalName))
		if err == nil {
			if e := st.ModTime().UTC().Format(time.RFC3339); e > end {
				end = e
			}
		}
		err = scanJournal(filepath.Join(dir, journalName), func(off int64, r *Record) error { return a.add(j, off, r) })
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	a.report.Period = Period{Start: start, End: end}
	a.report.Generated = time.Now().UTC().Format(time.RFC3339)

	if err := a.writeKept(ctx, out); err != nil {
		return nil, err
	}
	if err := a.writeExcluded(out, dirs); err != nil {
		return nil, err
	}
	a.finalizeReport()
	if err := a.writeBill(filepath.Join(out, "bill.csv")); err != nil {
		return nil, err
	}
	b, _ := jsonIndent(a.report)
	if err := writeFileSync(filepath.Join(out, "report.json"), b); err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(out, "report.html"), renderHTML(a.report, a.billLines())); err != nil {
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

func (a *aggregator) writeKept(ctx context.Context, out string) error {
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
		var total int64
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
				total++
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
			total++
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

// excludedLine is one line of excluded.jsonl (DESIGN §6).
type excludedLine struct {
	Input    string              `json:"input"`
	Key      string              `json:"key"`
	URL      string              `json:"url,omitempty"`
	Verdicts map[string]*Verdict `json:"verdicts"`
	Reasons  []string            `json:"reasons"`
	Failed   string              `json:"failed,omitempty"`
	Evidence []signals.Statement `json:"evidence,omitempty"`
}

func (a *aggregator) writeExcluded(out string, dirs []string) error {
	sort.Slice(a.excluded, func(i, j int) bool {
		x, y := a.excluded[i], a.excluded[j]
		if x.input != y.input {
			return x.input < y.input
		}
		return x.seq < y.seq
	})
	files := make([]*os.File, len(dirs))
	for j, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, journalName))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return err
		}
		defer f.Close()
		files[j] = f
	}
	path := filepath.Join(out, "excluded.jsonl")
	tmp := path + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, ref := range a.excluded {
		r, err := readRecordAt(files[ref.journal], ref.off)
		if err != nil {
			f.Close()
			return fmt.Errorf("audit: reread journal of %s: %w", dirs[ref.journal], err)
		}
		if err := enc.Encode(excludedLine{Input: r.Input, Key: r.Key, URL: r.URL, Verdicts: r.Verdicts,
			Reasons: r.Reasons, Failed: r.Failed, Evidence: r.Evidence}); err != nil {
			f.Close()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

const topN = 25

func (a *aggregator) finalizeReport() {
	r := a.report
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
		if r.Holders[i].Items != r.Holders[j].Items {
			return r.Holders[i].Items > r.Holders[j].Items
		}
		return r.Holders[i].Holder < r.Holders[j].Holder
	})
	if len(r.Holders) > topN {
		r.Holders = r.Holders[:topN]
	}
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

// BillLine is one row of bill.csv.
type BillLine struct {
	Holder    string
	Items     int64
	Uses      []string
	UnitPrice string
	Currency  string
	Per       string
	Total     string
	Contact   string
	Terms     string
}

func (a *aggregator) billLines() []BillLine {
	var out []BillLine
	for _, l := range a.bill {
		uses := make([]string, 0, len(l.Uses))
		for u := range l.Uses {
			uses = append(uses, u)
		}
		slices.Sort(uses)
		out = append(out, BillLine{Holder: l.Holder, Items: l.Items, Uses: uses, UnitPrice: l.Price,
			Currency: l.Currency, Per: l.Per, Total: multiply(l.Price, l.Items), Contact: l.Contact, Terms: l.Terms})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Holder != out[j].Holder {
			return out[i].Holder < out[j].Holder
		}
		if out[i].Terms != out[j].Terms {
			return out[i].Terms < out[j].Terms
		}
		return out[i].UnitPrice < out[j].UnitPrice
	})
	return out
}

// multiply returns price × n exactly, or "" when the price is not a
// decimal number (a licence to negotiate).
func multiply(price string, n int64) string {
	p, ok := new(big.Rat).SetString(strings.TrimSpace(price))
	if !ok || price == "" {
		return ""
	}
	t := new(big.Rat).Mul(p, new(big.Rat).SetInt64(n))
	dec := 2
	if i := strings.IndexByte(price, '.'); i >= 0 && len(price)-i-1 > dec {
		dec = len(price) - i - 1
	}
	return t.FloatString(dec)
}

func (a *aggregator) writeBill(path string) error {
	f, err := os.Create(path + ".partial")
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"rights_holder", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"})
	for _, l := range a.billLines() {
		w.Write([]string{l.Holder, strconv.FormatInt(l.Items, 10), strings.Join(l.Uses, " "), l.UnitPrice,
			l.Currency, l.Per, l.Total, l.Contact, l.Terms})
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(path+".partial", path)
}
