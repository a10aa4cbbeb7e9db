package cli

// What the client commands (account, register, declare, key, lookup,
// domain, campaign) and check share: the registry flags, the token, the
// declaration flags, receipts on disk, and the registry as a mechanism of
// check (signals.RegistrySource).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/askfirst/askfirst/internal/client"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/signals"
)

// maxTokenFile caps a token file.
const maxTokenFile = 4 << 10

// registryFlags are --registry and --token-file.
type registryFlags struct {
	url       *string
	tokenFile *string
}

func (e *env) addRegistryFlags(fs *flag.FlagSet) *registryFlags {
	return &registryFlags{
		url:       fs.String("registry", envOr(e, "ASKFIRST_REGISTRY", client.DefaultURL), "registry URL (env ASKFIRST_REGISTRY)"),
		tokenFile: fs.String("token-file", "", "file holding the API token (default: env ASKFIRST_TOKEN)"),
	}
}

// client returns a client of the registry; with needToken, a token is
// required (from --token-file, else ASKFIRST_TOKEN). The exit code is -1
// on success.
func (e *env) registryClient(rf *registryFlags, needToken bool) (*client.Client, int) {
	token := ""
	if *rf.tokenFile != "" {
		data, err := readTokenFile(*rf.tokenFile)
		if err != nil {
			e.errorf("--token-file: %v", err)
			return nil, ExitUsage
		}
		token = data
	} else {
		token = strings.TrimSpace(e.getenv("ASKFIRST_TOKEN"))
	}
	if needToken && token == "" {
		e.errorf("no API token: set ASKFIRST_TOKEN or give --token-file FILE")
		e.hintf("create an account with 'askfirst account create --name NAME --save FILE', then use --token-file FILE")
		return nil, ExitUsage
	}
	c, err := client.New(*rf.url, token, nil)
	if err != nil {
		e.errorf("--registry: %v", err)
		return nil, ExitUsage
	}
	c.UserAgent = "askfirst/" + version()
	return c, -1
}

// matchClient returns a client for the public lookups of check and audit
// against registry URL u, with the token of ASKFIRST_TOKEN when set (rate
// limits are per token). The exit code is -1 on success.
func (e *env) matchClient(u string) (*client.Client, int) {
	c, err := client.New(u, strings.TrimSpace(e.getenv("ASKFIRST_TOKEN")), nil)
	if err != nil {
		e.errorf("--registry: %v", err)
		return nil, ExitUsage
	}
	c.UserAgent = "askfirst/" + version()
	return c, -1
}

func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", unwrapPathError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxTokenFile {
		return "", fmt.Errorf("%s: over the %d-byte cap for a token file", path, maxTokenFile)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("%s: want the token alone on one line", path)
	}
	return tok, nil
}

// apiError reports a failed registry call with a hint on what to do, and
// returns ExitFailure.
func (e *env) apiError(what string, err error, registryURL string) int {
	e.errorf("%s: %v", what, err)
	var ae *client.Error
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ae) && ae.Status == 401:
		e.hintf("check the token (ASKFIRST_TOKEN or --token-file): it may be mistyped or revoked")
	case errors.As(err, &ae) && ae.Kind() == "domain-not-verified":
		e.hintf("claim the domain and publish its token first: askfirst domain claim DOMAIN, then askfirst domain verify DOMAIN")
	case errors.As(err, &ae) && ae.Status == 403:
		e.hintf("the token's account may not do this; a read-only token cannot write")
	case errors.As(err, &ae) && ae.Status == 429:
		e.hintf("the registry's rate limit was reached; try again later or in smaller batches")
	case errors.As(err, &oe) || errors.As(err, &ne):
		e.hintf("is a registry running at %s? start one with 'askfirst serve', or pass --registry URL (or ASKFIRST_REGISTRY)", registryURL)
	}
	return ExitFailure
}

// termsFlags are the declaration flags shared by register, declare and
// campaign sign.
type termsFlags struct {
	deny, allow, license               *string
	price, currency, termsURL, contact *string
}

func addTermsFlags(fs *flag.FlagSet) *termsFlags {
	return &termsFlags{
		deny:     fs.String("deny", "", "uses to reserve, comma-separated: train-genai, train-ai, ai-input, search (a broad use reserves the narrower ones)"),
		allow:    fs.String("allow", "", "uses to allow, comma-separated"),
		license:  fs.String("license", "", "uses allowed only under a licence, comma-separated (with --price and --currency, or --terms or --contact)"),
		price:    fs.String("price", "", "licence price per item, a decimal such as 0.05"),
		currency: fs.String("currency", "", "ISO 4217 currency of --price, such as EUR"),
		termsURL: fs.String("terms", "", "URL of the licence terms"),
		contact:  fs.String("contact", "", "where to ask for a licence: a URL or mailto:"),
	}
}

// terms builds the terms; an error is a usage error.
func (t *termsFlags) terms() ([]store.Term, error) {
	var out []store.Term
	seen := map[signals.Use]string{}
	add := func(flagName, list, decision string) error {
		if list == "" {
			return nil
		}
		uses, err := signals.ParseUses(list)
		if err != nil {
			return fmt.Errorf("--%s: %v", flagName, err)
		}
		for _, u := range uses {
			if prev, ok := seen[u]; ok {
				return fmt.Errorf("use %s given to both --%s and --%s", u, prev, flagName)
			}
			seen[u] = flagName
			term := store.Term{Use: string(u), Decision: decision}
			if decision == "license" {
				term.Offer = &store.Offer{Price: *t.price, Currency: strings.ToUpper(*t.currency), TermsURL: *t.termsURL, Contact: *t.contact}
			}
			out = append(out, term)
		}
		return nil
	}
	if err := add("deny", *t.deny, "deny"); err != nil {
		return nil, err
	}
	if err := add("license", *t.license, "license"); err != nil {
		return nil, err
	}
	if err := add("allow", *t.allow, "allow"); err != nil {
		return nil, err
	}
	offer := *t.price != "" || *t.currency != "" || *t.termsURL != "" || *t.contact != ""
	if *t.license == "" && offer {
		return nil, errors.New("--price, --currency, --terms and --contact describe a licence offer: give --license USE,... too")
	}
	if *t.license != "" {
		if !offer {
			return nil, errors.New("--license needs an offer: --price AMOUNT --currency CUR, or --terms URL, or --contact C")
		}
		if (*t.price == "") != (*t.currency == "") {
			return nil, errors.New("--price and --currency go together")
		}
	}
	return out, nil
}

// saveReceipt writes a receipt as DIR/<log index>.json (DESIGN §5) and
// returns the file's path.
func saveReceipt(dir string, rc ledger.Receipt) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save receipt %d: %w", rc.Index, unwrapPathError(err))
	}
	data, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("save receipt %d: %w", rc.Index, err)
	}
	path := filepath.Join(dir, strconv.FormatInt(rc.Index, 10)+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("save receipt %d: %w", rc.Index, err)
	}
	return path, nil
}

// matchItem turns a file's codes into a match query.
func matchItem(res *identify.Result) registry.MatchItem {
	it := registry.MatchItem{ISCC: res.ISCC, Datahash: res.Datahash}
	for _, u := range []string{res.Units.Meta, res.Units.Content, res.Units.Data, res.Units.Instance} {
		if u != "" {
			it.Units = append(it.Units, u)
		}
	}
	if res.PDQ != nil {
		it.PDQ = res.PDQ.Hash
	}
	return it
}

// registrySource asks a registry about check's targets: by URL, and by
// the codes of the content when check has it (a local file, or a URL
// fetched in full). Concurrent targets share POST /v1/match calls
// (matchBatcher), so a check of many URLs does not send one request each.
type registrySource struct {
	c     *client.Client
	uses  []signals.Use
	id    identify.Options
	batch matchBatcher
}

// Statements implements signals.RegistrySource.
func (s *registrySource) Statements(ctx context.Context, target string, data []byte) ([]signals.Statement, error) {
	var it registry.MatchItem
	if data != nil {
		res, err := identify.Reader(ctx, identify.NameFromPath(target), bytes.NewReader(data), s.id)
		if res == nil {
			return nil, fmt.Errorf("compute the codes of %s: %w", target, err)
		}
		it = matchItem(res)
	}
	if isURL(target) {
		it.URL = target
	}
	if it.URL == "" && it.ISCC == "" && it.Datahash == "" && len(it.Units) == 0 && it.PDQ == "" {
		return nil, nil
	}
	res, err := s.batch.match(ctx, s.c, it)
	if err != nil {
		return []signals.Statement{registryevidence.Unreachable(s.c.URL(), err, s.uses)}, nil
	}
	return registryevidence.Statements(s.c.URL(), res, s.uses), nil
}

// Batching of concurrent lookups.
const (
	matchWindow   = 3 * time.Millisecond // how long the first caller waits for others
	matchBatchMax = 1000                 // items per call
)

// matchBatcher coalesces concurrent lookups into one call: the first
// caller of a batch waits matchWindow for others to join, then sends them
// all and hands each its result. The zero value is ready to use.
type matchBatcher struct {
	mu      sync.Mutex
	pending *matchBatch
}

type matchBatch struct {
	items []registry.MatchItem
	done  chan struct{}
	res   []registry.MatchResult
	err   error
}

func (b *matchBatcher) match(ctx context.Context, c *client.Client, it registry.MatchItem) (registry.MatchResult, error) {
	b.mu.Lock()
	leader := false
	if b.pending == nil || len(b.pending.items) >= matchBatchMax {
		b.pending, leader = &matchBatch{done: make(chan struct{})}, true
	}
	bt := b.pending
	i := len(bt.items)
	bt.items = append(bt.items, it)
	b.mu.Unlock()
	if leader {
		t := time.NewTimer(matchWindow)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		b.mu.Lock()
		if b.pending == bt {
			b.pending = nil
		}
		items := bt.items // no more joiners: bt is no longer pending
		b.mu.Unlock()
		if err := ctx.Err(); err != nil {
			bt.err = err
		} else {
			bt.res, bt.err = c.Match(ctx, items)
		}
		close(bt.done)
	} else {
		select {
		case <-bt.done:
		case <-ctx.Done():
			return registry.MatchResult{}, ctx.Err()
		}
	}
	if bt.err != nil {
		return registry.MatchResult{}, bt.err
	}
	return bt.res[i], nil
}
