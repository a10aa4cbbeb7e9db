package iscc

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// xxHash32 (seed 0), the feature hash of Text- and Data-Code
// (xxhash.xxh32_intdigest in iscc-core). One-shot over a byte slice.
const (
	xxPrime1 uint32 = 0x9E3779B1
	xxPrime2 uint32 = 0x85EBCA77
	xxPrime3 uint32 = 0xC2B2AE3D
	xxPrime4 uint32 = 0x27D4EB2F
	xxPrime5 uint32 = 0x165667B1
)

func xxh32(p []byte) uint32 {
	n := len(p)
	var h uint32
	if n >= 16 {
		p1, p2 := xxPrime1, xxPrime2
		v1 := p1 + p2
		v2 := p2
		v3 := uint32(0)
		v4 := 0 - p1
		for len(p) >= 16 {
			v1 = bits.RotateLeft32(v1+binary.LittleEndian.Uint32(p[0:4])*xxPrime2, 13) * xxPrime1
			v2 = bits.RotateLeft32(v2+binary.LittleEndian.Uint32(p[4:8])*xxPrime2, 13) * xxPrime1
			v3 = bits.RotateLeft32(v3+binary.LittleEndian.Uint32(p[8:12])*xxPrime2, 13) * xxPrime1
			v4 = bits.RotateLeft32(v4+binary.LittleEndian.Uint32(p[12:16])*xxPrime2, 13) * xxPrime1
			p = p[16:]
		}
		h = bits.RotateLeft32(v1, 1) + bits.RotateLeft32(v2, 7) + bits.RotateLeft32(v3, 12) + bits.RotateLeft32(v4, 18)
	} else {
		h = xxPrime5
	}
	h += uint32(n)
	for len(p) >= 4 {
		h += binary.LittleEndian.Uint32(p[:4]) * xxPrime3
		h = bits.RotateLeft32(h, 17) * xxPrime4
		p = p[4:]
	}
	for _, b := range p {
		h += uint32(b) * xxPrime5
		h = bits.RotateLeft32(h, 11) * xxPrime1
	}
	h ^= h >> 15
	h *= xxPrime2
	h ^= h >> 13
	h *= xxPrime3
	h ^= h >> 16
	return h
}

// xxh32String is xxh32 over the bytes of s without copying.
func xxh32String(s string) uint32 {
	return xxh32(unsafe.Slice(unsafe.StringData(s), len(s)))
}
