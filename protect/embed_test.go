package protect_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals/xmp"
)

func TestEmbed(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	img := b.Bytes()
	pdf, err := os.ReadFile("../signals/xmp/testdata/pdf-exiftool.pdf")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		data    []byte
		p       protect.Policy
		wrote   string
		warn    string
		wantErr error
	}{
		{"png", img, protect.Policy{Uses: uses("train-ai", "deny")}, "plus:DataMining " + xmp.ProhibitedAIMLTraining.URI(), "", nil},
		{"png with a licence", img, protect.Policy{Uses: uses("train-ai", "license", "ai-input", "license", "search", "license"), Offer: policy().Offer},
			"plus:OtherConstraints AI-use licence: " + terms + " (0.05 EUR per item)", "", nil},
		{"png, inexpressible", img, protect.Policy{Uses: uses("ai-input", "deny")}, "", "", protect.ErrInexpressible},
		{"pdf: IPTC and TDMRep, replacing a value", pdf, protect.Policy{Uses: uses("train-ai", "deny", "ai-input", "deny", "search", "allow")},
			"tdm:reservation 1", "DMI-PROHIBITED-AIMLTRAINING before; replaced", nil},
		{"pdf: TDMRep alone", pdf, protect.Policy{Uses: uses("train-ai", "license", "ai-input", "license"), Offer: policy().Offer},
			"tdm:policy " + terms, "iptc: does not state", nil},
		{"text", []byte("hello"), protect.Policy{Uses: uses("train-ai", "deny")}, "", "", protect.ErrUnsupported},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := protect.Embed(tt.data, tt.p, protect.EmbedOptions{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Embed = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(e.Wrote, "\n"), tt.wrote) {
				t.Errorf("wrote %q, want %q", e.Wrote, tt.wrote)
			}
			var warns []string
			for _, w := range e.Warnings {
				warns = append(warns, w.String())
			}
			if tt.warn != "" && !strings.Contains(strings.Join(warns, "\n"), tt.warn) {
				t.Errorf("warnings %q, want %q", warns, tt.warn)
			}
		})
	}
}
