package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/internal/identify"
)

// idJob is one input of askfirst id, with its outcome.
type idJob struct {
	path  string // as given or found while walking; "-" is standard input
	err   error  // an error found before identifying (walking)
	res   *identify.Result
	done  chan struct{}
	stdin bool
}

func runID(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("id", "[--json] [--bits N] [--max-size SIZE] [--timeout D] [--jobs N] FILE|DIR|- ...\n\nfpcalc, ffmpeg and ffprobe are found on $PATH, or named by ASKFIRST_FPCALC,\nASKFIRST_FFMPEG and ASKFIRST_FFPROBE.")
	asJSON := fs.Bool("json", false, "print one JSON object per file per line (JSON Lines)")
	bits := fs.Int("bits", identify.DefaultBits, "bits per ISCC unit: 64 to 256 in steps of 32")
	maxSize := fs.String("max-size", envOr(e, "ASKFIRST_MAX_SIZE", "16GiB"), "largest file to identify, in bytes or with a KiB/MiB/GiB suffix (ASKFIRST_MAX_SIZE)")
	timeout := fs.Duration("timeout", identify.DefaultTimeout, "time limit for each run of fpcalc or ffmpeg")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files identified at the same time")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		e.errorf("id: no file given")
		e.hintf("run 'askfirst id FILE...', 'askfirst id DIR' or 'askfirst id -' for standard input")
		return ExitUsage
	}
	if *bits < 64 || *bits > 256 || *bits%32 != 0 {
		e.errorf("id: --bits %d: want 64, 96, 128, 160, 192, 224 or 256", *bits)
		return ExitUsage
	}
	limit, err := parseSize(*maxSize)
	if err != nil {
		e.errorf("id: --max-size %q: %v", *maxSize, err)
		return ExitUsage
	}
	if *jobs < 1 {
		*jobs = 1
	}
	opts := identify.Options{
		Bits:    *bits,
		MaxSize: limit,
		Timeout: *timeout,
		FPCalc:  e.getenv("ASKFIRST_FPCALC"),
		FFmpeg:  e.getenv("ASKFIRST_FFMPEG"),
		FFprobe: e.getenv("ASKFIRST_FFPROBE"),
	}

	list, code := e.idInputs(fs.Args())
	if code >= 0 {
		return code
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*jobs)
	go func() {
		for _, j := range list {
			if j.err != nil {
				close(j.done)
				continue
			}
			g.Go(func() error {
				defer close(j.done)
				if j.stdin {
					j.res, j.err = identify.Reader(gctx, "-", e.stdin, opts)
				} else {
					j.res, j.err = identify.File(gctx, j.path, opts)
				}
				return nil
			})
		}
	}()

	failed := false
	if !*asJSON {
		fmt.Fprintf(e.stdout, "%-*s  %-16s %10s  %s\n", isccWidth, "ISCC", "MEDIATYPE", "SIZE", "PATH")
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, j := range list {
		select {
		case <-j.done:
		case <-ctx.Done():
			e.errorf("id: %v", ctx.Err())
			return ExitFailure
		}
		if *asJSON {
			if err := enc.Encode(idOutput(j)); err != nil {
				e.errorf("id: write output: %v", err)
				return ExitFailure
			}
		}
		if j.res != nil {
			if !*asJSON {
				code := j.res.ISCC
				if code == "" {
					code = "-"
				}
				fmt.Fprintf(e.stdout, "%-*s  %-16s %10d  %s\n", isccWidth, code, j.res.MediaType, j.res.Filesize, j.res.Path)
			}
		}
		if j.err != nil {
			failed = true
			e.idError(j)
		}
	}
	if failed {
		return ExitFailure
	}
	return ExitOK
}

// idJSON is a line of id --json: the file's codes (DESIGN §6), and when a
// unit could not be computed, the error and the unit.
type idJSON struct {
	*identify.Result
	// Error says what failed, without the path.
	Error string `json:"error,omitempty"`
	// FailedUnit names the field of units that is missing because of Error.
	FailedUnit string `json:"failed_unit,omitempty"`
}

// idFailedJSON is a line of id --json for a file that could not be read.
type idFailedJSON struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// idOutput is the id --json line of a job.
func idOutput(j *idJob) any {
	msg := ""
	if j.err != nil {
		msg = j.err.Error()
		var ie *identify.Error
		if errors.As(j.err, &ie) {
			msg = ie.Err.Error()
		}
	}
	if j.res == nil {
		return idFailedJSON{Path: j.path, Error: msg}
	}
	out := idJSON{Result: j.res, Error: msg}
	var ue *identify.UnitError
	if errors.As(j.err, &ue) {
		out.FailedUnit = ue.Unit
	}
	return out
}

// isccWidth is the length of an ISCC-CODE string with four 64-bit units.
const isccWidth = len("ISCC:") + 53

// idInputs expands the arguments: directories are walked in lexical order
// (regular files and symbolic links to regular files; linked directories
// are not entered), "-" is standard input (once).
func (e *env) idInputs(args []string) ([]*idJob, int) {
	var list []*idJob
	add := func(path string, err error, stdin bool) {
		list = append(list, &idJob{path: path, err: err, stdin: stdin, done: make(chan struct{})})
	}
	sawStdin := false
	for _, a := range args {
		if a == "-" {
			if sawStdin {
				e.errorf("id: standard input (-) given twice")
				return nil, ExitUsage
			}
			sawStdin = true
			add("-", nil, true)
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			add(a, &identify.Error{Path: a, Err: unwrapPathError(err)}, false)
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				// Opening a FIFO or device could block or never end.
				add(a, &identify.Error{Path: a, Err: errors.New("not a regular file (use - to read standard input)")}, false)
				continue
			}
			add(a, nil, false)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				add(p, &identify.Error{Path: p, Err: unwrapPathError(err)}, false)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			switch {
			case d.Type().IsRegular():
				add(p, nil, false)
			case d.Type()&fs.ModeSymlink != 0:
				// A link to a regular file counts; links to directories
				// are not followed (no cycles).
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					add(p, nil, false)
				}
			}
			return nil
		})
		if err != nil {
			add(a, &identify.Error{Path: a, Err: err}, false)
		}
	}
	return list, -1
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// idError prints the error of one file with a hint on what to do.
func (e *env) idError(j *idJob) {
	e.errorf("%v", j.err)
	var te *identify.ToolError
	switch {
	case errors.As(j.err, &te) && errors.Is(j.err, identify.ErrToolMissing):
		e.hintf("install %s to compute this file's Content-Code (Debian/Ubuntu: apt-get install %s); its Data- and Instance-Code are printed", te.Tool, te.Package)
	case errors.As(j.err, &te):
		e.hintf("%s could not read the file: it may be corrupt or in a format %s does not support; its Data- and Instance-Code are printed", te.Tool, te.Tool)
	case errors.Is(j.err, identify.ErrNoText):
		e.hintf("the document has no text, so no Text-Code; its Data- and Instance-Code are printed")
	case errors.Is(j.err, identify.ErrTooLarge):
		e.hintf("raise the limit with --max-size (or ASKFIRST_MAX_SIZE)")
	case errors.Is(j.err, fs.ErrNotExist):
		e.hintf("check the path")
	case errors.Is(j.err, fs.ErrPermission):
		e.hintf("check the file's permissions")
	case j.res != nil:
		e.hintf("the file may be corrupt or truncated; its Data- and Instance-Code are printed, without an ISCC-CODE")
	}
}

// parseSize reads a byte count with an optional KB/MB/GB/TB (powers of
// 1000) or KiB/MiB/GiB/TiB (powers of 1024) suffix.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive number of bytes, e.g. 500MiB")
	}
	if n > (1<<62)/mult {
		return 0, errors.New("too large")
	}
	return n * mult, nil
}

// envOr returns the environment variable name, or def if it is unset.
func envOr(e *env, name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}
