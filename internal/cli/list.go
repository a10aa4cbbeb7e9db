package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/wire"
)

// lister is one list command of a registry (works list, declarations
// list, campaign list): the flags --limit, --after and --json, the pages
// fetched one after another, one line per item.
type lister[T any] struct {
	name     string // "works list"
	synopsis string
	what     string // "works", in the flags' help
	token    bool   // the list is the caller's: a token is required
	// page fetches the page of up to limit items after the cursor after.
	page func(ctx context.Context, c *client.Client, after string, limit int) (items []T, next string, err error)
	// show prints one item for people.
	show func(e *env, item T)
	// none is printed for people when the list is empty (with the
	// registry's URL for %s).
	none string
}

// run runs the list command with args and returns the exit code.
func (l lister[T]) run(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet(l.name, l.synopsis)
	rf := e.addRegistryFlags(fs)
	limit := fs.Int("limit", 0, "list at most N "+l.what+" (default: all)")
	after := fs.String("after", "", "list the "+l.what+" after this ID (where an earlier --limit stopped)")
	jsonOut := fs.Bool("json", false, "print one JSON object per item per line (JSON Lines)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("%s: unexpected argument %q", l.name, fs.Arg(0))
		return ExitUsage
	}
	if *limit < 0 {
		e.errorf("%s: --limit %d: want a positive number, or 0 for all", l.name, *limit)
		return ExitUsage
	}
	c, code := e.registryClient(rf, l.token)
	if code >= 0 {
		return code
	}
	n, cursor, left := 0, *after, *limit
	more := ""
	for {
		size := wire.MaxPageSize
		if *limit > 0 {
			size = min(size, left)
		}
		items, next, err := l.page(ctx, c, cursor, size)
		if err != nil {
			return e.apiError(l.name, err, c.URL())
		}
		for _, it := range items {
			if *jsonOut {
				printJSON(e, it)
			} else {
				l.show(e, it)
			}
		}
		n += len(items)
		left -= len(items)
		if next == "" {
			break
		}
		if *limit > 0 && left <= 0 {
			more = next
			break
		}
		cursor = next
	}
	switch {
	case *jsonOut:
	case n == 0:
		fmt.Fprintf(e.stdout, l.none+"\n", c.URL())
	case more != "":
		fmt.Fprintf(e.stdout, "more: askfirst %s --after %s\n", l.name, more)
	}
	return ExitOK
}
