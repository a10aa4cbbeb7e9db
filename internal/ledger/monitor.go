package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/internal/jcs"
)

// Caps on what a monitor downloads.
const (
	// maxLogInfoSize caps the GET /v1/log answer.
	maxLogInfoSize = 64 << 10
	// maxTileSize is a full hash tile.
	maxTileSize = tileWidth * tlog.HashSize
	// maxBundleSize is a full entry bundle of maximal entries.
	maxBundleSize = tileWidth * (2 + MaxEntrySize)
)

// Getter fetches url and returns its body if the status is 200, failing for
// any other status, a network error or a body over limit bytes. The CLI
// passes the safe outbound client (internal/fetch); HTTPGetter wraps a
// plain http.Client.
type Getter func(ctx context.Context, url string, limit int64) ([]byte, error)

// HTTPGetter returns a Getter using c, which should have a timeout.
func HTTPGetter(c *http.Client) Getter {
	return func(ctx context.Context, url string, limit int64) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", url, err)
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", url, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("get %s: status %s", url, resp.Status)
		}
		body, err := capped.Read(resp.Body, limit)
		if err != nil {
			return nil, fmt.Errorf("get %s: body %w", url, err)
		}
		return body, nil
	}
}

// State is what a monitor remembers between runs: the pinned key and the
// last checkpoint it verified. It is JSON in the state file.
type State struct {
	Origin      string `json:"origin,omitempty"`
	VerifierKey string `json:"verifier_key,omitempty"`
	// Checkpoint is the last verified signed checkpoint note.
	Checkpoint string `json:"checkpoint,omitempty"`
	// EntriesChecked is how many entries, from the first, were downloaded
	// and found to hash into the tree.
	EntriesChecked int64 `json:"entries_checked,omitempty"`
}

// Monitor checks a registry's log from outside, trusting nothing the
// server says that it cannot prove: checkpoints must carry the pinned
// key's signature, tiles must hash to the signed root, new checkpoints
// must be consistent with the last one seen, receipts' checkpoints with the
// current one.
type Monitor struct {
	// URL is the registry's base URL; /v1/log, /checkpoint and /tile/ are
	// under it.
	URL string
	// Get fetches; required.
	Get Getter
	// Key, if set, is the verifier key to trust instead of the one pinned
	// in the state or published by the registry.
	Key string
}

// Problem is evidence that the log misbehaved: a split view, a rewritten
// or rolled back history, data that does not match a signed checkpoint, a
// receipt that does not verify.
type Problem struct {
	What   string `json:"problem"`
	Detail string `json:"detail"`
}

// ReceiptResult is the outcome of one receipt.
type ReceiptResult struct {
	Name           string `json:"name"`
	Index          int64  `json:"index"`
	CheckpointSize int64  `json:"checkpoint_size"`
	OK             bool   `json:"ok"`
	Problem        string `json:"problem,omitempty"`
}

// Report is the outcome of Monitor.Check.
type Report struct {
	Registry       string          `json:"registry"`
	Origin         string          `json:"origin"`
	VerifierKey    string          `json:"verifier_key"`
	KeyPinned      bool            `json:"key_pinned"` // pinned on this run (trust on first use)
	PreviousSize   int64           `json:"previous_size"`
	Size           int64           `json:"size"`
	Root           string          `json:"root"`
	EntriesChecked int64           `json:"entries_checked"`
	Receipts       []ReceiptResult `json:"receipts"`
	Problems       []Problem       `json:"problems"`
}

// OK reports whether the check found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) problem(what, format string, a ...any) {
	r.Problems = append(r.Problems, Problem{What: what, Detail: fmt.Sprintf(format, a...)})
}

// NamedReceipt is a receipt and the name (file) it came from.
type NamedReceipt struct {
	Name    string
	Receipt Receipt
}

// errFetch marks errors from fetching, as opposed to data that fails to
// verify.
var errFetch = errors.New("fetch failed")

// Problem kinds.
const (
	ProblemKey         = "verifier key changed"
	ProblemSignature   = "checkpoint signature"
	ProblemRollback    = "rolled back history"
	ProblemFork        = "split view or rewritten history"
	ProblemData        = "served data does not match the signed checkpoint"
	ProblemReceipt     = "receipt does not verify"
	ProblemReceiptFork = "receipt from a split view or rewritten history"
)

// Check runs the monitor once. st holds the state from the last run and is
// updated only when no problem was found. It returns an error when it could
// not complete (network, bad state file), and a report whose Problems list
// the evidence of misbehaviour otherwise.
func (m *Monitor) Check(ctx context.Context, st *State, receipts []NamedReceipt) (*Report, error) {
	base := strings.TrimSuffix(m.URL, "/")
	rep := &Report{Registry: base, Receipts: []ReceiptResult{}, Problems: []Problem{}}

	body, err := m.Get(ctx, base+"/v1/log", maxLogInfoSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errFetch, err)
	}
	var info LogInfo
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("parse %s/v1/log: %w", base, err)
	}

	// The key: given, else pinned, else published (trust on first use).
	key := m.Key
	switch {
	case key != "" && st.VerifierKey != "" && key != st.VerifierKey:
		return nil, fmt.Errorf("the key given (%s) differs from the one pinned in the state file (%s)", key, st.VerifierKey)
	case key == "" && st.VerifierKey != "":
		key = st.VerifierKey
	case key == "":
		key = info.VerifierKey
		rep.KeyPinned = true
	}
	if info.VerifierKey != key {
		rep.problem(ProblemKey, "the registry publishes verifier key %q, the trusted key is %q", info.VerifierKey, key)
	}
	verifier, err := note.NewVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("verifier key %q: %w", key, err)
	}
	origin := st.Origin
	if origin == "" {
		origin = verifier.Name()
	}
	rep.Origin, rep.VerifierKey = origin, key

	signed, err := m.Get(ctx, base+"/checkpoint", MaxCheckpointSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errFetch, err)
	}
	cur, err := OpenCheckpoint(signed, origin, verifier)
	if err != nil {
		rep.problem(ProblemSignature, "%s/checkpoint: %v", base, err)
		return rep, nil
	}
	rep.Size, rep.Root = cur.Size, cur.Root.String()
	tr := &tileReader{ctx: ctx, get: m.Get, base: base}
	hr := tlog.TileHashReader(tlog.Tree{N: cur.Size, Hash: cur.Root}, tr)

	// classify turns an error while proving into a problem, or a failure.
	classify := func(what string, err error) error {
		if errors.Is(err, errFetch) {
			return err
		}
		rep.problem(ProblemData, "%s: %v", what, err)
		return nil
	}

	// Consistency with the last checkpoint seen.
	checked := st.EntriesChecked
	if st.Checkpoint != "" {
		prev, err := OpenCheckpoint([]byte(st.Checkpoint), origin, verifier)
		if err != nil {
			return nil, fmt.Errorf("state file checkpoint: %w", err)
		}
		rep.PreviousSize = prev.Size
		switch {
		case prev.Size > cur.Size:
			rep.problem(ProblemRollback, "the registry serves a tree of %d entries after one of %d was seen:\n%s\nthen\n%s", cur.Size, prev.Size, st.Checkpoint, signed)
		case prev.Size == cur.Size && prev.Root != cur.Root:
			rep.problem(ProblemFork, "two signed checkpoints of size %d with different roots:\n%s\nand\n%s", cur.Size, st.Checkpoint, signed)
		case prev.Size > 0 && prev.Size < cur.Size:
			p, err := tlog.ProveTree(cur.Size, prev.Size, hr)
			if err != nil {
				if err := classify("consistency proof", err); err != nil {
					return nil, err
				}
				break
			}
			if err := tlog.CheckTree(p, cur.Size, cur.Root, prev.Size, prev.Root); err != nil {
				rep.problem(ProblemFork, "checkpoint of size %d is not consistent with the one of size %d seen before (%v):\n%s\nthen\n%s", cur.Size, prev.Size, err, st.Checkpoint, signed)
			}
		}
		if checked > prev.Size {
			checked = prev.Size
		}
	} else {
		checked = 0
	}

	// Download the entries not checked yet and hash them into the tree.
	if rep.OK() {
		n, err := m.checkEntries(ctx, base, hr, checked, cur.Size, rep)
		if err != nil {
			return nil, err
		}
		rep.EntriesChecked = n
	}

	// Receipts: each verifies offline, and its checkpoint is consistent
	// with the current one.
	for _, nr := range receipts {
		res := ReceiptResult{Name: nr.Name, Index: nr.Receipt.Index}
		rc, err := VerifyReceipt(nr.Receipt, origin, verifier)
		if err != nil {
			res.Problem = err.Error()
			rep.problem(ProblemReceipt, "%s: %v", nr.Name, err)
			rep.Receipts = append(rep.Receipts, res)
			continue
		}
		res.CheckpointSize = rc.Size
		switch {
		case rc.Size > cur.Size:
			res.Problem = fmt.Sprintf("its checkpoint has %d entries, the registry's only %d", rc.Size, cur.Size)
			rep.problem(ProblemReceiptFork, "%s: %s:\n%s", nr.Name, res.Problem, nr.Receipt.Checkpoint)
		case rc.Size == cur.Size && rc.Root != cur.Root:
			res.Problem = fmt.Sprintf("its checkpoint of size %d has a different root than the registry's", rc.Size)
			rep.problem(ProblemReceiptFork, "%s: %s:\n%s\nand\n%s", nr.Name, res.Problem, nr.Receipt.Checkpoint, signed)
		case rc.Size < cur.Size:
			p, err := tlog.ProveTree(cur.Size, rc.Size, hr)
			if err != nil {
				if err := classify(nr.Name+" consistency proof", err); err != nil {
					return nil, err
				}
				res.Problem = err.Error()
				break
			}
			if err := tlog.CheckTree(p, cur.Size, cur.Root, rc.Size, rc.Root); err != nil {
				res.Problem = fmt.Sprintf("its checkpoint of size %d is not consistent with the registry's of size %d", rc.Size, cur.Size)
				rep.problem(ProblemReceiptFork, "%s: %s:\n%s\nand\n%s", nr.Name, res.Problem, nr.Receipt.Checkpoint, signed)
			}
		}
		res.OK = res.Problem == ""
		rep.Receipts = append(rep.Receipts, res)
	}

	if rep.OK() {
		st.Origin, st.VerifierKey, st.Checkpoint, st.EntriesChecked = origin, key, string(signed), rep.EntriesChecked
	}
	return rep, nil
}

// checkEntries downloads the entry bundles covering [from, size), checks
// each entry is canonical JSON and hashes to the leaf the verified tiles
// hold, and returns how many entries from the first are now checked.
func (m *Monitor) checkEntries(ctx context.Context, base string, hr tlog.HashReader, from, size int64, rep *Report) (int64, error) {
	for k := from / tileWidth; k*tileWidth < size; k++ {
		start := k * tileWidth
		w := int(min(tileWidth, size-start))
		t := Tile{N: k, W: w, Entries: true}
		data, err := m.Get(ctx, base+"/"+t.Path(), maxBundleSize)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errFetch, err)
		}
		entries, err := ParseEntryBundle(data, w)
		if err != nil {
			rep.problem(ProblemData, "%s: %v", t.Path(), err)
			return from, nil
		}
		lo := max(from, start)
		idx := make([]int64, 0, w)
		for i := lo; i < start+int64(w); i++ {
			idx = append(idx, tlog.StoredHashIndex(0, i))
		}
		leaves, err := hr.ReadHashes(idx)
		if err != nil {
			if errors.Is(err, errFetch) {
				return 0, err
			}
			rep.problem(ProblemData, "level 0 tile for entries from %d: %v", lo, err)
			return from, nil
		}
		for j, h := range leaves {
			i := lo + int64(j)
			e := entries[i-start]
			if tlog.RecordHash(e) != h {
				rep.problem(ProblemData, "entry %d served in %s does not hash to its leaf in the signed tree", i, t.Path())
				return from, nil
			}
			if c, err := jcs.Transform(e); err != nil || !bytes.Equal(c, e) {
				rep.problem(ProblemData, "entry %d is not canonical JSON", i)
				return from, nil
			}
		}
		from = start + int64(w)
	}
	return max(from, size), nil
}

// tileReader fetches C2SP tlog-tiles for tlog.TileHashReader, which checks
// them against the signed tree before any hash is used.
type tileReader struct {
	ctx  context.Context
	get  Getter
	base string
}

func (r *tileReader) Height() int { return TileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := Tile{Level: t.L, N: t.N, W: t.W}.Path()
		data, err := r.get(r.ctx, r.base+"/"+p, maxTileSize)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errFetch, err)
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", p, len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}
