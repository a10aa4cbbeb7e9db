package match

import (
	"context"
	"unsafe"
)

// Index64 is an exact Hamming radius index over 64-bit codes (ISCC units).
//
// An Index64 is safe for concurrent use by multiple goroutines: searches run
// in parallel with each other and with Add, Remove and Compact; each search
// sees the index as it was at one instant. Build it with New64 or Build64,
// or load it with ReadIndex64.
type Index64 struct{ c *core }

// New64 returns an empty index.
func New64(cfg Config) (*Index64, error) { return Build64(cfg, nil, nil) }

// Build64 indexes codes[i] under ids[i]. Ids must be distinct. It is the fast
// way to load many codes at once; the slices are copied.
func Build64(cfg Config, ids, codes []uint64) (*Index64, error) {
	c, err := newCore(1, cfg, ids, codes)
	if err != nil {
		return nil, err
	}
	return &Index64{c}, nil
}

// Add stores code under id, replacing any code id had. The code goes to the
// delta segment, which searches scan linearly until the next Compact.
// It returns ErrFull when the index holds MaxCodes codes.
func (x *Index64) Add(id, code uint64) error {
	return x.c.add(id, []uint64{code})
}

// Remove deletes id and reports whether it was present.
func (x *Index64) Remove(id uint64) bool { return x.c.removeLocked(id) }

// Len returns the number of codes stored.
func (x *Index64) Len() int { return x.c.len() }

// Search returns every stored code within Hamming distance r of q (the same
// set an exhaustive scan returns), sorted by distance, then id.
func (x *Index64) Search(q uint64, r int) []Result {
	return x.c.searchOne([]uint64{q}, r)
}

// SearchBatch runs Search for every query on up to workers goroutines
// (0 means GOMAXPROCS) and returns the results in query order. Each query
// sees one consistent state of the index; the batch as a whole may observe
// concurrent adds and removes between queries. It returns ctx's error if ctx
// is cancelled before the batch is done.
func (x *Index64) SearchBatch(ctx context.Context, qs []uint64, r, workers int) ([][]Result, error) {
	return x.c.searchBatch(ctx, qs, r, workers)
}

// NeedsCompaction reports whether enough codes were added or removed since
// the last build that Compact would make searches faster or memory smaller.
func (x *Index64) NeedsCompaction() bool { return x.c.needsCompaction() }

// Compact merges the delta segment and drops removed codes by rebuilding the
// multi-index tables. Searches and updates continue while it runs; it
// returns ErrCompacting if another Compact is running.
func (x *Index64) Compact() error { return x.c.compact() }

// Stats reports the size of the index.
func (x *Index64) Stats() Stats { return x.c.stats() }

// Index256 is an exact Hamming radius index over 256-bit codes (PDQ hashes,
// 256-bit ISCC units).
//
// An Index256 is safe for concurrent use by multiple goroutines: searches run
// in parallel with each other and with Add, Remove and Compact; each search
// sees the index as it was at one instant.
type Index256 struct{ c *core }

// New256 returns an empty index.
func New256(cfg Config) (*Index256, error) { return Build256(cfg, nil, nil) }

// Build256 indexes codes[i] under ids[i]. Ids must be distinct; the slices
// are copied.
func Build256(cfg Config, ids []uint64, codes []Code256) (*Index256, error) {
	c, err := newCore(4, cfg, ids, words(codes))
	if err != nil {
		return nil, err
	}
	return &Index256{c}, nil
}

// words views codes as a flat slice of words without copying.
func words(codes []Code256) []uint64 {
	if len(codes) == 0 {
		return nil
	}
	return unsafe.Slice(&codes[0][0], 4*len(codes))
}

// Add stores code under id, replacing any code id had.
// It returns ErrFull when the index holds MaxCodes codes.
func (x *Index256) Add(id uint64, code Code256) error {
	return x.c.add(id, code[:])
}

// Remove deletes id and reports whether it was present.
func (x *Index256) Remove(id uint64) bool { return x.c.removeLocked(id) }

// Len returns the number of codes stored.
func (x *Index256) Len() int { return x.c.len() }

// Search returns every stored code within Hamming distance r of q (the same
// set an exhaustive scan returns), sorted by distance, then id.
func (x *Index256) Search(q Code256, r int) []Result {
	return x.c.searchOne(q[:], r)
}

// SearchBatch runs Search for every query on up to workers goroutines
// (0 means GOMAXPROCS) and returns the results in query order; see
// Index64.SearchBatch.
func (x *Index256) SearchBatch(ctx context.Context, qs []Code256, r, workers int) ([][]Result, error) {
	return x.c.searchBatch(ctx, words(qs), r, workers)
}

// NeedsCompaction reports whether Compact would make searches faster or
// memory smaller.
func (x *Index256) NeedsCompaction() bool { return x.c.needsCompaction() }

// Compact rebuilds the tables from every live code; see Index64.Compact.
func (x *Index256) Compact() error { return x.c.compact() }

// Stats reports the size of the index.
func (x *Index256) Stats() Stats { return x.c.stats() }
