package c2pa_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/askfirst/askfirst/signals/c2pa"
	"github.com/fxamacker/cbor/v2"
)

// This file is a test-only C2PA writer: it builds manifest stores the way
// the C2PA specification describes them (JUMBF superboxes, a claim with
// hashed URIs, a COSE_Sign1 claim signature with an x5chain, a
// c2pa.hash.data hard binding) and embeds them into JPEG, PNG and MP4.
// There are no official sample files in this repository, so the tests make
// their own; the reader is checked against them and against every way of
// breaking them.

func box(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	b = append(b, typ...)
	return append(b, p...)
}

func superbox(typ c2pa.UUID, label string, children ...[]byte) []byte {
	d := append(append([]byte{}, typ[:]...), 0x03)
	d = append(append(d, label...), 0)
	return box("jumb", append([][]byte{box("jumd", d)}, children...)...)
}

func mustCBOR(v any) []byte {
	b, err := cbor.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func cborAssertion(label string, v any) []byte {
	return superbox(c2pa.TypeCBOR, label, box("cbor", mustCBOR(v)))
}

func jsonAssertion(label string, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return superbox(c2pa.TypeJSON, label, box("json", b))
}

// signer is a key with its self-signed certificate.
type signer struct {
	alg  int64
	key  crypto.Signer
	cert []byte
}

var (
	signersOnce sync.Once
	signers     map[string]*signer
)

func newSigner(alg int64, key crypto.Signer) *signer {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "askfirst test signer", Organization: []string{"askfirst"}},
		NotBefore:    time.Unix(1700000000, 0),
		NotAfter:     time.Unix(2000000000, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	return &signer{alg: alg, key: key, cert: der}
}

func testSigners() map[string]*signer {
	signersOnce.Do(func() {
		p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		_, edKey, _ := ed25519.GenerateKey(rand.Reader)
		signers = map[string]*signer{
			"ES256": newSigner(-7, p256),
			"ES384": newSigner(-35, p384),
			"PS256": newSigner(-37, rsaKey),
			"EdDSA": newSigner(-8, edKey),
		}
	})
	return signers
}

// sign returns the COSE signature bytes over tbs.
func (s *signer) sign(tbs []byte) []byte {
	switch k := s.key.(type) {
	case *ecdsa.PrivateKey:
		var digest []byte
		size := (k.Curve.Params().BitSize + 7) / 8
		if size == 32 {
			d := sha256.Sum256(tbs)
			digest = d[:]
		} else {
			d := sha512.Sum384(tbs)
			digest = d[:]
		}
		r, ss, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			panic(err)
		}
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		ss.FillBytes(out[size:])
		return out
	case *rsa.PrivateKey:
		d := sha256.Sum256(tbs)
		sig, err := rsa.SignPSS(rand.Reader, k, crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		if err != nil {
			panic(err)
		}
		return sig
	case ed25519.PrivateKey:
		return ed25519.Sign(k, tbs)
	}
	panic("unknown key")
}

// manifestSpec describes one manifest to build.
type manifestSpec struct {
	label              string
	assertions         [][2]any // label, CBOR value; a json.RawMessage value makes a JSON assertion
	unreferenced       map[string]bool
	claimV1            bool
	signer             string // "" for unsigned
	x5chainUnprotected bool
	binding            string // "data" (default), "bmff", "none"
	update             bool   // an update manifest (c2um)
	sigPad             int    // zero bytes after the COSE structure
}

// buildStore builds a store whose active manifest is the last spec. The
// data hash assertion gets exclusion [exStart, exStart+exLen) and hash h.
func buildStore(specs []manifestSpec, exStart, exLen int64, h []byte) []byte {
	var manifests [][]byte
	for _, sp := range specs {
		var boxes [][]byte
		type ref struct {
			label string
			box   []byte
		}
		var refs []ref
		add := func(label string, b []byte) {
			boxes = append(boxes, b)
			if !sp.unreferenced[label] {
				refs = append(refs, ref{label, b})
			}
		}
		switch sp.binding {
		case "", "data":
			add("c2pa.hash.data", cborAssertion("c2pa.hash.data", map[string]any{
				"exclusions": []map[string]any{{"start": exStart, "length": exLen}},
				"name":       "jumbf manifest",
				"alg":        "sha256",
				"hash":       h,
				"pad":        []byte{},
			}))
		case "bmff":
			add("c2pa.hash.bmff.v2", cborAssertion("c2pa.hash.bmff.v2", map[string]any{
				"exclusions": []map[string]any{{"xpath": "/uuid"}},
				"alg":        "sha256",
				"hash":       make([]byte, 32),
				"name":       "jumbf manifest",
			}))
		}
		for _, a := range sp.assertions {
			label := a[0].(string)
			if raw, ok := a[1].(json.RawMessage); ok {
				var v any
				json.Unmarshal(raw, &v)
				add(label, jsonAssertion(label, v))
				continue
			}
			add(label, cborAssertion(label, a[1]))
		}
		var hashed []map[string]any
		for _, r := range refs {
			payload := r.box[8:]
			sum := sha256.Sum256(payload)
			hashed = append(hashed, map[string]any{"url": "self#jumbf=c2pa.assertions/" + r.label, "hash": sum[:]})
		}
		claim := map[string]any{
			"instanceID":           "xmp:iid:7c1f2a6e-0000-4000-8000-000000000001",
			"claim_generator_info": []map[string]any{{"name": "askfirst test builder"}},
			"signature":            "self#jumbf=/c2pa/" + sp.label + "/c2pa.signature",
			"alg":                  "sha256",
		}
		claimLabel := "c2pa.claim.v2"
		if sp.claimV1 {
			claimLabel = "c2pa.claim"
			claim["assertions"] = hashed
			claim["signature"] = "self#jumbf=c2pa.signature"
			claim["claim_generator"] = "askfirst test builder"
		} else {
			claim["created_assertions"] = hashed
			claim["gathered_assertions"] = []any{}
		}
		claimBytes := mustCBOR(claim)
		children := [][]byte{
			superbox(c2pa.TypeAssertionStore, "c2pa.assertions", boxes...),
			superbox(c2pa.TypeClaim, claimLabel, box("cbor", claimBytes)),
		}
		if s := testSigners()[sp.signer]; s != nil {
			prot := map[int64]any{1: s.alg}
			unprot := map[any]any{}
			if sp.x5chainUnprotected {
				unprot["x5chain"] = s.cert
			} else {
				prot[33] = [][]byte{s.cert}
			}
			protBytes := mustCBOR(prot)
			tbs := mustCBOR([]any{"Signature1", protBytes, []byte{}, claimBytes})
			cose := mustCBOR(cbor.Tag{Number: 18, Content: []any{protBytes, unprot, nil, s.sign(tbs)}})
			cose = append(cose, make([]byte, sp.sigPad)...)
			children = append(children, superbox(c2pa.TypeSignature, "c2pa.signature", box("cbor", cose)))
		}
		typ := c2pa.TypeManifest
		if sp.update {
			typ = c2pa.TypeUpdateManifest
		}
		manifests = append(manifests, superbox(typ, sp.label, children...))
	}
	return superbox(c2pa.TypeManifestStore, "c2pa", manifests...)
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 90, 255})
		}
	}
	return img
}

func plainJPEG() []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, testImage(), nil)
	return b.Bytes()
}

func plainPNG() []byte {
	var b bytes.Buffer
	png.Encode(&b, testImage())
	return b.Bytes()
}

// app11 splits a JUMBF box into APP11 segments of at most maxPart payload
// bytes, repeating the box header in each (JPEG XT).
func app11(store []byte, instance uint16, maxPart int) []byte {
	hdr, body := store[:8], store[8:]
	var out []byte
	for seq := uint32(1); ; seq++ {
		n := min(maxPart, len(body))
		seg := []byte{0xFF, 0xEB}
		seg = binary.BigEndian.AppendUint16(seg, uint16(2+2+2+4+8+n))
		seg = append(seg, 'J', 'P')
		seg = binary.BigEndian.AppendUint16(seg, instance)
		seg = binary.BigEndian.AppendUint32(seg, seq)
		seg = append(seg, hdr...)
		seg = append(seg, body[:n]...)
		out = append(out, seg...)
		body = body[n:]
		if len(body) == 0 {
			return out
		}
	}
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// embedder places a store in a host file and returns the file and the
// byte range the store occupies.
type embedder func(store []byte) (file []byte, start, length int64)

func embedJPEG(maxPart int) embedder {
	host := plainJPEG()
	return func(store []byte) ([]byte, int64, int64) {
		segs := app11(store, 1, maxPart)
		f := append(append(append([]byte{}, host[:2]...), segs...), host[2:]...)
		return f, 2, int64(len(segs))
	}
}

func embedPNG() embedder {
	host := plainPNG()
	return func(store []byte) ([]byte, int64, int64) {
		c := pngChunk("caBX", store)
		f := append(append(append([]byte{}, host[:33]...), c...), host[33:]...)
		return f, 33, int64(len(c))
	}
}

func embedMP4() embedder {
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	mdat := box("mdat", bytes.Repeat([]byte{0xAB}, 64))
	return func(store []byte) ([]byte, int64, int64) {
		body := append(append([]byte{}, c2pa.BMFFUUID[:]...), 0, 0, 0, 0)
		body = append(body, "manifest\x00"...)
		body = append(body, make([]byte, 8)...)
		body = append(body, store...)
		u := box("uuid", body)
		f := append(append(append([]byte{}, ftyp...), u...), mdat...)
		return f, int64(len(ftyp)), int64(len(u))
	}
}

// build makes a complete asset: it finds the store size (the exclusion
// length is inside the store), hashes the asset outside the exclusion and
// signs.
func build(t testing.TB, embed embedder, specs ...manifestSpec) []byte {
	t.Helper()
	zero := make([]byte, 32)
	var start, length int64
	for range 8 {
		_, s, l := embed(buildStore(specs, start, length, zero))
		if s == start && l == length {
			break
		}
		start, length = s, l
	}
	f, _, _ := embed(buildStore(specs, start, length, zero))
	h := sha256.New()
	h.Write(f[:start])
	h.Write(f[start+length:])
	f2, s2, l2 := embed(buildStore(specs, start, length, h.Sum(nil)))
	if s2 != start || l2 != length {
		t.Fatalf("build: store moved from %d+%d to %d+%d", start, length, s2, l2)
	}
	return f2
}

// embedWebP places the store in a "C2PA" chunk of a minimal lossless WebP.
func embedWebP() embedder {
	riff := func(id string, data []byte) []byte {
		c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
		c = append(c, data...)
		if len(data)%2 == 1 {
			c = append(c, 0)
		}
		return c
	}
	vp8l := riff("VP8L", []byte{0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0})
	return func(store []byte) ([]byte, int64, int64) {
		chunk := riff("C2PA", store)
		body := append(append([]byte("WEBP"), vp8l...), chunk...)
		f := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		f = append(f, body...)
		return f, int64(12 + len(vp8l)), int64(len(chunk))
	}
}
