package iscc

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/zeebo/blake3"
)

// InstanceCode is the result of GenInstanceCode.
type InstanceCode struct {
	// ISCC is the Instance-Code in canonical form.
	ISCC string `json:"iscc"`
	// Datahash is the multihash of the full BLAKE3 digest in hex:
	// "1e20" followed by 64 hex digits.
	Datahash string `json:"datahash"`
	// Filesize is the number of bytes hashed.
	Filesize int64 `json:"filesize"`
}

// InstanceHasher computes an Instance-Code incrementally (ISO 24138
// Instance-Code, iscc-core InstanceHasherV0): BLAKE3 of the bytes. It is an
// io.Writer; see DataHasher for computing both in one pass. Large writes
// (64 KiB and more) let BLAKE3 use its SIMD paths. An InstanceHasher is not
// safe for concurrent use.
type InstanceHasher struct {
	bits int
	h    *blake3.Hasher
	size int64
}

// NewInstanceHasher returns an InstanceHasher producing codes of the given
// length (a multiple of 32 from 32 to 256).
func NewInstanceHasher(bits int) (*InstanceHasher, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("new Instance-Code hasher: %w", err)
	}
	return &InstanceHasher{bits: bits, h: blake3.New()}, nil
}

// Write adds p to the hashed data. It never fails.
func (h *InstanceHasher) Write(p []byte) (int, error) {
	h.size += int64(len(p))
	return h.h.Write(p)
}

// Code returns the Instance-Code of the data written so far. Writing may
// continue afterwards.
func (h *InstanceHasher) Code() (*InstanceCode, error) {
	sum := h.h.Sum(nil)
	c, err := newUnit(MainTypeInstance, SubTypeNone, 0, h.bits, sum)
	if err != nil {
		return nil, fmt.Errorf("generate Instance-Code: %w", err)
	}
	return &InstanceCode{ISCC: c.String(), Datahash: multihashBLAKE3(sum), Filesize: h.size}, nil
}

// multihashBLAKE3 renders a BLAKE3-256 digest as a hex multihash (0x1e =
// blake3, 0x20 = 32 bytes).
func multihashBLAKE3(sum []byte) string {
	return "1e20" + hex.EncodeToString(sum)
}

// GenInstanceCode reads with a small buffer first, so small files stay
// cheap, then with instanceReadSize, large enough for BLAKE3's SIMD paths.
const (
	instanceReadStart = 64 << 10
	instanceReadSize  = 1 << 20
)

// GenInstanceCode reads r once to EOF and returns its Instance-Code with
// the datahash and the file size (iscc-core gen_instance_code_v0). Memory
// use is constant for input of any size.
func GenInstanceCode(r io.Reader, bits int) (*InstanceCode, error) {
	h, err := NewInstanceHasher(bits)
	if err != nil {
		return nil, fmt.Errorf("generate Instance-Code: %w", err)
	}
	buf := make([]byte, instanceReadStart)
	var total int64
	for {
		n, err := fill(r, buf)
		h.Write(buf[:n])
		if err == io.EOF {
			return h.Code()
		}
		if err != nil {
			return nil, fmt.Errorf("generate Instance-Code: read input: %w", err)
		}
		total += int64(n)
		if len(buf) < instanceReadSize && total >= instanceReadSize/4 {
			buf = make([]byte, instanceReadSize)
		}
	}
}

// fill reads into buf until it is full, or an error (io.EOF at the end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		if k < 0 || k > len(buf)-n {
			return n, errors.New("reader returned an invalid count")
		}
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
