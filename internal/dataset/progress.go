package dataset

import (
	"bufio"
	"io"
	"os"
)

// Progress reports how much of r's input has been read, as done out of
// total, in a unit that makes the ratio meaningful before the end: bytes
// of the file for CSV, TSV and JSON Lines (as parsed), and tar (read ahead
// by at most the reader's 1 MiB buffer), rows for Parquet (counted by the file's metadata),
// files for a folder (listed when it was opened). ok is false for a
// reader it does not know. Call it from the goroutine that calls Next.
func Progress(r Reader) (done, total int64, ok bool) {
	switch r := r.(type) {
	case *delimitedReader:
		b, _ := r.lim.r.(*bufio.Reader)
		return fileProgress(r.f, b)
	case *jsonlReader:
		return fileProgress(r.f, r.br)
	case *tarReader:
		return fileProgress(r.f, nil)
	case *parquetReader:
		return r.seq, r.r.NumRows(), true
	case *folderReader:
		return int64(r.i), int64(len(r.files)), true
	}
	return 0, 0, false
}

// fileProgress is the position in f, less what buf read ahead.
func fileProgress(f *os.File, buf *bufio.Reader) (done, total int64, ok bool) {
	st, err := f.Stat()
	if err != nil {
		return 0, 0, false
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, 0, false
	}
	if buf != nil {
		pos -= int64(buf.Buffered())
	}
	return max(0, min(pos, st.Size())), st.Size(), true
}
