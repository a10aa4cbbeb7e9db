package match_test

import (
	"math"
	"testing"

	"github.com/askfirst/askfirst/match"
	"github.com/google/go-cmp/cmp"
)

func TestConfirm(t *testing.T) {
	th := match.DefaultThresholds()
	img64 := match.Kind{Type: match.ISCCContentImage, Bits: 64}
	data64 := match.Kind{Type: match.ISCCData, Bits: 64}
	pdq := match.Kind{Type: match.PDQ, Bits: 256}
	base := uint64(0x0123456789abcdef)
	p := match.Code256{1, 2, 3, 4}
	far := match.Code256{^uint64(1), ^uint64(2), 3, 4} // 128 bits from p
	cases := []struct {
		name      string
		q, c      []match.Unit
		want      match.Confidence
		distances []int
	}{
		{"second 64-bit unit confirms",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit64(match.ISCCData, 0)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base^0b111), match.Unit64(match.ISCCData, 0xff)},
			match.Confirmed, []int{3, 8}},
		{"256-bit unit confirms",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit256(match.PDQ, p)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base^1), match.Unit256(match.PDQ, p)},
			match.Confirmed, []int{1, 0}},
		{"256-bit unit rejects",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit256(match.PDQ, p)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit256(match.PDQ, far)},
			match.Rejected, []int{0, 128}},
		{"second unit just over threshold",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit64(match.ISCCData, 0)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit64(match.ISCCData, 0x1ff)},
			match.Rejected, []int{0, 9}},
		{"nothing to confirm with",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base), match.Unit64(match.ISCCData, 0)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base^0xff), match.Unit256(match.PDQ, p)},
			match.Unconfirmed, []int{8}},
		{"found unit over threshold",
			[]match.Unit{match.Unit64(match.ISCCContentImage, base)},
			[]match.Unit{match.Unit64(match.ISCCContentImage, base^0x1ff)},
			match.Rejected, []int{9}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := th.Confirm(img64, c.q, c.c)
			if err != nil {
				t.Fatal(err)
			}
			if got.Confidence != c.want {
				t.Errorf("Confidence = %s, want %s (units %+v)", got.Confidence, c.want, got.Units)
			}
			var ds []int
			for _, u := range got.Units {
				ds = append(ds, u.Distance)
			}
			if diff := cmp.Diff(c.distances, ds); diff != "" {
				t.Errorf("distances (-want +got):\n%s", diff)
			}
			if got.Units[0].Kind != img64 {
				t.Errorf("first unit %s, want the unit found on, %s", got.Units[0].Kind, img64)
			}
		})
	}
	// Found on the 256-bit unit alone: that is already the confirmation.
	got, err := th.Confirm(pdq, []match.Unit{match.Unit256(match.PDQ, p)}, []match.Unit{match.Unit256(match.PDQ, p)})
	if err != nil || got.Confidence != match.Confirmed {
		t.Errorf("PDQ alone: got %v, %v; want confirmed", got.Confidence, err)
	}
	_ = data64
}

func TestConfirmErrors(t *testing.T) {
	th := match.DefaultThresholds()
	img := match.Kind{Type: match.ISCCContentImage, Bits: 64}
	u := match.Unit64(match.ISCCContentImage, 1)
	for _, c := range []struct {
		name  string
		found match.Kind
		q, c  []match.Unit
	}{
		{"unknown kind", match.Kind{Type: "x", Bits: 64}, []match.Unit{u}, []match.Unit{u}},
		{"missing on query", img, nil, []match.Unit{u}},
		{"missing on candidate", img, []match.Unit{u}, nil},
		{"twice", img, []match.Unit{u, u}, []match.Unit{u}},
		{"bad size", img, []match.Unit{u, {Kind: match.Kind{Type: "y", Bits: 128}}}, []match.Unit{u}},
	} {
		if _, err := th.Confirm(c.found, c.q, c.c); err == nil {
			t.Errorf("%s: got nil error", c.name)
		}
	}
}

func TestRandomRate(t *testing.T) {
	for _, c := range []struct {
		bits, t int
		want    float64
	}{
		{64, 8, 2.7813e-10}, // DESIGN §4: "~3·10⁻¹⁰"; sum C(64,k), k<=8, over 2^64
		{64, 32, 0.549},
		{256, 31, 8.2837e-38},
		{64, -1, 0},
		{64, 64, 1},
	} {
		got := match.RandomRate(c.bits, c.t)
		if math.Abs(got-c.want) > 0.01*c.want {
			t.Errorf("RandomRate(%d, %d) = %.3g, want %.3g", c.bits, c.t, got, c.want)
		}
	}
}
