package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/askfirst/askfirst/internal/audit"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
)

const auditSynopsis = "[--registry URL] [--use U,...] [--mode eu-tdm|consent|research] [--agent TOKEN] [--user CLASS] [--geo CC] [--out DIR] [--resume] [--shard I/N] [--fetch none|head|full] [--concurrency N] [--link-kept] INPUT...\n       askfirst audit merge --out DIR SHARD_DIR..."

func runAudit(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "merge" {
		return runAuditMerge(ctx, e, args[1:])
	}
	fs := e.newFlagSet("audit", auditSynopsis)
	registry := fs.String("registry", "", "askfirst registry URL to match items against (env ASKFIRST_REGISTRY)")
	useFlag := fs.String("use", "train-genai,train-ai", "uses to decide, comma-separated: train-genai, train-ai, ai-input, search")
	modeFlag := fs.String("mode", string(signals.EUTDM), "what unknown means: eu-tdm (include), consent (exclude training), research (reservations recorded, not blocking)")
	agent := fs.String("agent", "askfirst", "robots.txt product token evaluated for every use")
	perUse := agentFor{}
	fs.Var(perUse, "agent-for", "product token for one use, USE=TOKEN (repeatable)")
	user, geo := profileFlags(fs)
	out := fs.String("out", "askfirst-out", "output folder")
	resume := fs.Bool("resume", false, "continue an interrupted audit in --out")
	shard := fs.String("shard", "", "audit only shard I of N (I/N), for several machines; merge with 'askfirst audit merge'")
	fetchFlag := fs.String("fetch", "none", "what to fetch of each URL: none (site files only), head (also headers), full (also the content)")
	concurrency := fs.Int("concurrency", 64, "items checked at once")
	perOrigin := fs.Int("per-origin", fetch.DefaultPerOrigin, "concurrent requests to one origin")
	allowPrivate := fs.Bool("allow-private", false, "allow fetching private, loopback and link-local addresses (env ASKFIRST_ALLOW_PRIVATE=1)")
	timeout := fs.Duration("timeout", fetch.DefaultTimeout, "time limit of one request, redirects and body included")
	jsonOut := fs.Bool("json", false, "print one JSON object per item as it is decided (the shape of check --json, with input, key and excluded), then {\"summary\": totals} (JSON Lines)")
	linkKept := fs.Bool("link-kept", false, "hard-link the kept files of folder inputs to the originals instead of copying them (editing one then edits the other)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	uses, err := signals.ParseUses(*useFlag)
	if err != nil {
		e.errorf("--use: %v", err)
		return ExitUsage
	}
	mode, err := signals.ParseMode(*modeFlag)
	if err != nil {
		e.errorf("--mode: %v", err)
		return ExitUsage
	}
	fm, err := audit.ParseFetchMode(*fetchFlag)
	if err != nil {
		e.errorf("--fetch: %v", err)
		return ExitUsage
	}
	si, sn := 0, 0
	if *shard != "" {
		if si, sn, err = parseShard(*shard); err != nil {
			e.errorf("--shard: %v", err)
			return ExitUsage
		}
	}
	if strings.TrimSpace(*agent) == "" {
		e.errorf("--agent must not be empty")
		return ExitUsage
	}
	profile, ok := e.parseProfile(*user, *geo)
	if !ok {
		return ExitUsage
	}
	if *concurrency < 1 || *perOrigin < 1 {
		e.errorf("--concurrency and --per-origin must be at least 1")
		return ExitUsage
	}
	inputs, err := expandInputs(fs.Args())
	if err != nil {
		e.errorf("%v", err)
		return ExitUsage
	}
	if len(inputs) == 0 {
		e.errorf("no input given")
		e.hintf("askfirst audit --out cleared laion-part-00000.parquet photos/")
		return ExitUsage
	}
	if *registry == "" {
		*registry = e.getenv("ASKFIRST_REGISTRY")
	}
	client, code := e.webClient(*allowPrivate, *perOrigin, *timeout)
	if code >= 0 {
		return code
	}
	defer client.Close()
	in := &signals.Inspector{Fetcher: client.Signals(), Agent: *agent, AgentFor: perUse, Uses: uses, User: profile.User, Geo: profile.Geo}
	opts := audit.Options{
		Inputs: inputs, Out: *out, Uses: uses, Mode: mode, Agent: *agent, AgentFor: perUse,
		Fetch: fm, Concurrency: *concurrency, Shard: si, Shards: sn, Resume: *resume,
		Checker: audit.NewInspectorChecker(in), RegistryURL: *registry, LinkKept: *linkKept,
		Identify: identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG"), FFprobe: e.getenv("ASKFIRST_FFPROBE")},
	}
	if *registry != "" {
		rc, code := e.matchClient(*registry)
		if code >= 0 {
			return code
		}
		opts.Registry, opts.RegistryURL = &registryevidence.Source{Client: rc, Uses: uses}, rc.URL()
	}
	if *jsonOut {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		opts.Decided = func(r *audit.Record) { enc.Encode(auditItem(r, mode)) }
	}
	stop := e.progress(&opts)
	sum, err := audit.Run(ctx, opts)
	stop()
	if err != nil {
		e.errorf("%v", err)
		if strings.Contains(err.Error(), "--resume") {
			e.hintf("add --resume to continue, or pick another --out")
		}
		return ExitFailure
	}
	return e.auditResult(sum, *out, *jsonOut)
}

func runAuditMerge(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("audit merge", "--out DIR SHARD_DIR...")
	out := fs.String("out", "askfirst-out", "output folder for the merged result")
	jsonOut := fs.Bool("json", false, "print the totals as JSON: {\"summary\": {...}}")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 {
		e.errorf("no shard folder given")
		e.hintf("askfirst audit merge --out all shard-1 shard-2")
		return ExitUsage
	}
	sum, err := audit.Merge(ctx, *out, fs.Args())
	if err != nil {
		e.errorf("%v", err)
		return ExitFailure
	}
	return e.auditResult(sum, *out, *jsonOut)
}

// auditItemJSON is a line of audit --json for one item: the shape of a
// line of check --json (its target is the item's URL, else its local
// file, else INPUT#KEY), with where the item is and whether it was
// excluded.
type auditItemJSON struct {
	checkJSON
	Input    string `json:"input"`
	Key      string `json:"key"`
	Excluded bool   `json:"excluded"`
}

// auditSummaryJSON is the last line of audit --json (and audit merge
// --json): the totals and the output folder.
type auditSummaryJSON struct {
	Summary auditTotalsJSON `json:"summary"`
}

type auditTotalsJSON struct {
	*audit.Summary
	Out string `json:"out"`
}

// auditItem is the audit --json line of a decided record.
func auditItem(r *audit.Record, mode signals.Mode) auditItemJSON {
	out := auditItemJSON{checkJSON: checkJSON{Target: r.URL, Path: r.Path, Mode: mode, Evidence: r.Evidence, Error: r.Failed,
		Warnings: signals.Warnings(r.Evidence), Verdicts: map[signals.Use]verdictJSON{}}, Input: r.Input, Key: r.Key, Excluded: r.Excluded}
	switch {
	case out.Target != "":
	case out.Path != "":
		out.Target = out.Path
	default:
		out.Target = r.Input + "#" + r.Key
	}
	for u, v := range r.Verdicts {
		vj := verdictJSON{Verdict: v.Verdict, Decision: v.Decision, DecidedBy: v.DecidedBy, Reason: v.Reason, Conflict: v.Conflict, Offer: v.Offer}
		if vj.DecidedBy == nil {
			vj.DecidedBy = []string{}
		}
		out.Verdicts[signals.Use(u)] = vj
	}
	return out
}

func (e *env) auditResult(sum *audit.Summary, out string, jsonOut bool) int {
	if jsonOut {
		printJSON(e, auditSummaryJSON{auditTotalsJSON{sum, out}})
	} else {
		fmt.Fprintf(e.stdout, "audited %d items: %d kept, %d excluded (%d could not be checked)\n", sum.Items, sum.Kept, sum.Excluded, sum.Failed)
		fmt.Fprintf(e.stdout, "report: %s\n", filepath.Join(out, "report.html"))
		fmt.Fprintf(e.stdout, "kept items: %s  evidence: %s  bill: %s\n", filepath.Join(out, "kept"), filepath.Join(out, "excluded.jsonl"), filepath.Join(out, "bill.csv"))
	}
	switch {
	case sum.Failed > 0:
		return ExitFailure
	case sum.Excluded > 0:
		return ExitDenied
	}
	return ExitOK
}

// progress installs a progress bar on a terminal, or a log line every ten
// seconds otherwise; the returned function stops it. The percentage is of
// the input read (audit.Progress.Read), not of the items seen so far.
func (e *env) progress(o *audit.Options) func() {
	const steps = 10000
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions64(steps, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("auditing"),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true))
		o.Progress = func(p audit.Progress) {
			bar.Describe(fmt.Sprintf("auditing: %d items decided, input read", p.Decided))
			bar.Set64(int64(p.Read * steps))
		}
		return func() { bar.Finish() }
	}
	start := time.Now()
	last := start
	o.Progress = func(p audit.Progress) {
		if time.Since(last) < 10*time.Second {
			return
		}
		last = time.Now()
		rate := float64(p.Decided) / time.Since(start).Seconds()
		fmt.Fprintf(e.stderr, "askfirst: audit: %d items decided, %.0f%% of the input read, %.0f items/s\n", p.Decided, 100*p.Read, rate)
	}
	return func() {}
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("want I/N with 1 <= I <= N, got %q", s)
	}
	return i, n, nil
}

// expandInputs expands glob patterns; a name that matches nothing must
// exist as given.
func expandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %v", a, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s matches no file", a)
			}
			out = append(out, m...)
			continue
		}
		if _, err := os.Stat(a); err != nil {
			return nil, fmt.Errorf("input %s: %v", a, err)
		}
		out = append(out, a)
	}
	return out, nil
}
