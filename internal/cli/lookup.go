package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

// lookupJSON is one line of lookup --json.
type lookupJSON struct {
	// Target is what was looked up: a file, a URL or an ISCC, as given or
	// found in a folder.
	Target string `json:"target"`
	// Path is the local file looked up (the "path" of askfirst id).
	Path string `json:"path,omitempty"`
	// Item is what the registry was asked: the file's codes, the URL or
	// the ISCC.
	Item         wire.MatchItem            `json:"item"`
	Matches      []wire.WorkMatch          `json:"matches"`
	Declarations []wire.AppliedDeclaration `json:"declarations"`
	// PossibleMatches failed confirmation: shown, never deciding.
	PossibleMatches []wire.PossibleMatch `json:"possible_matches,omitempty"`
	// Restricted reports that a declaration decides a use as deny or
	// license.
	Restricted bool   `json:"restricted"`
	Error      string `json:"error,omitempty"`
}

func runLookup(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("lookup", "[--json] FILE|URL|ISCC...\n\n"+
		"Looks each target up in the registry: a file by its content codes, computed on this machine\n"+
		"(the file is not sent), a URL by its address and domain, an ISCC by its units.\n"+
		"Each declaration found is shown per use: what it decides, or which declaration of the same\n"+
		"party outranks it and why; works within a threshold that failed confirmation are shown as\n"+
		"possible matches, which decide nothing.\n"+
		"Exit code 3 when a declaration found decides a use as deny or licence.")
	rf := e.addRegistryFlags(fs)
	jsonOut := fs.Bool("json", false, "print one JSON object per target per line (JSON Lines)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		e.errorf("lookup: nothing to look up")
		e.hintf("askfirst lookup photo.jpg https://example.com/photo.jpg ISCC:KEC...")
		return ExitUsage
	}
	c, code := e.registryClient(rf, false)
	if code >= 0 {
		return code
	}
	type target struct {
		name, path string
		item       wire.MatchItem
		err        error
	}
	var targets []target
	opts := identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG")}
	for _, a := range fs.Args() {
		switch {
		case isURL(a):
			targets = append(targets, target{name: a, item: wire.MatchItem{URL: a}})
			continue
		case strings.HasPrefix(strings.ToUpper(a), "ISCC:"):
			targets = append(targets, target{name: a, item: wire.MatchItem{ISCC: a}})
			continue
		}
		list, code := e.idInputs([]string{a})
		if code >= 0 {
			return code
		}
		for _, j := range list {
			if j.err == nil {
				j.res, j.err = identify.File(ctx, j.path, opts)
			}
			t := target{name: j.path, path: j.path, err: j.err}
			if j.res != nil {
				t.item, t.err = j.res.MatchItem(), nil
				if j.err != nil {
					e.warnf("%v; looked up by its Data- and Instance-Code only", j.err)
				}
			}
			targets = append(targets, t)
		}
	}
	var items []wire.MatchItem
	var idx []int
	for i, t := range targets {
		if t.err == nil {
			items = append(items, t.item)
			idx = append(idx, i)
		}
	}
	results := make([]*wire.MatchResult, len(targets))
	for start := 0; start < len(items); start += wire.MaxBatch {
		end := min(start+wire.MaxBatch, len(items))
		rs, err := c.Match(ctx, items[start:end])
		if err != nil {
			return e.apiError("lookup", err, c.URL())
		}
		for k := range rs {
			results[idx[start+k]] = &rs[k]
		}
	}
	failed, restricted := false, false
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for i, t := range targets {
		out := lookupJSON{Target: t.name, Path: t.path, Item: t.item, Matches: []wire.WorkMatch{}, Declarations: []wire.AppliedDeclaration{}}
		switch {
		case t.err != nil:
			failed = true
			out.Error = t.err.Error()
			e.errorf("lookup %s: %v", t.name, t.err)
		case results[i].Error != "":
			failed = true
			out.Error = results[i].Error
			e.errorf("lookup %s: %s", t.name, results[i].Error)
		default:
			res := registryevidence.Resolved(*results[i])
			out.Matches, out.Declarations, out.PossibleMatches = res.Matches, res.Declarations, res.PossibleMatches
			out.Restricted = restricts(out.Declarations)
			restricted = restricted || out.Restricted
		}
		if *jsonOut {
			enc.Encode(out)
			continue
		}
		if out.Error == "" {
			printLookup(e, c, out)
		}
	}
	switch {
	case failed:
		return ExitFailure
	case restricted:
		return ExitDenied
	}
	return ExitOK
}

// restricts reports whether a declaration decides a use as deny or
// license (whatever the confidence of the match: reservations count).
func restricts(ds []wire.AppliedDeclaration) bool {
	for _, d := range registryevidence.Deciding(ds) {
		if d.Decision == wire.DecisionDeny || d.Decision == wire.DecisionLicense {
			return true
		}
	}
	return false
}

func printLookup(e *env, c *client.Client, r lookupJSON) {
	fmt.Fprintf(e.stdout, "%s\n", r.Target)
	if len(r.Matches) == 0 && len(r.Declarations) == 0 && len(r.PossibleMatches) == 0 {
		fmt.Fprintf(e.stdout, "  nothing registered\n")
		return
	}
	for _, m := range r.Matches {
		line := "  " + registryevidence.MatchString(m)
		if m.Title != "" {
			line += fmt.Sprintf(", %q", m.Title)
		}
		if m.Creator != "" {
			line += " by " + m.Creator
		}
		fmt.Fprintf(e.stdout, "%s; owner %s\n", line, m.Account)
	}
	for _, d := range r.Declarations {
		who := d.Account
		if d.AccountName != "" {
			who = fmt.Sprintf("%q (%s)", d.AccountName, d.Account)
		}
		if d.OnBehalfOf != "" {
			who += " for " + d.OnBehalfOf
			if d.OnBehalfOfName != "" {
				who = fmt.Sprintf("%s %q", who, d.OnBehalfOfName)
			}
		}
		via := d.AppliesVia
		if d.Confidence != "" {
			via += ", " + d.Confidence
		}
		signed := ""
		if d.Signed {
			signed = ", self-signed"
		}
		fmt.Fprintf(e.stdout, "  declaration %s by %s on %s (via %s%s)\n", d.ID, who, d.Subject, via, signed)
		for _, o := range d.Uses {
			line := "    " + o.Use + ": " + o.Decision
			if o.Offer != nil {
				line += registryevidence.OfferString(*o.Offer)
			}
			if o.From != "" {
				line += " (by its " + o.From + " term)"
			}
			switch {
			case o.Status != wire.StatusDecides:
				line += " -- " + o.Status + ": " + o.Why
			case o.Why != "":
				line += " -- " + o.Why
			}
			fmt.Fprintln(e.stdout, line)
		}
		fmt.Fprintf(e.stdout, "    evidence: %s\n", c.ReceiptURL(d.LogIndex))
	}
	for _, p := range r.PossibleMatches {
		line := "  possible match, not confirmed: work " + p.Work
		if p.Title != "" {
			line += fmt.Sprintf(" %q", p.Title)
		}
		if p.Creator != "" {
			line += " by " + p.Creator
		}
		fmt.Fprintf(e.stdout, "%s; owner %s\n    found on %s at distance %d, but %s; it decides nothing\n", line, p.Account, p.Unit, p.Distance, p.Why)
	}
}
