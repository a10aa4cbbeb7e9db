// Command audit benchmarks `askfirst audit` end to end: it generates a
// LAION-style Parquet manifest of N URL-only rows spread over M loopback
// origins (127.0.x.y addresses, each its own origin with its own robots.txt,
// a tenth reserving part of the site for AI training and a tenth offering
// an RSL licence), serves them, and times the askfirst binary auditing the
// manifest in one run and as two --shard runs in parallel, with peak memory.
//
//	go run ./bench/audit -rows 1000000 -origins 1000
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/wire"
)

type row struct {
	URL    string  `parquet:"URL"`
	TEXT   string  `parquet:"TEXT"`
	WIDTH  int64   `parquet:"WIDTH"`
	HEIGHT int64   `parquet:"HEIGHT"`
	Sim    float32 `parquet:"similarity"`
}

const rsl = `<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license><permits type="usage">ai-train</permits><payment type="training"><amount currency="EUR">0.01</amount></payment></license></content></rsl>`

func main() {
	rows := flag.Int("rows", 1_000_000, "manifest rows")
	origins := flag.Int("origins", 1000, "loopback origins")
	bin := flag.String("askfirst", "", "askfirst binary (default: build it)")
	regWorks := flag.Int("registry-works", 0, "also start a registry (askfirst serve, SQLite) with this many works, one in ten rows' URLs among their locators, and audit with --registry")
	work := flag.String("dir", "", "working folder (default: a temporary one)")
	flag.Parse()
	ctx := context.Background()

	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "askfirst-bench-audit-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if *bin == "" {
		*bin = filepath.Join(dir, "askfirst")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/askfirst")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("build askfirst (run from the repository root): %v", err)
		}
	}

	hosts, stop := serveOrigins(*origins)
	defer stop()
	manifest := filepath.Join(dir, "laion.parquet")
	start := time.Now()
	writeManifest(manifest, *rows, hosts)
	fmt.Printf("manifest: %d rows over %d origins written in %.1fs\n", *rows, len(hosts), time.Since(start).Seconds())

	var extra []string
	if *regWorks > 0 {
		url, stop := startRegistry(ctx, *bin, dir, *regWorks, *rows, hosts)
		defer stop()
		extra = []string{"--registry", url}
	}
	one := runAudit(ctx, *bin, filepath.Join(dir, "one"), manifest, "", extra...)
	fmt.Printf("one run:          %8.0f items/s  %6.1fs  peak RSS %5.0f MiB\n", float64(*rows)/one.secs, one.secs, one.rssMiB)

	var wg sync.WaitGroup
	res := make([]result, 2)
	t0 := time.Now()
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = runAudit(ctx, *bin, filepath.Join(dir, fmt.Sprintf("shard%d", i+1)), manifest, fmt.Sprintf("%d/2", i+1), extra...)
		}()
	}
	wg.Wait()
	both := time.Since(t0).Seconds()
	fmt.Printf("--shard 1/2, 2/2: %8.0f items/s  %6.1fs  peak RSS %5.0f and %5.0f MiB (in parallel on this machine)\n",
		float64(*rows)/both, both, res[0].rssMiB, res[1].rssMiB)
	t1 := time.Now()
	merge := exec.CommandContext(ctx, *bin, "audit", "merge", "--out", filepath.Join(dir, "merged"), filepath.Join(dir, "shard1"), filepath.Join(dir, "shard2"))
	out, _ := merge.CombinedOutput()
	fmt.Printf("merge:            %6.1fs  %s", time.Since(t1).Seconds(), out)
	fmt.Printf("ratio sharded/one run throughput: %.2f\n", one.secs/both)
}

type result struct{ secs, rssMiB float64 }

func runAudit(ctx context.Context, bin, out, manifest, shard string, extra ...string) result {
	args := append([]string{"audit", "--allow-private", "--out", out, "--concurrency", "256", "--per-origin", "4"}, extra...)
	if shard != "" {
		args = append(args, "--shard", shard)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, manifest)...)
	cmd.Stderr = os.Stderr
	t := time.Now()
	b, err := cmd.Output()
	secs := time.Since(t).Seconds()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		if err != nil || ee == nil {
			log.Fatalf("askfirst %s: %v (want exit 3: items excluded)\n%s", strings.Join(args, " "), err, b)
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return result{secs: secs, rssMiB: float64(ru.Maxrss) / 1024}
}

// serveOrigins listens on n loopback addresses 127.0.x.y:port and serves
// robots.txt (and an RSL licence) from each; it returns their host:port.
func serveOrigins(n int) ([]string, func()) {
	var hosts []string
	var srvs []*http.Server
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("127.0.%d.%d:0", 1+i/250, 1+i%250)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Fatalf("listen %s: %v", addr, err)
		}
		kind := i % 10
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/robots.txt" && kind == 0:
				fmt.Fprint(w, "User-agent: askfirst\nDisallow: /private/\n")
			case r.URL.Path == "/robots.txt" && kind == 1:
				fmt.Fprint(w, "License: /license.xml\nUser-agent: *\nAllow: /\n")
			case r.URL.Path == "/robots.txt":
				fmt.Fprint(w, "User-agent: *\nAllow: /\n")
			case r.URL.Path == "/license.xml" && kind == 1:
				w.Header().Set("Content-Type", "application/rsl+xml")
				fmt.Fprint(w, rsl)
			default:
				http.NotFound(w, r)
			}
		})
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		srvs = append(srvs, srv)
		hosts = append(hosts, ln.Addr().String())
	}
	return hosts, func() {
		for _, s := range srvs {
			s.Close()
		}
	}
}

func writeManifest(path string, n int, hosts []string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := parquet.NewGenericWriter[row](f)
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]row, 0, 10000)
	for i := 0; i < n; i++ {
		h := hosts[r.IntN(len(hosts))]
		dir := "img"
		if r.IntN(4) == 0 {
			dir = "private"
		}
		batch = append(batch, row{URL: fmt.Sprintf("http://%s/%s/%d.jpg", h, dir, i), TEXT: fmt.Sprintf("caption %d", i),
			WIDTH: 512, HEIGHT: 384, Sim: 0.3})
		if len(batch) == cap(batch) {
			if _, err := w.Write(batch); err != nil {
				log.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.Write(batch); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

// startRegistry starts askfirst serve on SQLite in dir and registers n
// works: the locators of the first ones are the URLs of every tenth row of
// the manifest (the rows writeManifest makes with the same seed), with a
// licence offer for train-ai; the others are codes only. It returns the
// registry URL.
func startRegistry(ctx context.Context, bin, dir string, n, rows int, hosts []string) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data", filepath.Join(dir, "registry"), "--rate", "1000000")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	url := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 300 {
			stop()
			log.Fatalf("registry did not start:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	anon, _ := client.New(url, "", nil)
	acc, err := anon.CreateAccount(ctx, "Bench Agency", "organisation")
	if err != nil {
		stop()
		log.Fatalf("create account: %v", err)
	}
	c, _ := client.New(url, acc.Token, nil)
	urls := manifestURLs(rows, hosts)
	t0 := time.Now()
	terms := []wire.Term{{Use: "train-ai", Decision: "license", Offer: &wire.Offer{Price: "0.02", Currency: "EUR", Contact: "mailto:licensing@agency.example"}}}
	r := rand.New(rand.NewPCG(7, 8))
	for start := 0; start < n; start += 10000 {
		var works []wire.WorkInput
		for i := start; i < min(start+10000, n); i++ {
			var dh [32]byte
			for k := range dh {
				dh[k] = byte(r.Uint32())
			}
			w := wire.WorkInput{Datahash: fmt.Sprintf("1e20%x", dh), Title: fmt.Sprintf("work %d", i)}
			if j := i * 10; j < len(urls) {
				w.Locators = []string{urls[j]}
			}
			works = append(works, w)
		}
		if _, err := c.RegisterWorks(ctx, wire.RegisterRequest{Works: works, Terms: terms}); err != nil {
			stop()
			log.Fatalf("register works: %v", err)
		}
	}
	fmt.Printf("registry: %d works registered in %.1fs (%.0f works/s)\n", n, time.Since(t0).Seconds(), float64(n)/time.Since(t0).Seconds())
	return url, stop
}

// manifestURLs repeats writeManifest's URLs.
func manifestURLs(n int, hosts []string) []string {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := 0; i < n; i++ {
		h := hosts[r.IntN(len(hosts))]
		dir := "img"
		if r.IntN(4) == 0 {
			dir = "private"
		}
		out[i] = fmt.Sprintf("http://%s/%s/%d.jpg", h, dir, i)
	}
	return out
}
