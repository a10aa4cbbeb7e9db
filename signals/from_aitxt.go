package signals

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// aitxt fetches the origin's Spawning /ai.txt and maps the rule that
// matches the target for each token (digest §5): robots.txt syntax,
// longest match, allow wins ties; a Disallow denies G and T, an Allow
// grants them; the file is silent on search and ai-input. Only a file with
// robots-style User-Agent lines is read as Spawning's format (other files
// share the name). 4xx, 5xx and network failures mean no ai.txt.
func (in *Inspector) aitxt(ctx context.Context, u *url.URL) []Statement {
	fu := originOf(u) + "/ai.txt"
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: fu, Limit: MaxSiteFile, Truncate: true, Site: true})
	if err != nil || resp.Status/100 != 2 {
		return nil
	}
	r, _ := in.memoized(respKey("aitxt", resp), func() any {
		if !bytes.Contains(bytes.ToLower(resp.Body), []byte("user-agent")) {
			return (*robotstxt.Robots)(nil)
		}
		return robotstxt.Parse(resp.Body)
	}).(*robotstxt.Robots)
	if r == nil {
		return nil
	}
	path := robotstxt.PathOf(u)
	order, byToken := in.tokens()
	var out []Statement
	for _, tok := range order {
		d := r.Allowed(tok, path)
		if d.Rule == nil {
			continue
		}
		v := Deny
		if d.Rule.Allow {
			v = Allow
		}
		out = append(out, Statement{
			Mechanism: "ai.txt", Location: fmt.Sprintf("%s line %d", fu, d.Rule.Line),
			Value: fmt.Sprintf("%s (user-agent %s, for %s)", d.Rule, groupName(d.Group), tok),
			Uses:  restrict(effects(v, TrainGenAI, TrainAI), byToken[tok]),
		})
	}
	return out
}
