package identify_test

import (
	"testing"

	"github.com/askfirst/askfirst/internal/identify"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, head string
		wantType   string
		wantMode   identify.Mode
	}{
		{"a.txt", "hello world", "text/plain", identify.ModeText},
		{"noext", "hello world", "text/plain", identify.ModeText},
		{"a.md", "# Title\n\ntext", "text/markdown", identify.ModeText},
		{"page", "<!DOCTYPE html><html>", "text/html", identify.ModeText},
		{"page.htm", "<p>hi</p>", "text/html", identify.ModeText},
		{"a.txt", "\x89PNG\r\n\x1a\n....", "image/png", identify.ModeImage},
		{"x", "\xff\xd8\xff\xe0", "image/jpeg", identify.ModeImage},
		{"x", "GIF89a", "image/gif", identify.ModeImage},
		{"x", "RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", identify.ModeImage},
		{"x", "BM\x00\x00", "image/bmp", identify.ModeImage},
		{"x", "II*\x00", "image/tiff", identify.ModeImage},
		{"x", "RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav", identify.ModeAudio},
		{"x", "OggS\x00\x02.........\x01vorbis", "audio/ogg", identify.ModeAudio},
		{"x", "OggS\x00\x02.........\x80theora", "video/ogg", identify.ModeVideo},
		{"x", "ID3\x04", "audio/mpeg", identify.ModeAudio},
		{"x", "fLaC", "audio/x-flac", identify.ModeAudio},
		{"x", "\x00\x00\x00\x20ftypisom", "video/mp4", identify.ModeVideo},
		{"x", "\x00\x00\x00\x20ftypM4A ", "audio/mp4", identify.ModeAudio},
		{"x", "\x1a\x45\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x1f\x42\x86\x81\x01webm", "video/webm", identify.ModeVideo},
		{"x.pdf", "%PDF-1.7", "application/pdf", identify.ModeNone},
		{"x", "PK\x03\x04", "application/zip", identify.ModeNone},
		{"x.bin", "\x00\x01\x02\x03", "application/octet-stream", identify.ModeNone},
		// A media extension on unrecognised content is not trusted.
		{"fake.jpg", "\x00\x01\x02\x03", "application/octet-stream", identify.ModeNone},
		{"clip.mp3", "\x00\x01\x02\x03", "audio/mpeg", identify.ModeAudio},
		{"fake.png", "just text", "text/plain", identify.ModeText},
		{"x.json", "{\"a\": 1}", "text/plain", identify.ModeText},
		{"empty.txt", "", "text/plain", identify.ModeText},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.wantType, func(t *testing.T) {
			gotType, gotMode := identify.Detect([]byte(tt.head), tt.name)
			if gotType != tt.wantType || gotMode != tt.wantMode {
				t.Errorf("Detect(%q, %q) = %q, %q; want %q, %q", tt.head, tt.name, gotType, gotMode, tt.wantType, tt.wantMode)
			}
		})
	}
}

func TestNameFromPath(t *testing.T) {
	tests := map[string]string{
		"dir/field-notes.md":      "field notes",
		"My_Photo-2024.final.jpg": "My Photo 2024.final",
		"-":                       "",
		"noext":                   "noext",
	}
	for in, want := range tests {
		if got := identify.NameFromPath(in); got != want {
			t.Errorf("NameFromPath(%q) = %q, want %q", in, got, want)
		}
	}
}
