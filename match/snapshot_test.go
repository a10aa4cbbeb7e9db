package match_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/match"
)

func TestSnapshotRoundTrip(t *testing.T) {
	for _, w := range []int{1, 4} {
		for _, g := range gens {
			t.Run(g.name+map[int]string{1: "/64", 4: "/256"}[w], func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, uint64(w)))
				r := map[int]int{1: 8, 4: 31}[w]
				codes := g.code(rng, 2000, w, r)
				ids := make([]uint64, 2000)
				b := &brute{w: w, codes: map[uint64][]uint64{}}
				for i := range ids {
					ids[i] = uint64(i) * 3
					b.codes[ids[i]] = codes[i*w : i*w+w]
				}
				s := build(t, w, match.Config{}, ids, codes)
				// Updates after the build must be in the snapshot too.
				for i := range 50 {
					c := g.code(rng, 1, w, r)
					s.add(uint64(100000+i), c)
					b.codes[uint64(100000+i)] = c
					s.remove(ids[i])
					delete(b.codes, ids[i])
				}
				var buf bytes.Buffer
				var err error
				var s2 searcher
				switch x := s.(type) {
				case s64:
					_, err = x.x.WriteTo(&buf)
					if err == nil {
						var y *match.Index64
						y, err = match.ReadIndex64(bytes.NewReader(buf.Bytes()), match.Config{})
						s2 = s64{y}
					}
				case s256:
					_, err = x.x.WriteTo(&buf)
					if err == nil {
						var y *match.Index256
						y, err = match.ReadIndex256(bytes.NewReader(buf.Bytes()), match.Config{})
						s2 = s256{y}
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, want := buf.Len(), 24+len(b.codes)*8*(1+w)+4; got != want {
					t.Errorf("snapshot size %d bytes, want %d", got, want)
				}
				if got, want := s2.len(), len(b.codes); got != want {
					t.Fatalf("after round trip: Len() = %d, want %d", got, want)
				}
				var all []uint64
				for _, c := range b.codes {
					all = append(all, c...)
				}
				for _, rr := range []int{0, r / 2, r, 2 * r} {
					check(t, "round trip", s2, b, queries(rng, all, w, 30, rr, g), rr)
				}
			})
		}
	}
}

// writeSeed keeps a small snapshot in testdata as a fuzz seed when -update.
func writeSeed(t *testing.T, w int, b []byte) {
	if !*update || len(b) > 1<<20 {
		return
	}
	name := filepath.Join("testdata", "snapshot", map[int]string{1: "small64.snap", 4: "small256.snap"}[w])
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func snapshotOf(t testing.TB, w int, n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	codes := uniform(rng, n, w, 0)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i)
	}
	var buf bytes.Buffer
	switch x := build(t, w, match.Config{}, ids, codes).(type) {
	case s64:
		x.x.WriteTo(&buf)
	case s256:
		x.x.WriteTo(&buf)
	}
	return buf.Bytes()
}

func TestSnapshotRejects(t *testing.T) {
	good := snapshotOf(t, 1, 10)
	writeSeed(t, 1, good)
	writeSeed(t, 4, snapshotOf(t, 4, 5))
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "header"},
		{"magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "bad magic"},
		{"version", mod(func(b []byte) []byte { b[8] = 2; return b }), "unsupported version 2"},
		{"bits", mod(func(b []byte) []byte { b[10] = 0; b[11] = 1; return b }), "holds 256-bit codes"},
		{"reserved", mod(func(b []byte) []byte { b[12] = 1; return b }), "reserved field"},
		{"huge count", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<40); return b }), "more than the limit"},
		{"lying count", mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<31); return b }), "record 0 of 2147483648"},
		{"truncated", good[:len(good)-10], "record 0 of 10"},
		{"no checksum", good[:len(good)-4], "checksum: EOF"},
		{"flipped bit", mod(func(b []byte) []byte { b[33] ^= 1; return b }), "checksum"},
		{"unsorted ids", mod(func(b []byte) []byte {
			copy(b[24:32], b[40:48]) // first id = second id
			return b
		}), "not greater than previous id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := match.ReadIndex64(bytes.NewReader(c.in), match.Config{})
			if err == nil {
				t.Fatalf("ReadIndex64(%s): got nil error, want %q", c.name, c.want)
			}
			if !errors.Is(err, match.ErrSnapshot) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadIndex64(%s): got %v, want ErrSnapshot with %q", c.name, err, c.want)
			}
		})
	}
	if _, err := match.ReadIndex256(bytes.NewReader(good), match.Config{}); !errors.Is(err, match.ErrSnapshot) {
		t.Errorf("ReadIndex256(64-bit snapshot): got %v, want ErrSnapshot", err)
	}
}

func FuzzReadIndex(f *testing.F) {
	f.Add(snapshotOf(f, 1, 5))
	f.Add(snapshotOf(f, 4, 3))
	for _, name := range []string{"small64.snap", "small256.snap"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "snapshot", name)); err == nil && len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, w := range []int{1, 4} {
			var n int
			var err error
			var out bytes.Buffer
			if w == 1 {
				var x *match.Index64
				x, err = match.ReadIndex64(bufio.NewReader(bytes.NewReader(b)), match.Config{})
				if err == nil {
					n = x.Len()
					_ = x.Search(0, 8)
					_, err = x.WriteTo(&out)
				}
			} else {
				var x *match.Index256
				x, err = match.ReadIndex256(bytes.NewReader(b), match.Config{})
				if err == nil {
					n = x.Len()
					_ = x.Search(match.Code256{}, 31)
					_, err = x.WriteTo(&out)
				}
			}
			if err != nil {
				if !errors.Is(err, match.ErrSnapshot) {
					t.Fatalf("error does not wrap ErrSnapshot: %v", err)
				}
				continue
			}
			// A valid snapshot re-encodes to the same bytes it was read from.
			if want := 24 + n*8*(1+w) + 4; !bytes.Equal(out.Bytes(), b[:want]) {
				t.Fatalf("re-encoded snapshot differs from input")
			}
		}
	})
}
