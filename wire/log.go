package wire

import (
	"bytes"
	"encoding/json"
)

// Receipt is what every write returns and what askfirst register saves
// as <index>.json (DESIGN §5): the log entry's canonical JSON (RFC 8785)
// exactly as logged, its index in the log, an RFC 6962 inclusion proof
// (base64 hashes) relative to the tree size of the checkpoint, and the
// signed C2SP tlog-checkpoint note. The entry's leaf hash is
// SHA-256(0x00 ‖ entry bytes). Anyone can verify a receipt offline with
// the log's verifier key.
type Receipt struct {
	Entry          json.RawMessage `json:"entry"`
	Index          int64           `json:"index"`
	InclusionProof []string        `json:"inclusion_proof"`
	Checkpoint     string          `json:"checkpoint"`
}

// Marshal returns the receipt as compact JSON with the entry's canonical
// bytes verbatim. Prefer it to json.Marshal, which escapes <, > and & in
// the entry (\u003c...) so that its bytes are no longer the logged ones; a
// verifier that canonicalises still accepts those, one that hashes the
// bytes as returned does not. An encoder with SetEscapeHTML(false) and no
// indentation gives the same bytes.
func (r Receipt) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// LogInfo answers GET /v1/log: the log's origin line, its verifier key in
// the form golang.org/x/mod/sumdb/note.NewVerifier reads, and its size.
type LogInfo struct {
	Origin      string `json:"origin"`
	VerifierKey string `json:"verifier_key"`
	Size        int64  `json:"size"`
}
