package identify

import "github.com/askfirst/askfirst/signals/xmp"

// xmpTitle returns the dc:title and dc:description (each the x-default or
// first alternative) of the XMP packets embedded in an image file (package
// xmp finds them by the container's rules), or "". iscc-sdk reads them
// from XMP, IPTC or EXIF (exiv2); XMP is the common case.
func xmpTitle(data []byte) (title, description string) {
	_, packets, _ := xmp.Extract(data)
	for _, pk := range packets {
		props, _ := xmp.ParsePacket(pk.Data)
		if title == "" {
			title = langAlt(props.Title)
		}
		if description == "" {
			description = langAlt(props.Description)
		}
	}
	return title, description
}

// langAlt picks the x-default item of a language alternative, or else the
// first.
func langAlt(items []xmp.LangText) string {
	for _, it := range items {
		if it.Lang == "x-default" && it.Text != "" {
			return it.Text
		}
	}
	for _, it := range items {
		if it.Text != "" {
			return it.Text
		}
	}
	return ""
}
