package c2pa

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzVerifyCOSE feeds the COSE_Sign1 parser and verifier directly, seeded
// with the claim signatures of the sample files.
func FuzzVerifyCOSE(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		store, _, err := Locate(b)
		if err != nil {
			continue
		}
		root, err := ParseJUMBF(store)
		if err != nil || len(root.Children) == 0 {
			continue
		}
		m := root.Children[len(root.Children)-1]
		claim := m.Child("c2pa.claim.v2")
		if claim == nil {
			claim = m.Child("c2pa.claim")
		}
		sig := m.Child("c2pa.signature")
		if claim == nil || sig == nil {
			continue
		}
		c, _ := claim.Content("cbor")
		s, _ := sig.Content("cbor")
		f.Add(s, c)
	}
	f.Fuzz(func(t *testing.T, sig, claim []byte) {
		alg, _, err := verifyCOSE(sig, claim)
		if err == nil && alg == "" {
			t.Fatal("verified without an algorithm")
		}
	})
}

// BenchmarkVerifyCOSE measures the claim signature check of the signed
// samples (ES256 and the others the builder uses).
func BenchmarkVerifyCOSE(b *testing.B) {
	for _, name := range []string{"signed.jpg", "signed.png"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		store, _, err := Locate(data)
		if err != nil {
			b.Fatal(err)
		}
		root, err := ParseJUMBF(store)
		if err != nil {
			b.Fatal(err)
		}
		m := root.Children[len(root.Children)-1]
		claim := m.Child("c2pa.claim.v2")
		if claim == nil {
			claim = m.Child("c2pa.claim")
		}
		c, _ := claim.Content("cbor")
		s, _ := m.Child("c2pa.signature").Content("cbor")
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := verifyCOSE(s, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
