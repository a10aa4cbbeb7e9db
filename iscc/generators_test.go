package iscc_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/iscc"
)

// Texts and expected codes from iscc-core v1.3 tests/test_code_content_text.py.
const (
	textA = `
    Their most significant and usefull property of similarity-preserving
    fingerprints gets lost in the fragmentation of individual, propietary and
    use case specific implementations. The real benefit lies in similarity
    preservation beyond your local data archive on a global scale accross
    vendors.
`
	textB = `
    The most significant and usefull property of similarity-preserving
    fingerprints gets lost in the fragmentation of individual, propietary and
    use case specific implementations. The real benefit lies in similarity
    preservation beyond your local data archive on a global scale accross
    vendors.
`
	textC = `
    A need for open standard fingerprinting. We don´t need the best
    Fingerprinting algorithm just an accessible and widely used one.
`
)

func TestGenTextCode(t *testing.T) {
	tests := []struct {
		text string
		bits int
		want iscc.TextCode
	}{
		{textA, 64, iscc.TextCode{ISCC: "ISCC:EAAZHFKU6PNI7UVW", Characters: 249}},
		{textA, 32, iscc.TextCode{ISCC: "ISCC:EAAJHFKU6M", Characters: 249}},
		{textB, 128, iscc.TextCode{ISCC: "ISCC:EABZHFKU6PNIXUVWYEEIQLOYHILX6", Characters: 247}},
		{textC, 256, iscc.TextCode{ISCC: "ISCC:EADQE77SQ5NHKYPCDXT3E2NTB2EGV7VSKEUJDNXG2MICLCFZOPSDI4I", Characters: 108}},
		{"", 128, iscc.TextCode{ISCC: "ISCC:EABSL4F2WZY7KBXBYUZPREWZ26IXU", Characters: 0}},
	}
	for _, tt := range tests {
		got, err := iscc.GenTextCode(tt.text, tt.bits)
		if err != nil {
			t.Fatalf("GenTextCode(%.20q, %d): %v", tt.text, tt.bits, err)
		}
		if diff := cmp.Diff(&tt.want, got); diff != "" {
			t.Errorf("GenTextCode(%.20q, %d) (-want +got):\n%s", tt.text, tt.bits, diff)
		}
	}
	// Near-duplicate texts are close.
	a, _ := iscc.GenTextCode(textA, 64)
	b, _ := iscc.GenTextCode(textB, 64)
	if d, err := iscc.Distance(a.ISCC, b.ISCC); err != nil || d > 8 {
		t.Errorf("Distance(text A, text B) = %d, %v; want <= 8", d, err)
	}
}

func TestGeneratorErrors(t *testing.T) {
	frame := make([]int, iscc.FrameSigLen)
	tests := []struct {
		name string
		call func() error
	}{
		{"text bits 0", func() error { _, err := iscc.GenTextCode("x", 0); return err }},
		{"text bits 48", func() error { _, err := iscc.GenTextCode("x", 48); return err }},
		{"text bits 288", func() error { _, err := iscc.GenTextCode("x", 288); return err }},
		{"meta empty name", func() error { _, err := iscc.GenMetaCode("\u200b \n", "", nil, 64); return err }},
		{"meta bad data url", func() error { _, err := iscc.GenMetaCode("x", "", "http://example.com", 64); return err }},
		{"meta bad base64", func() error { _, err := iscc.GenMetaCode("x", "", "data:;base64,!!!", 64); return err }},
		{"meta not an object", func() error { _, err := iscc.GenMetaCode("x", "", json.RawMessage(`[1,2]`), 64); return err }},
		{"meta invalid json", func() error { _, err := iscc.GenMetaCode("x", "", json.RawMessage(`{"a":`), 64); return err }},
		{"meta too large", func() error {
			_, err := iscc.GenMetaCode("x", "", map[string]any{"k": strings.Repeat("v", iscc.MaxMetaPayload)}, 64)
			return err
		}},
		{"image 1023 pixels", func() error { _, err := iscc.GenImageCode(make([]byte, 1023), 64); return err }},
		{"image bits 288", func() error { _, err := iscc.GenImageCode(make([]byte, 1024), 288); return err }},
		{"audio bits 16", func() error { _, err := iscc.GenAudioCode(nil, 16); return err }},
		{"video no frames", func() error { _, err := iscc.GenVideoCode(nil, 64); return err }},
		{"video short frame", func() error { _, err := iscc.GenVideoCode([][]int{frame, frame[:379]}, 64); return err }},
		{"mixed one code", func() error { _, err := iscc.GenMixedCode([]string{"EAASKDNZNYGUUF5A"}, 64); return err }},
		{"mixed non-content", func() error {
			_, err := iscc.GenMixedCode([]string{"EAASKDNZNYGUUF5A", "GAASL4F2WZY7KBXB"}, 64)
			return err
		}},
		{"mixed too short", func() error {
			_, err := iscc.GenMixedCode([]string{"EAASKDNZNYGUUF5A", "EAASKDNZNYGUUF5A"}, 128)
			return err
		}},
		{"data bits 0", func() error { _, err := iscc.GenDataCode(strings.NewReader(""), 0); return err }},
		{"data read error", func() error {
			_, err := iscc.GenDataCode(iotest.ErrReader(io.ErrUnexpectedEOF), 64)
			return err
		}},
		{"instance read error", func() error {
			_, err := iscc.GenInstanceCode(iotest.ErrReader(io.ErrUnexpectedEOF), 64)
			return err
		}},
		{"instance hasher bits", func() error { _, err := iscc.NewInstanceHasher(100); return err }},
		{"data hasher bits", func() error { _, err := iscc.NewDataHasher(512); return err }},
	}
	for _, tt := range tests {
		if err := tt.call(); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
}

func TestGenMetaCode(t *testing.T) {
	// No metadata: an empty object or string counts as none.
	plain, err := iscc.GenMetaCode("Hello", "", nil, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, meta := range []any{"", map[string]any{}, json.RawMessage(`{}`), json.RawMessage(`null`)} {
		got, err := iscc.GenMetaCode("Hello", "", meta, 64)
		if err != nil {
			t.Fatalf("GenMetaCode(meta=%v): %v", meta, err)
		}
		if diff := cmp.Diff(plain, got); diff != "" {
			t.Errorf("GenMetaCode(meta=%#v) differs from no meta (-want +got):\n%s", meta, diff)
		}
	}
	// The same object as a map, as JSON text and as a data URL give the same
	// code and metahash (official vector test_0014_meta_object_json).
	want := &iscc.MetaCode{ISCC: "ISCC:AAAWKLHFXN63LHL2", Name: "Hello", Meta: "data:application/json;base64,eyJzb21lIjoib2JqZWN0In0=", Metahash: "1e20111d3302b0605ec558c390ee013ae89ec6eea68ad2317a8b2de3f4169afeb2ca"}
	for _, meta := range []any{map[string]any{"some": "object"}, json.RawMessage(` { "some" : "object" } `), []byte(`{"some":"object"}`), struct {
		Some string `json:"some"`
	}{"object"}} {
		got, err := iscc.GenMetaCode("Hello", "", meta, 64)
		if err != nil {
			t.Fatalf("GenMetaCode(meta=%#v): %v", meta, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GenMetaCode(meta=%#v) (-want +got):\n%s", meta, diff)
		}
	}
	durl, err := iscc.GenMetaCode("Hello", "", "data:application/json;base64,eyJzb21lIjoib2JqZWN0In0=", 64)
	if err != nil || durl.ISCC != want.ISCC || durl.Metahash != want.Metahash {
		t.Errorf("GenMetaCode(data URL) = %+v, %v; want code %s", durl, err, want.ISCC)
	}
	// A payload exactly at the limit passes, one byte more fails.
	at := "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), iscc.MaxMetaPayload))
	if _, err := iscc.GenMetaCode("Test", "", at, 64); err != nil {
		t.Errorf("meta payload at the limit: %v", err)
	}
	over := "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), iscc.MaxMetaPayload+1))
	if _, err := iscc.GenMetaCode("Test", "", over, 64); err == nil {
		t.Error("meta payload over the limit: no error")
	}
	// With metadata the description is returned but not hashed.
	withDesc, err := iscc.GenMetaCode("Hello", "  Some\n\n\n description ", map[string]any{"some": "object"}, 64)
	if err != nil || withDesc.ISCC != want.ISCC || withDesc.Metahash != want.Metahash || withDesc.Description != "Some\n\n description" {
		t.Errorf("GenMetaCode(description, meta) = %+v, %v; want code %s, description %q", withDesc, err, want.ISCC, "Some\n\n description")
	}
	// Percent-encoded data URL.
	pct, err := iscc.GenMetaCode("Hello", "", "data:application/json,%7B%22some%22%3A%22object%22%7D", 64)
	if err != nil || pct.ISCC != want.ISCC {
		t.Errorf("GenMetaCode(percent data URL) = %+v, %v; want %s", pct, err, want.ISCC)
	}
}

func TestCanonicalize(t *testing.T) {
	tests := []struct{ in, want string }{
		// RFC 8785 §3.2.2 example.
		{`{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
		  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
		  "literals": [null, true, false]}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		// Keys sorted by UTF-16 code units: U+1F600 (D83D DE00) before U+FB33.
		{`{"\ufb33":1,"\ud83d\ude00":2,"a":3,"B":4}`, "{\"B\":4,\"a\":3,\"\U0001F600\":2,\"\uFB33\":1}"},
		// No HTML or U+2028 escaping; integers keep their digits.
		{`{"h":"<a&b>\u2028","i":12345678901234567890,"f":1.0,"z":-0,"e":1e20}`, "{\"e\":100000000000000000000,\"f\":1,\"h\":\"<a&b>\u2028\",\"i\":12345678901234567890,\"z\":0}"},
		{`[]`, `[]`},
		{`"x"`, `"x"`},
	}
	for _, tt := range tests {
		got, err := iscc.Canonicalize([]byte(tt.in))
		if err != nil {
			t.Fatalf("Canonicalize(%s): %v", tt.in, err)
		}
		if string(got) != tt.want {
			t.Errorf("Canonicalize(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1} x`, `1e400`, `{"a":NaN}`} {
		if got, err := iscc.Canonicalize([]byte(bad)); err == nil {
			t.Errorf("Canonicalize(%q) = %s, want an error", bad, got)
		}
	}
}

// TestDataCodeStreaming checks that Data- and Instance-Codes do not depend
// on how the input is split, and that the hashers fed by one pass agree with
// the one-shot generators.
func TestDataCodeStreaming(t *testing.T) {
	data := randomBytes(3<<20 + 12345)
	wantData, err := iscc.GenDataCode(bytes.NewReader(data), 256)
	if err != nil {
		t.Fatal(err)
	}
	wantInst, err := iscc.GenInstanceCode(bytes.NewReader(data), 256)
	if err != nil {
		t.Fatal(err)
	}
	if wantInst.Filesize != int64(len(data)) {
		t.Errorf("Filesize = %d, want %d", wantInst.Filesize, len(data))
	}
	for _, size := range []int{1, 7, 255, 256, 1000, 8191, 8192, 8193, 65536, 1 << 20} {
		dh, _ := iscc.NewDataHasher(256)
		ih, _ := iscc.NewInstanceHasher(256)
		w := io.MultiWriter(dh, ih)
		limit := len(data)
		if size < 256 {
			limit = 300000 // keep byte-sized writes fast
		}
		for p := data[:limit]; len(p) > 0; {
			n := min(size, len(p))
			if _, err := w.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		gotData, _ := dh.Code()
		gotInst, _ := ih.Code()
		wd, wi := wantData, wantInst
		if limit != len(data) {
			wd, _ = iscc.GenDataCode(bytes.NewReader(data[:limit]), 256)
			wi, _ = iscc.GenInstanceCode(bytes.NewReader(data[:limit]), 256)
		}
		if gotData.ISCC != wd.ISCC {
			t.Errorf("writes of %d bytes: Data-Code %s, want %s", size, gotData.ISCC, wd.ISCC)
		}
		if diff := cmp.Diff(wi, gotInst); diff != "" {
			t.Errorf("writes of %d bytes: Instance-Code (-want +got):\n%s", size, diff)
		}
	}
	// Readers returning one byte at a time, and Code before the end.
	got, err := iscc.GenDataCode(iotest.OneByteReader(bytes.NewReader(data[:100000])), 64)
	want, _ := iscc.GenDataCode(bytes.NewReader(data[:100000]), 64)
	if err != nil || got.ISCC != want.ISCC {
		t.Errorf("one-byte reader: %v, %v; want %s", got, err, want.ISCC)
	}
	dh, _ := iscc.NewDataHasher(64)
	dh.Write(data[:5000])
	mid, _ := dh.Code()
	dh.Write(data[5000:100000])
	end, _ := dh.Code()
	midWant, _ := iscc.GenDataCode(bytes.NewReader(data[:5000]), 64)
	if mid.ISCC != midWant.ISCC || end.ISCC != want.ISCC {
		t.Errorf("Code mid-stream = %s, end = %s; want %s, %s", mid.ISCC, end.ISCC, midWant.ISCC, want.ISCC)
	}
}

// patternReader yields n pseudo-random bytes without holding them.
type patternReader struct {
	n     int64
	state uint64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		r.state = r.state*6364136223846793005 + 1442695040888963407
		p[i] = byte(r.state >> 56)
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// TestStreamingMemory checks that Data- and Instance-Code allocate the same
// small amount for 1 MiB and for 64 MiB of input.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 130 MiB")
	}
	alloc := func(gen func(io.Reader) error, n int64) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := gen(&patternReader{n: n, state: 1}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	gens := map[string]func(io.Reader) error{
		"data":     func(r io.Reader) error { _, err := iscc.GenDataCode(r, 64); return err },
		"instance": func(r io.Reader) error { _, err := iscc.GenInstanceCode(r, 64); return err },
	}
	for name, gen := range gens {
		small, large := alloc(gen, 1<<20), alloc(gen, 64<<20)
		if large > small+64<<10 || large > 4<<20 {
			t.Errorf("%s: allocated %d bytes for 1 MiB, %d bytes for 64 MiB; want constant", name, small, large)
		}
	}
}
