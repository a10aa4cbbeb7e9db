package c2pa

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strings"
)

// MaxManifests caps the manifests read from one store.
const MaxManifests = 1024

// Status is the validation state of the active manifest.
type Status string

// Validation states. None of them says the signer is trusted: certificate
// chains are not checked against a trust list.
const (
	// StatusSignatureValid: the claim signature verifies with the leaf
	// certificate of its x5chain, every hashed URI of the claim matches its
	// assertion, and no hard binding failed.
	StatusSignatureValid Status = "signature_valid"
	// StatusUnsigned: the manifest has no claim signature.
	StatusUnsigned Status = "unsigned"
	// StatusInvalid: a signature, hash or structure check failed; see
	// Result.Problems.
	StatusInvalid Status = "invalid"
)

// Binding is the state of the hard binding between manifest and asset.
type Binding string

// Hard binding states.
const (
	// BindingVerified: a c2pa.hash.data assertion matches the asset bytes.
	BindingVerified Binding = "verified"
	// BindingMismatch: the hard binding does not match; the manifest was
	// made for other bytes (Status is then StatusInvalid).
	BindingMismatch Binding = "mismatch"
	// BindingUnchecked: the binding is of a kind this package does not
	// verify (c2pa.hash.bmff*, c2pa.hash.boxes, collections).
	BindingUnchecked Binding = "unchecked"
	// BindingMissing: the claim references no hard binding (Status is then
	// StatusInvalid).
	BindingMissing Binding = "missing"
)

// Result is what Read found in one file.
type Result struct {
	// Location is where the manifest store was found.
	Location Location `json:"location"`
	// Manifests is the number of manifests in the store.
	Manifests int `json:"manifests"`
	// ActiveManifest is the label of the active (last) manifest.
	ActiveManifest string `json:"active_manifest,omitempty"`
	// ClaimVersion is 1 for "c2pa.claim", 2 for "c2pa.claim.v2", 0 when
	// there is no claim.
	ClaimVersion int `json:"claim_version,omitempty"`
	// Status is the validation state.
	Status Status `json:"status"`
	// Binding is the hard binding state.
	Binding Binding `json:"binding"`
	// Problems lists every failed check, each starting with the C2PA
	// validation status code it corresponds to.
	Problems []string `json:"problems,omitempty"`
	// Algorithm is the COSE algorithm of the claim signature.
	Algorithm string `json:"algorithm,omitempty"`
	// Signer is the subject of the signing certificate (not verified
	// against any trust list).
	Signer string `json:"signer,omitempty"`
	// Issuer is the issuer of the signing certificate.
	Issuer string `json:"issuer,omitempty"`
	// TrainingMining lists the training-mining assertions of the active
	// manifest, in store order.
	TrainingMining []Assertion `json:"training_mining,omitempty"`
	// Warnings about the store that are not validation failures.
	Warnings []string `json:"warnings,omitempty"`
}

// GrantsUsable reports whether an "allowed" entry of this manifest may
// count as a grant under signals.md §10 and §14.1 principle 5: the
// signature verifies, every hash matches and the hard binding was verified
// on these bytes. The assertion must also be Covered. Reservations
// (notAllowed, constrained) count whatever this says.
func (r *Result) GrantsUsable() bool {
	return r.Status == StatusSignatureValid && r.Binding == BindingVerified
}

func (r *Result) problem(code, format string, args ...any) {
	r.Problems = append(r.Problems, code+": "+fmt.Sprintf(format, args...))
}

// Read finds the C2PA manifest store in a JPEG, PNG or ISOBMFF file,
// decodes the training-mining assertions of its active manifest and
// validates the manifest (see the package documentation for what is and
// is not checked).
//
// It returns an error wrapping ErrNoManifest when the file has no store
// and ErrUnsupported for other formats; the Result is then nil. For a
// damaged store it returns a Result with StatusInvalid, holding whatever
// assertions could still be read, and an error wrapping ErrMalformed or
// ErrTooLarge.
func Read(data []byte) (*Result, error) {
	store, loc, err := Locate(data)
	if err != nil {
		return nil, err
	}
	r := &Result{Location: loc, Status: StatusInvalid, Binding: BindingMissing}
	root, err := ParseJUMBF(store)
	if err != nil {
		r.problem("manifest.malformed", "%v", err)
		return r, fmt.Errorf("read c2pa manifest store in %s: %w", loc, err)
	}
	if root.Desc.Type != TypeManifestStore {
		r.problem("manifest.malformed", "store superbox has type %s", root.Desc.Type)
		return r, fmt.Errorf("read c2pa manifest store in %s: store type %s: %w", loc, root.Desc.Type, ErrMalformed)
	}
	var manifests []*Box
	for _, c := range root.Children {
		if c.Desc != nil && (c.Desc.Type == TypeManifest || c.Desc.Type == TypeUpdateManifest || c.Desc.Type == c2paUUID("c2md")) {
			manifests = append(manifests, c)
		}
	}
	r.Manifests = len(manifests)
	if len(manifests) == 0 {
		r.problem("claim.missing", "manifest store holds no manifest")
		return r, fmt.Errorf("read c2pa manifest store in %s: no manifest: %w", loc, ErrMalformed)
	}
	if len(manifests) > MaxManifests {
		r.problem("manifest.malformed", "%d manifests", len(manifests))
		return r, fmt.Errorf("read c2pa manifest store in %s: %d manifests over %d: %w", loc, len(manifests), MaxManifests, ErrTooLarge)
	}
	m := manifests[len(manifests)-1]
	r.ActiveManifest = m.Label()
	v := &validator{r: r, asset: data, manifest: m}
	v.readAssertions()
	v.validate()
	return r, nil
}

type validator struct {
	r        *Result
	asset    []byte
	manifest *Box
	store    *Box
	covered  map[string]bool // assertion labels whose hash matched
}

func (v *validator) readAssertions() {
	v.store = v.manifest.Child("c2pa.assertions")
	if v.store == nil {
		v.r.problem("assertion.missing", "manifest %q has no assertion store", v.manifest.Label())
		return
	}
	for _, a := range v.store.Children {
		if a.Desc == nil || !IsTrainingMining(a.Desc.Label) {
			continue
		}
		content, isCBOR := a.Content("cbor")
		isJSON := false
		if !isCBOR {
			content, isJSON = a.Content("json")
		}
		as := Assertion{Label: a.Desc.Label}
		if !isCBOR && !isJSON {
			as.Warnings = append(as.Warnings, "assertion has no cbor or json content box")
		} else {
			entries, warns, err := DecodeTrainingMining(content, isJSON)
			as.Entries, as.Warnings = entries, warns
			if err != nil {
				as.Warnings = append(as.Warnings, err.Error())
			}
		}
		v.r.TrainingMining = append(v.r.TrainingMining, as)
	}
}

// claimData is the part of a claim (v1 and v2) that validation needs.
type claimData struct {
	Signature  string      `cbor:"signature"`
	Assertions []hashedURI `cbor:"assertions"`
	Created    []hashedURI `cbor:"created_assertions"`
	Gathered   []hashedURI `cbor:"gathered_assertions"`
	Alg        string      `cbor:"alg"`
}

type hashedURI struct {
	URL  string `cbor:"url"`
	Alg  string `cbor:"alg"`
	Hash []byte `cbor:"hash"`
}

func (v *validator) validate() {
	r := v.r
	claimBox := v.manifest.Child("c2pa.claim.v2")
	r.ClaimVersion = 2
	if claimBox == nil {
		claimBox = v.manifest.Child("c2pa.claim")
		r.ClaimVersion = 1
	}
	if claimBox == nil {
		r.ClaimVersion = 0
		r.problem("claim.missing", "manifest %q has no claim", v.manifest.Label())
		return
	}
	claimBytes, ok := claimBox.Content("cbor")
	if !ok {
		r.problem("claim.malformed", "claim has no cbor content box")
		return
	}
	var c claimData
	if err := decMode.Unmarshal(claimBytes, &c); err != nil {
		r.problem("claim.malformed", "%v", err)
		return
	}

	// Claim signature (C2PA "Validate the signature").
	signed := false
	sigBox := v.manifest.Child("c2pa.signature")
	var sig []byte
	if sigBox != nil {
		sig, _ = sigBox.Content("cbor")
	}
	switch {
	case len(sig) == 0:
		r.problem("claimSignature.missing", "manifest %q has no claim signature", v.manifest.Label())
	default:
		alg, leaf, err := verifyCOSE(sig, claimBytes)
		r.Algorithm = alg
		if leaf != nil {
			r.Signer, r.Issuer = leaf.Subject.String(), leaf.Issuer.String()
		}
		if err != nil {
			r.problem("claimSignature.mismatch", "%v", err)
		} else {
			signed = true
		}
		if c.Signature != "" && !v.refersTo(c.Signature, "c2pa.signature") {
			r.problem("claimSignature.missing", "claim names signature %q, not this manifest's", c.Signature)
		}
	}

	// Hashed URIs (C2PA "Validate the assertions").
	v.covered = map[string]bool{}
	refs := append(append(append([]hashedURI(nil), c.Assertions...), c.Created...), c.Gathered...)
	var hardBindings []string
	for _, h := range refs {
		label, box := v.resolveAssertion(h.URL)
		if box == nil {
			r.problem("assertion.missing", "claim references %q, not found in the active manifest", h.URL)
			continue
		}
		alg := h.Alg
		if alg == "" {
			alg = c.Alg
		}
		sum, err := digest(alg, box.Payload)
		if err != nil {
			r.problem("algorithm.unsupported", "%s: %v", h.URL, err)
			continue
		}
		if !bytes.Equal(sum, h.Hash) {
			r.problem("assertion.hashedURI.mismatch", "hash of assertion %q does not match the claim", label)
			continue
		}
		v.covered[label] = true
		if strings.HasPrefix(baseLabel(label), "c2pa.hash.") {
			hardBindings = append(hardBindings, label)
		}
	}
	for i := range r.TrainingMining {
		r.TrainingMining[i].Covered = v.covered[r.TrainingMining[i].Label]
		if !r.TrainingMining[i].Covered {
			r.TrainingMining[i].Warnings = append(r.TrainingMining[i].Warnings, "not referenced by the claim with a matching hash; not covered by the signature")
		}
	}

	v.checkBinding(hardBindings, c.Alg)

	switch {
	case len(r.Problems) > 0:
		r.Status = StatusInvalid
		if !signed && len(sig) == 0 && onlyMissingSignature(r.Problems) {
			r.Status = StatusUnsigned
		}
	case signed:
		r.Status = StatusSignatureValid
	default:
		r.Status = StatusUnsigned
	}
}

// onlyMissingSignature reports whether the one problem is the missing
// signature, so the manifest is unsigned rather than invalid.
func onlyMissingSignature(ps []string) bool {
	for _, p := range ps {
		if !strings.HasPrefix(p, "claimSignature.missing") && !strings.HasPrefix(p, "claim.hardBindings.missing") {
			return false
		}
	}
	return true
}

// refersTo reports whether a JUMBF URI names the box with label want
// directly inside the active manifest.
func (v *validator) refersTo(uri, want string) bool {
	path := v.manifestPath(uri)
	return len(path) == 1 && path[0] == want
}

// manifestPath turns "self#jumbf=c2pa.assertions/x" or
// "self#jumbf=/c2pa/<manifest>/c2pa.assertions/x" into the labels below the
// active manifest; nil when the URI points outside it.
func (v *validator) manifestPath(uri string) []string {
	s, ok := strings.CutPrefix(uri, "self#jumbf=")
	if !ok {
		return nil
	}
	// Absolute: "/c2pa/<manifest>/…"; early writers left out the first "/".
	if rest, ok := strings.CutPrefix(s, "/"); ok || strings.HasPrefix(s, "c2pa/") {
		if !ok {
			rest = s
		}
		parts := strings.Split(rest, "/")
		if len(parts) < 3 || parts[0] != "c2pa" || parts[1] != v.manifest.Label() {
			return nil
		}
		return parts[2:]
	}
	return strings.Split(s, "/")
}

// resolveAssertion finds the assertion superbox a hashed URI names.
func (v *validator) resolveAssertion(uri string) (string, *Box) {
	path := v.manifestPath(uri)
	if len(path) != 2 || path[0] != "c2pa.assertions" || v.store == nil {
		return "", nil
	}
	b := v.store.Child(path[1])
	return path[1], b
}

func digest(alg string, b []byte) ([]byte, error) {
	var h hash.Hash
	switch alg {
	case "", "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("hash algorithm %q", alg)
	}
	h.Write(b)
	return h.Sum(nil), nil
}

// dataHash is the c2pa.hash.data assertion.
type dataHash struct {
	Exclusions []struct {
		Start  int64 `cbor:"start"`
		Length int64 `cbor:"length"`
	} `cbor:"exclusions"`
	Alg  string `cbor:"alg"`
	Hash []byte `cbor:"hash"`
}

// checkBinding verifies the hard binding among the covered assertions.
func (v *validator) checkBinding(labels []string, claimAlg string) {
	r := v.r
	if len(labels) == 0 && v.manifest.Desc.Type == TypeUpdateManifest {
		// An update manifest has no hard binding of its own: it is bound
		// through the manifest it updates, which this reader does not follow.
		r.Binding = BindingUnchecked
		r.Warnings = append(r.Warnings, "update manifest: bound through its parent manifest, not verified by this reader")
		return
	}
	if len(labels) == 0 {
		r.Binding = BindingMissing
		r.problem("claim.hardBindings.missing", "the claim references no hard binding assertion")
		return
	}
	r.Binding = BindingUnchecked
	for _, l := range labels {
		if baseLabel(l) != "c2pa.hash.data" {
			continue
		}
		content, _ := v.store.Child(l).Content("cbor")
		var dh dataHash
		if err := decMode.Unmarshal(content, &dh); err != nil {
			r.Binding = BindingMismatch
			r.problem("assertion.dataHash.malformed", "%s: %v", l, err)
			return
		}
		alg := dh.Alg
		if alg == "" {
			alg = claimAlg
		}
		if err := v.checkDataHash(dh, alg); err != nil {
			r.Binding = BindingMismatch
			r.problem("assertion.dataHash.mismatch", "%s: %v", l, err)
			return
		}
		r.Binding = BindingVerified
	}
	if r.Binding == BindingUnchecked {
		r.Warnings = append(r.Warnings, fmt.Sprintf("hard binding %s not verified by this reader", strings.Join(labels, ", ")))
	}
}

var errBinding = errors.New("hard binding does not match")

// checkDataHash hashes the asset minus the exclusions. Every excluded byte
// must lie inside the manifest store's own ranges, so that an exclusion
// cannot hide changed content.
func (v *validator) checkDataHash(dh dataHash, alg string) error {
	ex := dh.Exclusions
	sort.SliceStable(ex, func(i, j int) bool { return ex[i].Start < ex[j].Start })
	var h hash.Hash
	switch alg {
	case "", "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return fmt.Errorf("hash algorithm %q: %w", alg, errBinding)
	}
	n := int64(len(v.asset))
	pos := int64(0)
	for _, e := range ex {
		if e.Start < pos || e.Length < 0 || e.Start > n || e.Length > n-e.Start {
			return fmt.Errorf("exclusion %d+%d overlaps or leaves the asset: %w", e.Start, e.Length, errBinding)
		}
		if !insideRanges(e.Start, e.Length, v.r.Location.Ranges) {
			return fmt.Errorf("exclusion %d+%d covers bytes outside the manifest store: %w", e.Start, e.Length, errBinding)
		}
		h.Write(v.asset[pos:e.Start])
		pos = e.Start + e.Length
	}
	h.Write(v.asset[pos:])
	if !bytes.Equal(h.Sum(nil), dh.Hash) {
		return errBinding
	}
	return nil
}

func insideRanges(start, length int64, rs []Range) bool {
	if length == 0 {
		return true
	}
	for _, r := range rs {
		if start >= r.Start && start+length <= r.Start+r.Length {
			return true
		}
	}
	return false
}
