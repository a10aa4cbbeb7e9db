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
