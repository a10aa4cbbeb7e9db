package robotstxt

import (
	"net/url"
	"strings"
)

const hexDigits = "0123456789ABCDEF"

// needsEscape reports whether an octet must be percent-encoded before
// comparison (RFC 9309 §2.2.2): non-ASCII octets, controls and space.
func needsEscape(c byte) bool { return c >= 0x80 || c <= 0x20 || c == 0x7F }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// escapePattern percent-encodes what needsEscape selects and upper-cases the
// hex digits of existing escapes. Escapes of unreserved characters are kept
// as written (google/robotstxt does the same: "%62" does not match "b").
// It returns s itself when nothing changes.
func escapePattern(s string) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if needsEscape(c) {
			break
		}
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) &&
			(s[i+1] >= 'a' || s[i+2] >= 'a') {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case needsEscape(c):
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte('%')
			b.WriteByte(upperHex(s[i+1]))
			b.WriteByte(upperHex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// normalisePath prepares a path for matching: "" becomes "/", and it is
// percent-normalised like patterns.
func normalisePath(p string) string {
	if p == "" {
		return "/"
	}
	return escapePattern(p)
}

// Path returns the part of a URL that robots.txt rules match: the path,
// parameters and query, without the fragment, "/" when empty. It accepts
// URLs with or without a scheme, as google/robotstxt does ("example.com/a"
// gives "/a", "//host/a" gives "/a").
func Path(rawURL string) string {
	s := rawURL
	start := 0
	if strings.HasPrefix(s, "//") {
		start = 2
	}
	rest := s[start:]
	// "://" marks a scheme only if no path, parameter or query starts earlier.
	if i := strings.Index(rest, "://"); i >= 0 {
		if j := strings.IndexAny(rest, "/?;"); j < 0 || j >= i {
			rest = rest[i+3:]
		}
	}
	i := strings.IndexAny(rest, "/?;")
	if i < 0 {
		return "/"
	}
	if h := strings.IndexByte(rest, '#'); h >= 0 {
		if h < i {
			return "/"
		}
		rest = rest[:h]
	}
	if rest[i] != '/' {
		return "/" + rest[i:]
	}
	return rest[i:]
}

// PathOf is Path for a parsed URL: its escaped path and raw query.
func PathOf(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	return p
}

// match reports whether pattern matches a prefix of path (RFC 9309 §2.2.3):
// "*" matches any run of octets, "$" at the end of the pattern anchors it,
// and "$" elsewhere is an ordinary octet, as in google/robotstxt.
func match(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		if anchored {
			return path == pattern
		}
		return strings.HasPrefix(path, pattern)
	}
	// The first literal segment is a prefix.
	if !strings.HasPrefix(path, pattern[:star]) {
		return false
	}
	path = path[star:]
	pattern = pattern[star+1:]
	// Every further segment is found leftmost, which is optimal for "*"-only
	// patterns; when anchored, the last segment must end the path.
	for {
		star = strings.IndexByte(pattern, '*')
		if star < 0 {
			break
		}
		seg := pattern[:star]
		pattern = pattern[star+1:]
		if seg == "" {
			continue
		}
		i := strings.Index(path, seg)
		if i < 0 {
			return false
		}
		path = path[i+len(seg):]
	}
	if anchored {
		return len(path) >= len(pattern) && path[len(path)-len(pattern):] == pattern
	}
	return strings.Contains(path, pattern)
}

// Match reports whether a robots.txt path pattern matches path, both
// percent-normalised first. Other formats that borrow robots.txt patterns
// (TDMRep locations, ai.txt, RSL content URLs) use it.
func Match(pattern, path string) bool {
	return match(escapePattern(pattern), normalisePath(path))
}
