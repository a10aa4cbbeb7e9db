package signals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/askfirst/askfirst/signals/airobots"
	"github.com/askfirst/askfirst/signals/robotstxt"
)

// robotsSite is one origin's robots.txt as the gate saw it.
type robotsSite struct {
	url    string
	robots *robotstxt.Robots
	note   string   // how it was obtained, for evidence
	warn   []string // fetch and parse warnings
	// refused is the Fetcher's policy refusal (ErrRefused), if any.
	refused error
	// fetched and sum identify the copy read (zero when none was).
	fetched time.Time
	sum     string
	// trainers are the AI training crawlers of the ai.robots.txt
	// catalogue that a group of the file names (see blockedTrainers).
	trainers []string
}

// gateResult is the fetch gate of one URL (digest §14.2 step 1).
type gateResult struct {
	site      *robotsSite
	stmts     []Statement
	deniedAll bool
}

// robotsFor fetches and parses the robots.txt of u's origin, memoized per
// fetched copy. 4xx and too many redirects are "unavailable" (allow all),
// 5xx, 429 and network failures "unreachable" (deny all), RFC 9309 §2.3.1.
func (in *Inspector) robotsFor(ctx context.Context, u *url.URL) *robotsSite {
	ru := originOf(u) + "/robots.txt"
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: ru, Limit: MaxRobotsTxt, Truncate: true, Site: true})
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return &robotsSite{url: ru, robots: robotstxt.Unreachable(), note: "refused", refused: err}
		}
		if errors.Is(err, ErrTooManyRedirects) {
			return &robotsSite{url: ru, robots: robotstxt.Unavailable(), note: "unavailable (too many redirects)", warn: []string{err.Error()}}
		}
		return &robotsSite{url: ru, robots: robotstxt.Unreachable(), note: "unreachable", warn: []string{err.Error()}}
	}
	return in.memoized(respKey("robots", resp), func() any {
		st := robotstxt.FromStatus(resp.Status)
		s := &robotsSite{url: ru, fetched: resp.Fetched, sum: digest(resp.Body)}
		switch st {
		case robotstxt.StatusOK:
			if resp.Truncated {
				// A cut Allow would grant more than was written: keep a cut
				// Disallow only (robotstxt.ParseTruncated).
				s.robots = robotstxt.ParseTruncated(resp.Body)
			} else {
				s.robots = robotstxt.Parse(resp.Body)
			}
			s.note = fmt.Sprintf("%d bytes", len(resp.Body))
			if resp.Truncated {
				s.warn = append(s.warn, fmt.Sprintf("larger than %d bytes; only the first %d were parsed (RFC 9309 §2.5)", MaxRobotsTxt, MaxRobotsTxt))
			}
			for _, w := range s.robots.Warnings() {
				s.warn = append(s.warn, fmt.Sprintf("line %d: %s", w.Line, w.Message))
			}
			named := map[string]bool{}
			for _, a := range s.robots.Agents() {
				named[a] = true
			}
			for _, tok := range airobots.Tokens(airobots.PurposeTraining) {
				if named[strings.ToLower(robotstxt.ProductToken(tok))] {
					s.trainers = append(s.trainers, tok)
				}
			}
		case robotstxt.StatusUnavailable:
			s.robots = robotstxt.Unavailable()
			s.note = fmt.Sprintf("unavailable (%d): no restrictions", resp.Status)
		default:
			s.robots = robotstxt.Unreachable()
			s.note = fmt.Sprintf("unreachable (%d): complete disallow", resp.Status)
		}
		if resp.URL != ru {
			s.note += ", served from " + resp.URL
		}
		return s
	}).(*robotsSite)
}

// gate applies robots.txt to u for every use's token: a disallowed token,
// or an unreachable file, denies the uses it serves (digest §14.3 rows 1-2).
// An allowed token leaves evidence with no effect.
func (in *Inspector) gate(ctx context.Context, u *url.URL) gateResult {
	site := in.robotsFor(ctx, u)
	path := robotstxt.PathOf(u)
	order, byToken := in.tokens()
	g := gateResult{site: site, deniedAll: true}
	warned := false
	for _, tok := range order {
		uses := byToken[tok]
		d := site.robots.Allowed(tok, path)
		s := Statement{Mechanism: "robots.txt", Location: site.url, Uses: map[Use]Verdict{}}
		if !warned {
			s.Warnings = site.warn
			warned = true
		}
		switch {
		case d.Status == robotstxt.StatusUnreachable:
			s.Value = site.note
			s.Uses, s.Gate = effects(Deny, uses...), true
		case d.Status == robotstxt.StatusUnavailable:
			s.Value = site.note
		case d.Rule != nil:
			s.Value = fmt.Sprintf("%s (user-agent %s, for %s)", d.Rule, groupName(d.Group), tok)
			s.Location = fmt.Sprintf("%s line %d", site.url, d.Rule.Line)
		default:
			s.Value = fmt.Sprintf("no rule matches %s (user-agent %s, for %s)", path, groupName(d.Group), tok)
		}
		if !d.Allowed && d.Status != robotstxt.StatusUnreachable {
			s.Uses, s.Gate = effects(Deny, uses...), true
		}
		if d.Allowed {
			g.deniedAll = false
		}
		g.stmts = append(g.stmts, s)
	}
	if names, line := blockedTrainers(site, path); len(names) > 0 {
		if in.StrictTraining {
			g.stmts = append(g.stmts, Statement{
				Mechanism: "robots.txt", Location: fmt.Sprintf("%s line %d", site.url, line),
				Value: "disallowed for AI training crawlers " + strings.Join(names, ", ") + " (strict training-reservation mode)",
				Uses:  restrict(effects(Deny, TrainGenAI, TrainAI), in.uses()),
			})
		} else if len(g.stmts) > 0 {
			// Not a reservation by default (a site may block one company
			// only), but never silent: the developer decides.
			s := &g.stmts[0]
			s.Warnings = append(s.Warnings[:len(s.Warnings):len(s.Warnings)], fmt.Sprintf(
				"robots.txt blocks AI training crawlers %s from this path (line %d), which may express a reservation against AI training; askfirst evaluated its own token only. Strict training-reservation mode (askfirst --strict-training) reads these blocks as a reservation of train-genai and train-ai",
				strings.Join(names, ", "), line))
		}
	}
	stamp(g.stmts, site.fetched, site.sum)
	return g
}

// maxNamedCrawlers caps the crawler names listed in one statement.
const maxNamedCrawlers = 8

// blockedTrainers returns the training crawlers of the ai.robots.txt
// catalogue (package airobots, PurposeTraining) that robots.txt disallows
// the path for by a group naming them, at most maxNamedCrawlers, and the
// line of the first deciding rule. Blocking other trainers plainly
// expresses a reservation against training (digest §14.4). A "*" group is
// not counted here: it already applies to askfirst's own tokens.
func blockedTrainers(site *robotsSite, path string) (names []string, line int) {
	for _, tok := range site.trainers {
		d := site.robots.Allowed(tok, path)
		if d.Allowed || d.Group == "*" || d.Group == "" || d.Rule == nil {
			continue
		}
		if len(names) < maxNamedCrawlers {
			names = append(names, tok)
		}
		if line == 0 {
			line = d.Rule.Line
		}
	}
	return names, line
}

func groupName(g string) string {
	if g == "" {
		return "none"
	}
	return g
}

// fromRobotsRecords maps the extension records of robots.txt for u: the
// Content-Usage and Content-Signal records of each token's group, and the
// License records (RSL discovery) that apply to each token: the global
// ones and those of its group (robotstxt.LicensesFor). A License record
// written for another crawler is not applied, with a warning saying so.
func (in *Inspector) fromRobotsRecords(ctx context.Context, u *url.URL, g gateResult) []Statement {
	r := g.site.robots
	if r.Status() != robotstxt.StatusOK {
		return nil
	}
	path := robotstxt.PathOf(u)
	order, byToken := in.tokens()
	var out []Statement
	base, _ := url.Parse(g.site.url)
	var licenses []string             // document URLs, in first-seen order
	licenseUses := map[string][]Use{} // the uses each applies to
	applied := map[int]bool{}         // License lines applied to some token
	for _, tok := range order {
		uses := byToken[tok]
		if lines := r.ContentUsage(tok, path); len(lines) > 0 {
			out = append(out, robotsContentUsage(g.site.url, lines, uses)...)
		}
		if lines := r.ContentSignals(tok); len(lines) > 0 {
			out = append(out, robotsContentSignal(g.site.url, lines, uses)...)
		}
		for _, l := range r.LicensesFor(tok) {
			applied[l.Line] = true
			ref, err := url.Parse(l.Value)
			if err != nil {
				continue
			}
			doc := base.ResolveReference(ref).String()
			if licenseUses[doc] == nil {
				licenses = append(licenses, doc)
			}
			for _, use := range uses {
				if !slices.Contains(licenseUses[doc], use) {
					licenseUses[doc] = append(licenseUses[doc], use)
				}
			}
		}
	}
	var skipped []string
	for _, l := range r.Licenses() {
		if !applied[l.Line] {
			skipped = append(skipped, fmt.Sprintf("line %d: License %s is written in the group of another crawler; not applied to %s", l.Line, l.Value, strings.Join(order, ", ")))
		}
	}
	if len(licenses) > MaxRSLDocuments {
		skipped = append(skipped, fmt.Sprintf("%d RSL documents named; only the first %d are read", len(licenses), MaxRSLDocuments))
		licenses = licenses[:MaxRSLDocuments]
	}
	if len(skipped) > 0 {
		out = append(out, Statement{Mechanism: "robots.txt", Location: g.site.url, Value: "License records not read", Uses: map[Use]Verdict{}, Warnings: skipped})
	}
	stamp(out, g.site.fetched, g.site.sum)
	for _, doc := range licenses {
		out = append(out, in.fromRSLDocuments(ctx, u, []string{doc}, g.site.url+" License", licenseUses[doc])...)
	}
	return out
}
