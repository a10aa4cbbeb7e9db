package iscc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Image preprocessing for the Image-Code (ISO 24138 clause 5.4 takes 32×32
// grey pixels; how to get them from a file is left to the application). This
// file reproduces iscc-sdk's image_normalize, so that a code computed here
// agrees with one computed by the reference SDK (Python, Pillow):
//
//  1. apply the EXIF Orientation (Pillow ImageOps.exif_transpose);
//  2. flatten alpha transparency onto white (image_fill_transparency);
//  3. trim a uniform border, the colour of the top-left pixel
//     (image_trim_border);
//  4. convert to grey with ITU-R 601-2 luma in Pillow's fixed point;
//  5. resize to 32×32 with Pillow's bicubic convolution (Resample.c).
//
// Steps 2 to 5 are bit-exact with Pillow for the pixels they are given. The
// decoders are not all bit-exact with Pillow's (libjpeg-turbo, libwebp): see
// ImagePixelsFromReader.

// Limits on untrusted images.
const (
	// MaxImagePixels is the largest image, in pixels, that is decoded
	// (iscc-sdk's image_max_pixels default, 128 megapixels).
	MaxImagePixels = 128_000_000
	// MaxImageFileSize is the largest encoded image ImagePixelsFromReader
	// reads.
	MaxImageFileSize = 256 << 20
)

// ErrImageTooLarge is returned for an image over MaxImagePixels pixels or
// MaxImageFileSize bytes.
var ErrImageTooLarge = errors.New("image too large")

// ImageFormats lists the encoded formats ImagePixelsFromReader decodes.
var imageDecoders = []struct {
	name   string
	magic  func([]byte) bool
	decode func(io.Reader) (image.Image, error)
	config func(io.Reader) (image.Config, error)
}{
	{"jpeg", func(b []byte) bool { return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) }, jpeg.Decode, jpeg.DecodeConfig},
	{"png", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }, png.Decode, png.DecodeConfig},
	{"gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}, gif.Decode, gif.DecodeConfig},
	{"webp", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }, webp.Decode, webp.DecodeConfig},
	{"bmp", func(b []byte) bool { return bytes.HasPrefix(b, []byte("BM")) }, bmp.Decode, bmp.DecodeConfig},
	{"tiff", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*"))
	}, tiff.Decode, tiff.DecodeConfig},
}

// ImageFormat reports the name of the image format ImagePixelsFromReader
// would decode data as ("jpeg", "png", "gif", "webp", "bmp", "tiff"), from
// its leading bytes, or "" if none.
func ImageFormat(data []byte) string {
	for _, f := range imageDecoders {
		if f.magic(data) {
			return f.name
		}
	}
	return ""
}

// ImagePixelsFromReader reads an encoded image (JPEG, PNG, GIF, WebP, BMP or
// TIFF; the first frame of an animation) of at most MaxImageFileSize bytes,
// applies its EXIF orientation and returns the 1024 normalised grey pixels
// for GenImageCode together with the decoded image as displayed (orientation
// applied), for other hashes such as PDQ.
//
// Lossless formats (PNG, GIF, BMP, TIFF, lossless WebP) give exactly the
// pixels iscc-sdk gives. JPEG and lossy WebP are decoded by Go's decoders,
// whose inverse DCT, chroma upsampling and YCbCr conversion differ from
// libjpeg-turbo's and libwebp's by a unit here and there; after the 32×32
// reduction a few grey values may differ by one, which flips an Image-Code
// bit only rarely.
//
// It returns an error wrapping ErrImageTooLarge for an oversized input.
func ImagePixelsFromReader(r io.Reader) ([]byte, image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read image: %w", err)
	}
	if len(data) > MaxImageFileSize {
		return nil, nil, fmt.Errorf("read image: %w: over %d bytes", ErrImageTooLarge, MaxImageFileSize)
	}
	format := ImageFormat(data)
	if format == "" {
		return nil, nil, errors.New("decode image: unknown format")
	}
	var f = imageDecoders[0]
	for _, ff := range imageDecoders {
		if ff.name == format {
			f = ff
		}
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, nil, fmt.Errorf("decode %s: empty image %dx%d", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, nil, fmt.Errorf("decode %s: %w: %dx%d is over %d pixels", format, ErrImageTooLarge, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", format, err)
	}
	orientation := ExifOrientation(data)
	// Pillow keeps a PNG's tRNS colour key of a grey or RGB image as
	// metadata only; iscc-sdk does not whiten it. Go turns it into alpha.
	opaque := format == "png" && len(data) > 25 && (data[25] == 0 || data[25] == 2)
	rgb := imageFlatten(img, opaque, format == "webp")
	rgb = rgb.transpose(orientation)
	return imageNormalize(rgb), rgb.image(), nil
}

// NormalizeImage returns the 1024 grey values (32×32, row-major) that iscc-sdk's
// image_normalize computes for img, a decoded image stored with the EXIF
// orientation given (1 to 8; any other value means 1), ready for
// GenImageCode.
func NormalizeImage(img image.Image, orientation int) ([]byte, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("image pixels: empty image %dx%d", b.Dx(), b.Dy())
	}
	if int64(b.Dx())*int64(b.Dy()) > MaxImagePixels {
		return nil, fmt.Errorf("image pixels: %w: %dx%d is over %d pixels", ErrImageTooLarge, b.Dx(), b.Dy(), MaxImagePixels)
	}
	return imageNormalize(imageFlatten(img, false, false).transpose(orientation)), nil
}

// imageNormalize trims, greys and resizes an opaque RGB image.
func imageNormalize(rgb *rgbImage) []byte {
	return pillowResizeBicubic(rgb.trim().grey(), 32, 32).pix
}

// rgbImage is an opaque 8-bit RGB image, 3 bytes per pixel, row-major.
type rgbImage struct {
	w, h int
	pix  []byte
}

// greyImage is an 8-bit grey image, row-major.
type greyImage struct {
	w, h int
	pix  []byte
}

// image returns m as an image.Image.
func (m *rgbImage) image() image.Image {
	out := image.NewRGBA(image.Rect(0, 0, m.w, m.h))
	for i, j := 0, 0; i < len(m.pix); i, j = i+3, j+4 {
		out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = m.pix[i], m.pix[i+1], m.pix[i+2], 255
	}
	return out
}

// pillowBlendWhite composites channel value v with alpha a onto white exactly as
// Pillow's paste with an "L" mask does (Paste.c, BLEND with 8-bit rounding).
func pillowBlendWhite(v, a uint32) byte {
	t := v*a + 255*(255-a) + 128
	return byte(((t >> 8) + t) >> 8)
}

// imageClip8 clamps v to 0..255.
func imageClip8(v int) byte {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return byte(v)
}

// imageFlatten converts img to 8-bit RGB the way Pillow's Image.open and
// iscc-sdk's image_fill_transparency do: alpha (RGBA, LA, palette
// transparency) is blended onto white, 16-bit samples keep their high byte,
// 16-bit grey is clipped to 0..255 as Pillow's I→RGB conversion does, CMYK
// uses Pillow's cmyk2rgb. If opaque, alpha is ignored. YCbCr images are
// upsampled and converted as libjpeg-turbo does for JPEG, or as libwebp does
// if webpYUV.
func imageFlatten(img image.Image, opaque, webpYUV bool) *rgbImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := &rgbImage{w: w, h: h, pix: make([]byte, 3*w*h)}
	set := func(x, y int, r, g, bl byte) {
		i := 3 * (y*w + x)
		out.pix[i], out.pix[i+1], out.pix[i+2] = r, g, bl
	}
	setAlpha := func(x, y int, r, g, bl, a uint8) {
		if opaque || a == 255 {
			set(x, y, r, g, bl)
			return
		}
		A := uint32(a)
		set(x, y, pillowBlendWhite(uint32(r), A), pillowBlendWhite(uint32(g), A), pillowBlendWhite(uint32(bl), A))
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := m.Pix[y*m.Stride+x]
				set(x, y, v, v, v)
			}
		}
	case *image.Gray16:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*m.Stride + 2*x
				v := imageClip8(int(m.Pix[i])<<8 | int(m.Pix[i+1]))
				set(x, y, v, v, v)
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := m.Pix[y*m.Stride+4*x:]
				setAlpha(x, y, p[0], p[1], p[2], p[3])
			}
		}
	case *image.NRGBA64:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := m.Pix[y*m.Stride+8*x:]
				setAlpha(x, y, p[0], p[2], p[4], p[6])
			}
		}
	case *image.RGBA64:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := m.Pix[y*m.Stride+8*x:]
				if p[6] == 0xff && p[7] == 0xff {
					set(x, y, p[0], p[2], p[4])
					continue
				}
				c := color.NRGBA64Model.Convert(m.RGBA64At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
				setAlpha(x, y, uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8), uint8(c.A>>8))
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := m.Pix[y*m.Stride+4*x:]
				if p[3] == 255 {
					set(x, y, p[0], p[1], p[2])
					continue
				}
				c := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], p[3]}).(color.NRGBA)
				setAlpha(x, y, c.R, c.G, c.B, c.A)
			}
		}
	case *image.CMYK:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := m.Pix[y*m.Stride+4*x:]
				set(x, y, pillowCMYKChannel(p[0], p[3]), pillowCMYKChannel(p[1], p[3]), pillowCMYKChannel(p[2], p[3]))
			}
		}
	case *image.YCbCr:
		ycc := yccUpsampler(m, webpYUV)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl := ycc(x, y)
				set(x, y, r, g, bl)
			}
		}
	case *image.NYCbCrA:
		ycc := yccUpsampler(&m.YCbCr, webpYUV)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl := ycc(x, y)
				setAlpha(x, y, r, g, bl, m.A[m.AOffset(b.Min.X+x, b.Min.Y+y)])
			}
		}
	case *image.Paletted:
		pal := make([]color.NRGBA, len(m.Palette))
		for i, c := range m.Palette {
			pal[i] = color.NRGBAModel.Convert(c).(color.NRGBA)
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				idx := int(m.Pix[y*m.Stride+x])
				c := color.NRGBA{A: 255}
				if idx < len(pal) {
					c = pal[idx]
				}
				setAlpha(x, y, c.R, c.G, c.B, c.A)
			}
		}
	default: // anything else: via non-premultiplied 8-bit
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				setAlpha(x, y, c.R, c.G, c.B, c.A)
			}
		}
	}
	return out
}

// pillowCMYKChannel is Pillow's cmyk2rgb for one channel: (255−k) − c·(255−k)/255
// with Pillow's rounded division by 255.
func pillowCMYKChannel(c, k byte) byte {
	nk := 255 - int(k)
	t := int(c)*nk + 128
	return imageClip8(nk - ((t>>8)+t)>>8)
}

// jpegYCbCrToRGB converts JFIF YCbCr to RGB with libjpeg's fixed-point
// arithmetic (jdcolor.c: 16 fraction bits, rounding constants folded into
// the tables), which differs from Go's color.YCbCrToRGB in rounding.
func jpegYCbCrToRGB(y, cb, cr uint8) (byte, byte, byte) {
	const (
		scaleBits = 16
		half      = 1 << (scaleBits - 1)
		fixCrR    = 91881  // FIX(1.40200)
		fixCbB    = 116130 // FIX(1.77200)
		fixCrG    = 46802  // FIX(0.71414)
		fixCbG    = 22554  // FIX(0.34414)
	)
	Y, Cb, Cr := int(y), int(cb)-128, int(cr)-128
	r := Y + (fixCrR*Cr+half)>>scaleBits
	g := Y + (-fixCbG*Cb-fixCrG*Cr+half)>>scaleBits
	b := Y + (fixCbB*Cb+half)>>scaleBits
	return imageClip8(r), imageClip8(g), imageClip8(b)
}

// transpose applies EXIF orientation o (TIFF 6.0 tag 274) as Pillow's
// ImageOps.exif_transpose does: 2 mirror, 3 rotate 180°, 4 flip, 5
// transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90°
// counter-clockwise.
func (m *rgbImage) transpose(o int) *rgbImage {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.w, m.h
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := &rgbImage{w: ow, h: oh, pix: make([]byte, len(m.pix))}
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(out.pix[3*(y*ow+x):3*(y*ow+x)+3], m.pix[3*(sy*w+sx):3*(sy*w+sx)+3])
		}
	}
	return out
}

// trim crops m to the bounding box of the pixels that differ from the
// top-left pixel, as iscc-sdk's image_trim_border does; an image with no
// such pixel is returned whole.
func (m *rgbImage) trim() *rgbImage {
	r0, g0, b0 := m.pix[0], m.pix[1], m.pix[2]
	x0, y0, x1, y1 := m.w, m.h, -1, -1
	for y := 0; y < m.h; y++ {
		row := m.pix[3*y*m.w : 3*(y+1)*m.w]
		for x := 0; x < m.w; x++ {
			if row[3*x] != r0 || row[3*x+1] != g0 || row[3*x+2] != b0 {
				x0, x1 = min(x0, x), max(x1, x)
				y0, y1 = min(y0, y), max(y1, y)
			}
		}
	}
	if x1 < 0 || (x0 == 0 && y0 == 0 && x1 == m.w-1 && y1 == m.h-1) {
		return m
	}
	w, h := x1-x0+1, y1-y0+1
	out := &rgbImage{w: w, h: h, pix: make([]byte, 3*w*h)}
	for y := 0; y < h; y++ {
		copy(out.pix[3*y*w:3*(y+1)*w], m.pix[3*((y0+y)*m.w+x0):3*((y0+y)*m.w+x0+w)])
	}
	return out
}

// grey converts m to grey with ITU-R 601-2 luma in Pillow's fixed point
// (Convert.c rgb2l: L = (19595·R + 38470·G + 7471·B + 0x8000) >> 16).
func (m *rgbImage) grey() *greyImage {
	out := &greyImage{w: m.w, h: m.h, pix: make([]byte, m.w*m.h)}
	for i := range out.pix {
		p := m.pix[3*i : 3*i+3]
		out.pix[i] = byte((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 0x8000) >> 16)
	}
	return out
}

// pillowPrecisionBits is Pillow's fixed-point precision for 8-bit resampling
// (Resample.c PRECISION_BITS = 32 − 8 − 2).
const pillowPrecisionBits = 32 - 8 - 2

// pillowBicubic is the Keys cubic convolution kernel with a = −0.5, support 2.
// Each product is converted explicitly so the compiler cannot fuse it into
// an FMA, which would round differently from Pillow's C build.
func pillowBicubic(x float64) float64 {
	const a = -0.5
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return float64(float64(float64(float64((a+2.0)*x)-(a+3.0))*x)*x) + 1
	}
	if x < 2 {
		return float64(float64(float64(float64(x-5)*x)+8)*x-4) * a
	}
	return 0
}

// pillowResampleCoeffs computes, for each of outSize output samples, the first
// input sample, the number of input samples and their fixed-point weights,
// as Pillow's precompute_coeffs and normalize_coeffs_8bpc do for a box
// covering the whole input.
func pillowResampleCoeffs(inSize, outSize int) (bounds []int, kk []int32, ksize int) {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1.0)
	support := 2.0 * filterscale
	ksize = int(math.Ceil(support))*2 + 1
	bounds = make([]int, 2*outSize)
	kk = make([]int32, outSize*ksize)
	k := make([]float64, ksize)
	for xx := 0; xx < outSize; xx++ {
		center := float64((float64(xx) + 0.5) * scale)
		ss := 1.0 / filterscale
		xmin := int(center - support + 0.5)
		xmin = max(xmin, 0)
		xmax := int(center + support + 0.5)
		xmax = min(xmax, inSize) - xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			w := pillowBicubic(float64((float64(x+xmin) - center + 0.5) * ss))
			k[x] = w
			ww += w
		}
		for x := 0; x < xmax; x++ {
			if ww != 0 {
				k[x] /= ww
			}
			f := float64(k[x] * (1 << pillowPrecisionBits))
			if k[x] < 0 {
				kk[xx*ksize+x] = int32(-0.5 + f)
			} else {
				kk[xx*ksize+x] = int32(0.5 + f)
			}
		}
		bounds[2*xx], bounds[2*xx+1] = xmin, xmax
	}
	return bounds, kk, ksize
}

// pillowClipFixed turns an accumulated fixed-point sample into a byte.
func pillowClipFixed(ss int32) byte {
	v := ss >> pillowPrecisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return byte(v)
}

// pillowResizeBicubic resizes m to w×h as Pillow's Image.resize with BICUBIC does
// for an "L" image (Resample.c ImagingResampleInner): a horizontal pass over
// the rows the vertical pass needs, rounded to 8 bits, then a vertical pass.
func pillowResizeBicubic(m *greyImage, w, h int) *greyImage {
	needH := w != m.w
	needV := h != m.h
	hb, hk, hks := pillowResampleCoeffs(m.w, w)
	vb, vk, vks := pillowResampleCoeffs(m.h, h)
	src := m
	if needH {
		first := vb[0]
		last := vb[2*h-2] + vb[2*h-1]
		tmp := &greyImage{w: w, h: last - first, pix: make([]byte, w*(last-first))}
		for y := 0; y < tmp.h; y++ {
			row := m.pix[(y+first)*m.w : (y+first+1)*m.w]
			for xx := 0; xx < w; xx++ {
				xmin, n := hb[2*xx], hb[2*xx+1]
				k := hk[xx*hks : xx*hks+n]
				ss := int32(1 << (pillowPrecisionBits - 1))
				for x, c := range k {
					ss += int32(row[xmin+x]) * c
				}
				tmp.pix[y*w+xx] = pillowClipFixed(ss)
			}
		}
		for i := 0; i < h; i++ {
			vb[2*i] -= first
		}
		src = tmp
	}
	if !needV {
		return src
	}
	out := &greyImage{w: src.w, h: h, pix: make([]byte, src.w*h)}
	for yy := 0; yy < h; yy++ {
		ymin, n := vb[2*yy], vb[2*yy+1]
		k := vk[yy*vks : yy*vks+n]
		for xx := 0; xx < src.w; xx++ {
			ss := int32(1 << (pillowPrecisionBits - 1))
			for y, c := range k {
				ss += int32(src.pix[(ymin+y)*src.w+xx]) * c
			}
			out.pix[yy*src.w+xx] = pillowClipFixed(ss)
		}
	}
	return out
}

// yccUpsampler returns the RGB colour of pixel (x, y) (relative to the
// bounds' origin) of m, upsampling chroma and converting colour the way
// libjpeg-turbo (JPEG, the default "fancy" upsampling of jdsample.c) or
// libwebp (WebP, the fancy upsampler of dsp/upsampling.c) do, since Pillow
// decodes with those libraries.
func yccUpsampler(m *image.YCbCr, webpYUV bool) func(x, y int) (byte, byte, byte) {
	b := m.Bounds()
	sx, sy := 1, 1 // subsampling factors
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio420:
		sx, sy = 2, 2
	case image.YCbCrSubsampleRatio422:
		sx = 2
	case image.YCbCrSubsampleRatio440:
		sy = 2
	case image.YCbCrSubsampleRatio411:
		sx = 4
	case image.YCbCrSubsampleRatio410:
		sx, sy = 4, 2
	}
	cw, ch := (b.Dx()+sx-1)/sx, (b.Dy()+sy-1)/sy // chroma plane size
	convert := jpegYCbCrToRGB
	if webpYUV {
		convert = webpYUVToRGB
	}
	// Chroma planes of an image whose bounds do not start at a multiple of
	// the subsampling, or other ratios: nearest sample, as Go does.
	if b.Min.X%sx != 0 || b.Min.Y%sy != 0 || (webpYUV && (sx != 2 || sy != 2)) || (sx != 2 && sy != 2) || sx > 2 {
		return func(x, y int) (byte, byte, byte) {
			ci := m.COffset(b.Min.X+x, b.Min.Y+y)
			return convert(m.Y[m.YOffset(b.Min.X+x, b.Min.Y+y)], m.Cb[ci], m.Cr[ci])
		}
	}
	// Go's planes start at the bounds' origin for decoded images.
	if webpYUV {
		return func(x, y int) (byte, byte, byte) {
			u, v := webpFancy(m.Cb, m.CStride, x, y, cw, ch), webpFancy(m.Cr, m.CStride, x, y, cw, ch)
			return convert(m.Y[y*m.YStride+x], uint8(u), uint8(v))
		}
	}
	return func(x, y int) (byte, byte, byte) {
		u, v := jpegFancy(m.Cb, m.CStride, x, y, sx, sy, cw, ch), jpegFancy(m.Cr, m.CStride, x, y, sx, sy, cw, ch)
		return convert(m.Y[y*m.YStride+x], uint8(u), uint8(v))
	}
}

// jpegFancy is libjpeg-turbo's fancy upsampling of one chroma sample for
// output pixel (x, y): triangular weights 3/4 and 1/4 towards the nearer and
// the further input sample, with its alternating rounding biases; edge rows
// and columns repeat the outermost sample.
func jpegFancy(p []byte, stride, x, y, sx, sy, cw, ch int) int {
	c := func(cx, cy int) int { return int(p[cy*stride+cx]) }
	clampX := func(v int) int { return max(0, min(v, cw-1)) }
	clampY := func(v int) int { return max(0, min(v, ch-1)) }
	switch {
	case sx == 2 && sy == 2: // h2v2_fancy_upsample
		cy := y / 2
		far := clampY(cy - 1)
		if y%2 == 1 {
			far = clampY(cy + 1)
		}
		col := func(cx int) int { return 3*c(cx, cy) + c(cx, far) }
		cx := x / 2
		this := col(cx)
		if x%2 == 0 {
			if cx == 0 {
				return (this*4 + 8) >> 4
			}
			return (this*3 + col(cx-1) + 8) >> 4
		}
		if cx == cw-1 {
			return (this*4 + 7) >> 4
		}
		return (this*3 + col(cx+1) + 7) >> 4
	case sx == 2: // h2v1_fancy_upsample
		cx, cy := x/2, y
		v := c(cx, cy)
		if x%2 == 0 {
			if cx == 0 {
				return v
			}
			return (3*v + c(cx-1, cy) + 1) >> 2
		}
		if cx == cw-1 {
			return v
		}
		return (3*v + c(clampX(cx+1), cy) + 2) >> 2
	default: // h1v2_fancy_upsample
		cx, cy := x, y/2
		if y%2 == 0 {
			return (3*c(cx, cy) + c(cx, clampY(cy-1)) + 1) >> 2
		}
		return (3*c(cx, cy) + c(cx, clampY(cy+1)) + 2) >> 2
	}
}

// webpFancy is libwebp's fancy upsampling of one 4:2:0 chroma sample for
// output pixel (x, y): weights 9/16, 3/16, 3/16, 1/16 of the nearest four
// samples, computed in libwebp's order and rounding; the first row and
// column and the last ones of even-sized images use the two nearest samples
// only (3/4, 1/4).
func webpFancy(p []byte, stride, x, y, cw, ch int) int {
	c := func(cx, cy int) int { return int(p[cy*stride+cx]) }
	// Nearer and further chroma rows for this output row.
	near, far := 0, 0
	if y > 0 {
		k := (y + 1) / 2
		if y%2 == 1 {
			near, far = k-1, min(k, ch-1)
		} else {
			near, far = k, k-1
		}
	}
	if x == 0 {
		return (3*c(0, near) + c(0, far) + 2) >> 2
	}
	j := (x + 1) / 2
	nearCol, farCol := j, j-1
	if x%2 == 1 {
		nearCol, farCol = j-1, j
	}
	if farCol >= cw {
		return (3*c(nearCol, near) + c(nearCol, far) + 2) >> 2
	}
	a, bb := c(nearCol, near), c(farCol, near)
	cc, d := c(nearCol, far), c(farCol, far)
	diag := (a + bb + cc + d + 8 + 2*(bb+cc)) >> 3
	return (diag + a) >> 1
}

// webpYUVToRGB is libwebp's BT.601 limited-range YUV to RGB conversion
// (dsp/yuv.h, 14-bit fixed point).
func webpYUVToRGB(y, u, v uint8) (byte, byte, byte) {
	mulHi := func(v, coeff int) int { return (v * coeff) >> 8 }
	clip := func(v int) byte {
		if v&^((256<<6)-1) == 0 {
			return byte(v >> 6)
		}
		if v < 0 {
			return 0
		}
		return 255
	}
	Y, U, V := int(y), int(u), int(v)
	r := clip(mulHi(Y, 19077) + mulHi(V, 26149) - 14234)
	g := clip(mulHi(Y, 19077) - mulHi(U, 6419) - mulHi(V, 13320) + 8708)
	bl := clip(mulHi(Y, 19077) + mulHi(U, 33050) - 17685)
	return r, g, bl
}
