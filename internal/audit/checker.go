package audit

import (
	"context"

	"github.com/askfirst/askfirst/signals"
)

// InspectorChecker adapts a signals.Inspector to Checker. Make it with
// NewInspectorChecker.
type InspectorChecker struct{ In *signals.Inspector }

// NewInspectorChecker returns the Checker of in. It sets in.Registry to a
// source that asks no registry but hands CheckURL the bytes the Inspector
// read for the target, exactly those askfirst check identifies; a source
// already set is still asked. The audit asks the registry itself, in
// batches.
func NewInspectorChecker(in *signals.Inspector) InspectorChecker {
	in.Registry = bodyCapture{next: in.Registry}
	return InspectorChecker{In: in}
}

// CheckURL gathers the statements about rawURL under mode: the site files
// only for FetchNone, also the response headers for FetchHead, and the
// whole response (HTML head, embedded metadata) for FetchFull, whose bytes
// it returns when the answer was a 2xx.
func (c InspectorChecker) CheckURL(ctx context.Context, rawURL string, mode FetchMode) ([]signals.Statement, []byte, error) {
	var body []byte
	ctx = context.WithValue(ctx, captureKey{}, &body)
	var stmts []signals.Statement
	var err error
	switch mode {
	case FetchNone:
		stmts, err = c.In.Site(ctx, rawURL)
	case FetchHead:
		stmts, err = c.In.Head(ctx, rawURL)
	default:
		stmts, err = c.In.URL(ctx, rawURL)
	}
	return stmts, body, err
}

// CheckFile gathers the statements embedded in data.
func (c InspectorChecker) CheckFile(ctx context.Context, name string, data []byte) []signals.Statement {
	return c.In.File(ctx, name, data)
}

// bodyCapture is the signals.RegistrySource of an audit's Inspector: it
// stores the bytes the Inspector read for a target where CheckURL's
// context points.
type bodyCapture struct{ next signals.RegistrySource }

type captureKey struct{}

func (b bodyCapture) Statements(ctx context.Context, target string, data []byte) ([]signals.Statement, error) {
	if p, ok := ctx.Value(captureKey{}).(*[]byte); ok && p != nil {
		*p = data
	}
	if b.next == nil {
		return nil, nil
	}
	return b.next.Statements(ctx, target, data)
}
