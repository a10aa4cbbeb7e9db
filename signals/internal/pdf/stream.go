package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

// Decode returns the decoded bytes of s, at most limit of them (an error
// wrapping ErrTooLarge beyond). It applies FlateDecode (with PNG or TIFF
// predictors) and ASCIIHexDecode in the order /Filter gives; any other
// filter is an error wrapping ErrUnsupported.
func (f *File) Decode(s *Stream, limit int) ([]byte, error) {
	filters, err := f.Get(s.Dict.Get("Filter"))
	if err != nil {
		return nil, err
	}
	params, err := f.Get(s.Dict.Get("DecodeParms"))
	if err != nil {
		return nil, err
	}
	var names []Name
	var parms []Object
	switch v := filters.(type) {
	case nil:
	case Name:
		names, parms = []Name{v}, []Object{params}
	case []Object:
		ps, _ := params.([]Object)
		for i, x := range v {
			n, ok := x.(Name)
			if !ok {
				return nil, fmt.Errorf("pdf: /Filter %v is not a name: %w", x, ErrMalformed)
			}
			names = append(names, n)
			if i < len(ps) {
				parms = append(parms, ps[i])
			} else {
				parms = append(parms, nil)
			}
		}
	default:
		return nil, fmt.Errorf("pdf: /Filter of type %T: %w", filters, ErrMalformed)
	}
	data := s.Raw
	if len(names) == 0 && len(data) > limit {
		return nil, fmt.Errorf("pdf: stream of %d bytes over %d: %w", len(data), limit, ErrTooLarge)
	}
	for i, n := range names {
		p, _ := f.Get(parms[i])
		dp, _ := p.(*Dict)
		switch n {
		case "FlateDecode", "Fl":
			if data, err = inflate(data, limit); err != nil {
				return nil, err
			}
			if data, err = unpredict(data, dp); err != nil {
				return nil, err
			}
		case "ASCIIHexDecode", "AHx":
			l := &lexer{data: append(bytes.TrimRight(data, " \t\r\n\f\x00>"), '>')}
			o, err := l.hex()
			if err != nil {
				return nil, fmt.Errorf("pdf: ASCIIHexDecode: %w", err)
			}
			data = o.(String)
		default:
			return nil, fmt.Errorf("pdf: stream filter /%s: %w", n, ErrUnsupported)
		}
	}
	return data, nil
}

// inflate decompresses zlib data, or raw deflate data as some writers
// produce; a stream cut short keeps what was decoded, as readers do.
func inflate(b []byte, limit int) ([]byte, error) {
	var r io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(b)); err == nil {
		r = zr
	} else {
		r = flate.NewReader(bytes.NewReader(b))
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if len(out) > limit {
		return nil, fmt.Errorf("pdf: stream inflates past %d bytes: %w", limit, ErrTooLarge)
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, zlib.ErrChecksum) {
		if len(out) == 0 {
			return nil, fmt.Errorf("pdf: FlateDecode: %v: %w", err, ErrMalformed)
		}
	}
	return out, nil
}

// unpredict undoes a FlateDecode predictor (§7.4.4.4, Table 8).
func unpredict(data []byte, dp *Dict) ([]byte, error) {
	pred, _ := dp.Get("Predictor").(int64)
	if pred <= 1 {
		return data, nil
	}
	colors, bpc, cols := int64(1), int64(8), int64(1)
	if v, ok := dp.Get("Colors").(int64); ok {
		colors = v
	}
	if v, ok := dp.Get("BitsPerComponent").(int64); ok {
		bpc = v
	}
	if v, ok := dp.Get("Columns").(int64); ok {
		cols = v
	}
	if colors < 1 || colors > 32 || bpc < 1 || bpc > 16 || cols < 1 || cols > 1<<20 {
		return nil, fmt.Errorf("pdf: predictor parameters /Colors %d /BitsPerComponent %d /Columns %d: %w", colors, bpc, cols, ErrMalformed)
	}
	bpp := int(max((colors*bpc+7)/8, 1))
	rowLen := int((colors*bpc*cols + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, fmt.Errorf("pdf: TIFF predictor with %d bits per component: %w", bpc, ErrUnsupported)
		}
		out := append([]byte(nil), data...)
		for r := 0; r+rowLen <= len(out); r += rowLen {
			for i := bpp; i < rowLen; i++ {
				out[r+i] += out[r+i-bpp]
			}
		}
		return out, nil
	}
	// PNG predictors: each row starts with its filter type byte.
	var out []byte
	prev := make([]byte, rowLen)
	for pos := 0; pos < len(data); pos += rowLen + 1 {
		if pos+1+rowLen > len(data) {
			break // a short last row is dropped, as readers do
		}
		ft := data[pos]
		row := append([]byte(nil), data[pos+1:pos+1+rowLen]...)
		for i := range row {
			var a, b, c byte
			if i >= bpp {
				a, c = row[i-bpp], prev[i-bpp]
			}
			b = prev[i]
			switch ft {
			case 0:
			case 1:
				row[i] += a
			case 2:
				row[i] += b
			case 3:
				row[i] += byte((int(a) + int(b)) / 2)
			case 4:
				row[i] += paeth(a, b, c)
			default:
				return nil, fmt.Errorf("pdf: PNG predictor row filter %d: %w", ft, ErrMalformed)
			}
		}
		out = append(out, row...)
		prev = row
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
