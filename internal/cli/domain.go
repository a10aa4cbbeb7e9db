package cli

import (
	"context"
	"encoding/json"
	"fmt"
)

// domainVerifiedJSON is the output of domain verify --json.
type domainVerifiedJSON struct {
	Domain      string `json:"domain"`
	State       string `json:"state"`
	Method      string `json:"method"`
	ReceiptFile string `json:"receipt_file"`
}

func runDomain(ctx context.Context, e *env, args []string) int {
	usage := "claim|verify DOMAIN [--receipts DIR] [--json]\n\n" +
		"claim prints a token to publish as a line of https://DOMAIN/.well-known/askfirst.txt or as a\n" +
		"DNS TXT record of _askfirst.DOMAIN; verify asks the registry to check it. A verified domain\n" +
		"can then be the subject of declarations (askfirst declare --subject domain:DOMAIN)."
	if len(args) == 0 || (args[0] != "claim" && args[0] != "verify") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stderr, "Usage: askfirst domain %s\n", usage)
			return ExitOK
		}
		e.errorf("domain: want 'domain claim DOMAIN' or 'domain verify DOMAIN'")
		return ExitUsage
	}
	sub := args[0]
	fs := e.newFlagSet("domain "+sub, "DOMAIN [--json]")
	rf := e.addRegistryFlags(fs)
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the verification receipt in")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		e.errorf("domain %s: want one DOMAIN", sub)
		return ExitUsage
	}
	domain := fs.Arg(0)
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if sub == "claim" {
		res, err := c.ClaimDomain(ctx, domain)
		if err != nil {
			return e.apiError("domain claim", err, c.URL())
		}
		if *jsonOut {
			enc.Encode(res)
			return ExitOK
		}
		fmt.Fprintf(e.stdout, "claim on %s: %s\ntoken: %s\n", res.Domain, res.State, res.Token)
		fmt.Fprintf(e.stdout, "publish the token as a line of https://%s/.well-known/askfirst.txt\n", res.Domain)
		fmt.Fprintf(e.stdout, "  or as a DNS TXT record: _askfirst.%s. TXT \"%s\"\n", res.Domain, res.Token)
		fmt.Fprintf(e.stdout, "then run: askfirst domain verify %s\n", res.Domain)
		return ExitOK
	}
	res, err := c.VerifyDomain(ctx, domain)
	if err != nil {
		code := e.apiError("domain verify", err, c.URL())
		e.hintf("the token from 'askfirst domain claim %s' must be served at https://%s/.well-known/askfirst.txt or in the TXT record of _askfirst.%s", domain, domain, domain)
		return code
	}
	saved, err := saveReceipt(*receipts, res.Receipt)
	if err != nil {
		e.errorf("domain verify: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		enc.Encode(domainVerifiedJSON{Domain: res.Domain, State: res.State, Method: res.Method, ReceiptFile: saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "%s: %s", res.Domain, res.State)
	if res.Method != "" {
		fmt.Fprintf(e.stdout, " (by %s)", res.Method)
	}
	fmt.Fprintln(e.stdout)
	if saved != "" {
		fmt.Fprintf(e.stdout, "receipt saved to %s\n", saved)
	}
	return ExitOK
}
