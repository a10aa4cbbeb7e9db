package c2pa_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/signals/c2pa"
)

var update = flag.Bool("update", false, "rewrite the sample files in testdata")

// samples are written to testdata with -update; they seed the fuzzers and
// the examples, and TestSamples checks that they still read as built.
func samples(t testing.TB) map[string][]byte {
	const label = "urn:c2pa:5a1e0000-0000-4000-8000-00000000a5f1"
	return map[string][]byte{
		"signed.jpg":   build(t, embedJPEG(400), signed(label, "ES256")),
		"signed.png":   build(t, embedPNG(), signed(label, "EdDSA")),
		"signed.mp4":   build(t, embedMP4(), manifestSpec{label: label, signer: "ES256", binding: "bmff", assertions: [][2]any{{"cawg.training-mining", cawg}}}),
		"signed.webp":  build(t, embedWebP(), signed(label, "PS256")),
		"unsigned.jpg": build(t, embedJPEG(60000), manifestSpec{label: label, assertions: [][2]any{{"c2pa.training-mining", cawg}}}),
	}
}

func TestSamples(t *testing.T) {
	want := map[string]c2pa.Status{
		"signed.jpg": c2pa.StatusSignatureValid, "signed.png": c2pa.StatusSignatureValid,
		"signed.mp4": c2pa.StatusSignatureValid, "signed.webp": c2pa.StatusSignatureValid,
		"unsigned.jpg": c2pa.StatusUnsigned,
	}
	for name, b := range samples(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		stored, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		r, err := c2pa.Read(stored)
		if err != nil {
			t.Fatalf("Read(%s): %v", path, err)
		}
		if r.Status != want[name] || len(r.TrainingMining) != 1 || len(r.TrainingMining[0].Entries) != 4 {
			t.Errorf("Read(%s): status %s with %+v, want %s and 4 entries", path, r.Status, r.TrainingMining, want[name])
		}
	}
}

func seedFiles(f *testing.F) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob("testdata/*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func FuzzRead(f *testing.F) {
	for _, b := range seedFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := c2pa.Read(b)
		if r == nil {
			if err == nil {
				t.Fatal("Read returned neither a result nor an error")
			}
			return
		}
		switch r.Status {
		case c2pa.StatusSignatureValid:
			if len(r.Problems) != 0 {
				t.Errorf("signature_valid with problems %q", r.Problems)
			}
		case c2pa.StatusUnsigned, c2pa.StatusInvalid:
			if r.GrantsUsable() {
				t.Errorf("grants usable with status %s", r.Status)
			}
		default:
			t.Errorf("unknown status %q", r.Status)
		}
		if r.GrantsUsable() && r.Binding != c2pa.BindingVerified {
			t.Errorf("grants usable with binding %s", r.Binding)
		}
	})
}

func FuzzLocate(f *testing.F) {
	for _, b := range seedFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		store, loc, err := c2pa.Locate(b)
		if err != nil {
			return
		}
		if len(store) > c2pa.MaxStoreSize {
			t.Errorf("store of %d bytes over the cap", len(store))
		}
		for _, r := range loc.Ranges {
			if r.Start < 0 || r.Length < 0 || r.Start+r.Length > int64(len(b)) {
				t.Errorf("range %+v outside a %d-byte file", r, len(b))
			}
		}
	})
}

func FuzzParseJUMBF(f *testing.F) {
	for _, b := range seedFiles(f) {
		if store, _, err := c2pa.Locate(b); err == nil {
			f.Add(store)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		root, err := c2pa.ParseJUMBF(b)
		if err != nil {
			return
		}
		var walk func(*c2pa.Box, int)
		walk = func(x *c2pa.Box, depth int) {
			if depth > c2pa.MaxBoxDepth+1 {
				t.Fatalf("depth %d over the cap", depth)
			}
			if len(x.Payload) > len(x.Raw) {
				t.Fatalf("payload longer than box")
			}
			for _, c := range x.Children {
				walk(c, depth+1)
			}
		}
		walk(root, 0)
	})
}

func FuzzDecodeTrainingMining(f *testing.F) {
	f.Add(mustCBOR(cawg), false)
	f.Add([]byte(`{"entries":{"cawg.ai_training":{"use":"notAllowed"}}}`), true)
	f.Add([]byte(`{"c2pa.ai_training":{"use":"NotAllowed"}}`), true)
	f.Fuzz(func(t *testing.T, b []byte, isJSON bool) {
		entries, _, err := c2pa.DecodeTrainingMining(b, isJSON)
		if err != nil {
			return
		}
		if len(entries) > c2pa.MaxEntries {
			t.Errorf("%d entries over the cap", len(entries))
		}
		for _, e := range entries {
			if e.Use == c2pa.UseAllowed && e.RawUse != "allowed" {
				t.Errorf("grant read from %q; grants must be spelled exactly", e.RawUse)
			}
		}
	})
}
