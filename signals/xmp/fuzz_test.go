package xmp_test

import (
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/signals/xmp"
)

var update = flag.Bool("update", false, "rewrite the sample files in testdata")

// samples are one file per container, written to testdata with -update and
// used as fuzz seeds.
func samples(t testing.TB) map[string][]byte {
	p := dmPacket("DMI-PROHIBITED-AIMLTRAINING")
	ext := []byte(dmPacket("DMI-PROHIBITED-GENAIMLTRAINING"))
	guid := guidOf(ext)
	ref := packetWith(`<rdf:Description rdf:about="" xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="` + guid + `"/>`)
	return map[string][]byte{
		"main.jpg":       jpegWith(t, mainXMPSegment(p)),
		"extended.jpg":   jpegWith(t, append([][]byte{mainXMPSegment(ref)}, extendedSegments(guid, ext, 150, nil)...)...),
		"itxt.png":       pngWith(t, iTXt(xmp.PNGKeyword, []byte(p), true)),
		"rawprofile.png": pngWith(t, zTXt("Raw profile type xmp", rawProfile([]byte(p)))),
		"xmp.webp":       webpWith(riffChunk("XMP ", []byte(p))),
		"le.tif":         tiffWith(binary.LittleEndian, false, []byte(p)),
		"be.tif":         tiffWith(binary.BigEndian, false, []byte(p)),
		"big.tif":        tiffWith(binary.LittleEndian, true, []byte(p)),
		"xmp.gif":        gifWith(t, []byte(p)),
	}
}

func TestSamples(t *testing.T) {
	for name, b := range samples(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		stored, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		r, err := xmp.Read(stored)
		if err != nil {
			t.Errorf("Read(%s): %v", path, err)
			continue
		}
		if len(r.DataMining) != 1 || r.DataMining[0].Value == "" {
			t.Errorf("Read(%s) = %+v, want one recognised value", path, r.DataMining)
		}
	}
}

func seeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, b := range samples(f) {
		f.Add(b)
	}
}

func FuzzRead(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, _ := xmp.Read(b)
		if r == nil {
			t.Fatal("Read returned a nil Result")
		}
		for _, s := range r.DataMining {
			if s.Location.Container != r.Format {
				t.Errorf("statement from %q in a %q file", s.Location.Container, r.Format)
			}
			if s.Value != "" {
				if v, _, ok := xmp.ParseValue(s.Raw); !ok || v != s.Value {
					t.Errorf("value %q reported as %q", s.Raw, s.Value)
				}
			}
		}
	})
}

func FuzzParsePacket(f *testing.F) {
	f.Add([]byte(dmPacket("DMI-PROHIBITED")))
	f.Add([]byte(packetWith(`<rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining><rdf:Bag><rdf:li>DMI-ALLOWED</rdf:li></rdf:Bag></plus:DataMining></rdf:Description>`)))
	f.Add([]byte("<a><b>&amp;</b"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := xmp.ParsePacket(b)
		if p == nil {
			t.Fatalf("ParsePacket returned nil properties (err %v)", err)
		}
		if len(p.DataMining) > xmp.MaxValues || len(p.OtherConstraints) > xmp.MaxValues {
			t.Errorf("ParsePacket kept %d/%d values, cap %d", len(p.DataMining), len(p.OtherConstraints), xmp.MaxValues)
		}
	})
}

// FuzzEmbed checks that writing into any input either fails or yields a
// file that reads back exactly the value written.
func FuzzEmbed(f *testing.F) {
	seeds(f)
	f.Add(plainJPEG(f))
	f.Add(plainPNG(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		res := xmp.Reservation{DataMining: xmp.ProhibitedAIMLTraining}
		for _, embed := range []func([]byte, xmp.Reservation) ([]byte, error){xmp.EmbedJPEG, xmp.EmbedPNG} {
			out, err := embed(b, res)
			if err != nil {
				continue
			}
			r, _ := xmp.Read(out)
			found := false
			for _, s := range r.DataMining {
				if s.Value != xmp.ProhibitedAIMLTraining {
					t.Fatalf("embedded %s, read back %q", res.DataMining, s.Raw)
				}
				found = true
			}
			if !found {
				t.Fatalf("embedded %s, read back nothing: %+v", res.DataMining, r)
			}
		}
	})
}
