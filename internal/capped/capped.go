// Package capped reads input up to a cap: the one reader behind every
// "read at most N bytes" of askfirst (STYLE: every reader of untrusted
// input caps its size with a named constant and says so in the error).
package capped

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is wrapped by the error of a read that found more than its
// cap.
var ErrTooLarge = errors.New("too large")

// Read reads r to its end, at most limit bytes. When r holds more, it
// returns the first limit bytes with an error wrapping ErrTooLarge that
// names the cap, so that a caller content with a prefix can use it.
func Read(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return data, err
	}
	if int64(len(data)) > limit {
		return data[:limit], tooLarge(limit)
	}
	return data, nil
}

// tooLarge is the error of a read over its cap of that many bytes.
type tooLarge int64

func (e tooLarge) Error() string        { return fmt.Sprintf("over the %d-byte cap", int64(e)) }
func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// ReadFile reads the file at path as Read does. Its errors are
// *fs.PathError naming the operation and the path, as the os package's
// are: "open FILE: no such file or directory", "read FILE: is a
// directory", "read FILE: over the 16384-byte cap".
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	data, err := Read(f, limit)
	if err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			err = &fs.PathError{Op: "read", Path: path, Err: err}
		}
	}
	return data, err
}
