package registryevidence

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

// Source asks one registry about items and answers with their statements:
// in batches for askfirst audit (Match), and for askfirst check one target
// at a time (Statements), concurrent targets sharing POST /v1/match calls.
// A Source is safe for concurrent use; the zero batcher is ready.
type Source struct {
	Client *client.Client
	// Uses are the uses an item is unknown for when the registry cannot
	// answer; nil means all.
	Uses []signals.Use
	// Identify configures the codes Statements computes of content.
	Identify identify.Options

	batch batcher
}

// Match looks items up in calls of at most wire.MaxBatch and returns, per
// item, the statements of the declarations that apply (Statements). A
// call that fails returns the error (the caller then leaves every item
// unknown, never allowed); an item the registry could not read gets an
// unknown statement with its error. len(result) == len(items).
func (s *Source) Match(ctx context.Context, items []wire.MatchItem) ([][]signals.Statement, error) {
	out := make([][]signals.Statement, 0, len(items))
	for start := 0; start < len(items); start += wire.MaxBatch {
		end := min(start+wire.MaxBatch, len(items))
		rs, err := s.Client.Match(ctx, items[start:end])
		if err != nil {
			return nil, err
		}
		for _, res := range rs {
			out = append(out, Statements(s.Client.URL(), res, s.Uses))
		}
	}
	return out, nil
}

// Statements implements signals.RegistrySource: it asks about target by
// its URL, and by the codes of data when check has the content (a local
// file, or a URL fetched in full). A registry that cannot answer gives one
// unknown statement (Unreachable), never an error that would stop the
// check.
func (s *Source) Statements(ctx context.Context, target string, data []byte) ([]signals.Statement, error) {
	var it wire.MatchItem
	if data != nil {
		res, err := identify.Reader(ctx, identify.NameFromPath(target), bytes.NewReader(data), s.Identify)
		if res == nil {
			return nil, fmt.Errorf("compute the codes of %s: %w", target, err)
		}
		it = res.MatchItem()
	}
	if isHTTPURL(target) {
		it.URL = target
	}
	if it.IsZero() {
		return nil, nil
	}
	res, err := s.batch.match(ctx, s.Client, it)
	if err != nil {
		return []signals.Statement{Unreachable(s.Client.URL(), err, s.Uses)}, nil
	}
	return Statements(s.Client.URL(), res, s.Uses), nil
}

// Batching of concurrent lookups.
const (
	matchWindow   = 3 * time.Millisecond // how long the first caller waits for others
	matchBatchMax = 1000                 // items per call
)

// batcher coalesces concurrent lookups into one call: the first caller of
// a batch waits matchWindow for others to join, then sends them all and
// hands each its result. The zero value is ready to use.
type batcher struct {
	mu      sync.Mutex
	pending *batch
}

type batch struct {
	items []wire.MatchItem
	done  chan struct{}
	res   []wire.MatchResult
	err   error
}

func (b *batcher) match(ctx context.Context, c *client.Client, it wire.MatchItem) (wire.MatchResult, error) {
	b.mu.Lock()
	leader := false
	if b.pending == nil || len(b.pending.items) >= matchBatchMax {
		b.pending, leader = &batch{done: make(chan struct{})}, true
	}
	bt := b.pending
	i := len(bt.items)
	bt.items = append(bt.items, it)
	b.mu.Unlock()
	if leader {
		t := time.NewTimer(matchWindow)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		b.mu.Lock()
		if b.pending == bt {
			b.pending = nil
		}
		items := bt.items // no more joiners: bt is no longer pending
		b.mu.Unlock()
		if err := ctx.Err(); err != nil {
			bt.err = err
		} else {
			bt.res, bt.err = c.Match(ctx, items)
		}
		close(bt.done)
	} else {
		select {
		case <-bt.done:
		case <-ctx.Done():
			return wire.MatchResult{}, ctx.Err()
		}
	}
	if bt.err != nil {
		return wire.MatchResult{}, bt.err
	}
	return bt.res[i], nil
}

// isHTTPURL reports whether target is an http(s) URL rather than a file
// name.
func isHTTPURL(target string) bool {
	u, err := url.Parse(target)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
