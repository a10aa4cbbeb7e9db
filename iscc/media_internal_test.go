package iscc

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestMediaDigestsCPython compares the full 256-bit Image-, Audio- and
// Video-Code digests with the iscc-core algorithms run on CPython
// (testdata/media_cpython.json: random, gradient, near-uniform, uniform,
// black/white and striped images; Chromaprint vectors of 0..333 values, small and full
// range; frame signatures with duplicates).
func TestMediaDigestsCPython(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "media_cpython.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Image    [][2]string          `json:"image"`
		AudioRaw [][2]json.RawMessage `json:"audio"`
		VideoRaw [][2]json.RawMessage `json:"video"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Image) == 0 || len(file.AudioRaw) == 0 || len(file.VideoRaw) == 0 {
		t.Fatal("empty differential data")
	}
	for i, c := range file.Image {
		px, err := hex.DecodeString(c[0])
		if err != nil || len(px) != 1024 {
			t.Fatalf("image %d: bad pixels", i)
		}
		if got := hex.EncodeToString(softHashImage(px, 256)); got != c[1] {
			t.Errorf("image %d: digest %s, CPython %s", i, got, c[1])
		}
	}
	for i, c := range file.AudioRaw {
		var cv []int32
		var want string
		if json.Unmarshal(c[0], &cv) != nil || json.Unmarshal(c[1], &want) != nil {
			t.Fatalf("audio %d: bad case", i)
		}
		if got := hex.EncodeToString(softHashAudio(cv)); got != want {
			t.Errorf("audio %d (%d values): digest %s, CPython %s", i, len(cv), got, want)
		}
	}
	for i, c := range file.VideoRaw {
		var sigs [][]int
		var want string
		if json.Unmarshal(c[0], &sigs) != nil || json.Unmarshal(c[1], &want) != nil {
			t.Fatalf("video %d: bad case", i)
		}
		v, err := GenVideoCode(sigs, 256)
		if err != nil {
			t.Fatalf("video %d: %v", i, err)
		}
		d, _ := Decode(v.ISCC)
		if got := hex.EncodeToString(d.Body()); got != want {
			t.Errorf("video %d (%d frames): digest %s, CPython %s", i, len(sigs), got, want)
		}
	}
}
