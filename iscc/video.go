package iscc

import (
	"fmt"
	"slices"
)

// VideoCode is the result of GenVideoCode.
type VideoCode struct {
	// ISCC is the Video-Code in canonical form.
	ISCC string `json:"iscc"`
}

// FrameSigLen is the length of an MPEG-7 frame signature.
const FrameSigLen = 380

// MaxVideoFrames caps the number of frame signatures (about 55 hours at
// the 5 frames per second iscc-sdk samples).
const MaxVideoFrames = 1 << 20

// GenVideoCode returns the Video-Code of MPEG-7 frame signatures (ISO 24138
// Content-Code Video, iscc-core gen_video_code_v0), each 380 values as
// ffmpeg's signature filter writes them: duplicate frames are removed, the
// rest summed column-wise and WTA-hashed. At least one frame is required.
func GenVideoCode(frameSigs [][]int, bits int) (*VideoCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("generate Video-Code: %w", err)
	}
	if len(frameSigs) == 0 {
		return nil, fmt.Errorf("generate Video-Code: no frame signatures")
	}
	if len(frameSigs) > MaxVideoFrames {
		return nil, fmt.Errorf("generate Video-Code: %d frames exceed %d", len(frameSigs), MaxVideoFrames)
	}
	for i, f := range frameSigs {
		if len(f) != FrameSigLen {
			return nil, fmt.Errorf("generate Video-Code: frame %d has %d values, want %d", i, len(f), FrameSigLen)
		}
		for _, v := range f {
			if v < -1<<31 || v > 1<<31-1 {
				return nil, fmt.Errorf("generate Video-Code: frame %d value %d out of range", i, v)
			}
		}
	}
	// Set semantics: sum each distinct frame once.
	sorted := slices.Clone(frameSigs)
	slices.SortFunc(sorted, slices.Compare)
	sorted = slices.CompactFunc(sorted, slices.Equal)
	var sum [FrameSigLen]int64
	for _, f := range sorted {
		for i, v := range f {
			sum[i] += int64(v)
		}
	}
	c, err := newUnit(MainTypeContent, SubTypeVideo, 0, bits, wtaHash(&sum, bits))
	if err != nil {
		return nil, fmt.Errorf("generate Video-Code: %w", err)
	}
	return &VideoCode{ISCC: c.String()}, nil
}

// wtaHash implements alg_wtahash for the first bits index pairs: bit 0 if
// v[i] >= v[j] (the first maximum wins ties), else 1; packed MSB first.
func wtaHash(v *[FrameSigLen]int64, bits int) []byte {
	out := make([]byte, (bits+7)/8)
	for k := 0; k < bits; k++ {
		p := wtaPairs[k]
		if v[p[0]] < v[p[1]] {
			out[k/8] |= 0x80 >> (k % 8)
		}
	}
	return out
}
