package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/store"
)

// ErrTampered is wrapped by SelfCheck's error when the stored log does not
// match itself: an entry that does not hash to its stored leaf, a stored
// hash the entries do not give, or a checkpoint the tree does not match.
var ErrTampered = errors.New("log tampered with")

// Init prepares the log for serving at start-up: if the store holds no
// checkpoint, or one older than the log (entries appended without Seal),
// it signs and stores one for the current size.
func (l *Ledger) Init(ctx context.Context, st store.Store) error {
	return st.Update(ctx, func(tx store.Tx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		size, _, err := tx.Checkpoint()
		if err == nil && size == n {
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, _, err = l.Sign(tx)
		return err
	})
}

// selfCheckChunk is how many entries SelfCheck reads at once.
const selfCheckChunk = 1024

// SelfCheck recomputes the tree from the stored entries and compares every
// stored hash with it, then checks the stored checkpoint: signed by this
// ledger's key for its origin, and committing to the root of the entries.
// visit, if not nil, is called for every entry in order, in the same read
// transaction, so the caller can check the rows the entries describe. A
// mismatch returns an error wrapping ErrTampered that names the index. It
// returns the log size checked.
func (l *Ledger) SelfCheck(ctx context.Context, st store.Store, visit func(tx store.ReadTx, index int64, entry []byte) error) (int64, error) {
	var size int64
	err := st.View(ctx, func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		size = n
		for start := int64(0); start < n; start += selfCheckChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			end := min(start+selfCheckChunk, n)
			entries, err := tx.LogEntries(start, end)
			if err != nil {
				return err
			}
			first, last := tlog.StoredHashIndex(0, start), tlog.StoredHashIndex(0, end)
			idx := make([]int64, last-first)
			for i := range idx {
				idx[i] = first + int64(i)
			}
			stored, err := tx.ReadHashes(idx)
			if err != nil {
				return fmt.Errorf("self-check entries [%d, %d): %w", start, end, err)
			}
			// Hashes before index i were verified already (earlier chunks,
			// or earlier in this one), so reading them back is sound.
			r := tlog.HashReaderFunc(func(want []int64) ([]tlog.Hash, error) {
				out := make([]tlog.Hash, len(want))
				var rest []int64
				for i, x := range want {
					if x >= first && x < last {
						out[i] = stored[x-first]
					} else {
						rest = append(rest, x)
					}
				}
				if len(rest) > 0 {
					hs, err := tx.ReadHashes(rest)
					if err != nil {
						return nil, err
					}
					j := 0
					for i, x := range want {
						if x < first || x >= last {
							out[i] = hs[j]
							j++
						}
					}
				}
				return out, nil
			})
			for i, e := range entries {
				index := start + int64(i)
				hs, err := tlog.StoredHashes(index, e, r)
				if err != nil {
					return fmt.Errorf("self-check entry %d: %w", index, err)
				}
				at := tlog.StoredHashIndex(0, index) - first
				for j, h := range hs {
					if stored[at+int64(j)] != h {
						lvl, k := tlog.SplitStoredHashIndex(first + at + int64(j))
						return fmt.Errorf("self-check entry %d: stored hash (level %d, %d) does not match the entries: %w", index, lvl, k, ErrTampered)
					}
				}
				if visit != nil {
					if err := visit(tx, index, e); err != nil {
						return fmt.Errorf("self-check entry %d: %w", index, err)
					}
				}
			}
		}
		csize, signed, err := tx.Checkpoint()
		if errors.Is(err, store.ErrNotFound) {
			if n == 0 {
				return nil
			}
			return fmt.Errorf("self-check: %d entries and no checkpoint: %w", n, ErrTampered)
		}
		if err != nil {
			return err
		}
		c, err := OpenCheckpoint(signed, l.origin, l.verifier)
		if err != nil {
			return fmt.Errorf("self-check stored checkpoint: %w (%w)", err, ErrTampered)
		}
		if c.Size != csize || c.Size > n {
			return fmt.Errorf("self-check: checkpoint of size %d stored as %d, log has %d: %w", c.Size, csize, n, ErrTampered)
		}
		root, err := tlog.TreeHash(c.Size, tx)
		if err != nil {
			return err
		}
		if !bytes.Equal(root[:], c.Root[:]) {
			return fmt.Errorf("self-check: checkpoint of size %d has root %v, entries give %v: %w", c.Size, c.Root, root, ErrTampered)
		}
		return nil
	})
	return size, err
}
