package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/signals/xmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// site is a test origin: path → handler.
type site map[string]http.HandlerFunc

func text(ctype, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", ctype)
		fmt.Fprint(w, body)
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func page(head string, headers ...string) http.HandlerFunc {
	return text("text/html; charset=utf-8", "<!doctype html><html><head><title>t</title>\n"+head+"\n</head><body><p>hello</p></body></html>", headers...)
}

func serve(t *testing.T, s site) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := s[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type checkLine struct {
	Target   string `json:"target"`
	Path     string `json:"path"`
	Verdicts map[string]struct {
		Verdict   string          `json:"verdict"`
		Decision  string          `json:"decision"`
		DecidedBy []string        `json:"decided_by"`
		Reason    string          `json:"reason"`
		Conflict  bool            `json:"conflict"`
		Offer     json.RawMessage `json:"offer"`
	} `json:"verdicts"`
	Evidence []struct {
		Mechanism string            `json:"mechanism"`
		Location  string            `json:"location"`
		Value     string            `json:"value"`
		Uses      map[string]string `json:"uses"`
		Warnings  []string          `json:"warnings"`
	} `json:"evidence"`
	Error string `json:"error"`
}

// run runs askfirst with args and returns stdout, stderr and exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func checkJSON(t *testing.T, args ...string) ([]checkLine, string, int) {
	t.Helper()
	out, errOut, code := run(t, append([]string{"check", "--json", "--allow-private"}, args...)...)
	var lines []checkLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var c checkLine
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("output line %q is not JSON: %v", l, err)
		}
		lines = append(lines, c)
	}
	return lines, errOut, code
}

// verdicts renders "use=verdict/decision" for the four uses, in order.
func verdicts(c checkLine) string {
	var parts []string
	for _, u := range []string{"train-genai", "train-ai", "ai-input", "search"} {
		if v, ok := c.Verdicts[u]; ok {
			s := u + "=" + v.Verdict + "/" + v.Decision
			if len(v.Offer) > 0 {
				s += "+offer"
			}
			if v.Conflict {
				s += "+conflict"
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jpegWith(t *testing.T, v xmp.Value) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 4)
	}
	img.Set(0, 0, color.Gray{Y: 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if v == "" {
		return b.Bytes()
	}
	out, err := xmp.EmbedJPEG(b.Bytes(), xmp.Reservation{DataMining: v})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const rslPaid = `<rsl xmlns="https://rslstandard.org/rsl">
  <content url="/">
    <license>
      <permits type="usage">ai-train ai-input</permits>
      <payment type="training"><amount currency="USD">0.05</amount><custom>https://pub.example/licensing</custom></payment>
    </license>
    <license>
      <permits type="usage">search</permits>
    </license>
  </content>
</rsl>`

// TestCheckSignals publishes each signal from a live local server and
// checks the verdicts askfirst check derives (signals digest §14.3).
func TestCheckSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		site site
		path string
		args []string
		want string
		code int
	}{
		{
			name: "nothing published: unknown, eu-tdm includes",
			site: site{"/a": page("")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "nothing published, consent mode excludes training",
			site: site{"/a": page("")},
			args: []string{"--mode", "consent"},
			want: "train-genai=unknown/exclude train-ai=unknown/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "robots.txt disallows our token",
			site: site{"/robots.txt": text("text/plain", "User-agent: askfirst\nDisallow: /a\n"), "/a": page("")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude",
			code: 3,
		},
		{
			name: "robots.txt disallows another token only",
			site: site{"/robots.txt": text("text/plain", "User-agent: GPTBot\nDisallow: /\n"), "/a": page("")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "strict training mode reads a block of GPTBot as a training reservation",
			site: site{"/robots.txt": text("text/plain", "User-agent: GPTBot\nDisallow: /\n"), "/a": page("")},
			args: []string{"--strict-training"},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "robots.txt disallows the training control token given by --agent-for",
			site: site{"/robots.txt": text("text/plain", "User-agent: askfirst-train\nDisallow: /\n"), "/a": page("")},
			args: []string{"--agent-for", "train-genai=askfirst-train", "--agent-for", "train-ai=askfirst-train"},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "robots.txt 5xx is complete disallow",
			site: site{"/robots.txt": status(503), "/a": page("")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude",
			code: 3,
		},
		{
			name: "robots.txt 5xx applies in research mode too",
			site: site{"/robots.txt": status(500), "/a": page("")},
			args: []string{"--mode", "research", "--use", "train-genai"},
			want: "train-genai=deny/exclude",
			code: 3,
		},
		{
			name: "robots.txt 4xx is no robots.txt",
			site: site{"/robots.txt": status(403), "/a": page("")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "Content-Usage header train-ai=n",
			site: site{"/a": page("", "Content-Usage", "train-ai=n")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "Content-Usage header train-ai=y grants generative training only",
			site: site{"/a": page("", "Content-Usage", "train-ai=y, search=n")},
			want: "train-genai=allow/include train-ai=unknown/include ai-input=unknown/include search=deny/exclude",
			code: 3,
		},
		{
			name: "Content-Usage robots.txt rule, longest path wins",
			site: site{"/robots.txt": text("text/plain", "User-Agent: *\nAllow: /\nContent-Usage: train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n"), "/ai-ok/a": page("")},
			path: "/ai-ok/a",
			args: []string{"--use", "train-genai,train-ai"},
			want: "train-genai=allow/include train-ai=unknown/include",
		},
		{
			name: "Content-Signal in robots.txt",
			site: site{"/robots.txt": text("text/plain", "User-agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n"), "/a": page("")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=allow/include",
			code: 3,
		},
		{
			name: "TDMRep header with policy requires a licence",
			site: site{"/a": page("", "tdm-reservation", "1", "tdm-policy", "https://pub.example/policy.json")},
			want: "train-genai=license/exclude+offer train-ai=license/exclude+offer ai-input=license/exclude+offer search=unknown/include",
			code: 3,
		},
		{
			name: "TDMRep meta reserves",
			site: site{"/a": page(`<meta name="tdm-reservation" content="1">`)},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "TDMRep well-known file: first match in array order",
			site: site{
				"/.well-known/tdmrep.json": text("application/json", `[{"location":"/","tdm-reservation":1},{"location":"/press/*","tdm-reservation":0}]`),
				"/press/a":                 page(""),
			},
			path: "/press/a",
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "TDMRep header 0 supersedes the file's 1",
			site: site{
				"/.well-known/tdmrep.json": text("application/json", `[{"location":"/","tdm-reservation":1}]`),
				"/a":                       page("", "tdm-reservation", "0"),
			},
			want: "train-genai=allow/include train-ai=allow/include ai-input=allow/include search=unknown/include",
		},
		{
			name: "noai in X-Robots-Tag",
			site: site{"/a": page("", "X-Robots-Tag", "noai")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "noai scoped to another crawler does not apply",
			site: site{"/a": page("", "X-Robots-Tag", "otherbot: noai")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "noai scoped to our token applies",
			site: site{"/a": page("", "X-Robots-Tag", "askfirst: noai, noindex")},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude",
			code: 3,
		},
		{
			name: "noai in meta robots",
			site: site{"/a": page(`<meta name="robots" content="index, noai">`)},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "noimageai on a page does not reserve the page",
			site: site{"/a": page(`<meta name="robots" content="noimageai">`)},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "ai.txt disallows images",
			site: site{"/ai.txt": text("text/plain", "User-Agent: *\nDisallow: *.jpg\n"), "/p.jpg": text("image/jpeg", string(jpegWith(t, "")))},
			path: "/p.jpg",
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "ai.txt of another kind is ignored",
			site: site{"/ai.txt": text("text/plain", "# About this site\nWe like LLMs.\n"), "/a": page("")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "noimageai on an image reserves it",
			site: site{"/p.jpg": text("image/jpeg", string(jpegWith(t, "")), "X-Robots-Tag", "noimageai")},
			path: "/p.jpg",
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "IPTC Data Mining in an image's XMP",
			site: site{"/p.jpg": text("image/jpeg", string(jpegWith(t, xmp.ProhibitedAIMLTraining)))},
			path: "/p.jpg",
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=unknown/include",
			code: 3,
		},
		{
			name: "RSL via robots.txt License with a paid offer",
			site: site{"/robots.txt": text("text/plain", "License: /license.xml\nUser-agent: *\nAllow: /\n"), "/license.xml": text("application/rsl+xml", rslPaid), "/a": page("")},
			want: "train-genai=license/exclude+offer train-ai=license/exclude+offer ai-input=license/exclude+offer search=allow/include",
			code: 3,
		},
		{
			name: "RSL via Link header, combined with a Content-Usage reservation: D(offer)",
			site: site{"/license.xml": text("application/rsl+xml", rslPaid), "/a": page("", "Link", `</license.xml>; rel="license"; type="application/rsl+xml"`, "Content-Usage", "train-ai=n")},
			want: "train-genai=deny/exclude+offer train-ai=deny/exclude+offer ai-input=license/exclude+offer search=allow/include",
			code: 3,
		},
		{
			name: "RSL via link element, unreachable document fails closed",
			site: site{"/a": page(`<link rel="license" type="application/rsl+xml" href="/gone.xml">`)},
			want: "train-genai=license/exclude+offer train-ai=license/exclude+offer ai-input=license/exclude+offer search=unknown/include",
			code: 3,
		},
		{
			name: "conflict: Content-Signal grant against noai",
			site: site{"/robots.txt": text("text/plain", "User-agent: *\nContent-Signal: ai-train=yes, search=yes\n"), "/a": page("", "X-Robots-Tag", "noai")},
			want: "train-genai=deny/exclude+conflict train-ai=deny/exclude+conflict ai-input=deny/exclude search=allow/include",
			code: 3,
		},
		{
			name: "research mode records reservations without excluding",
			site: site{"/a": page("", "X-Robots-Tag", "noai")},
			args: []string{"--mode", "research"},
			want: "train-genai=deny/include train-ai=deny/include ai-input=deny/include search=unknown/include",
		},
		{
			name: "target 5xx is unknown and never included",
			site: site{"/a": status(502)},
			want: "train-genai=unknown/exclude train-ai=unknown/exclude ai-input=unknown/exclude search=unknown/exclude",
			code: 3,
		},
		{
			name: "target behind a login",
			site: site{"/a": status(401)},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude",
			code: 3,
		},
		{
			name: "robots.txt 429 is unreachable too",
			site: site{"/robots.txt": status(429), "/a": page("")},
			args: []string{"--use", "search"},
			want: "search=deny/exclude",
			code: 3,
		},
		{
			name: "payment required",
			site: site{"/a": status(402)},
			args: []string{"--use", "train-genai"},
			want: "train-genai=license/exclude",
			code: 3,
		},
		{
			name: "a login excludes even in research mode",
			site: site{"/a": status(403)},
			args: []string{"--mode", "research", "--use", "train-ai"},
			want: "train-ai=deny/exclude",
			code: 3,
		},
		{
			name: "target 404 is unknown and never included",
			site: site{},
			args: []string{"--use", "ai-input"},
			want: "ai-input=unknown/exclude",
			code: 3,
		},
		{
			name: "legacy Content-Usage label honoured",
			site: site{"/a": page("", "Content-Usage", "ai-use=n")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=deny/exclude search=unknown/include",
			code: 3,
		},
		{
			name: "unparseable Content-Usage states nothing",
			site: site{"/a": page("", "Content-Usage", "Train-AI=n")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "TDMRep protocol error is unset",
			site: site{"/a": page("", "tdm-reservation", "yes")},
			want: "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include",
		},
		{
			name: "inline RSL prohibiting AI training",
			site: site{"/a": page(`<script type="application/rsl+xml"><rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits type="usage">search ai-input</permits></license><license><prohibits type="usage">ai-train</prohibits></license></content></rsl></script>`)},
			want: "train-genai=deny/exclude train-ai=deny/exclude ai-input=allow/include search=allow/include",
			code: 3,
		},
		{
			name: "C2PA manifest in an image served over HTTP",
			site: site{"/p.jpg": text("image/jpeg", string(mustRead(t, "../../signals/testdata/c2pa-signed.jpg")))},
			path: "/p.jpg",
			want: "train-genai=deny/exclude train-ai=allow/include ai-input=license/exclude+offer search=unknown/include",
			code: 3,
		},
		{
			name: "--use restricts the uses and the exit code",
			site: site{"/a": page("", "Content-Usage", "train-ai=n")},
			args: []string{"--use", "search,ai-input"},
			want: "ai-input=unknown/include search=unknown/include",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, tc.site)
			path := tc.path
			if path == "" {
				path = "/a"
			}
			lines, errOut, code := checkJSON(t, append(tc.args, srv.URL+path)...)
			if len(lines) != 1 {
				t.Fatalf("got %d output lines, want 1; stderr %s", len(lines), errOut)
			}
			if got := verdicts(lines[0]); got != tc.want {
				t.Errorf("verdicts\n got %s\nwant %s", got, tc.want)
				for _, e := range lines[0].Evidence {
					t.Logf("evidence %s %q at %s: %v %v", e.Mechanism, e.Value, e.Location, e.Uses, e.Warnings)
				}
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr %s", code, tc.code, errOut)
			}
			for u, v := range lines[0].Verdicts {
				if v.Reason == "" {
					t.Errorf("%s: no reason", u)
				}
				if v.Verdict != "unknown" && len(v.DecidedBy) == 0 {
					t.Errorf("%s: verdict %s with empty decided_by", u, v.Verdict)
				}
			}
		})
	}
}

// TestCheckRedirectAcrossOrigins: the robots.txt of every origin in the
// redirect chain gates the target (digest §14.2 step 0).
func TestCheckRedirectAcrossOrigins(t *testing.T) {
	other := serve(t, site{"/robots.txt": text("text/plain", "User-agent: *\nDisallow: /private/\n"), "/private/a": page("")})
	first := serve(t, site{"/a": func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/private/a", http.StatusFound)
	}})
	lines, errOut, code := checkJSON(t, first.URL+"/a")
	if len(lines) != 1 {
		t.Fatalf("got %d lines; stderr %s", len(lines), errOut)
	}
	want := "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude"
	if got := verdicts(lines[0]); got != want {
		t.Errorf("verdicts\n got %s\nwant %s", got, want)
	}
	if code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	found := false
	for _, e := range lines[0].Evidence {
		if e.Mechanism == "robots.txt" && strings.HasPrefix(e.Location, other.URL) && e.Uses["train-ai"] == "deny" {
			found = true
		}
	}
	if !found {
		t.Errorf("no robots.txt evidence from the redirect target %s", other.URL)
	}
}

// TestCheckTimeout: a robots.txt that never answers is unreachable, which
// is complete disallow (RFC 9309 §2.3.1.4).
func TestCheckTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, site{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		},
		"/a": page(""),
	})
	defer close(release)
	start := time.Now()
	lines, errOut, code := checkJSON(t, "--timeout", "200ms", srv.URL+"/a")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("check took %s with a 200ms timeout", d)
	}
	if len(lines) != 1 {
		t.Fatalf("got %d lines; stderr %s", len(lines), errOut)
	}
	want := "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude"
	if got := verdicts(lines[0]); got != want {
		t.Errorf("verdicts\n got %s\nwant %s", got, want)
	}
	if code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if !strings.Contains(fmt.Sprint(lines[0].Evidence[0].Warnings), "time") {
		t.Errorf("robots.txt evidence warnings %q do not mention the timeout", lines[0].Evidence[0].Warnings)
	}
}

// TestCheckOversized: robots.txt over 500 KiB is parsed up to the limit
// with a warning; an oversized tdmrep.json is not read (TDMRep unset).
func TestCheckOversized(t *testing.T) {
	big := "User-agent: *\nDisallow: /a\n" + strings.Repeat("# padding padding padding padding\n", 600<<10/34) + "Allow: /a\n"
	hugeJSON := "[" + strings.Repeat(`{"location":"/x","tdm-reservation":1},`, 600<<10/40) + `{"location":"/","tdm-reservation":1}]`
	srv := serve(t, site{"/robots.txt": text("text/plain", big), "/.well-known/tdmrep.json": text("application/json", hugeJSON), "/a": page(""), "/b": page("")})
	lines, _, _ := checkJSON(t, srv.URL+"/a", srv.URL+"/b")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	if got, want := verdicts(lines[0]), "train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude"; got != want {
		t.Errorf("/a: the Allow beyond 500 KiB must be ignored\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(fmt.Sprint(lines[0].Evidence[0].Warnings), "only the first") {
		t.Errorf("no truncation warning in %q", lines[0].Evidence[0].Warnings)
	}
	if got, want := verdicts(lines[1]), "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include"; got != want {
		t.Errorf("/b: oversized tdmrep.json must be unset\n got %s\nwant %s", got, want)
	}
}

// TestCheckPrivateRefused: without --allow-private a loopback target is
// refused with an error and a hint, exit 1.
func TestCheckPrivateRefused(t *testing.T) {
	srv := serve(t, site{"/a": page("")})
	out, errOut, code := run(t, "check", srv.URL+"/a")
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
	if !strings.Contains(errOut, "askfirst: error: ") || !strings.Contains(errOut, "askfirst: hint: ") || !strings.Contains(errOut, "--allow-private") {
		t.Errorf("stderr %q lacks the error and the --allow-private hint", errOut)
	}
}

// TestCheckManyTargetsOrdered: many targets over several origins come
// back in input order.
func TestCheckManyTargetsOrdered(t *testing.T) {
	var srvs []*httptest.Server
	for i := range 3 {
		srvs = append(srvs, serve(t, site{"/robots.txt": text("text/plain", fmt.Sprintf("User-agent: *\nDisallow: /%d\n", i))}))
	}
	var args []string
	for i := range 60 {
		args = append(args, fmt.Sprintf("%s/%d", srvs[i%3].URL, i%2))
	}
	lines, _, _ := checkJSON(t, append([]string{"--use", "search"}, args...)...)
	if len(lines) != len(args) {
		t.Fatalf("got %d lines, want %d", len(lines), len(args))
	}
	for i, l := range lines {
		if l.Target != args[i] {
			t.Fatalf("line %d is %s, want %s", i, l.Target, args[i])
		}
	}
}

// fetchedTime matches the fetch times of evidence, which vary per run.
var fetchedTime = regexp.MustCompile(`"fetched": "[^"]*"`)

// TestCheckGolden pins the JSON evidence of a page publishing several
// signals at once. Run with -update to rewrite testdata/*.golden.
func TestCheckGolden(t *testing.T) {
	srv := serve(t, site{
		"/robots.txt":              text("text/plain", "User-agent: *\nDisallow: /private/\nContent-Signal: search=yes, ai-input=yes, ai-train=no\nLicense: /license.xml\n"),
		"/license.xml":             text("application/rsl+xml", rslPaid),
		"/.well-known/tdmrep.json": text("application/json", `[{"location":"/","tdm-reservation":1,"tdm-policy":"/policy.json"}]`),
		"/ai.txt":                  text("text/plain", "User-Agent: *\nDisallow: /\n"),
		"/policy.json":             text("application/ld+json", `{"@context":["http://www.w3.org/ns/odrl.jsonld","http://www.w3.org/ns/tdmrep.jsonld"],"@type":"Offer","profile":"http://www.w3.org/ns/tdmrep","uid":"https://pub.example/policies/1","assigner":{"vcard:fn":"Pub","vcard:hasEmail":"mailto:tdm@pub.example"},"permission":[{"action":"tdm:mine","duty":[{"action":"compensate"}]}]}`),
		"/article": page(`<meta name="robots" content="noai, noimageai">
<meta name="tdm-reservation" content="1">
<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">`, "Content-Usage", "train-ai=n, search=y", "X-Robots-Tag", "noarchive"),
		"/private/x": page(""),
	})
	for _, tc := range []struct{ name, path string }{{"check_article", "/article"}, {"check_private", "/private/x"}} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, _ := run(t, "check", "--json", "--allow-private", srv.URL+tc.path)
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(out), "", "  "); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			got := strings.ReplaceAll(pretty.String(), srv.URL, "http://origin.test")
			got = fetchedTime.ReplaceAllString(got, `"fetched": "TIME"`)
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update after checking):\n%s", golden, got)
			}
		})
	}
}

// TestCheckHuman: the readable form states per use the verdict and reason,
// then the evidence.
func TestCheckHuman(t *testing.T) {
	srv := serve(t, site{"/a": page("", "Content-Usage", "train-ai=n")})
	out, _, code := run(t, "check", "--allow-private", srv.URL+"/a")
	if code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	for _, want := range []string{
		srv.URL + "/a\n",
		"train-genai  deny     exclude  reserved by content-usage \"train-ai=n\"",
		"search       unknown  include  no statement; eu-tdm mode includes",
		"evidence (mode eu-tdm):",
		"content-usage \"train-ai=n\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
