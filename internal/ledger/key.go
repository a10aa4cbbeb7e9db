package ledger

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/capped"
)

// KeyFileName is the name of the signing key file in the data folder.
const KeyFileName = "log.key"

// maxKeyFileSize caps the signing key file.
const maxKeyFileSize = 4 << 10

// LoadKey returns the log's note signer key. It looks, in order, at the
// environment variable ASKFIRST_LOG_KEY (the key itself), at the file named
// by ASKFIRST_LOG_KEY_FILE, and at dir/log.key; if none is set and the file
// does not exist, it generates an Ed25519 key named origin and writes it to
// dir/log.key with mode 0600. created reports that. The key is a secret:
// callers must never log it.
func LoadKey(dir, origin string, getenv func(string) string) (skey string, created bool, err error) {
	if k := strings.TrimSpace(getenv("ASKFIRST_LOG_KEY")); k != "" {
		return k, false, nil
	}
	if f := getenv("ASKFIRST_LOG_KEY_FILE"); f != "" {
		k, err := readKeyFile(f)
		return k, false, err
	}
	path := filepath.Join(dir, KeyFileName)
	k, err := readKeyFile(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if origin == "" {
		return "", false, errors.New("create log key: empty origin")
	}
	skey, _, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	// O_EXCL: two processes starting at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		k, err := readKeyFile(path)
		return k, false, err
	}
	if err != nil {
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("create log key %s: %w", path, err)
	}
	return skey, true, nil
}

func readKeyFile(path string) (string, error) {
	buf, err := capped.ReadFile(path, maxKeyFileSize)
	if err != nil {
		return "", fmt.Errorf("read log key: %w", err)
	}
	k := strings.TrimSpace(string(buf))
	if k == "" {
		return "", fmt.Errorf("read log key %s: empty", path)
	}
	return k, nil
}
