package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/internal/registryevidence"
)

const worksUsage = "list [--limit N] [--after ID] [--json]\n\n" +
	"Lists the works your account owns on the registry, by ID, each with the declaration that\n" +
	"applies to it today: of your current declarations the most specific — on the work, on a URL\n" +
	"prefix or the domain of a URL it is published at, on all your works — the newest among\n" +
	"equals. With --json one object per work per line (JSON Lines): {\"work\": {...},\n" +
	"\"declaration\": {...}}, the declaration absent when none applies."

func runWorks(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stderr, "Usage: askfirst works %s\n", worksUsage)
			return ExitOK
		}
		e.errorf("works: want 'works list'")
		e.hintf("askfirst works list --limit 20")
		return ExitUsage
	}
	fs := e.newFlagSet("works list", worksUsage[len("list "):])
	rf := e.addRegistryFlags(fs)
	pf := addPageFlags(fs, "works")
	jsonOut := fs.Bool("json", false, "print one JSON object per work per line (JSON Lines)")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("works list: unexpected argument %q", fs.Arg(0))
		return ExitUsage
	}
	if code := pf.check(e, "works list"); code >= 0 {
		return code
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	n := 0
	more, err := pf.each(ctx, func(ctx context.Context, after string, limit int) (string, int, error) {
		l, err := c.OwnWorks(ctx, after, limit)
		if err != nil {
			return "", 0, err
		}
		for _, ow := range l.Works {
			n++
			if *jsonOut {
				printJSON(e, ow)
				continue
			}
			w := ow.Work
			name := w.Title
			if name == "" {
				name = "(untitled)"
			}
			code := w.ISCC
			if code == "" {
				code = w.Datahash
			}
			fmt.Fprintf(e.stdout, "%s  %q  %s  log %d\n", w.ID, name, code, w.LogIndex)
			d := ow.Declaration
			if d == nil {
				fmt.Fprintf(e.stdout, "  no declaration applies\n")
				continue
			}
			fmt.Fprintf(e.stdout, "  declaration %s on %s (log %d): %s\n", d.ID, d.Subject, d.LogIndex, registryevidence.TermsString(d.Terms))
		}
		return l.Next, len(l.Works), nil
	})
	if err != nil {
		return e.apiError("works list", err, c.URL())
	}
	switch {
	case *jsonOut:
	case n == 0:
		fmt.Fprintf(e.stdout, "no works registered by this account at %s\n", c.URL())
	case more != "":
		fmt.Fprintf(e.stdout, "more: askfirst works list --after %s\n", more)
	}
	return ExitOK
}
