package rsl_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/rsl"
)

func parseFile(t *testing.T, name string) *rsl.Document {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := rsl.Parse(b)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return d
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSelect(t *testing.T) {
	d := parseFile(t, "site.rsl")
	for _, tc := range []struct {
		url  string
		want int // content index, -1 for none
	}{
		{"https://news.example/world/1", 0},
		{"https://news.example/premium/deep-dive", 1},
		{"http://news.example/premium/deep-dive", 0}, // scheme differs
		{"https://other.example/premium/x", 0},
		{"https://news.example/archive/2019/report.pdf", 2},
		{"https://news.example/archive/2019/report.pdf?dl=1", 0},
		{"https://news.example/guide/ai", 3},
	} {
		c, ok := d.Select(mustURL(t, tc.url))
		got := -1
		if ok {
			got = c.Index
		}
		if got != tc.want {
			t.Errorf("Select(%s) = content %d, want %d", tc.url, got, tc.want)
		}
	}
	empty := &rsl.Document{Contents: []rsl.Content{{URL: "/only/"}}}
	if c, ok := empty.Select(mustURL(t, "https://x.example/other")); ok {
		t.Errorf("Select(/other) = %+v, want none", c)
	}
}

func TestEvaluate(t *testing.T) {
	d := parseFile(t, "site.rsl")
	type want struct {
		status  rsl.Status
		license int // -1 for none
		offer   *rsl.Offer
		conds   []string
	}
	free := &rsl.Offer{PaymentType: "free"}
	premium := &rsl.Offer{PaymentType: "use", Amount: "0.015", Currency: "USD", Server: "https://license.news.example",
		Terms:   []string{"https://rslcollective.org/license", "https://news.example/terms"},
		Contact: "mailto:ai@news.example", Holder: "News Example Ltd"}
	commercial := rsl.Profile{User: rsl.UserCommercial}
	for _, tc := range []struct {
		content int
		usage   string
		profile rsl.Profile
		want    want
	}{
		// Digest §7.2 example.
		{0, "ai-train", commercial, want{rsl.Prohibited, 1, nil, nil}},
		{0, "train-ai", commercial, want{rsl.Prohibited, 1, nil, nil}},
		{0, "search", commercial, want{rsl.Free, 0, free, nil}},
		{0, "ai-input", commercial, want{rsl.Free, 0, free, nil}},
		{0, "ai-index", commercial, want{rsl.NotCovered, -1, nil, nil}},
		{0, "ai-all", commercial, want{rsl.NotCovered, -1, nil, nil}},
		// Paid licence through a license server, for commercial users: it
		// covers a commercial requester, and is only an offer to others.
		{1, "ai-train", commercial, want{rsl.LicenseRequired, 0, premium, []string{"users: commercial"}}},
		{1, "search", commercial, want{rsl.LicenseRequired, 0, premium, []string{"users: commercial"}}},
		{1, "ai-train", rsl.Profile{User: rsl.UserEducation}, want{rsl.NotCovered, 0, premium, []string{"for users commercial, not education"}}},
		{1, "ai-train", rsl.Profile{}, want{rsl.NotCovered, 0, premium, []string{"for users commercial, not an undeclared user class"}}},
		// No usage permits, with payment: covers every usage.
		{2, "ai-index", commercial, want{rsl.LicenseRequired, 0, &rsl.Offer{PaymentType: "training", Amount: "250", Currency: "EUR"}, nil}},
		// Free but limited to regions: free where it applies, an offer
		// elsewhere and to a requester who declared no country.
		{3, "ai-train", rsl.Profile{User: rsl.UserCommercial, Geo: "DE"}, want{rsl.Free, 0, &rsl.Offer{}, []string{"regions: FR DE"}}},
		{3, "ai-train", rsl.Profile{User: rsl.UserCommercial, Geo: "US"}, want{rsl.NotCovered, 0, &rsl.Offer{}, []string{"for regions FR DE, not US"}}},
		{3, "ai-train", commercial, want{rsl.NotCovered, 0, &rsl.Offer{}, []string{"for regions FR DE, not an undeclared country"}}},
		{3, "ai-input", rsl.Profile{User: rsl.UserCommercial, Geo: "DE"}, want{rsl.NotCovered, -1, nil, nil}},
	} {
		c := &d.Contents[tc.content]
		ev, err := c.EvaluateFor(tc.usage, tc.profile)
		if err != nil {
			t.Fatal(err)
		}
		li := -1
		if ev.License != nil {
			li = ev.License.Index
		}
		if ev.Status != tc.want.status || li != tc.want.license {
			t.Errorf("content %d EvaluateFor(%s, %v) = %v licence %d, want %v licence %d", tc.content, tc.usage, tc.profile, ev.Status, li, tc.want.status, tc.want.license)
		}
		if diff := cmp.Diff(tc.want.offer, ev.Offer); diff != "" {
			t.Errorf("content %d EvaluateFor(%s, %v) offer (-want +got):\n%s", tc.content, tc.usage, tc.profile, diff)
		}
		if diff := cmp.Diff(tc.want.conds, ev.Conditions); diff != "" {
			t.Errorf("content %d EvaluateFor(%s, %v) conditions (-want +got):\n%s", tc.content, tc.usage, tc.profile, diff)
		}
	}
	if _, err := d.Contents[0].Evaluate("crawl"); err == nil {
		t.Errorf("Evaluate(crawl) succeeded, want error for a usage outside RSL 1.0")
	}
}

func TestProhibitedWithOffer(t *testing.T) {
	d, err := rsl.Parse([]byte(`<rsl xmlns="https://rslstandard.org/rsl"><content url="/">
		<license><prohibits type="usage">ai-all</prohibits></license>
		<license><permits type="usage">ai-train</permits><payment type="training"><amount currency="USD">100</amount></payment></license>
	</content></rsl>`))
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := d.Contents[0].Evaluate("ai-train")
	if ev.Status != rsl.Prohibited || ev.License.Index != 0 || ev.Offer == nil || ev.Offer.Amount != "100" {
		t.Errorf("Evaluate(ai-train) = %+v, want prohibited by licence 0 with the 100 USD offer attached", ev)
	}
	ev, _ = d.Contents[0].Evaluate("search")
	if ev.Status != rsl.NotCovered {
		t.Errorf("Evaluate(search) = %v, want not-covered (ai-all does not include search)", ev.Status)
	}
}

// TestProhibitionIsExact: a usage value reserves exactly the usages it
// names and those it contains, no more (issue: a licence prohibiting
// ai-train also denied ai-input). A document that only prohibits says
// nothing about the other usages; one that also offers licences leaves
// the usages outside them not licensed.
func TestProhibitionIsExact(t *testing.T) {
	for _, tc := range []struct {
		name, licences string
		want           map[string]rsl.Status
	}{
		{"only ai-train prohibited", `<license><prohibits type="usage">ai-train</prohibits></license>`, map[string]rsl.Status{
			"ai-train": rsl.Prohibited, "train-genai": rsl.Prohibited, "ai-input": rsl.NotAddressed,
			"ai-index": rsl.NotAddressed, "search": rsl.NotAddressed, "ai-all": rsl.NotAddressed}},
		{"ai-all prohibited", `<license><prohibits type="usage">ai-all</prohibits></license>`, map[string]rsl.Status{
			"ai-train": rsl.Prohibited, "ai-input": rsl.Prohibited, "ai-index": rsl.Prohibited, "search": rsl.NotAddressed}},
		{"all prohibited", `<license><prohibits type="usage">all</prohibits></license>`, map[string]rsl.Status{
			"ai-train": rsl.Prohibited, "ai-input": rsl.Prohibited, "search": rsl.Prohibited}},
		{"ai-input prohibited", `<license><prohibits type="usage">ai-input</prohibits></license>`, map[string]rsl.Status{
			"ai-train": rsl.NotAddressed, "ai-input": rsl.Prohibited}},
		{"prohibition beside a licence", `<license><prohibits type="usage">ai-train</prohibits></license><license><permits type="usage">search</permits></license>`, map[string]rsl.Status{
			"ai-train": rsl.Prohibited, "ai-input": rsl.NotCovered, "search": rsl.Free}},
	} {
		d, err := rsl.Parse([]byte(`<rsl xmlns="https://rslstandard.org/rsl"><content url="/">` + tc.licences + `</content></rsl>`))
		if err != nil {
			t.Fatal(err)
		}
		for usage, want := range tc.want {
			ev, err := d.Contents[0].EvaluateFor(usage, rsl.Profile{User: rsl.UserCommercial})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Status != want {
				t.Errorf("%s: EvaluateFor(%s) = %v, want %v", tc.name, usage, ev.Status, want)
			}
		}
	}
}

// TestProfile: RSL <permits>/<prohibits> of type user and geo admit the
// requester only when its declared profile shows it is covered; a geo
// value may be a region containing the country.
func TestProfile(t *testing.T) {
	const doc = `<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>
		<permits type="usage">ai-train</permits><permits type="user">education non-commercial</permits>
		<prohibits type="geo">CN</prohibits><payment type="free"/></license>
		<license><permits type="usage">ai-train</permits><permits type="geo">EU</permits>
		<prohibits type="user">government</prohibits><payment type="training"><amount currency="EUR">1</amount></payment></license>
	</content></rsl>`
	d, err := rsl.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p       rsl.Profile
		want    rsl.Status
		licence int
	}{
		{rsl.Profile{User: "education", Geo: "US"}, rsl.Free, 0},
		{rsl.Profile{User: "education", Geo: "CN"}, rsl.NotCovered, 0}, // excluded region, and not in the EU
		{rsl.Profile{User: "education"}, rsl.NotCovered, 0},            // cannot show it is outside CN
		{rsl.Profile{User: "commercial", Geo: "DE"}, rsl.LicenseRequired, 1},
		{rsl.Profile{User: "commercial", Geo: "de"}, rsl.LicenseRequired, 1},
		{rsl.Profile{User: "government", Geo: "FR"}, rsl.NotCovered, 0},
		{rsl.Profile{User: "commercial", Geo: "US"}, rsl.NotCovered, 0},
		{rsl.Profile{}, rsl.NotCovered, 0},
	} {
		ev, err := d.Contents[0].EvaluateFor("ai-train", tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Status != tc.want || ev.License == nil || ev.License.Index != tc.licence {
			t.Errorf("EvaluateFor(ai-train, %v) = %+v, want %v by licence %d", tc.p, ev, tc.want, tc.licence)
		}
		if ev.Status == rsl.NotCovered && (ev.Offer == nil || len(ev.Conditions) != 1) {
			t.Errorf("EvaluateFor(ai-train, %v): not covered without the offer and the reason: %+v", tc.p, ev)
		}
	}
}

func TestParseProfile(t *testing.T) {
	for _, tc := range []struct {
		user, geo string
		want      rsl.Profile
		ok        bool
	}{
		{"", "", rsl.Profile{}, true},
		{"Commercial", "de", rsl.Profile{User: "commercial", Geo: "DE"}, true},
		{"non-commercial", "JP", rsl.Profile{User: "non-commercial", Geo: "JP"}, true},
		{"business", "", rsl.Profile{}, false},
		{"", "EU", rsl.Profile{}, false},  // a region, not a country
		{"", "DEU", rsl.Profile{}, false}, // alpha-3
		{"", "ZZ", rsl.Profile{}, false},
		{"", "1", rsl.Profile{}, false},
	} {
		p, err := rsl.ParseProfile(tc.user, tc.geo)
		if (err == nil) != tc.ok || p != tc.want {
			t.Errorf("ParseProfile(%q, %q) = %+v, %v; want %+v, ok %v", tc.user, tc.geo, p, err, tc.want, tc.ok)
		}
	}
}

func TestFeed(t *testing.T) {
	d := parseFile(t, "feed.xml")
	if len(d.Contents) != 1 {
		t.Fatalf("feed: %d contents, want 1", len(d.Contents))
	}
	c, ok := d.Select(mustURL(t, "https://blog.example/post-1"))
	if !ok {
		t.Fatal("Select(post-1) found nothing")
	}
	ev, _ := c.Evaluate("ai-input")
	if ev.Status != rsl.LicenseRequired || ev.Offer.PaymentType != "attribution" || ev.Offer.Terms[0] != "https://creativecommons.org/licenses/by/4.0/" {
		t.Errorf("feed Evaluate(ai-input) = %+v %+v, want attribution licence", ev, ev.Offer)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		`<html><body>soft 404</body></html>`,
		``,
		`<rsl xmlns="https://rslstandard.org/rsl"><content url="/">`,
		`not xml`,
		strings.Repeat(" ", rsl.MaxDocument+1),
	} {
		if _, err := rsl.Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%.30q) succeeded, want error", in)
		}
	}
	if _, err := rsl.Parse([]byte(`<html/>`)); !errors.Is(err, rsl.ErrNotRSL) {
		t.Errorf("Parse(<html/>) error = %v, want ErrNotRSL", err)
	}
	d, err := rsl.Parse([]byte(`<rsl><content url="/"><license><permits type="usage">ai-use weird</permits><permits type="color">red</permits><payment type="barter"/></license></content></rsl>`))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) != 5 {
		t.Errorf("warnings = %q, want 5 (namespace, alias, unknown usage, unknown type, payment type)", d.Warnings)
	}
}

func TestParseLatin1(t *testing.T) {
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rsl xmlns=\"https://rslstandard.org/rsl\"><content url=\"/\"><copyright>Soci\xe9t\xe9</copyright><license><permits type=\"usage\">search</permits></license></content></rsl>")
	d, err := rsl.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Contents[0].Copyright.Name; got != "Société" {
		t.Errorf("copyright = %q, want Société decoded from ISO-8859-1", got)
	}
}

func TestParseLinkHeader(t *testing.T) {
	base := mustURL(t, "https://news.example/a/b")
	got := rsl.ParseLinkHeader([]string{
		`<https://news.example/license.xml>; rel="license"; type="application/rsl+xml"`,
		`</rel.xml>; rel=license; type=application/rsl+xml, <https://x.example/a,b>; rel="preload license"`,
		`<https://creativecommons.org/licenses/by/4.0/>; rel="license"; title="a;b,c"`,
		`garbage, <unterminated`,
		`<https://e.example/>; rel="next"; rel="license"`,
	}, base)
	want := []rsl.Link{
		{URL: "https://news.example/license.xml", Rel: []string{"license"}, Type: "application/rsl+xml"},
		{URL: "https://news.example/rel.xml", Rel: []string{"license"}, Type: "application/rsl+xml"},
		{URL: "https://x.example/a,b", Rel: []string{"preload", "license"}},
		{URL: "https://creativecommons.org/licenses/by/4.0/", Rel: []string{"license"}},
		{URL: "https://e.example/", Rel: []string{"next"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseLinkHeader (-want +got):\n%s", diff)
	}
	var rslLinks int
	for _, l := range got {
		if l.IsRSL() {
			rslLinks++
		}
	}
	if rslLinks != 2 {
		t.Errorf("%d RSL links, want 2", rslLinks)
	}
}

func TestParseHTML(t *testing.T) {
	b, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	res := rsl.ParseHTML(b, mustURL(t, "https://site.example/post"))
	wantLinks := []rsl.Link{
		{URL: "https://site.example/license.xml", Rel: []string{"license"}, Type: "application/rsl+xml"},
		{URL: "https://creativecommons.org/licenses/by/4.0/", Rel: []string{"license"}},
	}
	if diff := cmp.Diff(wantLinks, res.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if len(res.Inline) != 1 {
		t.Fatalf("%d inline documents, want 1", len(res.Inline))
	}
	d, err := rsl.Parse(res.Inline[0])
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := d.Contents[0].Evaluate("ai-input")
	if ev.Status != rsl.Prohibited {
		t.Errorf("inline Evaluate(ai-input) = %v, want prohibited", ev.Status)
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	target, _ := url.Parse("https://news.example/premium/x.pdf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := rsl.Parse(data); err == nil {
			if c, ok := d.Select(target); ok {
				for _, u := range []string{"all", "ai-all", "ai-train", "ai-input", "ai-index", "search"} {
					ev, err := c.Evaluate(u)
					if err != nil {
						t.Fatal(err)
					}
					if (ev.Status == rsl.Free || ev.Status == rsl.LicenseRequired) && ev.Offer == nil {
						t.Fatalf("Evaluate(%s) = %v without an offer", u, ev.Status)
					}
				}
			}
		}
		rsl.ParseHTML(data, nil)
		rsl.ParseLinkHeader([]string{string(data)}, target)
	})
}
