package aipref

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxFieldLen caps the length of a field value given to ParseDictionary.
const MaxFieldLen = 16 << 10

// Kind is the type of a Structured Field bare item (RFC 9651 §3.3).
type Kind int

// Bare item kinds.
const (
	KindInteger Kind = iota + 1
	KindDecimal
	KindString
	KindToken
	KindBytes
	KindBoolean
	KindDate
	KindDisplayString
	KindInnerList
)

// Item is a parsed Structured Field member value: a bare item, or an inner
// list (Kind KindInnerList, members in List), with its parameters.
type Item struct {
	Kind Kind
	// Int holds integers and dates; Dec decimals; Str strings, tokens,
	// display strings and base64 byte sequences as written; Bool booleans.
	Int    int64
	Dec    float64
	Str    string
	Bool   bool
	List   []Item
	Params []Param
}

// Param is one parameter of an item.
type Param struct {
	Key   string
	Value Item
}

// IsToken reports whether the item is the token t.
func (it Item) IsToken(t string) bool { return it.Kind == KindToken && it.Str == t }

// String returns the item in its serialised form, without parameters.
func (it Item) String() string {
	switch it.Kind {
	case KindInteger:
		return strconv.FormatInt(it.Int, 10)
	case KindDecimal:
		return strconv.FormatFloat(it.Dec, 'f', -1, 64)
	case KindString:
		return strconv.Quote(it.Str)
	case KindToken:
		return it.Str
	case KindBytes:
		return ":" + it.Str + ":"
	case KindBoolean:
		if it.Bool {
			return "?1"
		}
		return "?0"
	case KindDate:
		return "@" + strconv.FormatInt(it.Int, 10)
	case KindDisplayString:
		return "%" + strconv.Quote(it.Str)
	case KindInnerList:
		parts := make([]string, len(it.List))
		for i, m := range it.List {
			parts[i] = m.String()
		}
		return "(" + strings.Join(parts, " ") + ")"
	}
	return ""
}

// Member is one dictionary member.
type Member struct {
	Key   string
	Value Item
}

// Dictionary is a parsed RFC 9651 Dictionary: members in order, a repeated
// key keeping its last value at the position of its first occurrence
// (RFC 9651 §4.2.2).
type Dictionary []Member

// Get returns the value of key.
func (d Dictionary) Get(key string) (Item, bool) {
	for _, m := range d {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Item{}, false
}

// ErrSyntax is returned (wrapped) for input that is not a valid Dictionary.
var ErrSyntax = errors.New("structured field syntax error")

// ParseDictionary parses an RFC 9651 §4.2.2 Dictionary field value. Several
// field lines must be joined with ", " first (RFC 9110 §5.3). Any syntax
// error fails the whole field, as RFC 9651 §4.2 requires.
func ParseDictionary(s string) (Dictionary, error) {
	if len(s) > MaxFieldLen {
		return nil, fmt.Errorf("parse dictionary: %d bytes over the %d-byte limit: %w", len(s), MaxFieldLen, ErrSyntax)
	}
	p := &sfParser{s: s}
	p.skipSP()
	var d Dictionary
	for !p.eof() {
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		var v Item
		if p.peek() == '=' {
			p.i++
			v, err = p.itemOrInnerList()
			if err != nil {
				return nil, err
			}
		} else {
			v = Item{Kind: KindBoolean, Bool: true}
			if v.Params, err = p.params(); err != nil {
				return nil, err
			}
		}
		replaced := false
		for i := range d {
			if d[i].Key == key {
				d[i].Value, replaced = v, true
				break
			}
		}
		if !replaced {
			d = append(d, Member{Key: key, Value: v})
		}
		p.skipOWS()
		if p.eof() {
			return d, nil
		}
		if p.peek() != ',' {
			return nil, p.errorf("expected \",\" after member %q", key)
		}
		p.i++
		p.skipOWS()
		if p.eof() {
			return nil, p.errorf("trailing comma")
		}
	}
	return d, nil
}

type sfParser struct {
	s string
	i int
}

func (p *sfParser) eof() bool { return p.i >= len(p.s) }

func (p *sfParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

func (p *sfParser) skipSP() {
	for !p.eof() && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *sfParser) errorf(format string, args ...any) error {
	return fmt.Errorf("parse dictionary at byte %d: %s: %w", p.i, fmt.Sprintf(format, args...), ErrSyntax)
}

// key parses an RFC 9651 §4.2.3.3 key: lcalpha or "*", then lcalpha,
// digits, "_", "-", "." or "*".
func (p *sfParser) key() (string, error) {
	c := p.peek()
	if !(c >= 'a' && c <= 'z' || c == '*') {
		return "", p.errorf("key must start with a lowercase letter or \"*\"")
	}
	start := p.i
	for !p.eof() {
		c := p.s[p.i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i], nil
}

func (p *sfParser) itemOrInnerList() (Item, error) {
	if p.peek() == '(' {
		return p.innerList()
	}
	return p.item()
}

func (p *sfParser) innerList() (Item, error) {
	p.i++ // "("
	it := Item{Kind: KindInnerList}
	for !p.eof() {
		p.skipSP()
		if p.peek() == ')' {
			p.i++
			var err error
			it.Params, err = p.params()
			return it, err
		}
		m, err := p.item()
		if err != nil {
			return Item{}, err
		}
		it.List = append(it.List, m)
		if c := p.peek(); c != ' ' && c != ')' {
			return Item{}, p.errorf("expected space or \")\" in inner list")
		}
	}
	return Item{}, p.errorf("unterminated inner list")
}

func (p *sfParser) item() (Item, error) {
	it, err := p.bareItem()
	if err != nil {
		return Item{}, err
	}
	it.Params, err = p.params()
	return it, err
}

func (p *sfParser) params() ([]Param, error) {
	var ps []Param
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		v := Item{Kind: KindBoolean, Bool: true}
		if p.peek() == '=' {
			p.i++
			if v, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		replaced := false
		for i := range ps {
			if ps[i].Key == k {
				ps[i].Value, replaced = v, true
			}
		}
		if !replaced {
			ps = append(ps, Param{Key: k, Value: v})
		}
	}
	return ps, nil
}

func isTChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *sfParser) bareItem() (Item, error) {
	c := p.peek()
	switch {
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == '"':
		s, err := p.quoted()
		return Item{Kind: KindString, Str: s}, err
	case c == '*' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		start := p.i
		p.i++
		for !p.eof() && (isTChar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
			p.i++
		}
		return Item{Kind: KindToken, Str: p.s[start:p.i]}, nil
	case c == ':':
		p.i++
		start := p.i
		for !p.eof() && p.s[p.i] != ':' {
			b := p.s[p.i]
			if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=') {
				return Item{}, p.errorf("invalid byte sequence character")
			}
			p.i++
		}
		if p.eof() {
			return Item{}, p.errorf("unterminated byte sequence")
		}
		p.i++
		return Item{Kind: KindBytes, Str: p.s[start : p.i-1]}, nil
	case c == '?':
		p.i++
		switch p.peek() {
		case '0':
			p.i++
			return Item{Kind: KindBoolean}, nil
		case '1':
			p.i++
			return Item{Kind: KindBoolean, Bool: true}, nil
		}
		return Item{}, p.errorf("invalid boolean")
	case c == '@':
		p.i++
		n, err := p.number()
		if err != nil || n.Kind != KindInteger {
			return Item{}, p.errorf("invalid date")
		}
		return Item{Kind: KindDate, Int: n.Int}, nil
	case c == '%':
		p.i++
		if p.peek() != '"' {
			return Item{}, p.errorf("invalid display string")
		}
		return p.displayString()
	}
	return Item{}, p.errorf("unexpected character %q", c)
}

// number parses an integer (at most 15 digits) or a decimal (at most 12
// integer and 3 fraction digits), RFC 9651 §4.2.4.
func (p *sfParser) number() (Item, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	digits, dot := 0, -1
	for !p.eof() {
		c := p.s[p.i]
		if c >= '0' && c <= '9' {
			digits++
			p.i++
			continue
		}
		if c == '.' && dot < 0 {
			dot = digits
			p.i++
			continue
		}
		break
	}
	if digits == 0 {
		return Item{}, p.errorf("number without digits")
	}
	lit := p.s[start:p.i]
	if dot < 0 {
		if digits > 15 {
			return Item{}, p.errorf("integer too long")
		}
		n, err := strconv.ParseInt(lit, 10, 64)
		if err != nil {
			return Item{}, p.errorf("invalid integer")
		}
		return Item{Kind: KindInteger, Int: n}, nil
	}
	frac := digits - dot
	if dot > 12 || frac < 1 || frac > 3 {
		return Item{}, p.errorf("invalid decimal")
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return Item{}, p.errorf("invalid decimal")
	}
	return Item{Kind: KindDecimal, Dec: f}, nil
}

func (p *sfParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\':
			if p.eof() || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", p.errorf("invalid escape in string")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c == '"':
			return b.String(), nil
		case c < 0x20 || c > 0x7E:
			return "", p.errorf("invalid character in string")
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *sfParser) displayString() (Item, error) {
	p.i++ // opening quote
	var b []byte
	for !p.eof() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '%':
			if p.i+2 > len(p.s) {
				return Item{}, p.errorf("truncated escape in display string")
			}
			h := p.s[p.i : p.i+2]
			v, err := strconv.ParseUint(h, 16, 8)
			if err != nil || strings.ToLower(h) != h {
				return Item{}, p.errorf("invalid escape in display string")
			}
			b = append(b, byte(v))
			p.i += 2
		case c == '"':
			if !utf8.Valid(b) {
				return Item{}, p.errorf("display string is not UTF-8")
			}
			return Item{Kind: KindDisplayString, Str: string(b)}, nil
		case c < 0x20 || c > 0x7E:
			return Item{}, p.errorf("invalid character in display string")
		default:
			b = append(b, c)
		}
	}
	return Item{}, p.errorf("unterminated display string")
}
