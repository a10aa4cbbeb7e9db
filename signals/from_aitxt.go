package signals

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/askfirst/askfirst/signals/aitxt"
	"github.com/askfirst/askfirst/signals/robotstxt"
)

// aitxt fetches the origin's Spawning /ai.txt (package aitxt parses it)
// and maps the rule that matches the target for each token (digest §5,
// §14.3): a Disallow denies G and T, an Allow grants them; the file is
// silent on search and ai-input. Files of other formats sharing the name
// are ignored; 4xx, 5xx and network failures mean no ai.txt.
func (in *Inspector) aitxt(ctx context.Context, u *url.URL) []Statement {
	fu := originOf(u) + "/ai.txt"
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: fu, Limit: aitxt.MaxSize, Truncate: true, Site: true})
	if err != nil || resp.Status/100 != 2 {
		return nil
	}
	f, _ := in.memoized(respKey("aitxt", resp), func() any {
		parse := aitxt.Parse
		if resp.Truncated {
			// A cut last line could grant more than was written.
			parse = aitxt.ParseTruncated
		}
		f, err := parse(resp.Body)
		if err != nil {
			return (*aitxt.File)(nil)
		}
		return f
	}).(*aitxt.File)
	if f == nil {
		return nil
	}
	path := robotstxt.PathOf(u)
	order, byToken := in.tokens()
	var out []Statement
	for _, tok := range order {
		d := f.Evaluate(tok, path)
		var v Verdict
		switch d.Match {
		case aitxt.Disallow:
			v = Deny
		case aitxt.Allow:
			v = Allow
		default:
			continue
		}
		out = append(out, Statement{
			Mechanism: "ai.txt", Location: fmt.Sprintf("%s line %d", fu, d.Rule.Line),
			Value: fmt.Sprintf("%s (user-agent %s, for %s)", d.Rule, groupName(d.Group), tok),
			Uses:  restrict(effects(v, TrainGenAI, TrainAI), byToken[tok]),
		})
	}
	return stamp(out, resp.Fetched, digest(resp.Body))
}
