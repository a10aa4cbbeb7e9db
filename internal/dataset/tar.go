package dataset

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/askfirst/askfirst/internal/capped"
)

// tarReader reads a WebDataset shard: consecutive members whose names share
// a key (the member path up to the first dot of its base name) form one
// sample, e.g. 000001.jpg, 000001.txt, 000001.json.
type tarReader struct {
	name    string
	f       *os.File
	tr      *tar.Reader
	pending *tarMember // first member of the next sample, already read
	seq     int64
	err     error
}

type tarMember struct {
	hdr  *tar.Header
	data []byte
}

type tarSample []tarMember

// mediaExts are member extensions whose bytes are the sample's content, in
// order of preference.
var mediaExts = []string{"jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "mp3", "wav", "flac", "ogg", "mp4", "webm", "txt", "text", "md", "html"}

func openTar(name string) (*tarReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &tarReader{name: name, f: f, tr: tar.NewReader(bufio.NewReaderSize(f, 1<<20))}, nil
}

func (t *tarReader) Format() Format { return Tar }
func (t *tarReader) Close() error   { return t.f.Close() }

// sampleKey splits a member name into key and extension.
func sampleKey(name string) (key, ext string) {
	dir, base := path.Split(name)
	i := strings.IndexByte(base, '.')
	if i < 0 {
		return dir + base, ""
	}
	return dir + base[:i], strings.ToLower(base[i+1:])
}

func (t *tarReader) readMember() (*tarMember, error) {
	for {
		hdr, err := t.tr.Next()
		if err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read tar %s: %w", t.name, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		if hdr.Size > MaxMemberBytes {
			return &tarMember{hdr: hdr}, fmt.Errorf("member %s is %d bytes, over the %d-byte cap", hdr.Name, hdr.Size, MaxMemberBytes)
		}
		data, err := capped.Read(t.tr, MaxMemberBytes)
		if err != nil {
			return nil, fmt.Errorf("read tar %s member %s: %w", t.name, hdr.Name, err)
		}
		return &tarMember{hdr: hdr, data: data}, nil
	}
}

func (t *tarReader) Next() (*Item, error) {
	if t.err != nil {
		return nil, t.err
	}
	var sample tarSample
	var key string
	var memberErr error
	if t.pending != nil {
		sample = append(sample, *t.pending)
		key, _ = sampleKey(t.pending.hdr.Name)
		t.pending = nil
	}
	for {
		m, err := t.readMember()
		if err == io.EOF {
			t.err = io.EOF
			break
		}
		if m == nil && err != nil {
			// The archive itself is broken: nothing after this point can be read.
			t.err = err
			if len(sample) == 0 {
				return nil, err
			}
			break
		}
		k, _ := sampleKey(m.hdr.Name)
		if len(sample) > 0 && k != key {
			t.pending = m
			if err != nil {
				t.pending = &tarMember{hdr: m.hdr}
			}
			break
		}
		key = k
		if err != nil {
			memberErr = err
			continue
		}
		if len(sample) >= MaxMembersPerKey {
			memberErr = fmt.Errorf("more than %d members share key %s", MaxMembersPerKey, key)
			continue
		}
		sample = append(sample, *m)
	}
	if len(sample) == 0 {
		if memberErr != nil {
			seq := t.seq
			t.seq++
			return nil, &RecordError{Input: t.name, Seq: seq, Key: key, Err: memberErr}
		}
		return nil, io.EOF
	}
	seq := t.seq
	t.seq++
	if memberErr != nil {
		return nil, &RecordError{Input: t.name, Seq: seq, Key: key, Err: memberErr}
	}
	it := &Item{Input: t.name, Seq: seq, Key: key, raw: sample}
	byExt := map[string][]byte{}
	names := map[string]string{}
	for _, m := range sample {
		_, ext := sampleKey(m.hdr.Name)
		byExt[ext] = m.data
		names[ext] = m.hdr.Name
	}
	if txt, ok := byExt["txt"]; ok {
		it.Text = string(txt)
	}
	if js, ok := byExt["json"]; ok {
		var meta map[string]any
		if json.Unmarshal(js, &meta) == nil {
			str := func(keys ...string) string {
				for _, k := range keys {
					if s, ok := meta[k].(string); ok && s != "" {
						return s
					}
				}
				return ""
			}
			it.URL = str("url", "URL")
			if it.Text == "" {
				it.Text = str("caption", "text", "TEXT")
			}
			it.ISCC = str("iscc")
			it.SHA256 = str("sha256")
		}
	}
	if u, ok := byExt["url"]; ok && it.URL == "" {
		it.URL = strings.TrimSpace(string(u))
	}
	for _, ext := range mediaExts {
		if data, ok := byExt[ext]; ok {
			it.MediaName = names[ext]
			it.Content = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			break
		}
	}
	return it, nil
}

func (t *tarReader) NewWriter(dst string) (Writer, error) {
	f, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return &tarWriter{name: dst, f: f, bw: bw, tw: tar.NewWriter(bw)}, nil
}

type tarWriter struct {
	name string
	f    *os.File
	bw   *bufio.Writer
	tw   *tar.Writer
}

func (w *tarWriter) Write(it *Item) error {
	sample, ok := it.raw.(tarSample)
	if !ok {
		return fmt.Errorf("write %s: item %s is not from a tar input", w.name, it.Key)
	}
	for _, m := range sample {
		hdr := *m.hdr
		if err := w.tw.WriteHeader(&hdr); err != nil {
			return fmt.Errorf("write %s member %s: %w", w.name, hdr.Name, err)
		}
		if _, err := w.tw.Write(m.data); err != nil {
			return fmt.Errorf("write %s member %s: %w", w.name, hdr.Name, err)
		}
	}
	return nil
}

func (w *tarWriter) Close() error {
	err := errors.Join(w.tw.Close(), w.bw.Flush())
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", w.name, err)
	}
	return nil
}
