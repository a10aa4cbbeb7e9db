package pdq_test

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	"os"

	"github.com/askfirst/askfirst/pdq"
)

func ExampleCompute() {
	f, err := os.Open("testdata/images/dih/bridge-1-original.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, quality, err := pdq.Compute(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h, quality)

	// The C++ reference's published hash of this file, made from
	// libjpeg's pixels; Go's JPEG decoder differs slightly.
	ref, _ := pdq.ParseHash("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")
	fmt.Println("distance to the reference:", pdq.Distance(h, ref))
	// Output:
	// f8f8f0cee0f4a84f06370a22028f67f0b36e2ed596621e1d33e6b39c4e9c9b22 100
	// distance to the reference: 6
}

func ExampleComputeDihedral() {
	// A synthetic photo-like image and a copy rotated by 90 degrees
	// counterclockwise.
	const w, h = 120, 90
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 40 + x + y/2
			if (x/30+y/45)%2 == 1 {
				v += 80
			}
			img.SetGray(x, y, color.Gray{uint8(v)})
		}
	}
	rot := image.NewGray(image.Rect(0, 0, h, w))
	for y := range w {
		for x := range h {
			rot.SetGray(x, y, img.GrayAt(w-1-y, x))
		}
	}
	hs, _, err := pdq.ComputeDihedral(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	rh, _, err := pdq.Compute(rot)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Plain PDQ does not match the rotated copy; one of the eight
	// variants of the original does.
	for v, vh := range hs {
		fmt.Printf("%-10s %3d\n", pdq.VariantName(v), pdq.Distance(vh, rh))
	}
	// Output:
	// original   132
	// rotate90     0
	// rotate180  134
	// rotate270  128
	// flipx      126
	// flipy      132
	// flipplus1  128
	// flipminus1 128
}

func ExampleDistance() {
	a, _ := pdq.ParseHash("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")
	b, _ := pdq.ParseHash("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
	d := pdq.Distance(a, b)
	fmt.Println(d, d <= 31)
	// Output: 8 true
}

func ExampleFromLuma() {
	// A 64x48 luma image: a bright square on a dark ground.
	const w, h = 64, 48
	luma := make([]float32, w*h)
	for y := range h {
		for x := range w {
			luma[y*w+x] = 30
			if x >= 16 && x < 40 && y >= 12 && y < 36 {
				luma[y*w+x] = 220
			}
		}
	}
	hash, quality, err := pdq.FromLuma(luma, w, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The C++ reference's pdqHash256FromFloatLuma gives the same on this
	// input.
	fmt.Println(hash, quality)
	// Output: 2c4bb0f93079b0791134554b4f0630792c4bcf0630f9cf8630f93079cf06b079 92
}

func ExampleParseHash() {
	_, err := pdq.ParseHash("f8f8f0cc")
	fmt.Println(err)
	// Output: parse pdq hash "f8f8f0cc": malformed pdq hash: length 8, want 64 hex digits
}
