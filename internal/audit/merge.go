package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Merge combines the outputs of the --shard runs in dirs into out, as if
// one run had audited everything: it checks that the runs used the same
// settings and distinct shards of the same N, then derives every output
// from their journals. Items no shard decided are reported as incomplete.
func Merge(ctx context.Context, out string, dirs []string) (*Summary, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("audit merge: no shard folders")
	}
	var first *Header
	seen := map[int]string{}
	for _, d := range dirs {
		h, err := readHeader(filepath.Join(d, headerName))
		if err != nil {
			return nil, fmt.Errorf("audit merge: %s is not an audit output folder: %w", d, err)
		}
		if first == nil {
			first = h
		} else if err := first.sameSettings(h); err != nil {
			return nil, fmt.Errorf("audit merge: %s and %s were run with different settings: %v", dirs[0], d, err)
		}
		if h.Shards != first.Shards {
			return nil, fmt.Errorf("audit merge: %s is shard %d/%d but %s is of %d shards", d, h.Shard, h.Shards, dirs[0], first.Shards)
		}
		if prev, dup := seen[h.Shard]; dup {
			return nil, fmt.Errorf("audit merge: %s and %s are both shard %d/%d", prev, d, h.Shard, h.Shards)
		}
		seen[h.Shard] = d
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	merged := *first
	merged.Shard, merged.Shards = 0, first.Shards
	merged.Started = time.Now().UTC().Format(time.RFC3339)
	period := Period{}
	for _, d := range dirs {
		h, _ := readHeader(filepath.Join(d, headerName))
		if period.Start == "" || h.Started < period.Start {
			period.Start = h.Started
		}
		if h.Finished > period.End {
			period.End = h.Finished
		}
	}
	// The merged journal is the shards' journals one after the other; the
	// merged folder is then an audit output like any other.
	if err := copyJournal(filepath.Join(out, journalName), dirs); err != nil {
		return nil, fmt.Errorf("audit merge: %w", err)
	}
	os.Remove(filepath.Join(out, journalGzName))
	merged.Finished = period.End
	b, _ := jsonIndent(&merged)
	if err := writeFileSync(filepath.Join(out, headerName), b); err != nil {
		return nil, err
	}
	sum, err := finish(ctx, out, &merged, period, false)
	if err != nil {
		return nil, err
	}
	if err := compressJournal(out); err != nil {
		return nil, fmt.Errorf("audit merge: %w", err)
	}
	return sum, nil
}
