package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// parquetBatch is how many rows are decoded at a time: memory is bounded by
// it, not by the file.
const parquetBatch = 1024

type parquetReader struct {
	name string
	f    *os.File
	r    *parquet.GenericReader[any]
	cols map[string]int // field -> leaf column index, -1 if absent
	buf  []parquet.Row
	n, i int
	seq  int64
	done bool
}

type parquetRecord parquet.Row

func openParquet(name string) (reader *parquetReader, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
		// parquet-go panics on some malformed files; turn that into an error.
		if p := recover(); p != nil {
			f.Close()
			reader, err = nil, fmt.Errorf("read parquet %s: malformed file: %v", name, p)
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("read parquet %s: %w", name, err)
	}
	schema := pf.Schema()
	var names []string
	leaf := map[string]int{}
	for _, field := range schema.Fields() {
		if !field.Leaf() {
			continue
		}
		if lc, ok := schema.Lookup(field.Name()); ok {
			names = append(names, field.Name())
			leaf[field.Name()] = lc.ColumnIndex
		}
	}
	idx := detectColumns(names)
	cols := map[string]int{}
	for field, i := range idx {
		cols[field] = -1
		if i >= 0 {
			cols[field] = leaf[names[i]]
		}
	}
	return &parquetReader{name: name, f: f, r: parquet.NewGenericReader[any](pf, schema), cols: cols,
		buf: make([]parquet.Row, parquetBatch)}, nil
}

func (p *parquetReader) Format() Format { return Parquet }
func (p *parquetReader) Close() error {
	p.r.Close()
	return p.f.Close()
}

func (p *parquetReader) fill() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("read parquet %s near row %d: malformed data: %v", p.name, p.seq+1, r)
		}
	}()
	n, err := p.r.ReadRows(p.buf)
	p.n, p.i = n, 0
	if errors.Is(err, io.EOF) {
		p.done = true
		err = nil
	}
	if err != nil {
		return fmt.Errorf("read parquet %s near row %d: %w", p.name, p.seq+1, err)
	}
	return nil
}

func (p *parquetReader) Next() (*Item, error) {
	for p.i >= p.n {
		if p.done {
			return nil, io.EOF
		}
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
	row := p.buf[p.i].Clone()
	p.i++
	seq := p.seq
	p.seq++
	it := &Item{Input: p.name, Seq: seq, Key: strconv.FormatInt(seq+1, 10), raw: parquetRecord(row)}
	get := func(field string) string {
		col := p.cols[field]
		if col < 0 {
			return ""
		}
		for _, v := range row {
			if v.Column() == col {
				if v.IsNull() {
					return ""
				}
				if v.Kind() == parquet.ByteArray || v.Kind() == parquet.FixedLenByteArray {
					return string(v.ByteArray())
				}
				return v.String()
			}
		}
		return ""
	}
	it.URL, it.Text, it.ISCC, it.SHA256, it.DatasetKey = get("url"), get("text"), get("iscc"), get("sha256"), get("key")
	if path := get("path"); path != "" {
		it.Path = resolvePath(p.name, path)
		it.MediaName = it.Path
		it.Content = fileContent(it.Path)
	}
	return it, nil
}

func (p *parquetReader) NewWriter(dst string) (Writer, error) {
	f, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	w := parquet.NewGenericWriter[any](f, p.r.Schema(), parquet.Compression(&snappy.Codec{}))
	return &parquetWriter{name: dst, f: f, w: w}, nil
}

type parquetWriter struct {
	name string
	f    *os.File
	w    *parquet.GenericWriter[any]
	buf  []parquet.Row
}

func (w *parquetWriter) Write(it *Item) error {
	row, ok := it.raw.(parquetRecord)
	if !ok {
		return fmt.Errorf("write %s: item %s is not from a Parquet input", w.name, it.Key)
	}
	w.buf = append(w.buf, parquet.Row(row))
	if len(w.buf) >= parquetBatch {
		return w.flush()
	}
	return nil
}

func (w *parquetWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.WriteRows(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("write %s: %w", w.name, err)
	}
	return nil
}

func (w *parquetWriter) Close() error {
	err := w.flush()
	if cerr := w.w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", w.name, cerr)
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}
