package match

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Code256 is a 256-bit code such as a PDQ hash. Word 0 holds the first
// eight bytes of the code in big-endian order, word 3 the last eight, so
// that Code256FromBytes and Bytes round-trip the usual hex form. Hamming
// distance does not depend on this order.
type Code256 [4]uint64

// Code256FromBytes returns the code whose big-endian bytes are b.
func Code256FromBytes(b [32]byte) Code256 {
	var c Code256
	for i := range c {
		c[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return c
}

// Bytes returns the code as 32 big-endian bytes.
func (c Code256) Bytes() [32]byte {
	var b [32]byte
	for i, w := range c {
		binary.BigEndian.PutUint64(b[8*i:], w)
	}
	return b
}

// String returns the code as 64 lowercase hex digits, the form PDQ tools print.
func (c Code256) String() string {
	b := c.Bytes()
	return hex.EncodeToString(b[:])
}

// ParseCode256 parses 64 hex digits (the form PDQ tools print) into a code.
func ParseCode256(s string) (Code256, error) {
	if len(s) != 64 {
		return Code256{}, fmt.Errorf("parse 256-bit code %.70q: want 64 hex digits, got %d characters", s, len(s))
	}
	var b [32]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return Code256{}, fmt.Errorf("parse 256-bit code %q: %w", s, err)
	}
	return Code256FromBytes(b), nil
}

// ParseCode64 parses 16 hex digits into a 64-bit code (big-endian).
func ParseCode64(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("parse 64-bit code %.20q: want 16 hex digits, got %d characters", s, len(s))
	}
	var b [8]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return 0, fmt.Errorf("parse 64-bit code %q: %w", s, err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// Distance64 returns the Hamming distance between two 64-bit codes.
func Distance64(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Distance256 returns the Hamming distance between two 256-bit codes.
func Distance256(a, b Code256) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// Result is one code found by a search: the id the caller attached to it and
// its Hamming distance from the query. Searches return results sorted by
// distance, then by id.
type Result struct {
	ID       uint64
	Distance int
}
