package ledger_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // database/sql driver to tamper with the file directly

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
)

const origin = "registry.example/log"

type fixture struct {
	path string
	st   store.Store
	l    *ledger.Ledger
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureWithKey(t, skey)
}

func newFixtureB(b *testing.B) *fixture {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		b.Fatal(err)
	}
	return newFixtureWithKey(b, skey)
}

func newFixtureWithKey(t testing.TB, skey string) *fixture {
	t.Helper()
	return newFixtureWithKeyAt(t, skey, filepath.Join(t.TempDir(), "askfirst.db"))
}

func newFixtureWithKeyAt(t testing.TB, skey, path string) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return &fixture{path: path, st: st, l: l}
}

// write appends a batch of statements in one transaction and returns their
// receipts, as a registry write does.
func (f *fixture) write(t *testing.T, statements ...any) []ledger.Receipt {
	t.Helper()
	var receipts []ledger.Receipt
	err := f.st.Update(t.Context(), func(tx store.Tx) error {
		var entries []ledger.Entry
		for _, s := range statements {
			e, err := f.l.Append(tx, s)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		var err error
		receipts, err = f.l.Seal(tx, entries...)
		return err
	})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	return receipts
}

func statement(i int) map[string]any {
	return map[string]any{"type": "declaration", "id": fmt.Sprintf("d%d", i), "terms": []any{map[string]any{"use": "train-genai", "decision": "deny"}}}
}

// fill writes n statements in batches of varying size.
func (f *fixture) fill(t *testing.T, n int) []ledger.Receipt {
	t.Helper()
	var all []ledger.Receipt
	for i := 0; i < n; {
		k := min(1+i%37, n-i)
		var batch []any
		for j := range k {
			batch = append(batch, statement(i+j))
		}
		all = append(all, f.write(t, batch...)...)
		i += k
	}
	return all
}

func TestAppendReceiptsAndConsistency(t *testing.T) {
	f := newFixture(t)
	v := f.l.Verifier()
	var prev ledger.Checkpoint
	for i := range 40 {
		rs := f.write(t, statement(2*i), statement(2*i+1))
		for j, r := range rs {
			if r.Index != int64(2*i+j) {
				t.Errorf("write %d receipt %d: got index %d, want %d", i, j, r.Index, 2*i+j)
			}
			want, _ := ledger.Canonical(statement(2*i + j))
			if !bytes.Equal(r.Entry, want) {
				t.Errorf("receipt %d entry: got %s, want canonical %s", r.Index, r.Entry, want)
			}
			c, err := ledger.VerifyReceipt(r, origin, v)
			if err != nil {
				t.Fatalf("VerifyReceipt(%d): %v", r.Index, err)
			}
			if c.Size != int64(2*i+2) {
				t.Errorf("receipt %d: checkpoint size %d, want %d", r.Index, c.Size, 2*i+2)
			}
			// The checkpoint is a note anyone opens with the published key.
			vv, err := note.NewVerifier(f.l.VerifierKey())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := note.Open([]byte(r.Checkpoint), note.VerifierList(vv)); err != nil {
				t.Errorf("note.Open(checkpoint of receipt %d): %v", r.Index, err)
			}
			if prev.Size > 0 {
				err := f.st.View(t.Context(), func(tx store.ReadTx) error {
					p, err := tlog.ProveTree(c.Size, prev.Size, tx)
					if err != nil {
						return err
					}
					return tlog.CheckTree(p, c.Size, c.Root, prev.Size, prev.Root)
				})
				if err != nil {
					t.Errorf("consistency %d -> %d: %v", prev.Size, c.Size, err)
				}
			}
		}
		prev, _ = ledger.VerifyReceipt(rs[1], origin, v)
	}
	// A receipt for an old entry against the latest checkpoint.
	err := f.st.View(t.Context(), func(tx store.ReadTx) error {
		r, err := f.l.Receipt(tx, 3)
		if err != nil {
			return err
		}
		c, err := ledger.VerifyReceipt(r, origin, v)
		if err != nil {
			return err
		}
		if c.Size != 80 {
			t.Errorf("Receipt(3): checkpoint size %d, want 80", c.Size)
		}
		_, err = f.l.Receipt(tx, 80)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Receipt(80): got %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A tampered receipt fails.
	r := f.write(t, statement(1000))[0]
	bad := r
	bad.Entry = json.RawMessage(bytes.Replace(r.Entry, []byte("deny"), []byte("allow"), 1))
	if _, err := ledger.VerifyReceipt(bad, origin, v); err == nil {
		t.Errorf("VerifyReceipt with a changed entry: got nil error")
	}
	bad = r
	bad.Index++
	if _, err := ledger.VerifyReceipt(bad, origin, v); err == nil {
		t.Errorf("VerifyReceipt with a changed index: got nil error")
	}
	other := newFixture(t)
	if _, err := ledger.VerifyReceipt(r, origin, other.l.Verifier()); err == nil {
		t.Errorf("VerifyReceipt with another log's key: got nil error")
	}
	// Re-indented receipts still verify: the entry is canonicalised.
	var pretty bytes.Buffer
	json.Indent(&pretty, r.Entry, "", "  ")
	bad = r
	bad.Entry = pretty.Bytes()
	if _, err := ledger.VerifyReceipt(bad, origin, v); err != nil {
		t.Errorf("VerifyReceipt of a re-indented entry: %v", err)
	}
}

func TestAppendRejects(t *testing.T) {
	f := newFixture(t)
	for name, s := range map[string]any{
		"not an object": []any{1, 2},
		"too large":     map[string]string{"x": string(bytes.Repeat([]byte("a"), ledger.MaxEntrySize))},
		"invalid json":  json.RawMessage(`{"a":`),
	} {
		err := f.st.Update(t.Context(), func(tx store.Tx) error {
			_, err := f.l.Append(tx, s)
			return err
		})
		if err == nil {
			t.Errorf("Append(%s): got nil error", name)
		}
	}
}

func TestTilesMatchTlog(t *testing.T) {
	f := newFixture(t)
	const n = 600 // two full level-0 tiles, a partial one, a partial level-1 tile
	f.fill(t, n)
	srv := httptest.NewServer(f.l.Handler(f.st))
	defer srv.Close()

	// Independent in-memory tree of the same entries.
	var entries [][]byte
	var hashes []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := range n {
		e, _ := ledger.Canonical(statement(i))
		entries = append(entries, e)
		h, err := tlog.StoredHashes(int64(i), e, hr)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h...)
	}
	get := func(path string, gz bool) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/"+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := srv.Client().Transport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		return resp, b
	}
	for _, tile := range tlog.NewTiles(ledger.TileHeight, 0, n) {
		want, err := tlog.ReadTileData(tile, hr)
		if err != nil {
			t.Fatal(err)
		}
		lt := ledger.Tile{Level: tile.L, N: tile.N, W: tile.W}
		resp, got := get(lt.Path(), false)
		if resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Errorf("GET %s: status %d, %d bytes, want 200 and tlog's %d bytes", lt.Path(), resp.StatusCode, len(got), len(want))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("GET %s: Content-Type %q", lt.Path(), ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q", lt.Path(), cc)
		}
		if tile.L != 0 {
			continue
		}
		// The entry bundle beside each level-0 tile hashes to it.
		et := ledger.Tile{N: tile.N, W: tile.W, Entries: true}
		for _, gz := range []bool{false, true} {
			resp, data := get(et.Path(), gz)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: status %d", et.Path(), resp.StatusCode)
			}
			if gz != (resp.Header.Get("Content-Encoding") == "gzip") {
				t.Errorf("GET %s gzip=%v: Content-Encoding %q", et.Path(), gz, resp.Header.Get("Content-Encoding"))
			}
			es, err := ledger.ParseEntryBundle(data, tile.W)
			if err != nil {
				t.Fatalf("GET %s: %v", et.Path(), err)
			}
			for i, e := range es {
				idx := tile.N*256 + int64(i)
				if !bytes.Equal(e, entries[idx]) {
					t.Errorf("entry bundle %s entry %d: got %s, want %s", et.Path(), idx, e, entries[idx])
				}
				h, _ := tlog.HashFromTile(tile, want, tlog.StoredHashIndex(0, idx))
				if tlog.RecordHash(e) != h {
					t.Errorf("entry %d does not hash to its tile hash", idx)
				}
			}
		}
	}
	// The partial level-0 tile at an older width is still served; tiles
	// beyond the tree and malformed paths are not.
	for path, want := range map[string]int{
		"tile/0/002.p/10":      200,
		"tile/0/000.p/10":      200,
		"tile/entries/000.p/3": 200,
		"tile/0/002":           404,
		"tile/0/002.p/89":      404,
		"tile/1/000":           404,
		"tile/2/000.p/1":       404,
		"tile/entries/003":     404,
		"tile/0/2":             404,
		"tile/0/x000/002":      404,
		"tile/00/000":          404,
		"tile/0/000.p/256":     404,
		"tile/0/000.p/0":       404,
		"tile/64/000":          404,
	} {
		resp, _ := get(path, false)
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	// /checkpoint and /v1/log.
	resp, body := get("checkpoint", false)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("GET /checkpoint: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c, err := ledger.OpenCheckpoint(body, origin, f.l.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	root, _ := tlog.TreeHash(n, hr)
	if c.Size != n || c.Root != root {
		t.Errorf("checkpoint: size %d root %v, want %d %v", c.Size, c.Root, n, root)
	}
	resp, body = get("v1/log", false)
	var info ledger.LogInfo
	if err := json.Unmarshal(body, &info); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/log: %d %s %v", resp.StatusCode, body, err)
	}
	if info != (ledger.LogInfo{Origin: origin, VerifierKey: f.l.VerifierKey(), Size: n}) {
		t.Errorf("GET /v1/log: got %+v", info)
	}
	if _, err := note.NewVerifier(info.VerifierKey); err != nil {
		t.Errorf("verifier_key %q: %v", info.VerifierKey, err)
	}
}

func TestTilePath(t *testing.T) {
	for _, c := range []struct {
		tile ledger.Tile
		path string
	}{
		{ledger.Tile{Level: 0, N: 1234067, W: 256}, "tile/0/x001/x234/067"},
		{ledger.Tile{Level: 0, N: 1234067, W: 8}, "tile/0/x001/x234/067.p/8"},
		{ledger.Tile{Level: 3, N: 0, W: 1}, "tile/3/000.p/1"},
		{ledger.Tile{N: 1000, W: 256, Entries: true}, "tile/entries/x001/000"},
		{ledger.Tile{N: 5, W: 255, Entries: true}, "tile/entries/005.p/255"},
		{ledger.Tile{Level: 63, N: 999, W: 256}, "tile/63/999"},
	} {
		if got := c.tile.Path(); got != c.path {
			t.Errorf("%+v.Path(): got %s, want %s", c.tile, got, c.path)
		}
		got, err := ledger.ParseTilePath(c.path)
		if err != nil || got != c.tile {
			t.Errorf("ParseTilePath(%s): got %+v, %v, want %+v", c.path, got, err, c.tile)
		}
	}
	for _, bad := range []string{"tile/0/1234067", "tile/0/x1/067", "tile/0/001/067", "tile/0/x000/067", "tile/-1/000",
		"tile/0/000.p/", "tile/0/000.p/01", "tile/0/000.p/x", "tile/0/", "tile/entries", "tiles/0/000", "tile/0/000/", "tile/0/0a0"} {
		if got, err := ledger.ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%s): got %+v, want an error", bad, got)
		}
	}
}

func TestSelfCheckDetectsTampering(t *testing.T) {
	for _, c := range []struct {
		name, sql string
	}{
		{"entry bytes", `UPDATE log_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'deny', 'allo') AS BLOB) WHERE idx = 260`},
		{"stored hash", `UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = 17`},
		{"last leaf hash", `UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = (SELECT max(idx) FROM log_hashes)`},
		{"checkpoint", `UPDATE log_checkpoint SET note = CAST(replace(CAST(note AS TEXT), 'registry', 'regi5try') AS BLOB)`},
		{"entry deleted", `DELETE FROM log_entries WHERE idx = (SELECT max(idx) FROM log_entries)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.fill(t, 270)
			if n, err := f.l.SelfCheck(t.Context(), f.st, nil); err != nil || n != 270 {
				t.Fatalf("SelfCheck before tampering: %d, %v", n, err)
			}
			db, err := sql.Open("sqlite", f.path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if r, err := db.Exec(c.sql); err != nil {
				t.Fatal(err)
			} else if k, _ := r.RowsAffected(); k != 1 {
				t.Fatalf("%s: changed %d rows", c.sql, k)
			}
			_, err = f.l.SelfCheck(t.Context(), f.st, nil)
			if !errors.Is(err, ledger.ErrTampered) {
				t.Errorf("SelfCheck after tampering with %s: got %v, want ErrTampered", c.name, err)
			}
		})
	}
}

func TestSelfCheckVisitsEveryEntry(t *testing.T) {
	f := newFixture(t)
	f.fill(t, 30)
	var seen []int64
	_, err := f.l.SelfCheck(t.Context(), f.st, func(tx store.ReadTx, index int64, entry []byte) error {
		seen = append(seen, index)
		if index == 29 {
			return errors.New("row for entry 29 differs")
		}
		return nil
	})
	if err == nil || len(seen) != 30 {
		t.Errorf("SelfCheck with a failing visit: got %v after %d entries", err, len(seen))
	}
}

func TestInitSignsEmptyLog(t *testing.T) {
	f := newFixture(t)
	err := f.st.View(t.Context(), func(tx store.ReadTx) error {
		size, signed, err := tx.Checkpoint()
		if err != nil {
			return err
		}
		c, err := ledger.OpenCheckpoint(signed, origin, f.l.Verifier())
		if err != nil {
			return err
		}
		empty := tlog.Hash{}
		root, _ := tlog.TreeHash(0, tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) { return nil, nil }))
		if size != 0 || c.Size != 0 || c.Root != root || c.Root == empty {
			t.Errorf("empty checkpoint: size %d root %v, want 0 and SHA-256 of nothing", c.Size, c.Root)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	noenv := func(string) string { return "" }
	k1, created, err := ledger.LoadKey(dir, origin, noenv)
	if err != nil || !created {
		t.Fatalf("first LoadKey: created %v, %v", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, ledger.KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v, %v, want 0600", fi.Mode(), err)
	}
	k2, created, err := ledger.LoadKey(dir, "other.example", noenv)
	if err != nil || created || k2 != k1 {
		t.Errorf("second LoadKey: created %v, same %v, %v", created, k1 == k2, err)
	}
	l, err := ledger.New(k1)
	if err != nil || l.Origin() != origin {
		t.Fatalf("New(generated key): origin %q, %v", l.Origin(), err)
	}
	skey, _, _ := note.GenerateKey(rand.Reader, "env.example/log")
	k3, _, err := ledger.LoadKey(dir, origin, func(k string) string {
		if k == "ASKFIRST_LOG_KEY" {
			return skey + "\n"
		}
		return ""
	})
	if err != nil || k3 != skey {
		t.Errorf("LoadKey from ASKFIRST_LOG_KEY: %v", err)
	}
	file := filepath.Join(t.TempDir(), "key")
	os.WriteFile(file, []byte(skey+"\n"), 0o600)
	k4, _, err := ledger.LoadKey(dir, origin, func(k string) string {
		if k == "ASKFIRST_LOG_KEY_FILE" {
			return file
		}
		return ""
	})
	if err != nil || k4 != skey {
		t.Errorf("LoadKey from ASKFIRST_LOG_KEY_FILE: %v", err)
	}
	if _, err := ledger.New("PRIVATE+KEY+x+00000000+AAAA"); err == nil {
		t.Errorf("New(malformed key): got nil error")
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"o\n0\n" + root + "\n", true},
		{"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", true},
		{"o\n5\n" + root + "\next\n", true},
		{"o\n5\n" + root, false},
		{"o\n05\n" + root + "\n", false},
		{"o\n+5\n" + root + "\n", false},
		{"o\n-5\n" + root + "\n", false},
		{"o\n5\n" + root[:40] + "\n", false},
		{"o\n5\n" + root + "\n\n", false},
		{"\n5\n" + root + "\n", false},
		{"o\n5\n", false},
		{"o\n99999999999999999999\n" + root + "\n", false},
	} {
		cp, err := ledger.ParseCheckpoint(c.text)
		if (err == nil) != c.ok {
			t.Errorf("ParseCheckpoint(%q): got %v, want ok=%v", c.text, err, c.ok)
		}
		if err == nil && cp.Text() != c.text {
			t.Errorf("ParseCheckpoint(%q).Text(): got %q", c.text, cp.Text())
		}
	}
}

func TestParseEntryBundle(t *testing.T) {
	for _, c := range []struct {
		data []byte
		w    int
		ok   bool
	}{
		{[]byte{0, 1, 'a', 0, 0}, 2, true},
		{[]byte{0, 1, 'a'}, 2, false},
		{[]byte{0, 2, 'a'}, 1, false},
		{[]byte{0}, 1, false},
		{[]byte{0, 0, 0, 0}, 1, false},
	} {
		if _, err := ledger.ParseEntryBundle(c.data, c.w); (err == nil) != c.ok {
			t.Errorf("ParseEntryBundle(%v, %d): got %v, want ok=%v", c.data, c.w, err, c.ok)
		}
	}
}
