package identify

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/askfirst/askfirst/iscc"
)

// Mode is how a file's Content-Code is computed.
type Mode string

// Processing modes, as iscc-sdk names them. ModeNone means the file has no
// Content-Code: only Data- and Instance-Code (an ISCC-SUM).
const (
	ModeText  Mode = "text"
	ModeImage Mode = "image"
	ModeAudio Mode = "audio"
	ModeVideo Mode = "video"
	ModeNone  Mode = ""
)

// SniffSize is how many leading bytes Detect looks at.
const SniffSize = 4096

// extTypes maps file extensions to media types for content that has no
// reliable magic bytes (text) or as a fallback; names follow iscc-sdk's
// normalised media types.
var extTypes = map[string]string{
	".txt": "text/plain", ".text": "text/plain",
	".md": "text/markdown", ".markdown": "text/markdown",
	".html": "text/html", ".htm": "text/html", ".xhtml": "text/html",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
	".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg",
	".opus": "audio/opus", ".flac": "audio/x-flac", ".aif": "audio/aiff", ".aiff": "audio/aiff",
	".m4a": "audio/mp4", ".mp4": "video/mp4", ".m4v": "video/x-m4v", ".mov": "video/quicktime",
	".webm": "video/webm", ".mkv": "video/x-matroska", ".avi": "video/avi", ".ogv": "video/ogg",
	".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".flv": "video/x-flv", ".wmv": "video/x-ms-wmv",
	".3gp": "video/3gpp", ".pdf": "application/pdf", ".zip": "application/zip",
	".svg": "image/svg+xml", ".json": "application/json", ".xml": "text/xml",
}

// modes maps the media types we compute a Content-Code for to their mode.
func modeOf(mediatype string) Mode {
	switch mediatype {
	case "text/plain", "text/markdown", "text/html":
		return ModeText
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff":
		return ModeImage
	}
	switch {
	case strings.HasPrefix(mediatype, "audio/"):
		return ModeAudio
	case strings.HasPrefix(mediatype, "video/"):
		return ModeVideo
	}
	return ModeNone
}

// Detect returns the media type of a file from its leading bytes (up to
// SniffSize) and, when those are not conclusive, its name's extension, with
// the processing mode for it. Unknown content is
// "application/octet-stream" with ModeNone.
func Detect(head []byte, name string) (string, Mode) {
	mt := sniff(head)
	ext := strings.ToLower(filepath.Ext(name))
	byExt := extTypes[ext]
	switch {
	case mt == "":
		switch m := modeOf(byExt); {
		case looksLikeText(head):
			mt = "text/plain"
			if m == ModeText {
				mt = byExt
			} else if isHTML(head) {
				mt = "text/html"
			}
		case m == ModeAudio || m == ModeVideo:
			// Containers without a magic number we know (MPEG-TS, raw
			// streams): trust the extension, fpcalc or ffmpeg decide.
			mt = byExt
		case m == ModeNone && byExt != "":
			mt = byExt
		default:
			// An image extension on content no image decoder recognises.
			mt = "application/octet-stream"
		}
	}
	return mt, modeOf(mt)
}

// sniff recognises binary formats by their magic bytes.
func sniff(b []byte) string {
	if f := iscc.ImageFormat(b); f != "" {
		return "image/" + f
	}
	has := func(off int, s string) bool { return len(b) >= off+len(s) && string(b[off:off+len(s)]) == s }
	switch {
	case has(0, "RIFF") && has(8, "WAVE"):
		return "audio/wav"
	case has(0, "RIFF") && has(8, "AVI "):
		return "video/avi"
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return "audio/aiff"
	case has(0, "fLaC"):
		return "audio/x-flac"
	case has(0, "ID3"):
		return "audio/mpeg"
	case has(0, "OggS"):
		switch {
		case bytes.Contains(b[:min(len(b), 512)], []byte("\x80theora")):
			return "video/ogg"
		case bytes.Contains(b[:min(len(b), 512)], []byte("OpusHead")):
			return "audio/opus"
		}
		return "audio/ogg"
	case has(4, "ftyp"):
		switch {
		case has(8, "M4A "), has(8, "M4B "):
			return "audio/mp4"
		case has(8, "qt  "):
			return "video/quicktime"
		case has(8, "3gp"):
			return "video/3gpp"
		}
		return "video/mp4"
	case has(0, "\x1a\x45\xdf\xa3"):
		if bytes.Contains(b[:min(len(b), 64)], []byte("webm")) {
			return "video/webm"
		}
		return "video/x-matroska"
	case has(0, "FLV\x01"):
		return "video/x-flv"
	case has(0, "\x00\x00\x01\xba"), has(0, "\x00\x00\x01\xb3"):
		return "video/mpeg"
	case has(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
		return "video/x-ms-asf"
	case has(0, "%PDF-"):
		return "application/pdf"
	case has(0, "PK\x03\x04"):
		return "application/zip"
	case has(0, "\x1f\x8b"):
		return "application/gzip"
	case len(b) >= 4 && b[0] == 0xFF && b[1]&0xE0 == 0xE0 && b[1]&0x06 != 0 && b[2]&0xF0 != 0xF0 && b[2]&0x0C != 0x0C:
		return "audio/mpeg" // MPEG audio frame header without ID3 tag
	}
	return ""
}

// looksLikeText reports whether b is plausibly text: a UTF-16 BOM, or no
// NUL bytes and few control characters (the last, possibly cut, UTF-8
// sequence is allowed).
func looksLikeText(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return true
	}
	ctrl := 0
	for _, c := range b {
		switch {
		case c == 0:
			return false
		case c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b:
			ctrl++
		}
	}
	if ctrl*100 > len(b) {
		return false
	}
	// Valid UTF-8, or 8-bit text in a legacy encoding (decoded as
	// Windows-1252 by extractText).
	return true
}

// isHTML reports whether text starts like an HTML document.
func isHTML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) > 256 {
		b = b[:256]
	}
	l := bytes.ToLower(b)
	if bytes.HasPrefix(l, []byte("<?xml")) {
		return bytes.Contains(l, []byte("<html"))
	}
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html")) ||
		(bytes.HasPrefix(l, []byte("<!--")) && bytes.Contains(l, []byte("<html")))
}
