package iscc

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// AudioCode is the result of GenAudioCode.
type AudioCode struct {
	// ISCC is the Audio-Code in canonical form.
	ISCC string `json:"iscc"`
}

// MaxAudioFeatures caps the Chromaprint vector length (about 24 hours of
// audio at Chromaprint's ~8 values per second, with room to spare).
const MaxAudioFeatures = 1 << 20

// GenAudioCode returns the Audio-Code of a Chromaprint fingerprint given as
// signed 32-bit integers, as `fpcalc -raw -signed` prints them (ISO 24138
// Content-Code Audio, iscc-core gen_audio_code_v0): SimHashes over the
// whole vector, over 4 consecutive quarters and over 3 thirds of the sorted
// values. An empty vector gives an all-zero body.
func GenAudioCode(cv []int32, bits int) (*AudioCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("generate Audio-Code: %w", err)
	}
	if len(cv) > MaxAudioFeatures {
		return nil, fmt.Errorf("generate Audio-Code: %d values exceed %d", len(cv), MaxAudioFeatures)
	}
	c, err := newUnit(MainTypeContent, SubTypeAudio, 0, bits, softHashAudio(cv))
	if err != nil {
		return nil, fmt.Errorf("generate Audio-Code: %w", err)
	}
	return &AudioCode{ISCC: c.String()}, nil
}

// softHashAudio implements soft_hash_audio_v0 for the full 256 bits; the
// caller truncates.
func softHashAudio(cv []int32) []byte {
	if len(cv) == 0 {
		return make([]byte, 32)
	}
	toDigests := func(vs []int32) [][]byte {
		out := make([][]byte, len(vs))
		for i, v := range vs {
			out[i] = binary.BigEndian.AppendUint32(nil, uint32(v))
		}
		return out
	}
	digests := toDigests(cv)
	out := simHash(digests)
	for _, part := range divide(digests, 4) {
		out = append(out, simHashOrZero(part)...)
	}
	sorted := slices.Clone(cv)
	slices.Sort(sorted)
	for _, part := range divide(toDigests(sorted), 3) {
		out = append(out, simHashOrZero(part)...)
	}
	return out
}

func simHashOrZero(d [][]byte) []byte {
	if len(d) == 0 {
		return make([]byte, 4)
	}
	return simHash(d)
}

// divide splits s into n contiguous parts like more_itertools.divide: the
// first len%n parts get one extra element.
func divide[T any](s []T, n int) [][]T {
	q, r := len(s)/n, len(s)%n
	out := make([][]T, n)
	start := 0
	for i := range out {
		size := q
		if i < r {
			size++
		}
		out[i] = s[start : start+size]
		start += size
	}
	return out
}
