package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/signals"
)

// excluded.jsonl holds one line per excluded item, evidence.jsonl every
// statement those lines rest on, once, under an ID ("e1", "e2", ... in
// order of first use) that the lines refer to. README documents both.

// excludedLine is one line of excluded.jsonl (DESIGN §6).
type excludedLine struct {
	Input      string                      `json:"input"`
	Key        string                      `json:"key"`
	DatasetKey string                      `json:"dataset_key,omitempty"`
	URL        string                      `json:"url,omitempty"`
	Verdicts   map[string]*excludedVerdict `json:"verdicts"`
	Reasons    []string                    `json:"reasons"`
	Failed     string                      `json:"failed,omitempty"`
	// RegistryMatch is "url" when an audit that downloads items (--fetch
	// full) could match this one by its URL only: its download failed.
	// With --fetch none or head every item with a URL is matched by URL
	// only, as report.json says.
	RegistryMatch string `json:"registry_match,omitempty"`
	// Evidence lists the IDs of every statement considered.
	Evidence []string `json:"evidence,omitempty"`
}

// excludedVerdict is a use's verdict in excluded.jsonl; the reasons name
// the statements that decided it.
type excludedVerdict struct {
	Verdict  signals.Verdict  `json:"verdict"`
	Decision signals.Decision `json:"decision"`
	Conflict bool             `json:"conflict,omitempty"`
	Offer    *signals.Offer   `json:"offer,omitempty"`
}

// evidenceLine is one line of evidence.jsonl.
type evidenceLine struct {
	ID string `json:"id"`
	signals.Statement
}

// index gives access to the entries of a journal: decisions and evidence
// by ID, items by offset. Decisions met while scanning are kept decoded
// (up to maxCachedDecisions, then dropped and reread by offset).
type index struct {
	path      string
	f         *os.File
	evidence  map[uint64]int64 // idKey → offset
	decisions map[uint64]int64
	cache     map[string]*decisionEntry
}

const maxCachedDecisions = 4096

func openIndex(path string) (*index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &index{path: path, f: f, evidence: map[uint64]int64{}, decisions: map[uint64]int64{}, cache: map[string]*decisionEntry{}}, nil
}

func (j *index) close() error { return j.f.Close() }

func (j *index) keep(d *decisionEntry) {
	if len(j.cache) >= maxCachedDecisions {
		clear(j.cache)
	}
	j.cache[d.ID] = d
}

// scan reads the journal once, calling fn for each item with its decision.
func (j *index) scan(fn func(off int64, it *itemEntry, d *decisionEntry) error) error {
	return scanJournal(j.path, func(off int64, e *entry) error {
		switch {
		case e.Evidence != nil:
			j.evidence[idKey(e.Evidence.ID)] = off
		case e.Decision != nil:
			j.decisions[idKey(e.Decision.ID)] = off
			j.keep(e.Decision)
		case e.Item != nil:
			d, err := j.decision(e.Item.Decision)
			if err != nil {
				return err
			}
			return fn(off, e.Item, d)
		}
		return nil
	})
}

// decision returns the decision with the given ID.
func (j *index) decision(id string) (*decisionEntry, error) {
	if d := j.cache[id]; d != nil {
		return d, nil
	}
	off, ok := j.decisions[idKey(id)]
	if !ok {
		return nil, fmt.Errorf("journal %s: an item refers to decision %s, which it does not hold", j.path, id)
	}
	e, err := readEntryAt(j.f, off)
	if err != nil || e.Decision == nil {
		return nil, fmt.Errorf("journal %s: reread decision %s: %v", j.path, id, err)
	}
	j.keep(e.Decision)
	return e.Decision, nil
}

// statement returns the statement with the given evidence ID.
func (j *index) statement(id string) (*signals.Statement, error) {
	off, ok := j.evidence[idKey(id)]
	if !ok {
		return nil, fmt.Errorf("journal %s: a decision refers to evidence %s, which it does not hold", j.path, id)
	}
	e, err := readEntryAt(j.f, off)
	if err != nil || e.Evidence == nil {
		return nil, fmt.Errorf("journal %s: reread evidence %s: %v", j.path, id, err)
	}
	return &e.Evidence.Statement, nil
}

// item returns the item entry at off.
func (j *index) item(off int64) (*itemEntry, error) {
	e, err := readEntryAt(j.f, off)
	if err != nil || e.Item == nil {
		return nil, fmt.Errorf("journal %s: reread item at %d: %v", j.path, off, err)
	}
	return e.Item, nil
}

// numbered is an evidence statement given its output ID.
type numbered struct {
	id    string // "e1"
	short string // how reasons name it: "robots.txt [e1]"
	long  string // how signals.Evaluate's reasons describe it
}

// writeExcluded writes excluded.jsonl, in input order, and evidence.jsonl
// with the statements it refers to, numbered in order of first use.
func (a *aggregator) writeExcluded(out string, j *index) error {
	sort.Slice(a.excluded, func(i, k int) bool {
		x, y := a.excluded[i], a.excluded[k]
		if x.input != y.input {
			return x.input < y.input
		}
		return x.seq < y.seq
	})
	exc, err := newLineFile(filepath.Join(out, "excluded.jsonl"))
	if err != nil {
		return err
	}
	defer exc.abort()
	ev, err := newLineFile(filepath.Join(out, "evidence.jsonl"))
	if err != nil {
		return err
	}
	defer ev.abort()
	// Only the output number of every statement is kept; how reasons name
	// it is kept for the statements met lately (most repeat across
	// neighbouring items, or not at all).
	ids := map[uint64]int{} // journal evidence ID → output number
	recent := map[uint64]*numbered{}
	number := func(jid string) (*numbered, error) {
		k := idKey(jid)
		if n := recent[k]; n != nil {
			return n, nil
		}
		s, err := j.statement(jid)
		if err != nil {
			return nil, err
		}
		num, seen := ids[k]
		if !seen {
			num = len(ids) + 1
			ids[k] = num
		}
		n := &numbered{id: "e" + strconv.Itoa(num)}
		n.short = s.Mechanism + " [" + n.id + "]"
		n.long = signals.Describe(s)
		if len(recent) >= maxCachedDecisions {
			clear(recent)
		}
		recent[k] = n
		if seen {
			return n, nil
		}
		return n, ev.encode(evidenceLine{ID: n.id, Statement: *s})
	}
	for _, ref := range a.excluded {
		it, err := j.item(ref.off)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		d, err := j.decision(it.Decision)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		l := excludedLine{Input: it.Input, Key: it.Key, DatasetKey: it.DatasetKey, URL: it.URL, Failed: it.Failed,
			Verdicts: map[string]*excludedVerdict{}}
		if it.RegistryMatch == MatchURL && a.hdr.Fetch == string(FetchFull) {
			l.RegistryMatch = MatchURL
		}
		var refs []*numbered
		for _, jid := range d.Evidence {
			n, err := number(jid)
			if err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			refs = append(refs, n)
			l.Evidence = append(l.Evidence, n.id)
		}
		deciding := map[string][]*numbered{}
		for u, v := range d.Verdicts {
			l.Verdicts[u] = &excludedVerdict{Verdict: v.Verdict, Decision: v.Decision, Conflict: v.Conflict, Offer: v.Offer}
			for _, jid := range d.Deciding[u] {
				n, err := number(jid)
				if err != nil {
					return fmt.Errorf("audit: %w", err)
				}
				deciding[u] = append(deciding[u], n)
			}
		}
		l.Reasons = shortReasons(d.Reasons, refs, deciding)
		if err := exc.encode(l); err != nil {
			return err
		}
	}
	if err := ev.commit(); err != nil {
		return err
	}
	return exc.commit()
}

// shortReasons rewrites reasons ("train-ai: reserved by robots.txt
// \"Disallow: /\" at https://…/robots.txt line 2 (and 1 more)") to name
// each statement that decided the use by its mechanism and evidence ID
// ("reserved by robots.txt [e1], registry [e3]"), and joins the uses whose
// reasons are then the same ("train-genai, train-ai: …"), in the order of
// their first use.
func shortReasons(reasons []string, refs []*numbered, deciding map[string][]*numbered) []string {
	var order []string
	uses := map[string][]string{}
	for _, r := range reasons {
		use, text, ok := strings.Cut(r, ": ")
		if !ok || strings.Contains(use, " ") {
			use, text = "", r
		}
		if by := deciding[use]; len(by) > 1 {
			// Name every deciding statement, not the first and a count.
			more := fmt.Sprintf(" (and %d more)", len(by)-1)
			if i := strings.Index(text, by[0].long+more); i >= 0 {
				names := make([]string, len(by))
				for k, n := range by {
					names[k] = n.short
				}
				text = text[:i] + strings.Join(names, ", ") + text[i+len(by[0].long)+len(more):]
			}
		}
		for _, n := range refs {
			text = strings.ReplaceAll(text, n.long, n.short)
		}
		if _, seen := uses[text]; !seen {
			order = append(order, text)
		}
		if use != "" {
			uses[text] = append(uses[text], use)
		} else if uses[text] == nil {
			uses[text] = []string{}
		}
	}
	out := make([]string, 0, len(order))
	for _, text := range order {
		if us := uses[text]; len(us) > 0 {
			out = append(out, strings.Join(us, ", ")+": "+text)
		} else {
			out = append(out, text)
		}
	}
	return out
}

// lineFile writes a JSON Lines output through a temporary file that
// replaces it on commit.
type lineFile struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	enc  *json.Encoder
	done bool
}

func newLineFile(path string) (*lineFile, error) {
	f, err := os.Create(path + ".partial")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &lineFile{path: path, f: f, bw: bw, enc: enc}, nil
}

func (l *lineFile) encode(v any) error {
	if err := l.enc.Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	return nil
}

func (l *lineFile) commit() error {
	l.done = true
	if err := l.bw.Flush(); err != nil {
		l.f.Close()
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	return os.Rename(l.path+".partial", l.path)
}

// abort discards an uncommitted file.
func (l *lineFile) abort() {
	if !l.done {
		l.f.Close()
		os.Remove(l.path + ".partial")
	}
}
