//go:build js && wasm

package main

import (
	"context"
	"errors"
	"io"
	"syscall/js"
)

// The module's JavaScript interface, set on globalThis.askfirst once the
// module runs (the page's worker waits for "ready"):
//
//	askfirst.codes(file, onProgress) → Promise<string>   JSON codesResult
//	askfirst.verify(receiptJSON, verifierKey) → string  JSON verification
//
// codes reads the File or Blob through FileReaderSync, so it runs in a
// Web Worker only; onProgress(bytesRead) is called as the file is read.
func main() {
	api := js.Global().Get("Object").New()
	api.Set("codes", js.FuncOf(codes))
	api.Set("verify", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) < 2 {
			return string(verifyJSON(nil, ""))
		}
		return string(verifyJSON([]byte(args[0].String()), args[1].String()))
	}))
	js.Global().Set("askfirst", api)
	if ready := js.Global().Get("askfirstReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

func codes(this js.Value, args []js.Value) any {
	if len(args) < 1 {
		return js.Global().Get("Promise").Call("reject", "codes(file, onProgress)")
	}
	file := args[0]
	var progress js.Value
	if len(args) > 1 && args[1].Type() == js.TypeFunction {
		progress = args[1]
	}
	return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
		resolve := pr[0]
		go func() {
			r := &blobReader{blob: file, size: int64(file.Get("size").Float()), reader: js.Global().Get("FileReaderSync").New(), progress: progress}
			resolve.Invoke(string(codesJSON(context.Background(), file.Get("name").String(), r)))
		}()
		return nil
	}))
}

// blobReader reads a Blob through FileReaderSync, a window of
// blobWindow bytes at a time.
type blobReader struct {
	blob     js.Value
	size     int64
	reader   js.Value
	progress js.Value
	off      int64  // read position
	buf      []byte // the window starting at bufOff
	bufOff   int64
	reported int64
}

const blobWindow = 4 << 20

func (r *blobReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.off < r.bufOff || r.off >= r.bufOff+int64(len(r.buf)) {
		end := min(r.size, r.off+blobWindow)
		ab := r.reader.Call("readAsArrayBuffer", r.blob.Call("slice", float64(r.off), float64(end)))
		u8 := js.Global().Get("Uint8Array").New(ab)
		if cap(r.buf) < u8.Length() {
			r.buf = make([]byte, u8.Length())
		}
		r.buf = r.buf[:u8.Length()]
		js.CopyBytesToGo(r.buf, u8)
		r.bufOff = r.off
		if r.progress.Type() == js.TypeFunction && end-r.reported >= blobWindow/2 {
			r.reported = end
			r.progress.Invoke(float64(end))
		}
	}
	n := copy(p, r.buf[r.off-r.bufOff:])
	r.off += int64(n)
	return n, nil
}

func (r *blobReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start of the file")
	}
	r.off = offset
	return offset, nil
}
