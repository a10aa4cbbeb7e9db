package fetch

import (
	"context"
	"errors"

	"github.com/askfirst/askfirst/signals"
)

// Signals is the fetcher of package signals (signals.Fetcher) over c:
// what askfirst check and askfirst audit inspect URLs with. Errors keep the
// fetch error and are marked with the signals sentinel of the same case
// (ErrTooManyRedirects, ErrBlockedAddress as signals.ErrRefused).
func (c *Client) Signals() signals.Fetcher { return signalsFetcher{c} }

// signalsFetcher adapts a Client to signals.Fetcher.
type signalsFetcher struct{ c *Client }

// markedError keeps the fetch error and marks it with the signals
// sentinel of the same case.
type markedError struct{ err, mark error }

func (e markedError) Error() string   { return e.err.Error() }
func (e markedError) Unwrap() []error { return []error{e.err, e.mark} }

func (f signalsFetcher) Fetch(ctx context.Context, req signals.FetchRequest) (*signals.FetchResponse, error) {
	r, err := f.c.Do(ctx, Request{Method: req.Method, URL: req.URL, Limit: req.Limit, Truncate: req.Truncate, Site: req.Site})
	if err != nil {
		switch {
		case errors.Is(err, ErrTooManyRedirects):
			return nil, markedError{err, signals.ErrTooManyRedirects}
		case errors.Is(err, ErrBlockedAddress):
			return nil, markedError{err, signals.ErrRefused}
		}
		return nil, err
	}
	return &signals.FetchResponse{URL: r.URL, Chain: r.Chain, Status: r.Status, Header: r.Header, Body: r.Body, Truncated: r.Truncated, Fetched: r.Fetched}, nil
}
