// Package audit turns a training dataset into a cleared dataset, an evidence
// file and a licensing bill (DESIGN §6, `askfirst audit`).
//
// For every item of every input (internal/dataset) it gathers the web
// signals of the item's URL and the metadata embedded in its bytes
// (signals.Inspector), the content codes of bytes at hand
// (internal/identify) and what the registry declares about them (Registry),
// and decides each requested use exactly as `askfirst check` would
// (signals.Evaluate). Decisions go to a journal (journal.go) from which
// every output is derived, so a run can be resumed after a crash and the
// journals of --shard runs merged.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/internal/dataset"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

// FetchMode says how much of an item's URL is fetched.
type FetchMode string

// The fetch modes.
const (
	// FetchNone reads only the site-wide files of each origin (robots.txt,
	// tdmrep.json, ai.txt), once per origin.
	FetchNone FetchMode = "none"
	// FetchHead also reads the item's response headers.
	FetchHead FetchMode = "head"
	// FetchFull also downloads the item: headers, HTML meta, embedded
	// metadata and content codes.
	FetchFull FetchMode = "full"
)

// ParseFetchMode parses a --fetch value.
func ParseFetchMode(s string) (FetchMode, error) {
	switch m := FetchMode(s); m {
	case FetchNone, FetchHead, FetchFull:
		return m, nil
	}
	return "", fmt.Errorf("unknown fetch mode %q (want none, head or full)", s)
}

// Checker gathers the statements about an item's URL and bytes;
// NewInspectorChecker's signals.Inspector is the implementation. Both
// methods are called concurrently.
type Checker interface {
	// CheckURL returns the statements about rawURL under mode, and the
	// bytes of the response it read when it read one in full (FetchFull,
	// a 2xx answer), so that the audit can identify them; nil otherwise.
	CheckURL(ctx context.Context, rawURL string, mode FetchMode) (stmts []signals.Statement, body []byte, err error)
	// CheckFile returns the statements embedded in data.
	CheckFile(ctx context.Context, name string, data []byte) []signals.Statement
}

// Registry looks items up in an askfirst registry in batches.
type Registry interface {
	// Match returns, for each query, the statements the registry holds
	// about it (declarations of matching works, URLs and domains).
	// len(result) == len(queries).
	Match(ctx context.Context, queries []Query) ([][]signals.Statement, error)
}

// Query is what the registry is asked about one item: a match item of the
// registry's API.
type Query = wire.MatchItem

// Options configure a Run. Inputs and Out are required.
type Options struct {
	Inputs      []string
	Out         string
	Uses        []signals.Use // nil: train-genai and train-ai
	Mode        signals.Mode  // "": eu-tdm
	Agent       string
	AgentFor    map[signals.Use]string
	Fetch       FetchMode // "": none
	Concurrency int       // 0: 64
	Shard       int       // 1-based; 0 with Shards 0 means the whole input
	Shards      int
	Resume      bool

	Checker     Checker  // required when items have URLs
	Registry    Registry // optional
	RegistryURL string
	Identify    identify.Options
	// Progress, if set, is called now and then with how far the run is;
	// from one goroutine at a time.
	Progress func(Progress)
	// Decided, if set, is called with each record as it is written to the
	// journal, in the order decided; from one goroutine at a time.
	Decided func(*Record)
	// LinkKept makes the kept files of folder inputs hard links to the
	// originals instead of copies (dataset.FileLinker).
	LinkKept bool
	// MaxContent caps the bytes of one item read for codes and metadata.
	MaxContent int64
}

// DefaultUses are the uses an audit decides when --use is not given: a
// training dataset is audited for training.
var DefaultUses = []signals.Use{signals.TrainGenAI, signals.TrainAI}

// Verdict is the per-use outcome in records and excluded.jsonl, the same
// shape as `askfirst check --json`.
type Verdict struct {
	Verdict   signals.Verdict  `json:"verdict"`
	Decision  signals.Decision `json:"decision"`
	DecidedBy []string         `json:"decided_by,omitempty"`
	Reason    string           `json:"reason,omitempty"`
	Conflict  bool             `json:"conflict,omitempty"`
	Offer     *signals.Offer   `json:"offer,omitempty"`
}

// Record is one decided item.
type Record struct {
	Input string `json:"input"`
	Seq   int64  `json:"seq"`
	Key   string `json:"key"`
	// DatasetKey is the item's key in the dataset's own key column.
	DatasetKey string              `json:"dataset_key,omitempty"`
	URL        string              `json:"url,omitempty"`
	Path       string              `json:"path,omitempty"` // the item's local file, if any
	Domain     string              `json:"domain,omitempty"`
	ISCC       string              `json:"iscc,omitempty"`
	Bytes      int64               `json:"bytes,omitempty"`
	Verdicts   map[string]*Verdict `json:"verdicts"`
	Excluded   bool                `json:"excluded"`
	Reasons    []string            `json:"reasons,omitempty"`
	// Failed says why the item could not be fully checked; such an item is
	// never kept.
	Failed string `json:"failed,omitempty"`
	// RegistryMatch says what the registry was asked about the item:
	// MatchContent, MatchDatasetCode or MatchURL; empty without a registry.
	RegistryMatch string              `json:"registry_match,omitempty"`
	Evidence      []signals.Statement `json:"evidence,omitempty"`
	// Reserved lists the uses for which a rights reservation was found:
	// a deny decided by a statement other than a check that could not
	// complete (an unreachable robots.txt denies too, but reserves nothing).
	Reserved []string `json:"reserved,omitempty"`
	// deciding holds, per use, the indexes in Evidence of the statements
	// that decided it.
	deciding map[string][]int
}

// The values of Record.RegistryMatch.
const (
	// MatchContent: the item's bytes were identified and their codes
	// matched, as well as its URL.
	MatchContent = "content"
	// MatchDatasetCode: the ISCC the dataset carries was matched, with the
	// URL; the bytes were not read.
	MatchDatasetCode = "dataset-iscc"
	// MatchURL: only the URL could be matched (--fetch none or head, or a
	// download that failed): a copy of a registered work at another
	// address is not recognised.
	MatchURL = "url"
)

// Progress is how far a run is.
type Progress struct {
	// Decided counts the items this run has decided.
	Decided int64
	// Read is the fraction of the inputs read, from 0 to 1, by bytes of
	// each file (rows of a Parquet file, files of a folder), inputs
	// weighted by their size on disk.
	Read float64
}

// Summary is what Run and Merge report.
type Summary struct {
	Items    int64 `json:"items"`
	Kept     int64 `json:"kept"`
	Excluded int64 `json:"excluded"`
	Failed   int64 `json:"failed"`
}

const (
	defaultConcurrency = 64
	defaultMaxContent  = 64 << 20
	registryBatch      = 1000
)

func (o *Options) normalize() error {
	if len(o.Inputs) == 0 {
		return errors.New("no inputs")
	}
	if o.Out == "" {
		return errors.New("no output folder")
	}
	if o.Uses == nil {
		o.Uses = DefaultUses
	}
	if o.Mode == "" {
		o.Mode = signals.EUTDM
	}
	if o.Agent == "" {
		o.Agent = "askfirst" // signals.Inspector's default
	}
	if o.Fetch == "" {
		o.Fetch = FetchNone
	}
	if o.Concurrency <= 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.Shards == 0 {
		o.Shard, o.Shards = 1, 1
	}
	if o.Shard < 1 || o.Shard > o.Shards {
		return fmt.Errorf("shard %d/%d: want 1 <= I <= N", o.Shard, o.Shards)
	}
	if o.MaxContent <= 0 {
		o.MaxContent = defaultMaxContent
	}
	return nil
}

func (o *Options) header() *Header {
	h := &Header{Version: 1, Inputs: o.Inputs, Mode: string(o.Mode), Agent: o.Agent,
		Registry: o.RegistryURL, Fetch: string(o.Fetch), Shard: o.Shard, Shards: o.Shards,
		Started: time.Now().UTC().Format(time.RFC3339)}
	for _, u := range o.Uses {
		h.Uses = append(h.Uses, string(u))
	}
	for u, t := range o.AgentFor {
		h.AgentFor = append(h.AgentFor, string(u)+"="+t)
	}
	slices.Sort(h.AgentFor)
	return h
}

// Run audits the inputs into o.Out and returns the totals. With o.Resume
// it continues the journal of an earlier run with the same settings.
func Run(ctx context.Context, o Options) (*Summary, error) {
	if err := o.normalize(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	hdr := o.header()
	hpath := filepath.Join(o.Out, headerName)
	jpath := filepath.Join(o.Out, journalName)
	done := map[string]*bitset{}
	written := map[uint64]bool{}
	if old, err := readHeader(hpath); err == nil {
		if !o.Resume {
			return nil, fmt.Errorf("audit: %s holds an earlier audit; use --resume to continue it or choose another --out", o.Out)
		}
		if err := old.sameSettings(hdr); err != nil || old.Shard != hdr.Shard || old.Shards != hdr.Shards {
			return nil, fmt.Errorf("audit: cannot resume %s with other settings (%v)", o.Out, err)
		}
		hdr = old
		if err := expandJournal(o.Out); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		err := scanJournal(jpath, func(_ int64, e *entry) error {
			switch {
			case e.Evidence != nil:
				written[idKey(e.Evidence.ID)] = true
			case e.Decision != nil:
				written[idKey(e.Decision.ID)] = true
			case e.Item != nil:
				b := done[e.Item.Input]
				if b == nil {
					b = &bitset{}
					done[e.Item.Input] = b
				}
				b.set(e.Item.Seq)
			}
			return nil
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	} else {
		if o.Resume {
			return nil, fmt.Errorf("audit: nothing to resume in %s", o.Out)
		}
		b, _ := jsonIndent(hdr)
		if err := writeFileSync(hpath, b); err != nil {
			return nil, err
		}
	}
	jw, err := openJournal(jpath, written)
	if err != nil {
		return nil, err
	}
	if err := o.decide(ctx, done, jw); err != nil {
		jw.close()
		return nil, err
	}
	if err := jw.close(); err != nil {
		return nil, fmt.Errorf("audit: write journal: %w", err)
	}
	hdr.Finished = time.Now().UTC().Format(time.RFC3339)
	b, _ := jsonIndent(hdr)
	if err := writeFileSync(hpath, b); err != nil {
		return nil, err
	}
	sum, err := finish(ctx, o.Out, hdr, Period{Start: hdr.Started, End: hdr.Finished}, o.LinkKept)
	if err != nil {
		return nil, err
	}
	if err := compressJournal(o.Out); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return sum, nil
}

// work is an item on its way through the pipeline.
type work struct {
	it    *dataset.Item
	rec   *Record
	stmts []signals.Statement
	query Query
	lines *entryLines // the record encoded for the journal
}

// decide runs every pending item of every input through the pipeline: one
// reader goroutine, o.Concurrency workers that check, evaluate and encode
// each item (with a registry: a batcher asks the registry about batches of
// checked items, and a pool sized to the CPUs evaluates them), and the
// journal writer, the only goroutine touching jw.
func (o *Options) decide(ctx context.Context, done map[string]*bitset, jw *journalWriter) error {
	g, ctx := errgroup.WithContext(ctx)
	items := make(chan *work, o.Concurrency*4)
	decided := make(chan *work, o.Concurrency*4)
	var total atomic.Int64
	var readBits atomic.Uint64 // math.Float64bits of Progress.Read

	g.Go(func() error {
		defer close(items)
		weights := inputWeights(o.Inputs)
		before := 0.0
		for i, input := range o.Inputs {
			read := func(d, t int64) {
				f := 1.0
				if t > 0 {
					f = float64(d) / float64(t)
				}
				readBits.Store(math.Float64bits(before + weights[i]*f))
			}
			if err := o.readInput(ctx, input, done[input], items, &total, read); err != nil {
				return err
			}
			before += weights[i]
		}
		readBits.Store(math.Float64bits(1))
		return nil
	})
	send := func(ch chan<- *work, w *work) error {
		select {
		case ch <- w:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// finish evaluates a checked (and matched) item and encodes its record.
	finish := func(w *work) error {
		o.evaluate(w)
		lines, err := encodeRecord(w.rec)
		if err != nil {
			return fmt.Errorf("encode record %s of %s: %w", w.rec.Key, w.rec.Input, err)
		}
		w.lines = lines
		return send(decided, w)
	}
	checked := make(chan *work, o.Concurrency*4)
	var workers sync.WaitGroup
	for range o.Concurrency {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for w := range items {
				o.check(ctx, w)
				var err error
				if o.Registry == nil {
					err = finish(w)
				} else {
					err = send(checked, w)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	var finishers sync.WaitGroup
	if o.Registry == nil {
		close(checked)
	} else {
		matched := make(chan *work, registryBatch)
		g.Go(func() error {
			workers.Wait()
			close(checked)
			return nil
		})
		g.Go(func() error {
			defer close(matched)
			return o.batchMatch(ctx, checked, matched)
		})
		for range runtime.GOMAXPROCS(0) {
			finishers.Add(1)
			g.Go(func() error {
				defer finishers.Done()
				for w := range matched {
					if err := finish(w); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	g.Go(func() error {
		workers.Wait()
		finishers.Wait()
		close(decided)
		return nil
	})
	g.Go(func() error {
		var n int64
		last := time.Time{}
		report := func() {
			o.Progress(Progress{Decided: n, Read: math.Float64frombits(readBits.Load())})
		}
		for w := range decided {
			if err := jw.append(w.lines); err != nil {
				return fmt.Errorf("write journal: %w", err)
			}
			if o.Decided != nil {
				o.Decided(w.rec)
			}
			n++
			if o.Progress != nil && time.Since(last) > 100*time.Millisecond {
				report()
				last = time.Now()
			}
		}
		if o.Progress != nil {
			report()
		}
		return nil
	})
	return g.Wait()
}

// inputWeights returns each input's share of the bytes of all inputs (a
// folder's being the sum of its files), so that reading progress over
// several inputs is a fraction of the whole; inputs of unknown size share
// equally.
func inputWeights(inputs []string) []float64 {
	sizes := make([]float64, len(inputs))
	var sum float64
	for i, in := range inputs {
		st, err := os.Stat(in)
		switch {
		case err != nil:
		case st.IsDir():
			filepath.WalkDir(in, func(_ string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					if fi, err := d.Info(); err == nil {
						sizes[i] += float64(fi.Size())
					}
				}
				return nil
			})
		default:
			sizes[i] = float64(st.Size())
		}
		sum += sizes[i]
	}
	for i := range sizes {
		if sum > 0 {
			sizes[i] /= sum
		} else {
			sizes[i] = 1 / float64(len(inputs))
		}
	}
	return sizes
}

// batchMatch asks the registry about the checked items in batches of up
// to registryBatch, flushing a partial batch every 200 ms.
func (o *Options) batchMatch(ctx context.Context, in <-chan *work, out chan<- *work) error {
	batch := make([]*work, 0, registryBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		o.match(ctx, batch)
		for _, w := range batch {
			select {
			case out <- w:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch = batch[:0]
		return nil
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case w, ok := <-in:
			if !ok {
				return flush()
			}
			batch = append(batch, w)
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// inShard reports whether the item at seq belongs to this run's shard.
func (o *Options) inShard(seq int64) bool {
	return seq%int64(o.Shards) == int64(o.Shard-1)
}

func (o *Options) readInput(ctx context.Context, input string, done *bitset, out chan<- *work, total *atomic.Int64, read func(done, total int64)) error {
	r, err := dataset.Open(input)
	if err != nil {
		return fmt.Errorf("audit: open %s: %w", input, err)
	}
	defer r.Close()
	for n := 0; ; n++ {
		if n%16 == 0 {
			if d, t, ok := dataset.Progress(r); ok {
				read(d, t)
			}
		}
		it, err := r.Next()
		if err == io.EOF {
			if d, t, ok := dataset.Progress(r); ok {
				read(d, t)
			}
			return nil
		}
		var re *dataset.RecordError
		if errors.As(err, &re) {
			it = &dataset.Item{Input: input, Seq: re.Seq, Key: re.Key}
		} else if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if !o.inShard(it.Seq) || (done != nil && done.has(it.Seq)) {
			continue
		}
		w := &work{it: it, rec: &Record{Input: input, Seq: it.Seq, Key: it.Key, DatasetKey: it.DatasetKey, URL: it.URL, Path: it.Path}}
		if re != nil {
			w.rec.Failed = "unreadable record: " + re.Err.Error()
		}
		total.Add(1)
		select {
		case out <- w:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// check gathers an item's statements from the web and its bytes, and what
// to ask the registry about it: its URL, and the content codes of its
// bytes whenever the audit has them (a local file, a tar member, inline
// text, a URL fetched in full), computed and matched as askfirst check
// does; else the ISCC the dataset carries.
func (o *Options) check(ctx context.Context, w *work) {
	it, rec := w.it, w.rec
	if rec.Failed != "" {
		return
	}
	var body []byte // the bytes to identify
	name := it.MediaName
	if it.URL != "" {
		u, err := url.Parse(it.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			rec.Failed = fmt.Sprintf("not an http(s) URL: %q", it.URL)
			return
		}
		rec.Domain = domainOf(it.URL)
		w.query.URL = it.URL
		if o.Checker == nil {
			rec.Failed = "no checker for URLs"
			return
		}
		stmts, fetched, err := o.Checker.CheckURL(ctx, it.URL, o.Fetch)
		if err != nil {
			rec.Failed = err.Error()
			return
		}
		w.stmts = append(w.stmts, stmts...)
		if len(fetched) > 0 {
			body, name = fetched, it.URL
			rec.Bytes = int64(len(fetched))
			if len(fetched) >= signals.MaxTarget {
				// The download was cut at the cap: its codes would not be
				// the work's.
				w.stmts = append(w.stmts, signals.Statement{Mechanism: "registry", Location: it.URL, Value: "not identified",
					Uses: map[signals.Use]signals.Verdict{}, Warnings: []string{fmt.Sprintf("the download was cut at %d bytes: matched by URL only", signals.MaxTarget)}})
				body = nil
			}
		}
	}
	switch {
	case it.Content != nil:
		data, err := readContent(it.Content, o.MaxContent)
		if err != nil {
			rec.Failed = fmt.Sprintf("read %s: %v", it.MediaName, err)
			return
		}
		// The dataset's own bytes are what would be trained on: they are
		// identified rather than a download of the URL.
		body, name = data, it.MediaName
		rec.Bytes = int64(len(data))
		if o.Checker != nil {
			w.stmts = append(w.stmts, o.Checker.CheckFile(ctx, it.MediaName, data)...)
		}
	case it.URL == "" && it.ISCC == "" && it.Text != "":
		// A text dataset: the row's text is the item (beside a URL or an
		// ISCC it is a caption).
		body, name = []byte(it.Text), it.Key+".txt"
		rec.Bytes = int64(len(body))
	}
	if it.URL == "" && body == nil && it.ISCC == "" {
		rec.Failed = "nothing to check: no URL, no file, no text and no ISCC"
		return
	}
	if o.Registry == nil {
		return
	}
	w.query.ISCC = it.ISCC
	rec.RegistryMatch = MatchURL
	if it.ISCC != "" {
		rec.RegistryMatch = MatchDatasetCode
	}
	if len(body) == 0 {
		return
	}
	if int64(len(body)) > o.MaxContent {
		w.stmts = append(w.stmts, signals.Statement{Mechanism: "registry", Location: name, Value: "not identified",
			Uses: map[signals.Use]signals.Verdict{}, Warnings: []string{fmt.Sprintf("%d bytes, over the %d-byte cap for content codes: matched by URL only", len(body), o.MaxContent)}})
		return
	}
	res, err := identify.Reader(ctx, identify.NameFromPath(name), bytes.NewReader(body), o.Identify)
	if res == nil {
		// Codes that cannot be computed leave the registry's answer
		// incomplete: unknown, never allowed.
		w.stmts = append(w.stmts, signals.Statement{Mechanism: "registry", Location: name, Value: "not identified",
			Uses: unknownFor(o.Uses), Warnings: []string{fmt.Sprintf("compute the codes: %v", err)}})
		return
	}
	rec.ISCC = res.ISCC
	w.query = res.MatchItem()
	w.query.URL = it.URL
	rec.RegistryMatch = MatchContent
}

// readContent reads an item's content, at most limit bytes.
func readContent(open func() (io.ReadCloser, error), limit int64) ([]byte, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := capped.Read(rc, limit)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// match asks the registry about a batch of checked items.
func (o *Options) match(ctx context.Context, batch []*work) {
	if o.Registry == nil {
		return
	}
	var qs []Query
	var ws []*work
	for _, w := range batch {
		if w.rec.Failed != "" || w.query.IsZero() {
			continue
		}
		qs = append(qs, w.query)
		ws = append(ws, w)
	}
	if len(qs) == 0 {
		return
	}
	res, err := o.Registry.Match(ctx, qs)
	if err == nil && len(res) != len(qs) {
		err = fmt.Errorf("registry answered %d results for %d items", len(res), len(qs))
	}
	for i, w := range ws {
		if err != nil {
			// A registry that cannot answer leaves the item unknown, never allowed.
			w.stmts = append(w.stmts, signals.Statement{Mechanism: "registry", Location: o.RegistryURL,
				Value: "unreachable", Uses: unknownFor(o.Uses), Warnings: []string{err.Error()}})
			continue
		}
		w.stmts = append(w.stmts, res[i]...)
	}
}

func unknownFor(uses []signals.Use) map[signals.Use]signals.Verdict {
	m := map[signals.Use]signals.Verdict{}
	for _, u := range uses {
		m[u] = signals.Unknown
	}
	return m
}

// evaluate decides every requested use of a checked item.
func (o *Options) evaluate(w *work) {
	rec := w.rec
	rec.Verdicts = map[string]*Verdict{}
	if rec.Failed != "" {
		rec.Excluded = true
		rec.Reasons = []string{"failed: " + rec.Failed}
		for _, u := range o.Uses {
			rec.Verdicts[string(u)] = &Verdict{Verdict: signals.Unknown, Decision: signals.Exclude, Reason: "not checked: " + rec.Failed}
		}
		return
	}
	res := signals.Evaluate(w.stmts, signals.Options{Uses: o.Uses, Mode: o.Mode})
	rec.Evidence = res.Evidence
	rec.deciding = map[string][]int{}
	for _, ur := range res.Uses {
		v := &Verdict{Verdict: ur.Verdict, Decision: ur.Decision, Offer: ur.Offer, Reason: ur.Reason, Conflict: ur.Conflict}
		reserved := false
		for _, i := range ur.DecidedBy {
			if m := res.Evidence[i].Mechanism; !slices.Contains(v.DecidedBy, m) {
				v.DecidedBy = append(v.DecidedBy, m)
			}
			reserved = reserved || (ur.Verdict == signals.Deny && !incomplete(&res.Evidence[i]))
		}
		rec.Verdicts[string(ur.Use)] = v
		rec.deciding[string(ur.Use)] = ur.DecidedBy
		if reserved {
			rec.Reserved = append(rec.Reserved, string(ur.Use))
		} else if ur.Verdict == signals.Deny && ur.Decision == signals.Exclude {
			// Denied only by a check that could not complete: say so
			// rather than "reserved".
			v.Reason = "excluded as a precaution: " + signals.Describe(&res.Evidence[ur.DecidedBy[0]]) +
				" could not be read, which RFC 9309 treats as a complete disallow; no reservation is known"
			ur.Reason = v.Reason
		}
		if ur.Decision == signals.Exclude {
			rec.Excluded = true
			rec.Reasons = append(rec.Reasons, string(ur.Use)+": "+ur.Reason)
		}
	}
}

// incomplete reports whether s records a check that could not complete (an
// unreachable or refused robots.txt, an unreachable target or registry)
// rather than a statement someone made: such a deny keeps the item out
// (DESIGN §3.2) but is not a rights reservation found.
func incomplete(s *signals.Statement) bool {
	return s.Value == "refused" || strings.HasPrefix(s.Value, "unreachable")
}
