package c2pa

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"
)

// MaxChainCerts caps the certificates read from an x5chain.
const MaxChainCerts = 16

// COSE algorithm identifiers (RFC 9053, RFC 8230) accepted for the claim
// signature, by their names in Result.Algorithm.
var coseAlgs = map[cose.Algorithm]string{
	cose.AlgorithmES256: "ES256", cose.AlgorithmES384: "ES384", cose.AlgorithmES512: "ES512",
	cose.AlgorithmPS256: "PS256", cose.AlgorithmPS384: "PS384", cose.AlgorithmPS512: "PS512",
	cose.AlgorithmEdDSA: "EdDSA",
}

// esCurves are the curves C2PA pairs with each ECDSA algorithm (C2PA 2.1
// §13.2.1, "ES256 (ECDSA using P-256 and SHA-256)"). go-cose verifies any
// curve under any ES algorithm, so the pairing is checked here.
var esCurves = map[cose.Algorithm]elliptic.Curve{
	cose.AlgorithmES256: elliptic.P256(), cose.AlgorithmES384: elliptic.P384(), cose.AlgorithmES512: elliptic.P521(),
}

// coseSign1Tag is the CBOR tag of COSE_Sign1 (RFC 9052 §4.2).
const coseSign1Tag = 18

// errSignature marks a signature that parsed but does not verify.
var errSignature = errors.New("signature does not verify")

// verifyCOSE checks a COSE_Sign1 (tagged 18 or untagged) over the detached
// payload claim with github.com/veraison/go-cose (RFC 9052 §4.4). It
// returns the algorithm name and the leaf certificate of the x5chain
// (RFC 9360), which signs. A structural problem wraps ErrMalformed; a
// signature that does not verify wraps errSignature.
func verifyCOSE(sig, claim []byte) (alg string, leaf *x509.Certificate, err error) {
	// The structure is read first with this package's capped decoder, to
	// find where it ends: early writers padded the signature box with zeros
	// after it, and those bytes are outside every signature and hash.
	var tag cbor.RawTag
	var body cbor.RawMessage
	rest, terr := decMode.UnmarshalFirst(sig, &tag)
	if terr == nil {
		if tag.Number != coseSign1Tag {
			return "", nil, fmt.Errorf("COSE tag %d, want 18: %w", tag.Number, ErrMalformed)
		}
		body = tag.Content
	} else if rest, err = decMode.UnmarshalFirst(sig, &body); err != nil {
		return "", nil, fmt.Errorf("COSE_Sign1: %v: %w", err, ErrMalformed)
	}
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return "", nil, fmt.Errorf("COSE_Sign1: %d bytes after the structure: %w", len(rest), ErrMalformed)
	}
	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(body); err != nil {
		return "", nil, fmt.Errorf("COSE_Sign1: %v: %w", err, ErrMalformed)
	}
	algID, err := msg.Headers.Protected.Algorithm()
	if err != nil {
		return "", nil, fmt.Errorf("COSE protected header alg: %v: %w", err, ErrMalformed)
	}
	alg, ok := coseAlgs[algID]
	if !ok {
		return "", nil, fmt.Errorf("COSE alg %d not supported: %w", algID, ErrMalformed)
	}
	chain, err := x5chain(msg.Headers.Protected, msg.Headers.Unprotected)
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
	if msg.Payload != nil && !bytes.Equal(msg.Payload, claim) {
		// C2PA detaches the payload; an attached one must be the claim.
		return alg, leaf, fmt.Errorf("COSE payload is not the claim: %w", errSignature)
	}
	msg.Payload = claim
	if want, ok := esCurves[algID]; ok {
		if k, isEC := pub.(*ecdsa.PublicKey); !isEC || k.Curve != want {
			return alg, leaf, fmt.Errorf("%s with a %T key on another curve: %w", alg, pub, errSignature)
		}
	}
	verifier, err := cose.NewVerifier(algID, pub)
	if err != nil {
		return alg, leaf, fmt.Errorf("%s with a %T key: %v: %w", alg, pub, err, errSignature)
	}
	if err := msg.Verify(nil, verifier); err != nil {
		if errors.Is(err, cose.ErrVerification) {
			return alg, leaf, fmt.Errorf("%s: %w", alg, errSignature)
		}
		return alg, leaf, fmt.Errorf("%s: %v: %w", alg, err, ErrMalformed)
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

// x5chain returns the certificate chain (RFC 9360 label 33, or the
// "x5chain" text label early C2PA writers used) from the protected header
// or, as older C2PA versions allowed, the unprotected one; never both.
func x5chain(prot, unprot map[any]any) ([][]byte, error) {
	find := func(h map[any]any) (any, bool) {
		if v, ok := h[cose.HeaderLabelX5Chain]; ok {
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
	switch v := raw.(type) {
	case []byte:
		if len(v) > 0 {
			return [][]byte{v}, nil
		}
	case []any:
		if len(v) > MaxChainCerts {
			return nil, fmt.Errorf("x5chain of %d certificates over %d: %w", len(v), MaxChainCerts, ErrTooLarge)
		}
		var many [][]byte
		for _, c := range v {
			b, ok := c.([]byte)
			if !ok {
				many = nil
				break
			}
			many = append(many, b)
		}
		if len(many) > 0 {
			return many, nil
		}
	}
	return nil, fmt.Errorf("x5chain is neither a certificate nor a list of them: %w", ErrMalformed)
}
