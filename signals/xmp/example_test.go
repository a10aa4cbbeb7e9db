package xmp_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/askfirst/askfirst/signals/xmp"
)

func ExampleRead() {
	// A PNG whose XMP reserves AI/ML training.
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	img, err := xmp.EmbedPNG(b.Bytes(), xmp.Reservation{DataMining: xmp.ProhibitedAIMLTraining})
	if err != nil {
		panic(err)
	}

	r, err := xmp.Read(img)
	if err != nil {
		panic(err)
	}
	for _, s := range r.DataMining {
		fmt.Println(s.Value, "in", s.Location.Container, s.Location.Segment)
	}
	// Output:
	// DMI-PROHIBITED-AIMLTRAINING in png iTXt XML:com.adobe.xmp
}

func ExampleParseValue() {
	for _, raw := range []string{
		"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING",
		"dmi-prohibited",
		"no thanks",
	} {
		v, exact, ok := xmp.ParseValue(raw)
		fmt.Printf("%q -> %q exact=%v ok=%v\n", raw, v, exact, ok)
	}
	// Output:
	// "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING" -> "DMI-PROHIBITED-GENAIMLTRAINING" exact=true ok=true
	// "dmi-prohibited" -> "DMI-PROHIBITED" exact=false ok=true
	// "no thanks" -> "" exact=false ok=false
}
