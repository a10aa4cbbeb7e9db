package iscc

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestFormatES6(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1.5, "-1.5"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
		{1e-6, "0.000001"}, {1e-7, "1e-7"}, {123456789012345680000, "123456789012345680000"},
		{0.1, "0.1"}, {4.5, "4.5"}, {0.002, "0.002"}, {1e-27, "1e-27"}, {1e30, "1e+30"},
		{5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{333333333.3333333, "333333333.3333333"}, {-0.0000033, "-0.0000033"},
	}
	for _, tt := range tests {
		got, err := formatES6(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("formatES6(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestFormatES6Node compares number formatting with a JavaScript engine's
// String(x) (testdata/es6_numbers.json: IEEE-754 bit patterns and node's
// output for special values, random doubles and short decimals).
func TestFormatES6Node(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "es6_numbers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases [][2]string `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 1000 {
		t.Fatalf("only %d cases", len(file.Cases))
	}
	for _, c := range file.Cases {
		bits, err := strconv.ParseUint(c[0], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		f := math.Float64frombits(bits)
		if got, err := formatES6(f); err != nil || got != c[1] {
			t.Errorf("formatES6(%v [%s]) = %q, %v; node %q", f, c[0], got, err, c[1])
		}
	}
}
