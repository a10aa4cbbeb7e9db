package iscc

import (
	"bytes"
	"testing"
)

// Header encodings asserted by iscc-core v1.3 tests/test_codec.py.
func TestVarnibbleHeader(t *testing.T) {
	tests := []struct {
		f    [4]int
		want []byte
	}{
		{[4]int{0, 0, 0, 0}, []byte{0b0000_0000, 0b0000_0000}},
		{[4]int{1, 0, 0, 0}, []byte{0b0001_0000, 0b0000_0000}},
		{[4]int{7, 1, 1, 1}, []byte{0b0111_0001, 0b0001_0001}},
		{[4]int{8, 1, 1, 1}, []byte{0b1000_0000, 0b0001_0001, 0b0001_0000}},
		{[4]int{8, 8, 1, 1}, []byte{0b1000_0000, 0b1000_0000, 0b0001_0001}},
		{[4]int{71, 72, 583, 584}, nil}, // uint8 MainType and SubType limit the first two fields
		{[4]int{0, 0, 0, 4679}, []byte{0x00, 0x0e, 0xff, 0xf0}},
	}
	for _, tt := range tests {
		got, err := encodeHeader(MainType(tt.f[0]), SubType(tt.f[1]), tt.f[2], tt.f[3])
		if err != nil {
			t.Fatalf("encodeHeader(%v): %v", tt.f, err)
		}
		if tt.want != nil && !bytes.Equal(got, tt.want) {
			t.Errorf("encodeHeader(%v) = %08b, want %08b", tt.f, got, tt.want)
		}
		// Decoding the varnibbles gives the values back.
		pos := 0
		for i, want := range tt.f {
			var v int
			v, pos, err = readVarnibble(got, pos)
			if err != nil || v != want {
				t.Errorf("readVarnibble(%08b) field %d = %d, %v; want %d", got, i, v, err, want)
			}
		}
	}
	if _, err := encodeHeader(0, 0, 0, 4680); err == nil {
		t.Error("encodeHeader(length 4680) succeeded, want an error")
	}
	if _, _, err := readVarnibble([]byte{0xf0}, 0); err == nil {
		t.Error("readVarnibble(1111...) succeeded, want an error")
	}
	if _, _, err := readVarnibble([]byte{0xe0}, 0); err == nil {
		t.Error("readVarnibble(truncated 4-nibble value) succeeded, want an error")
	}
}
