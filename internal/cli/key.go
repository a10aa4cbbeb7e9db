package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/askfirst/askfirst/internal/capped"
)

// maxKeyFile caps a private key file.
const maxKeyFile = 16 << 10

// keyAddedJSON is the output of key add --json.
type keyAddedJSON struct {
	ID          string `json:"id"`
	LogIndex    int64  `json:"log_index"`
	ReceiptFile string `json:"receipt_file"`
}

func runKey(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "revoke" {
		return keyRevoke(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stderr, "Usage: askfirst key add [--generate] [--receipts DIR] [--json] KEYFILE\n"+
				"       askfirst key revoke [--receipts DIR] [--json] KEY_ID\n")
			return ExitOK
		}
		e.errorf("key: want 'key add' or 'key revoke'")
		e.hintf("askfirst key add --generate ~/.askfirst-signing.pem")
		return ExitUsage
	}
	fset := e.newFlagSet("key add", "[--generate] [--receipts DIR] [--json] KEYFILE\n\n"+
		"Registers the Ed25519 public key of KEYFILE (PKCS #8 PEM, as 'openssl genpkey -algorithm ed25519'\n"+
		"writes) for self-signed declarations ('askfirst declare --sign-key KEYFILE --key-id ID').\n"+
		"With --generate, a new key is written to KEYFILE (mode 0600) first; an existing file is never overwritten.")
	rf := e.addRegistryFlags(fset)
	generate := fset.Bool("generate", false, "create a new key in KEYFILE first")
	receipts := fset.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fset.Bool("json", false, "print the result as JSON")
	if code := parseFlags(fset, args[1:]); code >= 0 {
		return code
	}
	if fset.NArg() != 1 {
		e.errorf("key add: want one KEYFILE")
		return ExitUsage
	}
	path := fset.Arg(0)
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	if *generate {
		if err := generateKey(path); err != nil {
			e.errorf("key add: %v", err)
			if errors.Is(err, fs.ErrExist) {
				e.hintf("drop --generate to register the key already in %s", path)
			}
			return ExitFailure
		}
	}
	priv, err := readSigningKey(path)
	if err != nil {
		e.errorf("key add: %v", err)
		return ExitFailure
	}
	res, err := c.AddKey(ctx, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return e.apiError("key add", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, res.Receipt)
	if err != nil {
		e.errorf("key add: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		printJSON(e, keyAddedJSON{ID: res.ID, LogIndex: res.Receipt.Index, ReceiptFile: saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "key %s registered (log %d, receipt %s)\n", res.ID, res.Receipt.Index, saved)
	fmt.Fprintf(e.stdout, "sign declarations with: askfirst declare --sign-key %s --key-id %s ...\n", path, res.ID)
	return ExitOK
}

// keyRevoke revokes one of the caller's signing keys.
func keyRevoke(ctx context.Context, e *env, args []string) int {
	fset := e.newFlagSet("key revoke", "[--receipts DIR] [--json] KEY_ID\n\n"+
		"Revokes a signing key of your account (a lost or leaked key): declarations signed with it\n"+
		"are refused from then on, those signed before keep their signature. The revocation is a\n"+
		"log entry; its receipt is saved.")
	rf := e.addRegistryFlags(fset)
	receipts := fset.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fset.Bool("json", false, "print the result as JSON")
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if fset.NArg() != 1 {
		e.errorf("key revoke: want one KEY_ID")
		e.hintf("the key ID is what 'askfirst key add' printed (key_...)")
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	id := fset.Arg(0)
	rc, err := c.RevokeKey(ctx, id)
	if err != nil {
		return e.apiError("key revoke", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, rc)
	if err != nil {
		e.errorf("key revoke: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		printJSON(e, map[string]any{"id": id, "log_index": rc.Index, "receipt": saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "key %s revoked (log %d, receipt %s)\n", id, rc.Index, saved)
	return ExitOK
}

// generateKey writes a new Ed25519 private key to path as PKCS #8 PEM,
// readable only by the user; it never overwrites a file.
func generateKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readSigningKey reads an Ed25519 private key in PKCS #8 PEM.
func readSigningKey(path string) (ed25519.PrivateKey, error) {
	data, err := capped.ReadFile(path, maxKeyFile)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: want a PEM \"PRIVATE KEY\" block (PKCS #8)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: a %T, want an Ed25519 key", path, k)
	}
	return priv, nil
}
