package signals

import (
	"context"
	"fmt"
	"net/url"
)

// Site gathers the statements that the site-wide files of rawURL's origin
// make about it, without fetching rawURL itself: the robots.txt fetch gate
// and its records for each use's token, tdmrep.json, ai.txt and the RSL
// documents robots.txt names. Dataset audits use it to check millions of
// URLs with one set of requests per origin (`askfirst audit --fetch none`).
// Signals only the item's own response carries (headers, HTML meta,
// embedded metadata) are not seen; URL sees them.
func (in *Inspector) Site(ctx context.Context, rawURL string) ([]Statement, error) {
	if in.Fetcher == nil {
		return nil, fmt.Errorf("check %s: no fetcher", rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("check %s: not an http or https URL", rawURL)
	}
	u.Fragment = ""
	gate := in.gate(ctx, u)
	if gate.site.refused != nil {
		return nil, fmt.Errorf("check %s: %w", rawURL, gate.site.refused)
	}
	out := append([]Statement(nil), gate.stmts...)
	out = append(out, in.fromRobotsRecords(ctx, u, gate)...)
	if !gate.deniedAll {
		out = append(out, in.fromSiteFiles(ctx, u)...)
	}
	return in.withRegistry(ctx, u.String(), nil, out), nil
}
