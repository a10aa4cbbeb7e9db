package identify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrToolMissing is wrapped by the error for a file whose Content-Code
// needs an external program that is not installed.
var ErrToolMissing = errors.New("program not found")

// ToolError reports a failure of an external program.
type ToolError struct {
	Tool    string // program name, "fpcalc" or "ffmpeg"
	Package string // Debian package that provides it
	Err     error
}

func (e *ToolError) Error() string { return e.Tool + ": " + e.Err.Error() }
func (e *ToolError) Unwrap() error { return e.Err }

// Caps on what external programs may return.
const (
	maxToolOutput    = 64 << 20 // fpcalc JSON; ffmpeg's signature file
	maxToolStderr    = 4 << 10  // kept for error messages
	maxFingerprintLn = 1 << 22  // Chromaprint items (about 16 days of audio)
)

// runTool runs program with args under ctx and the timeout, in dir, and
// returns its standard output (at most maxToolOutput bytes). When the
// program fails, the error is a *ToolError ending with the last line of its
// standard error, and what it printed on standard output is returned too.
func runTool(ctx context.Context, o *Options, program, pkg, dir string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(program)
	if err != nil {
		return nil, &ToolError{Tool: filepath.Base(program), Package: pkg, Err: ErrToolMissing}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AV_LOG_FORCE_NOCOLOR=1")
	var stdout, stderr capped
	stdout.max, stderr.max = maxToolOutput, maxToolStderr
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, &ToolError{Tool: filepath.Base(program), Package: pkg, Err: fmt.Errorf("timed out after %s", o.timeout())}
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.buf.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
		if msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		if stdout.over {
			return nil, &ToolError{Tool: filepath.Base(program), Package: pkg, Err: err}
		}
		return stdout.buf.Bytes(), &ToolError{Tool: filepath.Base(program), Package: pkg, Err: err}
	}
	if stdout.over {
		return nil, &ToolError{Tool: filepath.Base(program), Package: pkg, Err: fmt.Errorf("output over %d bytes", maxToolOutput)}
	}
	return stdout.buf.Bytes(), nil
}

// capped is a writer that keeps the first max bytes.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(p) {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// audioFingerprint returns the Chromaprint fingerprint of the audio file at
// path as signed 32-bit integers, running fpcalc as iscc-sdk does
// (`fpcalc -raw -json -signed -length 0`: the whole file, raw vector).
func audioFingerprint(ctx context.Context, o *Options, path string) ([]int32, error) {
	out, err := runTool(ctx, o, o.fpcalc(), "libchromaprint-tools", "", "-raw", "-json", "-signed", "-length", "0", "file:"+path)
	if err != nil {
		// fpcalc 1.5.1 built with FFmpeg 5 (Debian 12) reports the normal
		// end of the stream as "Error decoding audio frame (End of file)"
		// and exits with status 3 after printing the complete fingerprint.
		var te *ToolError
		if errors.As(err, &te) && strings.HasSuffix(te.Err.Error(), "(End of file)") && len(out) > 0 {
			return parseFpcalcJSON(out)
		}
		return nil, err
	}
	return parseFpcalcJSON(out)
}

// parseFpcalcJSON reads fpcalc's JSON output: {"duration": s,
// "fingerprint": [int, ...]}.
func parseFpcalcJSON(out []byte) ([]int32, error) {
	var v struct {
		Fingerprint []int64 `json:"fingerprint"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("parse fpcalc output: %w", err)
	}
	if len(v.Fingerprint) > maxFingerprintLn {
		return nil, fmt.Errorf("parse fpcalc output: fingerprint of %d items is over %d", len(v.Fingerprint), maxFingerprintLn)
	}
	cv := make([]int32, len(v.Fingerprint))
	for i, x := range v.Fingerprint {
		if x < math.MinInt32 || x > math.MaxInt32 {
			return nil, fmt.Errorf("parse fpcalc output: item %d = %d is not a signed 32-bit integer", i, x)
		}
		cv[i] = int32(x)
	}
	return cv, nil
}

// videoSignatures returns the MPEG-7 frame signatures of the video file at
// path, running ffmpeg's signature filter as iscc-sdk does: frames
// resampled to 5 per second (`-vf fps=fps=5,signature=format=binary:
// filename=...`), the binary signature parsed by parseMP7.
func videoSignatures(ctx context.Context, o *Options, path string) ([][]int, error) {
	dir, err := os.MkdirTemp("", "askfirst-mp7-")
	if err != nil {
		return nil, fmt.Errorf("video signature: %w", err)
	}
	defer os.RemoveAll(dir)
	// The signature file is named relative to ffmpeg's working directory so
	// that no path needs filter-graph escaping.
	_, err = runTool(ctx, o, o.ffmpeg(), "ffmpeg", dir, "-hide_banner", "-nostdin", "-v", "error",
		"-i", "file:"+path, "-vf", "fps=fps=5,signature=format=binary:filename=sig.bin", "-f", "null", "-")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "sig.bin"))
	if err != nil {
		return nil, &ToolError{Tool: "ffmpeg", Package: "ffmpeg", Err: fmt.Errorf("no signature written: %w", err)}
	}
	defer f.Close()
	var sig capped
	sig.max = maxToolOutput
	if _, err := sig.buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("read video signature: %w", err)
	}
	return parseMP7(sig.buf.Bytes())
}

// maxTagValue caps a title or description taken from media tags.
const maxTagValue = 64 << 10

// mediaTags returns the title and description of an audio or video file
// from its container tags, read with ffprobe, mapped as iscc-sdk maps them:
// audio (taglib) TITLE or ISCC:NAME, and ISCC:DESCRIPTION; video (ffmpeg's
// global metadata) iscc_name, title, track, show or album, and
// iscc_description, description, synopsis or comment. Tags of the file
// come first, then those of its first stream (Ogg keeps Vorbis comments
// there). When ffprobe is missing or fails, both are empty and the
// Meta-Code falls back to the file name.
func mediaTags(ctx context.Context, o *Options, path string, mode Mode) (title, description string) {
	out, err := runTool(ctx, o, o.ffprobe(), "ffmpeg", "", "-v", "error", "-print_format", "json",
		"-show_entries", "format_tags:stream_tags", "file:"+path)
	if err != nil {
		return "", ""
	}
	return parseProbeTags(out, mode)
}

// parseProbeTags maps ffprobe's JSON tags (see mediaTags).
func parseProbeTags(out []byte, mode Mode) (title, description string) {
	var v struct {
		Format struct {
			Tags map[string]string `json:"tags"`
		} `json:"format"`
		Streams []struct {
			Tags map[string]string `json:"tags"`
		} `json:"streams"`
	}
	if json.Unmarshal(out, &v) != nil {
		return "", ""
	}
	tags := map[string]string{}
	add := func(m map[string]string) {
		for k, val := range m {
			k = strings.ToLower(k)
			if _, ok := tags[k]; !ok && len(val) <= maxTagValue {
				tags[k] = val
			}
		}
	}
	add(v.Format.Tags)
	if len(v.Streams) > 0 {
		add(v.Streams[0].Tags)
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if s := strings.TrimSpace(tags[k]); s != "" {
				return s
			}
		}
		return ""
	}
	if mode == ModeAudio {
		return first("iscc:name", "iscc_name", "title"), first("iscc:description", "iscc_description")
	}
	return first("iscc_name", "title", "track", "show", "album"),
		first("iscc_description", "description", "synopsis", "comment")
}
