package c2pa

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/fxamacker/cbor/v2"
)

// MaxChainCerts caps the certificates read from an x5chain.
const MaxChainCerts = 16

// COSE algorithm identifiers (RFC 9053, RFC 8230) accepted for the claim
// signature, by their names in Result.Algorithm.
var coseAlgs = map[int64]string{
	-7: "ES256", -35: "ES384", -36: "ES512",
	-37: "PS256", -38: "PS384", -39: "PS512",
	-8: "EdDSA",
}

// coseHeaderAlg and coseHeaderX5Chain are COSE header labels (RFC 9052,
// RFC 9360).
const (
	coseHeaderAlg     = 1
	coseHeaderX5Chain = 33
	coseSign1Tag      = 18
)

type coseSign1 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected map[any]cbor.RawMessage
	Payload     []byte
	Signature   []byte
}

// errSignature marks a signature that parsed but does not verify.
var errSignature = errors.New("signature does not verify")

// verifyCOSE checks a COSE_Sign1 (tagged 18 or untagged) over the detached
// payload claim. It returns the algorithm name and the leaf certificate.
// A structural problem wraps ErrMalformed; a signature that does not
// verify wraps errSignature.
func verifyCOSE(sig, claim []byte) (alg string, leaf *x509.Certificate, err error) {
	body := sig
	var tag cbor.RawTag
	if decMode.Unmarshal(sig, &tag) == nil {
		if tag.Number != coseSign1Tag {
			return "", nil, fmt.Errorf("COSE tag %d, want 18: %w", tag.Number, ErrMalformed)
		}
		body = tag.Content
	}
	var s coseSign1
	rest, err := decMode.UnmarshalFirst(body, &s)
	if err != nil {
		return "", nil, fmt.Errorf("COSE_Sign1: %v: %w", err, ErrMalformed)
	}
	// Early writers padded the signature box with zeros after the COSE
	// structure; those bytes are outside every signature and hash.
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return "", nil, fmt.Errorf("COSE_Sign1: %d bytes after the structure: %w", len(rest), ErrMalformed)
	}
	var prot map[any]cbor.RawMessage
	if len(s.Protected) > 0 {
		if err := decMode.Unmarshal(s.Protected, &prot); err != nil {
			return "", nil, fmt.Errorf("COSE protected header: %v: %w", err, ErrMalformed)
		}
	}
	var algID int64
	rawAlg, ok := prot[int64(coseHeaderAlg)]
	if !ok {
		return "", nil, fmt.Errorf("COSE protected header without alg: %w", ErrMalformed)
	}
	if err := decMode.Unmarshal(rawAlg, &algID); err != nil {
		return "", nil, fmt.Errorf("COSE alg: %v: %w", err, ErrMalformed)
	}
	alg, ok = coseAlgs[algID]
	if !ok {
		return "", nil, fmt.Errorf("COSE alg %d not supported: %w", algID, ErrMalformed)
	}
	chain, err := x5chain(prot, s.Unprotected)
	if err != nil {
		return alg, nil, err
	}
	leaf, err = x509.ParseCertificate(chain[0])
	if err != nil {
		return alg, nil, fmt.Errorf("x5chain leaf certificate: %v: %w", err, ErrMalformed)
	}
	pub := leaf.PublicKey
	if pub == nil {
		// crypto/x509 leaves keys of type id-RSASSA-PSS (RFC 4055), which
		// C2PA signers use for PS256, unparsed.
		if pub, err = pssPublicKey(leaf.RawSubjectPublicKeyInfo); err != nil {
			return alg, leaf, fmt.Errorf("x5chain leaf certificate key: %v: %w", err, ErrMalformed)
		}
	}
	payload := claim
	if s.Payload != nil {
		// C2PA detaches the payload; an attached one must be the claim.
		if string(s.Payload) != string(claim) {
			return alg, leaf, fmt.Errorf("COSE payload is not the claim: %w", errSignature)
		}
	}
	tbs, err := cbor.Marshal([]any{"Signature1", s.Protected, []byte{}, payload})
	if err != nil {
		return alg, leaf, fmt.Errorf("COSE Sig_structure: %v: %w", err, ErrMalformed)
	}
	if err := verifySignature(alg, pub, tbs, s.Signature); err != nil {
		return alg, leaf, err
	}
	return alg, leaf, nil
}

// oidRSASSAPSS is id-RSASSA-PSS (RFC 4055 §3.1).
var oidRSASSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

// pssPublicKey reads an RSA public key whose SubjectPublicKeyInfo names the
// id-RSASSA-PSS algorithm; the key itself is a PKCS #1 RSAPublicKey.
func pssPublicKey(spki []byte) (*rsa.PublicKey, error) {
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	rest, err := asn1.Unmarshal(spki, &info)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("subject public key info: %v", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidRSASSAPSS) {
		return nil, fmt.Errorf("public key algorithm %v not supported", info.Algorithm.Algorithm)
	}
	return x509.ParsePKCS1PublicKey(info.PublicKey.RightAlign())
}

// x5chain returns the certificate chain from the protected header or,
// as older C2PA versions allowed, the unprotected one; never both.
func x5chain(prot, unprot map[any]cbor.RawMessage) ([][]byte, error) {
	find := func(h map[any]cbor.RawMessage) (cbor.RawMessage, bool) {
		if v, ok := h[int64(coseHeaderX5Chain)]; ok {
			return v, true
		}
		v, ok := h["x5chain"]
		return v, ok
	}
	raw, inProt := find(prot)
	rawU, inUnprot := find(unprot)
	switch {
	case inProt && inUnprot:
		return nil, fmt.Errorf("x5chain in both COSE headers: %w", ErrMalformed)
	case inUnprot:
		raw = rawU
	case !inProt:
		return nil, fmt.Errorf("COSE headers without x5chain: %w", ErrMalformed)
	}
	var one []byte
	if decMode.Unmarshal(raw, &one) == nil && len(one) > 0 {
		return [][]byte{one}, nil
	}
	var many [][]byte
	if err := decMode.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("x5chain is neither a certificate nor a list of them: %w", ErrMalformed)
	}
	if len(many) > MaxChainCerts {
		return nil, fmt.Errorf("x5chain of %d certificates over %d: %w", len(many), MaxChainCerts, ErrTooLarge)
	}
	return many, nil
}

func verifySignature(alg string, pub crypto.PublicKey, tbs, sig []byte) error {
	var h crypto.Hash
	switch alg {
	case "ES256", "PS256":
		h = crypto.SHA256
	case "ES384", "PS384":
		h = crypto.SHA384
	case "ES512", "PS512":
		h = crypto.SHA512
	}
	digest := func() []byte {
		switch h {
		case crypto.SHA256:
			d := sha256.Sum256(tbs)
			return d[:]
		case crypto.SHA384:
			d := sha512.Sum384(tbs)
			return d[:]
		}
		d := sha512.Sum512(tbs)
		return d[:]
	}
	switch alg {
	case "ES256", "ES384", "ES512":
		k, ok := pub.(*ecdsa.PublicKey)
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if !ok || k.Curve != want {
			return fmt.Errorf("%s with a %T key: %w", alg, pub, errSignature)
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return fmt.Errorf("%s signature of %d bytes, want %d: %w", alg, len(sig), 2*n, errSignature)
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		if !ecdsa.Verify(k, digest(), r, s) {
			return fmt.Errorf("%s: %w", alg, errSignature)
		}
		return nil
	case "PS256", "PS384", "PS512":
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k.N.BitLen() < 2048 {
			return fmt.Errorf("%s with a %T key (RSA of at least 2048 bits required): %w", alg, pub, errSignature)
		}
		if err := rsa.VerifyPSS(k, h, digest(), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}); err != nil {
			return fmt.Errorf("%s: %w", alg, errSignature)
		}
		return nil
	case "EdDSA":
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("EdDSA with a %T key: %w", pub, errSignature)
		}
		if !ed25519.Verify(k, tbs, sig) {
			return fmt.Errorf("EdDSA: %w", errSignature)
		}
		return nil
	}
	return fmt.Errorf("algorithm %s: %w", alg, ErrMalformed)
}
