package cli

// What the client commands (account, register, declare, key, lookup,
// domain, campaign, works, declarations) and check share: the registry
// flags, the token, the declaration flags and receipts on disk.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
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
	data, err := capped.ReadFile(path, maxTokenFile)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			return "", unwrapPathError(err)
		}
		return "", fmt.Errorf("%s: %w", path, errors.Unwrap(err))
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
func (t *termsFlags) terms() ([]wire.Term, error) {
	var out []wire.Term
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
			term := wire.Term{Use: string(u), Decision: decision}
			if decision == "license" {
				term.Offer = &wire.Offer{Price: *t.price, Currency: strings.ToUpper(*t.currency), TermsURL: *t.termsURL, Contact: *t.contact}
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
func saveReceipt(dir string, rc wire.Receipt) (string, error) {
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

// plural is "1 signature", "2 signatures".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
