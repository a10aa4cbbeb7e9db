// Package ledger is the registry's tamper-evident log (DESIGN §5): an RFC
// 6962 Merkle tree over the RFC 8785 canonical JSON of every statement the
// registry makes, stored through internal/store in the same transaction as
// the row the statement describes, with checkpoints per C2SP
// tlog-checkpoint signed as a note (golang.org/x/mod/sumdb/note) by the
// registry's Ed25519 key, served per C2SP tlog-tiles, and receipts anyone
// can verify offline.
//
// The tree math is golang.org/x/mod/sumdb/tlog's; this package adds the
// storage plumbing, the C2SP encodings and the monitor that checks a log
// from outside (Monitor).
//
// What it does not do: witness cosignatures, pruning (the minimum index is
// always 0), extension lines in checkpoints, entries over 65535 bytes (the
// tlog-tiles entry bundle length prefix is a uint16).
package ledger

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// MaxEntrySize is the largest canonical statement the log takes: entry
// bundles prefix each entry with a big-endian uint16 length (C2SP
// tlog-tiles, "Log entries").
const MaxEntrySize = 1<<16 - 1

// ErrEntryTooLarge is returned by Append for a statement whose canonical
// JSON exceeds MaxEntrySize.
var ErrEntryTooLarge = errors.New("log entry too large")

// Ledger appends to and proves from the log. It holds the signing key and
// no other state, so it is safe for concurrent use; sequencing is the
// store's (store.Store.Update serialises writers).
type Ledger struct {
	origin   string
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// New returns a ledger signing with skey, a note signer key as
// note.GenerateKey writes it ("PRIVATE+KEY+name+hash+key", Ed25519). The
// key's name is the checkpoint origin (C2SP tlog-checkpoint: the key name
// SHOULD match the origin line).
func New(skey string) (*Ledger, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		// Never echo the key itself.
		return nil, fmt.Errorf("ledger: parse signing key: %w", err)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger: verifier key: %w", err)
	}
	if strings.ContainsAny(signer.Name(), " +\n") {
		return nil, fmt.Errorf("ledger: key name %q cannot be a checkpoint origin", signer.Name())
	}
	return &Ledger{origin: signer.Name(), signer: signer, verifier: verifier, vkey: vkey}, nil
}

// verifierKey derives the note verifier key from an Ed25519 signer key.
func verifierKey(skey string) (string, error) {
	// PRIVATE+KEY+name+hash+base64: the base64 may hold '+' itself.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return "", errors.New("ledger: parse signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("ledger: parse signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// Origin returns the checkpoint origin line, the signing key's name.
func (l *Ledger) Origin() string { return l.origin }

// VerifierKey returns the note verifier key of the log, as note.NewVerifier
// reads it: what GET /v1/log publishes and monitors pin.
func (l *Ledger) VerifierKey() string { return l.vkey }

// Verifier returns the log's note verifier.
func (l *Ledger) Verifier() note.Verifier { return l.verifier }

// Entry is a statement appended to the log.
type Entry struct {
	Index int64
	Data  []byte // canonical JSON (RFC 8785)
}

// Canonical returns the RFC 8785 canonical JSON of statement: a
// json.RawMessage or []byte holding JSON is canonicalised as is, any other
// value is marshalled with encoding/json first.
func Canonical(statement any) ([]byte, error) {
	switch s := statement.(type) {
	case json.RawMessage:
		return jcs.Transform(s)
	case []byte:
		return jcs.Transform(s)
	default:
		return jcs.Marshal(s)
	}
}

// Append canonicalises statement and appends it to the log in tx, with the
// tree hashes it adds (tlog.StoredHashes). The statement must be a JSON
// object. The entry is part of tx: it is gone if tx rolls back. Append
// returns ErrEntryTooLarge for a statement whose canonical form exceeds
// MaxEntrySize, and the store's errors wrapped.
func (l *Ledger) Append(tx store.Tx, statement any) (Entry, error) {
	data, err := Canonical(statement)
	if err != nil {
		return Entry{}, fmt.Errorf("append to log: %w", err)
	}
	if len(data) == 0 || data[0] != '{' {
		return Entry{}, fmt.Errorf("append to log: statement is not a JSON object")
	}
	if len(data) > MaxEntrySize {
		return Entry{}, fmt.Errorf("append to log: %d bytes, limit %d: %w", len(data), MaxEntrySize, ErrEntryTooLarge)
	}
	n, err := tx.LogSize()
	if err != nil {
		return Entry{}, fmt.Errorf("append to log: %w", err)
	}
	hashes, err := tlog.StoredHashes(n, data, tx)
	if err != nil {
		return Entry{}, fmt.Errorf("append to log entry %d: %w", n, err)
	}
	if err := tx.AppendLog(n, data, hashes); err != nil {
		return Entry{}, fmt.Errorf("append to log: %w", err)
	}
	return Entry{Index: n, Data: data}, nil
}

// Checkpoint is the body of a C2SP tlog-checkpoint note.
type Checkpoint struct {
	Origin     string
	Size       int64
	Root       tlog.Hash
	Extensions []string // opaque extension lines; this log writes none
}

// Text returns the note text: origin, size and base64 root hash, then the
// extension lines, each ending in a newline.
func (c Checkpoint) Text() string {
	var b strings.Builder
	b.WriteString(c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n")
	for _, e := range c.Extensions {
		b.WriteString(e + "\n")
	}
	return b.String()
}

// Sign signs a checkpoint of the log as tx sees it (its current size),
// stores it as the latest checkpoint and returns the signed note. Call it
// once after the appends of a transaction; its receipts are valid only once
// the transaction committed.
func (l *Ledger) Sign(tx store.Tx) (Checkpoint, []byte, error) {
	n, err := tx.LogSize()
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	root, err := tlog.TreeHash(n, tx)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint of size %d: %w", n, err)
	}
	c := Checkpoint{Origin: l.origin, Size: n, Root: root}
	signed, err := note.Sign(&note.Note{Text: c.Text()}, l.signer)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint of size %d: %w", n, err)
	}
	if err := tx.PutCheckpoint(n, signed); err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint of size %d: %w", n, err)
	}
	return c, signed, nil
}

// Receipt is what a write returns (DESIGN §5): the canonical entry, its
// index, an inclusion proof relative to the tree size of the checkpoint,
// and the signed checkpoint note. It is wire.Receipt, with the log's
// methods; convert with wire.Receipt(r) and Receipt(w).
type Receipt wire.Receipt

// Marshal returns the receipt as compact JSON with the entry's canonical
// bytes verbatim (wire.Receipt.Marshal).
func (r Receipt) Marshal() ([]byte, error) { return wire.Receipt(r).Marshal() }

// Seal signs a checkpoint covering everything appended in tx (Sign) and
// returns a receipt for each of entries against it. Call it last in the
// transaction, and hand the receipts out only after Update returned nil.
func (l *Ledger) Seal(tx store.Tx, entries ...Entry) ([]Receipt, error) {
	c, signed, err := l.Sign(tx)
	if err != nil {
		return nil, err
	}
	out := make([]Receipt, 0, len(entries))
	// The proofs of neighbouring entries share most hashes: read each once.
	mr := &memoReader{r: tx, m: map[int64]tlog.Hash{}}
	for _, e := range entries {
		r, err := receipt(mr, e.Index, e.Data, c.Size, signed)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Receipt returns a receipt for the entry at index against the latest
// stored checkpoint. It returns an error wrapping store.ErrNotFound if the
// entry is not covered by that checkpoint.
func (l *Ledger) Receipt(tx store.ReadTx, index int64) (Receipt, error) {
	size, signed, err := tx.Checkpoint()
	if err != nil {
		return Receipt{}, fmt.Errorf("receipt for entry %d: %w", index, err)
	}
	if index < 0 || index >= size {
		return Receipt{}, fmt.Errorf("receipt for entry %d: checkpoint covers %d entries: %w", index, size, store.ErrNotFound)
	}
	e, err := tx.LogEntries(index, index+1)
	if err != nil {
		return Receipt{}, fmt.Errorf("receipt for entry %d: %w", index, err)
	}
	return receipt(tx, index, e[0], size, signed)
}

func receipt(r tlog.HashReader, index int64, data []byte, size int64, signed []byte) (Receipt, error) {
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return Receipt{}, fmt.Errorf("prove entry %d in tree %d: %w", index, size, err)
	}
	proof := make([]string, len(p))
	for i, h := range p {
		proof[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return Receipt{Entry: json.RawMessage(data), Index: index, InclusionProof: proof, Checkpoint: string(signed)}, nil
}

// memoReader remembers the hashes it read. Stored hashes never change, so
// within one transaction it is always right.
type memoReader struct {
	r tlog.HashReader
	m map[int64]tlog.Hash
}

func (r *memoReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	var miss []int64
	for _, x := range indexes {
		if _, ok := r.m[x]; !ok {
			miss = append(miss, x)
		}
	}
	if len(miss) > 0 {
		hs, err := r.r.ReadHashes(miss)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(miss) {
			return nil, fmt.Errorf("read %d hashes, got %d", len(miss), len(hs))
		}
		for i, x := range miss {
			r.m[x] = hs[i]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = r.m[x]
	}
	return out, nil
}
