package robotstxt_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestCorpusGolden records every decision on the realistic corpus (the
// benchmark's files and queries) with its evidence, so that any change of
// behaviour shows up as a diff to review. Refresh with -update.
func TestCorpusGolden(t *testing.T) {
	names, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		r := robotstxt.Parse(data)
		fmt.Fprintf(&b, "== %s (%d bytes, %d agents, %d warnings)\n", filepath.Base(n), r.Size(), len(r.Agents()), len(r.Warnings()))
		for _, q := range benchQueries {
			d := r.Allowed(q.agent, q.path)
			rule := "no rule"
			if d.Rule != nil {
				rule = fmt.Sprintf("line %d %s", d.Rule.Line, d.Rule)
			}
			fmt.Fprintf(&b, "%-18s %-48s allowed=%-5v group=%q %s", q.agent, q.path, d.Allowed, d.Group, rule)
			if cu := r.ContentUsage(q.agent, q.path); len(cu) > 0 {
				fmt.Fprintf(&b, " content-usage=%q", cu[0].Value)
			}
			if cs := r.ContentSignals(q.agent); len(cs) > 0 {
				fmt.Fprintf(&b, " content-signal=%q", cs[0].Value)
			}
			b.WriteString("\n")
		}
		for _, l := range r.Licenses() {
			fmt.Fprintf(&b, "license line %d %s\n", l.Line, l.Value)
		}
	}
	const golden = "testdata/corpus.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("decisions differ from %s; review and run with -update if intended\n--- got:\n%s", golden, got)
	}
}
