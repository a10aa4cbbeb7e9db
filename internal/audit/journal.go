package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/askfirst/askfirst/signals"
)

// The journal is the audit's durable state: one JSON line per decided item,
// appended by a single goroutine and synced to disk every syncEvery records
// or syncInterval, whichever comes first. Everything in --out is derived
// from it, so a run killed at any moment resumes by skipping the items the
// journal holds: an item is never lost (it is decided again if its line did
// not reach the disk) nor counted twice (a line is either complete or cut
// off, and a cut line is dropped on resume).
//
// What repeats across items is written once and referred to by an ID, the
// first 64 bits of the SHA-256 of its JSON: each statement of evidence (the
// same robots.txt rule, the same registry declaration) as an "evidence"
// line, and each decision (verdicts, reasons and the evidence they rest on)
// as a "decision" line, both before the first "item" line that refers to
// them. After a run completes the journal is compressed
// (journal.jsonl.gz); --resume and merge read either.
const (
	journalName  = "journal.jsonl"
	headerName   = "audit.json"
	syncEvery    = 2000
	syncInterval = time.Second
	// maxJournalLine caps one journal line read back (an item with very
	// much evidence); longer lines are an error naming the journal.
	maxJournalLine = 64 << 20
)

// entry is one journal line; exactly one field is set.
type entry struct {
	Evidence *evidenceEntry `json:"evidence,omitempty"`
	Decision *decisionEntry `json:"decision,omitempty"`
	Item     *itemEntry     `json:"item,omitempty"`
}

// evidenceEntry is a statement and its ID.
type evidenceEntry struct {
	ID string `json:"id"`
	signals.Statement
}

// decisionEntry is what an item's statements decide, shared by every item
// with the same statements.
type decisionEntry struct {
	ID       string              `json:"id,omitempty"`
	Verdicts map[string]*Verdict `json:"verdicts"`
	// Deciding lists, per use, the evidence that decided it.
	Deciding map[string][]string `json:"deciding,omitempty"`
	Excluded bool                `json:"excluded,omitempty"`
	Reasons  []string            `json:"reasons,omitempty"`
	Reserved []string            `json:"reserved,omitempty"`
	// Evidence lists every statement considered, in evaluation order.
	Evidence []string `json:"evidence,omitempty"`
}

// itemEntry is one decided item.
type itemEntry struct {
	Input         string `json:"input"`
	Seq           int64  `json:"seq"`
	Key           string `json:"key"`
	DatasetKey    string `json:"dataset_key,omitempty"`
	URL           string `json:"url,omitempty"`
	ISCC          string `json:"iscc,omitempty"`
	Bytes         int64  `json:"bytes,omitempty"`
	Failed        string `json:"failed,omitempty"`
	RegistryMatch string `json:"registry_match,omitempty"`
	Decision      string `json:"decision"`
}

// entryLines are the journal lines of one record: the evidence and the
// decision it refers to (written unless already in the journal), then the
// item itself.
type entryLines struct {
	evidence []idLine
	decision idLine
	item     []byte
}

type idLine struct {
	id   string
	line []byte
}

// idKey is an entry ID as a map key: 16 hex digits are 64 bits.
func idKey(id string) uint64 {
	k, _ := strconv.ParseUint(id, 16, 64)
	return k
}

// maxWritten caps the IDs a journalWriter remembers; past it the set
// starts again, and a statement met again is written again: harmless, the
// readers keep one per ID. Audits with --fetch full make one statement or
// more per item, which must not grow memory with the dataset.
const maxWritten = 1 << 20

// interned encodes v (a JSON object) as the journal line
// {"<kind>":{"id":"<ID>",...v's fields}} with its content ID.
func interned(kind string, v any) (idLine, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return idLine{}, err
	}
	if len(b) < 2 || b[0] != '{' {
		return idLine{}, fmt.Errorf("%s is not a JSON object", kind)
	}
	sum := sha256.Sum256(b)
	id := hex.EncodeToString(sum[:8])
	var l bytes.Buffer
	l.Grow(len(b) + len(kind) + 40)
	fmt.Fprintf(&l, `{%q:{"id":%q`, kind, id)
	if len(b) > 2 {
		l.WriteByte(',')
	}
	l.Write(b[1:])
	l.WriteString("}\n")
	return idLine{id, l.Bytes()}, nil
}

// encodeRecord turns a decided record into its journal lines.
func encodeRecord(r *Record) (*entryLines, error) {
	out := &entryLines{}
	ids := make([]string, len(r.Evidence))
	for i := range r.Evidence {
		l, err := interned("evidence", &r.Evidence[i])
		if err != nil {
			return nil, err
		}
		ids[i] = l.id
		out.evidence = append(out.evidence, l)
	}
	d := decisionEntry{Verdicts: r.Verdicts, Excluded: r.Excluded, Reasons: r.Reasons, Reserved: r.Reserved}
	if len(ids) > 0 {
		d.Evidence = ids
	}
	for u, idx := range r.deciding {
		if len(idx) == 0 {
			continue
		}
		if d.Deciding == nil {
			d.Deciding = map[string][]string{}
		}
		for _, i := range idx {
			d.Deciding[u] = append(d.Deciding[u], ids[i])
		}
	}
	var err error
	if out.decision, err = interned("decision", &d); err != nil {
		return nil, err
	}
	it := itemEntry{Input: r.Input, Seq: r.Seq, Key: r.Key, DatasetKey: r.DatasetKey, URL: r.URL, ISCC: r.ISCC,
		Bytes: r.Bytes, Failed: r.Failed, RegistryMatch: r.RegistryMatch, Decision: out.decision.id}
	b, err := json.Marshal(entry{Item: &it})
	if err != nil {
		return nil, err
	}
	out.item = append(b, '\n')
	return out, nil
}

// Header records what an audit was run with; --resume and merge refuse to
// mix runs made with different settings.
type Header struct {
	Version  int      `json:"version"`
	Inputs   []string `json:"inputs"`
	Uses     []string `json:"uses"`
	Mode     string   `json:"mode"`
	Agent    string   `json:"agent"`
	AgentFor []string `json:"agent_for,omitempty"`
	Registry string   `json:"registry,omitempty"`
	Fetch    string   `json:"fetch"`
	Shard    int      `json:"shard"`  // 1-based
	Shards   int      `json:"shards"` // N of --shard I/N
	Started  string   `json:"started"`
	// Finished is when the run last finished deciding items.
	Finished string `json:"finished,omitempty"`
}

// sameSettings reports how h and o differ in what changes verdicts.
func (h *Header) sameSettings(o *Header) error {
	a, _ := json.Marshal([]any{h.Inputs, h.Uses, h.Mode, h.Agent, h.AgentFor, h.Registry, h.Fetch})
	b, _ := json.Marshal([]any{o.Inputs, o.Uses, o.Mode, o.Agent, o.AgentFor, o.Registry, o.Fetch})
	if !bytes.Equal(a, b) {
		return fmt.Errorf("settings differ: %s vs %s", a, b)
	}
	return nil
}

func readHeader(path string) (*Header, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var h Header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &h, nil
}

func writeFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
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

// journalWriter appends records; not safe for concurrent use (one owner).
type journalWriter struct {
	f        *os.File
	bw       *bufio.Writer
	unsynced int
	last     time.Time
	written  map[uint64]bool // evidence and decision IDs in the journal (idKey)
}

// openJournal opens path for appending, first cutting off a partial last
// line left by a crash. written holds the IDs of the evidence and
// decisions the journal already has.
func openJournal(path string, written map[uint64]bool) (*journalWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	end, err := completeLength(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	if err := f.Truncate(end); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	if written == nil || len(written) > maxWritten {
		written = map[uint64]bool{}
	}
	return &journalWriter{f: f, bw: bufio.NewWriterSize(f, 1<<20), last: time.Now(), written: written}, nil
}

// completeLength returns the length of f up to and including its last
// newline.
func completeLength(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// append writes one record's lines, its evidence and decision only when
// the journal does not have them yet.
func (w *journalWriter) append(l *entryLines) error {
	for _, e := range append(l.evidence, l.decision) {
		k := idKey(e.id)
		if w.written[k] {
			continue
		}
		if _, err := w.bw.Write(e.line); err != nil {
			return err
		}
		if len(w.written) >= maxWritten {
			clear(w.written)
		}
		w.written[k] = true
	}
	if _, err := w.bw.Write(l.item); err != nil {
		return err
	}
	w.unsynced++
	if w.unsynced >= syncEvery || time.Since(w.last) >= syncInterval {
		return w.sync()
	}
	return nil
}

func (w *journalWriter) sync() error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	w.unsynced = 0
	w.last = time.Now()
	return w.f.Sync()
}

func (w *journalWriter) close() error {
	return errors.Join(w.sync(), w.f.Close())
}

// scanJournal calls fn for every complete entry of the journal at path,
// with the entry's byte offset.
func scanJournal(path string, fn func(off int64, e *entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var off int64
	line := 0
	for {
		b, err := readLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read journal %s line %d: %w", path, line+1, err)
		}
		line++
		n := int64(len(b))
		if len(b) == 0 || b[len(b)-1] != '\n' {
			return nil // a line cut by a crash: not a record
		}
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("read journal %s line %d: %w", path, line, err)
		}
		if e.Evidence == nil && e.Decision == nil && e.Item == nil {
			return fmt.Errorf("read journal %s line %d: not an evidence, decision or item entry", path, line)
		}
		if err := fn(off, &e); err != nil {
			return err
		}
		off += n
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxJournalLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxJournalLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(out) > 0 {
			return out, nil
		}
		return out, err
	}
}

// readEntryAt reads the entry at off of f.
func readEntryAt(f *os.File, off int64) (*entry, error) {
	br := bufio.NewReader(io.NewSectionReader(f, off, maxJournalLine))
	b, err := readLine(br)
	if err != nil {
		return nil, err
	}
	var e entry
	return &e, json.Unmarshal(b, &e)
}

// The compressed journal of a completed run.
const journalGzName = journalName + ".gz"

// compressJournal replaces dir's journal with its gzip-compressed copy,
// once the outputs derived from it are written.
func compressJournal(dir string) error {
	src := filepath.Join(dir, journalName)
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	dst := filepath.Join(dir, journalGzName)
	f, err := os.Create(dst + ".tmp")
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	_, err = io.Copy(zw, in)
	if err = errors.Join(err, zw.Close(), f.Sync(), f.Close()); err != nil {
		os.Remove(dst + ".tmp")
		return fmt.Errorf("compress journal %s: %w", src, err)
	}
	if err := os.Rename(dst+".tmp", dst); err != nil {
		return err
	}
	return os.Remove(src)
}

// expandJournal makes dir's journal plain again for a resumed run: a
// compressed journal is expanded unless a plain one exists, which then
// holds all of it (compression keeps the plain file until the compressed
// one is complete; an expansion keeps the compressed one until the plain
// one is).
func expandJournal(dir string) error {
	gz := filepath.Join(dir, journalGzName)
	plain := filepath.Join(dir, journalName)
	if _, err := os.Stat(gz); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(plain); err == nil {
		return os.Remove(gz)
	}
	if err := copyJournal(plain, []string{dir}); err != nil {
		return err
	}
	return os.Remove(gz)
}

// copyJournal writes to dst (through a temporary file) the journals of
// dirs one after the other, each plain or compressed.
func copyJournal(dst string, dirs []string) error {
	f, err := os.Create(dst + ".tmp")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	for _, dir := range dirs {
		if err := catJournal(bw, dir); err != nil {
			f.Close()
			os.Remove(dst + ".tmp")
			return err
		}
	}
	if err := errors.Join(bw.Flush(), f.Sync(), f.Close()); err != nil {
		os.Remove(dst + ".tmp")
		return err
	}
	return os.Rename(dst+".tmp", dst)
}

// catJournal copies dir's journal to w: the plain one if there is one,
// else the compressed one, else nothing. A cut last line is left out.
func catJournal(w io.Writer, dir string) error {
	var r io.Reader
	if f, err := os.Open(filepath.Join(dir, journalName)); err == nil {
		defer f.Close()
		r = f
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	} else if f, err := os.Open(filepath.Join(dir, journalGzName)); err == nil {
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("read journal of %s: %w", dir, err)
		}
		r = zr
	} else if errors.Is(err, os.ErrNotExist) {
		return nil
	} else {
		return err
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		b, err := readLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read journal of %s: %w", dir, err)
		}
		if b[len(b)-1] != '\n' {
			return nil
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
}

// bitset marks decided item positions of one input.
type bitset []uint64

func (b *bitset) set(i int64) {
	w := int(i >> 6)
	for len(*b) <= w {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (uint(i) & 63)
}

func (b bitset) has(i int64) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(uint(i)&63)) != 0
}
