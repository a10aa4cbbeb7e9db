package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

const worksUsage = "list [--limit N] [--after ID] [--json]\n\n" +
	"Lists the works your account owns on the registry, by ID, each with what your current\n" +
	"declarations decide for it, use by use: of those that speak about a use, the most specific\n" +
	"decides it — on the work, on a URL prefix or the domain of a URL it is published at, on all\n" +
	"your works — the newest among equals (a delegate's never less strictly than your own).\n" +
	"With --json one object per work per line (JSON Lines): {\"work\": {...}, \"declaration\": {...},\n" +
	"\"declarations\": [...]}, each declaration with its \"uses\" (what it decides, or which\n" +
	"declaration outranks it and why); declaration is the most specific that decides a use."

var worksList = lister[wire.OwnWork]{
	name: "works list", synopsis: worksUsage[len("list "):], what: "works", token: true,
	page: func(ctx context.Context, c *client.Client, after string, limit int) ([]wire.OwnWork, string, error) {
		l, err := c.OwnWorks(ctx, after, limit)
		return l.Works, l.Next, err
	},
	show: func(e *env, ow wire.OwnWork) {
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
		decided := false
		for _, u := range registryevidence.Deciding(ow.Declarations) {
			decided = true
			fmt.Fprintf(e.stdout, "  %-12s %s  by %s on %s (log %d)\n", u.Use, u.Decision+u.Offer, u.Declaration.ID, u.Declaration.Subject, u.Declaration.LogIndex)
		}
		if !decided {
			fmt.Fprintf(e.stdout, "  no declaration applies\n")
		}
	},
	none: "no works registered by this account at %s",
}

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
	return worksList.run(ctx, e, args[1:])
}
