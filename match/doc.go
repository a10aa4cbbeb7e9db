// Package match is an exact Hamming radius index over 64-bit and 256-bit
// content codes (ISCC units of ISO 24138; PDQ hashes), and the confirmation
// step of DESIGN §4: candidates retrieved on 64-bit units are confirmed on
// 256-bit units or on a second unit.
//
// # Exact radius search
//
// Index64 and Index256 return every stored code within distance r of a
// query: the same set an exhaustive scan returns, at every radius, sorted by
// distance then id. They implement multi-index hashing (Norouzi, Punjani and
// Fleet, "Fast search in Hamming space with multi-index hashing", CVPR 2012)
// with the generalised pigeonhole principle: codes are split into m disjoint
// substrings, and table i is probed with every key within r_i of the query's
// substring i, where sum(r_i+1) = r+1. The layout is chosen per code size,
// tuning radius and number of codes by a cost model fitted to measurements
// (bench/README.md); for 10^7 codes it is 3 substrings of 21-22 bits for
// 64-bit codes at r = 8 (each table probed at radius 2) and 12 substrings
// of 21-22 bits for 256-bit codes at r = 31 (eight tables at radius 2, four
// at radius 1); for 10^6 codes 4 substrings of 16 bits and 15 of 17-18
// bits, whose smaller offsets keep to the memory budget. When a radius is
// so large that probing would cost more than reading every code, a search
// scans instead; either way the answer is exact. Probes go in groups of 64
// keys whose bucket bounds are loaded before any bucket is read, so that
// their cache misses overlap.
//
// Tables are compact, CSR-style: per table an offsets array (2^width+1
// uint32) and one entry per code. Codes are stored once, ordered by the key
// of table 0, so table 0 needs no entries: its buckets are runs of the code
// array itself. Entries of the other tables are a uint32 position for
// 256-bit codes; for 64-bit codes a word holding the position in its low
// bits and, above it, a sketch of the code's next bits (40 bits at 10^7
// codes): key and sketch cover all but 3 of the 64 bits, so almost every
// non-matching candidate is rejected before its code is read.
// Memory beyond the codes themselves, per code: 8 (id) + 4 (id order)
// + 8 per table after the first for 64-bit codes, 4 for 256-bit codes, plus
// the offsets (4 bytes per key) and a tombstone bit: at 10^7 codes 31.5
// bytes for 64-bit codes (3 tables) and 69.5 for 256-bit codes (12 tables).
// Stats reports the exact figure; MemoryBudget64 and MemoryBudget256 are the
// limits the automatic layout keeps to.
//
// Updates: Add puts a code in a small delta segment that searches scan
// linearly; Remove sets a tombstone. Compact rebuilds the tables from every
// live code while searches and updates continue; the caller decides when
// (NeedsCompaction says when it pays). WriteTo and ReadIndex64/ReadIndex256
// save and restore the live codes in a versioned, CRC-32C checksummed format
// (16 bytes per 64-bit code, 40 per 256-bit code); the tables are rebuilt on
// load, in linear time.
//
// SearchBatch runs many queries on several goroutines. For batches of 2048
// queries or more it joins a chunk of up to 16384 queries with each table
// at once: it lists every (probe key, query) pair, orders the pairs by the
// top 11 bits of the key (a counting sort), and walks the table front to
// back, so that each stretch of the table is read from memory once per
// chunk instead of once per probe; 256-bit candidates are then verified in
// order of position. On the benchmark at 10^7 codes a batched query costs
// half the CPU of a single one for 64-bit codes, 65 % for 256-bit codes.
// A chunk runs on a view of the index taken when it starts, so adds and
// removes do not wait for a batch.
//
// # Confirmation (DESIGN §4)
//
// Two random 64-bit codes are within 8 bits with probability 2.8·10⁻¹⁰, so
// an audit of 10⁶ items against 10⁷ registered codes (10¹³ pairs) expects
// about 2,800 chance matches on a single unit. Thresholds.Confirm therefore
// compares every other unit both sides have, and grades the match Confirmed,
// Unconfirmed (one 64-bit unit only) or Rejected, with the evidence per unit
// and the random-code pass rate. DefaultThresholds: 8 of 64 bits for ISCC
// units, 32 of 256 for extended ISCC units, 31 of 256 for PDQ.
//
// False-match rates of the default thresholds, measured by
// TestFalseMatchRates with -falsematch.n=1000000 -falsematch.q=100000
// (10¹¹ pairs of unrelated works per row; every pair within the threshold
// found by an exact search):
//
//	data                      one 64-bit unit   + second 64-bit unit   + 256-bit unit (31)
//	uniform random            1.9e-10 (19)      0 (< 1e-11)            0 (< 1e-11)
//	biased bits (p = 0.3)     3.0e-07 (30067)   0 (< 1e-11)            0 (< 1e-11)
//	clustered (see below)     3.1e-04 (3.1e7)   2.9e-05 (2.9e6)        2.0e-08 (1999)
//
// The closed forms agree: P(Binomial(64, 1/2) <= 8) = 2.8e-10 for uniform
// codes and P(Binomial(64, 0.42) <= 8) = 3.0e-7 for biased ones (bits
// differ with probability 2·0.3·0.7). Clustered data are 300 families of
// similar-looking but distinct works: each work's 64-bit units are 6 bits
// from its family's, its 256-bit unit 24 bits from its family's. That is
// where a single 64-bit unit fails: confirmation by a second unit cuts false
// matches by an order of magnitude, a 256-bit unit by four. An Unconfirmed
// match is evidence to show a person, not a verdict.
//
// # Cost at 10⁹ codes
//
// Measured with bench/match on one 2-core machine, in one run per size
// (bench/README.md), single queries on one thread over the benchmark mix
// of uniform, clustered and biased codes:
//
//	                    10^6 codes   10^7 codes   growth   exhaustive scan at 10^7
//	64-bit,  r = 8      25 µs        82 µs        x3.2     18 ms (221x slower)
//	256-bit, r = 31     327 µs       1.03 ms      x3.2     68 ms (66x slower)
//
// Memory. With the layout chosen at 10^9 (3 tables of 21-22 bits for
// 64-bit codes, 10 of 25-26 bits for 256-bit codes) an index takes 28 bytes
// per 64-bit code beyond the code (36 with it) and 50 per 256-bit code (82
// with it): 36 GB for 10^9 64-bit units, 82 GB for 10^9 PDQ hashes. A
// registry of 10^9 image works indexed on a Content-Code unit, a Data-Code
// unit and PDQ needs about 154 GB for the indexes, so 8 machines of 24 GB
// (about 20 GB usable each) sharded by id, or one machine of 256 GB.
//
// Time. Growth from 10^6 to 10^7 was x3.2 for ten times the codes (N^0.51
// and N^0.50), but it includes a change of layout; with the layout
// fixed, the work per query grows linearly with the codes per bucket, and
// at 10^9 a 64-bit query reads about 282,000 candidate entries (sketch
// tests) where it reads 2,800 at 10^7; a PDQ query, with the wider tables
// chosen at 10^9, about 148,000 random code reads where 7,300 at 10^7.
// Bounds for one query on one core at 10^9: from 1 ms (N^0.51) to 7 ms
// (linear) for 64-bit codes, from 10 ms (N^0.50) to 21 ms for PDQ; an
// exhaustive scan there takes 1.8 s and 6.8 s. Sharding does not reduce
// the total work of a query (every shard is probed and the candidates are
// split among them) but spreads it: checking a dataset of 10^9 items
// against 10^9 64-bit codes costs 10^6 to 7·10^6 core-seconds, a day on 6
// to 40 such 2-core machines; the batch path, about twice as fast per query
// as single queries at 10^7, halves that.
//
// # What it does not do
//
// It does not compute codes (see package iscc and package pdq), persist
// anything by itself, or search rotated or flipped images (hash the eight
// dihedral variants and search each). Radii and thresholds are inclusive.
// Ids are the caller's; an index holds at most MaxCodes codes.
package match
