// Package exiftooltest runs ExifTool in tests, to read back the metadata
// askfirst writes with an independent implementation.
//
// The ExifTool Debian ships (12.57) does not know the IPTC PLUS Data
// Mining tag, so tests use a recent one from npm's exiftool-vendored.pl,
// which .ci/run installs outside the repository and names in
// ASKFIRST_EXIFTOOL. Tests never download it: without it they skip with
// the command that installs it.
package exiftooltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Env names the ExifTool executable.
const Env = "ASKFIRST_EXIFTOOL"

// MinVersion is the oldest ExifTool that reads XMP-plus:DataMining.
const MinVersion = 12.70

// Install is the command that installs the ExifTool the tests use.
const Install = `npm install --prefix "${XDG_CACHE_HOME:-$HOME/.cache}/askfirst/exiftool-13.59.3" exiftool-vendored.pl@13.59.3 && export ASKFIRST_EXIFTOOL="${XDG_CACHE_HOME:-$HOME/.cache}/askfirst/exiftool-13.59.3/node_modules/exiftool-vendored.pl/bin/exiftool"`

var found struct {
	once sync.Once
	path string
	skip string // why not, when path is empty
}

// Path returns the ExifTool to use, or skips the test loudly.
func Path(t testing.TB) string {
	t.Helper()
	found.once.Do(func() {
		p := os.Getenv(Env)
		if p == "" {
			found.skip = fmt.Sprintf("SKIPPING EXIFTOOL READ-BACK: %s is not set; run .ci/run, or: %s", Env, Install)
			return
		}
		out, err := exec.Command(p, "-ver").Output()
		if err != nil {
			found.skip = fmt.Sprintf("SKIPPING EXIFTOOL READ-BACK: %s=%s does not run (%v); run .ci/run, or: %s", Env, p, err, Install)
			return
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil || v < MinVersion {
			found.skip = fmt.Sprintf("SKIPPING EXIFTOOL READ-BACK: ExifTool %s is older than %.2f and does not know XMP-plus:DataMining; run .ci/run, or: %s", strings.TrimSpace(string(out)), MinVersion, Install)
			return
		}
		found.path = p
	})
	if found.path == "" {
		fmt.Fprintln(os.Stderr, found.skip)
		t.Skip(found.skip)
	}
	return found.path
}

// Read returns the tags ExifTool reads from files, by file name as given,
// with group names ("XMP-plus:DataMining") and values unconverted (-n), so
// vocabulary values come as their keys. One ExifTool process reads all.
func Read(t testing.TB, files ...string) map[string]map[string]any {
	t.Helper()
	args := append([]string{"-j", "-n", "-G1", "-a", "-struct"}, files...)
	cmd := exec.Command(Path(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("exiftool %v: %v: %s", files, err, stderr.String())
	}
	var res []map[string]any
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(files) {
		t.Fatalf("exiftool %v: unexpected output %s", files, out)
	}
	m := map[string]map[string]any{}
	for _, r := range res {
		name, _ := r["SourceFile"].(string)
		m[name] = r
	}
	return m
}

// String returns a tag's value as text ("" when absent); a list is
// joined with ", ".
func String(tags map[string]any, name string) string {
	switch v := tags[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, String(map[string]any{"x": x}, "x"))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if s, ok := v["x-default"]; ok {
			return String(map[string]any{"x": s}, "x")
		}
		b, _ := json.Marshal(v)
		return string(b)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
