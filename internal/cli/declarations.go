package cli

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/internal/registryevidence"
)

const declarationsUsage = "list [--limit N] [--after ID] [--json]\n\n" +
	"Lists the declarations your account made on the registry (for itself, and for members it\n" +
	"acts for), by ID, current and superseded. With --json one object per declaration per line\n" +
	"(JSON Lines); \"superseded_by\" is set on those no longer current."

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
	fs := e.newFlagSet("declarations list", declarationsUsage[len("list "):])
	rf := e.addRegistryFlags(fs)
	pf := addPageFlags(fs, "declarations")
	jsonOut := fs.Bool("json", false, "print one JSON object per declaration per line (JSON Lines)")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("declarations list: unexpected argument %q", fs.Arg(0))
		return ExitUsage
	}
	if code := pf.check(e, "declarations list"); code >= 0 {
		return code
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	n := 0
	more, err := pf.each(ctx, func(ctx context.Context, after string, limit int) (string, int, error) {
		l, err := c.OwnDeclarations(ctx, after, limit)
		if err != nil {
			return "", 0, err
		}
		for _, d := range l.Declarations {
			n++
			if *jsonOut {
				printJSON(e, d)
				continue
			}
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
		}
		return l.Next, len(l.Declarations), nil
	})
	if err != nil {
		return e.apiError("declarations list", err, c.URL())
	}
	switch {
	case *jsonOut:
	case n == 0:
		fmt.Fprintf(e.stdout, "no declarations made by this account at %s\n", c.URL())
	case more != "":
		fmt.Fprintf(e.stdout, "more: askfirst declarations list --after %s\n", more)
	}
	return ExitOK
}
