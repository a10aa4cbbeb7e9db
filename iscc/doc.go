// Package iscc implements the International Standard Content Code, ISO
// 24138:2024, with the behaviour of its reference implementation iscc-core
// v1.3 (which the ISO text defers to and whose conformance vectors every
// generator here passes, see testdata/SOURCE.md).
//
// It provides the codec (header varnibbles, base32 string form with the
// "ISCC:" prefix, multiformat input, decode, decompose, normalize, validate,
// explain, type id, Hamming distance and similarity) and every generator of
// the reference:
//
//   - GenMetaCode: name, description and metadata (JSON canonicalised with
//     RFC 8785 JCS, or a data: URL), with the BLAKE3 metahash;
//   - GenTextCode: plain text;
//   - GenImageCode: 32×32 grey pixels; NormalizeImage and
//     ImagePixelsFromReader compute them from an image the way iscc-sdk
//     does (EXIF orientation, transparency on white, border trim, grey,
//     Pillow's bicubic resize);
//   - GenAudioCode: a Chromaprint vector;
//   - GenVideoCode: MPEG-7 frame signatures;
//   - GenMixedCode: a combination of Content-Codes;
//   - GenDataCode, DataHasher: content-defined chunking of bytes;
//   - GenInstanceCode, InstanceHasher: BLAKE3 checksum, datahash and size;
//   - GenISCCCode: the composite ISCC-CODE, including WIDE;
//   - GenISCCIDv1: the ISCC-ID v1 of a timestamp and HUB.
//
// Unit lengths are multiples of 32 bits from 32 to 256 (DefaultBits = 64).
// Data- and Instance-Code read a stream once in constant memory; the
// hashers are io.Writers, so a single pass over a file can feed both.
//
// Text normalisation follows CPython's Unicode semantics (Final_Sigma,
// category Cn, isspace) with the Unicode 15.0 tables of Go 1.26 and
// golang.org/x/text (CPython 3.12 also uses 15.0; a reference run on
// CPython 3.11 has 14.0 and drops the few characters 15.0 added). The
// Unicode version follows the Go toolchain: x/text switches to 17.0 tables
// with Go 1.27. See textnorm.go.
//
// The package is a pure library: no cgo, no I/O beyond the readers it is
// handed, no logging, no global mutable state. It does not decode media
// files or extract text, Chromaprint vectors or frame signatures (that is
// done by askfirst's internal/identify), does not produce Semantic-Codes
// (which need machine-learning models) or Flake-Codes, and does not mint or
// verify ISCC-IDs through an ISCC-HUB.
package iscc
