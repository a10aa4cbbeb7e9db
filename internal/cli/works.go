package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

const worksUsage = "list [--limit N] [--after ID] [--json]\n\n" +
	"Lists the works your account owns on the registry, by ID, each with the declaration that\n" +
	"applies to it today: of your current declarations the most specific — on the work, on a URL\n" +
	"prefix or the domain of a URL it is published at, on all your works — the newest among\n" +
	"equals. With --json one object per work per line (JSON Lines): {\"work\": {...},\n" +
	"\"declaration\": {...}}, the declaration absent when none applies."

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
		if d := ow.Declaration; d != nil {
			fmt.Fprintf(e.stdout, "  declaration %s on %s (log %d): %s\n", d.ID, d.Subject, d.LogIndex, registryevidence.TermsString(d.Terms))
		} else {
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
