package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/askfirst/askfirst/wire"
)

// accountCreatedJSON is the output of account create --json: the account
// and its token, or the file the token was saved to.
type accountCreatedJSON struct {
	Account   wire.Account `json:"account"`
	Token     string       `json:"token,omitempty"`
	TokenFile string       `json:"token_file,omitempty"`
}

// delegatedJSON is the output of account delegate --json.
type delegatedJSON struct {
	Organisation string `json:"organisation"`
	LogIndex     int64  `json:"log_index"`
	ReceiptFile  string `json:"receipt_file"`
}

func runAccount(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "delegate" {
		return accountDelegate(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "show" {
		return accountShow(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "revoke-delegation" {
		return accountRevokeDelegation(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stderr, "Usage: askfirst account create --name NAME [--kind creator|organisation|developer] [--save FILE] [--json]\n"+
				"       askfirst account show [--json]\n"+
				"       askfirst account delegate --to ORGANISATION_ID [--json]\n"+
				"       askfirst account revoke-delegation --to ORGANISATION_ID [--json]\n")
			return ExitOK
		}
		e.errorf("account: want 'account create', 'account show', 'account delegate' or 'account revoke-delegation'")
		e.hintf("askfirst account create --name \"Jane Doe\" --save ~/.askfirst-token")
		return ExitUsage
	}
	fs := e.newFlagSet("account create", "--name NAME [--kind creator|organisation|developer] [--save FILE] [--receipts DIR] [--json]")
	rf := e.addRegistryFlags(fs)
	name := fs.String("name", "", "the account's public name")
	kind := fs.String("kind", "creator", "creator, organisation or developer")
	save := fs.String("save", "", "write the token to FILE (mode 0600) instead of printing it")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipt of the account's log entry in")
	jsonOut := fs.Bool("json", false, "print {\"account\": {...}, \"token\": \"...\"} as JSON")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("account create: unexpected argument %q", fs.Arg(0))
		return ExitUsage
	}
	if *name == "" {
		e.errorf("account create: --name is required")
		e.hintf("askfirst account create --name \"Jane Doe\" --save ~/.askfirst-token")
		return ExitUsage
	}
	switch *kind {
	case "creator", "organisation", "developer":
	default:
		e.errorf("account create: --kind %q: want creator, organisation or developer", *kind)
		return ExitUsage
	}
	c, code := e.registryClient(rf, false)
	if code >= 0 {
		return code
	}
	res, err := c.CreateAccount(ctx, *name, *kind)
	if err != nil {
		return e.apiError("account create", err, c.URL())
	}
	if _, err := saveReceipt(*receipts, res.Receipt); err != nil {
		e.warnf("account create: %v", err)
	}
	if *save != "" {
		if err := writeSecret(*save, res.Token); err != nil {
			e.errorf("account create: save the token: %v", err)
			e.hintf("the account %s was created; its token was not saved, create another account or a token", res.Account.ID)
			return ExitFailure
		}
	}
	if *jsonOut {
		out := accountCreatedJSON{Account: res.Account, Token: res.Token}
		if *save != "" {
			out = accountCreatedJSON{Account: res.Account, TokenFile: *save}
		}
		printJSON(e, out)
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "account %s (%s) %q created at %s\n", res.Account.ID, res.Account.Kind, res.Account.Name, c.URL())
	if *save != "" {
		fmt.Fprintf(e.stdout, "token saved to %s (readable only by you)\n", *save)
		fmt.Fprintf(e.stdout, "use it with: --token-file %s   or   export ASKFIRST_TOKEN=\"$(cat %s)\"\n", *save, *save)
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "token: %s\n", res.Token)
	fmt.Fprintf(e.stdout, "the token is shown once: keep it in a file only you can read (or use --save FILE), then --token-file FILE or export ASKFIRST_TOKEN\n")
	return ExitOK
}

// writeSecret writes a secret to a new file only the user can read; it
// refuses to overwrite an existing file.
func writeSecret(path, secret string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// accountDelegate lets an organisation register works and declare for the
// caller's account (the organisation then uses --on-behalf-of).
func accountDelegate(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("account delegate", "--to ORGANISATION_ID [--receipts DIR] [--json]\n\n"+
		"Lets the organisation register works and declare for your account\n"+
		"(it then passes --on-behalf-of YOUR_ACCOUNT_ID to register and declare).")
	rf := e.addRegistryFlags(fs)
	to := fs.String("to", "", "the organisation's account ID")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *to == "" || fs.NArg() > 0 {
		e.errorf("account delegate: want --to ORGANISATION_ID and nothing else")
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	rc, err := c.Delegate(ctx, *to)
	if err != nil {
		return e.apiError("account delegate", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, rc)
	if err != nil {
		e.errorf("account delegate: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		printJSON(e, delegatedJSON{Organisation: *to, LogIndex: rc.Index, ReceiptFile: saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "%s may now register and declare for your account (log %d, receipt %s)\n", *to, rc.Index, saved)
	return ExitOK
}

// accountShow prints the account the token belongs to, with its IDs.
func accountShow(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("account show", "[--json]\n\n"+
		"Shows the account of the token (ASKFIRST_TOKEN or --token-file): its ID, kind, name, the log\n"+
		"entry that created it, and the token's ID and scope.")
	rf := e.addRegistryFlags(fs)
	jsonOut := fs.Bool("json", false, "print {\"account\": {...}, \"token\": {...}} as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("account show: unexpected argument %q", fs.Arg(0))
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	me, err := c.Me(ctx)
	if err != nil {
		return e.apiError("account show", err, c.URL())
	}
	if *jsonOut {
		printJSON(e, me)
		return ExitOK
	}
	a := me.Account
	fmt.Fprintf(e.stdout, "account %s (%s) %q at %s\n", a.ID, a.Kind, a.Name, c.URL())
	fmt.Fprintf(e.stdout, "  created %s, log entry %d (evidence %s)\n", a.Created, a.LogIndex, c.ReceiptURL(a.LogIndex))
	tok := fmt.Sprintf("  token %s (%s)", me.Token.ID, me.Token.Scope)
	if me.Token.Label != "" {
		tok += fmt.Sprintf(" %q", me.Token.Label)
	}
	fmt.Fprintln(e.stdout, tok)
	return ExitOK
}

// accountRevokeDelegation ends the caller's delegation to an organisation:
// from then on it can no longer register works or declare for the caller.
func accountRevokeDelegation(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("account revoke-delegation", "--to ORGANISATION_ID [--receipts DIR] [--json]\n\n"+
		"Ends your delegation to the organisation: from then on it can no longer register works or\n"+
		"declare for your account. What it declared before stays in the log; supersede it with\n"+
		"'askfirst declare --supersedes ID'. The revocation is a log entry; its receipt is saved.")
	rf := e.addRegistryFlags(fs)
	to := fs.String("to", "", "the organisation's account ID")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fs.Bool("json", false, "print the result as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *to == "" || fs.NArg() > 0 {
		e.errorf("account revoke-delegation: want --to ORGANISATION_ID and nothing else")
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	rc, err := c.RevokeDelegation(ctx, *to)
	if err != nil {
		return e.apiError("account revoke-delegation", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, rc)
	if err != nil {
		e.errorf("account revoke-delegation: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		printJSON(e, map[string]any{"organisation": *to, "log_index": rc.Index, "receipt": saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "%s may no longer register or declare for your account (log %d, receipt %s)\n", *to, rc.Index, saved)
	return ExitOK
}
