package signals

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestEmbeddedDocuments: TDMRep and IPTC reservations embedded in PDF (the
// document's XMP metadata stream) and EPUB (the package document) are read
// from a local file and from a fetched one, where they come last in
// TDMRep's processing order and so supersede tdmrep.json and headers.
func TestEmbeddedDocuments(t *testing.T) {
	D, L, A, U := Deny, License, Allow, Unknown
	verdicts := func(g, tr, i, s Verdict) map[Use]Verdict {
		return map[Use]Verdict{TrainGenAI: g, TrainAI: tr, AIInput: i, Search: s}
	}
	for _, tc := range []struct {
		file  string
		want  map[Use]Verdict
		terms string // the offer's terms on a licence verdict
	}{
		{"pdf-tdm-1.pdf", verdicts(D, D, D, U), ""},
		{"pdf-tdm-policy.pdf", verdicts(L, L, L, U), "https://pub.example/tdm-policy.json"},
		{"pdf-deflated-prohibited.pdf", verdicts(D, D, D, D), ""},
		{"epub3-tdm-policy.epub", verdicts(L, L, L, U), "https://pub.example/tdm-policy.json"},
		{"epub2-tdm-0.epub", verdicts(A, A, A, U), ""},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		check := func(how string, stmts []Statement) {
			t.Helper()
			r := Evaluate(stmts, Options{})
			for _, ur := range r.Uses {
				if ur.Verdict != tc.want[ur.Use] {
					t.Errorf("%s %s %s: got %s, want %s (%s)", how, tc.file, ur.Use, ur.Verdict, tc.want[ur.Use], ur.Reason)
				}
				if ur.Verdict == License && (ur.Offer == nil || ur.Offer.Terms != tc.terms) {
					t.Errorf("%s %s %s: offer %+v, want terms %s", how, tc.file, ur.Use, ur.Offer, tc.terms)
				}
			}
		}
		check("local", (&Inspector{}).File(context.Background(), tc.file, data))

		// Served with a site file and a header that say the opposite:
		// the embedded properties supersede them (TDMRep processing order);
		// IPTC is another mechanism and combines as usual.
		const o = "https://pub.example"
		m := memFetcher{
			o + "/.well-known/tdmrep.json": resp(`[{"location":"/","tdm-reservation":0}]`),
			o + "/" + tc.file:              resp(string(data), "Tdm-Reservation", "0"),
			o + "/tdm-policy.json":         nil, // unreachable: the reservation holds
		}
		if tc.file == "pdf-deflated-prohibited.pdf" {
			// No TDMRep inside: the site's 0 stands beside IPTC's deny.
			tc.want = verdicts(D, D, D, D)
		}
		stmts, err := (&Inspector{Fetcher: m}).URL(context.Background(), o+"/"+tc.file)
		if err != nil {
			t.Fatal(err)
		}
		check("fetched", stmts)
	}
}
