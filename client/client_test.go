package client_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/wire"
)

const secret = "aft_secret-token-value"

func TestProblemErrors(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secret {
			t.Errorf("Authorization %q, want the bearer token", r.Header.Get("Authorization"))
		}
		switch r.URL.Path {
		case "/v1/accounts/me":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"type":"https://askfirst.dev/problems/unauthenticated","title":"Unauthorized","status":401,"detail":"unauthenticated: token revoked"}`)
		case "/v1/works/wrk_x":
			w.WriteHeader(502)
			fmt.Fprint(w, "bad gateway")
		default:
			http.NotFound(w, r)
		}
	}))
	defer hs.Close()
	c, err := client.New(hs.URL+"/", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		call       func() error
		status     int
		kind, want string
	}{
		{func() error { _, err := c.Me(t.Context()); return err }, 401, "unauthenticated", "GET /v1/accounts/me: 401 unauthenticated: token revoked"},
		{func() error { _, err := c.Work(t.Context(), "wrk_x"); return err }, 502, "", "GET /v1/works/wrk_x: 502 bad gateway: bad gateway"},
	} {
		err := tc.call()
		var ae *client.Error
		if !errors.As(err, &ae) {
			t.Fatalf("got %v, want a *client.Error", err)
		}
		if ae.Status != tc.status || ae.Kind() != tc.kind || err.Error() != tc.want {
			t.Errorf("got status %d kind %q %q, want %d %q %q", ae.Status, ae.Kind(), err.Error(), tc.status, tc.kind, tc.want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows the token", err)
		}
	}
}

func TestRetryAfter429(t *testing.T) {
	var n atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			return
		}
		fmt.Fprint(w, `{"results":[{"matches":[],"declarations":[]}]}`)
	}))
	defer hs.Close()
	c, _ := client.New(hs.URL, "", nil)
	rs, err := c.Match(t.Context(), []wire.MatchItem{{URL: "https://example.com/"}})
	if err != nil || len(rs) != 1 || n.Load() != 2 {
		t.Errorf("got %v, %v after %d requests; want one result after 2", rs, err, n.Load())
	}
}

func TestResponseShape(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/match":
			fmt.Fprint(w, `{"results":[]}`) // fewer results than items
		case "/v1/campaigns/big":
			w.Write([]byte(`{"campaign":{"title":"`))
			w.Write([]byte(strings.Repeat("x", client.MaxResponse)))
			w.Write([]byte(`"}}`))
		}
	}))
	defer hs.Close()
	c, _ := client.New(hs.URL, "", nil)
	if _, err := c.Match(t.Context(), []wire.MatchItem{{URL: "https://example.com/"}}); err == nil || !strings.Contains(err.Error(), "1 items sent, 0 answered") {
		t.Errorf("short match answer: got %v, want an error naming the counts", err)
	}
	if _, err := c.Campaign(t.Context(), "big", "", 0); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Errorf("oversized answer: got %v, want the cap error", err)
	}
	if _, err := c.Match(t.Context(), make([]wire.MatchItem, wire.MaxBatch+1)); err == nil {
		t.Errorf("match over MaxBatch: no error")
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"ftp://x", "x", "http://", "http://u:p@host", "http://h/?q=1"} {
		if _, err := client.New(u, "", nil); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	if _, err := client.New("http://h", "a\nb", nil); err == nil {
		t.Errorf("New with a token with a line break: no error")
	}
}
