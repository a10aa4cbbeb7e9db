//go:build !linux

package dataset

import (
	"errors"
	"os"
)

// cloneFile is not supported here: kept files are copied.
func cloneFile(dst, src *os.File) error {
	return errors.ErrUnsupported
}
