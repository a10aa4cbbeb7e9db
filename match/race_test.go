//go:build race

package match_test

// raceEnabled shrinks the exhaustive cross-check under the race detector,
// which slows it tenfold; the full test runs without -race.
const raceEnabled = true
