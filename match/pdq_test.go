package match_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/askfirst/askfirst/match"
)

func readCodes256(t *testing.T, name string) []match.Code256 {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pdq", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []match.Code256
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		c, err := match.ParseCode256(sc.Text())
		if err != nil {
			t.Fatalf("%s line %d: %v", name, n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPDQNeedlesHaystack runs ThreatExchange's PDQ regression lookup
// (pdq/data/reg-test-input: every needle against the haystack within 32,
// see testdata/pdq/SOURCE.md) and compares it with brute force at several
// radii, through single and batched searches, with every layout.
func TestPDQNeedlesHaystack(t *testing.T) {
	hay := readCodes256(t, "haystack.txt")
	needles := readCodes256(t, "needles.txt")
	if len(hay) != 1350 || len(needles) != 100 {
		t.Fatalf("read %d haystack and %d needle hashes, want 1350 and 100", len(hay), len(needles))
	}
	ids := make([]uint64, len(hay))
	for i := range ids {
		ids[i] = uint64(i + 1) // haystack line number
	}
	total := 0
	for _, m := range []int{0, 12, 16, 32} {
		x, err := match.Build256(match.Config{Substrings: m}, ids, hay)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []int{0, 16, 31, 32, 48} {
			batch, err := x.SearchBatch(t.Context(), needles, r, 2)
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range needles {
				var want []match.Result
				for j, h := range hay {
					if d := match.Distance256(q, h); d <= r {
						want = append(want, match.Result{ID: ids[j], Distance: d})
					}
				}
				slices.SortFunc(want, func(a, b match.Result) int {
					if a.Distance != b.Distance {
						return a.Distance - b.Distance
					}
					return cmpU(a.ID, b.ID)
				})
				got := x.Search(q, r)
				if !slices.Equal(got, want) {
					t.Errorf("m=%d needle %d (%s) r=%d: got %v, want %v", m, i+1, q, r, got, want)
				}
				if !slices.Equal(batch[i], want) {
					t.Errorf("m=%d needle %d r=%d batch: got %v, want %v", m, i+1, r, batch[i], want)
				}
				if r == 32 && m == 0 {
					total += len(want)
				}
			}
		}
	}
	// The reference test is meant to find matches; make sure it does.
	if total == 0 {
		t.Errorf("no needle within 32 of the haystack: data not read as intended")
	}
	t.Logf("needles x haystack within 32: %d matches", total)
}
