package capped_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/internal/capped"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		in      string
		limit   int64
		want    string
		tooLong bool
	}{
		{"", 4, "", false},
		{"abcd", 4, "abcd", false},
		{"abcde", 4, "abcd", true},
		{"abcdefgh", 0, "", true},
	} {
		got, err := capped.Read(strings.NewReader(tc.in), tc.limit)
		if string(got) != tc.want || errors.Is(err, capped.ErrTooLarge) != tc.tooLong {
			t.Errorf("Read(%q, %d) = %q, %v; want %q, too large %v", tc.in, tc.limit, got, err, tc.want, tc.tooLong)
		}
		if tc.tooLong && !strings.Contains(err.Error(), "cap") {
			t.Errorf("Read(%q, %d): error %q does not name the cap", tc.in, tc.limit, err)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("0123456789"), 0o644)
	if got, err := capped.ReadFile(p, 10); err != nil || string(got) != "0123456789" {
		t.Errorf("ReadFile at the cap: %q, %v", got, err)
	}
	if _, err := capped.ReadFile(p, 9); !errors.Is(err, capped.ErrTooLarge) || err.Error() != "read "+p+": over the 9-byte cap" {
		t.Errorf("ReadFile over the cap: %v", err)
	}
	if _, err := capped.ReadFile(dir, 9); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ReadFile of a directory: %v", err)
	}
	if _, err := capped.ReadFile(filepath.Join(dir, "missing"), 9); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}
