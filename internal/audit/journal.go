package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The journal is the audit's durable state: one JSON line per decided item,
// appended by a single goroutine and synced to disk every syncEvery records
// or syncInterval, whichever comes first. Everything in --out is derived
// from it, so a run killed at any moment resumes by skipping the items the
// journal holds: an item is never lost (it is decided again if its line did
// not reach the disk) nor counted twice (a line is either complete or cut
// off, and a cut line is dropped on resume).
const (
	journalName  = "journal.jsonl"
	headerName   = "audit.json"
	syncEvery    = 2000
	syncInterval = time.Second
	// maxJournalLine caps one journal line read back (an item with very
	// much evidence); longer lines are an error naming the journal.
	maxJournalLine = 64 << 20
)

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
}

// openJournal opens path for appending, first cutting off a partial last
// line left by a crash.
func openJournal(path string) (*journalWriter, error) {
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
	return &journalWriter{f: f, bw: bufio.NewWriterSize(f, 1<<20), last: time.Now()}, nil
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

// appendLine appends one encoded record, which ends in a newline.
func (w *journalWriter) appendLine(b []byte) error {
	if _, err := w.bw.Write(b); err != nil {
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

// scanJournal calls fn for every complete record of the journal at path,
// with the record's byte offset.
func scanJournal(path string, fn func(off int64, r *Record) error) error {
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
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("read journal %s line %d: %w", path, line, err)
		}
		if err := fn(off, &r); err != nil {
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

// readRecordAt reads the record at off of f.
func readRecordAt(f *os.File, off int64) (*Record, error) {
	br := bufio.NewReader(io.NewSectionReader(f, off, maxJournalLine))
	b, err := readLine(br)
	if err != nil {
		return nil, err
	}
	var r Record
	return &r, json.Unmarshal(b, &r)
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
