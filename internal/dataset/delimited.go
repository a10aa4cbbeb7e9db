package dataset

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// delimitedReader reads CSV or TSV with a header row.
type delimitedReader struct {
	name   string
	format Format
	comma  rune
	f      *os.File
	lim    *recordLimiter
	r      *csv.Reader
	header []string
	cols   map[string]int
	seq    int64
}

type delimitedRecord []string

func openDelimited(name string, comma rune, format Format) (*delimitedReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	lim := &recordLimiter{r: bufio.NewReaderSize(f, 1<<20)}
	r := csv.NewReader(lim)
	r.Comma = comma
	r.FieldsPerRecord = -1
	if format == TSV {
		r.LazyQuotes = true
	}
	header, err := r.Read()
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: empty file, want a header row", name)
		}
		return nil, fmt.Errorf("read %s header: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = trimBOM(header[0])
	}
	return &delimitedReader{name: name, format: format, comma: comma, f: f, lim: lim, r: r,
		header: header, cols: detectColumns(header)}, nil
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\xef\xbb\xbf" {
		return s[3:]
	}
	return s
}

func (d *delimitedReader) Format() Format { return d.format }
func (d *delimitedReader) Close() error   { return d.f.Close() }

func (d *delimitedReader) Next() (*Item, error) {
	d.lim.reset()
	rec, err := d.r.Read()
	seq := d.seq
	if err == io.EOF {
		return nil, io.EOF
	}
	d.seq++
	key := strconv.FormatInt(seq+1, 10)
	if errors.Is(err, errRecordTooLarge) {
		// The reader cannot resynchronise inside an oversized record.
		return nil, fmt.Errorf("read %s record %s: %w", d.name, key, err)
	}
	if err != nil {
		return nil, &RecordError{Input: d.name, Seq: seq, Key: key, Err: err}
	}
	it := &Item{Input: d.name, Seq: seq, Key: key, raw: delimitedRecord(rec)}
	get := func(field string) string {
		if i := d.cols[field]; i >= 0 && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	it.URL, it.Text, it.ISCC, it.SHA256, it.DatasetKey = get("url"), get("text"), get("iscc"), get("sha256"), get("key")
	if p := get("path"); p != "" {
		it.Path = resolvePath(d.name, p)
		it.MediaName = it.Path
		it.Content = fileContent(it.Path)
	}
	return it, nil
}

func (d *delimitedReader) NewWriter(dst string) (Writer, error) {
	f, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Comma = d.comma
	if err := w.Write(d.header); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", dst, err)
	}
	return &delimitedWriter{name: dst, f: f, bw: bw, w: w}, nil
}

type delimitedWriter struct {
	name string
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
}

func (w *delimitedWriter) Write(it *Item) error {
	rec, ok := it.raw.(delimitedRecord)
	if !ok {
		return fmt.Errorf("write %s: item %s is not from a CSV/TSV input", w.name, it.Key)
	}
	if err := w.w.Write(rec); err != nil {
		return fmt.Errorf("write %s: %w", w.name, err)
	}
	return nil
}

func (w *delimitedWriter) Close() error {
	w.w.Flush()
	err := w.w.Error()
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", w.name, err)
	}
	return nil
}

var errRecordTooLarge = fmt.Errorf("record larger than %d bytes", MaxRecordBytes)

// recordLimiter fails a read once more than MaxRecordBytes (plus read-ahead
// slack) were read since the last reset, so one huge record cannot exhaust
// memory.
type recordLimiter struct {
	r io.Reader
	n int64
}

func (l *recordLimiter) reset() { l.n = 0 }

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.n > MaxRecordBytes+64<<10 {
		return 0, errRecordTooLarge
	}
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
