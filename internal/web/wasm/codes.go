// Command wasm is the askfirst web app's WebAssembly module: the same Go
// code as `askfirst id` and `askfirst verify`, compiled with GOOS=js
// GOARCH=wasm and run in the browser (internal/web serves it, `go generate
// ./internal/web` builds it). It computes a dropped file's content codes
// without sending the file anywhere (internal/identify.Stream, so the codes
// are those `askfirst id` prints for text and images), and verifies a
// receipt against the registry's log key (internal/ledger.VerifyReceipt,
// golang.org/x/mod/sumdb/tlog and note).
//
// Built for another platform it only says how to build it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
)

// codesResult is what the browser gets for one file: the `askfirst id
// --json` object, and what could not be computed.
type codesResult struct {
	*identify.Result
	// NeedsFile is set for audio and video: their Content-Code needs the
	// command line (fpcalc, ffmpeg) or the upload path.
	NeedsFile bool   `json:"needs_file,omitempty"`
	Error     string `json:"error,omitempty"`
}

// codesJSON identifies the content of r, named name, as JSON.
func codesJSON(ctx context.Context, name string, r io.ReadSeeker) []byte {
	res, err := identify.Stream(ctx, name, r, identify.Options{})
	out := codesResult{Result: res}
	if err != nil {
		out.NeedsFile = errors.Is(err, identify.ErrNeedsFile)
		out.Error = err.Error()
	}
	if res == nil {
		out.Result = &identify.Result{Path: name}
	}
	b, _ := json.Marshal(out)
	return b
}

// verification is the browser's answer about one receipt.
type verification struct {
	OK       bool   `json:"ok"`
	Index    int64  `json:"index"`
	TreeSize int64  `json:"tree_size,omitempty"`
	Origin   string `json:"origin,omitempty"`
	Error    string `json:"error,omitempty"`
}

// verifyJSON checks a receipt (DESIGN §5 format) offline against the note
// verifier key vkey, whose name is the log's origin, as `askfirst verify`
// does, and answers as JSON.
func verifyJSON(receipt []byte, vkey string) []byte {
	out := verification{}
	v, err := note.NewVerifier(vkey)
	if err == nil {
		var r ledger.Receipt
		if r, err = ledger.ParseReceipt(receipt); err == nil {
			out.Index = r.Index
			var c ledger.Checkpoint
			if c, err = ledger.VerifyReceipt(r, v.Name(), v); err == nil {
				out.OK, out.TreeSize, out.Origin = true, c.Size, c.Origin
			}
		}
	}
	if err != nil {
		out.Error = err.Error()
	}
	b, _ := json.Marshal(out)
	return b
}
