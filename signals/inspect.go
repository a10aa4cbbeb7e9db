package signals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/askfirst/askfirst/signals/robotstxt"
	"github.com/askfirst/askfirst/signals/rsl"
)

// Size caps for what Inspector reads (every input is untrusted). The
// other site files use their parser's cap: tdmrep.MaxFile and
// tdmrep.MaxPolicy, aitxt.MaxSize, rsl.MaxDocument.
const (
	// MaxRobotsTxt is the robots.txt parse limit (RFC 9309 §2.5: at least
	// 500 KiB); a longer file is parsed up to it, with a warning.
	MaxRobotsTxt = robotstxt.MaxSize
	// MaxTarget caps the target itself (an HTML page or a media file whose
	// embedded metadata is read).
	MaxTarget = 64 << 20
	// MaxRSLDocuments caps how many RSL documents one target may link.
	MaxRSLDocuments = 4
)

// FetchRequest is one request an Inspector makes.
type FetchRequest struct {
	// Method is GET or HEAD.
	Method string
	// URL is absolute, http or https.
	URL string
	// Limit caps the body in bytes.
	Limit int64
	// Truncate asks for the first Limit bytes (FetchResponse.Truncated set)
	// rather than an error when the body is longer.
	Truncate bool
	// Site marks a per-origin site file (robots.txt, tdmrep.json, ai.txt)
	// that the Fetcher may cache and share (at most 24 h for robots.txt,
	// RFC 9309 §2.4).
	Site bool
}

// FetchResponse is the outcome of a FetchRequest that reached a server.
type FetchResponse struct {
	// URL is the final URL after redirects.
	URL string
	// Chain lists every URL requested, first to last.
	Chain []string
	// Status is the HTTP status of the final response.
	Status int
	Header http.Header
	Body   []byte
	// Truncated reports a body cut at FetchRequest.Limit.
	Truncated bool
	// Fetched is when the body was obtained from the origin.
	Fetched time.Time
}

// Fetcher performs HTTP requests for an Inspector. askfirst's
// internal/fetch client implements it with address checks, timeouts,
// politeness and caching. Fetch returns an error when no response was
// obtained (network failure, timeout, refused address, too many redirects,
// a body over the limit without Truncate); any HTTP status is a response.
// It must be safe for concurrent use.
type Fetcher interface {
	Fetch(ctx context.Context, req FetchRequest) (*FetchResponse, error)
}

// ErrTooManyRedirects may be wrapped by a Fetcher's error; Inspector then
// treats robots.txt as unavailable (RFC 9309 §2.3.1.2) rather than
// unreachable. A Fetcher that cannot say so gets the stricter reading.
var ErrTooManyRedirects = errors.New("too many redirects")

// ErrRefused may be wrapped by a Fetcher's error when it refuses a
// request by policy (a private address without permission): the target
// was not checked at all, so Inspector.URL returns the error instead of
// reading it as an unreachable site.
var ErrRefused = errors.New("request refused by policy")

// RegistrySource is the seam for registries (the askfirst registry, the
// Spawning API): one more mechanism, matched by URL or by content. It is
// optional; Statements returns what the registry declares about a target
// URL (data nil) or file contents.
type RegistrySource interface {
	Statements(ctx context.Context, target string, data []byte) ([]Statement, error)
}

// Inspector gathers the statements about a target. Configure the exported
// fields before first use; it is then safe for concurrent use and caches
// parsed site files (robots.txt, tdmrep.json, ai.txt) by URL and fetch time.
type Inspector struct {
	// Fetcher is required for URLs.
	Fetcher Fetcher
	// Agent is the robots.txt product token evaluated for every use;
	// empty means "askfirst".
	Agent string
	// AgentFor overrides Agent for one use (a control token such as
	// askfirst-train).
	AgentFor map[Use]string
	// Uses restricts the uses gathered for; nil means all four.
	Uses []Use
	// Registry, if set, is asked about every target.
	Registry RegistrySource
	// StrictTraining also reads a robots.txt Disallow of the path for any
	// AI training crawler of the ai.robots.txt catalogue (GPTBot, CCBot,
	// Google-Extended, ...) as a reservation of train-genai and train-ai
	// (digest §14.4, "strict training-reservation mode").
	StrictTraining bool
	// User is the developer's user class for RSL licences restricted by
	// user (commercial, non-commercial, education, government, personal;
	// see rsl.UserClasses); empty means commercial, the class licences
	// restrict most, so that no licence written for non-commercial,
	// educational or personal use is taken to cover a developer who did
	// not say which they are.
	User string
	// Geo is the ISO 3166-1 alpha-2 code of the country where the
	// developer uses the content, for RSL licences restricted by region;
	// empty means undeclared, and a licence limited to some regions or
	// excluding some then covers the developer nowhere.
	Geo string

	mu   sync.Mutex
	memo map[string]any
}

const maxMemo = 4096

// token returns the product token for u.
func (in *Inspector) token(u Use) string {
	if t := in.AgentFor[u]; t != "" {
		return t
	}
	if in.Agent != "" {
		return in.Agent
	}
	return "askfirst"
}

// profile returns the developer's profile for RSL licences (User and Geo,
// with User's default).
func (in *Inspector) profile() rsl.Profile {
	p := rsl.Profile{User: in.User, Geo: in.Geo}
	if p.User == "" {
		p.User = rsl.UserCommercial
	}
	return p
}

func (in *Inspector) uses() []Use {
	if in.Uses == nil {
		return AllUses()
	}
	return in.Uses
}

// tokens groups the uses by product token, tokens in first-use order.
func (in *Inspector) tokens() (order []string, byToken map[string][]Use) {
	byToken = map[string][]Use{}
	for _, u := range in.uses() {
		t := in.token(u)
		if byToken[t] == nil {
			order = append(order, t)
		}
		byToken[t] = append(byToken[t], u)
	}
	return order, byToken
}

// memoized returns the cached value for key, or computes and caches it.
func (in *Inspector) memoized(key string, f func() any) any {
	in.mu.Lock()
	v, ok := in.memo[key]
	in.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	in.mu.Lock()
	if in.memo == nil || len(in.memo) >= maxMemo {
		in.memo = map[string]any{}
	}
	in.memo[key] = v
	in.mu.Unlock()
	return v
}

// respKey identifies one fetched copy of a site file: by its fetch time,
// or by its bytes when the Fetcher does not say when it fetched.
func respKey(kind string, r *FetchResponse) string {
	if r.Fetched.IsZero() {
		return kind + " " + r.URL + " sha256:" + digest(r.Body)
	}
	return kind + " " + r.URL + " " + r.Fetched.Format(time.RFC3339Nano) + " " + strconv.Itoa(len(r.Body))
}

// originOf returns scheme://host[:port] of u.
func originOf(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}

// URL gathers the statements about an http or https URL: the robots.txt
// fetch gate of every origin in its redirect chain and what robots.txt
// says for each use's token, the response headers, the HTML head of a page,
// the site's tdmrep.json and ai.txt, linked RSL documents, and the
// metadata embedded in a media file. It returns an error only for a URL it
// cannot check; a failed fetch becomes a statement (deny for robots.txt,
// unknown with a warning otherwise).
func (in *Inspector) URL(ctx context.Context, rawURL string) ([]Statement, error) {
	return in.inspect(ctx, rawURL, http.MethodGet)
}

// Head is URL reading only the target's response headers (an HTTP HEAD
// request, GET when the server refuses HEAD): robots.txt and the site
// files, Content-Usage, Content-Signal, X-Robots-Tag, tdm-* and
// Link rel=license headers. Reservations made only in the HTML head or
// embedded in a media file are not seen; a caller that needs them uses URL.
func (in *Inspector) Head(ctx context.Context, rawURL string) ([]Statement, error) {
	return in.inspect(ctx, rawURL, http.MethodHead)
}

func (in *Inspector) inspect(ctx context.Context, rawURL, method string) ([]Statement, error) {
	if in.Fetcher == nil {
		return nil, fmt.Errorf("check %s: no fetcher", rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("check %s: not an http or https URL", rawURL)
	}
	u.Fragment = ""
	var out []Statement

	// §14.2 step 1: the fetch gate of the target's own origin.
	gate := in.gate(ctx, u)
	if gate.site.refused != nil {
		return nil, fmt.Errorf("check %s: %w", rawURL, gate.site.refused)
	}
	out = append(out, gate.stmts...)
	out = append(out, in.fromRobotsRecords(ctx, u, gate)...)

	// Do not fetch what robots.txt forbids for every use: askfirst is a
	// crawler too.
	if gate.deniedAll {
		out = append(out, Statement{
			Mechanism: "http", Location: u.String(), Value: "not fetched",
			Uses:     map[Use]Verdict{},
			Warnings: []string{"robots.txt forbids every requested use; the target was not fetched"},
		})
		return in.withRegistry(ctx, u.String(), nil, out), nil
	}

	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: method, URL: u.String(), Limit: MaxTarget, Truncate: true})
	if err == nil && method == http.MethodHead && (resp.Status == http.StatusMethodNotAllowed || resp.Status == http.StatusNotImplemented) {
		resp, err = in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: u.String(), Limit: MaxTarget, Truncate: true})
	}
	if errors.Is(err, ErrRefused) {
		return nil, fmt.Errorf("check %s: %w", rawURL, err)
	}
	if err != nil {
		out = append(out, Statement{
			Mechanism: "http", Location: u.String(), Value: "unreachable",
			Uses:     effects(Unknown, in.uses()...),
			Warnings: []string{err.Error()},
		})
		return in.withRegistry(ctx, u.String(), nil, out), nil
	}
	// The gate of every other origin in the redirect chain (§14.2 step 0).
	seen := map[string]bool{originOf(u): true}
	for _, hop := range resp.Chain {
		hu, err := url.Parse(hop)
		if err != nil || seen[originOf(hu)] {
			continue
		}
		seen[originOf(hu)] = true
		g := in.gate(ctx, hu)
		out = append(out, g.stmts...)
	}
	out = append(out, stamp(in.fromStatus(u, resp), resp.Fetched, digest(resp.Body))...)
	if resp.Status/100 == 2 {
		out = append(out, in.fromResponse(ctx, u, resp)...)
	}
	out = append(out, in.aitxt(ctx, u)...)
	var body []byte
	if resp.Status/100 == 2 {
		body = resp.Body
	}
	return in.withRegistry(ctx, u.String(), body, out), nil
}

// File gathers the statements embedded in a file's bytes (XMP, C2PA).
// name is used in locations only.
func (in *Inspector) File(ctx context.Context, name string, data []byte) []Statement {
	tdm := tdmrepState{}
	out := in.fromEmbedded(name, "", data, &tdm)
	out = stamp(append(out, in.tdmrepStatements(ctx, &tdm)...), time.Time{}, digest(data))
	if len(out) == 0 {
		out = append(out, Statement{
			Mechanism: "file", Location: name, Value: fmt.Sprintf("%d bytes", len(data)),
			Uses: map[Use]Verdict{}, SHA256: digest(data),
		})
	}
	return in.withRegistry(ctx, name, data, out)
}

func (in *Inspector) withRegistry(ctx context.Context, target string, data []byte, out []Statement) []Statement {
	if in.Registry == nil {
		return out
	}
	st, err := in.Registry.Statements(ctx, target, data)
	if err != nil {
		return append(out, Statement{
			Mechanism: "registry", Location: target, Value: "unreachable",
			Uses:     effects(Unknown, in.uses()...),
			Warnings: []string{err.Error()},
		})
	}
	return append(out, st...)
}

// fromStatus turns the target's own HTTP status into statements: content
// behind a login or a paywall is not lawfully accessible public content
// (digest §14.5), and a target that cannot be read leaves every use unknown.
func (in *Inspector) fromStatus(u *url.URL, resp *FetchResponse) []Statement {
	loc := resp.URL
	val := fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status))
	var out []Statement
	if len(resp.Chain) > 1 {
		out = append(out, Statement{Mechanism: "http", Location: u.String(), Value: "redirected to " + resp.URL, Uses: map[Use]Verdict{}})
	}
	switch {
	case resp.Status/100 == 2:
		if resp.Truncated {
			out = append(out, Statement{
				Mechanism: "http", Location: loc, Value: val, Uses: map[Use]Verdict{},
				Warnings: []string{fmt.Sprintf("body larger than %d bytes; only the beginning was read", MaxTarget)},
			})
		}
		return out
	case resp.Status == http.StatusPaymentRequired:
		return append(out, Statement{Mechanism: "http", Location: loc, Value: val, Uses: effects(License, in.uses()...), Gate: true})
	case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
		return append(out, Statement{
			Mechanism: "http", Location: loc, Value: val, Uses: effects(Deny, in.uses()...), Gate: true,
			Warnings: []string{"access refused by the origin: not publicly accessible content"},
		})
	}
	return append(out, Statement{
		Mechanism: "http", Location: loc, Value: val, Uses: effects(Unknown, in.uses()...),
		Warnings: []string{"the target could not be read (" + val + ")"},
	})
}

// isHTML reports whether a response is an HTML page.
func isHTML(h http.Header, body []byte) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	if ct != "" {
		return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml")
	}
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// restrict returns m limited to the uses in keep.
func restrict(m map[Use]Verdict, keep []Use) map[Use]Verdict {
	out := map[Use]Verdict{}
	for u, v := range m {
		if slices.Contains(keep, u) {
			out[u] = v
		}
	}
	return out
}

// fromEmbedded maps the metadata embedded in a file: IPTC Data Mining in
// XMP and C2PA/CAWG training-mining assertions; the TDMRep properties of a
// PDF's XMP or an EPUB's package document go to tdm, last in TDMRep's
// processing order.
func (in *Inspector) fromEmbedded(loc, _ string, data []byte, tdm *tdmrepState) []Statement {
	out := in.fromDocument(loc, data, tdm)
	return append(out, fromC2PA(loc, data, in.uses())...)
}
