package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/ledger"
)

// verifyTimeout bounds one fetch of the monitor.
const verifyTimeout = 60 * time.Second

// maxStateFileSize caps the verify state file.
const maxStateFileSize = 64 << 10

// runVerify is `askfirst verify`: monitor a registry's log and verify
// receipts (DESIGN §5, §6). Exit 0 when everything verifies, 1 on a split
// view, a rewritten history, a receipt that does not verify, or when the
// check could not complete, 2 on usage errors.
func runVerify(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("verify", "--registry URL [--state FILE] [--key VKEY] [--json] [RECEIPT...]")
	registry := fs.String("registry", e.getenv("ASKFIRST_REGISTRY"), "registry base `URL` (default $ASKFIRST_REGISTRY)")
	statePath := fs.String("state", "", "state `FILE` keeping the pinned key and the last checkpoint seen (default in the user config folder, one per registry)")
	key := fs.String("key", "", "trust this note verifier `key` instead of pinning the one the registry publishes on first use")
	allowPrivate := fs.Bool("allow-private", e.getenv("ASKFIRST_ALLOW_PRIVATE") == "1", "allow fetching from private and loopback addresses (local registries, tests)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *registry == "" {
		e.errorf("verify: no registry")
		e.hintf("pass --registry URL or set ASKFIRST_REGISTRY")
		return ExitUsage
	}
	u, err := url.Parse(*registry)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.errorf("verify: registry %q is not an http or https URL", *registry)
		return ExitUsage
	}
	if *statePath == "" {
		dir, err := verifyConfigDir(e.getenv)
		if err != nil {
			e.errorf("verify: %v", err)
			e.hintf("pass --state FILE")
			return ExitFailure
		}
		*statePath = filepath.Join(dir, "askfirst", "verify", verifyStateName(u)+".json")
	}

	var receipts []ledger.NamedReceipt
	for _, name := range fs.Args() {
		data, err := readVerifyFile(name, ledger.MaxReceiptSize)
		if err != nil {
			e.errorf("verify: read receipt %s: %v", name, err)
			return ExitFailure
		}
		r, err := ledger.ParseReceipt(data)
		if err != nil {
			e.errorf("verify: receipt %s: %v", name, err)
			return ExitFailure
		}
		receipts = append(receipts, ledger.NamedReceipt{Name: name, Receipt: r})
	}

	var st ledger.State
	data, err := readVerifyFile(*statePath, maxStateFileSize)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		e.errorf("verify: read state %s: %v", *statePath, err)
		return ExitFailure
	default:
		if err := json.Unmarshal(data, &st); err != nil {
			e.errorf("verify: state %s: %v", *statePath, err)
			e.hintf("remove the file to start over, losing the pinned key and the last checkpoint seen")
			return ExitFailure
		}
	}

	client, err := fetch.New(fetch.Config{AllowPrivate: *allowPrivate, Timeout: verifyTimeout})
	if err != nil {
		e.errorf("verify: %v", err)
		return ExitFailure
	}
	defer client.Close()
	m := &ledger.Monitor{URL: *registry, Key: strings.TrimSpace(*key), Get: verifyGetter(client)}
	rep, err := m.Check(ctx, &st, receipts)
	if err != nil {
		e.errorf("verify %s: %v", *registry, err)
		if errors.Is(err, fetch.ErrBlockedAddress) {
			e.hintf("for a registry on this machine or a private network, pass --allow-private")
		}
		return ExitFailure
	}
	if rep.OK() {
		if err := writeVerifyState(*statePath, &st); err != nil {
			e.errorf("verify: save state: %v", err)
			return ExitFailure
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printVerifyReport(e.stdout, rep, *statePath)
	}
	if !rep.OK() {
		for _, p := range rep.Problems {
			e.errorf("%s: %s", p.What, verifyFirstLine(p.Detail))
		}
		e.hintf("keep %s and the receipts: together with the checkpoints above they prove the registry's misbehaviour", *statePath)
		return ExitFailure
	}
	return ExitOK
}

func printVerifyReport(w io.Writer, rep *ledger.Report, statePath string) {
	fmt.Fprintf(w, "registry %s\nlog      %s\n", rep.Registry, rep.Origin)
	if rep.KeyPinned {
		fmt.Fprintf(w, "key      %s (pinned on first use in %s)\n", rep.VerifierKey, statePath)
	} else {
		fmt.Fprintf(w, "key      %s\n", rep.VerifierKey)
	}
	fmt.Fprintf(w, "size     %d entries (last seen %d), root %s\n", rep.Size, rep.PreviousSize, rep.Root)
	fmt.Fprintf(w, "entries  %d downloaded and hashed into the tree\n", rep.EntriesChecked)
	for _, r := range rep.Receipts {
		if r.OK {
			fmt.Fprintf(w, "ok       %s: entry %d included in the tree of %d, consistent with the current one\n", r.Name, r.Index, r.CheckpointSize)
		} else {
			fmt.Fprintf(w, "FAILED   %s: entry %d: %s\n", r.Name, r.Index, r.Problem)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "PROBLEM  %s\n%s\n", p.What, verifyIndent(p.Detail))
	}
	if rep.OK() {
		fmt.Fprintf(w, "verified: the log is consistent with everything seen before\n")
	}
}

func verifyIndent(s string) string {
	return "         " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n         ")
}

func verifyFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, ":")
}

// verifyGetter adapts the safe outbound client to the monitor.
func verifyGetter(c *fetch.Client) ledger.Getter {
	return func(ctx context.Context, u string, limit int64) ([]byte, error) {
		resp, err := c.Do(ctx, fetch.Request{URL: u, Limit: limit})
		if err != nil {
			return nil, err
		}
		if resp.Status != 200 {
			return nil, fmt.Errorf("get %s: status %d", u, resp.Status)
		}
		return resp.Body, nil
	}
}

// verifyStateName turns a registry URL into a file name.
func verifyStateName(u *url.URL) string {
	s := u.Host + strings.TrimSuffix(u.Path, "/")
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// verifyConfigDir is os.UserConfigDir reading the environment through getenv.
func verifyConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := getenv("AppData"); d != "" {
			return d, nil
		}
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
	default:
		if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
			return d, nil
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".config"), nil
		}
	}
	return "", errors.New("no user config folder (HOME is not set)")
}

func readVerifyFile(path string, limit int64) ([]byte, error) {
	data, err := capped.ReadFile(path, limit)
	if errors.Is(err, capped.ErrTooLarge) {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, err
}

// writeVerifyState replaces the state file atomically.
func writeVerifyState(path string, st *ledger.State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".verify-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
