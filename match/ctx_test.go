package match_test

import (
	"context"
	"flag"
)

// rctx is the context of searches in tests that have no testing.T at hand.
var rctx = context.Background()

var update = flag.Bool("update", false, "rewrite testdata/snapshot seeds")
