package pdq_test

import (
	"bufio"
	"encoding/csv"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/askfirst/askfirst/pdq"
)

// The conformance data in testdata/ is ../shared/conformance/pdq copied
// unmodified; testdata/SOURCE.md says where every value comes from and how
// strict it is. The tolerances below are the ones it states, per class of
// expected value:
//
//   - readmeTolerance: ThreatExchange's rule for a new implementation
//     (pdq/README.md, "Hashing", criterion 2): from files, hashes of quality
//     >= 80 within distance <= 10 of the C++ reference.
//   - pythonTolerance: the Python port's own unit test accepts its expected
//     values within 16 (pdq/python/pdqhashing/tests/pdq_test.py).
//   - exact: where the source states equality and we are fed the very same
//     pixels (lossless PNG decoding gives the reference's pixels exactly;
//     criterion 1 of the README: identical pixels, identical hash).
const (
	readmeTolerance = 10
	pythonTolerance = 16
)

// expectedRow is one row of expected_hashes.csv.
type expectedRow struct {
	file, impl, source string
	hash               pdq.Hash
	quality            int // -1 when the row states none
}

func readExpected(t *testing.T) (rows, absent []expectedRow) {
	t.Helper()
	recs := readCSV(t, "testdata/expected_hashes.csv")
	for i, r := range recs {
		if len(r) != 5 {
			t.Fatalf("expected_hashes.csv line %d: %d fields, want 5", i+2, len(r))
		}
		h, err := pdq.ParseHash(r[3])
		if err != nil {
			t.Fatalf("expected_hashes.csv line %d: %v", i+2, err)
		}
		if strings.HasPrefix(r[0], "NOT-COPIED:") || strings.HasPrefix(r[0], "NOT-IN-REPO:") {
			absent = append(absent, expectedRow{file: r[0], impl: r[1], source: r[2], hash: h})
			continue
		}
		q := -1
		if r[4] != "" {
			if q, err = strconv.Atoi(r[4]); err != nil {
				t.Fatalf("expected_hashes.csv line %d: quality: %v", i+2, err)
			}
		}
		rows = append(rows, expectedRow{file: r[0], impl: r[1], source: r[2], hash: h, quality: q})
	}
	return rows, absent
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if len(recs) < 2 {
		t.Fatalf("read %s: no data rows", name)
	}
	return recs[1:]
}

// decoded memoises decoded test images: several tests hash the same files,
// and decoding dominates the run time under -race.
var decoded sync.Map // name -> image.Image

func decode(t testing.TB, name string) image.Image {
	t.Helper()
	if img, ok := decoded.Load(name); ok {
		return img.(image.Image)
	}
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	decoded.Store(name, img)
	return img
}

// hashCache memoises hashes per (file, options): the same images appear in
// many rows.
type hashKey struct {
	file string
	opt  pdq.Options
}

type hashResult struct {
	h pdq.Hash
	q int
}

type hashCache map[hashKey]hashResult

func (c hashCache) get(t *testing.T, file string, opt pdq.Options) (pdq.Hash, int) {
	t.Helper()
	k := hashKey{file, opt}
	if r, ok := c[k]; ok {
		return r.h, r.q
	}
	h, q, err := opt.Compute(decode(t, file))
	if err != nil {
		t.Fatalf("hash %s: %v", file, err)
	}
	c[k] = hashResult{h, q}
	return h, q
}

// rowRule says how a row is checked: with which options (the tool's
// 512x512 shrink or not), within what distance, and why.
func rowRule(r expectedRow) (opt pdq.Options, tol int, why string) {
	png := strings.HasSuffix(r.file, ".png")
	switch {
	case strings.HasPrefix(r.impl, "cpp-reference"):
		return pdq.Options{}, readmeTolerance, "C++ reference output; README criterion 2 (<= 10 for quality >= 80)"
	case strings.HasPrefix(r.impl, "java (pdq-photo-hasher-tool)"):
		return pdq.Options{}, readmeTolerance, "Java tool output, stated identical to the C++ reference; README criterion 2"
	case strings.HasPrefix(r.impl, "java unit test"):
		// Exact for Java's own JPEG decoder (ImageIO); we decode with
		// image/jpeg, so criterion 2 is the stated cross-decoder rule.
		// (Fed libjpeg's pixels, the algorithm reproduces these hashes
		// exactly; see TestReferenceVectors.)
		return pdq.Options{}, readmeTolerance, "Java unit test, exact for Java's decoder; other decoders: README criterion 2"
	case strings.HasPrefix(r.impl, "python"):
		// The Python tool README values are the same implementation's
		// output as its unit-test values (bridge-1-original is identical
		// in both), and that test accepts distance 16.
		return pdq.Options{}, pythonTolerance, "Python port; its unit test accepts <= 16"
	case strings.HasPrefix(r.impl, "wasm"):
		// The WASM build is the C++ tool, which shrinks to 512x512, and
		// its test compares strings exactly. A PNG decodes to the same
		// pixels everywhere: exact. JPEG decoders differ: criterion 2.
		if png {
			return pdq.Options{ToolResize: true}, 0, "WASM build of the C++ tool, exact on identical (PNG) pixels"
		}
		return pdq.Options{ToolResize: true}, readmeTolerance, "WASM build of the C++ tool, exact for libjpeg; other decoders: README criterion 2"
	}
	return pdq.Options{}, -1, ""
}

func TestExpectedHashes(t *testing.T) {
	rows, absent := readExpected(t)
	for _, a := range absent {
		// These files are not in the snapshot (SOURCE.md): there is
		// nothing to hash, so these rows cannot run. Say whether the
		// same expected value is checked on a file that is here.
		also := ""
		for _, r := range rows {
			if r.impl == a.impl && r.hash == a.hash {
				also += " " + r.file
			}
		}
		if also != "" {
			also = "; the same expected hash for the same implementation is checked on" + also
		}
		t.Logf("not runnable, file not available: %s (%s)%s", a.file, a.impl, also)
	}
	if len(absent) != 9 {
		t.Errorf("%d rows without a file, SOURCE.md lists 9 (7 NOT-COPIED, 2 NOT-IN-REPO)", len(absent))
	}
	if len(rows) == 0 {
		t.Fatal("no runnable rows")
	}
	cache := hashCache{}
	for _, r := range rows {
		t.Run(r.impl+"/"+r.file, func(t *testing.T) {
			opt, tol, why := rowRule(r)
			if tol < 0 {
				t.Fatalf("no rule for implementation %q", r.impl)
			}
			got, q := cache.get(t, r.file, opt)
			d := pdq.Distance(got, r.hash)
			t.Logf("distance %d (tolerance %d: %s), quality %d", d, tol, why, q)
			if d > tol {
				t.Errorf("hash %s = %v (quality %d), want %v within %d (%s); distance %d", r.file, got, q, r.hash, tol, why, d)
			}
			if r.quality >= 0 && r.quality >= 80 && q < 80 {
				t.Errorf("quality %s = %d, want >= 80 like the stated %d", r.file, q, r.quality)
			}
		})
	}
}

// TestDistancesCSV checks the arithmetic of distances.csv with our Distance
// (exact: it is plain bit counting), and that every mild edit of the bridge
// photo still matches our hash of the original at the README's suggested
// threshold (<= 31), which is what PDQ is for.
func TestDistancesCSV(t *testing.T) {
	recs := readCSV(t, "testdata/distances.csv")
	parse := func(s string) pdq.Hash {
		h, err := pdq.ParseHash(s)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var cppOrig pdq.Hash
	origOf := map[string]pdq.Hash{} // implementation + folder -> hash of the original
	for _, r := range recs {
		if strings.HasPrefix(r[1], "cpp-reference") && r[0] == "images/dih/bridge-1-original.jpg" {
			cppOrig = parse(r[2])
		}
		if r[0] == "images/dih/bridge-1-original.jpg" || r[0] == "images/bridge-mods/aaa-orig.jpg" {
			origOf[r[1]+"|"+filepath.Dir(r[0])] = parse(r[2])
		}
	}
	if cppOrig == (pdq.Hash{}) {
		t.Fatal("no cpp-reference row for bridge-1-original")
	}
	for _, r := range recs {
		t.Run(r[1]+"/"+r[0], func(t *testing.T) {
			h := parse(r[2])
			want, err := strconv.Atoi(r[3])
			if err != nil {
				t.Fatal(err)
			}
			if got := pdq.Distance(h, cppOrig); got != want {
				t.Errorf("Distance(%v, cpp original) = %d, want %d", h, got, want)
			}
			if r[4] == "" {
				return
			}
			want, err = strconv.Atoi(r[4])
			if err != nil {
				t.Fatal(err)
			}
			orig, ok := origOf[r[1]+"|"+filepath.Dir(r[0])]
			if !ok {
				t.Fatalf("no original for %s in %s", r[1], filepath.Dir(r[0]))
			}
			if got := pdq.Distance(h, orig); got != want {
				t.Errorf("Distance(%v, same implementation's original) = %d, want %d", h, got, want)
			}
		})
	}

	orig, _, err := pdq.Compute(decode(t, "images/bridge-mods/aaa-orig.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	mods, err := filepath.Glob("testdata/images/bridge-mods/*.jpg")
	if err != nil || len(mods) != 12 {
		t.Fatalf("bridge-mods: %d files, %v; want 12", len(mods), err)
	}
	for _, m := range mods {
		name, _ := filepath.Rel("testdata", m)
		h, q, err := pdq.Compute(decode(t, name))
		if err != nil {
			t.Fatal(err)
		}
		d := pdq.Distance(h, orig)
		t.Logf("%s: distance %d to our original, quality %d", name, d, q)
		if d > 31 {
			t.Errorf("%s: distance %d to the original, want a match (<= 31)", name, d)
		}
	}
}

// TestJavaUnitTestDistances checks the distances asserted by
// pdq/java/src/test/java/hasher/pdqhashing/PDQHasherTest.java. Those are
// exact for Java's decoder. Our hashes differ from Java's by a few bits
// (JPEG decoding), so a distance between two of our hashes may differ from
// Java's by at most the sum of the two per-file differences (triangle
// inequality); that sum is the tolerance. A PNG decodes to the same pixels
// in Java and Go and the arithmetic is the same IEEE float32, so its
// per-file difference is 0.
func TestJavaUnitTestDistances(t *testing.T) {
	rows, _ := readExpected(t)
	java := map[string]pdq.Hash{}
	for _, r := range rows {
		if strings.HasPrefix(r.impl, "java unit test") {
			java[r.file] = r.hash
		}
	}
	const origFile, rotFile = "images/dih/bridge-1-original.jpg", "images/dih/bridge-2-rotate-90.jpg"
	origImg := decode(t, origFile)
	orig := mustHash(t, origImg)
	rot := mustHash(t, decode(t, rotFile))
	pen := mustHash(t, decode(t, "images/misc/pen-and-coaster.png"))
	dOrig := pdq.Distance(orig, java[origFile])
	dRot := pdq.Distance(rot, java[rotFile])
	t.Logf("our hashes vs the Java unit test's: original %d bits, rotate-90 %d bits", dOrig, dRot)

	b := origImg.Bounds()
	grey := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			grey.Set(x, y, origImg.At(x, y))
		}
	}
	// Java's drawImage without rendering hints scales by nearest neighbour.
	half := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := range half.Rect.Dy() {
		for x := range half.Rect.Dx() {
			half.Set(x, y, origImg.At(b.Min.X+x*b.Dx()/half.Rect.Dx(), b.Min.Y+y*b.Dy()/half.Rect.Dy()))
		}
	}

	tests := []struct {
		name string
		h    pdq.Hash
		want int
		tol  int
	}{
		{"rotate-90", rot, 120, dOrig + dRot},
		{"pen-and-coaster", pen, 138, dOrig},
		// For these two the triangle inequality gives no bound: Java
		// made the grey and half-size copies from its own decode with
		// its own conversions, which we cannot reproduce. We allow the
		// same slack as our decode's distance from Java's (dOrig), which
		// is a judgement, not a derivation. The Java test converts to
		// grey with its CS_GRAY colour space; we use Go's Gray model
		// (the same 0.299/0.587/0.114 weights, rounded to 8 bits).
		{"greyscale", mustHash(t, grey), 0, dOrig},
		// Java's nearest-neighbour half-size copy; ours samples the
		// same pixel positions.
		{"half-size", mustHash(t, half), 4, dOrig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pdq.Distance(orig, tc.h)
			t.Logf("distance %d, Java's %d, tolerance %d", got, tc.want, tc.tol)
			if got < tc.want-tc.tol || got > tc.want+tc.tol {
				t.Errorf("distance(original, %s) = %d, want %d ± %d", tc.name, got, tc.want, tc.tol)
			}
		})
	}
}

func mustHash(t testing.TB, img image.Image) pdq.Hash {
	t.Helper()
	h, _, err := pdq.Compute(img)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestDihedral checks that the eight hashes ComputeDihedral derives from
// the original photo match the hashes of the seven transformed files (and
// of the original) within the README's match threshold (<= 31), and that
// they are close to the C++ reference's hashes of those files. Without the
// derived variants the transformed files are over 100 bits away.
func TestDihedral(t *testing.T) {
	rows, _ := readExpected(t)
	cpp := map[string]pdq.Hash{}
	for _, r := range rows {
		if strings.HasPrefix(r.impl, "cpp-reference") {
			cpp[r.file] = r.hash
		}
	}
	files := [8]string{
		pdq.Original:   "images/dih/bridge-1-original.jpg",
		pdq.Rotate90:   "images/dih/bridge-2-rotate-90.jpg",
		pdq.Rotate180:  "images/dih/bridge-3-rotate-180.jpg",
		pdq.Rotate270:  "images/dih/bridge-4-rotate-270.jpg",
		pdq.FlipX:      "images/dih/bridge-5-flipx.jpg",
		pdq.FlipY:      "images/dih/bridge-6-flipy.jpg",
		pdq.FlipPlus1:  "images/dih/bridge-7-flip-plus-1.jpg",
		pdq.FlipMinus1: "images/dih/bridge-8-flip-minus-1.jpg",
	}
	hs, q, err := pdq.ComputeDihedral(decode(t, files[pdq.Original]))
	if err != nil {
		t.Fatal(err)
	}
	orig, q1, _ := pdq.Compute(decode(t, files[pdq.Original]))
	if hs[pdq.Original] != orig || q != q1 {
		t.Errorf("ComputeDihedral original = %v, %d; Compute = %v, %d", hs[pdq.Original], q, orig, q1)
	}
	for v, f := range files {
		t.Run(pdq.VariantName(v), func(t *testing.T) {
			file := mustHash(t, decode(t, f))
			dFile := pdq.Distance(hs[v], file)
			dCpp := pdq.Distance(hs[v], cpp[f])
			dPlain := pdq.Distance(orig, file)
			t.Logf("derived vs our hash of %s: %d; vs C++ reference's: %d; plain original vs file: %d", f, dFile, dCpp, dPlain)
			if dFile > 31 || dCpp > 31 {
				t.Errorf("derived %s hash %v: distance %d to our hash of %s, %d to the C++ reference's; want <= 31", pdq.VariantName(v), hs[v], dFile, f, dCpp)
			}
		})
	}
}

// TestNeedlesHaystack runs the reference regression test's lookup
// (pdq/cpp/reg_test: each needle against the haystack within distance 32)
// by brute force, with Distance cross-checked against an independent bit
// count on the hex text for every pair. The expected output of the
// reference test is not in the snapshot (SOURCE.md), so the matches are
// pinned in testdata/needle_matches.golden (refresh with -update), which
// package match can use as well.
func TestNeedlesHaystack(t *testing.T) {
	needles := readHashLines(t, "testdata/hashes/needles.txt")
	haystack := readHashLines(t, "testdata/hashes/haystack.txt")
	if len(needles) != 100 || len(haystack) != 1350 {
		t.Fatalf("got %d needles and %d haystack hashes, want 100 and 1350", len(needles), len(haystack))
	}
	var out strings.Builder
	out.WriteString("# needle_line,haystack_line,distance (1-based lines; every pair within 32)\n")
	matched := 0
	for i, n := range needles {
		found := false
		for j, h := range haystack {
			d := pdq.Distance(n.h, h.h)
			if want := hexDistance(n.s, h.s); d != want {
				t.Fatalf("Distance(%s, %s) = %d, bit count of the hex text = %d", n.s, h.s, d, want)
			}
			if d <= 32 {
				found = true
				out.WriteString(strconv.Itoa(i+1) + "," + strconv.Itoa(j+1) + "," + strconv.Itoa(d) + "\n")
			}
		}
		if found {
			matched++
		}
	}
	t.Logf("%d of %d needles have a haystack match within 32", matched, len(needles))
	checkGolden(t, "testdata/needle_matches.golden", out.String())
}

type hashLine struct {
	s string
	h pdq.Hash
}

func readHashLines(t *testing.T, name string) []hashLine {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hashLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		h, err := pdq.ParseHash(s)
		if err != nil {
			t.Fatalf("%s line %d: %v", name, n, err)
		}
		out = append(out, hashLine{s, h})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// hexDistance counts differing bits digit by digit on the hex text,
// independently of Hash's byte layout and of math/bits.
func hexDistance(a, b string) int {
	val := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c >= 'a' && c <= 'f':
			return int(c-'a') + 10
		default:
			return int(c-'A') + 10
		}
	}
	d := 0
	for i := range len(a) {
		x := val(a[i]) ^ val(b[i])
		for ; x != 0; x >>= 1 {
			d += x & 1
		}
	}
	return d
}

func TestHashFiles(t *testing.T) {
	for _, name := range []string{"short256.dat", "long256.dat"} {
		hs := readHashLines(t, "testdata/hashes/"+name)
		for _, h := range hs {
			if got := h.h.String(); got != strings.ToLower(h.s) {
				t.Errorf("ParseHash(%q).String() = %q", h.s, got)
			}
		}
		t.Logf("%s: %d hashes round-trip", name, len(hs))
	}
}
