package pdq

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
)

// Hash is a 256-bit PDQ hash.
//
// The bytes are stored in the order of the reference's hex serialisation
// (pdq/cpp/common/pdqhashtypes.cpp, Hash256::format): the reference keeps
// the hash as sixteen 16-bit words w[0..15], where bit k of the hash is bit
// k%16 of word k/16, and prints w[15] first, each word as four hex digits,
// most significant digit first. Hash[0] and Hash[1] are therefore the high
// and low byte of w[15], and Hash[30], Hash[31] those of w[0]. Bit k of the
// hash is the DCT coefficient at row k/16, column k%16 (see Bit).
//
// The zero value is the all-zero hash. Hash is comparable and may be used as
// a map key.
type Hash [32]byte

// Size is the length of a Hash in bytes.
const Size = 32

// Bits is the number of bits in a Hash.
const Bits = 256

// ErrMalformedHash is returned (wrapped) by ParseHash and UnmarshalText for
// text that is not exactly 64 hex digits.
var ErrMalformedHash = errors.New("malformed pdq hash")

// byteIndex returns the index into Hash of the byte holding bit k and the
// mask of that bit within the byte, following the reference's word layout.
func byteIndex(k int) (int, byte) {
	word := k >> 4
	bit := k & 15
	idx := 2 * (15 - word) // high byte of the word
	if bit < 8 {
		idx++ // low byte
	}
	return idx, 1 << (bit & 7)
}

// Bit reports whether bit k (0 <= k < 256) of h is set. Bit k corresponds to
// DCT coefficient (k/16, k%16) being above the median, as in the reference's
// Hash256::getBit. Bit panics if k is out of range, like an index expression.
func (h Hash) Bit(k int) bool {
	if k < 0 || k >= Bits {
		panic(fmt.Sprintf("pdq: bit index %d out of range [0,256)", k))
	}
	i, m := byteIndex(k)
	return h[i]&m != 0
}

func (h *Hash) setBit(k int) {
	i, m := byteIndex(k)
	h[i] |= m
}

// String returns the hash as 64 lowercase hex digits in the reference's
// order (word 15 first), the format of every PDQ tool and data set.
func (h Hash) String() string {
	return hex.EncodeToString(h[:])
}

// MarshalText implements encoding.TextMarshaler with the String format.
func (h Hash) MarshalText() ([]byte, error) {
	out := make([]byte, 2*Size)
	hex.Encode(out, h[:])
	return out, nil
}

// UnmarshalText implements encoding.TextUnmarshaler with the rules of
// ParseHash.
func (h *Hash) UnmarshalText(text []byte) error {
	p, err := ParseHash(string(text))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash parses a hash written as exactly 64 hex digits (either case),
// the reference's serialisation. Anything else — other lengths, a "0x"
// prefix, spaces, a trailing newline — is rejected with an error wrapping
// ErrMalformedHash; callers reading lines must trim them first.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*Size {
		return h, fmt.Errorf("parse pdq hash %.80q: %w: length %d, want 64 hex digits", s, ErrMalformedHash, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return h, fmt.Errorf("parse pdq hash %.80q: %w: byte %d is not a hex digit", s, ErrMalformedHash, i)
		}
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("parse pdq hash %.80q: %w: %v", s, ErrMalformedHash, err)
	}
	return h, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Distance returns the Hamming distance between a and b: the number of bits
// in which they differ, from 0 to 256. The reference (pdq/README.md,
// "Matching") suggests treating distance <= 31 as a match.
func Distance(a, b Hash) int {
	d := 0
	for i := 0; i < Size; i += 8 {
		x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:])
		d += bits.OnesCount64(x)
	}
	return d
}
