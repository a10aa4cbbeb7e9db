package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

const declarationsUsage = "list [--limit N] [--after ID] [--json]\n\n" +
	"Lists the declarations your account made on the registry (for itself, and for members it\n" +
	"acts for), by ID, current and superseded. With --json one object per declaration per line\n" +
	"(JSON Lines); \"superseded_by\" is set on those no longer current."

var declarationsList = lister[wire.Declaration]{
	name: "declarations list", synopsis: declarationsUsage[len("list "):], what: "declarations", token: true,
	page: func(ctx context.Context, c *client.Client, after string, limit int) ([]wire.Declaration, string, error) {
		l, err := c.OwnDeclarations(ctx, after, limit)
		return l.Declarations, l.Next, err
	},
	show: func(e *env, d wire.Declaration) {
		line := fmt.Sprintf("%s  on %s (log %d): %s", d.ID, d.Subject, d.LogIndex, registryevidence.TermsString(d.Terms))
		if d.OnBehalfOf != "" {
			line += "; for " + d.OnBehalfOf
		}
		if d.Signed {
			line += "; self-signed"
		}
		if d.SupersededBy != "" {
			line += "; superseded by " + d.SupersededBy
		}
		fmt.Fprintln(e.stdout, line)
	},
	none: "no declarations made by this account at %s",
}

func runDeclarations(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stderr, "Usage: askfirst declarations %s\n", declarationsUsage)
			return ExitOK
		}
		e.errorf("declarations: want 'declarations list'")
		e.hintf("askfirst declarations list --limit 20")
		return ExitUsage
	}
	return declarationsList.run(ctx, e, args[1:])
}
