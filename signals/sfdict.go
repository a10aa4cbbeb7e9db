package signals

import (
	"errors"
	"fmt"
	"strings"
)

// maxUsagePrefs caps the length of a usage-preference dictionary.
const maxUsagePrefs = 8 << 10

var errSF = errors.New("not a valid Structured Fields dictionary (RFC 9651 §4.2.2)")

// parseUsagePrefs parses an RFC 9651 Dictionary as AIPREF uses it
// (draft-ietf-aipref-vocab-07 §Serialization): each key maps to its value
// when that value is a Token, else to a marker that is neither "y" nor
// "n"; parameters are ignored; a repeated key keeps its last value. Any
// syntax error fails the whole dictionary, which then states nothing.
func parseUsagePrefs(s string) (map[string]string, error) {
	if len(s) > maxUsagePrefs {
		return nil, fmt.Errorf("usage preferences longer than %d bytes", maxUsagePrefs)
	}
	p := &sfParser{s: strings.Trim(s, " ")}
	out := map[string]string{}
	if p.s == "" {
		return out, nil
	}
	for {
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		val := "?1" // a bare key is Boolean true
		if p.peek() == '=' {
			p.i++
			if p.peek() == '(' {
				if err := p.innerList(); err != nil {
					return nil, err
				}
				val = "(inner list)"
			} else {
				v, isToken, err := p.bareItem()
				if err != nil {
					return nil, err
				}
				val = v
				if !isToken {
					val = "non-token " + v
				}
			}
		}
		if err := p.params(); err != nil {
			return nil, err
		}
		out[key] = val
		p.ows()
		if p.i == len(p.s) {
			return out, nil
		}
		if p.peek() != ',' {
			return nil, fmt.Errorf("%w: unexpected %q at offset %d", errSF, p.peek(), p.i)
		}
		p.i++
		p.ows()
		if p.i == len(p.s) {
			return nil, fmt.Errorf("%w: trailing comma", errSF)
		}
	}
}

type sfParser struct {
	s string
	i int
}

func (p *sfParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sfParser) ows() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || c >= 'A' && c <= 'Z' }

// isTChar reports RFC 9110 tchar.
func isTChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *sfParser) key() (string, error) {
	start := p.i
	if c := p.peek(); !isLCAlpha(c) && c != '*' {
		return "", fmt.Errorf("%w: key must start with a lowercase letter or * at offset %d", errSF, p.i)
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

func (p *sfParser) params() error {
	for p.peek() == ';' {
		p.i++
		for p.peek() == ' ' {
			p.i++
		}
		if _, err := p.key(); err != nil {
			return err
		}
		if p.peek() == '=' {
			p.i++
			if _, _, err := p.bareItem(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *sfParser) innerList() error {
	p.i++ // (
	for {
		for p.peek() == ' ' {
			p.i++
		}
		if p.peek() == ')' {
			p.i++
			return p.params()
		}
		if _, _, err := p.bareItem(); err != nil {
			return err
		}
		if err := p.params(); err != nil {
			return err
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return fmt.Errorf("%w: bad inner list at offset %d", errSF, p.i)
		}
	}
}

// bareItem parses any RFC 9651 bare item and returns its text and whether
// it was a Token.
func (p *sfParser) bareItem() (string, bool, error) {
	start := p.i
	c := p.peek()
	switch {
	case c == '-' || isDigit(c):
		p.i++
		digits, dot := 0, false
		if isDigit(c) {
			digits = 1
		}
		for p.i < len(p.s) && (isDigit(p.s[p.i]) || p.s[p.i] == '.' && !dot) {
			if p.s[p.i] == '.' {
				dot = true
			} else {
				digits++
			}
			p.i++
		}
		if digits == 0 || digits > 15 || p.s[p.i-1] == '.' {
			return "", false, fmt.Errorf("%w: bad number at offset %d", errSF, start)
		}
	case c == '"':
		p.i++
		for {
			if p.i >= len(p.s) {
				return "", false, fmt.Errorf("%w: unterminated string", errSF)
			}
			ch := p.s[p.i]
			p.i++
			if ch == '\\' {
				if p.i >= len(p.s) || p.s[p.i] != '"' && p.s[p.i] != '\\' {
					return "", false, fmt.Errorf("%w: bad escape in string", errSF)
				}
				p.i++
			} else if ch == '"' {
				break
			} else if ch < 0x20 || ch > 0x7e {
				return "", false, fmt.Errorf("%w: bad character in string", errSF)
			}
		}
	case c == '*' || isAlpha(c):
		p.i++
		for p.i < len(p.s) && (isTChar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
			p.i++
		}
		return p.s[start:p.i], true, nil
	case c == ':':
		end := strings.IndexByte(p.s[p.i+1:], ':')
		if end < 0 {
			return "", false, fmt.Errorf("%w: unterminated byte sequence", errSF)
		}
		p.i += end + 2
	case c == '?':
		if p.i+1 >= len(p.s) || p.s[p.i+1] != '0' && p.s[p.i+1] != '1' {
			return "", false, fmt.Errorf("%w: bad boolean", errSF)
		}
		p.i += 2
	case c == '@':
		p.i++
		if _, _, err := p.bareItem(); err != nil {
			return "", false, err
		}
	case c == '%':
		p.i++
		if p.peek() != '"' {
			return "", false, fmt.Errorf("%w: bad display string", errSF)
		}
		if _, _, err := p.bareItem(); err != nil {
			return "", false, err
		}
	default:
		return "", false, fmt.Errorf("%w: unexpected %q at offset %d", errSF, c, p.i)
	}
	return p.s[start:p.i], false, nil
}
