package pdq

import (
	"image"
	"image/color"
)

// Luminance (pdq/cpp/hashing/pdqhashing.cpp and downscaling.cpp,
// fillFloatLumaFromRGB and fillFloatLumaFromGrey): Y = 0.299 R + 0.587 G +
// 0.114 B in float32 from 8-bit R, G, B; one-channel images use the grey
// value itself. Alpha is ignored, as when the reference's decoder hands it
// the R, G, B planes of an RGBA PNG.

// lumaTables hold the three float32 products coefficient*v for v in 0..255,
// exactly the values the reference computes per pixel; the sum is then
// formed in the reference's order (R + G) + B.
var lumaR, lumaG, lumaB = func() (r, g, b [256]float32) {
	const cr, cg, cb = float32(0.299), float32(0.587), float32(0.114)
	for v := range 256 {
		f := float32(v)
		r[v] = float32(cr * f)
		g[v] = float32(cg * f)
		b[v] = float32(cb * f)
	}
	return
}()

func rgbLuma(r, g, b uint8) float32 {
	return float32(lumaR[r]+lumaG[g]) + lumaB[b]
}

// sourceFor returns a rowSource for img, with a fast path for the concrete
// types the standard decoders return. rows and cols are the bounds' size.
func sourceFor(img image.Image) pixelSource {
	switch m := img.(type) {
	case *image.YCbCr:
		return ycbcrSource{m}
	case *image.Gray:
		return graySource{m}
	case *image.NRGBA:
		return rgba8Source{m.Pix, m.Stride, m.Rect}
	case *image.RGBA:
		// Premultiplied; for opaque pixels (all JPEGs, most PNGs) the same
		// as the decoder's R, G, B.
		return rgba8Source{m.Pix, m.Stride, m.Rect}
	case *image.Gray16:
		return gray16Source{m}
	case *image.Paletted:
		return newPalettedSource(m)
	default:
		return genericSource{img}
	}
}

type ycbcrSource struct{ m *image.YCbCr }

func (s ycbcrSource) row(y int, dst []float32) {
	m := s.m
	r := m.Rect
	yy := r.Min.Y + y
	yRow := m.Y[y*m.YStride:]
	yRow = yRow[:len(dst)]
	var hShift, vShift uint
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hShift = 1
	case image.YCbCrSubsampleRatio420:
		hShift, vShift = 1, 1
	case image.YCbCrSubsampleRatio440:
		vShift = 1
	case image.YCbCrSubsampleRatio411:
		hShift = 2
	case image.YCbCrSubsampleRatio410:
		hShift, vShift = 2, 1
	}
	if r.Min.X < 0 || r.Min.Y < 0 {
		// image.YCbCr.COffset divides, truncating toward zero; shifts
		// would round negative coordinates the other way.
		for x := range dst {
			ci := m.COffset(r.Min.X+x, yy)
			R, G, B := color.YCbCrToRGB(yRow[x], m.Cb[ci], m.Cr[ci])
			dst[x] = rgbLuma(R, G, B)
		}
		return
	}
	// Same offsets as COffset for non-negative coordinates.
	cOff := (yy>>vShift - r.Min.Y>>vShift) * m.CStride
	cx0 := r.Min.X >> hShift
	cb := m.Cb[cOff:]
	cr := m.Cr[cOff:]
	for x, yv := range yRow {
		ci := (r.Min.X+x)>>hShift - cx0
		dst[x] = yccLuma(yv, cb[ci], cr[ci])
	}
}

// yccLuma is rgbLuma(color.YCbCrToRGB(y, cb, cr)), the pixels Go's JPEG
// decoder yields, without branches: the standard library clamps each
// 16.16 fixed-point channel value v to [0, 0xffffff] and keeps v>>16, which
// equals clamping v>>16 to [0, 255]; the clamped tables below are indexed
// by v>>16 directly. TestYCCLuma compares all 2^24 inputs.
func yccLuma(y, cb, cr uint8) float32 {
	yy1 := int32(y) * 0x10101
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	r := (yy1+91881*cr1)>>16 + clampOffset
	g := (yy1-22554*cb1-46802*cr1)>>16 + clampOffset
	b := (yy1+116130*cb1)>>16 + clampOffset
	return float32(lumaRc[r&clampMask]+lumaGc[g&clampMask]) + lumaBc[b&clampMask]
}

// The channel values v>>16 of yccLuma lie in [-227, 481]; the tables cover
// [-clampOffset, clampOffset) and hold the luma products of the clamped
// channel.
const (
	clampOffset = 512
	clampMask   = 2*clampOffset - 1
)

var lumaRc, lumaGc, lumaBc = func() (r, g, b [2 * clampOffset]float32) {
	for i := range r {
		c := uint8(min(max(i-clampOffset, 0), 255))
		r[i], g[i], b[i] = lumaR[c], lumaG[c], lumaB[c]
	}
	return
}()

func (s ycbcrSource) lumaAt(x, y int) float32 {
	m := s.m
	xx, yy := m.Rect.Min.X+x, m.Rect.Min.Y+y
	ci := m.COffset(xx, yy)
	return yccLuma(m.Y[m.YOffset(xx, yy)], m.Cb[ci], m.Cr[ci])
}

type graySource struct{ m *image.Gray }

func (s graySource) lumaAt(x, y int) float32 {
	return float32(s.m.Pix[y*s.m.Stride+x])
}

func (s graySource) row(y int, dst []float32) {
	p := s.m.Pix[y*s.m.Stride:]
	for x := range dst {
		dst[x] = float32(p[x])
	}
}

type gray16Source struct{ m *image.Gray16 }

func (s gray16Source) lumaAt(x, y int) float32 {
	return float32(s.m.Pix[y*s.m.Stride+2*x])
}

func (s gray16Source) row(y int, dst []float32) {
	p := s.m.Pix[y*s.m.Stride:]
	for x := range dst {
		dst[x] = float32(p[2*x]) // high byte, as an 8-bit decoder keeps
	}
}

type rgba8Source struct {
	pix    []uint8
	stride int
	rect   image.Rectangle
}

func (s rgba8Source) lumaAt(x, y int) float32 {
	i := y*s.stride + 4*x
	return rgbLuma(s.pix[i], s.pix[i+1], s.pix[i+2])
}

func (s rgba8Source) row(y int, dst []float32) {
	p := s.pix[y*s.stride : y*s.stride+4*len(dst)]
	for x := range dst {
		q := p[4*x : 4*x+3 : 4*x+3]
		dst[x] = rgbLuma(q[0], q[1], q[2])
	}
}

type palettedSource struct {
	m    *image.Paletted
	luma [256]float32
}

func newPalettedSource(m *image.Paletted) *palettedSource {
	s := &palettedSource{m: m}
	for i, c := range m.Palette {
		if i >= 256 {
			break
		}
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		s.luma[i] = rgbLuma(n.R, n.G, n.B)
	}
	return s
}

func (s *palettedSource) lumaAt(x, y int) float32 {
	return s.luma[s.m.Pix[y*s.m.Stride+x]]
}

func (s *palettedSource) row(y int, dst []float32) {
	p := s.m.Pix[y*s.m.Stride:]
	for x := range dst {
		dst[x] = s.luma[p[x]]
	}
}

// genericSource reads any image through At, converting to non-premultiplied
// 8-bit R, G, B (what a decoder hands the reference). It is slow but exact
// for every color model the standard library knows.
type genericSource struct{ m image.Image }

func (s genericSource) row(y int, dst []float32) {
	for x := range dst {
		dst[x] = s.lumaAt(x, y)
	}
}

func (s genericSource) lumaAt(x, y int) float32 {
	b := s.m.Bounds()
	c := s.m.At(b.Min.X+x, b.Min.Y+y)
	switch c := c.(type) {
	case color.Gray:
		return float32(c.Y)
	case color.Gray16:
		return float32(c.Y >> 8)
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return rgbLuma(n.R, n.G, n.B)
}

// sliceSource serves rows of a row-major luma slice.
type sliceSource struct {
	luma []float32
	cols int
}

func (s sliceSource) row(y int, dst []float32) {
	copy(dst, s.luma[y*s.cols:(y+1)*s.cols])
}

func (s sliceSource) lumaAt(x, y int) float32 {
	return s.luma[y*s.cols+x]
}

// pixelSource is a rowSource that can also read single pixels.
type pixelSource interface {
	rowSource
	// lumaAt returns the luma of the pixel in column x, row y (relative
	// to the image's origin).
	lumaAt(x, y int) float32
}

// nearestSource resizes another source to rows x cols by nearest-neighbour
// sampling, the way the reference tool shrinks large images before hashing
// (pdq/cpp/io/pdqio.cpp, DOWNSAMPLE_DIMS, with CImg's resize, whose default
// interpolation is nearest neighbour): output index i reads input index
// floor(i*in/out). Only the sampled pixels are converted.
type nearestSource struct {
	in      pixelSource
	inRows  int
	outRows int
	xmap    []int
}

func newNearestSource(in pixelSource, inRows, inCols, outRows, outCols int) *nearestSource {
	s := &nearestSource{in: in, inRows: inRows, outRows: outRows, xmap: make([]int, outCols)}
	for i := range s.xmap {
		s.xmap[i] = i * inCols / outCols
	}
	return s
}

func (s *nearestSource) row(y int, dst []float32) {
	sy := y * s.inRows / s.outRows
	for x, sx := range s.xmap {
		dst[x] = s.in.lumaAt(sx, sy)
	}
}
