package identify

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// MaxTextSize caps the bytes of a text file that are decoded for its
// Text-Code; a larger text file gets an error (its Data- and Instance-Code
// are still computed).
const MaxTextSize = 64 << 20

// decodeText returns b as UTF-8: a UTF-8 or UTF-16 byte order mark decides,
// then valid UTF-8 is taken as is, anything else is read as Windows-1252.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD")
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		out, _ := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		return string(out)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, _ := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		return string(out)
	case utf8.Valid(b):
		return string(b)
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out)
}

// skipElements are HTML elements whose content is not text of the document.
var skipElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true,
	"svg": true, "math": true, "iframe": true, "object": true,
}

// blockElements end a line of text.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true,
	"td": true, "th": true, "table": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "pre": true, "blockquote": true, "section": true, "article": true,
	"header": true, "footer": true, "nav": true, "aside": true, "hr": true, "dd": true,
	"dt": true, "dl": true, "figure": true, "figcaption": true, "main": true, "address": true,
}

// metaDescription returns the content of a <meta name="description">
// tag, the token z is on, or "".
func metaDescription(z *html.Tokenizer) string {
	var name, content string
	for {
		k, v, more := z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "name":
			name = strings.ToLower(string(v))
		case "content":
			content = string(v)
		}
		if !more {
			break
		}
	}
	if name != "description" {
		return ""
	}
	return strings.TrimSpace(content)
}

// htmlText returns the text of an HTML document with the markup removed:
// the text of <body> (elements of skipElements dropped, block elements on
// their own lines), the content of <title> and of <meta name=description>,
// which iscc-sdk (Apache Tika) puts in metadata (dc:title, dc:description)
// rather than text. The charset follows the BOM, a <meta>
// declaration or UTF-8 validity (WHATWG encoding sniffing).
func htmlText(b []byte) (text, title, description string) {
	enc, _, _ := charset.DetermineEncoding(b, "text/html")
	r := io.Reader(bytes.NewReader(b))
	if enc != nil {
		r = enc.NewDecoder().Reader(r)
	}
	z := html.NewTokenizer(r)
	var sb, tb strings.Builder
	skip := 0 // depth inside skipped elements
	inTitle := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(sb.String()), strings.Join(strings.Fields(tb.String()), " "), description
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "title" && tt == html.StartTagToken {
				inTitle = true
			}
			if tag == "meta" && description == "" {
				description = metaDescription(z)
			}
			if skipElements[tag] && tt == html.StartTagToken {
				skip++
			}
			if blockElements[tag] {
				sb.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "title" {
				inTitle = false
			}
			if skipElements[tag] && skip > 0 {
				skip--
			}
			if blockElements[tag] {
				sb.WriteByte('\n')
			}
		case html.TextToken:
			t := z.Text()
			switch {
			case inTitle:
				tb.Write(t)
			case skip == 0:
				sb.Write(t)
			}
		}
	}
}
