package cli_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/askfirst/askfirst/internal/exiftooltest"
)

// embedPolicy is a policy given to protect embed, with what askfirst check
// must read back from a file of each format, by the IPTC value it maps to
// (digest §9) and, for PDF and EPUB, TDMRep (digest §3.5).
type embedPolicy struct {
	name  string
	flags []string
	iptc  string            // the PLUS value written
	want  map[string]string // verdicts read from JPEG, PNG, WebP, TIFF
	tdm   string            // "1", "1+policy", "0" or "" (not written)
}

const embedTerms = "https://pub.example/terms"

var embedPolicies = []embedPolicy{
	{"allow all", []string{"--allow", "train-genai,train-ai,ai-input,search"}, "DMI-ALLOWED",
		map[string]string{"train-genai": "allow", "train-ai": "allow", "ai-input": "allow", "search": "allow"}, "0"},
	{"deny training", []string{"--deny", "train-ai"}, "DMI-PROHIBITED-AIMLTRAINING",
		map[string]string{"train-genai": "deny", "train-ai": "deny", "ai-input": "unknown", "search": "unknown"}, ""},
	{"deny generative training", []string{"--deny", "train-genai"}, "DMI-PROHIBITED-GENAIMLTRAINING",
		map[string]string{"train-genai": "deny", "train-ai": "unknown", "ai-input": "unknown", "search": "unknown"}, ""},
	{"deny all but search", []string{"--deny", "train-ai,ai-input", "--allow", "search"}, "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
		map[string]string{"train-genai": "deny", "train-ai": "deny", "ai-input": "deny", "search": "allow"}, "1"},
	{"deny all", []string{"--deny", "train-ai,ai-input,search"}, "DMI-PROHIBITED",
		map[string]string{"train-genai": "deny", "train-ai": "deny", "ai-input": "deny", "search": "deny"}, "1"},
	{"licence all", []string{"--license", "train-ai,ai-input,search", "--terms", embedTerms, "--price", "0.05", "--currency", "EUR"}, "DMI-PROHIBITED-SEECONSTRAINT",
		map[string]string{"train-genai": "license", "train-ai": "license", "ai-input": "license", "search": "license"}, "1+policy"},
}

// embedInputs writes one file of each format into dir.
func writeEmbedInputs(t *testing.T, dir string) []string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 24, 16))
	for y := range 16 {
		for x := range 24 {
			img.Set(x, y, color.NRGBA{uint8(x * 10), uint8(y * 15), 99, 255})
		}
	}
	var j, p bytes.Buffer
	jpeg.Encode(&j, img, nil)
	png.Encode(&p, img)
	files := map[string][]byte{
		"photo.jpg":  j.Bytes(),
		"photo.png":  p.Bytes(),
		"photo.webp": mustRead(t, "../../signals/xmp/testdata/webp-exiftool.webp"),
		"photo.tif":  mustRead(t, "../../signals/xmp/testdata/tiff-exiftool.tif"),
		"paper.pdf":  mustRead(t, "../../signals/xmp/testdata/pdf-exiftool.pdf"),
		"book.epub":  mustRead(t, "../../signals/testdata/epub2-tdm-0.epub"),
	}
	var names []string
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o640); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// decoders give the pixels of the image formats, to compare before and
// after.
var decoders = map[string]func([]byte) (image.Image, error){
	".jpg":  func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) },
	".png":  func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) },
	".webp": func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) },
	".tif":  func(b []byte) (image.Image, error) { return tiff.Decode(bytes.NewReader(b)) },
}

func pixelsOf(t *testing.T, ext string, b []byte) []byte {
	t.Helper()
	img, err := decoders[ext](b)
	if err != nil {
		t.Fatalf("decode %s: %v", ext, err)
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n.Pix
}

// TestProtectEmbed embeds each policy into each format with protect
// embed, and reads every file back with askfirst check and with ExifTool:
// per format and per vocabulary value, the verdicts are those the written
// values mean; the pixels and the other metadata are unchanged.
func TestProtectEmbed(t *testing.T) {
	in := t.TempDir()
	names := writeEmbedInputs(t, in)
	written := map[string]string{} // output file -> IPTC value
	for _, pol := range embedPolicies {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"protect", "embed", "--json", "--out", out}, pol.flags...)
		stdout, errOut, code := run(t, append(args, in)...)
		type line struct {
			Path, Out, Format, Error string
			Wrote                    []string
		}
		results := map[string]line{}
		for _, l := range jsonLines[line](t, stdout) {
			results[filepath.Base(l.Path)] = l
		}
		epubOK := pol.tdm != ""
		if wantCode := map[bool]int{true: 0, false: 1}[epubOK]; code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", pol.name, code, wantCode, stdout, errOut)
		}
		for _, name := range names {
			ext := filepath.Ext(name)
			r := results[name]
			if ext == ".epub" && !epubOK {
				if r.Error == "" || !strings.Contains(r.Error, "cannot state") {
					t.Errorf("%s: %s: %+v, want an error: TDMRep cannot state it", pol.name, name, r)
				}
				continue
			}
			if r.Error != "" || r.Out == "" {
				t.Fatalf("%s: %s: %+v\n%s", pol.name, name, r, errOut)
			}
			want := map[string]string{}
			for u, v := range pol.want {
				want[u] = v
			}
			switch ext {
			case ".pdf", ".epub":
				if ext == ".epub" {
					want = map[string]string{"train-genai": "unknown", "train-ai": "unknown", "ai-input": "unknown", "search": "unknown"}
				}
				tdmv := map[string]string{"1": "deny", "1+policy": "license", "0": "allow"}[pol.tdm]
				if tdmv != "" {
					for _, u := range []string{"train-genai", "train-ai", "ai-input"} {
						want[u] = tdmv
					}
				}
			}
			lines, errOut, _ := checkJSON(t, r.Out)
			if len(lines) != 1 || lines[0].Error != "" {
				t.Fatalf("check %s: %+v %s", r.Out, lines, errOut)
			}
			for u, w := range want {
				if got := lines[0].Verdicts[u].Verdict; got != w {
					t.Errorf("%s: %s: %s is %s, want %s (%s)", pol.name, name, u, got, w, lines[0].Verdicts[u].Reason)
				}
			}
			orig := mustRead(t, filepath.Join(in, name))
			now := mustRead(t, r.Out)
			switch {
			case decoders[ext] != nil:
				if !bytes.Equal(pixelsOf(t, ext, orig), pixelsOf(t, ext, now)) {
					t.Errorf("%s: %s: the pixels changed", pol.name, name)
				}
				written[r.Out] = pol.iptc
			case ext == ".pdf":
				if !bytes.HasPrefix(now, orig) {
					t.Errorf("%s: %s: not an incremental update", pol.name, name)
				}
				written[r.Out] = pol.iptc
			}
			if st, _ := os.Stat(r.Out); st.Mode().Perm() != 0o640 {
				t.Errorf("%s: %s: mode %v, want the original's 0640", pol.name, name, st.Mode().Perm())
			}
		}
	}
	t.Run("exiftool", func(t *testing.T) {
		var files []string
		for f := range written {
			files = append(files, f)
		}
		tags := exiftooltest.Read(t, files...)
		for f, v := range written {
			if got := exiftooltest.String(tags[f], "XMP-plus:DataMining"); got != v {
				t.Errorf("%s: ExifTool reads XMP-plus:DataMining %q, want %q", f, got, v)
			}
			// The metadata the files had is kept.
			if ext := filepath.Ext(f); ext == ".webp" || ext == ".tif" {
				if a := exiftooltest.String(tags[f], "IFD0:Artist"); a != "Jane Doe" {
					t.Errorf("%s: IFD0:Artist %q, want Jane Doe kept", f, a)
				}
			}
			if filepath.Ext(f) == ".pdf" {
				if c := exiftooltest.String(tags[f], "XMP-dc:Creator"); c != "Jane Doe" {
					t.Errorf("%s: XMP-dc:Creator %q, want Jane Doe kept", f, c)
				}
			}
		}
	})
}

func TestProtectEmbedInPlace(t *testing.T) {
	dir := t.TempDir()
	writeEmbedInputs(t, dir)
	before := mustRead(t, filepath.Join(dir, "photo.png"))
	out, errOut, code := run(t, "protect", "embed", "--in-place", "--deny", "train-ai", filepath.Join(dir, "photo.png"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	after := mustRead(t, filepath.Join(dir, "photo.png"))
	if bytes.Equal(before, after) || !bytes.Equal(pixelsOf(t, ".png", before), pixelsOf(t, ".png", after)) {
		t.Errorf("the file was not protected in place, or its pixels changed")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	lines, _, _ := checkJSON(t, filepath.Join(dir, "photo.png"))
	if v := lines[0].Verdicts["train-ai"].Verdict; v != "deny" {
		t.Errorf("train-ai %s after embedding in place, want deny", v)
	}
}

func TestProtectEmbedUsage(t *testing.T) {
	dir := t.TempDir()
	writeEmbedInputs(t, dir)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no out and no in-place", []string{"--deny", "train-ai", dir}, 2, "--out DIR"},
		{"both out and in-place", []string{"--deny", "train-ai", "--in-place", "--out", "x", dir}, 2, "--out DIR"},
		{"no policy", []string{"--out", t.TempDir(), dir}, 2, "states nothing"},
		{"licence without terms", []string{"--license", "train-ai", "--contact", "a@b.example", "--out", t.TempDir(), dir}, 2, "terms"},
		{"genai less restrictive", []string{"--allow", "train-genai", "--deny", "train-ai", "--out", t.TempDir(), dir}, 2, "train-genai is part of train-ai"},
		{"a file of another format", []string{"--deny", "train-ai", "--out", t.TempDir(), filepath.Join(dir, "notes.txt")}, 1, "not JPEG, PNG, WebP, TIFF, PDF or EPUB"},
		{"a missing file", []string{"--deny", "train-ai", "--out", t.TempDir(), filepath.Join(dir, "nope.jpg")}, 1, "nope.jpg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"protect", "embed"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.err) || !strings.Contains(errOut, "askfirst: error:") {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.err)
			}
		})
	}
	// A folder: files of other formats are skipped, not failed.
	out, errOut, code := run(t, "protect", "embed", "--deny", "train-ai,ai-input,search", "--out", t.TempDir(), dir)
	if code != 0 || !strings.Contains(out, "1 files of other formats skipped") {
		t.Errorf("folder: exit %d\n%s%s", code, out, errOut)
	}
}

// protect embed --register registers the protected files, by the codes
// of the bytes written, with the same declaration.
func TestProtectEmbedRegister(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writeEmbedInputs(t, dir)
	mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe", "--save", "jane.token")
	mustRun(t, dir, 0, "protect", "embed", "--deny", "train-ai", "--out", "protected", "--register", "--token-file", "jane.token", "--receipts", "receipts", "photo.jpg")
	type lookupLine struct {
		Matches []struct {
			MatchedBy string `json:"matched_by"`
		} `json:"matches"`
		Declarations []struct {
			Terms []struct{ Use, Decision string } `json:"terms"`
		} `json:"declarations"`
	}
	var res []lookupLine
	lo := mustRun(t, dir, 3, "lookup", "--json", "protected/photo.jpg")
	res = jsonLines[lookupLine](t, lo)
	if len(res) != 1 || len(res[0].Matches) == 0 || res[0].Matches[0].MatchedBy != "datahash" {
		t.Fatalf("lookup of the protected file: %+v, want a match by datahash (codes of the bytes written)", res)
	}
	if len(res[0].Declarations) != 1 || len(res[0].Declarations[0].Terms) != 1 || res[0].Declarations[0].Terms[0].Decision != "deny" {
		t.Errorf("declarations %+v, want train-ai deny", res[0].Declarations)
	}
	receipts, _ := filepath.Glob(filepath.Join(dir, "receipts", "*.json"))
	if len(receipts) != 2 {
		t.Errorf("%d receipts, want 2 (work and declaration)", len(receipts))
	}
}

// protect site --from-registry publishes the declaration of a verified
// domain.
func TestProtectSiteFromRegistry(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	ps := &policySite{}
	site := httptestServer(t, ps)
	domain := strings.TrimPrefix(site, "http://")
	mustRun(t, dir, 0, "account", "create", "--name", "Site owner", "--save", "owner.token")
	var claim struct{ Token string }
	json.Unmarshal([]byte(mustRun(t, dir, 0, "domain", "claim", "--token-file", "owner.token", "--json", domain)), &claim)
	// Serve the claim's token while verifying.
	os.MkdirAll(filepath.Join(dir, "claim", "site", ".well-known"), 0o755)
	os.MkdirAll(filepath.Join(dir, "claim", "server"), 0o755)
	os.WriteFile(filepath.Join(dir, "claim", "site", ".well-known", "askfirst.txt"), []byte(claim.Token+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "claim", "server", "nginx.conf"), nil, 0o644)
	ps.load(t, filepath.Join(dir, "claim"))
	mustRun(t, dir, 0, "domain", "verify", "--token-file", "owner.token", domain)
	_, errOut, code := runIn(t, dir, "protect", "site", "--from-registry", "--site", site, "--out", "pol")
	if code != 1 || !strings.Contains(errOut, "no declaration on the domain") || !strings.Contains(errOut, "askfirst: hint: declare") {
		t.Errorf("before any declaration: exit %d\n%s", code, errOut)
	}
	mustRun(t, dir, 0, "declare", "--token-file", "owner.token", "--subject", "domain:"+domain,
		"--deny", "train-ai,ai-input", "--allow", "search")
	out := mustRun(t, dir, 0, "protect", "site", "--from-registry", "--site", site, "--out", "pol")
	if !strings.Contains(out, "policy from the registry: declaration") || !strings.Contains(out, "policy: train-genai deny, train-ai deny, ai-input deny, search allow") {
		t.Errorf("protect site --from-registry:\n%s", out)
	}
	ps.load(t, filepath.Join(dir, "pol"))
	lines, _, _ := checkJSON(t, site+"/page.html")
	if got := verdicts(lines[0]); got != "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=allow/include" {
		t.Errorf("check of the published site: %s", got)
	}
	_, errOut, code = runIn(t, dir, "protect", "site", "--from-registry", "--deny", "search", "--site", site, "--out", "pol")
	if code != 2 || !strings.Contains(errOut, "not both") {
		t.Errorf("--from-registry with flags: exit %d\n%s", code, errOut)
	}
}

// Rerunning protect site with another policy removes the files it no
// longer needs, so that a stale one is never published.
func TestProtectSiteRemovesStale(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, 0, "protect", "site", "--allow", "train-ai,ai-input,search", "--site", "https://pub.example", "--out", "pol")
	if _, err := os.Stat(filepath.Join(dir, "pol", "site", "ai.txt")); err != nil {
		t.Fatal("ai.txt not written for an allow-all policy")
	}
	os.WriteFile(filepath.Join(dir, "pol", "site", "index.html"), []byte("mine"), 0o644)
	out := mustRun(t, dir, 0, "protect", "site", "--deny", "train-genai", "--allow", "train-ai", "--site", "https://pub.example", "--out", "pol")
	if _, err := os.Stat(filepath.Join(dir, "pol", "site", "ai.txt")); err == nil || !strings.Contains(out, "removed") {
		t.Errorf("a stale ai.txt is left:\n%s", out)
	}
	if string(mustRead(t, filepath.Join(dir, "pol", "site", "index.html"))) != "mine" {
		t.Errorf("a file protect site did not write was touched")
	}
}

// An audit of a folder reads the TDMRep and IPTC reservations embedded in
// PDF and EPUB files (issue 10: such files came out unknown and were kept).
func TestAuditFolderDocuments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "docs")
	os.MkdirAll(dir, 0o755)
	for _, f := range []string{"pdf-tdm-1.pdf", "pdf-deflated-prohibited.pdf", "epub3-tdm-policy.epub", "epub2-tdm-0.epub"} {
		os.WriteFile(filepath.Join(dir, f), mustRead(t, filepath.Join("../../signals/testdata", f)), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "plain.pdf"), mustRead(t, "../../signals/xmp/testdata/pdf-chromium.pdf"), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	log, code := runAudit(t, t.Context(), "--out", out, dir)
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, log)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(mustRead(t, filepath.Join(out, "excluded.jsonl")))), "\n") {
		var e struct {
			Key      string
			Verdicts map[string]struct{ Verdict string }
		}
		json.Unmarshal([]byte(l), &e)
		got[e.Key] = e.Verdicts["train-genai"].Verdict + "/" + e.Verdicts["train-ai"].Verdict
	}
	want := map[string]string{"pdf-tdm-1.pdf": "deny/deny", "pdf-deflated-prohibited.pdf": "deny/deny", "epub3-tdm-policy.epub": "license/license"}
	if len(got) != len(want) {
		t.Errorf("excluded %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %s", k, got[k], v)
		}
	}
}
