package match_test

import "context"

// rctx is the context of searches in tests that have no testing.T at hand.
var rctx = context.Background()
