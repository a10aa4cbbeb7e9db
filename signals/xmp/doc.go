// Package xmp reads and writes the IPTC Photo Metadata "Data Mining"
// reservation (plus:DataMining, with plus:OtherConstraints) carried in the XMP
// packets embedded in image files. ParsePacket also returns the Dublin Core
// title and description, by which a file's work is named.
//
// It implements the reading side of signals.md §9 (IPTC Photo Metadata
// Standard 2023.1 and later, property "Data Mining", PLUS controlled
// vocabulary http://ns.useplus.org/ldf/vocab/) and the XMP embedding rules of
// the XMP Specification Part 3 (Storage in Files) for:
//
//   - JPEG: APP1 segments "http://ns.adobe.com/xap/1.0/" (main packet) and
//     "http://ns.adobe.com/xmp/extension/" (extended XMP, reassembled by GUID
//     and offset, the GUID checked against the MD5 of the reassembled bytes);
//   - PNG: iTXt (uncompressed or zlib) chunk "XML:com.adobe.xmp", and the
//     non-standard tEXt/zTXt variants of that keyword and ImageMagick's
//     "Raw profile type xmp";
//   - WebP: the RIFF "XMP " chunk;
//   - TIFF and BigTIFF: tag 700 (XMLPacket) in any IFD of the main chain;
//   - GIF: the "XMP DataXMP" application extension with its magic trailer;
//   - PDF: the document metadata stream the catalog names (ISO 32000-1
//     §14.3.2), newest version through incremental updates, with
//     cross-reference streams, object streams and FlateDecode (package
//     signals/internal/pdf); a file whose structure cannot be read is
//     searched by packet scanning, with an error.
//
// Besides plus:DataMining it reads the TDMRep properties tdm:reservation
// and tdm:policy (namespace http://www.w3.org/ns/tdmrep/, W3C TDMRep
// §"PDF"), which TDMRep defines for PDF.
//
// Any other input is searched for "<?xpacket" wrappers (the XMP packet
// scanning fallback of XMP Part 3 §1.1), which finds XMP in MP4 or HEIF
// files whose metadata is stored uncompressed, and reported with a
// warning.
//
// The RDF/XML is read with encoding/xml, namespaces compared by URI and never
// by prefix; a property may be written as an attribute of rdf:Description,
// as an element with rdf:resource, as element text or inside an rdf:Bag,
// rdf:Seq or rdf:Alt. Values are mapped to the PLUS keys (the DMI-* constants)
// leniently for reservations (bare keys, case, https) with a warning, as
// signals.md §9 and §14.6 ask.
//
// EmbedJPEG, EmbedPNG, EmbedWebP and EmbedTIFF write a reservation into a
// file, and EmbedPDF a reservation and the TDMRep properties, merging them
// into the existing packet so that other metadata is kept and never
// re-encoding the image (a PDF gets an incremental update).
//
// What it does not do: it does not decide what a value means for a use (the
// signals package maps the keys to uses, §9 table and §14.3); it does not read
// the IIM (APP13) block, which has no Data Mining field; it does not parse
// HEIF "mime" items, encrypted PDF metadata or EXIF; it does not evaluate
// Iptc4xmpExt:EmbdEncRightsExpr or LinkedEncRightsExpr, which the
// DMI-PROHIBITED-SEE* values point to; and it cannot tell who wrote the
// metadata: a grant read from XMP is unauthenticated (§14.1 principle 5).
//
// All functions are pure and safe for concurrent use; every size read from a
// file is checked against the named caps below.
package xmp
