package dataset

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// folderReader yields every regular file below a folder in lexical order;
// hidden files and folders (names starting with a dot) are skipped.
type folderReader struct {
	root  string
	files []string // relative paths, collected lazily in walk order
	i     int
	seq   int64
}

type folderRecord string // the file's path relative to the root

func openFolder(root string) (*folderReader, error) {
	r := &folderReader{root: root}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != root && len(name) > 0 && name[0] == '.' {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			r.files = append(r.files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read folder %s: %w", root, err)
	}
	return r, nil
}

func (r *folderReader) Format() Format { return Folder }
func (r *folderReader) Close() error   { return nil }

func (r *folderReader) Next() (*Item, error) {
	if r.i >= len(r.files) {
		return nil, io.EOF
	}
	rel := r.files[r.i]
	r.i++
	seq := r.seq
	r.seq++
	full := filepath.Join(r.root, rel)
	return &Item{Input: r.root, Seq: seq, Key: filepath.ToSlash(rel), Path: full, MediaName: full,
		Content: fileContent(full), raw: folderRecord(rel)}, nil
}

// NewWriter returns a Writer that places kept files under dst with their
// relative paths: copies, sharing blocks copy-on-write where the file
// system can (a reflink), so editing a kept file never edits the original.
// LinkFiles makes them hard links instead.
func (r *folderReader) NewWriter(dst string) (Writer, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	return &folderWriter{root: r.root, dst: dst}, nil
}

type folderWriter struct {
	root, dst string
	link      bool
}

// LinkFiles implements FileLinker.
func (w *folderWriter) LinkFiles() { w.link = true }

func (w *folderWriter) Write(it *Item) error {
	rel, ok := it.raw.(folderRecord)
	if !ok {
		return fmt.Errorf("write %s: item %s is not from a folder input", w.dst, it.Key)
	}
	src := filepath.Join(w.root, string(rel))
	dst := filepath.Join(w.dst, string(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	os.Remove(dst)
	if w.link && os.Link(src, dst) == nil {
		return nil
	}
	if err := copyFile(dst, src); err != nil {
		os.Remove(dst)
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// copyFile copies src to a new file dst, as a reflink where supported.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if cloneFile(out, in) != nil {
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
	}
	return out.Close()
}

func (w *folderWriter) Close() error { return nil }
