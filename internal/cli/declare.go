package cli

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

const declareSynopsis = "--subject work:ID|account[:ID]|domain:D|url-prefix:URL [--deny U,...] [--allow U,...] [--license U,... --price AMOUNT --currency CUR [--terms URL] [--contact C]] [--supersedes ID] [--sign-key FILE --key-id ID] [--on-behalf-of ACCOUNT] [--receipts DIR] [--json]\n\n" +
	"Declares, per use, deny, allow or license for a subject: one work, all works of the account,\n" +
	"a verified domain, or a URL prefix on one. A declaration is never edited: --supersedes replaces\n" +
	"an earlier one and both stay in the log."

// declaredJSON is the output of declare --json: the declaration (its
// "signed" says whether it is self-signed) and the receipt file saved.
type declaredJSON struct {
	Declaration wire.Declaration `json:"declaration"`
	ReceiptFile string           `json:"receipt_file"`
}

func runDeclare(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("declare", declareSynopsis)
	rf := e.addRegistryFlags(fs)
	tf := addTermsFlags(fs)
	subject := fs.String("subject", "", "what the declaration is about: work:ID, account (all your works), domain:DOMAIN or url-prefix:URL")
	supersedes := fs.String("supersedes", "", "ID of the declaration this one replaces")
	signKey := fs.String("sign-key", "", "Ed25519 private key file (PKCS #8 PEM) to self-sign the declaration with")
	keyID := fs.String("key-id", "", "ID of the key registered with 'askfirst key add' (with --sign-key)")
	onBehalf := fs.String("on-behalf-of", "", "declare for this member account (an organisation the member delegated to)")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fs.Bool("json", false, "print the declaration and its receipt file as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("declare: unexpected argument %q", fs.Arg(0))
		e.hintf("to register files with a declaration use 'askfirst register'")
		return ExitUsage
	}
	subj, err := parseSubject(*subject)
	if err != nil {
		e.errorf("declare: --subject: %v", err)
		e.hintf("askfirst declare --subject account --deny train-genai,train-ai")
		return ExitUsage
	}
	terms, err := tf.terms()
	if err != nil {
		e.errorf("declare: %v", err)
		return ExitUsage
	}
	if len(terms) == 0 {
		e.errorf("declare: give at least one of --deny, --allow, --license")
		return ExitUsage
	}
	if (*signKey == "") != (*keyID == "") {
		e.errorf("declare: --sign-key and --key-id go together")
		e.hintf("register the key first: askfirst key add --generate KEYFILE")
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	req := wire.DeclareRequest{Subject: subj, Terms: terms, OnBehalfOf: *onBehalf, Supersedes: *supersedes}
	if *signKey != "" {
		priv, err := readSigningKey(*signKey)
		if err != nil {
			e.errorf("declare: --sign-key: %v", err)
			return ExitFailure
		}
		me, err := c.Me(ctx)
		if err != nil {
			return e.apiError("declare", err, c.URL())
		}
		canon, err := signedStatement(me.Account.ID, *onBehalf, req)
		if err != nil {
			e.errorf("declare: %v", err)
			return ExitUsage
		}
		req.Signed, req.Signature, req.Key = canon, ed25519.Sign(priv, canon), *keyID
	}
	res, err := c.Declare(ctx, req)
	if err != nil {
		return e.apiError("declare", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, res.Receipt)
	if err != nil {
		e.errorf("declare: %v", err)
		return ExitFailure
	}
	d := res.Declaration
	if *jsonOut {
		printJSON(e, declaredJSON{Declaration: d, ReceiptFile: saved})
		return ExitOK
	}
	line := fmt.Sprintf("declaration %s (log %d) on %s: %s", d.ID, d.LogIndex, d.Subject, registryevidence.TermsString(d.Terms))
	if d.Supersedes != "" {
		line += "; supersedes " + d.Supersedes
	}
	if req.Key != "" {
		line += "; self-signed with key " + req.Key
	}
	fmt.Fprintln(e.stdout, line)
	fmt.Fprintf(e.stdout, "receipt saved to %s\n", saved)
	return ExitOK
}

// parseSubject reads work:ID, account, account:ID, domain:D or
// url-prefix:URL, normalised as the registry does (so that a self-signed
// statement matches what it records).
func parseSubject(s string) (wire.Subject, error) {
	kind, value, _ := strings.Cut(strings.TrimSpace(s), ":")
	switch kind {
	case "":
		return wire.Subject{}, fmt.Errorf("required")
	case wire.SubjectWork:
		if value == "" {
			return wire.Subject{}, fmt.Errorf("work:ID needs the work's ID")
		}
		return wire.Subject{Kind: kind, Value: value}, nil
	case wire.SubjectAccount:
		return wire.Subject{Kind: kind, Value: value}, nil
	case wire.SubjectDomain:
		d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(value)), "www.")
		if d == "" || strings.ContainsAny(d, "/ \t") {
			return wire.Subject{}, fmt.Errorf("domain:%s: want a host name such as example.com", value)
		}
		return wire.Subject{Kind: kind, Value: d}, nil
	case wire.SubjectURLPrefix:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return wire.Subject{}, fmt.Errorf("url-prefix:%s: want an http or https URL", value)
		}
		u.Fragment = ""
		u.Host = strings.ToLower(u.Host)
		return wire.Subject{Kind: kind, Value: u.String(), Domain: strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")}, nil
	}
	return wire.Subject{}, fmt.Errorf("%q: want work:ID, account, domain:DOMAIN or url-prefix:URL", s)
}

// signedStatement is the RFC 8785 canonical JSON of the statement a
// self-signed declaration signs (wire.DeclarationStatement, DESIGN §5).
func signedStatement(me, onBehalf string, req wire.DeclareRequest) ([]byte, error) {
	owner := me
	if onBehalf != "" {
		owner = onBehalf
	}
	subj := req.Subject
	if subj.Kind == wire.SubjectAccount && subj.Value == "" {
		subj.Value = owner
	}
	st := wire.DeclarationStatement{Type: "declaration", Account: owner, Subject: subj, Terms: req.Terms, Supersedes: req.Supersedes}
	if onBehalf != "" {
		st.Account, st.OnBehalfOf = me, onBehalf
	}
	canon, err := jcs.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("canonical statement: %w", err)
	}
	return canon, nil
}
