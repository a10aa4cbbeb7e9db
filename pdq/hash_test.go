package pdq_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/pdq"
)

func TestParseHash(t *testing.T) {
	const valid = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
	tests := []struct {
		in      string
		wantErr bool
	}{
		{valid, false},
		{strings.ToUpper(valid), false},
		{strings.Repeat("0", 64), false},
		{"", true},
		{valid[:63], true},
		{valid + "0", true},
		{valid + "\n", true},
		{" " + valid[1:], true},
		{"0x" + valid[2:], true},
		{valid[:63] + "g", true},
		{valid[:10] + "-" + valid[11:], true},
		{strings.Repeat("é", 32), true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			h, err := pdq.ParseHash(tc.in)
			if tc.wantErr {
				if !errors.Is(err, pdq.ErrMalformedHash) {
					t.Errorf("ParseHash(%q) error = %v, want ErrMalformedHash", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHash(%q): %v", tc.in, err)
			}
			if got := h.String(); got != strings.ToLower(tc.in) {
				t.Errorf("ParseHash(%q).String() = %q", tc.in, got)
			}
		})
	}
}

// TestBitOrder pins the reference's layout (Hash256::setBit and format):
// bit k is bit k%16 of word k/16, and word 15 is printed first.
func TestBitOrder(t *testing.T) {
	tests := []struct {
		bit  int
		want string // the hash with only that bit set
	}{
		{0, strings.Repeat("0", 63) + "1"},
		{3, strings.Repeat("0", 63) + "8"},
		{4, strings.Repeat("0", 62) + "10"},
		{15, strings.Repeat("0", 60) + "8000"},
		{16, strings.Repeat("0", 59) + "1" + "0000"},
		{255, "8" + strings.Repeat("0", 63)},
		{240, "0001" + strings.Repeat("0", 60)},
	}
	for _, tc := range tests {
		h, err := pdq.ParseHash(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		for k := range pdq.Bits {
			if got := h.Bit(k); got != (k == tc.bit) {
				t.Errorf("hash %s: Bit(%d) = %v, want %v", tc.want, k, got, k == tc.bit)
			}
		}
	}
}

func TestDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var a, b pdq.Hash
		for i := range a {
			a[i] = byte(r.Uint32())
			b[i] = byte(r.Uint32())
		}
		want := 0
		for k := range pdq.Bits {
			if a.Bit(k) != b.Bit(k) {
				want++
			}
		}
		if got := pdq.Distance(a, b); got != want {
			t.Fatalf("Distance(%v, %v) = %d, want %d", a, b, got, want)
		}
		if got := pdq.Distance(a, a); got != 0 {
			t.Fatalf("Distance(a, a) = %d", got)
		}
	}
	var zero, ones pdq.Hash
	for i := range ones {
		ones[i] = 0xff
	}
	if got := pdq.Distance(zero, ones); got != 256 {
		t.Errorf("Distance(zero, ones) = %d, want 256", got)
	}
}

func TestTextMarshal(t *testing.T) {
	h, err := pdq.ParseHash("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]pdq.Hash{"pdq": h})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"pdq":"f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back map[string]pdq.Hash
	if err := json.Unmarshal(b, &back); err != nil || back["pdq"] != h {
		t.Errorf("round trip = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"pdq":"abc"}`), &back); !errors.Is(err, pdq.ErrMalformedHash) {
		t.Errorf("unmarshal short hash: error %v, want ErrMalformedHash", err)
	}
}
