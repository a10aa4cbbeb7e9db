package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
)

// The module's answers, computed natively: the same functions run in the
// browser (the browser tests check them there against askfirst id).

func TestCodesJSON(t *testing.T) {
	for _, name := range []string{"mandelbrot.jpg", "letter.txt", "tones.wav"} {
		path := filepath.Join("..", "..", "..", "testdata", "samples", name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got codesResult
		if err := json.Unmarshal(codesJSON(context.Background(), name, bytes.NewReader(data)), &got); err != nil {
			t.Fatal(err)
		}
		want, err := identify.Stream(context.Background(), name, bytes.NewReader(data), identify.Options{})
		if name == "tones.wav" {
			if !got.NeedsFile || got.Error == "" {
				t.Errorf("%s: needs_file %t, error %q; want the Content-Code to need the file", name, got.NeedsFile, got.Error)
			}
		} else if err != nil || got.Error != "" {
			t.Errorf("%s: %v %s", name, err, got.Error)
		}
		if d := cmp.Diff(want, got.Result); d != "" {
			t.Errorf("%s: codesJSON differs from identify.Stream (-want +got):\n%s", name, d)
		}
	}
}

func TestVerifyJSON(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "log.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	skey, vkey, _ := note.GenerateKey(rand.Reader, "wasm.test/log")
	led, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	var rcs []ledger.Receipt
	err = st.Update(t.Context(), func(tx store.Tx) error {
		e, err := led.Append(tx, map[string]string{"type": "test", "id": "one"})
		if err != nil {
			return err
		}
		rcs, err = led.Seal(tx, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := rcs[0].Marshal()
	var v verification
	json.Unmarshal(verifyJSON(good, vkey), &v)
	if !v.OK || v.Index != 0 || v.TreeSize != 1 || v.Origin != "wasm.test/log" {
		t.Errorf("verify a good receipt: %+v", v)
	}
	_, other, _ := note.GenerateKey(rand.Reader, "wasm.test/log")
	tampered := bytes.Replace(good, []byte(`"one"`), []byte(`"two"`), 1)
	for _, tc := range []struct {
		name    string
		receipt []byte
		key     string
		want    string
	}{
		{"another key", good, other, "signature"},
		{"a changed entry", tampered, vkey, "inclusion"},
		{"no receipt", []byte("{"), vkey, "parse receipt"},
		{"no key", good, "", "malformed"},
	} {
		v = verification{}
		json.Unmarshal(verifyJSON(tc.receipt, tc.key), &v)
		if v.OK || !strings.Contains(v.Error, tc.want) {
			t.Errorf("verify with %s: %+v, want a failure mentioning %q", tc.name, v, tc.want)
		}
	}
}
