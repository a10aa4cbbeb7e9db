package c2pa_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/c2pa"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const licence = "https://pub.example/licence.xml"

// cawg is the example of signals.md §10.
var cawg = map[string]any{"entries": map[string]any{
	"cawg.ai_generative_training": map[string]any{"use": "notAllowed"},
	"cawg.ai_inference":           map[string]any{"use": "constrained", "constraint_info": licence},
	"cawg.ai_training":            map[string]any{"use": "allowed"},
	"cawg.data_mining":            map[string]any{"use": "allowed"},
}}

var cawgEntries = []c2pa.Entry{
	{Key: "cawg.ai_generative_training", Kind: c2pa.KindAIGenerativeTraining, Use: c2pa.UseNotAllowed, RawUse: "notAllowed"},
	{Key: "cawg.ai_inference", Kind: c2pa.KindAIInference, Use: c2pa.UseConstrained, RawUse: "constrained", ConstraintInfo: licence},
	{Key: "cawg.ai_training", Kind: c2pa.KindAITraining, Use: c2pa.UseAllowed, RawUse: "allowed"},
	{Key: "cawg.data_mining", Kind: c2pa.KindDataMining, Use: c2pa.UseAllowed, RawUse: "allowed"},
}

func signed(label string, alg string) manifestSpec {
	return manifestSpec{
		label:      label,
		signer:     alg,
		assertions: [][2]any{{"cawg.training-mining", cawg}},
	}
}

func TestReadValid(t *testing.T) {
	embedders := map[string]embedder{
		"jpeg":               embedJPEG(60000),
		"jpeg many segments": embedJPEG(100),
		"png":                embedPNG(),
	}
	for name, embed := range embedders {
		for _, alg := range []string{"ES256", "ES384", "PS256", "EdDSA"} {
			t.Run(name+" "+alg, func(t *testing.T) {
				f := build(t, embed, signed("urn:c2pa:11111111-2222-4333-8444-555555555555", alg))
				r, err := c2pa.Read(f)
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if r.Status != c2pa.StatusSignatureValid || r.Binding != c2pa.BindingVerified || !r.GrantsUsable() {
					t.Errorf("Read: status %s binding %s, want signature_valid verified; problems %q", r.Status, r.Binding, r.Problems)
				}
				if r.Algorithm != alg || !strings.Contains(r.Signer, "askfirst test signer") {
					t.Errorf("Read: algorithm %q signer %q, want %s and the test certificate", r.Algorithm, r.Signer, alg)
				}
				want := []c2pa.Assertion{{Label: "cawg.training-mining", Entries: cawgEntries, Covered: true}}
				if diff := cmp.Diff(want, r.TrainingMining, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Read: training-mining mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestReadVariants(t *testing.T) {
	const label = "urn:c2pa:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	c2paV1 := map[string]any{"entries": map[string]any{
		"c2pa.ai_generative_training": map[string]any{"use": "notAllowed"},
		"c2pa.data_mining":            map[string]any{"use": "constrained", "constraints_info": "ask"},
	}}
	legacy := map[string]any{
		"c2pa.ai_training":  map[string]any{"use": "NotAllowed"},
		"c2pa.ai_inference": map[string]any{"use": "Allowed"},
		"metadata":          map[string]any{"dateTime": "2024-01-01T00:00:00Z"},
	}
	type want struct {
		status  c2pa.Status
		binding c2pa.Binding
		covered bool
		uses    string // key=use,... over all training-mining entries
		grants  bool
	}
	tests := []struct {
		name  string
		embed embedder
		specs []manifestSpec
		want  want
	}{
		{"claim v1, c2pa labels, x5chain unprotected", embedJPEG(1000), []manifestSpec{{
			label: label, signer: "ES256", claimV1: true, x5chainUnprotected: true,
			assertions: [][2]any{{"c2pa.training-mining", c2paV1}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true,
			"c2pa.ai_generative_training=notAllowed,c2pa.data_mining=constrained", true}},
		{"legacy shape, lenient reservation, strict grant", embedPNG(), []manifestSpec{{
			label: label, signer: "ES256", assertions: [][2]any{{"c2pa.training-mining", legacy}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true,
			"c2pa.ai_inference=,c2pa.ai_training=notAllowed", true}},
		{"json content", embedPNG(), []manifestSpec{{
			label: label, signer: "ES256",
			assertions: [][2]any{{"cawg.training-mining", json.RawMessage(`{"entries":{"cawg.ai_training":{"use":"notAllowed"}}}`)}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true, "cawg.ai_training=notAllowed", true}},
		{"instance suffix", embedPNG(), []manifestSpec{{
			label: label, signer: "ES256",
			assertions: [][2]any{{"cawg.training-mining__1", map[string]any{"entries": map[string]any{"cawg.ai_inference": map[string]any{"use": "notAllowed"}}}}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true, "cawg.ai_inference=notAllowed", true}},
		{"unsigned", embedJPEG(60000), []manifestSpec{{
			label: label, assertions: [][2]any{{"cawg.training-mining", cawg}},
		}}, want{c2pa.StatusUnsigned, c2pa.BindingVerified, true,
			"cawg.ai_generative_training=notAllowed,cawg.ai_inference=constrained,cawg.ai_training=allowed,cawg.data_mining=allowed", false}},
		{"assertion not in claim", embedJPEG(60000), []manifestSpec{{
			label: label, signer: "ES256", assertions: [][2]any{{"cawg.training-mining", cawg}},
			unreferenced: map[string]bool{"cawg.training-mining": true},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, false,
			"cawg.ai_generative_training=notAllowed,cawg.ai_inference=constrained,cawg.ai_training=allowed,cawg.data_mining=allowed", true}},
		{"no hard binding", embedPNG(), []manifestSpec{{
			label: label, signer: "ES256", binding: "none", assertions: [][2]any{{"cawg.training-mining", cawg}},
		}}, want{c2pa.StatusInvalid, c2pa.BindingMissing, true,
			"cawg.ai_generative_training=notAllowed,cawg.ai_inference=constrained,cawg.ai_training=allowed,cawg.data_mining=allowed", false}},
		{"mp4 with bmff binding", embedMP4(), []manifestSpec{{
			label: label, signer: "ES256", binding: "bmff", assertions: [][2]any{{"cawg.training-mining", cawg}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingUnchecked, true,
			"cawg.ai_generative_training=notAllowed,cawg.ai_inference=constrained,cawg.ai_training=allowed,cawg.data_mining=allowed", false}},
		{"active manifest is the last", embedJPEG(500), []manifestSpec{
			{label: "urn:c2pa:00000000-0000-4000-8000-000000000000", signer: "ES256",
				assertions: [][2]any{{"cawg.training-mining", map[string]any{"entries": map[string]any{"cawg.ai_training": map[string]any{"use": "allowed"}}}}}},
			{label: label, signer: "EdDSA",
				assertions: [][2]any{{"cawg.training-mining", map[string]any{"entries": map[string]any{"cawg.ai_training": map[string]any{"use": "notAllowed"}}}}}},
		}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true, "cawg.ai_training=notAllowed", true}},
		{"update manifest without binding", embedPNG(), []manifestSpec{
			{label: "urn:c2pa:00000000-0000-4000-8000-000000000000", signer: "ES256"},
			{label: label, signer: "ES256", update: true, binding: "none", assertions: [][2]any{{"cawg.training-mining", map[string]any{"entries": map[string]any{"cawg.ai_training": map[string]any{"use": "allowed"}}}}}},
		}, want{c2pa.StatusSignatureValid, c2pa.BindingUnchecked, true, "cawg.ai_training=allowed", false}},
		{"zero padding after the signature", embedJPEG(60000), []manifestSpec{{
			label: label, signer: "PS256", sigPad: 100, assertions: [][2]any{{"cawg.training-mining", cawg}},
		}}, want{c2pa.StatusSignatureValid, c2pa.BindingVerified, true,
			"cawg.ai_generative_training=notAllowed,cawg.ai_inference=constrained,cawg.ai_training=allowed,cawg.data_mining=allowed", true}},
		{"no training-mining", embedPNG(), []manifestSpec{{label: label, signer: "ES256",
			assertions: [][2]any{{"c2pa.actions.v2", map[string]any{"actions": []any{map[string]any{"action": "c2pa.created"}}}}}}},
			want{c2pa.StatusSignatureValid, c2pa.BindingVerified, false, "", true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c2pa.Read(build(t, tt.embed, tt.specs...))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			got := want{status: r.Status, binding: r.Binding, grants: r.GrantsUsable()}
			var uses []string
			for _, a := range r.TrainingMining {
				got.covered = a.Covered
				for _, e := range a.Entries {
					uses = append(uses, e.Key+"="+string(e.Use))
				}
			}
			got.uses = strings.Join(uses, ",")
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("Read mismatch (-want +got):\n%s\nproblems: %q\nresult: %+v", diff, r.Problems, r)
			}
			if r.ActiveManifest != tt.specs[len(tt.specs)-1].label || r.Manifests != len(tt.specs) {
				t.Errorf("Read: active %q of %d, want %q of %d", r.ActiveManifest, r.Manifests, tt.specs[len(tt.specs)-1].label, len(tt.specs))
			}
		})
	}
}

// flip returns a copy of f with the first occurrence of old replaced.
func flip(t *testing.T, f []byte, old, new string) []byte {
	t.Helper()
	i := bytes.Index(f, []byte(old))
	if i < 0 || len(old) != len(new) {
		t.Fatalf("flip: %q not found", old)
	}
	g := append([]byte{}, f...)
	copy(g[i:], new)
	return g
}

func TestReadTampered(t *testing.T) {
	const label = "urn:c2pa:11111111-2222-4333-8444-555555555555"
	jpg := build(t, embedJPEG(60000), signed(label, "ES256"))
	pngf := build(t, embedPNG(), signed(label, "ES256"))

	tests := []struct {
		name    string
		file    []byte
		problem string
		binding c2pa.Binding
		entries int
	}{
		// A changed assertion: its hash no longer matches the claim.
		{"assertion byte", flip(t, jpg, licence, "https://pub.example/licence.xmL"), "assertion.hashedURI.mismatch", c2pa.BindingVerified, 4},
		// An entry turned from notAllowed to allowed (same length).
		{"reservation turned grant", flip(t, pngf, "notAllowed", "allowedXYZ"), "assertion.hashedURI.mismatch", c2pa.BindingVerified, 4},
		// The claim: the signature no longer verifies.
		{"claim byte", flip(t, jpg, "askfirst test builder", "askfirst test buildeR"), "claimSignature.mismatch", c2pa.BindingVerified, 4},
		// The signature value itself.
		{"signature byte", func() []byte {
			store, loc, err := c2pa.Locate(pngf)
			if err != nil {
				t.Fatal(err)
			}
			// The signature box is the last box of the last manifest, and
			// the COSE signature value the last bytes of it.
			g := append([]byte{}, pngf...)
			g[loc.Ranges[0].Start+8+int64(len(store))-1] ^= 0x01
			return g
		}(), "claimSignature.mismatch", c2pa.BindingVerified, 4},
		// The image outside the manifest: the hard binding fails.
		{"pixel byte", func() []byte { g := append([]byte{}, jpg...); g[len(g)-10] ^= 0x40; return g }(), "assertion.dataHash.mismatch", c2pa.BindingMismatch, 4},
		{"png pixel byte", func() []byte { g := append([]byte{}, pngf...); g[len(g)-20] ^= 0x40; return g }(), "assertion.dataHash.mismatch", c2pa.BindingMismatch, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c2pa.Read(tt.file)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if r.Status != c2pa.StatusInvalid || r.GrantsUsable() {
				t.Errorf("Read: status %s, grants usable %v; want invalid", r.Status, r.GrantsUsable())
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), tt.problem) {
				t.Errorf("Read: problems %q, want %s", r.Problems, tt.problem)
			}
			if r.Binding != tt.binding {
				t.Errorf("Read: binding %s, want %s", r.Binding, tt.binding)
			}
			n := 0
			for _, a := range r.TrainingMining {
				n += len(a.Entries)
			}
			if n != tt.entries {
				t.Errorf("Read: %d entries, want %d (reservations must still be read)", n, tt.entries)
			}
		})
	}
}

func TestReadDamaged(t *testing.T) {
	const label = "urn:c2pa:11111111-2222-4333-8444-555555555555"
	jpg := build(t, embedJPEG(300), signed(label, "ES256"))
	pngf := build(t, embedPNG(), signed(label, "ES256"))
	mp4 := build(t, embedMP4(), manifestSpec{label: label, signer: "ES256", binding: "bmff"})
	webp := build(t, embedWebP(), signed(label, "ES256"))
	webpNone := append([]byte{}, webp...)
	copy(webpNone[bytes.Index(webpNone, []byte("C2PA")):], "XMP ")

	// The second APP11 segment removed: the box instance is incomplete.
	first := bytes.Index(jpg, []byte{0xFF, 0xEB})
	l1 := int(binary.BigEndian.Uint16(jpg[first+2:])) + 2
	l2 := int(binary.BigEndian.Uint16(jpg[first+l1+2:])) + 2
	missingSeg := append(append([]byte{}, jpg[:first+l1]...), jpg[first+l1+l2:]...)

	// A JUMBF length claiming more than MaxStoreSize.
	huge := append([]byte{}, jpg...)
	for i := first; i < len(huge)-4 && huge[i] == 0xFF && huge[i+1] == 0xEB; {
		binary.BigEndian.PutUint32(huge[i+4+8:], c2pa.MaxStoreSize+1)
		i += int(binary.BigEndian.Uint16(huge[i+2:])) + 2
	}

	// A caBX chunk whose JUMBF superbox length is wrong.
	badBox := append([]byte{}, pngf...)
	binary.BigEndian.PutUint32(badBox[33+8:], 7)

	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"no manifest jpeg", plainJPEG(), c2pa.ErrNoManifest},
		{"no manifest png", plainPNG(), c2pa.ErrNoManifest},
		{"not an image", []byte("GIF89a......"), c2pa.ErrUnsupported},
		{"empty", nil, c2pa.ErrUnsupported},
		{"jpeg truncated", jpg[:first+100], c2pa.ErrMalformed},
		{"jpeg segment missing", missingSeg, c2pa.ErrMalformed},
		{"jpeg oversized", huge, c2pa.ErrTooLarge},
		{"png truncated", pngf[:len(pngf)/2], c2pa.ErrMalformed},
		{"png bad jumbf length", badBox, c2pa.ErrMalformed},
		{"mp4 truncated", mp4[:100], c2pa.ErrMalformed},
		{"webp truncated", webp[:len(webp)-40], c2pa.ErrMalformed},
		{"webp without manifest", webpNone, c2pa.ErrNoManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c2pa.Read(tt.file)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read error = %v, want %v", err, tt.want)
			}
			if r != nil && (r.Status != c2pa.StatusInvalid || r.GrantsUsable()) {
				t.Errorf("Read of a damaged file: status %s, want invalid", r.Status)
			}
		})
	}
}

func TestParseJUMBFLimits(t *testing.T) {
	b := box("cbor", []byte{0xA0})
	for i := 0; i <= c2pa.MaxBoxDepth+1; i++ {
		b = superbox(c2pa.TypeCBOR, "x", b)
	}
	if _, err := c2pa.ParseJUMBF(b); !errors.Is(err, c2pa.ErrTooLarge) {
		t.Errorf("ParseJUMBF(nested %d) error = %v, want ErrTooLarge", c2pa.MaxBoxDepth+2, err)
	}
	tests := map[string][]byte{
		"no description":       box("jumb", box("cbor", []byte{0xA0})),
		"label not terminated": box("jumb", box("jumd", append(c2pa.TypeCBOR[:], 0x03, 'a'))),
		"trailing bytes":       append(superbox(c2pa.TypeCBOR, "x"), 0),
		"short header":         {0, 0, 0},
		"length zero to end":   nil,
	}
	for name, b := range tests {
		if b == nil {
			continue
		}
		if _, err := c2pa.ParseJUMBF(b); !errors.Is(err, c2pa.ErrMalformed) {
			t.Errorf("ParseJUMBF(%s) error = %v, want ErrMalformed", name, err)
		}
	}
	// LBox 0 means "to the end": accepted.
	sb := superbox(c2pa.TypeCBOR, "x", box("cbor", []byte{0xA0}))
	binary.BigEndian.PutUint32(sb, 0)
	if got, err := c2pa.ParseJUMBF(sb); err != nil || got.Label() != "x" {
		t.Errorf("ParseJUMBF(LBox 0) = %v, %v; want the superbox", got, err)
	}
}

func TestDecodeTrainingMining(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		isJSON  bool
		want    []c2pa.Entry
		wantErr bool
	}{
		{"spec example", []byte(`{"entries":{"cawg.ai_generative_training":{"use":"notAllowed"},"cawg.ai_inference":{"use":"constrained","constraint_info":"https://pub.example/licence.xml"}}}`), true,
			[]c2pa.Entry{
				{Key: "cawg.ai_generative_training", Kind: c2pa.KindAIGenerativeTraining, Use: c2pa.UseNotAllowed, RawUse: "notAllowed"},
				{Key: "cawg.ai_inference", Kind: c2pa.KindAIInference, Use: c2pa.UseConstrained, RawUse: "constrained", ConstraintInfo: licence},
			}, false},
		{"custom key", mustCBOR(map[string]any{"entries": map[string]any{"com.example.ocr": map[string]any{"use": "notAllowed"}}}), false,
			[]c2pa.Entry{{Key: "com.example.ocr", Use: c2pa.UseNotAllowed, RawUse: "notAllowed"}}, false},
		{"use missing", mustCBOR(map[string]any{"entries": map[string]any{"cawg.ai_training": map[string]any{}}}), false,
			[]c2pa.Entry{{Key: "cawg.ai_training", Kind: c2pa.KindAITraining, Warnings: []string{`entry without a text "use"`}}}, false},
		{"not cbor", []byte{0xFF, 0x00}, false, nil, true},
		{"duplicate key", []byte{0xA1, 0x67, 'e', 'n', 't', 'r', 'i', 'e', 's', 0xA2, 0x61, 'a', 0x01, 0x61, 'a', 0x02}, false, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := c2pa.DecodeTrainingMining(tt.content, tt.isJSON)
			if (err != nil) != tt.wantErr {
				t.Fatalf("DecodeTrainingMining error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("DecodeTrainingMining mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
