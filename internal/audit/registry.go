package audit

import (
	"context"

	"github.com/askfirst/askfirst/internal/client"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
)

// ClientRegistry is the Registry of an askfirst registry reached over its
// HTTP API: each query goes to POST /v1/match with its URL and content
// codes, at most registry.MaxBatch per call, and each declaration that
// applies becomes a "registry" statement located at its receipt
// (registryevidence.Statements: deny broadly, grant narrowly).
type ClientRegistry struct {
	Client *client.Client
	// Uses are the uses a failed item is unknown for; nil means all.
	Uses []signals.Use
}

// Match implements Registry. A call that fails returns the error (Run
// then leaves every item of the batch unknown, never allowed); an item the
// registry could not read gets an unknown statement with its error.
func (r ClientRegistry) Match(ctx context.Context, queries []Query) ([][]signals.Statement, error) {
	out := make([][]signals.Statement, 0, len(queries))
	for start := 0; start < len(queries); start += registry.MaxBatch {
		end := min(start+registry.MaxBatch, len(queries))
		items := make([]registry.MatchItem, 0, end-start)
		for _, q := range queries[start:end] {
			it := registry.MatchItem{URL: q.URL, ISCC: q.ISCC, Datahash: q.Datahash, PDQ: q.PDQ}
			if u := q.Units; u != nil {
				for _, c := range []string{u.Meta, u.Content, u.Data, u.Instance} {
					if c != "" {
						it.Units = append(it.Units, c)
					}
				}
			}
			items = append(items, it)
		}
		rs, err := r.Client.Match(ctx, items)
		if err != nil {
			return nil, err
		}
		for _, res := range rs {
			out = append(out, registryevidence.Statements(r.Client.URL(), res, r.Uses))
		}
	}
	return out, nil
}
