package identify_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/identify"
)

// TestStreamEqualsFile: the codes of a file read through Stream (as the
// browser's WebAssembly build reads a dropped file) are those File gives
// for text and images; audio and video get their Data- and Instance-Code
// and ErrNeedsFile.
func TestStreamEqualsFile(t *testing.T) {
	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		path := filepath.Join(samplesDir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := identify.File(t.Context(), path, identify.Options{})
		if err != nil {
			t.Fatalf("File(%s): %v", e.Name(), err)
		}
		got, err := identify.Stream(t.Context(), path, bytes.NewReader(data), identify.Options{})
		_, mode := identify.Detect(data, path)
		switch mode {
		case identify.ModeAudio, identify.ModeVideo:
			if !errors.Is(err, identify.ErrNeedsFile) {
				t.Errorf("Stream(%s): error %v, want ErrNeedsFile", e.Name(), err)
			}
			if got == nil {
				t.Fatalf("Stream(%s): no result", e.Name())
			}
			want = &identify.Result{Path: want.Path, MediaType: want.MediaType, Datahash: want.Datahash, Filesize: want.Filesize,
				Units: identify.Units{Data: want.Units.Data, Instance: want.Units.Instance}}
		default:
			if err != nil {
				t.Errorf("Stream(%s): %v", e.Name(), err)
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Stream(%s) differs from File (-File +Stream):\n%s", e.Name(), d)
		}
	}
	if _, err := identify.Stream(t.Context(), "big.txt", bytes.NewReader(make([]byte, 100)), identify.Options{MaxSize: 99}); !errors.Is(err, identify.ErrTooLarge) {
		t.Errorf("Stream over MaxSize: got %v, want ErrTooLarge", err)
	}
}
