package iscc

import (
	"errors"
	"fmt"
	"math/bits"
)

// Distance returns the Hamming distance between the bodies of two
// comparable codes: same MainType, SubType and version (for ISCC-CODEs also
// the same unit combination). Codes of different length are compared on the
// common prefix, like the reference's normalised prefix Hamming comparison
// (iscc-core iscc_nph_compare); the strict iscc_distance of the reference
// instead refuses different lengths. ISCC-IDs v1 are not comparable. An
// Instance-Code distance is only meaningful as 0 (identical) or not.
func Distance(a, b string) (int, error) {
	d, _, err := distance(a, b)
	if err != nil {
		return 0, fmt.Errorf("distance %q %q: %w", truncate(a), truncate(b), err)
	}
	return d, nil
}

// Similarity returns 100·(n−d)/n truncated to an integer, where d is the
// Distance over the n common bits (iscc-core iscc_similarity).
func Similarity(a, b string) (int, error) {
	d, n, err := distance(a, b)
	if err != nil {
		return 0, fmt.Errorf("similarity %q %q: %w", truncate(a), truncate(b), err)
	}
	return (n - d) * 100 / n, nil
}

func distance(a, b string) (dist, nbits int, err error) {
	ca, err := normalize(a)
	if err != nil {
		return 0, 0, err
	}
	cb, err := normalize(b)
	if err != nil {
		return 0, 0, err
	}
	return HammingDistance(ca, cb)
}

// HammingDistance is Distance on decoded codes; it also returns the number
// of bits compared.
func HammingDistance(a, b Code) (dist, nbits int, err error) {
	if a.mt == MainTypeID && a.version == 1 || b.mt == MainTypeID && b.version == 1 {
		return 0, 0, errors.New("ISCC-ID v1 has no similarity, compare for equality")
	}
	if a.mt != b.mt || a.st != b.st || a.version != b.version {
		return 0, 0, fmt.Errorf("not comparable: %s vs %s", a.TypeID(), b.TypeID())
	}
	if a.mt == MainTypeISCC && a.length != b.length {
		return 0, 0, fmt.Errorf("ISCC-CODEs with different units: %s vs %s (compare their units)", a.TypeID(), b.TypeID())
	}
	n := min(len(a.body), len(b.body))
	if n == 0 {
		return 0, 0, errors.New("empty body")
	}
	for i := 0; i < n; i++ {
		dist += bits.OnesCount8(a.body[i] ^ b.body[i])
	}
	return dist, n * 8, nil
}
