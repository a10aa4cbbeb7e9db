package identify

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// maxXMPPacket caps the XMP packet read for a title.
const maxXMPPacket = 1 << 20

// xmpTitle returns the dc:title and dc:description (each the x-default or
// first alternative) of the first XMP packet embedded in an image file, or
// "". iscc-sdk reads them from XMP, IPTC or EXIF (exiv2); XMP is the common
// case.
func xmpTitle(data []byte) (title, description string) {
	return xmpLangAlt(data, "title"), xmpLangAlt(data, "description")
}

// xmpLangAlt returns the value of the Dublin Core language alternative
// property dc:<local> of the first XMP packet in data.
func xmpLangAlt(data []byte, local string) string {
	start := bytes.Index(data, []byte("<x:xmpmeta"))
	if start < 0 {
		return ""
	}
	end := bytes.Index(data[start:min(len(data), start+maxXMPPacket)], []byte("</x:xmpmeta>"))
	if end < 0 {
		return ""
	}
	dec := xml.NewDecoder(bytes.NewReader(data[start : start+end+len("</x:xmpmeta>")]))
	dec.Strict = false
	const dcNS = "http://purl.org/dc/elements/1.1/"
	inTitle, inLi := false, false
	var first, def string
	lang := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == dcNS && t.Name.Local == local {
				inTitle = true
			}
			if inTitle && t.Name.Local == "li" {
				inLi, lang = true, ""
				for _, a := range t.Attr {
					if a.Name.Local == "lang" {
						lang = a.Value
					}
				}
			}
		case xml.EndElement:
			if t.Name.Space == dcNS && t.Name.Local == local {
				inTitle = false
			}
			if t.Name.Local == "li" {
				inLi = false
			}
		case xml.CharData:
			if inTitle && inLi {
				s := strings.TrimSpace(string(t))
				if first == "" {
					first = s
				}
				if lang == "x-default" && def == "" {
					def = s
				}
			}
		}
	}
	if def != "" {
		return def
	}
	return first
}
