package pdq_test

import (
	"image"
	"strconv"
	"testing"

	"github.com/askfirst/askfirst/pdq"
)

// synthPixel is the integer formula the reference vectors were made with: channel
// c of pixel (x, y) of synthetic image seed (blocks, a gradient, noise).
func synthPixel(x, y, c, w, h int, seed uint32) uint8 {
	s := seed*2654435761 ^ uint32(x)*73856093 ^ uint32(y)*19349663 ^ uint32(c)*83492791
	s ^= s << 13
	s ^= s >> 17
	s ^= s << 5
	bx, by := x*5/w, y*3/h
	block := 60
	if (bx+by+int(seed%3)+c)&1 != 0 {
		block = 170
	}
	grad := (x*int(seed%7+1)/(w/8+1) + y*3/(h/8+1)) * 4
	v := block + grad + int(s>>27) - 16
	return uint8(min(max(v, 0), 255))
}

func synthImages(w, h int, seed uint32) (*image.NRGBA, *image.Gray) {
	rgb := image.NewNRGBA(image.Rect(0, 0, w, h))
	grey := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := rgb.PixOffset(x, y)
			for c := range 3 {
				rgb.Pix[i+c] = synthPixel(x, y, c, w, h, seed)
			}
			rgb.Pix[i+3] = 255
			// The reference's grey vectors use the R plane.
			grey.Pix[grey.PixOffset(x, y)] = rgb.Pix[i]
		}
	}
	return rgb, grey
}

// TestReferenceVectors checks bit-exact agreement with the C++ reference on
// identical pixels (testdata/reference/README.md): hash, quality and all
// eight dihedral hashes, for Compute, ComputeDihedral and FromLuma.
func TestReferenceVectors(t *testing.T) {
	recs := readCSV(t, "testdata/reference/synthetic.csv")
	kinds := map[string]int{}
	for _, r := range recs {
		kind := r[0]
		kinds[kind]++
		w, _ := strconv.Atoi(r[1])
		h, _ := strconv.Atoi(r[2])
		seed, _ := strconv.ParseUint(r[3], 10, 32)
		wantQ, _ := strconv.Atoi(r[4])
		wantH := parseHex(t, r[5])
		var wantDih [8]pdq.Hash
		for i := range wantDih {
			wantDih[i] = parseHex(t, r[6+i])
		}
		t.Run(kind+"/"+r[1]+"x"+r[2]+"/"+r[3], func(t *testing.T) {
			rgb, grey := synthImages(w, h, uint32(seed))
			var img image.Image = rgb
			opt := pdq.Options{}
			switch kind {
			case "grey":
				img = grey
			case "tool":
				opt.ToolResize = true
			}
			got, q, err := opt.Compute(img)
			if err != nil {
				t.Fatal(err)
			}
			if got != wantH || q != wantQ {
				t.Errorf("Compute = %v, %d; reference %v, %d", got, q, wantH, wantQ)
			}
			dih, qd, err := opt.ComputeDihedral(img)
			if err != nil {
				t.Fatal(err)
			}
			if qd != wantQ {
				t.Errorf("ComputeDihedral quality = %d, reference %d", qd, wantQ)
			}
			for v := range dih {
				if dih[v] != wantDih[v] {
					t.Errorf("ComputeDihedral %s = %v, reference %v", pdq.VariantName(v), dih[v], wantDih[v])
				}
			}
			if kind == "grey" {
				luma := make([]float32, w*h)
				for i, p := range grey.Pix {
					luma[i] = float32(p)
				}
				lh, lq, err := pdq.FromLuma(luma, w, h)
				if err != nil {
					t.Fatal(err)
				}
				if lh != wantH || lq != wantQ {
					t.Errorf("FromLuma = %v, %d; reference %v, %d", lh, lq, wantH, wantQ)
				}
				ld, _, err := pdq.DihedralFromLuma(luma, w, h)
				if err != nil {
					t.Fatal(err)
				}
				if ld != wantDih {
					t.Errorf("DihedralFromLuma = %v, reference %v", ld, wantDih)
				}
			}
		})
	}
	if kinds["rgb"] == 0 || kinds["grey"] == 0 || kinds["tool"] == 0 {
		t.Errorf("vector kinds %v, want rgb, grey and tool rows", kinds)
	}

	for _, r := range readCSV(t, "testdata/reference/png.csv") {
		t.Run("png/"+r[0]+"/"+r[1], func(t *testing.T) {
			opt := pdq.Options{ToolResize: r[0] == "tool"}
			img := decode(t, "images/misc/"+r[1])
			wantQ, _ := strconv.Atoi(r[2])
			dih, q, err := opt.ComputeDihedral(img)
			if err != nil {
				t.Fatal(err)
			}
			h, _, err := opt.Compute(img)
			if err != nil {
				t.Fatal(err)
			}
			if want := parseHex(t, r[3]); h != want || q != wantQ {
				t.Errorf("Compute = %v, %d; reference %v, %d", h, q, want, wantQ)
			}
			for v := range dih {
				if want := parseHex(t, r[3+v]); dih[v] != want {
					t.Errorf("ComputeDihedral %s = %v, reference %v", pdq.VariantName(v), dih[v], want)
				}
			}
		})
	}
}

func parseHex(t *testing.T, s string) pdq.Hash {
	t.Helper()
	h, err := pdq.ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
