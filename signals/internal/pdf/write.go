package pdf

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// Metadata returns the decoded document-level XMP metadata stream, the
// catalog's /Metadata (§14.3.2), its reference, and whether there is one.
// The stream is decoded up to limit bytes.
func (f *File) Metadata(limit int) ([]byte, Ref, bool, error) {
	cat, _, err := f.Root()
	if err != nil {
		return nil, Ref{}, false, err
	}
	ref, ok := cat.Get("Metadata").(Ref)
	if !ok {
		if cat.Get("Metadata") != nil {
			return nil, Ref{}, false, fmt.Errorf("pdf: the catalog's /Metadata is not an indirect reference: %w", ErrMalformed)
		}
		return nil, Ref{}, false, nil
	}
	obj, err := f.Resolve(ref)
	if err != nil {
		return nil, ref, false, fmt.Errorf("pdf: metadata stream %d %d R: %w", ref.Num, ref.Gen, err)
	}
	if obj == nil {
		return nil, ref, false, nil
	}
	s, ok := obj.(*Stream)
	if !ok {
		return nil, ref, false, fmt.Errorf("pdf: metadata %d %d R is not a stream: %w", ref.Num, ref.Gen, ErrMalformed)
	}
	data, err := f.Decode(s, limit)
	if err != nil {
		return nil, ref, false, fmt.Errorf("pdf: metadata stream %d %d R: %w", ref.Num, ref.Gen, err)
	}
	return data, ref, true, nil
}

// Indirect is an object to write in an incremental update.
type Indirect struct {
	Ref    Ref
	Object Object
}

// trailerSkip are the keys of a cross-reference stream's dictionary, and
// the section links, that a new trailer does not copy (§7.5.5, §7.5.8.2).
var trailerSkip = map[Name]bool{
	"Prev": true, "XRefStm": true, "Type": true, "W": true, "Index": true, "Length": true,
	"Filter": true, "DecodeParms": true, "F": true, "FFilter": true, "FDecodeParms": true, "DL": true,
}

// Update returns the bytes to append to the file for an incremental update
// (§7.5.6) that defines objs. Its cross-reference section is of the kind
// of the newest one (a table, or a stream for files that use cross-reference
// streams), listing only the objects written; its trailer repeats the
// newest trailer's entries with /Size and /Prev updated and the second /ID
// string replaced by id (§14.4). The original bytes are never changed; a
// file that does not end with an end-of-line gets one first.
func (f *File) Update(objs []Indirect, id []byte) ([]byte, error) {
	if len(objs) == 0 {
		return nil, fmt.Errorf("pdf: update with no objects: %w", ErrMalformed)
	}
	base := int64(len(f.data))
	var b bytes.Buffer
	if base == 0 || (f.data[base-1] != '\n' && f.data[base-1] != '\r') {
		b.WriteByte('\n')
	}
	offsets := map[int64]int64{}
	size := f.Size()
	for _, o := range objs {
		offsets[o.Ref.Num] = base + int64(b.Len())
		b.WriteString(strconv.FormatInt(o.Ref.Num, 10) + " " + strconv.FormatInt(o.Ref.Gen, 10) + " obj\n")
		b.Write(Append(nil, o.Object))
		b.WriteString("\nendobj\n")
		size = max(size, o.Ref.Num+1)
	}
	trailer := &Dict{}
	for _, k := range f.Trailer.Keys {
		if !trailerSkip[k] {
			trailer.Set(k, f.Trailer.Values[k])
		}
	}
	first := id
	if ids, ok := f.Trailer.Get("ID").([]Object); ok && len(ids) == 2 {
		if s, ok := ids[0].(String); ok {
			first = s
		}
	}
	trailer.Set("ID", []Object{String(first), String(id)})
	trailer.Set("Prev", f.StartXref)
	gens := map[int64]int64{}
	for _, o := range objs {
		gens[o.Ref.Num] = o.Ref.Gen
	}
	if !f.XrefStream {
		start := base + int64(b.Len())
		trailer.Set("Size", size)
		b.WriteString("xref\n")
		for _, run := range runs(offsets) {
			fmt.Fprintf(&b, "%d %d\n", run[0], len(run))
			for _, n := range run {
				fmt.Fprintf(&b, "%010d %05d n\r\n", offsets[n], gens[n])
			}
		}
		b.WriteString("trailer\n")
		b.Write(Append(nil, trailer))
		fmt.Fprintf(&b, "\nstartxref\n%d\n%%%%EOF\n", start)
		return b.Bytes(), nil
	}
	// A cross-reference stream, which lists itself too (§7.5.8.1).
	xnum := size
	size++
	start := base + int64(b.Len())
	offsets[xnum] = start
	w := 1
	for v := start; v > 0xFF; v >>= 8 {
		w++
	}
	var rows []byte
	var index []Object
	for _, run := range runs(offsets) {
		index = append(index, run[0], int64(len(run)))
		for _, n := range run {
			rows = append(rows, 1)
			for i := w - 1; i >= 0; i-- {
				rows = append(rows, byte(offsets[n]>>(8*i)))
			}
			rows = append(rows, byte(gens[n]>>8), byte(gens[n]))
		}
	}
	d := &Dict{}
	d.Set("Type", Name("XRef"))
	for _, k := range trailer.Keys {
		d.Set(k, trailer.Values[k])
	}
	d.Set("Size", size)
	d.Set("Index", index)
	d.Set("W", []Object{int64(1), int64(w), int64(2)})
	fmt.Fprintf(&b, "%d 0 obj\n", xnum)
	b.Write(Append(nil, &Stream{Dict: d, Raw: rows}))
	fmt.Fprintf(&b, "\nendobj\nstartxref\n%d\n%%%%EOF\n", start)
	return b.Bytes(), nil
}

// runs groups object numbers into consecutive runs, ascending.
func runs(offsets map[int64]int64) [][]int64 {
	var nums []int64
	for n := range offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var out [][]int64
	for _, n := range nums {
		if k := len(out); k > 0 && out[k-1][len(out[k-1])-1] == n-1 {
			out[k-1] = append(out[k-1], n)
			continue
		}
		out = append(out, []int64{n})
	}
	return out
}

// Append appends the PDF syntax of o to b (§7.3). Strings are written in
// hexadecimal, which needs no escaping; a stream's /Length is set to the
// length of its raw bytes.
func Append(b []byte, o Object) []byte {
	switch v := o.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case Real:
		return append(b, v...)
	case Keyword:
		return append(b, v...)
	case String:
		b = append(b, '<')
		for _, c := range v {
			b = append(b, "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		}
		return append(b, '>')
	case Name:
		b = append(b, '/')
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < 0x21 || c > 0x7E || c == '#' || isDelim(c) {
				b = append(b, '#', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
				continue
			}
			b = append(b, c)
		}
		return b
	case []Object:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ' ')
			}
			b = Append(b, x)
		}
		return append(b, ']')
	case *Dict:
		b = append(b, "<<"...)
		for _, k := range v.Keys {
			b = append(b, ' ')
			b = Append(b, k)
			b = append(b, ' ')
			b = Append(b, v.Values[k])
		}
		return append(b, " >>"...)
	case Ref:
		b = strconv.AppendInt(b, v.Num, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, v.Gen, 10)
		return append(b, " R"...)
	case *Stream:
		d := v.Dict.Clone()
		d.Set("Length", int64(len(v.Raw)))
		b = Append(b, d)
		b = append(b, "\nstream\n"...)
		b = append(b, v.Raw...)
		return append(b, "\nendstream"...)
	}
	panic(fmt.Sprintf("pdf: cannot write %T", o)) // a caller's defect, never input
}
