package iscc_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/iscc"
)

// Expected values in these tables are the results iscc-core v1.3's own test
// suite asserts (tests/test_codec.py, tests/test_utils.py), re-checked here.

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ISCC:AAATTZCKVH3S42TP", "ISCC:AAATTZCKVH3S42TP"},
		{"MAAGZTFQTTVIZPJR", "ISCC:MAAGZTFQTTVIZPJR"},
		{"maagztfqttvizpjr", "ISCC:MAAGZTFQTTVIZPJR"},
		{"MaaGZTfqttvizpjr", "ISCC:MAAGZTFQTTVIZPJR"},
		{"iscc:maagztfqttvizpjr", "ISCC:MAAGZTFQTTVIZPJR"},
		{"Iscc:Maagztfqttvizpjr", "ISCC:MAAGZTFQTTVIZPJR"},
		{" ISCC: MAAGZTFQTTVIZPJR ", "ISCC:MAAGZTFQTTVIZPJR"},
		{"ISCC:IABTRD3EMDL2W74Z4ROZTOJTT3BDY", "ISCC:IABTRD3EMDL2W74Z4ROZTOJTT3BDY"},
		// Sequences of units compose to an ISCC-CODE.
		{"ISCC:GAAW2PRCRS5LNVZVIAAUVACQKXE3V44W", "ISCC:KUAG2PRCRS5LNVZVJKAFAVOJXLZZM"},
		{"GAAW2PRCRS5LNVZV-IAAUVACQKXE3V44W", "ISCC:KUAG2PRCRS5LNVZVJKAFAVOJXLZZM"},
		{"ISCC:EMAZQGH26X5XQ5HAGAA5U77EOAU2NU4YIAAU4SKRQCZZEYQD", "ISCC:KMAZQGH26X5XQ5HA3J76I4BJU3JZQTSJKGALHETCAM"},
		{"ISCC:EMAZQGH26X5XQ5HA-GAA5U77EOAU2NU4Y-IAAU4SKRQCZZEYQD", "ISCC:KMAZQGH26X5XQ5HA3J76I4BJU3JZQTSJKGALHETCAM"},
		{"ISCC:KACQMIRUW6L64O2CAZCVE2HHXGBO7EFCF3C4GRFCDPD2NM53NKUCXUY", "ISCC:KACQMIRUW6L64O2CAZCVE2HHXGBO7EFCF3C4GRFCDPD2NM53NKUCXUY"},
		// Multiformat encodings.
		{"fcc0100013554e7d8be570019", "ISCC:AAATKVHH3C7FOAAZ"},
		{"bzqaqaaifk7t7vp2wacfq", "ISCC:AAAQKV7H7K7VMAEL"},
		{"z4rHVQUrFdpfYWuGLa", "ISCC:AAA2O57HTG7HMCO3"},
		{"uzAEAAYk3fwidpe3f", "ISCC:AAAYSN37BCO2L3O7"},
		{"fcc0120016c017dac75fe4613", "ISCC:EAAWYAL5VR274RQT"},
		{"bzqasaalmaf62y5p6iyjq", "ISCC:EAAWYAL5VR274RQT"},
		{"z4rHXCkYCB2k4V7uuk", "ISCC:EAAWYAL5VR274RQT"},
		{"uzAEgAWwBfax1_kYT", "ISCC:EAAWYAL5VR274RQT"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := iscc.Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Normalize(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	for _, in := range []string{
		"", "ISCC:", "ISCC:LA22222222", "http:AAATTZCKVH3S42TP", "ISCC:a:b",
		"ISCC:AAATTZCKVH3S42T!", "fcc02", "f0000000000", "ISCC:GAAW2PRCRS5LNVZV-AAAA",
		strings.Repeat("A", iscc.MaxCodeLen+1),
	} {
		if got, err := iscc.Normalize(in); err == nil {
			t.Errorf("Normalize(%q) = %s, want an error", in, got)
		}
	}
}

func TestDecompose(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"ISCC:KUADMCHNLCHTI2NHWM35NJE3FPWYS", []string{"GAATMCHNLCHTI2NH", "IAA3GN6WUSNSX3MJ"}},
		{"ISCC:KMARIURG4CVZ3M7N6JD7UWYB4Q4Q47MLIGQWX256CU", []string{"EMARIURG4CVZ3M7N", "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV"}},
		{"ISCC:KEC4CPEJKZZ7A4HZMZUFTZYEOHCPLIXPTTCOIKFIEPBNTGGQDLYGFSI", []string{"AAA4CPEJKZZ7A4HZ", "EEAWM2CZ44CHDRHV", "GAA2F344YTSCRKBD", "IAA4FWMY2ANPAYWJ"}},
		{"GAB6LM626EIYZ4E4WXC2YMR2T5UMUQADMTHBB7UDRN5JWOV7455GN2TJUI", []string{"GAB6LM626EIYZ4E4WXC2YMR2T5UMU", "IABWJTQQ72BYW6U3HK76O6TG5JU2E"}},
		{"ISCC:MAIGHFECJMOPMIAB", []string{"MAIGHFECJMOPMIAB"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := iscc.Decompose(tt.in)
			if err != nil {
				t.Fatalf("Decompose(%q): %v", tt.in, err)
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = "ISCC:" + w
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Decompose(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestGenISCCCodeCompositions(t *testing.T) {
	tests := []struct {
		units []string
		wide  bool
		want  string
	}{
		{[]string{"EMARIURG4CVZ3M7N", "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV"}, false, "ISCC:KMARIURG4CVZ3M7N6JD7UWYB4Q4Q47MLIGQWX256CU"},
		{[]string{"AAA4CPEJKZZ7A4HZ", "EEAWM2CZ44CHDRHV", "GAA2F344YTSCRKBD", "IAA4FWMY2ANPAYWJ"}, false, "ISCC:KEC4CPEJKZZ7A4HZMZUFTZYEOHCPLIXPTTCOIKFIEPBNTGGQDLYGFSI"},
		// wide is ignored unless exactly Data+Instance of >= 128 bits.
		{[]string{"EMARIURG4CVZ3M7N", "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV"}, true, "ISCC:KMARIURG4CVZ3M7N6JD7UWYB4Q4Q47MLIGQWX256CU"},
	}
	for _, tt := range tests {
		got, err := iscc.GenISCCCode(tt.units, tt.wide)
		if err != nil {
			t.Fatalf("GenISCCCode(%q, %v): %v", tt.units, tt.wide, err)
		}
		if got.ISCC != tt.want {
			t.Errorf("GenISCCCode(%q, %v) = %s, want %s", tt.units, tt.wide, got.ISCC, tt.want)
		}
	}
}

func TestWide(t *testing.T) {
	data, inst := "ISCC:GAB6LM626EIYZ4E4WXC2YMR2T5UMU", "ISCC:IABWJTQQ72BYW6U3HK76O6TG5JU2E"
	w, err := iscc.GenISCCCode([]string{inst, data}, true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := iscc.Decode(w.ISCC)
	if err != nil {
		t.Fatal(err)
	}
	if c.SubType() != iscc.SubTypeWide || c.Bits() != 256 || c.TypeID() != "ISCC-WIDE-V0-DI" {
		t.Errorf("WIDE code %s: SubType %d, %d bits, type %s; want WIDE, 256, ISCC-WIDE-V0-DI", w.ISCC, c.SubType(), c.Bits(), c.TypeID())
	}
	if !strings.HasPrefix(w.ISCC, "ISCC:K4") {
		t.Errorf("WIDE code %s does not start with K4", w.ISCC)
	}
	units, err := iscc.Decompose(w.ISCC)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{data, inst}, units); diff != "" {
		t.Errorf("Decompose(%s) (-want +got):\n%s", w.ISCC, diff)
	}
	if n, err := iscc.Normalize(strings.ToLower(strings.TrimPrefix(w.ISCC, "ISCC:"))); err != nil || n != w.ISCC {
		t.Errorf("Normalize(lower WIDE) = %s, %v; want %s", n, err, w.ISCC)
	}
	if err := iscc.Validate(w.ISCC); err != nil {
		t.Errorf("Validate(%s): %v", w.ISCC, err)
	}
	if err := iscc.Validate(w.ISCC[:len(w.ISCC)-8]); err == nil {
		t.Errorf("Validate(truncated WIDE) succeeded")
	}
	// 64-bit units: not WIDE but SUM.
	s, err := iscc.GenISCCCode([]string{"GAATMCHNLCHTI2NH", "IAA3GN6WUSNSX3MJ"}, true)
	if err != nil || s.ISCC != "ISCC:KUADMCHNLCHTI2NHWM35NJE3FPWYS" {
		t.Errorf("GenISCCCode(64-bit, wide) = %v, %v; want ISCC:KUADMCHNLCHTI2NHWM35NJE3FPWYS", s, err)
	}
}

func TestGenISCCCodeErrors(t *testing.T) {
	for _, units := range [][]string{
		nil,
		{"GAASL4F2WZY7KBXB"},
		{"GAASL4F2WZY7KBXB", "GAASL4F2WZY7KBXB"},
		{"AAAZXZ6OU74YAZIM", "GAASL4F2WZY7KBXB"},
		{"AAAZXZ6OU74YAZIM", "AAAZXZ6OU74YAZIM", "GAASL4F2WZY7KBXB", "IAA26E2JXH27TING"},
		{"EEAWM2CZ44CHDRHV", "EAASL4F2WZY7KBXB", "GAASL4F2WZY7KBXB", "IAA26E2JXH27TING"},
		{"MAIGHFECJMOPMIAB", "GAASL4F2WZY7KBXB", "IAA26E2JXH27TING"},
		{"ISCC:KUADMCHNLCHTI2NHWM35NJE3FPWYS", "GAASL4F2WZY7KBXB", "IAA26E2JXH27TING"},
		{"GAAQ", "IAA26E2JXH27TING"},
		{"not a code", "IAA26E2JXH27TING"},
	} {
		if got, err := iscc.GenISCCCode(units, false); err == nil {
			t.Errorf("GenISCCCode(%q) = %s, want an error", units, got.ISCC)
		}
	}
}

func TestExplainTypeID(t *testing.T) {
	tests := []struct{ in, typeID, explain string }{
		{"AAAQCAAAAABAAAAA", "META-NONE-V0-64", "META-NONE-V0-64-0100000002000000"},
		{"KICQOCPJM46YUUCBMWS6FFXRGM3LJOU5MZOVPOUHIJOHPI324GKN67Q", "ISCC-AUDIO-V0-MCDI", "ISCC-AUDIO-V0-MCDI-0709e9673d8a504165a5e296f13336b4ba9d665d57ba87425c77a37ae194df7e"},
		{"MEAAO5JRN22FN2M2", "ID-BITCOIN-V0-64", "ID-BITCOIN-V0-64-0775316eb456e99a"},
		{"ISCC:MAASAJINXFXA2SQXAE", "ID-PRIVATE-V0-72", "ID-PRIVATE-V0-72-20250db96e0d4a17-1"},
		{"KMD54GZXFLJ7X5D2PZNR4744UVEZ2ACK4VC2AELL4WVQYFUBZD4OHUGTFEFEZNOTFMLA", "ISCC-VIDEO-V0-MSCDI", "ISCC-VIDEO-V0-MSCDI-de1b372ad3fbf47a7e5b1e7f9ca5499d004ae545a0116be5ab0c1681c8f8e3d0d3290a4cb5d32b16"},
		{"KEDJCSDCJ7VMDQKPGDU4LTAQD66MZXWXGPULIIPK5NJUBF6KXLZYS6Q", "ISCC-IMAGE-V0-MSDI", "ISCC-IMAGE-V0-MSDI-9148624feac1c14f30e9c5cc101fbcccded733e8b421eaeb534097cabaf3897a"},
		{"KECHFLRCISFQCY6BZWOSW7JEPKBTH55QW7JM3KAFNQ", "ISCC-NONE-V0-MDI", "ISCC-NONE-V0-MDI-72ae22448b0163c1cd9d2b7d247a8333f7b0b7d2cda8056c"},
		{"KUAFD3YZEL7EHRE6CSMBRUIXLHW4G", "ISCC-SUM-V0-DI", "ISCC-SUM-V0-DI-51ef1922fe43c49e149818d11759edc3"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, err := iscc.TypeID(tt.in)
			if err != nil || id != tt.typeID {
				t.Errorf("TypeID(%q) = %q, %v; want %q", tt.in, id, err, tt.typeID)
			}
			ex, err := iscc.Explain(tt.in)
			if err != nil || ex != tt.explain {
				t.Errorf("Explain(%q) = %q, %v; want %q", tt.in, ex, err, tt.explain)
			}
		})
	}
}

func TestISCCIDv1(t *testing.T) {
	const ts = 1647312000000000 // 2022-03-15 12:00:00 UTC in µs
	c, err := iscc.GenISCCIDv1(ts, 42, iscc.SubTypeRealm0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Explain(), "ID-REALM_0-V1-64-1647312000000000-42"; got != want {
		t.Errorf("Explain = %s, want %s", got, want)
	}
	if got, want := c.TypeID(), "ID-REALM_0-V1-64"; got != want {
		t.Errorf("TypeID = %s, want %s", got, want)
	}
	if !strings.HasPrefix(c.String(), "ISCC:MAI") {
		t.Errorf("ISCC-ID v1 realm 0 %s does not start with MAI", c)
	}
	if err := iscc.Validate(c.String()); err != nil {
		t.Errorf("Validate(%s): %v", c, err)
	}
	gts, hub, ok := c.IDv1()
	if !ok || gts != ts || hub != 42 {
		t.Errorf("IDv1() = %d, %d, %v; want %d, 42, true", gts, hub, ok, uint64(ts))
	}
	if _, err := iscc.Distance(c.String(), c.String()); err == nil {
		t.Error("Distance of ISCC-IDs v1 succeeded, want an error")
	}
	r1, err := iscc.GenISCCIDv1(ts, 42, iscc.SubTypeRealm1)
	if err != nil || !strings.HasPrefix(r1.String(), "ISCC:MEI") {
		t.Errorf("realm 1 ID = %s, %v; want prefix ISCC:MEI", r1, err)
	}
	for _, tc := range []struct {
		ts    uint64
		hub   uint16
		realm iscc.SubType
	}{{1 << 52, 0, 0}, {0, 4096, 0}, {0, 0, 2}} {
		if _, err := iscc.GenISCCIDv1(tc.ts, tc.hub, tc.realm); err == nil {
			t.Errorf("GenISCCIDv1(%d, %d, %d) succeeded, want an error", tc.ts, tc.hub, tc.realm)
		}
	}
	// A real ID from the HUB protocol decodes with length field 0.
	d, err := iscc.Decode("ISCC:MAIGHFECJMOPMIAB")
	if err != nil || d.Version() != 1 || d.MainType() != iscc.MainTypeID {
		t.Errorf("Decode(ISCC:MAIGHFECJMOPMIAB) = %v, %v", d, err)
	}
}

func TestDistanceSimilarity(t *testing.T) {
	a := "AAD7SATLZUS57KXZZL2HXAD7HT6264AHEIRZQ4QTLB6LHVRXNTLE7MA"
	b := "AAD7CATK5QX46LX5YL2HXIH7FT626UAHE4RYC4QTDB6LXVRXNDJE7MA"
	unit := func(body string) string {
		raw, _ := hex.DecodeString(body)
		c, err := iscc.NewUnit(iscc.MainTypeContent, iscc.SubTypeImage, 0, 64, raw)
		if err != nil {
			t.Fatal(err)
		}
		return c.String()
	}
	ia, ib := unit("000f000000000000"), unit("f00f000000000000")
	compose := func(units ...string) string {
		c, err := iscc.GenISCCCode(units, false)
		if err != nil {
			t.Fatal(err)
		}
		return c.ISCC
	}
	ca := compose(ia, "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV")
	cb := compose(ib, "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV")
	cm := compose("AAA4CPEJKZZ7A4HZ", ia, "GAA7ER72LMA6IOIO", "IAAX3C2BUFV6XPQV")
	tests := []struct {
		a, b     string
		dist     int
		sim      int
		distErrs bool
	}{
		{a, b, 24, 90, false},
		{ca, cb, 4, 97, false},
		{ca, cm, 0, 0, true}, // different unit combinations
		{ia, ib, 4, 93, false},
		{a, a, 0, 100, false},
		// A 64-bit prefix of a 256-bit code compares on the common 64 bits.
		{"ISCC:EADSKDNZNYGUUF5AMFEJLZ5P66CP5YKCOA3X7F36RWE4CIRCBTUWXYY", "ISCC:EAASKDNZNYGUUF5A", 0, 100, false},
		{"ISCC:EAASKDNZNYGUUF5A", "ISCC:GAASL4F2WZY7KBXB", 0, 0, true},
		{"ISCC:EAASKDNZNYGUUF5A", "ISCC:EEAWM2CZ44CHDRHV", 0, 0, true},
		{"ISCC:EAASKDNZNYGUUF5A", "garbage", 0, 0, true},
	}
	for _, tt := range tests {
		d, err := iscc.Distance(tt.a, tt.b)
		if tt.distErrs {
			if err == nil {
				t.Errorf("Distance(%s, %s) = %d, want an error", tt.a, tt.b, d)
			}
			continue
		}
		if err != nil || d != tt.dist {
			t.Errorf("Distance(%s, %s) = %d, %v; want %d", tt.a, tt.b, d, err, tt.dist)
		}
		s, err := iscc.Similarity(tt.a, tt.b)
		if err != nil || s != tt.sim {
			t.Errorf("Similarity(%s, %s) = %d, %v; want %d", tt.a, tt.b, s, err, tt.sim)
		}
	}
}

func TestValidate(t *testing.T) {
	valid := []string{
		"ISCC:KEDRRHYRYJ7XELW7HAO5FFGQRX75HJUKSUSZVWTTRNHTF2YL5SKP7XIUFXM4KMKXEZZA",
		"ISCC:MMAMRVPW22XVU4FR",
		"ISCC:EAAWFH3PX3MCYB6N",
		"ISCC:KACT4EBWK27737D2AYCJRAL5Z36G76RFRMO4554RU26HZ4ORJGIVHDI",
	}
	for _, s := range valid {
		if err := iscc.Validate(s); err != nil {
			t.Errorf("Validate(%s): %v", s, err)
		}
	}
	invalid := []struct{ in, msg string }{
		{"ISCC:KEDRRHYRYJ7XELW7HAO5FFGQRX75HJUKSUSZVWTTRNHTF2YL5SKP7XIUFXM4KMKXEZZAA", "does not match"},
		{"ISCC:KACT4EBWK27737D2AYCJRAL5Z36G76RFRMO4554RU26HZ", "declares 256 body bits"},
		{"ISCC:CE22222222", "version"},
		{"ISCC:AEAWFH3PX3MCYB6N", "SubType"},
		{"iscc:EAAWFH3PX3MCYB6N", "does not match"},
		{"EAAWFH3PX3MCYB6N", "does not match"},
		{"ISCC:EAAWFH3PX3MCYB6N-GAAW2PRCRS5LNVZV", "does not match"},
		{"ISCC:GAB6LM626EIYZ4E4WXC2YMR2T5UMV", "not canonical"}, // trailing bit set
	}
	for _, tt := range invalid {
		err := iscc.Validate(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Validate(%s) = %v, want an error containing %q", tt.in, err, tt.msg)
		}
	}
}

func TestCodeAccessors(t *testing.T) {
	c, err := iscc.Decode("ISCC:AAAWH7PF7473PQ57")
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(c.Bytes()); got != "000163fde5ff3fb7c3bf" {
		t.Errorf("Bytes = %s, want 000163fde5ff3fb7c3bf", got)
	}
	if c.MainType() != iscc.MainTypeMeta || c.SubType() != iscc.SubTypeNone || c.Version() != 0 || c.Bits() != 64 {
		t.Errorf("header = %s %d v%d %d bits", c.MainType(), c.SubType(), c.Version(), c.Bits())
	}
	if got := hex.EncodeToString(c.Body()); got != "63fde5ff3fb7c3bf" {
		t.Errorf("Body = %s", got)
	}
	c.Body()[0] = 0 // Body returns a copy
	if c.String() != "ISCC:AAAWH7PF7473PQ57" {
		t.Errorf("String = %s after modifying Body's result", c)
	}
	var u iscc.Code
	if err := u.UnmarshalText([]byte("AAAWH7PF7473PQ57")); err != nil || u.String() != c.String() {
		t.Errorf("UnmarshalText = %v, %v", u, err)
	}
	if _, err := iscc.Decode("GAB6LM626EIYZ4E4WXC2YMR2T5UMUQADMTHBB7UDRN5JWOV7455GN2TJUI"); err == nil {
		t.Error("Decode of a sequence of two units succeeded, want an error pointing to Decompose")
	}
	if (iscc.Code{}).String() != "" {
		t.Error("zero Code renders non-empty")
	}
}
