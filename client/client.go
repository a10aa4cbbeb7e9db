// Package client is the Go client of the askfirst registry's HTTP API
// (DESIGN §6): one method per /v1 route, the requests and answers of
// package wire, bearer-token authentication, RFC 9457 problem answers
// decoded into *Error, timeouts and response size caps.
//
// It is public, with package wire, so that other Go programs — a
// dataset pipeline, a crawler, a publishing system — can register works,
// declare and look items up without copying the API's types or the
// command line's code. It imports nothing but the standard library and
// wire: none of the registry's rules, matching or content codes, which
// stay on the server.
//
// A Client does not retry writes except after a 429 (the server did not
// act on the request), and it never logs: the token appears in no error
// message.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/askfirst/askfirst/wire"
)

// Caps and timeouts of one exchange with the registry.
const (
	// MaxResponse caps the body of an ordinary response.
	MaxResponse = 8 << 20
	// MaxBatchResponse caps the body of a batch response (register, match,
	// lookup): wire.MaxBatch works with two receipts each.
	MaxBatchResponse = 512 << 20
	// MaxProblem caps a problem+json body.
	MaxProblem = 64 << 10
	// DefaultTimeout limits one request, body included.
	DefaultTimeout = 5 * time.Minute
	// maxRetries is how often a 429 answer is retried.
	maxRetries = 5
	// maxRetryWait caps the wait a Retry-After asks for.
	maxRetryWait = 30 * time.Second
)

// DefaultURL is the registry that askfirst serve runs with no flags.
const DefaultURL = "http://127.0.0.1:7700"

// Error is a failed API call: the HTTP status and the RFC 9457 problem the
// registry answered, or a transport failure (Status 0).
type Error struct {
	Op     string // "POST /v1/works"
	Status int    // HTTP status; 0 when no answer came
	Type   string // problem type URI (wire.ProblemTypeBase + kind)
	Title  string
	Detail string
	Err    error // the transport error when Status is 0
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	msg := fmt.Sprintf("%s: %d", e.Op, e.Status)
	if t := e.Kind(); t != "" {
		msg += " " + t
	} else if e.Title != "" {
		msg += " " + strings.ToLower(e.Title)
	}
	if d := e.Detail; d != "" {
		// The registry's details often start with the problem's name.
		if k := e.Kind(); k != "" {
			d = strings.TrimPrefix(d, strings.ReplaceAll(k, "-", " ")+": ")
		}
		msg += ": " + d
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Kind is the problem's kind, one of the wire.Problem* constants
// ("unauthenticated", "forbidden", "not-found", ...), or "" when the
// answer was not a problem of the registry.
func (e *Error) Kind() string {
	if k, ok := strings.CutPrefix(e.Type, wire.ProblemTypeBase); ok {
		return k
	}
	return ""
}

// Client calls one registry. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	// UserAgent is sent with every request when set.
	UserAgent string
}

// New returns a client of the registry at baseURL (http or https) using
// token (may be empty for the public routes). hc nil means a client with
// DefaultTimeout.
func New(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("registry URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("registry URL %q: want http:// or https:// and a host", baseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("registry URL %q: want no user, query or fragment", baseURL)
	}
	if strings.ContainsAny(token, "\r\n") {
		return nil, errors.New("token: contains a line break")
	}
	if hc == nil {
		hc = &http.Client{
			Timeout: DefaultTimeout,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 2 * time.Minute,
				MaxIdleConnsPerHost:   8,
				IdleConnTimeout:       90 * time.Second,
			},
		}
	}
	return &Client{base: u, token: token, hc: hc}, nil
}

// URL returns the registry's base URL, without a trailing slash.
func (c *Client) URL() string { return c.base.String() }

// HasToken reports whether the client has a token.
func (c *Client) HasToken() bool { return c.token != "" }

// ReceiptURL is where anyone can fetch the receipt of log entry index.
func (c *Client) ReceiptURL(index int64) string {
	return c.URL() + "/v1/receipts/" + strconv.FormatInt(index, 10)
}

// octets is a request body sent as it is (application/octet-stream).
type octets []byte

// do sends one request and decodes a 2xx JSON answer into out (unless out
// is nil), reading at most limit bytes. A problem answer is an *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in any, out any, limit int64) error {
	op := method + " " + path
	var body []byte
	ctype := "application/json"
	switch b := in.(type) {
	case nil:
	case octets:
		body, ctype = b, "application/octet-stream"
	default:
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &Error{Op: op, Err: fmt.Errorf("encode request: %w", err)}
		}
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return &Error{Op: op, Err: err}
		}
		if in != nil {
			req.Header.Set("Content-Type", ctype)
		}
		req.Header.Set("Accept", "application/json")
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.UserAgent != "" {
			req.Header.Set("User-Agent", c.UserAgent)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return &Error{Op: op, Err: stripURL(err)}
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < maxRetries {
			wait := retryAfter(resp.Header.Get("Retry-After"))
			io.Copy(io.Discard, io.LimitReader(resp.Body, MaxProblem))
			resp.Body.Close()
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return &Error{Op: op, Err: ctx.Err()}
			case <-t.C:
			}
			continue
		}
		err = decodeResponse(op, resp, out, limit)
		resp.Body.Close()
		return err
	}
}

func decodeResponse(op string, resp *http.Response, out any, limit int64) error {
	if resp.StatusCode/100 != 2 {
		e := &Error{Op: op, Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxProblem))
		var p wire.Problem
		if json.Unmarshal(data, &p) == nil && (p.Type != "" || p.Detail != "") {
			e.Type, e.Detail = p.Type, p.Detail
			if p.Title != "" {
				e.Title = p.Title
			}
		} else if s := strings.TrimSpace(string(data)); s != "" && len(s) < 200 {
			e.Detail = s
		}
		return e
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, limit))
		return nil
	}
	data, err := readCapped(resp.Body, limit)
	if err != nil {
		return &Error{Op: op, Err: fmt.Errorf("read response: %w", err)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &Error{Op: op, Err: fmt.Errorf("decode response: %w", err)}
	}
	return nil
}

// stripURL drops the URL from a *url.Error (it names the operation
// already), keeping the cause.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, maxRetryWait)
	}
	return time.Second
}

// readCapped reads r to its end, failing beyond limit bytes. (The client
// imports nothing of askfirst but wire, so it does not share
// internal/capped.)
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("over the %d-byte cap", limit)
	}
	return data, nil
}
