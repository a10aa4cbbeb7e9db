package pdf

import (
	"bytes"
	"fmt"
	"strconv"
)

// entry is one cross-reference entry (§7.5.4, §7.5.8.3 Table 18).
type entry struct {
	kind byte  // 0 free, 1 in use at off, 2 compressed in object stream off
	off  int64 // byte offset, or the object stream's number
	gen  int64 // generation, or the index within the object stream
}

// File is a parsed PDF: its cross-reference entries and newest trailer.
// It is not safe for concurrent use.
type File struct {
	data []byte
	// header is the offset of "%PDF-".
	header int
	// Version is the header's version, such as "1.7".
	Version string
	entries map[int64]entry
	// Trailer is the newest trailer dictionary (for a cross-reference
	// stream, its stream dictionary).
	Trailer *Dict
	// StartXref is the offset of the newest cross-reference section.
	StartXref int64
	// XrefStream reports that the newest section is a cross-reference
	// stream rather than a table (a hybrid file's table counts as a table).
	XrefStream bool
	// Warnings about the structure: tolerated deviations.
	Warnings []string

	resolving int // depth of nested Resolve calls
	objstms   map[int64]*objStm
}

type objStm struct {
	offs map[int64]int // object number -> offset in data
	data []byte
}

// Open parses the structure of a PDF file. It returns an error wrapping
// ErrMalformed when the header, startxref or a cross-reference section
// cannot be read, ErrTooLarge when a cap is exceeded.
func Open(data []byte) (*File, error) {
	head := data[:min(len(data), 1024)]
	h := bytes.Index(head, []byte("%PDF-"))
	if h < 0 {
		return nil, fmt.Errorf("pdf: no %%PDF- header in the first 1024 bytes: %w", ErrMalformed)
	}
	f := &File{data: data, header: h, entries: map[int64]entry{}, objstms: map[int64]*objStm{}}
	l := &lexer{data: data, pos: h + 5}
	f.Version = l.token()
	if h > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%d bytes before the %%PDF- header", h))
	}
	tail := max(0, len(data)-64<<10)
	i := bytes.LastIndex(data[tail:], []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("pdf: no startxref in the last 64 KiB: %w", ErrMalformed)
	}
	l = &lexer{data: data, pos: tail + i + len("startxref")}
	start, err := strconv.ParseInt(l.token(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("pdf: startxref value unreadable at offset %d: %w", tail+i, ErrMalformed)
	}
	f.StartXref = start
	seen := map[int64]bool{}
	off := start
	for n := 0; ; n++ {
		if n >= MaxXrefSections {
			return nil, fmt.Errorf("pdf: more than %d cross-reference sections: %w", MaxXrefSections, ErrTooLarge)
		}
		if seen[off] {
			return nil, fmt.Errorf("pdf: cross-reference sections loop at offset %d: %w", off, ErrMalformed)
		}
		seen[off] = true
		trailer, isStream, err := f.section(off, seen)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			f.Trailer, f.XrefStream = trailer, isStream
		}
		prev, ok := trailer.Get("Prev").(int64)
		if !ok {
			break
		}
		off = prev
	}
	if _, ok := f.Trailer.Get("Root").(Ref); !ok {
		return nil, fmt.Errorf("pdf: the trailer has no /Root reference: %w", ErrMalformed)
	}
	return f, nil
}

// offsets returns where the object said to be at off may be: off, and
// off counted from the %PDF- header for files with bytes before it.
func (f *File) offsets(off int64) []int64 {
	if f.header > 0 {
		return []int64{off, off + int64(f.header)}
	}
	return []int64{off}
}

// at returns a lexer at a file offset where want (a keyword or object
// number) starts, trying each of offsets(off).
func (f *File) at(off int64, want string) (*lexer, error) {
	for _, o := range f.offsets(off) {
		if o < 0 || o >= int64(len(f.data)) {
			continue
		}
		l := &lexer{data: f.data, pos: int(o)}
		l.skip()
		if bytes.HasPrefix(f.data[l.pos:], []byte(want)) {
			return l, nil
		}
	}
	return nil, fmt.Errorf("pdf: no %q at offset %d: %w", want, off, ErrMalformed)
}

// set records an entry unless a newer section gave the object one.
func (f *File) set(num int64, e entry) error {
	if _, ok := f.entries[num]; ok {
		return nil
	}
	if len(f.entries) >= MaxXrefEntries {
		return fmt.Errorf("pdf: more than %d cross-reference entries: %w", MaxXrefEntries, ErrTooLarge)
	}
	f.entries[num] = e
	return nil
}

// section reads the cross-reference section at off, a table or a stream,
// and returns its trailer.
func (f *File) section(off int64, seen map[int64]bool) (*Dict, bool, error) {
	if l, err := f.at(off, "xref"); err == nil {
		l.pos += len("xref")
		return f.table(l, seen)
	}
	var obj Object
	err := fmt.Errorf("pdf: offset %d past the end of the file: %w", off, ErrMalformed)
	for _, o := range f.offsets(off) {
		if o < 0 || o >= int64(len(f.data)) {
			continue
		}
		if obj, err = f.indirect(&lexer{data: f.data, pos: int(o)}, -1); err == nil {
			break
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("pdf: cross-reference section at offset %d: %w", off, err)
	}
	s, ok := obj.(*Stream)
	if !ok || s.Dict.Get("Type") != Name("XRef") {
		return nil, false, fmt.Errorf("pdf: no cross-reference table or stream at offset %d: %w", off, ErrMalformed)
	}
	return s.Dict, true, f.xrefStream(s)
}

// table reads a cross-reference table after its "xref" keyword, then its
// trailer, and the cross-reference stream a hybrid file's /XRefStm names
// (read first: in a hybrid file the table marks compressed objects free).
func (f *File) table(l *lexer, seen map[int64]bool) (*Dict, bool, error) {
	var rows []struct {
		num int64
		e   entry
	}
	for {
		save := l.pos
		if l.keyword("trailer") {
			break
		}
		l.pos = save
		start, err1 := strconv.ParseInt(l.token(), 10, 64)
		count, err2 := strconv.ParseInt(l.token(), 10, 64)
		if err1 != nil || err2 != nil || start < 0 || count < 0 {
			return nil, false, l.errorf("bad cross-reference subsection header")
		}
		if count > MaxXrefEntries || len(rows)+int(count) > MaxXrefEntries {
			return nil, false, fmt.Errorf("pdf: more than %d cross-reference entries: %w", MaxXrefEntries, ErrTooLarge)
		}
		for i := int64(0); i < count; i++ {
			o, err1 := strconv.ParseInt(l.token(), 10, 64)
			g, err2 := strconv.ParseInt(l.token(), 10, 64)
			t := l.token()
			if err1 != nil || err2 != nil || (t != "n" && t != "f") {
				return nil, false, l.errorf("bad cross-reference entry")
			}
			e := entry{kind: 0, off: o, gen: g}
			if t == "n" {
				e.kind = 1
			}
			rows = append(rows, struct {
				num int64
				e   entry
			}{start + i, e})
		}
	}
	t, err := l.object(0)
	if err != nil {
		return nil, false, fmt.Errorf("pdf: trailer: %w", err)
	}
	trailer, ok := t.(*Dict)
	if !ok {
		return nil, false, l.errorf("trailer is not a dictionary")
	}
	if xs, ok := trailer.Get("XRefStm").(int64); ok && !seen[xs] {
		seen[xs] = true
		if _, _, err := f.section(xs, seen); err != nil {
			return nil, false, fmt.Errorf("pdf: hybrid /XRefStm: %w", err)
		}
	}
	for _, r := range rows {
		if r.num == 0 && r.e.kind == 0 {
			continue
		}
		if err := f.set(r.num, r.e); err != nil {
			return nil, false, err
		}
	}
	return trailer, false, nil
}

// xrefStream reads the entries of a cross-reference stream (§7.5.8).
func (f *File) xrefStream(s *Stream) error {
	data, err := f.Decode(s, MaxStream)
	if err != nil {
		return fmt.Errorf("pdf: cross-reference stream: %w", err)
	}
	w, ok := s.Dict.Get("W").([]Object)
	if !ok || len(w) != 3 {
		return fmt.Errorf("pdf: cross-reference stream /W is not three integers: %w", ErrMalformed)
	}
	var ws [3]int
	for i, x := range w {
		n, ok := x.(int64)
		if !ok || n < 0 || n > 8 {
			return fmt.Errorf("pdf: cross-reference stream /W %v: %w", w, ErrMalformed)
		}
		ws[i] = int(n)
	}
	size, _ := s.Dict.Get("Size").(int64)
	index := []Object{int64(0), size}
	if ix, ok := s.Dict.Get("Index").([]Object); ok {
		index = ix
	}
	if len(index)%2 != 0 {
		return fmt.Errorf("pdf: cross-reference stream /Index has an odd length: %w", ErrMalformed)
	}
	row := ws[0] + ws[1] + ws[2]
	if row == 0 {
		return fmt.Errorf("pdf: cross-reference stream /W is all zero: %w", ErrMalformed)
	}
	field := func(b []byte, def int64) int64 {
		if len(b) == 0 {
			return def
		}
		var v int64
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		return v
	}
	pos := 0
	for i := 0; i < len(index); i += 2 {
		start, ok1 := index[i].(int64)
		count, ok2 := index[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || count > MaxXrefEntries {
			return fmt.Errorf("pdf: cross-reference stream /Index %v: %w", index, ErrMalformed)
		}
		for j := int64(0); j < count; j++ {
			if pos+row > len(data) {
				return fmt.Errorf("pdf: cross-reference stream shorter than its /Index: %w", ErrMalformed)
			}
			b := data[pos : pos+row]
			pos += row
			e := entry{
				kind: byte(field(b[:ws[0]], 1)),
				off:  field(b[ws[0]:ws[0]+ws[1]], 0),
				gen:  field(b[ws[0]+ws[1]:], 0),
			}
			if e.kind > 2 {
				continue // reserved types are ignored (Table 18)
			}
			if start+j == 0 && e.kind == 0 {
				continue
			}
			if err := f.set(start+j, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// indirect reads "num gen obj <object> [stream ... endstream] endobj" at l;
// want >= 0 checks the object number.
func (f *File) indirect(l *lexer, want int64) (Object, error) {
	num, err1 := strconv.ParseInt(l.token(), 10, 64)
	_, err2 := strconv.ParseInt(l.token(), 10, 64)
	if err1 != nil || err2 != nil || !l.keyword("obj") {
		return nil, l.errorf("no \"N G obj\"")
	}
	if want >= 0 && num != want {
		return nil, l.errorf("object %d found where %d was expected", num, want)
	}
	obj, err := l.object(0)
	if err != nil {
		return nil, err
	}
	d, ok := obj.(*Dict)
	if !ok || !l.keyword("stream") {
		return obj, nil
	}
	l.eol()
	start := l.pos
	n := int64(-1)
	switch v := d.Get("Length").(type) {
	case int64:
		n = v
	case Ref:
		if lv, err := f.Resolve(v); err == nil {
			if x, ok := lv.(int64); ok {
				n = x
			}
		}
	}
	end := -1
	if n >= 0 && int64(start)+n <= int64(len(f.data)) {
		e := &lexer{data: f.data, pos: start + int(n)}
		if e.keyword("endstream") {
			end = start + int(n)
		}
	}
	if end < 0 {
		// A wrong /Length: take the bytes up to "endstream".
		k := indexKeyword(f.data, start, "endstream")
		if k < 0 {
			return nil, l.errorf("stream without endstream")
		}
		end = k
		for end > start && (f.data[end-1] == '\n' || f.data[end-1] == '\r') {
			end--
		}
		f.Warnings = append(f.Warnings, fmt.Sprintf("stream at offset %d: /Length does not match; read up to endstream", start))
	}
	return &Stream{Dict: d, Raw: f.data[start:end]}, nil
}

// Resolve returns the object ref points to; a ref to a free or missing
// object is null (§7.3.10).
func (f *File) Resolve(ref Ref) (Object, error) {
	if f.resolving > MaxDepth {
		return nil, fmt.Errorf("pdf: references nested deeper than %d: %w", MaxDepth, ErrTooLarge)
	}
	f.resolving++
	defer func() { f.resolving-- }()
	e, ok := f.entries[ref.Num]
	if !ok || e.kind == 0 {
		return nil, nil
	}
	if e.kind == 2 {
		return f.compressed(ref.Num, e)
	}
	if e.gen != ref.Gen {
		return nil, nil
	}
	l, err := f.at(e.off, strconv.FormatInt(ref.Num, 10))
	if err != nil {
		return nil, fmt.Errorf("pdf: object %d: %w", ref.Num, err)
	}
	return f.indirect(l, ref.Num)
}

// compressed reads an object from an object stream (§7.5.7).
func (f *File) compressed(num int64, e entry) (Object, error) {
	os, ok := f.objstms[e.off]
	if !ok {
		obj, err := f.Resolve(Ref{Num: e.off})
		if err != nil {
			return nil, err
		}
		s, ok := obj.(*Stream)
		if !ok || s.Dict.Get("Type") != Name("ObjStm") {
			return nil, fmt.Errorf("pdf: object %d: object stream %d is not a /ObjStm stream: %w", num, e.off, ErrMalformed)
		}
		data, err := f.Decode(s, MaxStream)
		if err != nil {
			return nil, fmt.Errorf("pdf: object stream %d: %w", e.off, err)
		}
		n, _ := s.Dict.Get("N").(int64)
		first, _ := s.Dict.Get("First").(int64)
		if n < 0 || n > MaxObjStmObjects || first < 0 || first > int64(len(data)) {
			return nil, fmt.Errorf("pdf: object stream %d: /N %d /First %d: %w", e.off, n, first, ErrMalformed)
		}
		os = &objStm{offs: map[int64]int{}, data: data}
		l := &lexer{data: data[:first]}
		for i := int64(0); i < n; i++ {
			on, err1 := strconv.ParseInt(l.token(), 10, 64)
			oo, err2 := strconv.ParseInt(l.token(), 10, 64)
			if err1 != nil || err2 != nil || oo < 0 || first+oo > int64(len(data)) {
				return nil, fmt.Errorf("pdf: object stream %d: bad header: %w", e.off, ErrMalformed)
			}
			os.offs[on] = int(first + oo)
		}
		f.objstms[e.off] = os
	}
	p, ok := os.offs[num]
	if !ok {
		return nil, fmt.Errorf("pdf: object %d is not in object stream %d: %w", num, e.off, ErrMalformed)
	}
	l := &lexer{data: os.data, pos: p}
	return l.object(0)
}

// Get resolves o when it is a reference.
func (f *File) Get(o Object) (Object, error) {
	if r, ok := o.(Ref); ok {
		return f.Resolve(r)
	}
	return o, nil
}

// Root returns the document catalog and its reference.
func (f *File) Root() (*Dict, Ref, error) {
	ref := f.Trailer.Get("Root").(Ref)
	obj, err := f.Resolve(ref)
	if err != nil {
		return nil, ref, fmt.Errorf("pdf: document catalog: %w", err)
	}
	d, ok := obj.(*Dict)
	if !ok {
		return nil, ref, fmt.Errorf("pdf: document catalog %d %d R is not a dictionary: %w", ref.Num, ref.Gen, ErrMalformed)
	}
	return d, ref, nil
}

// Encrypted reports whether the trailer names an encryption dictionary.
func (f *File) Encrypted() bool { return f.Trailer.Get("Encrypt") != nil }

// Size is the trailer's /Size: one more than the highest object number.
func (f *File) Size() int64 {
	n, _ := f.Trailer.Get("Size").(int64)
	for num := range f.entries {
		n = max(n, num+1)
	}
	return n
}

// Data returns the file's bytes.
func (f *File) Data() []byte { return f.data }

// Offset returns the byte offset of an object stored uncompressed, or -1.
func (f *File) Offset(ref Ref) int64 {
	if e, ok := f.entries[ref.Num]; ok && e.kind == 1 {
		return e.off
	}
	return -1
}
