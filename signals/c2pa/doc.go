// Package c2pa reads the training-and-data-mining assertions of a C2PA
// manifest store embedded in a media file, and validates what can be
// validated without a trust list.
//
// It implements, for the reading side of signals.md §10:
//
//   - Locating the manifest store (C2PA Technical Specification 2.x,
//     "Embedding manifests into assets"): JPEG APP11 segments carrying JUMBF
//     (ISO/IEC 19566-5 / JPEG XT box format: "JP", box instance, packet
//     sequence number, repeated box header), reassembled per box instance in
//     sequence order; the PNG "caBX" chunk; the top-level ISOBMFF "uuid" box
//     with the C2PA extended type D8FEC3D6-1B0E-483C-9297-5828877EC481
//     (purpose "manifest") in MP4, MOV, HEIF and AVIF files; the top-level
//     "C2PA" chunk of RIFF files (WebP, WAV, AVI).
//   - JUMBF (ISO/IEC 19566-5:2019 Annex A): superboxes "jumb", description
//     boxes "jumd" (type UUID, toggles, label, ID, signature, private box),
//     content boxes ("cbor", "json", others kept raw).
//   - The C2PA structure: the manifest store (type "c2pa"), its manifests
//     ("c2ma", "c2um"), the active manifest (the last one in the store), its
//     assertion store, claim ("c2pa.claim" and "c2pa.claim.v2") and claim
//     signature ("c2pa.signature").
//   - The assertions "c2pa.training-mining" (C2PA 1.x) and
//     "cawg.training-mining" (CAWG training-and-data-mining 1.1), decoded
//     with github.com/fxamacker/cbor/v2: each entry with its use (allowed,
//     notAllowed, constrained) and constraint_info (also read as
//     constraints_info), with or without the 1.1 "entries" wrapper.
//   - Validation: the claim signature, a COSE_Sign1 (RFC 9052, tag 18) over
//     the claim with a detached payload, using the x5chain (label 33, or the
//     legacy text label, protected or unprotected header) leaf certificate
//     and ES256/ES384/ES512, PS256/PS384/PS512 or EdDSA (Ed25519); every
//     hashed URI of the claim against the assertion box it names (SHA-256,
//     -384 or -512 over the superbox payload, that is, the box without its
//     8-byte header); and the c2pa.hash.data hard binding over the asset's
//     bytes minus its exclusion ranges.
//
// The result says StatusSignatureValid only when all of that held:
// "cryptographically valid", never "trusted". Certificate chains are not
// checked against any trust list, and certificate validity periods,
// extended key usage, OCSP and time stamps are not checked. It follows the
// rule of signals.md §10 and §14.1 principle 5 only by exposing the facts:
// Result.Status, Result.Binding and per assertion Assertion.Covered; the
// signals package decides (reservations count even unsigned; grants only
// when Result.GrantsUsable and the assertion is covered).
//
// What it does not do: verify c2pa.hash.bmff (v2, v3) and c2pa.hash.boxes
// hard bindings (Binding is then BindingUnchecked), follow remote manifests
// (HTTP Link rel="c2pa-manifest"), read ingredient manifests, manifests in
// GIF, TIFF, SVG, PDF or MP3 files, CAWG identity assertions, or
// redactions. It never performs I/O.
//
// All functions are pure and safe for concurrent use. Every size read from
// a file is checked against the named caps.
package c2pa
