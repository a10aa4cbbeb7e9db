package audit

import (
	"context"

	"github.com/askfirst/askfirst/signals"
)

// InspectorChecker adapts a signals.Inspector to Checker.
type InspectorChecker struct{ In *signals.Inspector }

// CheckURL gathers the statements about rawURL under mode: the site files
// only for FetchNone, the item's response too otherwise (FetchHead fetches
// like FetchFull for now: signals.Inspector has no header-only path yet).
func (c InspectorChecker) CheckURL(ctx context.Context, rawURL string, mode FetchMode) ([]signals.Statement, error) {
	if mode == FetchNone {
		return c.In.Site(ctx, rawURL)
	}
	return c.In.URL(ctx, rawURL)
}

// CheckFile gathers the statements embedded in data.
func (c InspectorChecker) CheckFile(ctx context.Context, name string, data []byte) []signals.Statement {
	return c.In.File(ctx, name, data)
}
