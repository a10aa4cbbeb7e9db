package signals

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals/aipref"
	"github.com/askfirst/askfirst/signals/xmp"
)

type vm = map[Use]Verdict

// TestContentUsageEffects: the AIPREF rows of digest §14.3 and the
// vocab-07 parsing examples of §6.1.
func TestContentUsageEffects(t *testing.T) {
	for _, tc := range []struct {
		field string
		want  vm
	}{
		{"train-ai=n", vm{TrainGenAI: Deny, TrainAI: Deny}},
		{"train-ai=y", vm{TrainGenAI: Allow}},
		{"search=n", vm{Search: Deny}},
		{"search=y", vm{Search: Allow}},
		{"train-ai=y, search=n", vm{TrainGenAI: Allow, Search: Deny}},
		{`train-ai=y, train-ai, search=n, search="n"`, vm{}}, // last values are not tokens y/n: unknown
		{"train-ai;allow=n, train-ai=y", vm{TrainGenAI: Allow}},
		{"train-genai=n", vm{TrainGenAI: Deny}},
		{"train-genai=y", vm{TrainGenAI: Allow}},
		{"ai-use=n", vm{AIInput: Deny}},
		{"ai-output=n", vm{AIInput: Deny, Search: Deny}},
		{"bots=n", vm{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Deny}},
		{"all=n, train-ai=y", vm{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Deny}},
		{"Train-AI=n", vm{}}, // uppercase key: the dictionary fails, everything unknown
		{"train-ai=no", vm{}},
	} {
		p, _ := aipref.Parse(tc.field)
		got, _ := contentUsageEffects(p)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Content-Usage %q (-want +got):\n%s", tc.field, diff)
		}
	}
}

// TestContentSignalEffects: the Content-Signal rows of digest §14.3.
func TestContentSignalEffects(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  vm
	}{
		{"ai-train=no", vm{TrainGenAI: Deny, TrainAI: Deny}},
		{"ai-train=yes", vm{TrainGenAI: Allow, TrainAI: Allow}},
		{"ai-input=no, search=yes", vm{AIInput: Deny, Search: Allow}},
		{"search=yes,ai-train=no", vm{Search: Allow, TrainGenAI: Deny, TrainAI: Deny}},
		{"ai-train=n", vm{}},
		{"use=reference", vm{}},
	} {
		got, _ := contentSignalEffects(tc.value)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Content-Signal %q (-want +got):\n%s", tc.value, diff)
		}
	}
}

// TestXMPEffects: the IPTC Data Mining table of digest §9.
func TestXMPEffects(t *testing.T) {
	all := func(v Verdict) vm { return vm{TrainGenAI: v, TrainAI: v, AIInput: v, Search: v} }
	for _, tc := range []struct {
		v    xmp.Value
		want vm
	}{
		{xmp.Unspecified, vm{}},
		{xmp.Allowed, all(Allow)},
		{xmp.ProhibitedAIMLTraining, vm{TrainGenAI: Deny, TrainAI: Deny}},
		{xmp.ProhibitedGenAIMLTraining, vm{TrainGenAI: Deny}},
		{xmp.ProhibitedExceptSearch, vm{TrainGenAI: Deny, TrainAI: Deny, AIInput: Deny, Search: Allow}},
		{xmp.Prohibited, all(Deny)},
		{xmp.ProhibitedSeeConstraint, all(License)},
		{xmp.ProhibitedSeeEmbeddedRightsExpr, all(License)},
		{xmp.ProhibitedSeeLinkedRightsExpr, all(License)},
		{"", vm{}},
	} {
		if diff := cmp.Diff(tc.want, xmpEffects(tc.v)); diff != "" {
			t.Errorf("DataMining %q (-want +got):\n%s", tc.v, diff)
		}
	}
}

// TestXMPGradesWeak: grants read from plain XMP are weak (§14.1.5), so
// consent mode does not accept them for training.
func TestXMPGradesWeak(t *testing.T) {
	img, err := xmp.EmbedJPEG(minimalJPEG(t), xmp.Reservation{DataMining: xmp.Allowed})
	if err != nil {
		t.Fatal(err)
	}
	stmts := fromXMP("p.jpg", img, AllUses())
	if len(stmts) != 1 || stmts[0].Grade != Weak {
		t.Fatalf("got %+v, want one weak statement", stmts)
	}
	r := Evaluate(stmts, Options{Mode: Consent})
	for _, ur := range r.Uses {
		want := Include
		if ur.Use == TrainGenAI || ur.Use == TrainAI {
			want = Exclude
		}
		if ur.Verdict != Allow || ur.Decision != want {
			t.Errorf("%s: %s/%s, want allow/%s", ur.Use, ur.Verdict, ur.Decision, want)
		}
	}
}

// minimalJPEG returns a small baseline JPEG.
func minimalJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
