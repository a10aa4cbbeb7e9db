package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/internal/capped"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/signals/rsl"
)

// Defaults of askfirst check.
const (
	checkConcurrency = 32
	// maxCheckFile caps how much of a local file is read for embedded metadata.
	maxCheckFile = signals.MaxTarget
)

// checkJSON is one line of `askfirst check --json` (DESIGN §6), and the
// first fields of a line of `askfirst audit --json`.
type checkJSON struct {
	// Target is what was checked: a URL or a local file as given.
	Target string `json:"target"`
	// Path is the local file checked, the "path" of askfirst id; absent
	// for a URL.
	Path     string                      `json:"path,omitempty"`
	Mode     signals.Mode                `json:"mode,omitempty"`
	Verdicts map[signals.Use]verdictJSON `json:"verdicts,omitempty"`
	Evidence []signals.Statement         `json:"evidence,omitempty"`
	Warnings []string                    `json:"warnings,omitempty"`
	Error    string                      `json:"error,omitempty"`
}

// verdictJSON is the outcome for one use: the verdict, the decision under
// the mode, the mechanisms that decided it and why, in whole (only the
// human table shortens).
type verdictJSON struct {
	Verdict   signals.Verdict  `json:"verdict"`
	Decision  signals.Decision `json:"decision"`
	DecidedBy []string         `json:"decided_by"`
	Reason    string           `json:"reason"`
	Conflict  bool             `json:"conflict,omitempty"`
	Offer     *signals.Offer   `json:"offer,omitempty"`
}

// agentFor collects repeated --agent-for USE=TOKEN flags.
type agentFor map[signals.Use]string

func (a agentFor) String() string {
	var parts []string
	for u, t := range a {
		parts = append(parts, string(u)+"="+t)
	}
	return strings.Join(parts, ",")
}

func (a agentFor) Set(s string) error {
	us, tok, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(tok) == "" {
		return fmt.Errorf("want USE=TOKEN, got %q", s)
	}
	u, err := signals.ParseUse(strings.TrimSpace(us))
	if err != nil {
		return err
	}
	a[u] = strings.TrimSpace(tok)
	return nil
}

// webClient returns the outbound client of check and audit: private
// addresses refused unless allowed by flag or ASKFIRST_ALLOW_PRIVATE=1, an
// honest User-Agent, the per-origin limit and the time limit given (0: the
// default).
func (e *env) webClient(allowPrivate bool, perOrigin int, timeout time.Duration) (*fetch.Client, int) {
	if v := e.getenv("ASKFIRST_ALLOW_PRIVATE"); v == "1" || strings.EqualFold(v, "true") {
		allowPrivate = true
	}
	c, err := fetch.New(fetch.Config{
		UserAgent:    "askfirst/" + version() + " (+https://github.com/askfirst/askfirst)",
		AllowPrivate: allowPrivate,
		Timeout:      timeout,
		PerOrigin:    perOrigin,
	})
	if err != nil {
		e.errorf("%v", err)
		return nil, ExitFailure
	}
	return c, -1
}

// profileFlags registers --user and --geo, the developer's profile against
// which RSL licences restricted by user class or region are evaluated.
func profileFlags(fs *flag.FlagSet) (user, geo *string) {
	user = fs.String("user", "", "your user class for RSL licences restricted by user: commercial, non-commercial, education, government, personal (env ASKFIRST_USER; default commercial, the class licences restrict most)")
	geo = fs.String("geo", "", "ISO 3166-1 country code where you use the content, for RSL licences restricted by region, e.g. DE (env ASKFIRST_GEO; default none: a region-restricted licence then covers you nowhere)")
	return user, geo
}

// parseProfile checks --user and --geo (or their environment fallbacks);
// false means a usage error was reported.
func (e *env) parseProfile(user, geo string) (rsl.Profile, bool) {
	if user == "" {
		user = e.getenv("ASKFIRST_USER")
	}
	if geo == "" {
		geo = e.getenv("ASKFIRST_GEO")
	}
	p, err := rsl.ParseProfile(user, geo)
	if err != nil {
		e.errorf("--user/--geo: %v", err)
		e.hintf("--user is one of %s; --geo is a country code such as DE", strings.Join(rsl.UserClasses, ", "))
		return rsl.Profile{}, false
	}
	return p, true
}

func runCheck(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("check", "[--json] [--use U,...] [--mode eu-tdm|consent|research] [--agent TOKEN] [--agent-for USE=TOKEN]... [--user CLASS] [--geo CC] [--registry URL] TARGET...")
	jsonOut := fs.Bool("json", false, "print one JSON object per target per line (JSON Lines)")
	useFlag := fs.String("use", "", "uses to check, comma-separated: train-genai, train-ai, ai-input, search (default all)")
	modeFlag := fs.String("mode", string(signals.EUTDM), "what unknown means: eu-tdm (include), consent (exclude training), research (reservations recorded, not blocking)")
	agent := fs.String("agent", "askfirst", "robots.txt product token evaluated for every use")
	perUse := agentFor{}
	fs.Var(perUse, "agent-for", "product token for one use, USE=TOKEN (repeatable), e.g. train-genai=askfirst-train")
	allowPrivate := fs.Bool("allow-private", false, "allow fetching private, loopback and link-local addresses (env ASKFIRST_ALLOW_PRIVATE=1)")
	registry := fs.String("registry", "", "askfirst registry URL to match targets against, by URL and content codes (env ASKFIRST_REGISTRY)")
	strict := fs.Bool("strict-training", false, "also read robots.txt rules that block AI training crawlers (GPTBot, CCBot, ...) as a training reservation")
	user, geo := profileFlags(fs)
	concurrency := fs.Int("concurrency", checkConcurrency, "targets checked at once")
	perOrigin := fs.Int("per-origin", fetch.DefaultPerOrigin, "concurrent requests to one origin")
	timeout := fs.Duration("timeout", fetch.DefaultTimeout, "time limit of one request, redirects and body included")
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
	if fs.NArg() == 0 {
		e.errorf("no target given")
		e.hintf("askfirst check https://example.com/page.html photo.jpg")
		return ExitUsage
	}
	if *concurrency < 1 || *perOrigin < 1 {
		e.errorf("--concurrency and --per-origin must be at least 1")
		return ExitUsage
	}
	if strings.TrimSpace(*agent) == "" {
		e.errorf("--agent must not be empty")
		return ExitUsage
	}
	profile, ok := e.parseProfile(*user, *geo)
	if !ok {
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
	in := &signals.Inspector{Fetcher: client.Signals(), Agent: *agent, AgentFor: perUse, Uses: uses, StrictTraining: *strict, User: profile.User, Geo: profile.Geo}
	if *registry != "" {
		rc, code := e.matchClient(*registry)
		if code >= 0 {
			return code
		}
		in.Registry = &registryevidence.Source{Client: rc, Uses: uses, Identify: identify.Options{FPCalc: e.getenv("ASKFIRST_FPCALC"), FFmpeg: e.getenv("ASKFIRST_FFMPEG")}}
	}
	return checkTargets(ctx, e, in, fs.Args(), signals.Options{Uses: uses, Mode: mode}, *jsonOut, *concurrency)
}

// checkTargets checks targets concurrently and prints the results in the
// order given, each as soon as it and all before it are done.
func checkTargets(ctx context.Context, e *env, in *signals.Inspector, targets []string, opts signals.Options, jsonOut bool, concurrency int) int {
	results := make([]chan checkJSON, len(targets))
	for i := range results {
		results[i] = make(chan checkJSON, 1)
	}
	var g errgroup.Group
	g.SetLimit(concurrency)
	var done sync.WaitGroup
	done.Add(1)
	failed, excluded, hinted := false, false, false
	go func() {
		defer done.Done()
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, ch := range results {
			r := <-ch
			if r.Error != "" {
				failed = true
				e.errorf("%s", r.Error)
				if strings.Contains(r.Error, "--allow-private") && !hinted {
					e.hintf("local and private addresses are refused unless --allow-private (or ASKFIRST_ALLOW_PRIVATE=1) is given")
					hinted = true
				}
			}
			for _, v := range r.Verdicts {
				if v.Decision == signals.Exclude {
					excluded = true
				}
			}
			if jsonOut {
				_ = enc.Encode(r)
			} else {
				printCheck(e, r, opts.Uses)
			}
		}
	}()
	for i, t := range targets {
		g.Go(func() error {
			results[i] <- checkOne(ctx, in, t, opts)
			return nil
		})
	}
	_ = g.Wait()
	done.Wait()
	switch {
	case failed:
		return ExitFailure
	case excluded:
		return ExitDenied
	}
	return ExitOK
}

// isURL reports whether a target is to be fetched rather than read.
func isURL(t string) bool {
	u, err := url.Parse(t)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func checkOne(ctx context.Context, in *signals.Inspector, target string, opts signals.Options) checkJSON {
	out := checkJSON{Target: target}
	var stmts []signals.Statement
	if isURL(target) {
		st, err := in.URL(ctx, target)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		stmts = st
	} else {
		if strings.Contains(target, "://") {
			out.Error = fmt.Sprintf("check %s: only http and https URLs and local files can be checked", target)
			return out
		}
		out.Path = target
		data, err := capped.ReadFile(target, maxCheckFile)
		truncated := errors.Is(err, capped.ErrTooLarge)
		if err != nil && !truncated {
			out.Error = fmt.Sprintf("check %s: %v", target, err)
			return out
		}
		stmts = in.File(ctx, target, data)
		if truncated {
			stmts = append(stmts, signals.Statement{Mechanism: "file", Location: target, Value: "truncated",
				Uses:     map[signals.Use]signals.Verdict{},
				Warnings: []string{fmt.Sprintf("file larger than %d bytes; only the beginning was read", maxCheckFile)}})
		}
	}
	r := signals.Evaluate(stmts, opts)
	out.Mode = r.Mode
	out.Evidence = r.Evidence
	out.Warnings = r.Warnings
	out.Verdicts = map[signals.Use]verdictJSON{}
	for _, ur := range r.Uses {
		v := verdictJSON{Verdict: ur.Verdict, Decision: ur.Decision, Reason: ur.Reason, Conflict: ur.Conflict, Offer: ur.Offer, DecidedBy: []string{}}
		for _, i := range ur.DecidedBy {
			m := r.Evidence[i].Mechanism
			if len(v.DecidedBy) == 0 || v.DecidedBy[len(v.DecidedBy)-1] != m {
				v.DecidedBy = append(v.DecidedBy, m)
			}
		}
		out.Verdicts[ur.Use] = v
	}
	return out
}

// printCheck prints one result for people: per use the verdict, the
// decision and the one-line reason, then the evidence.
func printCheck(e *env, r checkJSON, uses []signals.Use) {
	w := e.stdout
	if r.Error != "" {
		return // reported on stderr
	}
	fmt.Fprintln(w, r.Target)
	for _, u := range uses {
		v := r.Verdicts[u]
		fmt.Fprintf(w, "  %-12s %-8s %-8s %s\n", u, v.Verdict, v.Decision, shortenQuoted(v.Reason, maxShownValue))
		if v.Offer != nil {
			fmt.Fprintf(w, "  %-12s offer: %s\n", "", offerText(v.Offer))
		}
	}
	fmt.Fprintf(w, "  evidence (mode %s):\n", r.Mode)
	for _, s := range r.Evidence {
		effect := usesText(s.Uses, uses)
		fmt.Fprintf(w, "    %s %s\n      at %s\n      %s\n", s.Mechanism, fmt.Sprintf("%q", s.Value), s.Location, effect)
		for _, u := range uses {
			if why, ok := s.Overruled[u]; ok {
				fmt.Fprintf(w, "      %s: outranked, %s\n", u, why)
			}
		}
		for _, wn := range s.Warnings {
			fmt.Fprintf(w, "      warning: %s\n", wn)
		}
	}
	fmt.Fprintln(w)
}

func usesText(m map[signals.Use]signals.Verdict, uses []signals.Use) string {
	var parts []string
	for _, u := range uses {
		if v, ok := m[u]; ok {
			parts = append(parts, string(u)+"="+string(v))
		}
	}
	if len(parts) == 0 {
		return "no effect on the uses checked"
	}
	return strings.Join(parts, " ")
}

func offerText(o *signals.Offer) string {
	var parts []string
	if o.Price != "" {
		parts = append(parts, strings.TrimSpace(o.Price+" "+o.Currency))
	}
	if o.Per != "" {
		parts = append(parts, "per "+o.Per)
	}
	if o.Terms != "" {
		parts = append(parts, "terms "+o.Terms)
	}
	if o.Contact != "" {
		parts = append(parts, "contact "+o.Contact)
	}
	if o.Server != "" {
		parts = append(parts, "licence server "+o.Server)
	}
	return strings.Join(parts, ", ")
}

// maxShownValue is the longest quoted value the human output shows whole.
const maxShownValue = 80

// shortenQuoted shortens every Go-quoted string in s longer than max bytes
// to its first max bytes and "...": the human table's reasons stay on one
// line, while --json carries them whole.
func shortenQuoted(s string, max int) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		q, err := strconv.QuotedPrefix(s[i:])
		if err != nil {
			b.WriteString(s[i:])
			return b.String()
		}
		s = s[i+len(q):]
		if v, err := strconv.Unquote(q); err == nil && len(v) > max {
			q = strconv.Quote(strings.ToValidUTF8(v[:max], "") + "...")
		}
		b.WriteString(q)
	}
}
