package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

const (
	protectSiteSynopsis = "[--deny U,...] [--allow U,...] [--license U,... --terms URL [--price AMOUNT --currency CUR] [--contact C] [--holder NAME] [--license-server URL]]\n" +
		"       [--from-registry [--registry URL] [--account ID]] [--site URL] [--merge robots.txt] [--json] --out DIR\n\n" +
		"Writes everything a web site needs to state one policy to AI crawlers: robots.txt, ai.txt,\n" +
		"/.well-known/tdmrep.json and its TDM policy, an RSL licence, the HTML head tags, and the\n" +
		"response headers and crawler rules (403, or 402 for crawlers that must licence) for nginx,\n" +
		"Apache and Caddy. DIR/README.md says where each file goes."
	protectEmbedSynopsis = "[--deny U,...] [--allow U,...] [--license U,... --terms URL [--price AMOUNT --currency CUR]]\n" +
		"       (--out DIR | --in-place) [--register [--registry URL]] [--break-c2pa] [--break-signatures] [--json] FILE|DIR...\n\n" +
		"Writes the policy into files without re-encoding them: IPTC plus:DataMining (and\n" +
		"plus:OtherConstraints naming the licence) into the XMP of JPEG, PNG, WebP, TIFF and PDF, and\n" +
		"the TDMRep properties into PDF (an incremental update) and EPUB package metadata."
	// maxEmbedFile caps a file protect embed reads.
	maxEmbedFile = 1 << 30
)

func runProtect(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "site":
			return runProtectSite(ctx, e, args[1:])
		case "embed":
			return runProtectEmbed(ctx, e, args[1:])
		}
	}
	w := e.stderr
	code := ExitUsage
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		w, code = e.stdout, ExitOK
	} else if len(args) > 0 {
		e.errorf("protect: unknown subcommand %q", args[0])
	}
	fmt.Fprintf(w, "Usage: askfirst protect site|embed [flags]\n\n")
	for _, sub := range []struct {
		name string
		run  func(context.Context, *env, []string) int
	}{{"site", runProtectSite}, {"embed", runProtectEmbed}} {
		sub.run(ctx, &env{stdin: e.stdin, stdout: w, stderr: w, getenv: e.getenv}, []string{"-h"})
		fmt.Fprintln(w)
	}
	return code
}

// policyFromTerms is the policy of declaration terms: per use its
// decision, and the offer of the licence terms (one offer for them all).
func policyFromTerms(terms []wire.Term) (protect.Policy, []string) {
	p := protect.Policy{Uses: map[signals.Use]signals.Verdict{}}
	var notes []string
	var offer *wire.Offer
	for _, t := range terms {
		u, err := signals.ParseUse(t.Use)
		if err != nil {
			notes = append(notes, fmt.Sprintf("term for %q ignored: %v", t.Use, err))
			continue
		}
		p.Uses[u] = signals.Verdict(t.Decision)
		if t.Decision != "license" || t.Offer == nil {
			continue
		}
		if offer != nil && *offer != *t.Offer {
			notes = append(notes, fmt.Sprintf("%s has another offer than the first licence; the first is published for every licence", u))
			continue
		}
		offer = t.Offer
	}
	if offer != nil {
		p.Offer = signals.Offer{Price: offer.Price, Currency: offer.Currency, Terms: offer.TermsURL, Contact: offer.Contact}
	}
	return p, notes
}

// policyFromRegistry reads the policy of a verified domain: the current
// declaration on it, by account when several accounts declared.
func policyFromRegistry(ctx context.Context, c *client.Client, domain, account string) (protect.Policy, string, []string, error) {
	res, err := c.Lookup(ctx, "domain", domain)
	if err != nil {
		return protect.Policy{}, "", nil, err
	}
	var best *wire.AppliedDeclaration
	accounts := map[string]bool{}
	for k := range res.Declarations {
		d := &res.Declarations[k]
		if d.Subject.Kind != wire.SubjectDomain || (account != "" && d.Account != account) {
			continue
		}
		accounts[d.Account] = true
		if best == nil || d.LogIndex > best.LogIndex {
			best = d
		}
	}
	switch {
	case best == nil && account != "":
		return protect.Policy{}, "", nil, fmt.Errorf("account %s has no declaration on the domain %s", account, domain)
	case best == nil:
		return protect.Policy{}, "", nil, fmt.Errorf("no declaration on the domain %s", domain)
	case len(accounts) > 1:
		var list []string
		for a := range accounts {
			list = append(list, a)
		}
		sort.Strings(list)
		return protect.Policy{}, "", nil, fmt.Errorf("accounts %s each declared on %s: name one with --account", strings.Join(list, ", "), domain)
	}
	p, notes := policyFromTerms(best.Terms)
	if best.AccountName != "" {
		p.Offer.Holder = best.AccountName
	}
	return p, fmt.Sprintf("declaration %s by %s (log %d)", best.ID, best.Account, best.LogIndex), notes, nil
}

// protectSiteJSON is the output of protect site --json.
type protectSiteJSON struct {
	Out       string   `json:"out"`
	Policy    string   `json:"policy"`
	Source    string   `json:"source,omitempty"`
	Files     []string `json:"files"`
	Removed   []string `json:"removed,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	Conflicts []string `json:"conflicts,omitempty"`
}

// siteOwned are the files protect site writes; one that a new policy does
// not write is removed, so that a stale file is never published.
var siteOwned = []string{
	"site/" + protect.PathRobots, "site/" + protect.PathAITxt, "site/" + protect.PathTDMRep,
	"site/" + protect.PathTDMPolicy, "site/" + protect.PathLicense,
	"server/head.html", "server/nginx.conf", "server/apache.conf", "server/Caddyfile", "README.md",
}

func runProtectSite(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("protect site", protectSiteSynopsis)
	tf := addTermsFlags(fs)
	holder := fs.String("holder", "", "name of the rights holder offering the licence")
	server := fs.String("license-server", "", "URL of an RSL licence server that issues licence tokens")
	site := fs.String("site", "", "the site's base URL, such as https://www.example.com (links in the files are absolute with it)")
	merge := fs.String("merge", "", "an existing robots.txt to keep and add to")
	fromRegistry := fs.Bool("from-registry", false, "publish the policy the registry holds for the domain of --site instead of flags")
	registryURL := fs.String("registry", envOr(e, "ASKFIRST_REGISTRY", client.DefaultURL), "registry URL for --from-registry (env ASKFIRST_REGISTRY)")
	account := fs.String("account", "", "with --from-registry: the account whose declaration to publish")
	out := fs.String("out", "", "folder to write into (created; files of an earlier run that this policy does not need are removed)")
	jsonOut := fs.Bool("json", false, "print what was written as JSON")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		e.errorf("protect site: unexpected argument %q", fs.Arg(0))
		return ExitUsage
	}
	if *out == "" {
		e.errorf("protect site: no --out DIR")
		e.hintf("askfirst protect site --deny train-genai,train-ai --allow search --site https://www.example.com --out site-policy")
		return ExitUsage
	}
	var p protect.Policy
	var source string
	var notes []string
	if *fromRegistry {
		if *tf.deny+*tf.allow+*tf.license+*tf.price+*tf.currency+*tf.termsURL+*tf.contact != "" {
			e.errorf("protect site: --from-registry publishes the registry's policy; give it or --deny/--allow/--license, not both")
			return ExitUsage
		}
		u, err := url.Parse(*site)
		if *site == "" || err != nil || u.Hostname() == "" {
			e.errorf("protect site: --from-registry needs --site URL, whose domain's declaration is read")
			return ExitUsage
		}
		c, code := e.matchClient(*registryURL)
		if code >= 0 {
			return code
		}
		p, source, notes, err = policyFromRegistry(ctx, c, strings.ToLower(u.Host), *account)
		if err != nil {
			var ae *client.Error
			if errors.As(err, &ae) {
				return e.apiError("protect site", err, c.URL())
			}
			e.errorf("protect site: %v", err)
			e.hintf("declare the domain's policy first: askfirst declare --subject domain:%s --deny train-genai,train-ai", u.Hostname())
			return ExitFailure
		}
	} else {
		terms, err := tf.terms()
		if err != nil {
			e.errorf("protect site: %v", err)
			return ExitUsage
		}
		p, notes = policyFromTerms(terms)
	}
	if *holder != "" {
		p.Offer.Holder = *holder
	}
	p.Offer.Server = *server
	if len(p.Uses) == 0 {
		e.errorf("protect site: the policy states nothing: give --deny, --allow or --license")
		return ExitUsage
	}
	cfg := protect.SiteConfig{Policy: p, URL: strings.TrimSuffix(*site, "/")}
	if *merge != "" {
		data, err := capped.ReadFile(*merge, protect.MaxRobots)
		if errors.Is(err, capped.ErrTooLarge) {
			e.errorf("protect site: --merge %s: over %d bytes, the most crawlers read", *merge, protect.MaxRobots)
			return ExitFailure
		}
		if err != nil {
			e.errorf("protect site: --merge: %v", err)
			return ExitFailure
		}
		cfg.Robots = data
	}
	files, err := protect.Site(cfg)
	if err != nil {
		e.errorf("protect site: %v", err)
		return ExitUsage
	}
	written, removed, err := writeSiteFiles(*out, files.Files)
	if err != nil {
		e.errorf("protect site: %v", err)
		return ExitFailure
	}
	res := protectSiteJSON{Out: *out, Policy: files.Policy.String(), Source: source, Files: written, Removed: removed, Conflicts: files.Conflicts}
	for _, n := range notes {
		res.Warnings = append(res.Warnings, "policy: "+n)
	}
	for _, w := range files.Warnings {
		res.Warnings = append(res.Warnings, w.String())
	}
	if *jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		return ExitOK
	}
	for _, w := range res.Warnings {
		e.warnf("%s", w)
	}
	for _, c := range files.Conflicts {
		e.warnf("--merge %s: %s", *merge, c)
	}
	if source != "" {
		fmt.Fprintf(e.stdout, "policy from the registry: %s\n", source)
	}
	fmt.Fprintf(e.stdout, "policy: %s\n", res.Policy)
	for _, f := range written {
		fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(*out, f))
	}
	for _, f := range removed {
		fmt.Fprintf(e.stdout, "removed %s (this policy does not need it)\n", filepath.Join(*out, f))
	}
	fmt.Fprintf(e.stdout, "next: follow %s, then check the site with 'askfirst check %s/'\n", filepath.Join(*out, "README.md"), orExample(cfg.URL))
	return ExitOK
}

func orExample(u string) string {
	if u == "" {
		return "https://your.site"
	}
	return u
}

// writeSiteFiles writes files under dir, each atomically, and removes the
// files of siteOwned it did not write. It returns the paths written and
// removed, sorted.
func writeSiteFiles(dir string, files map[string][]byte) (written, removed []string, err error) {
	for p := range files {
		written = append(written, p)
	}
	sort.Strings(written)
	for _, p := range written {
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(p)), files[p], 0o644); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range siteOwned {
		if _, ok := files[p]; ok {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.Remove(path); err == nil {
			removed = append(removed, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("remove %s: %w", path, unwrapPathError(err))
		}
	}
	return written, removed, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, synced before it is renamed over path, and syncs the folder: a
// crash leaves the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, unwrapPathError(err))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// protectEmbedJSON is one line of protect embed --json.
type protectEmbedJSON struct {
	Path     string   `json:"path"`
	Out      string   `json:"out,omitempty"`
	Format   string   `json:"format,omitempty"`
	Wrote    []string `json:"wrote,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
}

func runProtectEmbed(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("protect embed", protectEmbedSynopsis)
	tf := addTermsFlags(fs)
	outDir := fs.String("out", "", "write the protected copies into this folder (the originals are not changed)")
	inPlace := fs.Bool("in-place", false, "change the files themselves (through a temporary file and a rename)")
	register := fs.Bool("register", false, "also register each protected file, by its codes after embedding, with the same declaration")
	rf := e.addRegistryFlags(fs)
	breakC2PA := fs.Bool("break-c2pa", false, "write into files with a C2PA manifest, whose Content Credentials then read as tampered")
	breakSig := fs.Bool("break-signatures", false, "write into EPUBs with META-INF/signatures.xml, whose signatures then fail")
	receipts := fs.String("receipts", "askfirst-receipts", "with --register: folder to save the receipts in")
	jsonOut := fs.Bool("json", false, "print one JSON object per file per line (JSON Lines)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		e.errorf("protect embed: no file given")
		e.hintf("askfirst protect embed --deny train-genai,train-ai --out protected/ photos/")
		return ExitUsage
	}
	if (*outDir == "") == !*inPlace {
		e.errorf("protect embed: give --out DIR for protected copies, or --in-place to change the files themselves")
		return ExitUsage
	}
	terms, err := tf.terms()
	if err != nil {
		e.errorf("protect embed: %v", err)
		return ExitUsage
	}
	p, notes := policyFromTerms(terms)
	if len(p.Uses) == 0 {
		e.errorf("protect embed: the policy states nothing: give --deny, --allow or --license")
		return ExitUsage
	}
	if _, _, err := p.Normalize(); err != nil {
		e.errorf("protect embed: %v", err)
		return ExitUsage
	}
	for _, n := range notes {
		e.warnf("policy: %s", n)
	}
	var c *client.Client
	if *register {
		var code int
		if c, code = e.registryClient(rf, true); code >= 0 {
			return code
		}
	}
	jobs := embedInputs(fs.Args(), *outDir)
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	failed, skipped := 0, 0
	var done []*idJob
	opts := protect.EmbedOptions{BreakC2PA: *breakC2PA, BreakSignatures: *breakSig}
	for _, j := range jobs {
		r := protectEmbedJSON{Path: j.path}
		if j.err == nil {
			r.Out = j.out
			if *inPlace {
				r.Out = j.path
			}
			j.err = embedOne(j.path, r.Out, p, opts, &r)
		}
		if j.err != nil {
			if j.inDir && errors.Is(j.err, protect.ErrUnsupported) {
				skipped++
				continue
			}
			failed++
			r.Out, r.Error = "", j.err.Error()
			e.errorf("protect embed %s: %v", j.path, j.err)
			if errors.Is(j.err, protect.ErrInexpressible) {
				e.hintf("an image's IPTC value covers fixed sets of uses (for example --deny train-genai,train-ai, or --deny train-genai,train-ai,ai-input --allow search)")
			}
		} else {
			done = append(done, &idJob{path: r.Out, done: make(chan struct{})})
		}
		if *jsonOut {
			enc.Encode(r)
		} else if r.Error == "" {
			fmt.Fprintf(e.stdout, "%s: wrote %s (%s)\n", r.Out, strings.Join(r.Wrote, "; "), r.Format)
			for _, w := range r.Warnings {
				e.warnf("%s: %s", r.Out, w)
			}
		}
	}
	if skipped > 0 && !*jsonOut {
		fmt.Fprintf(e.stdout, "%d files of other formats skipped\n", skipped)
	}
	if *register && len(done) > 0 {
		if code := e.registerEmbedded(ctx, c, terms, done, *receipts, *jsonOut); code >= 0 {
			return code
		}
	}
	if failed > 0 {
		e.errorf("protect embed: %d of %d files not protected", failed, len(done)+failed)
		return ExitFailure
	}
	return ExitOK
}

// embedJob is one file to protect.
type embedJob struct {
	path, out string
	err       error
	inDir     bool // found in a folder given: another format is skipped
}

// embedInputs lists the files to protect, each with its output path under
// outDir: the file's name, or for a folder given its name and the path
// below it. A file or folder that cannot be read, and a second file for
// the same output, are jobs with an error.
func embedInputs(args []string, outDir string) []*embedJob {
	var jobs []*embedJob
	outs := map[string]string{}
	add := func(path, rel string, inDir bool) {
		j := &embedJob{path: path, inDir: inDir}
		if outDir != "" {
			j.out = filepath.Join(outDir, rel)
			if prev, ok := outs[j.out]; ok {
				j.err = fmt.Errorf("%s is written to %s already", prev, j.out)
			}
			outs[j.out] = path
		}
		jobs = append(jobs, j)
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			jobs = append(jobs, &embedJob{path: a, err: unwrapPathError(err)})
			continue
		}
		if !st.IsDir() {
			add(a, filepath.Base(a), false)
			continue
		}
		filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				jobs = append(jobs, &embedJob{path: p, err: unwrapPathError(err)})
				return nil
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(a, p)
				add(p, filepath.Join(filepath.Base(filepath.Clean(a)), rel), true)
			}
			return nil
		})
	}
	return jobs
}

// embedOne protects one file: read (capped), embed, write to out
// atomically with the original's permissions.
func embedOne(path, out string, p protect.Policy, o protect.EmbedOptions, r *protectEmbedJSON) error {
	f, err := os.Open(path)
	if err != nil {
		return unwrapPathError(err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() > maxEmbedFile {
		err = fmt.Errorf("%d bytes, over the %d-byte cap", st.Size(), maxEmbedFile)
	}
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(f, maxEmbedFile+1))
	}
	f.Close()
	if err != nil {
		return err
	}
	if protect.Detect(data) == "" {
		return fmt.Errorf("not JPEG, PNG, WebP, TIFF, PDF or EPUB: %w", protect.ErrUnsupported)
	}
	em, err := protect.Embed(data, p, o)
	if err != nil {
		return err
	}
	r.Format, r.Wrote = em.Format, em.Wrote
	for _, w := range em.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	return writeFileAtomic(out, em.Data, st.Mode().Perm())
}

// registerEmbedded registers the protected files with the declaration,
// their codes computed from the files as written.
func (e *env) registerEmbedded(ctx context.Context, c *client.Client, terms []wire.Term, jobs []*idJob, receipts string, jsonOut bool) int {
	opts := identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG")}
	r := &registerRun{e: e, c: c, terms: terms, receipts: receipts, jsonOut: jsonOut, total: len(jobs), batch: defaultRegisterBatch}
	var works []wire.WorkInput
	var ok []*idJob
	for _, j := range jobs {
		j.res, j.err = identify.File(ctx, j.path, opts)
		if j.res == nil {
			r.failed++
			r.fileError(j.path, j.err)
			continue
		}
		ok = append(ok, j)
		works = append(works, registry.WorkFromIdentity(j.res))
	}
	for start := 0; start < len(works); start += r.batch {
		end := min(start+r.batch, len(works))
		if code := r.send(ctx, ok[start:end], works[start:end]); code >= 0 {
			return code
		}
	}
	if r.failed > 0 {
		e.errorf("protect embed --register: %d of %d files not registered", r.failed, len(jobs))
		return ExitFailure
	}
	if !jsonOut {
		fmt.Fprintf(e.stdout, "%d protected files registered at %s; receipts in %s\n", r.done, c.URL(), receipts)
	}
	return -1
}
