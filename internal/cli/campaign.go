package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/wire"
)

const campaignUsage = "create --title T --statement S [--json]\n" +
	"       askfirst campaign sign ID --name NAME [--role R] [--domain D] [--listed] [--deny U,...] [--license U,... --price ...] [--json]\n" +
	"       askfirst campaign show ID [--limit N] [--after SIG] [--json]\n" +
	"       askfirst campaign list [--limit N] [--after ID] [--json]\n\n" +
	"An organisation publishes a statement; people and organisations sign it. A signature with\n" +
	"--deny, --allow or --license also declares those terms for all the signer's works."

func runCampaign(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		e.errorf("campaign: want create, sign, show or list")
		e.hintf("askfirst campaign show ID")
		return ExitUsage
	}
	switch args[0] {
	case "create":
		return campaignCreate(ctx, e, args[1:])
	case "sign":
		return campaignSign(ctx, e, args[1:])
	case "show":
		return campaignShow(ctx, e, args[1:])
	case "list":
		return campaignList(ctx, e, args[1:])
	case "-h", "-help", "--help":
		fmt.Fprintf(e.stderr, "Usage: askfirst campaign %s\n", campaignUsage)
		return ExitOK
	}
	e.errorf("campaign: unknown subcommand %q: want create, sign, show or list", args[0])
	return ExitUsage
}

// campaignCreatedJSON is the output of campaign create --json.
type campaignCreatedJSON struct {
	Campaign    wire.Campaign `json:"campaign"`
	ReceiptFile string        `json:"receipt_file"`
}

// signedJSON is the output of campaign sign --json: the signature and the
// receipts saved (the blanket declaration's first, when it carries one).
type signedJSON struct {
	Signature    wire.Signature `json:"signature"`
	ReceiptFiles []string       `json:"receipt_files"`
}

// printJSON prints v as one line of JSON.
func printJSON(e *env, v any) {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func campaignCreate(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("campaign create", "--title T --statement S [--receipts DIR] [--json]")
	rf := e.addRegistryFlags(fs)
	title := fs.String("title", "", "the campaign's title")
	statement := fs.String("statement", "", "the statement people sign")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipt in")
	jsonOut := fs.Bool("json", false, "print the campaign as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *title == "" || *statement == "" || fs.NArg() > 0 {
		e.errorf("campaign create: --title and --statement are required, and nothing else")
		e.hintf("askfirst campaign create --title \"Ask first\" --statement \"Our works may not train AI without a licence.\"")
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	res, err := c.CreateCampaign(ctx, *title, *statement)
	if err != nil {
		return e.apiError("campaign create", err, c.URL())
	}
	saved, err := saveReceipt(*receipts, res.Receipt)
	if err != nil {
		e.errorf("campaign create: %v", err)
		return ExitFailure
	}
	if *jsonOut {
		printJSON(e, campaignCreatedJSON{Campaign: res.Campaign, ReceiptFile: saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "campaign %s (log %d): %q\nreceipt saved to %s\n", res.Campaign.ID, res.Campaign.LogIndex, res.Campaign.Title, saved)
	fmt.Fprintf(e.stdout, "people sign it with: askfirst campaign sign %s --name NAME [--listed]\n", res.Campaign.ID)
	return ExitOK
}

func campaignSign(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("campaign sign", "ID --name NAME [--role R] [--domain D] [--listed] [--deny U,...] [--allow U,...] [--license U,... --price AMOUNT --currency CUR] [--receipts DIR] [--json]")
	rf := e.addRegistryFlags(fs)
	tf := addTermsFlags(fs)
	name := fs.String("name", "", "your name as signatory")
	role := fs.String("role", "", "your role (photographer, publisher, ...)")
	domain := fs.String("domain", "", "a domain you verified, shown with your signature")
	listed := fs.Bool("listed", false, "list your signature publicly (counted either way)")
	receipts := fs.String("receipts", "askfirst-receipts", "folder to save the receipts in")
	jsonOut := fs.Bool("json", false, "print the signature as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 || *name == "" {
		e.errorf("campaign sign: want one campaign ID and --name")
		e.hintf("askfirst campaign sign cmp_... --name \"Jane Doe\" --listed --deny train-genai")
		return ExitUsage
	}
	terms, err := tf.terms()
	if err != nil {
		e.errorf("campaign sign: %v", err)
		return ExitUsage
	}
	c, code := e.registryClient(rf, true)
	if code >= 0 {
		return code
	}
	res, err := c.SignCampaign(ctx, fs.Arg(0), wire.SignRequest{Name: *name, Role: *role, Domain: *domain, Listed: *listed, Terms: terms})
	if err != nil {
		return e.apiError("campaign sign", err, c.URL())
	}
	var saved []string
	for _, rc := range res.Receipts {
		p, err := saveReceipt(*receipts, rc)
		if err != nil {
			e.errorf("campaign sign: %v", err)
			return ExitFailure
		}
		saved = append(saved, p)
	}
	if *jsonOut {
		printJSON(e, signedJSON{Signature: res.Signature, ReceiptFiles: saved})
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "signed campaign %s as %q (signature %s", fs.Arg(0), res.Signature.Name, res.Signature.ID)
	if res.Signature.Listed {
		fmt.Fprintf(e.stdout, ", listed)\n")
	} else {
		fmt.Fprintf(e.stdout, ", counted, not listed)\n")
	}
	if res.Signature.Declaration != "" {
		fmt.Fprintf(e.stdout, "declaration %s for all your works: %s\n", res.Signature.Declaration, registryevidence.TermsString(terms))
	}
	for _, p := range saved {
		fmt.Fprintf(e.stdout, "receipt saved to %s\n", p)
	}
	return ExitOK
}

func campaignShow(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("campaign show", "ID [--limit N] [--after SIG] [--json]")
	rf := e.addRegistryFlags(fs)
	limit := fs.Int("limit", 100, "listed signatories to show, at most 1000")
	after := fs.String("after", "", "show the signatories after this signature ID (the next page)")
	jsonOut := fs.Bool("json", false, "print the campaign as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		e.errorf("campaign show: want one campaign ID")
		return ExitUsage
	}
	if *limit < 1 || *limit > 1000 {
		e.errorf("campaign show: --limit %d: want 1 to 1000", *limit)
		return ExitUsage
	}
	c, code := e.registryClient(rf, false)
	if code >= 0 {
		return code
	}
	v, err := c.Campaign(ctx, fs.Arg(0), *after, *limit)
	if err != nil {
		return e.apiError("campaign show", err, c.URL())
	}
	if *jsonOut {
		printJSON(e, v)
		return ExitOK
	}
	fmt.Fprintf(e.stdout, "%s  %q\n  %s\n  published by %s (log %d, evidence %s)\n  %d signatures, %d listed here:\n",
		v.Campaign.ID, v.Campaign.Title, v.Campaign.Statement, v.Campaign.Account, v.Campaign.LogIndex, c.ReceiptURL(v.Campaign.LogIndex), v.Signatures, len(v.Listed))
	for _, s := range v.Listed {
		line := "    " + s.Name
		if s.Role != "" {
			line += ", " + s.Role
		}
		if s.Domain != "" {
			line += " (" + s.Domain + ")"
		}
		fmt.Fprintf(e.stdout, "%s  [log %d]\n", line, s.LogIndex)
	}
	if v.Next != "" {
		fmt.Fprintf(e.stdout, "  more: askfirst campaign show %s --after %s\n", v.Campaign.ID, v.Next)
	}
	return ExitOK
}

var campaignLister = lister[wire.CampaignSummary]{
	name: "campaign list", what: "campaigns",
	synopsis: "[--limit N] [--after ID] [--json]\n\n" +
		"Lists the registry's campaigns by ID, with their organiser and count of signatures; with\n" +
		"--json one object per campaign per line (JSON Lines).",
	page: func(ctx context.Context, c *client.Client, after string, limit int) ([]wire.CampaignSummary, string, error) {
		l, err := c.Campaigns(ctx, after, limit)
		return l.Campaigns, l.Next, err
	},
	show: func(e *env, cs wire.CampaignSummary) {
		fmt.Fprintf(e.stdout, "%s  %q by %s (%s), %s, log %d\n", cs.Campaign.ID, cs.Campaign.Title, cs.Campaign.AccountName, cs.Campaign.Account,
			plural(cs.Signatures, "signature"), cs.Campaign.LogIndex)
	},
	none: "no campaigns at %s",
}

func campaignList(ctx context.Context, e *env, args []string) int {
	return campaignLister.run(ctx, e, args)
}
