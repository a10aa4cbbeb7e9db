package iscc_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/iscc"
)

// The vector format is the one of iscc-core's data.json (see
// testdata/SOURCE.md): function name → test name → {inputs, outputs}.
type vector struct {
	Inputs  []json.RawMessage `json:"inputs"`
	Outputs json.RawMessage   `json:"outputs"`
}

// runner calls one generator with the vector's inputs; dir resolves file:
// inputs. It returns the result as a JSON-able value.
type runner func(in []json.RawMessage, dir string) (any, error)

var runners = map[string]runner{
	"gen_meta_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var name, desc *string
		if err := arg(in, 0, &name); err != nil {
			return nil, err
		}
		if err := arg(in, 1, &desc); err != nil {
			return nil, err
		}
		var meta any
		if len(in) > 2 && string(in[2]) != "null" {
			var s string
			if json.Unmarshal(in[2], &s) == nil {
				meta = s
			} else {
				meta = in[2]
			}
		}
		bits, err := bitsArg(in, 3)
		if err != nil {
			return nil, err
		}
		return iscc.GenMetaCode(deref(name), deref(desc), meta, bits)
	},
	"gen_text_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var text string
		if err := arg(in, 0, &text); err != nil {
			return nil, err
		}
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenTextCode(text, bits)
	},
	"gen_image_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var px []int
		if err := arg(in, 0, &px); err != nil {
			return nil, err
		}
		pixels := make([]byte, len(px))
		for i, p := range px {
			if p < 0 || p > 255 {
				return nil, fmt.Errorf("pixel %d out of range: %d", i, p)
			}
			pixels[i] = byte(p)
		}
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenImageCode(pixels, bits)
	},
	"gen_audio_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var cv []int32
		if err := arg(in, 0, &cv); err != nil {
			return nil, err
		}
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenAudioCode(cv, bits)
	},
	"gen_video_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var sigs [][]int
		if err := arg(in, 0, &sigs); err != nil {
			return nil, err
		}
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenVideoCode(sigs, bits)
	},
	"gen_mixed_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var codes []string
		if err := arg(in, 0, &codes); err != nil {
			return nil, err
		}
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenMixedCode(codes, bits)
	},
	"gen_data_code_v0": func(in []json.RawMessage, dir string) (any, error) {
		r, err := streamArg(in, 0, dir)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenDataCode(r, bits)
	},
	"gen_instance_code_v0": func(in []json.RawMessage, dir string) (any, error) {
		r, err := streamArg(in, 0, dir)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		bits, err := bitsArg(in, 1)
		if err != nil {
			return nil, err
		}
		return iscc.GenInstanceCode(r, bits)
	},
	"gen_iscc_id_v1": func(in []json.RawMessage, _ string) (any, error) {
		var ts uint64
		var hub uint16
		var realm uint8
		for i, v := range []any{&ts, &hub, &realm} {
			if err := arg(in, i, v); err != nil {
				return nil, err
			}
		}
		c, err := iscc.GenISCCIDv1(ts, hub, iscc.SubType(realm))
		if err != nil {
			return nil, err
		}
		return map[string]string{"iscc": c.String()}, nil
	},
	"gen_iscc_code_v0": func(in []json.RawMessage, _ string) (any, error) {
		var codes []string
		if err := arg(in, 0, &codes); err != nil {
			return nil, err
		}
		var wide bool
		if err := arg(in, 1, &wide); err != nil {
			return nil, err
		}
		return iscc.GenISCCCode(codes, wide)
	},
}

// arg decodes input i into v; a missing input leaves v unchanged.
func arg(in []json.RawMessage, i int, v any) error {
	if i >= len(in) {
		return nil
	}
	if err := json.Unmarshal(in[i], v); err != nil {
		return fmt.Errorf("input %d: %w", i, err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// bitsArg returns input i as a bit length, iscc.DefaultBits when absent.
func bitsArg(in []json.RawMessage, i int) (int, error) {
	bits := iscc.DefaultBits
	err := arg(in, i, &bits)
	return bits, err
}

// streamArg opens a "stream:<hex>" or "file:<path relative to dir>" input.
func streamArg(in []json.RawMessage, i int, dir string) (io.ReadCloser, error) {
	var s string
	if err := arg(in, i, &s); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(s, "stream:"):
		b, err := hex.DecodeString(s[len("stream:"):])
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	case strings.HasPrefix(s, "file:"):
		return os.Open(filepath.Join(dir, filepath.FromSlash(s[len("file:"):])))
	}
	return nil, fmt.Errorf("input %d: want stream:<hex> or file:<path>, got %q", i, s)
}

// runVectorFile runs every vector of a file in the data.json format; it
// returns the number of vectors run.
func runVectorFile(t *testing.T, path string) int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	funcs := make([]string, 0, len(file))
	for f := range file {
		funcs = append(funcs, f)
	}
	sort.Strings(funcs)
	ran := 0
	for _, fn := range funcs {
		if strings.HasPrefix(fn, "_") {
			continue // _metadata
		}
		run, ok := runners[fn]
		if !ok {
			t.Logf("%s: function %s not implemented by this test, its vectors are not run", path, fn)
			continue
		}
		var cases map[string]vector
		if err := json.Unmarshal(file[fn], &cases); err != nil {
			t.Fatalf("parse %s %s: %v", path, fn, err)
		}
		names := make([]string, 0, len(cases))
		for n := range cases {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			tc := cases[name]
			ran++
			t.Run(fn+"/"+name, func(t *testing.T) {
				want := decodeJSON(t, tc.Outputs)
				got, err := run(tc.Inputs, dir)
				if wm, ok := want.(map[string]any); ok {
					if _, isErr := wm["error"]; isErr && len(wm) == 1 {
						if err == nil {
							t.Fatalf("%s%s: got %+v, want an error (%v)", fn, inputsSummary(tc.Inputs), got, wm["error"])
						}
						return
					}
				}
				if err != nil {
					t.Fatalf("%s%s: %v", fn, inputsSummary(tc.Inputs), err)
				}
				gotJSON, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, decodeJSON(t, gotJSON)); diff != "" {
					t.Errorf("%s%s: output mismatch (-want +got):\n%s", fn, inputsSummary(tc.Inputs), diff)
				}
			})
		}
	}
	return ran
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func inputsSummary(in []json.RawMessage) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, r := range in {
		if i > 0 {
			b.WriteString(", ")
		}
		s := string(r)
		if len(s) > 60 {
			s = s[:60] + "..."
		}
		b.WriteString(s)
	}
	b.WriteByte(')')
	return b.String()
}

// TestConformance runs every official iscc-core vector (testdata/data.json,
// copied unmodified, see testdata/SOURCE.md), then the vector file named by
// $ISCC_VECTORS if set.
func TestConformance(t *testing.T) {
	n := runVectorFile(t, filepath.Join("testdata", "data.json"))
	if n != 50 {
		t.Errorf("ran %d official vectors, want all 50", n)
	}
	runEnvVectors(t)
}

// runEnvVectors runs the vector file named by $ISCC_VECTORS, if any.
func runEnvVectors(t *testing.T) {
	path := os.Getenv("ISCC_VECTORS")
	if path == "" {
		return
	}
	t.Run("ISCC_VECTORS", func(t *testing.T) {
		if n := runVectorFile(t, path); n == 0 {
			t.Errorf("ISCC_VECTORS=%s: no vectors run", path)
		}
	})
}

// TestExtraVectors proves the $ISCC_VECTORS path (file: inputs, error
// outputs, unknown functions) with a small vector file of our own.
func TestExtraVectors(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("testdata", "extra", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ISCC_VECTORS", path)
	runEnvVectors(t)
}
