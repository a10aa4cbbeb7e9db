// Package dataset reads training-dataset manifests item by item and writes
// the items that are kept back in the input's own format.
//
// Formats: CSV and TSV (header row), JSON Lines, Apache Parquet (the LAION
// manifest shape: url/URL and text/caption/TEXT columns, any others kept),
// WebDataset tar shards (members grouped by key, as img2dataset writes them)
// and folders of files. Every reader streams: memory is bounded by one item,
// not by the dataset. Every reader caps what one item may hold and says so in
// its error.
//
// The package does not fetch URLs or compute codes; internal/audit does.
package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format is the kind of a dataset input.
type Format string

// The formats Open reads.
const (
	CSV     Format = "csv"
	TSV     Format = "tsv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
	Tar     Format = "tar"
	Folder  Format = "folder"
)

// Caps on untrusted input.
const (
	// MaxRecordBytes caps one CSV/TSV record or one JSON Lines line.
	MaxRecordBytes = 16 << 20
	// MaxMemberBytes caps one tar member or one file of a folder read into memory.
	MaxMemberBytes = 256 << 20
	// MaxMembersPerKey caps how many tar members may share one key.
	MaxMembersPerKey = 64
)

// Item is one row, sample or file of a dataset.
//
// Fields a manifest does not have are empty. Content, when not nil, returns
// the item's bytes (a tar member or a local file), read on demand.
type Item struct {
	Input  string // the input as named on the command line
	Seq    int64  // 0-based position of the item in its input
	Key    string // row number (1-based, as a string) or member key or relative path
	URL    string
	Text   string
	Path   string // local file named by the row, resolved against the manifest's folder
	ISCC   string
	SHA256 string
	// MediaName is the name of the member or file whose bytes Content returns
	// (its extension tells the media type).
	MediaName string
	Content   func() (io.ReadCloser, error)
	// DatasetKey is the item's key in the dataset's own key column (key,
	// id, uid, sample_id), when the manifest has one.
	DatasetKey string

	raw any // the format's own record, used by Writer to keep it as it was
}

// Reader yields the items of one input in order.
type Reader interface {
	// Next returns the next item, or io.EOF after the last. A malformed
	// record returns a *RecordError; the reader can go on after it.
	Next() (*Item, error)
	// Format reports the input's format.
	Format() Format
	// NewWriter creates dst and returns a Writer that writes items of this
	// input there in the input's own format and schema.
	NewWriter(dst string) (Writer, error)
	Close() error
}

// Writer writes the items it is given, in the format of the Reader that
// made it. Items must come from that Reader.
type Writer interface {
	Write(*Item) error
	// Close flushes and closes the output; the output is complete only
	// after Close returns nil.
	Close() error
}

// FileLinker is implemented by the Writer of a folder input, whose kept
// items are files: after LinkFiles it hard-links them to the originals
// instead of copying them. A hard link is the original file: editing the
// kept file edits the source, so linking is only done when asked.
type FileLinker interface {
	LinkFiles()
}

// RecordError reports one unreadable record; reading may continue.
type RecordError struct {
	Input string
	Seq   int64
	Key   string
	Err   error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s: record %s: %v", e.Input, e.Key, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// ErrUnknownFormat is returned by Open for an input it cannot classify.
var ErrUnknownFormat = errors.New("unknown dataset format")

// DetectFormat classifies name by its extension, or Folder for a directory.
func DetectFormat(name string) (Format, error) {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return Folder, nil
	}
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return CSV, nil
	case strings.HasSuffix(lower, ".tsv"), strings.HasSuffix(lower, ".tab"):
		return TSV, nil
	case strings.HasSuffix(lower, ".jsonl"), strings.HasSuffix(lower, ".ndjson"), strings.HasSuffix(lower, ".json"):
		return JSONL, nil
	case strings.HasSuffix(lower, ".parquet"), strings.HasSuffix(lower, ".pq"):
		return Parquet, nil
	case strings.HasSuffix(lower, ".tar"):
		return Tar, nil
	}
	return "", fmt.Errorf("%s: %w (want .csv, .tsv, .jsonl, .parquet, .tar or a folder)", name, ErrUnknownFormat)
}

// Open opens input for reading, choosing the reader by DetectFormat.
func Open(input string) (Reader, error) {
	f, err := DetectFormat(input)
	if err != nil {
		return nil, err
	}
	switch f {
	case CSV:
		return openDelimited(input, ',', CSV)
	case TSV:
		return openDelimited(input, '\t', TSV)
	case JSONL:
		return openJSONL(input)
	case Parquet:
		return openParquet(input)
	case Tar:
		return openTar(input)
	default:
		return openFolder(input)
	}
}

// column names recognised for each field, in order of preference; matching
// falls back to case-insensitive.
var columnNames = map[string][]string{
	"url":    {"url", "URL", "image_url", "link"},
	"text":   {"text", "caption", "TEXT", "content"},
	"path":   {"path", "file", "filename"},
	"iscc":   {"iscc", "ISCC"},
	"sha256": {"sha256", "SHA256"},
	"key":    {"key", "id", "uid", "sample_id", "SAMPLE_ID"},
}

// detectColumns maps each field to its column index in names, -1 if absent.
func detectColumns(names []string) map[string]int {
	out := make(map[string]int, len(columnNames))
	for field, cands := range columnNames {
		out[field] = -1
	found:
		for _, c := range cands {
			for i, n := range names {
				if n == c {
					out[field] = i
					break found
				}
			}
		}
		if out[field] >= 0 {
			continue
		}
		for _, c := range cands {
			for i, n := range names {
				if strings.EqualFold(strings.TrimSpace(n), c) {
					out[field] = i
					break
				}
			}
			if out[field] >= 0 {
				break
			}
		}
	}
	return out
}

// resolvePath resolves a path named by a manifest row against the manifest's
// folder.
func resolvePath(manifest, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(manifest), p)
}

// fileContent returns a Content function reading a local file.
func fileContent(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}
