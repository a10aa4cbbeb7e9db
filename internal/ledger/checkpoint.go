package ledger

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/jcs"
)

// Size caps for untrusted input.
const (
	// MaxCheckpointSize caps a signed checkpoint note.
	MaxCheckpointSize = 16 << 10
	// MaxReceiptSize caps a receipt file: an entry of MaxEntrySize escaped,
	// a proof of 63 hashes and a checkpoint.
	MaxReceiptSize = 4*MaxEntrySize + 64<<10
	// maxProofLen is the longest inclusion or consistency proof of a tree
	// of at most 2^63 entries.
	maxProofLen = 63
)

// ParseCheckpoint parses the text of a C2SP tlog-checkpoint note (the part
// before the signatures): origin, tree size in decimal without leading
// zeroes, base64 root hash, then optional non-empty extension lines, each
// ending in a newline.
func ParseCheckpoint(text string) (Checkpoint, error) {
	if len(text) > MaxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: %d bytes, limit %d", len(text), MaxCheckpointSize)
	}
	if !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, errors.New("parse checkpoint: text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: %d lines, want at least 3", len(lines))
	}
	for i, l := range lines {
		if l == "" {
			return Checkpoint{}, fmt.Errorf("parse checkpoint: line %d is empty", i+1)
		}
	}
	c := Checkpoint{Origin: lines[0]}
	s := lines[1]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || s[0] == '+' || (s[0] == '0' && s != "0") {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: tree size %q is not a decimal without leading zeroes", s)
	}
	c.Size = n
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != len(c.Root) {
		return Checkpoint{}, fmt.Errorf("parse checkpoint: root hash %q is not 32 bytes of base64", lines[2])
	}
	copy(c.Root[:], root)
	c.Extensions = lines[3:]
	return c, nil
}

// OpenCheckpoint verifies a signed checkpoint note with v, which must have
// signed it, and parses it. The checkpoint's origin must be origin.
func OpenCheckpoint(signed []byte, origin string, v note.Verifier) (Checkpoint, error) {
	if len(signed) > MaxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %d bytes, limit %d", len(signed), MaxCheckpointSize)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: signature by %s: %w", v.Name(), err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("open checkpoint: origin %q, want %q", c.Origin, origin)
	}
	return c, nil
}

// ParseReceipt parses a receipt in the DESIGN §5 wire format. It checks the
// shape only; VerifyReceipt checks the proof and signature.
func ParseReceipt(data []byte) (Receipt, error) {
	if len(data) > MaxReceiptSize {
		return Receipt{}, fmt.Errorf("parse receipt: %d bytes, limit %d", len(data), MaxReceiptSize)
	}
	var r Receipt
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return Receipt{}, fmt.Errorf("parse receipt: %w", err)
	}
	if dec.More() {
		return Receipt{}, errors.New("parse receipt: data after the receipt object")
	}
	switch {
	case len(r.Entry) == 0 || r.Entry[0] != '{':
		return Receipt{}, errors.New("parse receipt: entry is not a JSON object")
	case r.Index < 0:
		return Receipt{}, fmt.Errorf("parse receipt: negative index %d", r.Index)
	case r.Checkpoint == "":
		return Receipt{}, errors.New("parse receipt: no checkpoint")
	case len(r.InclusionProof) > maxProofLen:
		return Receipt{}, fmt.Errorf("parse receipt: inclusion proof of %d hashes, limit %d", len(r.InclusionProof), maxProofLen)
	}
	return r, nil
}

// EntryHash returns the RFC 6962 leaf hash of a receipt's entry: SHA-256 of
// 0x00 and the entry's canonical JSON. A receipt whose entry was
// re-indented still hashes to the logged entry.
func (r Receipt) EntryHash() (tlog.Hash, error) {
	data, err := jcs.Transform(r.Entry)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("receipt entry %d: %w", r.Index, err)
	}
	return tlog.RecordHash(data), nil
}

// VerifyReceipt checks a receipt offline: its checkpoint is signed by v for
// origin, and its entry is included at its index in the tree that
// checkpoint commits to. It returns the receipt's checkpoint.
func VerifyReceipt(r Receipt, origin string, v note.Verifier) (Checkpoint, error) {
	c, err := OpenCheckpoint([]byte(r.Checkpoint), origin, v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("receipt for entry %d: %w", r.Index, err)
	}
	if r.Index >= c.Size {
		return Checkpoint{}, fmt.Errorf("receipt for entry %d: checkpoint covers only %d entries", r.Index, c.Size)
	}
	proof, err := decodeHashes(r.InclusionProof)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("receipt for entry %d: %w", r.Index, err)
	}
	leaf, err := r.EntryHash()
	if err != nil {
		return Checkpoint{}, err
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, r.Index, leaf); err != nil {
		return Checkpoint{}, fmt.Errorf("receipt for entry %d: inclusion in tree of size %d: %w", r.Index, c.Size, err)
	}
	return c, nil
}

func decodeHashes(in []string) ([]tlog.Hash, error) {
	if len(in) > maxProofLen {
		return nil, fmt.Errorf("proof of %d hashes, limit %d", len(in), maxProofLen)
	}
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(b) != len(out[i]) {
			return nil, fmt.Errorf("proof hash %d %q is not 32 bytes of base64", i, s)
		}
		copy(out[i][:], b)
	}
	return out, nil
}
