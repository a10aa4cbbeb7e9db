package audit

import (
	"context"

	"github.com/askfirst/askfirst/signals"
)

// InspectorChecker adapts a signals.Inspector to Checker.
type InspectorChecker struct{ In *signals.Inspector }

// CheckURL gathers the statements about rawURL under mode: the site files
// only for FetchNone, also the response headers for FetchHead, and the
// whole response (HTML head, embedded metadata) for FetchFull.
func (c InspectorChecker) CheckURL(ctx context.Context, rawURL string, mode FetchMode) ([]signals.Statement, error) {
	switch mode {
	case FetchNone:
		return c.In.Site(ctx, rawURL)
	case FetchHead:
		return c.In.Head(ctx, rawURL)
	}
	return c.In.URL(ctx, rawURL)
}

// CheckFile gathers the statements embedded in data.
func (c InspectorChecker) CheckFile(ctx context.Context, name string, data []byte) []signals.Statement {
	return c.In.File(ctx, name, data)
}
