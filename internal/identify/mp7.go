package identify

import (
	"errors"
	"fmt"
)

// MPEG-7 video signature (ISO/IEC 15938-3 AMD 4), binary form as ffmpeg's
// signature filter writes it, read the way iscc-sdk's read_mp7_signature
// does: a 129-bit header, the frame count, the media time unit, 65 bits,
// the coarse-segment count, the coarse segments (skipped), one bit, then per
// frame: 1 bit, 32-bit media time, 8-bit confidence, 40 bits of words, and
// 76 bytes each holding five ternary values of the 380-element signature.

const (
	mp7FrameElements = 380
	mp7FrameBits     = 1 + 32 + 8 + 40 + mp7FrameElements/5*8
	mp7SegmentBits   = 4*32 + 1 + 5*243
)

// errMP7Short is returned for a signature that ends early.
var errMP7Short = errors.New("parse MPEG-7 signature: data ends early")

// bitReader reads big-endian bit fields.
type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) left() int { return len(r.b)*8 - r.pos }

func (r *bitReader) skip(n int) error {
	if n < 0 || n > r.left() {
		return errMP7Short
	}
	r.pos += n
	return nil
}

func (r *bitReader) read(n int) (uint32, error) {
	if n > r.left() {
		return 0, errMP7Short
	}
	var v uint32
	for i := 0; i < n; i++ {
		bit := r.b[r.pos>>3] >> (7 - r.pos&7) & 1
		v = v<<1 | uint32(bit)
		r.pos++
	}
	return v, nil
}

// parseMP7 returns the 380-value frame signatures (values 0 to 2) of a
// binary MPEG-7 video signature. Counts are checked against the data, so a
// corrupt file cannot make it allocate more than the data implies.
func parseMP7(data []byte) ([][]int, error) {
	r := &bitReader{b: data}
	if err := r.skip(129); err != nil {
		return nil, err
	}
	frames, err := r.read(32)
	if err != nil {
		return nil, err
	}
	if err := r.skip(16 + 1 + 32 + 32); err != nil {
		return nil, err
	}
	segments, err := r.read(32)
	if err != nil {
		return nil, err
	}
	if uint64(segments)*mp7SegmentBits > uint64(r.left()) {
		return nil, errMP7Short
	}
	if err := r.skip(int(segments)*mp7SegmentBits + 1); err != nil {
		return nil, err
	}
	if uint64(frames)*mp7FrameBits > uint64(r.left()) {
		return nil, fmt.Errorf("parse MPEG-7 signature: %d frames announced, data holds %d", frames, r.left()/mp7FrameBits)
	}
	sigs := make([][]int, frames)
	for i := range sigs {
		if err := r.skip(1 + 32 + 8 + 40); err != nil {
			return nil, err
		}
		v := make([]int, mp7FrameElements)
		for j := 0; j < mp7FrameElements; j += 5 {
			b, err := r.read(8)
			if err != nil {
				return nil, err
			}
			for k, div := 0, uint32(81); k < 5; k, div = k+1, div/3 {
				v[j+k] = int(b / div % 3)
			}
		}
		sigs[i] = v
	}
	return sigs, nil
}
