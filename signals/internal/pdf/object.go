// Package pdf reads just enough of a PDF file (ISO 32000-1:2008, PDF 1.7;
// ISO 32000-2 for PDF 2.0) to find the document's XMP metadata stream, and
// writes an incremental update that replaces it (§7.5.6) without changing
// one byte of the original file, so existing digital signatures keep
// covering what they signed.
//
// It reads the object syntax (§7.3), cross-reference tables and streams
// with their /Prev chains and hybrid /XRefStm sections (§7.5.4, §7.5.8),
// object streams (§7.5.7), and the FlateDecode filter with PNG and TIFF
// predictors (§7.4.4.4) and ASCIIHexDecode (§7.4.2), which are what
// metadata, cross-reference and object streams use in practice.
//
// It does not render, decrypt (an encrypted file is refused for writing
// and its metadata read only when stored in clear), repair a damaged
// cross-reference table by scanning for objects (the caller falls back to
// XMP packet scanning), or decode image filters. Every size and count it
// reads from a file is checked against the caps below.
//
// The package is internal to askfirst's signals packages; its functions
// are pure and safe for concurrent use.
package pdf

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Caps on what a file may make this package read.
const (
	// MaxDepth caps the nesting of arrays and dictionaries.
	MaxDepth = 64
	// MaxXrefSections caps the cross-reference sections followed through
	// /Prev and /XRefStm.
	MaxXrefSections = 1024
	// MaxXrefEntries caps the cross-reference entries read in all.
	MaxXrefEntries = 1 << 22
	// MaxStream caps a decoded cross-reference or object stream.
	MaxStream = 64 << 20
	// MaxObjStmObjects caps the objects of one object stream.
	MaxObjStmObjects = 1 << 16
	// MaxCollection caps the elements of one array or dictionary.
	MaxCollection = 1 << 16
)

// Errors; every error returned wraps one of them.
var (
	// ErrMalformed: the file's structure is broken or truncated.
	ErrMalformed = errors.New("malformed PDF")
	// ErrTooLarge: a size or count exceeds one of the caps.
	ErrTooLarge = errors.New("exceeds limit")
	// ErrUnsupported: the file uses a feature this package does not
	// handle (an unknown filter, encryption when writing).
	ErrUnsupported = errors.New("unsupported PDF feature")
)

// Name is a PDF name object, without its leading slash and with #xx
// escapes decoded.
type Name string

// String is a PDF string object's bytes (literal or hexadecimal).
type String []byte

// Real is a PDF real number kept as written, so rewriting it loses nothing.
type Real string

// Keyword is a bare keyword met where an object was expected.
type Keyword string

// Ref is an indirect reference "Num Gen R".
type Ref struct {
	Num int64
	Gen int64
}

// Dict is a PDF dictionary; Keys keeps the order of the file.
type Dict struct {
	Keys   []Name
	Values map[Name]Object
}

// Object is one of nil (null), bool, int64, Real, String, Name, []Object,
// *Dict, Ref or *Stream.
type Object any

// Stream is a stream object: its dictionary and the raw (encoded) bytes.
type Stream struct {
	Dict *Dict
	Raw  []byte
}

// Get returns the value of key, nil when absent.
func (d *Dict) Get(key Name) Object {
	if d == nil {
		return nil
	}
	return d.Values[key]
}

// Set sets key, appending it when new.
func (d *Dict) Set(key Name, v Object) {
	if d.Values == nil {
		d.Values = map[Name]Object{}
	}
	if _, ok := d.Values[key]; !ok {
		d.Keys = append(d.Keys, key)
	}
	d.Values[key] = v
}

// Delete removes key.
func (d *Dict) Delete(key Name) {
	if _, ok := d.Values[key]; !ok {
		return
	}
	delete(d.Values, key)
	for i, k := range d.Keys {
		if k == key {
			d.Keys = append(d.Keys[:i:i], d.Keys[i+1:]...)
			break
		}
	}
}

// Clone returns a shallow copy of d.
func (d *Dict) Clone() *Dict {
	c := &Dict{Keys: append([]Name(nil), d.Keys...), Values: make(map[Name]Object, len(d.Values))}
	for k, v := range d.Values {
		c.Values[k] = v
	}
	return c
}

// isSpace reports PDF white space (§7.2.2, Table 1).
func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

// isDelim reports PDF delimiters (§7.2.2, Table 2).
func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isSpace(c) && !isDelim(c) }

// lexer reads objects from data starting at pos.
type lexer struct {
	data []byte
	pos  int
}

func (l *lexer) errorf(format string, a ...any) error {
	return fmt.Errorf("pdf: %s at offset %d: %w", fmt.Sprintf(format, a...), l.pos, ErrMalformed)
}

// skip skips white space and comments.
func (l *lexer) skip() {
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// token returns the next run of regular characters (a number or keyword).
func (l *lexer) token() string {
	l.skip()
	start := l.pos
	for l.pos < len(l.data) && isRegular(l.data[l.pos]) {
		l.pos++
	}
	return string(l.data[start:l.pos])
}

// keyword reads the next token and reports whether it is kw.
func (l *lexer) keyword(kw string) bool {
	save := l.pos
	if l.token() == kw {
		return true
	}
	l.pos = save
	return false
}

// object reads one direct object; "N G R" is read as a Ref.
func (l *lexer) object(depth int) (Object, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("pdf: objects nested deeper than %d at offset %d: %w", MaxDepth, l.pos, ErrTooLarge)
	}
	l.skip()
	if l.pos >= len(l.data) {
		return nil, l.errorf("unexpected end of file")
	}
	switch c := l.data[l.pos]; {
	case c == '/':
		return l.name()
	case c == '(':
		return l.literal()
	case c == '<' && l.pos+1 < len(l.data) && l.data[l.pos+1] == '<':
		return l.dict(depth)
	case c == '<':
		return l.hex()
	case c == '[':
		l.pos++
		var arr []Object
		for {
			l.skip()
			if l.pos >= len(l.data) {
				return nil, l.errorf("unterminated array")
			}
			if l.data[l.pos] == ']' {
				l.pos++
				return arr, nil
			}
			if len(arr) >= MaxCollection {
				return nil, fmt.Errorf("pdf: array over %d elements at offset %d: %w", MaxCollection, l.pos, ErrTooLarge)
			}
			v, err := l.object(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	case isRegular(c):
		return l.number()
	}
	return nil, l.errorf("unexpected %q", l.data[l.pos])
}

// number reads a number, keyword, or "N G R" reference.
func (l *lexer) number() (Object, error) {
	start := l.pos
	tok := l.token()
	switch tok {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(tok, 64); ferr == nil {
			return Real(tok), nil
		}
		l.pos = start
		return Keyword(l.token()), nil
	}
	// A reference is "N G R"; look ahead without consuming otherwise.
	save := l.pos
	if gen, err := strconv.ParseInt(l.token(), 10, 64); err == nil && gen >= 0 && n >= 0 {
		if l.keyword("R") {
			return Ref{Num: n, Gen: gen}, nil
		}
	}
	l.pos = save
	return n, nil
}

func (l *lexer) name() (Object, error) {
	l.pos++ // '/'
	var b []byte
	for l.pos < len(l.data) && isRegular(l.data[l.pos]) {
		c := l.data[l.pos]
		if c == '#' && l.pos+2 < len(l.data) {
			if v, err := strconv.ParseUint(string(l.data[l.pos+1:l.pos+3]), 16, 8); err == nil {
				b = append(b, byte(v))
				l.pos += 3
				continue
			}
		}
		b = append(b, c)
		l.pos++
	}
	return Name(b), nil
}

func (l *lexer) literal() (Object, error) {
	l.pos++ // '('
	var b []byte
	depth := 1
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return String(b), nil
			}
		case '\\':
			if l.pos >= len(l.data) {
				return nil, l.errorf("unterminated string")
			}
			e := l.data[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.data) && l.data[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.data) && l.data[l.pos] >= '0' && l.data[l.pos] <= '7'; i++ {
						v = v*8 + int(l.data[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		b = append(b, c)
	}
	return nil, l.errorf("unterminated string")
}

func (l *lexer) hex() (Object, error) {
	l.pos++ // '<'
	var digits []byte
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		l.pos++
		switch {
		case c == '>':
			if len(digits)%2 == 1 {
				digits = append(digits, '0') // §7.3.4.3: a missing last digit is 0
			}
			b := make([]byte, len(digits)/2)
			if _, err := hex.Decode(b, digits); err != nil {
				return nil, l.errorf("bad hexadecimal string")
			}
			return String(b), nil
		case isSpace(c):
		default:
			digits = append(digits, c)
		}
	}
	return nil, l.errorf("unterminated hexadecimal string")
}

func (l *lexer) dict(depth int) (Object, error) {
	l.pos += 2 // "<<"
	d := &Dict{Values: map[Name]Object{}}
	for {
		l.skip()
		if l.pos+1 < len(l.data) && l.data[l.pos] == '>' && l.data[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		if l.pos >= len(l.data) {
			return nil, l.errorf("unterminated dictionary")
		}
		if l.data[l.pos] != '/' {
			return nil, l.errorf("dictionary key is not a name")
		}
		if len(d.Keys) >= MaxCollection {
			return nil, fmt.Errorf("pdf: dictionary over %d entries at offset %d: %w", MaxCollection, l.pos, ErrTooLarge)
		}
		k, _ := l.name()
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if kw, ok := v.(Keyword); ok {
			return nil, l.errorf("unexpected keyword %q as the value of /%s", string(kw), k.(Name))
		}
		d.Set(k.(Name), v)
	}
}

// eol skips the end-of-line after the "stream" keyword: CRLF or LF
// (§7.3.8.1), and tolerates a lone CR.
func (l *lexer) eol() {
	if l.pos < len(l.data) && l.data[l.pos] == '\r' {
		l.pos++
	}
	if l.pos < len(l.data) && l.data[l.pos] == '\n' {
		l.pos++
	}
}

// indexKeyword finds kw as a whole token from pos.
func indexKeyword(data []byte, pos int, kw string) int {
	for {
		i := bytes.Index(data[pos:], []byte(kw))
		if i < 0 {
			return -1
		}
		at := pos + i
		end := at + len(kw)
		if (at == 0 || !isRegular(data[at-1])) && (end >= len(data) || !isRegular(data[end])) {
			return at
		}
		pos = at + 1
	}
}
