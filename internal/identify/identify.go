// Package identify computes the content codes of files as iscc-sdk does
// (ISO 24138 ISCC, with the SDK's media detection, text extraction, image
// preprocessing, Chromaprint and MPEG-7 extraction), plus a PDQ hash for
// images: the engine behind `askfirst id`.
//
// Per file it detects the media type (magic bytes, then the extension),
// reads the file once for the Data- and Instance-Code, computes the
// Content-Code of its mode (text: plain text, Markdown, HTML with the markup
// removed; images: JPEG, PNG, GIF, WebP, BMP, TIFF; audio through fpcalc;
// video through ffmpeg's signature filter), a Meta-Code from the embedded
// title and description or else the file name, and composes the ISCC-CODE.
//
// It does not extract text from PDF, EPUB or office documents or rasterise
// SVG: such files get a Data- and Instance-Code only. Embedded metadata is
// read from HTML <title> and <meta name=description>, XMP dc:title and
// dc:description, and audio/video container tags (through ffprobe); other
// metadata iscc-sdk reads (IPTC, EXIF XPTitle, PDF info) is not, so such a
// file's Meta-Code falls back to its file name.
package identify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/pdq"
	"github.com/askfirst/askfirst/wire"
)

// Defaults of Options.
const (
	// DefaultMaxSize is the largest file identified unless
	// Options.MaxSize says otherwise.
	DefaultMaxSize = 16 << 30
	// DefaultTimeout bounds each run of fpcalc or ffmpeg.
	DefaultTimeout = 10 * time.Minute
	// DefaultBits is the length of each unit.
	DefaultBits = 64
)

// Error is the error of identifying one file: the name it was given and
// what went wrong.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// fileError wraps err for path, dropping an *os.PathError's repetition of
// the path.
func fileError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return &Error{Path: path, Err: err}
}

// UnitError is the error of one unit that could not be computed (Unit
// "content": a corrupt image, a missing fpcalc, a text without text); the
// file's other units are in the Result returned with it.
type UnitError struct {
	Unit string // the field of Units that is missing
	Err  error
}

func (e *UnitError) Error() string { return e.Err.Error() }
func (e *UnitError) Unwrap() error { return e.Err }

// ErrNoText is wrapped by the error for a text document with no text
// (iscc-sdk refuses such documents too).
var ErrNoText = errors.New("no text")

// ErrTooLarge is wrapped by the error for a file over Options.MaxSize.
var ErrTooLarge = errors.New("file too large")

// Options configures identification. The zero value is ready to use.
type Options struct {
	Bits    int           // bits per unit, 64 to 256 in steps of 32; 0 means DefaultBits
	MaxSize int64         // largest file in bytes; 0 means DefaultMaxSize
	Timeout time.Duration // per external program run; 0 means DefaultTimeout
	FPCalc  string        // fpcalc program; "" means "fpcalc" on $PATH
	FFmpeg  string        // ffmpeg program; "" means "ffmpeg" on $PATH
	FFprobe string        // ffprobe program (media tags); "" means "ffprobe" on $PATH
}

func (o *Options) bits() int {
	if o.Bits == 0 {
		return DefaultBits
	}
	return o.Bits
}

func (o *Options) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

func (o *Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o *Options) fpcalc() string {
	if o.FPCalc == "" {
		return "fpcalc"
	}
	return o.FPCalc
}

func (o *Options) ffprobe() string {
	if o.FFprobe == "" {
		return "ffprobe"
	}
	return o.FFprobe
}

func (o *Options) ffmpeg() string {
	if o.FFmpeg == "" {
		return "ffmpeg"
	}
	return o.FFmpeg
}

// Result is the identity of one file; its JSON form is the `askfirst id
// --json` schema (DESIGN §6).
type Result struct {
	Path      string `json:"path"`
	MediaType string `json:"mediatype"`
	// ISCC is the ISCC-CODE composed of the units; empty when a unit the
	// media type calls for could not be computed.
	ISCC     string `json:"iscc,omitempty"`
	Units    Units  `json:"units"`
	Datahash string `json:"datahash"`
	Filesize int64  `json:"filesize"`
	PDQ      *PDQ   `json:"pdq,omitempty"`
}

// Units are the ISCC-UNITs of a file and PDQ the perceptual hash of an
// image: the wire's types, so that askfirst id, the registry and its
// clients show them in one shape.
type (
	Units = wire.Units
	PDQ   = wire.PDQ
)

// MatchItem is what a registry is asked about a file with these codes
// (POST /v1/match).
func (r *Result) MatchItem() wire.MatchItem {
	return wire.MatchItem{ISCC: r.ISCC, Units: r.Units, Datahash: r.Datahash, PDQ: r.PDQ}
}

// File identifies the regular file at path.
//
// When the file cannot be read or is over the size cap it returns a nil
// Result and an error (wrapping ErrTooLarge for the cap). When only the
// Content-Code fails (a corrupt image, a missing fpcalc or ffmpeg — see
// ToolError and ErrToolMissing — a text over MaxTextSize), it returns the
// Result with the Data-, Instance- and Meta-Code but no Content-Code and no
// ISCC-CODE, together with the error, a *UnitError: a composite without
// its content unit would not be the code the work's owner computes.
func File(ctx context.Context, path string, o Options) (*Result, error) {
	res, err := file(ctx, path, o)
	if err != nil {
		err = fileError(path, err)
	}
	return res, err
}

func file(ctx context.Context, path string, o Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > o.maxSize() {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, st.Size(), o.maxSize())
	}
	return identify(ctx, path, path, f, o)
}

// Reader identifies the content of r, reported under the name name ("-"
// for standard input). The content is spooled to a temporary file, at most
// Options.MaxSize bytes, so that external programs can read it. A name
// without a usable file name gives no Meta-Code unless the content embeds a
// title.
func Reader(ctx context.Context, name string, r io.Reader, o Options) (*Result, error) {
	res, err := reader(ctx, name, r, o)
	if err != nil {
		err = fileError(name, err)
	}
	return res, err
}

func reader(ctx context.Context, name string, r io.Reader, o Options) (*Result, error) {
	tmp, err := os.CreateTemp("", "askfirst-id-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(r, o.maxSize()+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if n > o.maxSize() {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, o.maxSize())
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return identify(ctx, name, tmp.Name(), tmp, o)
}

// ErrNeedsFile is wrapped by the error of Stream for audio and video: their
// Content-Code is computed by fpcalc or ffmpeg from a file on disk.
var ErrNeedsFile = errors.New("the Content-Code of audio and video needs the file on disk (fpcalc or ffmpeg)")

// Stream identifies content read from r (which must be able to seek back
// to its start), reported under name, without a file on disk: the
// browser's WebAssembly build reads a dropped file through it, and gets
// the codes File gives for the same bytes and name. Audio and video get
// their Data- and Instance-Code only, no Meta-Code (their embedded title
// is read by ffprobe), and an error wrapping ErrNeedsFile.
func Stream(ctx context.Context, name string, r io.ReadSeeker, o Options) (*Result, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = r.Seek(0, io.SeekStart)
	}
	if err != nil {
		return nil, fileError(name, err)
	}
	if size > o.maxSize() {
		return nil, fileError(name, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, size, o.maxSize()))
	}
	res, err := identify(ctx, name, "", r, o)
	if err != nil {
		err = fileError(name, err)
	}
	return res, err
}

// identify computes the codes of f, stored at path ("" when it is not a
// file on disk), reported as name.
func identify(ctx context.Context, name, path string, f io.ReadSeeker, o Options) (*Result, error) {
	bits := o.bits()
	head := make([]byte, SniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("read: %w", err)
	}
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	mediatype, mode := Detect(head, name)
	res := &Result{Path: name, MediaType: mediatype}

	// Text and images are read into memory once (their decoders need it);
	// other files are streamed.
	var content []byte
	dh, err := iscc.NewDataHasher(bits)
	if err != nil {
		return nil, err
	}
	ih, err := iscc.NewInstanceHasher(bits)
	if err != nil {
		return nil, err
	}
	w := io.MultiWriter(dh, ih)
	var memCap int64
	switch mode {
	case ModeText:
		memCap = MaxTextSize
	case ModeImage:
		memCap = iscc.MaxImageFileSize
	}
	if memCap > 0 {
		var buf bytes.Buffer
		if _, err := io.Copy(io.MultiWriter(w, &capWriter{buf: &buf, max: int(memCap)}), f); err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if int64(buf.Len()) <= memCap {
			content = buf.Bytes()
		}
	} else if _, err := io.CopyBuffer(w, f, make([]byte, 1<<20)); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	dc, err := dh.Code()
	if err != nil {
		return nil, err
	}
	ic, err := ih.Code()
	if err != nil {
		return nil, err
	}
	res.Units.Data, res.Units.Instance = dc.ISCC, ic.ISCC
	res.Datahash, res.Filesize = ic.Datahash, ic.Filesize

	// Content-Code and embedded title.
	var title, description string
	var contentErr error
	switch mode {
	case ModeText:
		if content == nil {
			contentErr = fmt.Errorf("text over %d bytes", MaxTextSize)
			break
		}
		var text string
		if mediatype == "text/html" {
			text, title, description = htmlText(content)
		} else {
			text = decodeText(content)
		}
		if strings.TrimSpace(text) == "" {
			// iscc-sdk refuses a document without text (IsccExtractionError).
			contentErr = ErrNoText
			break
		}
		var tc *iscc.TextCode
		if tc, contentErr = iscc.GenTextCode(text, bits); contentErr == nil {
			res.Units.Content = tc.ISCC
		}
	case ModeImage:
		if content == nil {
			contentErr = fmt.Errorf("image over %d bytes", iscc.MaxImageFileSize)
			break
		}
		title, description = xmpTitle(content)
		var px []byte
		var img image.Image
		px, img, contentErr = iscc.ImagePixelsFromReader(bytes.NewReader(content))
		if contentErr != nil {
			break
		}
		var ic *iscc.ImageCode
		if ic, contentErr = iscc.GenImageCode(px, bits); contentErr != nil {
			break
		}
		res.Units.Content = ic.ISCC
		if h, q, err := pdq.Compute(img); err == nil {
			res.PDQ = &PDQ{Hash: h.String(), Quality: q}
		}
	case ModeAudio:
		if path == "" {
			contentErr = ErrNeedsFile
			break
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			contentErr = err
			break
		}
		title, description = mediaTags(ctx, &o, abs, mode)
		var cv []int32
		if cv, contentErr = audioFingerprint(ctx, &o, abs); contentErr != nil {
			break
		}
		var ac *iscc.AudioCode
		if ac, contentErr = iscc.GenAudioCode(cv, bits); contentErr == nil {
			res.Units.Content = ac.ISCC
		}
	case ModeVideo:
		if path == "" {
			contentErr = ErrNeedsFile
			break
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			contentErr = err
			break
		}
		title, description = mediaTags(ctx, &o, abs, mode)
		var sigs [][]int
		if sigs, contentErr = videoSignatures(ctx, &o, abs); contentErr != nil {
			break
		}
		if len(sigs) == 0 {
			contentErr = errors.New("no video frames")
			break
		}
		var vc *iscc.VideoCode
		if vc, contentErr = iscc.GenVideoCode(sigs, bits); contentErr == nil {
			res.Units.Content = vc.ISCC
		}
	}

	// Meta-Code: iscc-sdk makes one only for the media it processes, from
	// the embedded title or else the file name, and the embedded
	// description.
	if mode != ModeNone && !errors.Is(contentErr, ErrNeedsFile) {
		// A title that normalises to nothing falls back to the file name,
		// as in iscc-sdk's code_meta; with neither there is no Meta-Code.
		for _, metaName := range []string{title, NameFromPath(name)} {
			if strings.TrimSpace(metaName) == "" {
				continue
			}
			if mc, err := iscc.GenMetaCode(metaName, description, nil, bits); err == nil {
				res.Units.Meta = mc.ISCC
				break
			}
		}
	}
	if contentErr != nil {
		return res, &UnitError{Unit: "content", Err: fmt.Errorf("%s content: %w", mode, contentErr)}
	}
	units := make([]string, 0, 4)
	for _, u := range []string{res.Units.Meta, res.Units.Content, res.Units.Data, res.Units.Instance} {
		if u != "" {
			units = append(units, u)
		}
	}
	code, err := iscc.GenISCCCode(units, false)
	if err != nil {
		return res, fmt.Errorf("compose ISCC-CODE: %w", err)
	}
	res.ISCC = code.ISCC
	return res, nil
}

// NameFromPath derives a title from a file name as iscc-sdk's
// text_name_from_uri does: the base name without its extension, with '-'
// and '_' turned into spaces. Standard input ("-") has none.
func NameFromPath(p string) string {
	if p == "-" || p == "" {
		return ""
	}
	base := filepath.Base(p)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	return strings.NewReplacer("-", " ", "_", " ").Replace(base)
}

// capWriter keeps up to max bytes in buf and then stops keeping (the
// data still flows to the other writers).
type capWriter struct {
	buf *bytes.Buffer
	max int
}

func (c *capWriter) Write(p []byte) (int, error) {
	if c.buf.Len() <= c.max {
		c.buf.Write(p[:min(len(p), c.max+1-c.buf.Len())])
	}
	return len(p), nil
}
