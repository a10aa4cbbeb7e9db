package dataset_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/askfirst/askfirst/internal/dataset"
)

// view is what a test compares of an item.
type view struct {
	Key, URL, Text, ISCC, SHA256, Media string
}

func readAll(t *testing.T, input string) ([]*dataset.Item, []view, []error) {
	t.Helper()
	r, err := dataset.Open(input)
	if err != nil {
		t.Fatalf("Open(%s): %v", input, err)
	}
	t.Cleanup(func() { r.Close() })
	var items []*dataset.Item
	var views []view
	var recErrs []error
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *dataset.RecordError
		if errors.As(err, &re) {
			recErrs = append(recErrs, err)
			continue
		}
		if err != nil {
			t.Fatalf("Next(%s): %v", input, err)
		}
		items = append(items, it)
		media := ""
		if it.Content != nil {
			rc, err := it.Content()
			if err != nil {
				t.Fatalf("Content(%s %s): %v", input, it.Key, err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			media = filepath.Base(it.MediaName) + "=" + string(b)
		}
		views = append(views, view{it.Key, it.URL, it.Text, it.ISCC, it.SHA256, media})
	}
	return items, views, recErrs
}

// keepEveryOther writes items 0, 2, 4... with the input's own writer and
// returns the output path.
func keepEveryOther(t *testing.T, input string, dst string) {
	t.Helper()
	r, err := dataset.Open(input)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := r.NewWriter(dst)
	if err != nil {
		t.Fatalf("NewWriter(%s): %v", dst, err)
	}
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		if it.Seq%2 == 0 {
			if err := w.Write(it); err != nil {
				t.Fatalf("Write: %v", err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCSV(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "img", "a.jpg"), "AAA")
	in := write(t, filepath.Join(dir, "m.csv"), "\ufeffURL,caption,path,width\n"+
		"https://a.example/1.jpg,\"a cat, sitting\",img/a.jpg,640\n"+
		"https://b.example/2.jpg,\"multi\nline\",,320\n"+
		"https://c.example/3.jpg,plain,,100\n")
	_, got, errs := readAll(t, in)
	want := []view{
		{Key: "1", URL: "https://a.example/1.jpg", Text: "a cat, sitting", Media: "a.jpg=AAA"},
		{Key: "2", URL: "https://b.example/2.jpg", Text: "multi\nline"},
		{Key: "3", URL: "https://c.example/3.jpg", Text: "plain"},
	}
	if diff := cmp.Diff(want, got); diff != "" || len(errs) != 0 {
		t.Fatalf("items of %s (-want +got):\n%s\nerrors: %v", in, diff, errs)
	}
	out := filepath.Join(dir, "kept.csv")
	keepEveryOther(t, in, out)
	_, kept, _ := readAll(t, out)
	if len(kept) != 2 || kept[0].URL != want[0].URL || kept[1].URL != want[2].URL || kept[0].Text != want[0].Text {
		t.Fatalf("kept %s: got %+v, want items 1 and 3", out, kept)
	}
	b, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(b), "URL,caption,path,width\n") {
		t.Fatalf("kept %s header: got %q", out, b)
	}
}

func TestTSVAndRecordErrors(t *testing.T) {
	dir := t.TempDir()
	in := write(t, filepath.Join(dir, "m.tsv"), "url\ttext\nhttps://x.example/\thello\nhttps://y.example/\tworld\textra\n")
	_, got, errs := readAll(t, in)
	if len(got) != 2 || got[1].URL != "https://y.example/" || len(errs) != 0 {
		t.Fatalf("got %+v errs %v", got, errs)
	}
	in2 := write(t, filepath.Join(dir, "bad.jsonl"), "{\"url\":\"https://a.example/\"}\nnot json\n\n[1,2]\n{\"URL\":\"https://b.example/\",\"caption\":\"c\",\"n\":1}\n")
	_, got2, errs2 := readAll(t, in2)
	want := []view{{Key: "1", URL: "https://a.example/"}, {Key: "5", URL: "https://b.example/", Text: "c"}}
	if diff := cmp.Diff(want, got2); diff != "" {
		t.Fatalf("items of %s (-want +got):\n%s", in2, diff)
	}
	if len(errs2) != 2 || !strings.Contains(errs2[0].Error(), "record 2") || !strings.Contains(errs2[1].Error(), "record 4") {
		t.Fatalf("record errors of %s: got %v, want lines 2 and 4", in2, errs2)
	}
}

func TestJSONLKeepsLinesVerbatim(t *testing.T) {
	dir := t.TempDir()
	lines := []string{`{"url":"https://a.example/","text":"é","score":1.50}`, `{"url":"https://b.example/"}`, `{"url":"https://c.example/","x":[1,2]}`}
	in := write(t, filepath.Join(dir, "m.jsonl"), strings.Join(lines, "\n")+"\n")
	out := filepath.Join(dir, "kept.jsonl")
	keepEveryOther(t, in, out)
	b, _ := os.ReadFile(out)
	if got, want := string(b), lines[0]+"\n"+lines[2]+"\n"; got != want {
		t.Fatalf("kept %s: got %q, want %q", out, got, want)
	}
}

type laionRow struct {
	URL    string  `parquet:"URL"`
	TEXT   *string `parquet:"TEXT,optional"`
	WIDTH  int64   `parquet:"WIDTH"`
	Score  float32 `parquet:"similarity"`
	Unsafe bool    `parquet:"punsafe"`
}

func TestParquetKeepsSchema(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "laion.parquet")
	var rows []laionRow
	for i := 0; i < 2500; i++ { // more than one read batch
		txt := "caption " + string(rune('a'+i%26))
		r := laionRow{URL: "https://img.example/" + string(rune('a'+i%26)) + ".jpg", TEXT: &txt, WIDTH: int64(i), Score: 0.5}
		if i == 1 {
			r.TEXT = nil
		}
		rows = append(rows, r)
	}
	if err := parquet.WriteFile(in, rows); err != nil {
		t.Fatal(err)
	}
	_, got, errs := readAll(t, in)
	if len(got) != 2500 || len(errs) != 0 {
		t.Fatalf("read %s: got %d items, %d errors", in, len(got), len(errs))
	}
	if got[0].URL != "https://img.example/a.jpg" || got[0].Text != "caption a" || got[1].Text != "" || got[2499].Key != "2500" {
		t.Fatalf("read %s: got %+v %+v %+v", in, got[0], got[1], got[2499])
	}
	out := filepath.Join(dir, "kept.parquet")
	keepEveryOther(t, in, out)
	kept, err := parquet.ReadFile[laionRow](out)
	if err != nil {
		t.Fatalf("read kept %s: %v", out, err)
	}
	if len(kept) != 1250 || kept[1].WIDTH != 2 || *kept[1].TEXT != "caption c" || kept[1].Score != 0.5 {
		t.Fatalf("kept %s: got %d rows, row 1 %+v", out, len(kept), kept[1])
	}
}

func TestWebDatasetTar(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "shard-000.tar")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name, body string) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	add("000000000.jpg", "JPEG0")
	add("000000000.txt", "a caption")
	add("000000000.json", `{"url":"https://a.example/0.jpg","key":"000000000"}`)
	add("000000001.jpg", "JPEG1")
	add("000000001.json", `{"url":"https://b.example/1.jpg","caption":"from json"}`)
	add("sub/000000002.png", "PNG2")
	tw.Close()
	os.WriteFile(in, buf.Bytes(), 0o644)
	_, got, errs := readAll(t, in)
	want := []view{
		{Key: "000000000", URL: "https://a.example/0.jpg", Text: "a caption", Media: "000000000.jpg=JPEG0"},
		{Key: "000000001", URL: "https://b.example/1.jpg", Text: "from json", Media: "000000001.jpg=JPEG1"},
		{Key: "sub/000000002", Media: "000000002.png=PNG2"},
	}
	if diff := cmp.Diff(want, got); diff != "" || len(errs) != 0 {
		t.Fatalf("samples of %s (-want +got):\n%s\nerrors %v", in, diff, errs)
	}
	out := filepath.Join(dir, "kept.tar")
	keepEveryOther(t, in, out)
	_, kept, _ := readAll(t, out)
	if diff := cmp.Diff([]view{want[0], want[2]}, kept); diff != "" {
		t.Fatalf("kept %s (-want +got):\n%s", out, diff)
	}
}

func TestTruncatedTar(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "0.txt", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("abc"))
	tw.WriteHeader(&tar.Header{Name: "1.txt", Mode: 0o644, Size: 1000, Typeflag: tar.TypeReg})
	tw.Write(bytes.Repeat([]byte("x"), 1000))
	tw.Close()
	in := filepath.Join(dir, "cut.tar")
	os.WriteFile(in, buf.Bytes()[:1024+512+100], 0o644)
	r, err := dataset.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	it, err := r.Next()
	if err != nil || it.Text != "abc" || it.Key != "0" {
		t.Fatalf("first sample of %s: got %+v, %v", in, it, err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Fatalf("truncated member of %s: got %v, want an error", in, err)
	}
	if _, err := r.Next(); err == nil {
		t.Fatalf("after a broken archive %s: got nil error, want the same error again", in)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "photos")
	write(t, filepath.Join(root, "b.jpg"), "B")
	write(t, filepath.Join(root, "a", "c.png"), "C")
	write(t, filepath.Join(root, ".hidden"), "H")
	write(t, filepath.Join(root, "d.txt"), "D")
	_, got, _ := readAll(t, root)
	want := []view{{Key: "a/c.png", Media: "c.png=C"}, {Key: "b.jpg", Media: "b.jpg=B"}, {Key: "d.txt", Media: "d.txt=D"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("files of %s (-want +got):\n%s", root, diff)
	}
	out := filepath.Join(dir, "kept")
	keepEveryOther(t, root, out)
	_, kept, _ := readAll(t, out)
	if diff := cmp.Diff([]view{want[0], want[2]}, kept); diff != "" {
		t.Fatalf("kept %s (-want +got):\n%s", out, diff)
	}
}

func TestUnknownFormat(t *testing.T) {
	_, err := dataset.Open("x.xlsx")
	if !errors.Is(err, dataset.ErrUnknownFormat) {
		t.Fatalf("Open(x.xlsx): got %v, want ErrUnknownFormat", err)
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte("{\"url\":\"https://a/\"}\n{}\n"))
	f.Add([]byte("\ufeff{\"URL\":1}\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.jsonl")
		os.WriteFile(p, data, 0o644)
		r, err := dataset.Open(p)
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; i < 10000; i++ {
			if _, err := r.Next(); err == io.EOF {
				return
			}
		}
	})
}

func FuzzTar(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "0.json", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg})
	tw.Write([]byte("{}"))
	tw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.tar")
		os.WriteFile(p, data, 0o644)
		r, err := dataset.Open(p)
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; i < 10000; i++ {
			if _, err := r.Next(); err != nil {
				var re *dataset.RecordError
				if !errors.As(err, &re) {
					return
				}
			}
		}
	})
}

// TestProgress: the share of a manifest read is the share of its bytes
// parsed, not of the rows seen so far, and folders and Parquet count
// their files and rows.
func TestProgress(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("url,caption\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "https://example.com/%06d.jpg,caption %d\n", i, i)
	}
	in := filepath.Join(dir, "m.csv")
	os.WriteFile(in, []byte(b.String()), 0o644)
	r, err := dataset.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 5000 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	done, total, ok := dataset.Progress(r)
	if !ok || total != int64(b.Len()) {
		t.Fatalf("progress: %d of %d (ok %v), want the file's %d bytes as total", done, total, ok, b.Len())
	}
	if f := float64(done) / float64(total); f < 0.2 || f > 0.3 {
		t.Errorf("after 5000 of 20000 rows: %.3f of the input read, want about 0.25", f)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if done, total, _ := dataset.Progress(r); done != total {
		t.Errorf("at the end: %d of %d bytes read", done, total)
	}

	folder := filepath.Join(dir, "files")
	os.MkdirAll(folder, 0o755)
	for _, n := range []string{"a.txt", "b.txt", "c.txt", "d.txt"} {
		os.WriteFile(filepath.Join(folder, n), []byte(n), 0o644)
	}
	fr, err := dataset.Open(folder)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	fr.Next()
	if done, total, ok := dataset.Progress(fr); !ok || done != 1 || total != 4 {
		t.Errorf("folder after one file: %d of %d (ok %v), want 1 of 4", done, total, ok)
	}
}

// TestFolderKeptFilesAreCopies: a kept file is a copy, so editing it
// leaves the original alone; LinkFiles makes hard links, on request.
func TestFolderKeptFilesAreCopies(t *testing.T) {
	for _, link := range []bool{false, true} {
		dir := t.TempDir()
		root := filepath.Join(dir, "photos")
		src := write(t, filepath.Join(root, "a.jpg"), "original")
		r, err := dataset.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "kept")
		w, err := r.NewWriter(out)
		if err != nil {
			t.Fatal(err)
		}
		if link {
			w.(dataset.FileLinker).LinkFiles()
		}
		it, _ := r.Next()
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
		w.Close()
		r.Close()
		kept := filepath.Join(out, "a.jpg")
		a, _ := os.Stat(src)
		b, _ := os.Stat(kept)
		if os.SameFile(a, b) != link {
			t.Errorf("link %v: kept file is the original: %v", link, os.SameFile(a, b))
		}
		os.WriteFile(kept, []byte("edited"), 0o644)
		got, _ := os.ReadFile(src)
		if want := map[bool]string{false: "original", true: "edited"}[link]; string(got) != want {
			t.Errorf("link %v: after editing the kept file the original reads %q, want %q", link, got, want)
		}
	}
}

// TestDatasetKey: a manifest's own key column is carried beside the row
// number, numeric or not.
func TestDatasetKey(t *testing.T) {
	dir := t.TempDir()
	csvIn := write(t, filepath.Join(dir, "m.csv"), "key,url\n000123,https://a.example/1.jpg\n")
	jsonlIn := write(t, filepath.Join(dir, "m.jsonl"), `{"id":4567,"url":"https://a.example/2.jpg"}`+"\n")
	type row struct {
		SampleID int64  `parquet:"SAMPLE_ID"`
		URL      string `parquet:"URL"`
	}
	pqIn := filepath.Join(dir, "m.parquet")
	if err := parquet.WriteFile(pqIn, []row{{890, "https://a.example/3.jpg"}}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{csvIn: "000123", jsonlIn: "4567", pqIn: "890"} {
		items, _, _ := readAll(t, in)
		if len(items) != 1 || items[0].DatasetKey != want || items[0].Key != "1" {
			t.Errorf("%s: got %d items, key %q, dataset key %q; want 1 item, key 1, dataset key %q", filepath.Base(in), len(items), items[0].Key, items[0].DatasetKey, want)
		}
	}
}
