// Package fetch is askfirst's only outbound HTTP client. It is safe to point
// at untrusted URLs:
//
//   - it refuses private, loopback, link-local, unspecified, multicast, CGNAT
//     and other special-purpose addresses (and their IPv4-mapped and
//     transition forms), checked on the address actually dialled after DNS
//     resolution and again on every redirect hop, unless Config.AllowPrivate
//     is set;
//   - it never uses an environment proxy (a proxy would dial for us and
//     bypass that check);
//   - it bounds every request in time (connect and total) and size (a body
//     cap per request), follows at most Config.MaxRedirects redirects, and
//     sends an honest User-Agent;
//   - it limits concurrent requests per origin (politeness) and caches
//     per-origin site files (robots.txt, tdmrep.json, ai.txt) for at most
//     24 hours (RFC 9309 §2.4), honouring Cache-Control up to that and
//     revalidating with ETag and Last-Modified (RFC 9110 §13.1).
//
// It does not execute scripts, keep cookies, or send credentials.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/askfirst/askfirst/internal/capped"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultMaxRedirects   = 5 // RFC 9309 §2.3.1.2 asks robots.txt fetchers for at least five
	DefaultPerOrigin      = 4
	DefaultMaxBody        = 10 << 20
	// MaxSiteFileAge is the longest a cached site file is used without
	// revalidation (RFC 9309 §2.4: robots.txt SHOULD NOT be used when
	// older than 24 hours).
	MaxSiteFileAge = 24 * time.Hour
	// DefaultFailureTTL is how long an unreachable site file is remembered,
	// so that a run over many URLs of a failing origin does not retry it for
	// every URL.
	DefaultFailureTTL = time.Minute
	// DefaultUserAgent is sent when Config.UserAgent is empty.
	DefaultUserAgent = "askfirst (+https://github.com/askfirst/askfirst)"
	maxCacheEntries  = 100000
)

// Errors returned by Client.Do, each wrapped with the URL concerned.
var (
	// ErrBlockedAddress: the target resolved to an address that is refused
	// without AllowPrivate.
	ErrBlockedAddress = errors.New("address not allowed (private, loopback, link-local or reserved; use --allow-private to allow)")
	// ErrTooLarge: the body exceeded Request.Limit and Request.Truncate was false.
	ErrTooLarge = errors.New("body too large")
	// ErrTooManyRedirects: more than MaxRedirects hops.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrScheme: a URL (or redirect target) that is not http or https.
	ErrScheme = errors.New("unsupported URL scheme")
)

// Config configures a Client. The zero value is a safe client with the
// defaults above.
type Config struct {
	// UserAgent is the User-Agent header. Default DefaultUserAgent.
	UserAgent string
	// AllowPrivate permits private, loopback and other special-purpose
	// addresses (the --allow-private flag, for tests and local demos).
	AllowPrivate bool
	// ConnectTimeout bounds DNS resolution plus TCP connect plus TLS handshake.
	ConnectTimeout time.Duration
	// Timeout bounds one Do call, all redirects and the body included.
	Timeout time.Duration
	// MaxRedirects is the number of redirects followed; 0 means the default,
	// a negative value means none.
	MaxRedirects int
	// PerOrigin is the number of concurrent requests to one origin
	// (scheme://host:port).
	PerOrigin int
	// FailureTTL is how long a failed site-file fetch is remembered.
	FailureTTL time.Duration
	// LookupIP resolves a host name; nil means the system resolver. Tests
	// use it to make a name resolve to a chosen address.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Request is one fetch.
type Request struct {
	// Method is GET (default) or HEAD.
	Method string
	// URL is an absolute http or https URL.
	URL string
	// Limit caps the body in bytes; 0 means DefaultMaxBody.
	Limit int64
	// Truncate returns the first Limit bytes with Response.Truncated set
	// instead of failing with ErrTooLarge.
	Truncate bool
	// Site marks a per-origin site file (robots.txt, tdmrep.json, ai.txt):
	// its response, including a failure, is cached and shared by every
	// caller, with conditional revalidation.
	Site bool
}

// Response is a completed fetch. Status may be any HTTP status: callers
// decide what 4xx and 5xx mean for them.
type Response struct {
	// URL is the final URL after redirects.
	URL string
	// Chain lists every URL requested, the first being Request.URL.
	Chain  []string
	Status int
	Header http.Header
	Body   []byte
	// Truncated reports a body cut at Request.Limit.
	Truncated bool
	// Fetched is when the body was fetched or last revalidated from the
	// origin (for a cached site file, earlier than now).
	Fetched time.Time
}

// Client is a safe HTTP client. It is safe for concurrent use; its cache
// and politeness limits are shared by all callers.
type Client struct {
	cfg    Config
	hc     *http.Client
	permit func(netip.Addr) bool // test hook: exempt addresses from the block list

	mu      sync.Mutex
	origins map[string]chan struct{}
	cache   map[string]*cacheEntry
	flight  singleflight.Group
}

type cacheEntry struct {
	resp    *Response
	err     error
	expires time.Time
}

// New returns a Client for cfg, with defaults for zero fields.
func New(cfg Config) (*Client, error) {
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if strings.ContainsAny(cfg.UserAgent, "\r\n") {
		return nil, fmt.Errorf("new fetch client: UserAgent contains a line break")
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	} else if cfg.MaxRedirects < 0 {
		cfg.MaxRedirects = 0
	}
	if cfg.PerOrigin <= 0 {
		cfg.PerOrigin = DefaultPerOrigin
	}
	if cfg.FailureTTL <= 0 {
		cfg.FailureTTL = DefaultFailureTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, origins: map[string]chan struct{}{}, cache: map[string]*cacheEntry{}}
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, Control: c.control}
	tr := &http.Transport{
		Proxy:                 nil, // never: a proxy would bypass the address check
		DialContext:           c.dialContext(dialer),
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   cfg.PerOrigin,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.hc = &http.Client{
		Transport: tr,
		// Redirects are followed by Do, hop by hop, so that each hop gets
		// its own politeness slot and is recorded in Response.Chain.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

func (c *Client) blocked(a netip.Addr) bool {
	if c.cfg.AllowPrivate {
		return false
	}
	if c.permit != nil && c.permit(a) {
		return false
	}
	return Blocked(a)
}

// dialContext resolves the host itself and dials only permitted addresses,
// so a DNS answer pointing at a private address is refused.
func (c *Client) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var addrs []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			addrs = []netip.Addr{ip}
		} else if c.cfg.LookupIP != nil {
			addrs, err = c.cfg.LookupIP(ctx, host)
			if err != nil {
				return nil, fmt.Errorf("resolve %s: %w", host, err)
			}
		} else {
			addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if err != nil {
				return nil, fmt.Errorf("resolve %s: %w", host, err)
			}
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
		var firstErr error
		for _, a := range addrs {
			if c.blocked(a) {
				if firstErr == nil {
					firstErr = fmt.Errorf("dial %s (%s): %w", host, a.Unmap(), ErrBlockedAddress)
				}
				continue
			}
			conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
			if err == nil {
				return conn, nil
			}
			if firstErr == nil || errors.Is(firstErr, ErrBlockedAddress) {
				firstErr = err
			}
		}
		return nil, firstErr
	}
}

// control checks the address in the socket call itself: a second line of
// defence should anything reach the dialer with an unchecked address.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: unparseable address: %w", address, ErrBlockedAddress)
	}
	if c.blocked(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddress)
	}
	return nil
}

// Do performs req. It returns an error for a refused address, a network
// failure, a timeout, too many redirects, or (unless req.Truncate) a body
// over req.Limit; any HTTP status is a Response. A site request (req.Site)
// may be answered from the cache, errors included.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return nil, fmt.Errorf("fetch %s: method %s not supported", req.URL, req.Method)
	}
	if req.Limit <= 0 {
		req.Limit = DefaultMaxBody
	}
	if !req.Site {
		return c.do(ctx, req, nil)
	}
	key := req.Method + " " + req.URL + " " + strconv.FormatInt(req.Limit, 10) + " " + strconv.FormatBool(req.Truncate)
	now := c.cfg.Now()
	c.mu.Lock()
	e := c.cache[key]
	c.mu.Unlock()
	if e != nil && now.Before(e.expires) {
		return e.resp, e.err
	}
	// One fetch per site file at a time; concurrent callers share it. The
	// shared fetch must not die with the first caller's context.
	ch := c.flight.DoChan(key, func() (any, error) {
		// Another flight may have filled the cache since the check above.
		c.mu.Lock()
		cur := c.cache[key]
		c.mu.Unlock()
		if cur != nil && c.cfg.Now().Before(cur.expires) {
			if cur.err != nil {
				return nil, cur.err
			}
			return cur.resp, nil
		}
		fctx := context.WithoutCancel(ctx)
		resp, err := c.do(fctx, req, e)
		c.store(key, resp, err, c.cfg.Now())
		return resp, err
	})
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("fetch %s: %w", req.URL, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Response), nil
	}
}

func (c *Client) store(key string, resp *Response, err error, now time.Time) {
	var ttl time.Duration
	if err != nil || resp.Status >= 500 || resp.Status == http.StatusTooManyRequests {
		ttl = c.cfg.FailureTTL
	} else {
		ttl = freshness(resp.Header)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cache) >= maxCacheEntries {
		for k, v := range c.cache { // evict expired entries, then anything
			if !now.Before(v.expires) {
				delete(c.cache, k)
			}
		}
		for k := range c.cache {
			if len(c.cache) < maxCacheEntries {
				break
			}
			delete(c.cache, k)
		}
	}
	c.cache[key] = &cacheEntry{resp: resp, err: err, expires: now.Add(ttl)}
}

// freshness is how long a site file may be used without revalidation:
// max-age (or s-maxage) capped at MaxSiteFileAge, zero for no-store and
// no-cache, MaxSiteFileAge otherwise (RFC 9309 §2.4, RFC 9111 §5.2.2).
func freshness(h http.Header) time.Duration {
	ttl := MaxSiteFileAge
	for _, d := range strings.Split(strings.Join(h.Values("Cache-Control"), ","), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age", "s-maxage":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err == nil && n >= 0 && n < int64(ttl/time.Second) {
				ttl = time.Duration(n) * time.Second
			}
		}
	}
	return ttl
}

// origin returns scheme://host:port for politeness accounting.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), port)
}

func (c *Client) slot(o string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.origins[o]
	if s == nil {
		s = make(chan struct{}, c.cfg.PerOrigin)
		c.origins[o] = s
	}
	return s
}

// do follows redirects hop by hop. prev, when set, is an expired cache
// entry whose validators make the first hop conditional.
func (c *Client) do(ctx context.Context, req Request, prev *cacheEntry) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	cur := req.URL
	var chain []string
	for hop := 0; ; hop++ {
		u, err := url.Parse(cur)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", cur, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("fetch %s: %w %q", cur, ErrScheme, u.Scheme)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("fetch %s: no host", cur)
		}
		u.Fragment = ""
		chain = append(chain, u.String())
		hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", cur, err)
		}
		hreq.Header.Set("User-Agent", c.cfg.UserAgent)
		hreq.Header.Set("Accept", "*/*")
		var cached *Response
		if hop == 0 && prev != nil && prev.err == nil && prev.resp != nil && prev.resp.Status == http.StatusOK && !prev.resp.Truncated {
			cached = prev.resp
			if et := cached.Header.Get("ETag"); et != "" {
				hreq.Header.Set("If-None-Match", et)
			}
			if lm := cached.Header.Get("Last-Modified"); lm != "" {
				hreq.Header.Set("If-Modified-Since", lm)
			}
		}
		slot := c.slot(origin(u))
		select {
		case slot <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("fetch %s: waiting for a slot: %w", cur, ctx.Err())
		}
		resp, body, truncated, err := c.roundTrip(hreq, req.Limit)
		<-slot
		if err != nil {
			if errors.Is(err, ErrTooLarge) && req.Truncate {
				err = nil
				truncated = true
			} else if isTimeout(err) {
				return nil, fmt.Errorf("fetch %s: timed out after %s: %w", cur, c.cfg.Timeout, err)
			} else {
				return nil, fmt.Errorf("fetch %s: %w", cur, err)
			}
		}
		if resp.StatusCode == http.StatusNotModified && cached != nil {
			r := *cached
			r.Fetched = c.cfg.Now()
			return &r, nil
		}
		if isRedirect(resp.StatusCode) {
			loc := resp.Header.Get("Location")
			if loc == "" {
				// A redirect without a target is a final answer.
				return c.response(resp, body, truncated, chain), nil
			}
			if hop >= c.cfg.MaxRedirects {
				return nil, fmt.Errorf("fetch %s: %w (more than %d)", req.URL, ErrTooManyRedirects, c.cfg.MaxRedirects)
			}
			next, err := u.Parse(loc)
			if err != nil {
				return nil, fmt.Errorf("fetch %s: redirect to %q: %w", cur, loc, err)
			}
			cur = next.String()
			continue
		}
		return c.response(resp, body, truncated, chain), nil
	}
}

func (c *Client) response(resp *http.Response, body []byte, truncated bool, chain []string) *Response {
	return &Response{
		URL:       chain[len(chain)-1],
		Chain:     chain,
		Status:    resp.StatusCode,
		Header:    resp.Header,
		Body:      body,
		Truncated: truncated,
		Fetched:   c.cfg.Now(),
	}
}

// isTimeout reports a deadline (the total Timeout, or the transport's
// response-header timeout, whichever fired first).
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// roundTrip sends one request and reads at most limit bytes of the body.
// On ErrTooLarge it still returns the response and the first limit bytes.
func (c *Client) roundTrip(req *http.Request, limit int64) (*http.Response, []byte, bool, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named by the caller
		}
		return nil, nil, false, err
	}
	defer resp.Body.Close()
	if req.Method == http.MethodHead {
		return resp, nil, false, nil
	}
	if resp.ContentLength > limit {
		// Read the prefix anyway: robots.txt callers parse it.
		body, err := capped.Read(resp.Body, limit)
		if err != nil && !errors.Is(err, capped.ErrTooLarge) {
			return nil, nil, false, fmt.Errorf("read body: %w", err)
		}
		return resp, body, true, fmt.Errorf("%w: Content-Length %d exceeds the limit of %d bytes", ErrTooLarge, resp.ContentLength, limit)
	}
	body, err := capped.Read(resp.Body, limit)
	if errors.Is(err, capped.ErrTooLarge) {
		return resp, body, true, fmt.Errorf("%w: exceeds the limit of %d bytes", ErrTooLarge, limit)
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("read body: %w", err)
	}
	return resp, body, false, nil
}
