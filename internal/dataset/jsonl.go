package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// jsonlReader reads JSON Lines: one JSON object per line; blank lines are
// skipped but still counted so keys stay line numbers.
type jsonlReader struct {
	name string
	f    *os.File
	br   *bufio.Reader
	line int64
	seq  int64
}

type jsonlRecord []byte

func openJSONL(name string) (*jsonlReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &jsonlReader{name: name, f: f, br: bufio.NewReaderSize(f, 1<<20)}, nil
}

func (j *jsonlReader) Format() Format { return JSONL }
func (j *jsonlReader) Close() error   { return j.f.Close() }

// readLine reads one line of at most MaxRecordBytes; a longer line is
// consumed and reported as too large.
func (j *jsonlReader) readLine() ([]byte, bool, error) {
	var buf []byte
	tooLarge := false
	for {
		chunk, err := j.br.ReadSlice('\n')
		if !tooLarge {
			if len(buf)+len(chunk) > MaxRecordBytes {
				tooLarge = true
				buf = nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && (len(buf) > 0 || tooLarge) {
			return buf, tooLarge, nil
		}
		return buf, tooLarge, err
	}
}

func (j *jsonlReader) Next() (*Item, error) {
	for {
		line, tooLarge, err := j.readLine()
		if err != nil {
			return nil, err
		}
		j.line++
		key := strconv.FormatInt(j.line, 10)
		if tooLarge {
			seq := j.seq
			j.seq++
			return nil, &RecordError{Input: j.name, Seq: seq, Key: key, Err: errRecordTooLarge}
		}
		trimmed := bytes.TrimSpace(line)
		if j.line == 1 {
			trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
		}
		if len(trimmed) == 0 {
			continue
		}
		seq := j.seq
		j.seq++
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			return nil, &RecordError{Input: j.name, Seq: seq, Key: key, Err: fmt.Errorf("not a JSON object: %w", err)}
		}
		it := &Item{Input: j.name, Seq: seq, Key: key, raw: jsonlRecord(append([]byte(nil), trimmed...))}
		names := make([]string, 0, len(obj))
		for k := range obj {
			names = append(names, k)
		}
		cols := detectColumns(names)
		get := func(field string) string {
			i := cols[field]
			if i < 0 {
				return ""
			}
			var s string
			if json.Unmarshal(obj[names[i]], &s) != nil {
				var n json.Number
				if field == "key" && json.Unmarshal(obj[names[i]], &n) == nil {
					return n.String() // a numeric key column
				}
				return ""
			}
			return s
		}
		it.URL, it.Text, it.ISCC, it.SHA256, it.DatasetKey = get("url"), get("text"), get("iscc"), get("sha256"), get("key")
		if p := get("path"); p != "" {
			it.Path = resolvePath(j.name, p)
			it.MediaName = it.Path
			it.Content = fileContent(it.Path)
		}
		return it, nil
	}
}

func (j *jsonlReader) NewWriter(dst string) (Writer, error) {
	f, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	return &jsonlWriter{name: dst, f: f, bw: bufio.NewWriterSize(f, 1<<20)}, nil
}

type jsonlWriter struct {
	name string
	f    *os.File
	bw   *bufio.Writer
}

func (w *jsonlWriter) Write(it *Item) error {
	rec, ok := it.raw.(jsonlRecord)
	if !ok {
		return fmt.Errorf("write %s: item %s is not from a JSON Lines input", w.name, it.Key)
	}
	w.bw.Write(rec)
	return w.bw.WriteByte('\n')
}

func (w *jsonlWriter) Close() error {
	err := w.bw.Flush()
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
