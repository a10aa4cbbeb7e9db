package ledger

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// TileHeight is the height of C2SP tlog-tiles tiles: 256 hashes wide.
const TileHeight = 8

// tileWidth is the number of hashes in a full tile.
const tileWidth = 1 << TileHeight

// maxTileLevel bounds the level in a tile path (C2SP tlog-tiles: 0 to 63).
const maxTileLevel = 63

// Tile is a tile or entry bundle as C2SP tlog-tiles names it.
type Tile struct {
	Level   int   // ignored for entry bundles
	N       int64 // index of the tile within its level
	W       int   // width: 1 to 256; 256 for a full tile
	Entries bool  // an entry bundle (tile/entries/...) rather than hashes
}

// Path returns the tile's path relative to the log prefix, e.g.
// "tile/0/x001/x234/067.p/8" or "tile/entries/005".
func (t Tile) Path() string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.Entries {
		b.WriteString("entries/")
	} else {
		b.WriteString(strconv.Itoa(t.Level) + "/")
	}
	n := t.N
	var groups []string
	for {
		groups = append(groups, fmt.Sprintf("%03d", n%1000))
		n /= 1000
		if n == 0 {
			break
		}
	}
	for i := len(groups) - 1; i > 0; i-- {
		b.WriteString("x" + groups[i] + "/")
	}
	b.WriteString(groups[0])
	if t.W < tileWidth {
		b.WriteString(".p/" + strconv.Itoa(t.W))
	}
	return b.String()
}

// ParseTilePath parses a path as Tile.Path writes it, accepting only the
// canonical form (no leading zero groups, no leading zeroes in the level
// or width) so each tile has one URL.
func ParseTilePath(path string) (Tile, error) {
	bad := func(why string) (Tile, error) {
		return Tile{}, fmt.Errorf("parse tile path %q: %s", path, why)
	}
	if len(path) > 256 {
		return bad("too long")
	}
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return bad("no tile/ prefix")
	}
	var t Tile
	elems := strings.Split(rest, "/")
	if elems[0] == "entries" {
		t.Entries = true
	} else {
		l, ok := parseDecimal(elems[0], maxTileLevel)
		if !ok {
			return bad("level is not 0 to 63")
		}
		t.Level = int(l)
	}
	elems = elems[1:]
	t.W = tileWidth
	if k := len(elems); k >= 2 && strings.HasSuffix(elems[k-2], ".p") {
		w, ok := parseDecimal(elems[k-1], tileWidth-1)
		if !ok || w == 0 {
			return bad("partial width is not 1 to 255")
		}
		t.W = int(w)
		elems[k-2] = strings.TrimSuffix(elems[k-2], ".p")
		elems = elems[:k-1]
	}
	if len(elems) == 0 || len(elems) > 7 {
		return bad("bad index")
	}
	for i, e := range elems {
		last := i == len(elems)-1
		if !last {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return bad("index group without x")
			}
		}
		if len(e) != 3 || e[0] < '0' || e[0] > '9' || e[1] < '0' || e[1] > '9' || e[2] < '0' || e[2] > '9' {
			return bad("index group is not three digits")
		}
		if i == 0 && !last && e == "000" {
			return bad("leading zero index group")
		}
		d, _ := strconv.Atoi(e)
		if t.N > (1<<62)/1000 {
			return bad("index too large")
		}
		t.N = t.N*1000 + int64(d)
	}
	return t, nil
}

func parseDecimal(s string, limit int64) (int64, bool) {
	if s == "" || len(s) > 3 || (s[0] == '0' && s != "0") {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > limit {
		return 0, false
	}
	return n, true
}

// errTileNotFound means the tile lies beyond the current tree.
var errTileNotFound = errors.New("tile beyond the tree")

// readTile returns the bytes of tile t of the tree of size n in tx.
func readTile(tx store.ReadTx, t Tile, n int64) ([]byte, error) {
	// The tile's entries or hashes must exist in the tree of size n:
	// W hashes at level L cover (N*256 + W) * 256^L entries.
	need := (t.N*tileWidth + int64(t.W))
	for range t.Level {
		if need > n {
			break
		}
		need *= tileWidth
	}
	if t.Level > 7 || need > n || t.N > n/tileWidth {
		return nil, errTileNotFound
	}
	if !t.Entries {
		return tlog.ReadTileData(tlog.Tile{H: TileHeight, L: t.Level, N: t.N, W: t.W}, tx)
	}
	start := t.N * tileWidth
	entries, err := tx.LogEntries(start, start+int64(t.W))
	if err != nil {
		return nil, err
	}
	var size int
	for _, e := range entries {
		size += 2 + len(e)
	}
	out := make([]byte, 0, size)
	for _, e := range entries {
		if len(e) > MaxEntrySize {
			return nil, fmt.Errorf("entry bundle %d: an entry of %d bytes", t.N, len(e))
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}

// ParseEntryBundle splits an entry bundle into its entries (big-endian
// uint16 length-prefixed, C2SP tlog-tiles "Log entries"). It returns an
// error if the bundle does not hold exactly w entries.
func ParseEntryBundle(data []byte, w int) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("parse entry bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if n > len(data) {
			return nil, fmt.Errorf("parse entry bundle: entry %d of %d bytes, %d left", len(out), n, len(data))
		}
		if len(out) == w {
			return nil, fmt.Errorf("parse entry bundle: more than %d entries", w)
		}
		out = append(out, data[:n:n])
		data = data[n:]
	}
	if len(out) != w {
		return nil, fmt.Errorf("parse entry bundle: %d entries, want %d", len(out), w)
	}
	return out, nil
}

// LogInfo is the answer of GET /v1/log (DESIGN §5): the wire's type.
type LogInfo = wire.LogInfo

// Handler serves the log from st: GET /checkpoint (the latest stored
// signed checkpoint), GET /tile/<L>/<N>[.p/<W>] and
// GET /tile/entries/<N>[.p/<W>] per C2SP tlog-tiles, and GET /v1/log. Mount
// it at the root of the registry's URL space. Tiles beyond the latest
// checkpoint are not served, so everything served is covered by a
// checkpoint.
func (l *Ledger) Handler(st store.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkpoint", func(w http.ResponseWriter, r *http.Request) {
		var signed []byte
		err := st.View(r.Context(), func(tx store.ReadTx) error {
			var err error
			_, signed, err = tx.Checkpoint()
			return err
		})
		if err != nil {
			serveError(w, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		// Mutable: no caching beyond a few seconds (C2SP tlog-tiles).
		h.Set("Cache-Control", "no-cache, max-age=0")
		w.Write(signed)
	})
	mux.HandleFunc("GET /tile/", func(w http.ResponseWriter, r *http.Request) {
		t, err := ParseTilePath(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		var data []byte
		err = st.View(r.Context(), func(tx store.ReadTx) error {
			size, _, err := tx.Checkpoint()
			if err != nil {
				return err
			}
			data, err = readTile(tx, t, size)
			return err
		})
		if errors.Is(err, errTileNotFound) {
			http.Error(w, "tile not found", http.StatusNotFound)
			return
		}
		if err != nil {
			serveError(w, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		// Immutable: a tile's bytes never change, partial ones included.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		if t.Entries {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				h.Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				zw.Write(data)
				zw.Close()
				return
			}
		}
		w.Write(data)
	})
	mux.HandleFunc("GET /v1/log", func(w http.ResponseWriter, r *http.Request) {
		info := LogInfo{Origin: l.origin, VerifierKey: l.vkey}
		err := st.View(r.Context(), func(tx store.ReadTx) error {
			var err error
			info.Size, _, err = tx.Checkpoint()
			return err
		})
		if err != nil {
			serveError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache, max-age=0")
		json.NewEncoder(w).Encode(info)
	})
	return mux
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
				return true
			}
		}
	}
	return false
}

func serveError(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "log has no checkpoint yet", http.StatusNotFound)
		return
	}
	// Details stay on the server; the caller logs them if it wraps us.
	http.Error(w, "internal error", http.StatusInternalServerError)
}
