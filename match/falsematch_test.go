package match_test

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/askfirst/askfirst/match"
)

var (
	fmStored  = flag.Int("falsematch.n", 100_000, "stored items in TestFalseMatchRates")
	fmQueries = flag.Int("falsematch.q", 1_000, "query items in TestFalseMatchRates")
)

// item is a work with two independent 64-bit units (say Content and Data)
// and one 256-bit unit (say PDQ or an extended Content unit).
type item struct {
	a, b uint64
	c    match.Code256
}

// works generates n unrelated works of a shape. In the clustered shape,
// works are variants of 300 families (6 of 64 bits, 24 of 256 bits flipped
// from the family's codes): similar-looking but distinct works, such as
// photos of one landmark, the hard case for a threshold.
func works(rng *rand.Rand, shape string, n int, fam []item) []item {
	out := make([]item, n)
	for i := range out {
		switch shape {
		case "uniform":
			out[i] = item{rng.Uint64(), rng.Uint64(), match.Code256{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}}
		case "biased":
			var w [6]uint64
			copy(w[:], biased(rng, 6, 1, 0))
			out[i] = item{w[0], w[1], match.Code256{w[2], w[3], w[4], w[5]}}
		case "clustered":
			it := fam[rng.IntN(len(fam))]
			a, b, c := []uint64{it.a}, []uint64{it.b}, it.c[:]
			flip(rng, a, 6)
			flip(rng, b, 6)
			c = append([]uint64(nil), c...)
			flip(rng, c, 24)
			out[i] = item{a[0], b[0], match.Code256(c)}
		}
	}
	return out
}

// binomTail returns P(Binomial(n, p) <= k).
func binomTail(n int, p float64, k int) float64 {
	s := 0.0
	for i := 0; i <= k; i++ {
		lg, _ := math.Lgamma(float64(n + 1))
		l1, _ := math.Lgamma(float64(i + 1))
		l2, _ := math.Lgamma(float64(n - i + 1))
		s += math.Exp(lg - l1 - l2 + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return s
}

// TestFalseMatchRates measures how often unrelated works pass the default
// thresholds: on one 64-bit unit, on two 64-bit units, and on a 64-bit unit
// confirmed by a 256-bit unit. Candidates come from an Index64 search, so
// every pair within the threshold is counted, exactly. Where the rate is
// known in closed form (uniform and biased codes are independent bits) the
// measured count must agree with it. The package documentation quotes a run
// with -falsematch.n=1000000 -falsematch.q=100000.
func TestFalseMatchRates(t *testing.T) {
	th := match.DefaultThresholds()
	t64 := th[match.Kind{Type: match.ISCCContentImage, Bits: 64}]
	t256 := th[match.Kind{Type: match.PDQ, Bits: 256}]
	for _, shape := range []string{"uniform", "biased", "clustered"} {
		t.Run(shape, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, 12))
			fam := works(rng, "uniform", 300, nil)
			stored := works(rng, shape, *fmStored, fam)
			qs := works(rng, shape, *fmQueries, fam)
			ids := make([]uint64, len(stored))
			codes := make([]uint64, len(stored))
			for i, it := range stored {
				ids[i], codes[i] = uint64(i), it.a
			}
			x, err := match.Build64(match.Config{}, ids, codes)
			if err != nil {
				t.Fatal(err)
			}
			qa := make([]uint64, len(qs))
			for i, q := range qs {
				qa[i] = q.a
			}
			res, err := x.SearchBatch(t.Context(), qa, t64, 0)
			if err != nil {
				t.Fatal(err)
			}
			var one, two, wide int
			for i, rs := range res {
				one += len(rs)
				for _, r := range rs {
					s := stored[r.ID]
					if match.Distance64(qs[i].b, s.b) <= t64 {
						two++
					}
					if match.Distance256(qs[i].c, s.c) <= t256 {
						wide++
					}
				}
			}
			pairs := float64(len(stored)) * float64(len(qs))
			t.Logf("%s: %.3g pairs; within %d on one 64-bit unit: %d (rate %.3g); also on a second 64-bit unit: %d (%.3g); also within %d on a 256-bit unit: %d (%.3g)",
				shape, pairs, t64, one, float64(one)/pairs, two, float64(two)/pairs, t256, wide, float64(wide)/pairs)
			var p float64
			switch shape {
			case "uniform":
				p = match.RandomRate(64, t64)
			case "biased":
				p = binomTail(64, 2*0.3*0.7, t64) // bits differ with p = 0.42
			default:
				return // no closed form: the measurement is the result
			}
			want := p * pairs
			if tol := 6*math.Sqrt(want) + 3; math.Abs(float64(one)-want) > tol {
				t.Errorf("%s: %d pairs within %d, want %.1f ± %.1f", shape, one, t64, want, tol)
			}
		})
	}
}
