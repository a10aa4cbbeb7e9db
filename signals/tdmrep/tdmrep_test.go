package tdmrep_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/tdmrep"
)

func readFile(t *testing.T, name string) *tdmrep.File {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := tdmrep.ParseFile(b)
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", name, err)
	}
	return f
}

// TestFirstMatch is the digest §3.5 example: the first rule wins, so
// /press/x stays reserved.
func TestFirstMatch(t *testing.T) {
	f := readFile(t, "tdmrep.json")
	for _, tc := range []struct {
		path  string
		want  tdmrep.Reservation
		index int
	}{
		{"/press/x", tdmrep.Reserved, 0},
		{"/", tdmrep.Reserved, 0},
		{"/news/1", tdmrep.Reserved, 0},
	} {
		r, ok := f.Lookup(tc.path)
		if !ok || r.Reservation != tc.want || r.Index != tc.index {
			t.Errorf("Lookup(%q) = %+v, %v; want rule %d with %v", tc.path, r, ok, tc.index, tc.want)
		}
	}
}

func TestLookupOrdered(t *testing.T) {
	f := readFile(t, "ordered.json")
	if len(f.Warnings) != 3 {
		t.Errorf("Warnings = %q, want 3 (string \"1\", value 2, missing location)", f.Warnings)
	}
	for _, tc := range []struct {
		path   string
		want   tdmrep.Reservation
		policy string
		index  int
		found  bool
	}{
		{"/press/a.pdf", tdmrep.NotReserved, "", 0, true},
		{"/docs/a.pdf", tdmrep.Reserved, "https://pub.example/policies/pdf.json", 1, true},
		{"/docs/a.pdf?x=1", tdmrep.Reserved, "https://pub.example/policies/1", 5, true},
		{"/images/cat.jpg", tdmrep.Reserved, "", 2, true},
		{"/odd/x", tdmrep.Unset, "", 3, true},
		{"/Press/x", tdmrep.Reserved, "https://pub.example/policies/1", 5, true}, // case-sensitive
	} {
		r, ok := f.Lookup(tc.path)
		if ok != tc.found || r.Reservation != tc.want || r.Policy != tc.policy || r.Index != tc.index {
			t.Errorf("Lookup(%q) = %+v, %v; want rule %d %v %q", tc.path, r, ok, tc.index, tc.want, tc.policy)
		}
	}
	empty, err := tdmrep.ParseFile([]byte(`[{"location":"/a/","tdm-reservation":1}]`))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := empty.Lookup("/b"); ok {
		t.Errorf("Lookup(/b) = %+v, want no match", r)
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, in := range []string{
		`<html>not found</html>`,
		`"/"`,
		``,
		strings.Repeat(" ", tdmrep.MaxFile+1),
	} {
		if _, err := tdmrep.ParseFile([]byte(in)); err == nil {
			t.Errorf("ParseFile(%.40q) succeeded, want error", in)
		}
	}
}

// TestParseFileOneRule: TDMRep requires the array brackets even for one
// rule, but a file holding one rule object is read as that rule, with a
// warning: a reservation must not be lost to a syntax slip.
func TestParseFileOneRule(t *testing.T) {
	f, err := tdmrep.ParseFile([]byte(`{"location":"/","tdm-reservation":1,"tdm-policy":"https://pub.example/p.json"}`))
	if err != nil {
		t.Fatalf("ParseFile(one rule object): %v", err)
	}
	r, ok := f.Lookup("/a")
	if !ok || r.Reservation != tdmrep.Reserved || r.Policy != "https://pub.example/p.json" {
		t.Errorf("Lookup(/a) = %+v, %v; want the reserving rule", r, ok)
	}
	if len(f.Warnings) != 1 {
		t.Errorf("Warnings = %q, want one about the missing array", f.Warnings)
	}
}

func TestHeaders(t *testing.T) {
	for _, tc := range []struct {
		h      http.Header
		want   tdmrep.Reservation
		policy string
		warn   int
	}{
		// datadiligence's TDMRepHeader cases (digest §11.4).
		{http.Header{}, tdmrep.Unset, "", 0},
		{http.Header{"Tdm-Reservation": {""}}, tdmrep.Unset, "", 0},
		{http.Header{"Tdm-Reservation": {"1"}}, tdmrep.Reserved, "", 0},
		{http.Header{"Tdm-Reservation": {" 1 "}}, tdmrep.Reserved, "", 0},
		{http.Header{"Tdm-Reservation": {"0"}}, tdmrep.NotReserved, "", 0},
		{http.Header{"Tdm-Reservation": {"other"}}, tdmrep.Unset, "", 1},
		{http.Header{"Tdm-Reservation": {"1"}, "Tdm-Policy": {"https://pub.example/p"}}, tdmrep.Reserved, "https://pub.example/p", 0},
		{http.Header{"Tdm-Reservation": {"0"}, "Tdm-Policy": {"https://pub.example/p"}}, tdmrep.NotReserved, "https://pub.example/p", 1},
		{http.Header{"Tdm-Reservation": {"1", "0"}}, tdmrep.Reserved, "", 1},
		{http.Header{"Tdm-Reservation": {"0", "1"}}, tdmrep.Reserved, "", 1},
		{http.Header{"Tdm-Reservation": {"0, 1"}}, tdmrep.Reserved, "", 1},
		{http.Header{"Tdm-Reservation": {"0", "0"}}, tdmrep.NotReserved, "", 1},
		{http.Header{"Tdm-Reservation": {"0", "x"}}, tdmrep.NotReserved, "", 2},
	} {
		s := tdmrep.ParseHeaders(tc.h)
		if s.Reservation != tc.want || s.Policy != tc.policy || len(s.Warnings) != tc.warn {
			t.Errorf("ParseHeaders(%v) = %+v; want %v %q with %d warnings", tc.h, s, tc.want, tc.policy, tc.warn)
		}
	}
}

func TestParseHTML(t *testing.T) {
	doc, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	s := tdmrep.ParseHTML(doc)
	want := tdmrep.Statement{Reservation: tdmrep.Reserved, Policy: "https://pub.example/policies/1", Source: "meta",
		Warnings: []string{"tdm-reservation given 2 times; read as 1 (a 1 anywhere reserves)"}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("ParseHTML (-want +got):\n%s", diff)
	}
}

// TestResolve follows the spec's processing priority: later sources
// supersede even when more permissive; absence does not reset.
func TestResolve(t *testing.T) {
	file := tdmrep.Statement{Reservation: tdmrep.Reserved, Policy: "https://pub.example/p", Source: "file"}
	header0 := tdmrep.Statement{Reservation: tdmrep.NotReserved, Source: "header"}
	none := tdmrep.Statement{Source: "meta"}
	if got := tdmrep.Resolve(file, header0, none); got.Reservation != tdmrep.NotReserved || got.Source != "header" {
		t.Errorf("Resolve(file 1, header 0, meta none) = %+v, want 0 from header", got)
	}
	if got := tdmrep.Resolve(file, none); got.Reservation != tdmrep.Reserved || got.Policy != "https://pub.example/p" || got.Source != "file" {
		t.Errorf("Resolve(file 1, meta none) = %+v, want 1 with policy from file", got)
	}
	if got := tdmrep.Resolve(); !got.IsZero() {
		t.Errorf("Resolve() = %+v, want zero", got)
	}
}

func TestParsePolicy(t *testing.T) {
	b, err := os.ReadFile("testdata/policy.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tdmrep.ParsePolicy(b)
	if err != nil {
		t.Fatal(err)
	}
	want := &tdmrep.Policy{
		UID: "https://pub.example/policies/1", Type: "Offer", Profile: "http://www.w3.org/ns/tdmrep",
		Assigner: tdmrep.Party{ID: "https://pub.example", Name: "Pub", Email: "mailto:tdm@pub.example", Phone: "tel:+33-1-23-45-67-89", Address: "1 rue de la Paix, Paris, France"},
		Permissions: []tdmrep.PolicyRule{
			{Action: "tdm:mine", Target: "https://pub.example/collections/news", Duties: []string{"compensate"}, Constraints: []string{"purpose eq tdm:non-research"}},
			{Action: "tdm:mine", Duties: []string{"obtainConsent"}},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParsePolicy (-want +got):\n%s", diff)
	}
	if !p.Permissions[0].RequiresCompensation() || !p.Permissions[1].RequiresConsent() || p.Permissions[1].RequiresCompensation() {
		t.Errorf("duty helpers wrong on %+v", p.Permissions)
	}
	// The digest §3.4 example, compact form.
	p, err = tdmrep.ParsePolicy([]byte(`{"@context":["http://www.w3.org/ns/odrl.jsonld","http://www.w3.org/ns/tdmrep.jsonld"],"@type":"Offer","profile":"http://www.w3.org/ns/tdmrep","uid":"https://pub.example/policies/1","assigner":{"vcard:fn":"Pub","vcard:hasEmail":"mailto:tdm@pub.example"},"permission":[{"action":"tdm:mine","duty":[{"action":"compensate"}]}]}`))
	if err != nil || p.Assigner.Email != "mailto:tdm@pub.example" || len(p.Permissions) != 1 || !p.Permissions[0].RequiresCompensation() || len(p.Warnings) != 0 {
		t.Errorf("ParsePolicy(digest example) = %+v, %v", p, err)
	}
	p, err = tdmrep.ParsePolicy([]byte(`{"@type":"Set","prohibition":[{"action":"tdm:mine"}]}`))
	if err != nil || len(p.Warnings) != 4 {
		t.Errorf("ParsePolicy(off-profile) warnings = %q, err %v; want 4", p.Warnings, err)
	}
	for _, in := range []string{`[]`, `<html>`, strings.Repeat(" ", tdmrep.MaxPolicy+1)} {
		if _, err := tdmrep.ParsePolicy([]byte(in)); err == nil {
			t.Errorf("ParsePolicy(%.20q) succeeded, want error", in)
		}
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "/press/x")
	}
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		if file, err := tdmrep.ParseFile(data); err == nil {
			if r, ok := file.Lookup(path); ok {
				r.Statement()
			}
		}
		tdmrep.ParsePolicy(data)
		tdmrep.ParseHTML(data)
	})
}

// TestSpecExample is the three-group example of the TDMRep spec's
// §"TDM File on the Origin Server", with its percent-encoding rule:
// escapes of unreserved characters are decoded before comparison, others
// are kept ("/path/foo-%24" matches a literal "$").
func TestSpecExample(t *testing.T) {
	f := readFile(t, "spec-example.json")
	for _, tc := range []struct {
		path   string
		found  bool
		want   tdmrep.Reservation
		policy string
	}{
		{"/directory-a/report.pdf", true, tdmrep.Reserved, ""},
		{"/directory-%61/report.pdf", true, tdmrep.Reserved, ""},
		{"/directory-b/html/index.html", true, tdmrep.Reserved, "https://provider.com/policies/policy.json"},
		{"/directory-b/images/cat.jpg", true, tdmrep.NotReserved, ""},
		{"/directory-b/images/sub/cat.jpg?w=1", true, tdmrep.NotReserved, ""},
		{"/directory-b/images/cat.png", false, tdmrep.Unset, ""},
		{"/Directory-a/report.pdf", false, tdmrep.Unset, ""},
		{"/elsewhere", false, tdmrep.Unset, ""},
	} {
		r, ok := f.Lookup(tc.path)
		if ok != tc.found || r.Reservation != tc.want || r.Policy != tc.policy {
			t.Errorf("Lookup(%q) = %+v, %v; want found=%v %v %q", tc.path, r, ok, tc.found, tc.want, tc.policy)
		}
	}
	enc, err := tdmrep.ParseFile([]byte(`[{"location":"/path/foo-%24","tdm-reservation":1},{"location":"/a%2Fb","tdm-reservation":1}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := enc.Lookup("/path/foo-%24"); !ok {
		t.Errorf("Lookup(/path/foo-%%24) found nothing; the spec's escaped $ example should match")
	}
	if _, ok := enc.Lookup("/a/b"); ok {
		t.Errorf("Lookup(/a/b) matched /a%%2Fb; reserved escapes must stay encoded")
	}
}
