package cli

import (
	"strings"
	"testing"
)

func TestShortenQuoted(t *testing.T) {
	long := strings.Repeat("a", 90)
	for _, tc := range []struct{ in, want string }{
		{`reserved by noai at https://x/`, `reserved by noai at https://x/`},
		{`reserved by tdmrep "1" at https://x/`, `reserved by tdmrep "1" at https://x/`},
		{`reserved by registry "` + long + `" at https://x/`, `reserved by registry "` + strings.Repeat("a", 80) + `..." at https://x/`},
		{`granted by a "` + long + `", but b "x \"q\"" could not be checked`, `granted by a "` + strings.Repeat("a", 80) + `...", but b "x \"q\"" could not be checked`},
		{`cut "` + strings.Repeat("é", 50) + `"`, `cut "` + strings.Repeat("é", 40) + `..."`},
		{`unbalanced "quote`, `unbalanced "quote`},
	} {
		if got := shortenQuoted(tc.in, 80); got != tc.want {
			t.Errorf("shortenQuoted(%q):\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
