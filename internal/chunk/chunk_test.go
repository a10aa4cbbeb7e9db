package chunk_test

import (
	"errors"
	"testing"

	"github.com/askfirst/askfirst/internal/chunk"
	"github.com/askfirst/askfirst/internal/testfiles"
)

func jpegMarkers(data []byte, max int) ([]byte, error) {
	var ms []byte
	w := chunk.NewJPEG(data, max)
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		if s.Standalone() != (s.Payload == nil) {
			panic("standalone marker with a payload")
		}
		ms = append(ms, s.Marker)
	}
	return ms, w.Err()
}

func TestJPEG(t *testing.T) {
	photo := testfiles.JPEG(testfiles.Packet(), 1000)
	ms, err := jpegMarkers(photo, 100)
	want := []byte{0xE0, 0xE1, 0xE1, 0xE2, 0xED, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4}
	if err != nil || string(ms) != string(want) {
		t.Errorf("markers % X, %v; want % X up to SOS", ms, err, want)
	}
	for _, tc := range []struct {
		name string
		data string
		want []byte
		err  string // "" for none, "many" for TooMany
	}{
		{"fill bytes and standalone", "\xFF\xD8\xFF\xFF\xFF\xD0\xFF\x01\xFF\xD8\xFF\xE0\x00\x02\xFF\xD9", []byte{0xD0, 0x01, 0xD8, 0xE0}, ""},
		{"stuffed zero", "\xFF\xD8\xFF\x00\xFF\xDA", []byte{0x00}, ""},
		{"truncated", "\xFF\xD8\xFF\xE1\x00\x10abc", nil, "segment 0xE1 length 16 past end at offset 2"},
		{"no length", "\xFF\xD8\xFF\xE1\x00", nil, "truncated segment length at offset 4"},
		{"short length", "\xFF\xD8\xFF\xE1\x00\x01", nil, "segment 0xE1 length 1 past end at offset 2"},
		{"no marker", "\xFF\xD8\x00", nil, "missing marker at offset 2"},
		{"only fill", "\xFF\xD8\xFF\xFF", nil, "truncated marker at offset 2"},
		{"no scan", "\xFF\xD8", nil, "truncated before start of scan at offset 2"},
		{"cap", "\xFF\xD8\xFF\xD0\xFF\xD1\xFF\xD2\xFF\xD9", []byte{0xD0, 0xD1}, "many"},
	} {
		max := 100
		if tc.err == "many" {
			max = 2
		}
		ms, err := jpegMarkers([]byte(tc.data), max)
		var ce *chunk.Error
		switch {
		case string(ms) != string(tc.want):
			t.Errorf("%s: markers % X, want % X", tc.name, ms, tc.want)
		case tc.err == "" && err != nil, tc.err != "" && err == nil:
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case tc.err == "many" && !(errors.As(err, &ce) && ce.TooMany):
			t.Errorf("%s: error %v, want TooMany", tc.name, err)
		case tc.err != "" && tc.err != "many" && err.Error() != tc.err:
			t.Errorf("%s: error %q, want %q", tc.name, err, tc.err)
		}
	}
}

func TestPNG(t *testing.T) {
	photo := testfiles.PNG(testfiles.Packet(), 20000)
	var types []string
	w := chunk.NewPNG(photo, 100)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		types = append(types, c.Name())
		if c.End-c.Start != len(c.Data)+12 {
			t.Errorf("%s chunk: %d..%d for %d bytes of data", c.Name(), c.Start, c.End, len(c.Data))
		}
	}
	want := "[IHDR pHYs iTXt eXIf IDAT IDAT IDAT IEND]"
	if got := fmtList(types); got != want || w.Err() != nil {
		t.Errorf("chunks %s, %v; want %s", got, w.Err(), want)
	}
	for _, tc := range []struct {
		name, data, err string
	}{
		{"no IEND", chunk.Signature, "missing IEND at offset 8"},
		{"short header", chunk.Signature + "\x00\x00", "truncated chunk header at offset 8"},
		{"past end", chunk.Signature + "\x00\x00\x00\x10IDATabcd", `chunk "IDAT" length 16 past end at offset 8`},
		{"huge", chunk.Signature + "\xFF\xFF\xFF\xFFIDAT", `chunk "IDAT" length 4294967295 past end at offset 8`},
	} {
		w := chunk.NewPNG([]byte(tc.data), 100)
		for _, ok := w.Next(); ok; _, ok = w.Next() {
		}
		if w.Err() == nil || w.Err().Error() != tc.err {
			t.Errorf("%s: error %v, want %q", tc.name, w.Err(), tc.err)
		}
	}
	w = chunk.NewPNG(photo, 2)
	n := 0
	for _, ok := w.Next(); ok; _, ok = w.Next() {
		n++
	}
	var ce *chunk.Error
	if n != 2 || !errors.As(w.Err(), &ce) || !ce.TooMany {
		t.Errorf("cap 2: %d chunks, %v; want 2 and TooMany", n, w.Err())
	}
}

// TestOnly: a filtered walk returns only the blocks asked for, and still
// walks, counts and checks the others.
func TestOnly(t *testing.T) {
	photo := testfiles.JPEG(testfiles.Packet(), 1000)
	w := chunk.NewJPEG(photo, 100)
	w.Only(0xE1, 0xC0)
	var got []byte
	var idx []int
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		got = append(got, s.Marker)
		idx = append(idx, w.Segments()-1)
	}
	if string(got) != "\xE1\xE1\xC0" || fmtInts(idx) != "1 2 7" || w.Err() != nil {
		t.Errorf("Only(APP1, SOF0): markers % X at segments %v, %v; want E1 E1 C0 at 1 2 7", got, idx, w.Err())
	}
	w = chunk.NewJPEG([]byte("\xFF\xD8\xFF\xD8\xFF\xE1\x00\x02\xFF\xE1\x00\x09"), 100)
	w.Only(0xE1)
	n := 0
	for _, ok := w.Next(); ok; _, ok = w.Next() {
		n++
	}
	if n != 1 || w.Err() == nil {
		t.Errorf("filtered walk of damaged data: %d segments, %v; want 1 and the damage", n, w.Err())
	}
	p := chunk.NewPNG(testfiles.PNG(testfiles.Packet(), 20000), 100)
	p.Only("eXIf", "IEND")
	var types []string
	for c, ok := p.Next(); ok; c, ok = p.Next() {
		types = append(types, c.Name())
	}
	if fmtList(types) != "[eXIf IEND]" || p.Err() != nil {
		t.Errorf("Only(eXIf, IEND): %v, %v", types, p.Err())
	}
	p = chunk.NewPNG(testfiles.PNG(nil, 20000), 4)
	p.Only("IEND")
	for _, ok := p.Next(); ok; _, ok = p.Next() {
	}
	var ce *chunk.Error
	if !errors.As(p.Err(), &ce) || !ce.TooMany {
		t.Errorf("filtered walk past the cap: %v, want TooMany", p.Err())
	}
}

func fmtInts(v []int) string {
	out := ""
	for i, x := range v {
		if i > 0 {
			out += " "
		}
		out += string(rune('0' + x))
	}
	return out
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// FuzzWalk: whatever the input, the walkers stay inside the data, yield
// blocks in order without overlap, and stop; a walk filtered with Only
// yields exactly the blocks of the full walk it asks for, and ends the same
// way.
func FuzzWalk(f *testing.F) {
	f.Add(testfiles.JPEG(testfiles.Packet(), 100), byte(0xE1))
	f.Add(testfiles.PNG(nil, 100), byte(2))
	f.Fuzz(func(t *testing.T, data []byte, pick byte) {
		var all, some []chunk.Segment
		w := chunk.NewJPEG(data, 1<<10)
		last := 2
		for s, ok := w.Next(); ok; s, ok = w.Next() {
			if s.Start < last || s.End > len(data) || s.End <= s.Start {
				t.Fatalf("segment %d..%d after %d in %d bytes", s.Start, s.End, last, len(data))
			}
			last = s.End
			if s.Marker == pick || s.Marker == 0xD8 {
				all = append(all, s)
			}
		}
		fw := chunk.NewJPEG(data, 1<<10)
		fw.Only(pick, 0xD8)
		for s, ok := fw.Next(); ok; s, ok = fw.Next() {
			some = append(some, s)
		}
		if len(all) != len(some) || (w.Err() == nil) != (fw.Err() == nil) {
			t.Fatalf("filtered JPEG walk: %d segments, %v; full walk: %d, %v", len(some), fw.Err(), len(all), w.Err())
		}
		for i := range all {
			if all[i].Start != some[i].Start || all[i].End != some[i].End {
				t.Fatalf("filtered JPEG walk: segment %d at %d..%d, full walk at %d..%d", i, some[i].Start, some[i].End, all[i].Start, all[i].End)
			}
		}
		types := []string{"IHDR", "iTXt", "IDAT", "IEND", "eXIf"}
		want := types[int(pick)%len(types)]
		var pall, psome []chunk.Chunk
		p := chunk.NewPNG(data, 1<<10)
		last = len(chunk.Signature)
		for c, ok := p.Next(); ok; c, ok = p.Next() {
			if c.Start != last || c.End > len(data) || c.End-c.Start != len(c.Data)+12 {
				t.Fatalf("chunk %d..%d after %d in %d bytes", c.Start, c.End, last, len(data))
			}
			last = c.End
			if c.Is(want) {
				pall = append(pall, c)
			}
		}
		fp := chunk.NewPNG(data, 1<<10)
		fp.Only(want)
		for c, ok := fp.Next(); ok; c, ok = fp.Next() {
			psome = append(psome, c)
		}
		if len(pall) != len(psome) || (p.Err() == nil) != (fp.Err() == nil) {
			t.Fatalf("filtered PNG walk: %d chunks, %v; full walk: %d, %v", len(psome), fp.Err(), len(pall), p.Err())
		}
	})
}

// BenchmarkWalk measures the walks alone, per file: a photograph's JPEG
// header (12 segments) and a 4 MiB PNG (516 chunks).
func BenchmarkWalk(b *testing.B) {
	jpeg := testfiles.JPEG(testfiles.Packet(), 1<<20)
	png := testfiles.PNG(testfiles.Packet(), 4<<20)
	b.Run("jpeg", func(b *testing.B) {
		for b.Loop() {
			w := chunk.NewJPEG(jpeg, 1<<16)
			for _, ok := w.Next(); ok; _, ok = w.Next() {
			}
		}
	})
	b.Run("png", func(b *testing.B) {
		for b.Loop() {
			w := chunk.NewPNG(png, 1<<16)
			for _, ok := w.Next(); ok; _, ok = w.Next() {
			}
		}
	})
}
