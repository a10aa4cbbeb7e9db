package match

import "testing"

// TestChooseSubstrings pins the automatic layouts at the benchmark sizes and
// checks that every choice keeps to the memory budget.
func TestChooseSubstrings(t *testing.T) {
	for _, c := range []struct{ bits, n, r, want int }{
		{64, 1_000_000, 8, 4},
		{64, 10_000_000, 8, 3},
		{256, 10_000_000, 31, 12},
	} {
		if got := chooseSubstrings(c.bits, c.n, c.r); got != c.want {
			t.Errorf("chooseSubstrings(%d bits, n=%d, r=%d) = %d, want %d", c.bits, c.n, c.r, got, c.want)
		}
	}
	for _, bits := range []int{64, 256} {
		for _, n := range []int{0, 1000, 1 << 20, 10_000_000, 1_000_000_000} {
			for _, r := range []int{0, 4, 8, 16, 31, 64} {
				m := chooseSubstrings(bits, n, r)
				entry, budget := 8, MemoryBudget64
				if bits == 256 {
					entry, budget = 4, MemoryBudget256
				}
				if per := 12 + (m-1)*entry; per > budget {
					t.Errorf("chooseSubstrings(%d bits, n=%d, r=%d) = %d: %d bytes per code, over the budget %d", bits, n, r, m, per, budget)
				}
			}
		}
	}
}
