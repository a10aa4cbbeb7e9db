package identify_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/iscc"
)

var update = flag.Bool("update", false, "rewrite testdata/samples.golden")

const samplesDir = "../../testdata/samples"

// TestSamples identifies every sample file of the repository (every media
// type; audio and video need fpcalc and ffmpeg) and compares the results
// with testdata/samples.golden (JSON Lines; refresh with -update).
func TestSamples(t *testing.T) {
	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	modes := map[string]bool{}
	for _, e := range entries {
		path := filepath.Join(samplesDir, e.Name())
		res, err := identify.File(t.Context(), path, identify.Options{})
		if err != nil {
			t.Fatalf("File(%s): %v", e.Name(), err)
		}
		res.Path = e.Name()
		modes[strings.Split(res.MediaType, "/")[0]] = true
		if res.ISCC == "" || res.Units.Data == "" || res.Units.Instance == "" {
			t.Errorf("File(%s): incomplete result %+v", e.Name(), res)
		}
		if _, err := iscc.Decompose(res.ISCC); err != nil {
			t.Errorf("File(%s): ISCC %s does not decompose: %v", e.Name(), res.ISCC, err)
		}
		b, _ := json.Marshal(res)
		got.Write(append(b, '\n'))
	}
	for _, m := range []string{"text", "image", "audio", "video", "application"} {
		if !modes[m] {
			t.Errorf("no %s sample under %s", m, samplesDir)
		}
	}
	golden := "testdata/samples.golden"
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("results differ from %s (-want +got):\n%s", golden, diff)
	}
}

// TestResultUnits checks what each mode produces for one sample.
func TestResultUnits(t *testing.T) {
	tests := []struct {
		file, mediatype, contentPrefix string
		pdq                            bool
	}{
		{"letter.txt", "text/plain", "ISCC:EA", false},
		{"field-notes.md", "text/markdown", "ISCC:EA", false},
		{"article.html", "text/html", "ISCC:EA", false},
		{"mandelbrot.jpg", "image/jpeg", "ISCC:EE", true},
		{"cells.png", "image/png", "ISCC:EE", true},
		{"melody.ogg", "audio/ogg", "ISCC:EI", false},
		{"tones.wav", "audio/wav", "ISCC:EI", false},
		{"testsrc.mp4", "video/mp4", "ISCC:EM", false},
		{"bundle.zip", "application/zip", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := identify.File(t.Context(), filepath.Join(samplesDir, tt.file), identify.Options{Bits: 128})
			if err != nil {
				t.Fatal(err)
			}
			if res.MediaType != tt.mediatype {
				t.Errorf("mediatype = %q, want %q", res.MediaType, tt.mediatype)
			}
			if !strings.HasPrefix(res.Units.Content, tt.contentPrefix) || (tt.contentPrefix == "") != (res.Units.Content == "") {
				t.Errorf("content unit = %q, want prefix %q", res.Units.Content, tt.contentPrefix)
			}
			if (tt.contentPrefix == "") != (res.Units.Meta == "") {
				t.Errorf("meta unit = %q; want one exactly when there is a content unit", res.Units.Meta)
			}
			if (res.PDQ != nil) != tt.pdq {
				t.Errorf("pdq = %+v, want present %v", res.PDQ, tt.pdq)
			}
			if res.PDQ != nil && len(res.PDQ.Hash) != 64 {
				t.Errorf("pdq hash %q: want 64 hex digits", res.PDQ.Hash)
			}
			// 128-bit units: 4 header+body bytes more than 64-bit ones.
			for _, u := range []string{res.Units.Meta, res.Units.Content, res.Units.Data, res.Units.Instance} {
				if u == "" {
					continue
				}
				c, err := iscc.Decode(u)
				if err != nil {
					t.Fatalf("Decode(%s): %v", u, err)
				}
				if c.Bits() != 128 {
					t.Errorf("unit %s has %d bits, want 128", u, c.Bits())
				}
			}
			st, _ := os.Stat(filepath.Join(samplesDir, tt.file))
			if res.Filesize != st.Size() || !strings.HasPrefix(res.Datahash, "1e20") {
				t.Errorf("filesize %d datahash %q; want %d and a 1e20 multihash", res.Filesize, res.Datahash, st.Size())
			}
		})
	}
}

// TestReaderMatchesFile: standard input gives the same codes as the file,
// except the Meta-Code, which comes from the file name (none for "-") or
// the embedded title (HTML).
func TestReaderMatchesFile(t *testing.T) {
	for _, name := range []string{"letter.txt", "article.html", "cells.png", "tones.wav"} {
		path := filepath.Join(samplesDir, name)
		want, err := identify.File(t.Context(), path, identify.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := identify.Reader(t.Context(), "-", f, identify.Options{})
		f.Close()
		if err != nil {
			t.Fatalf("Reader(%s): %v", name, err)
		}
		if got.Units.Content != want.Units.Content || got.Units.Data != want.Units.Data || got.Units.Instance != want.Units.Instance {
			t.Errorf("Reader(%s) units %+v, File units %+v", name, got.Units, want.Units)
		}
		if name == "article.html" && got.Units.Meta != want.Units.Meta {
			t.Errorf("Reader(%s): Meta-Code %q, want %q from the <title>", name, got.Units.Meta, want.Units.Meta)
		}
		if name == "letter.txt" && got.Units.Meta != "" {
			t.Errorf("Reader(%s): Meta-Code %q, want none without a file name", name, got.Units.Meta)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	trunc, err := os.ReadFile(filepath.Join(samplesDir, "cells.png"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.png")
	if err := os.WriteFile(corrupt, trunc[:len(trunc)/2], 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := identify.File(t.Context(), filepath.Join(dir, "nope.txt"), identify.Options{})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want not exist", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		res, err := identify.File(t.Context(), filepath.Join(samplesDir, "letter.txt"), identify.Options{MaxSize: 100})
		if !errors.Is(err, identify.ErrTooLarge) || res != nil {
			t.Errorf("got %v, %v; want ErrTooLarge and no result", res, err)
		}
		_, err = identify.Reader(t.Context(), "-", strings.NewReader(strings.Repeat("x", 101)), identify.Options{MaxSize: 100})
		if !errors.Is(err, identify.ErrTooLarge) {
			t.Errorf("Reader: got %v, want ErrTooLarge", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := identify.File(t.Context(), dir, identify.Options{}); err == nil {
			t.Errorf("File(directory): got no error")
		}
	})
	partial := func(t *testing.T, res *identify.Result, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("got no error")
		}
		if res == nil || res.Units.Data == "" || res.Units.Instance == "" || res.Datahash == "" {
			t.Fatalf("got result %+v, want Data- and Instance-Code", res)
		}
		if res.ISCC != "" || res.Units.Content != "" {
			t.Errorf("got ISCC %q content %q, want none", res.ISCC, res.Units.Content)
		}
	}
	t.Run("corrupt image", func(t *testing.T) {
		res, err := identify.File(t.Context(), corrupt, identify.Options{})
		partial(t, res, err)
		var ie *identify.Error
		if !errors.As(err, &ie) || ie.Path != corrupt {
			t.Errorf("error %v does not name %s", err, corrupt)
		}
	})
	t.Run("fpcalc missing", func(t *testing.T) {
		res, err := identify.File(t.Context(), filepath.Join(samplesDir, "tones.wav"), identify.Options{FPCalc: filepath.Join(dir, "fpcalc")})
		partial(t, res, err)
		var te *identify.ToolError
		if !errors.Is(err, identify.ErrToolMissing) || !errors.As(err, &te) || te.Package != "libchromaprint-tools" {
			t.Errorf("got %v, want ErrToolMissing naming libchromaprint-tools", err)
		}
	})
	t.Run("ffmpeg missing", func(t *testing.T) {
		res, err := identify.File(t.Context(), filepath.Join(samplesDir, "testsrc.mp4"), identify.Options{FFmpeg: filepath.Join(dir, "ffmpeg")})
		partial(t, res, err)
		if !errors.Is(err, identify.ErrToolMissing) {
			t.Errorf("got %v, want ErrToolMissing", err)
		}
	})
	t.Run("empty text", func(t *testing.T) {
		empty := filepath.Join(dir, "empty.html")
		os.WriteFile(empty, []byte("<html><head><title>T</title></head><body> </body></html>"), 0o644)
		res, err := identify.File(t.Context(), empty, identify.Options{})
		partial(t, res, err)
		if !strings.Contains(err.Error(), "no text") {
			t.Errorf("got %v, want a no text error", err)
		}
	})
	t.Run("corrupt audio", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.wav")
		os.WriteFile(bad, []byte("RIFF\x00\x00\x00\x00WAVEfmt garbage garbage"), 0o644)
		res, err := identify.File(t.Context(), bad, identify.Options{})
		partial(t, res, err)
	})
}

// TestMediaTagsTitle: an audio file's title tag names its Meta-Code, as
// iscc-sdk reads it (taglib TITLE); without ffprobe the file name does.
func TestMediaTagsTitle(t *testing.T) {
	want, err := iscc.GenMetaCode("A Melody", "", nil, 64)
	if err != nil {
		t.Fatal(err)
	}
	res, err := identify.File(t.Context(), "testdata/titled.ogg", identify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units.Meta != want.ISCC {
		t.Errorf("Meta-Code %s, want %s (from the title tag)", res.Units.Meta, want.ISCC)
	}
	byName, err := iscc.GenMetaCode("titled", "", nil, 64)
	if err != nil {
		t.Fatal(err)
	}
	res, err = identify.File(t.Context(), "testdata/titled.ogg", identify.Options{FFprobe: filepath.Join(t.TempDir(), "ffprobe")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units.Meta != byName.ISCC {
		t.Errorf("without ffprobe: Meta-Code %s, want %s (from the file name)", res.Units.Meta, byName.ISCC)
	}
}
