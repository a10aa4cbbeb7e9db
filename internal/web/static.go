package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:generate go run gen_wasm.go

// Generated assets (go generate, never committed): the WebAssembly module
// and the Go toolchain's JavaScript support for it.
const (
	wasmModule = "askfirst.wasm"
	wasmExec   = "wasm_exec.js"
)

// assets are the static files, read once, each with a content hash for
// cache-busting URLs and, when it pays, a gzip copy.
type assets struct {
	files map[string]*asset
}

type asset struct {
	data  []byte
	ctype string
	hash  string
	// gz is the gzip copy, made on first request (the module takes a
	// second to compress); nil when compression does not pay.
	gzOnce sync.Once
	gz     []byte
}

// gzipped returns the asset compressed, or nil.
func (x *asset) gzipped() []byte {
	x.gzOnce.Do(func() {
		if len(x.data) < 1024 {
			return
		}
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		zw.Write(x.data)
		zw.Close()
		if b.Len() < len(x.data)*9/10 {
			x.gz = b.Bytes()
		}
	})
	return x.gz
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		x := &asset{data: data, hash: hex.EncodeToString(sum[:6]), ctype: mime.TypeByExtension(path.Ext(p))}
		if x.ctype == "" {
			x.ctype = "application/octet-stream"
		}
		if strings.HasSuffix(p, ".wasm") {
			x.ctype = "application/wasm"
		}
		a.files[path.Base(p)] = x
		return nil
	})
	return a, err
}

// url is the cache-busting address of an asset.
func (a *assets) url(name string) string {
	if x, ok := a.files[name]; ok {
		return "/static/" + name + "?v=" + x.hash
	}
	return "/static/" + name
}

func (a *assets) wasmReady() bool {
	return a.files[wasmModule] != nil && a.files[wasmExec] != nil
}

// serveStatic serves an asset; a URL with the current hash is cached for
// a year, others revalidate.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	x, ok := s.static.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("ETag", `"`+x.hash+`"`)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == x.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := x.data
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		if gz := x.gzipped(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
