package contentsignal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/contentsignal"
)

func TestParse(t *testing.T) {
	const (
		U = contentsignal.Unset
		Y = contentsignal.Yes
		N = contentsignal.No
	)
	for _, tc := range []struct {
		in                   string
		search, input, train contentsignal.Value
		other                []contentsignal.Pair
		warnings             int
	}{
		// contentsignals.org and Cloudflare's managed robots.txt.
		{"search=yes, ai-input=yes, ai-train=no", Y, Y, N, nil, 0},
		{"search=yes,ai-train=no", Y, U, N, nil, 0},
		{"search=yes,ai-train=no,use=reference", Y, U, N, []contentsignal.Pair{{Key: "use", Value: "reference"}}, 0},
		{"Search=YES, AI-Train = No", Y, U, N, nil, 0},
		{"ai-train=n, ai-input=1", U, U, U, nil, 2},
		{"ai-train=yes, ai-train=no", U, U, N, nil, 1},
		{"ai-train, =no,,", U, U, U, nil, 2},
		{"", U, U, U, nil, 0},
	} {
		s := contentsignal.Parse(tc.in)
		if s.Search != tc.search || s.AIInput != tc.input || s.AITrain != tc.train {
			t.Errorf("Parse(%q) = search %v, ai-input %v, ai-train %v; want %v, %v, %v", tc.in, s.Search, s.AIInput, s.AITrain, tc.search, tc.input, tc.train)
		}
		if diff := cmp.Diff(tc.other, s.Other); diff != "" {
			t.Errorf("Parse(%q).Other (-want +got):\n%s", tc.in, diff)
		}
		if len(s.Warnings) != tc.warnings {
			t.Errorf("Parse(%q).Warnings = %q, want %d", tc.in, s.Warnings, tc.warnings)
		}
	}
}

func TestCombine(t *testing.T) {
	s := contentsignal.Combine(contentsignal.Parse("search=yes,ai-train=yes"), contentsignal.Parse("ai-train=no, ai-input=yes"))
	if got := s.String(); got != "search=yes, ai-input=yes, ai-train=no" {
		t.Errorf("Combine = %q", got)
	}
	if !contentsignal.Combine().IsZero() {
		t.Errorf("Combine() not zero")
	}
}

func TestLimit(t *testing.T) {
	s := contentsignal.Parse("ai-train=no," + strings.Repeat(" ", contentsignal.MaxLen) + ",search=yes")
	if s.AITrain != contentsignal.No || s.Search != contentsignal.Unset || len(s.Warnings) != 1 {
		t.Errorf("oversized value: %+v, want ai-train=no only and one warning", s)
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.txt")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := contentsignal.Parse(in)
		again := contentsignal.Parse(s.String())
		if again.Search != s.Search || again.AIInput != s.AIInput || again.AITrain != s.AITrain {
			t.Fatalf("Parse(%q) = %q does not round-trip", in, s.String())
		}
	})
}
