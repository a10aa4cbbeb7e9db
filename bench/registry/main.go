// Command registry is the load benchmark of the askfirst registry (askfirst
// serve): sustained writes with receipts, batched and one work a request,
// and lookups (POST /v1/match with 1 and 100 items, GET /v1/lookup) driven
// by wrk on loopback, on SQLite and on PostgreSQL in one run, so that the
// ratios between the two are meaningful. See bench/README.md, section
// "registry", and bench/registry/run.sh.
//
// The server runs in a child process (this program re-executed with
// -child), set up exactly as internal/cli/serve.go sets it up, so that its
// peak RSS and CPU time are its own and, with -profile DIR, a CPU profile
// of each phase can be taken from it.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zeebo/blake3"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// maxRespBody caps what the benchmark reads of one response (a batch of
// 10,000 works with two receipts each is about 40 MB).
const maxRespBody = 256 << 20

type config struct {
	works       int
	batch       int
	accounts    int
	terms       bool
	writers     int
	writeTime   time.Duration
	duration    time.Duration
	conns       []int
	threads     int
	backends    []string
	postgresURL string
	wrk         string
	script      string
	profileDir  string
	keep        bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		if err := child(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "registry bench server: error: %v\n", err)
			os.Exit(1)
		}
		return
	}
	var c config
	var conns, backends string
	flag.IntVar(&c.works, "n", 100000, "works to pre-load per backend")
	flag.IntVar(&c.batch, "batch", 10000, "works per POST /v1/works while pre-loading (at most 10,000)")
	flag.IntVar(&c.accounts, "accounts", 10, "creator accounts the works are spread over")
	flag.BoolVar(&c.terms, "terms", true, "register every work with a declaration (deny train-genai), two log entries a work")
	flag.IntVar(&c.writers, "writers", 8, "concurrent clients for the one-work-a-request write phase")
	flag.DurationVar(&c.writeTime, "write-time", 15*time.Second, "length of the one-work-a-request write phase (0 skips it)")
	flag.DurationVar(&c.duration, "d", 30*time.Second, "length of each wrk run")
	flag.StringVar(&conns, "c", "8,64", "wrk connection counts, comma-separated")
	flag.IntVar(&c.threads, "t", 2, "wrk threads")
	flag.StringVar(&backends, "backends", "sqlite,postgres", "stores to measure, comma-separated: sqlite, postgres")
	flag.StringVar(&c.postgresURL, "postgres", os.Getenv("ASKFIRST_BENCH_POSTGRES"), "PostgreSQL server URL; a fresh database is created on it and dropped after (env ASKFIRST_BENCH_POSTGRES)")
	flag.StringVar(&c.wrk, "wrk", "wrk", "the wrk program")
	flag.StringVar(&c.script, "script", "", "the wrk script replay.lua (default: next to this program's source, bench/registry/replay.lua)")
	flag.StringVar(&c.profileDir, "profile", "", "write a CPU profile of the server for each phase into this folder (PHASE-BACKEND.pprof)")
	flag.BoolVar(&c.keep, "keep", false, "keep the work folder (databases, request files, server logs)")
	flag.Parse()
	for _, s := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("-c %q: want positive integers separated by commas", conns)
		}
		c.conns = append(c.conns, n)
	}
	for _, b := range strings.Split(backends, ",") {
		b = strings.TrimSpace(b)
		if b != "sqlite" && b != "postgres" {
			fatalf("-backends: unknown store %q: want sqlite or postgres", b)
		}
		if b == "postgres" && c.postgresURL == "" {
			fmt.Fprintln(os.Stderr, "registry bench: PostgreSQL skipped: set ASKFIRST_BENCH_POSTGRES (or -postgres) to a server URL, e.g. postgres://postgres@127.0.0.1:5432/test")
			continue
		}
		c.backends = append(c.backends, b)
	}
	if c.batch < 1 || c.batch > registry.MaxBatch {
		fatalf("-batch %d: want 1 to %d", c.batch, registry.MaxBatch)
	}
	if c.works < c.batch {
		c.batch = c.works
	}
	if c.script == "" {
		c.script = "bench/registry/replay.lua"
	}
	if _, err := os.Stat(c.script); err != nil {
		fatalf("wrk script: %v (run from the repository root or give -script)", err)
	}
	if _, err := exec.LookPath(c.wrk); err != nil {
		fatalf("wrk not found (%v): install it (Debian: apt-get install wrk) or give -wrk", err)
	}
	if err := run(c); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "registry bench: error: "+format+"\n", args...)
	os.Exit(1)
}

// ---------------------------------------------------------------------
// The server (child process)

// child runs the registry server like askfirst serve: args are -db URL
// -data DIR. It prints "listen ADDR" and "control ADDR" on stdout; the
// control listener starts and stops CPU profiles (POST /start?file=F,
// POST /stop). It stops on SIGTERM.
func child(args []string) error {
	fs := flag.NewFlagSet("child", flag.ContinueOnError)
	db := fs.String("db", "", "")
	data := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var st store.Store
	var err error
	if strings.HasPrefix(*db, "postgres://") || strings.HasPrefix(*db, "postgresql://") {
		st, err = postgres.Open(ctx, *db)
	} else {
		st, err = sqlite.Open(ctx, *db)
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	skey, _, err := ledger.LoadKey(*data, "bench.askfirst.invalid/askfirst", func(string) string { return "" })
	if err != nil {
		return err
	}
	led, err := ledger.New(skey)
	if err != nil {
		return err
	}
	if err := led.Init(ctx, st); err != nil {
		return err
	}
	reg, err := registry.New(ctx, registry.Config{Store: st, Ledger: led})
	if err != nil {
		return err
	}
	if _, err := reg.SelfCheck(ctx); err != nil {
		return err
	}
	// Request logs go to a file, as askfirst serve's go to stderr: the
	// formatting and the write are part of the cost of a request.
	lf, err := os.Create(filepath.Join(*data, "server.log"))
	if err != nil {
		return err
	}
	defer lf.Close()
	log := slog.New(slog.NewJSONHandler(lf, nil))
	srv, err := api.New(api.Config{Registry: reg, Log: log, RatePerSecond: 1e9, Burst: 1 << 30})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Follow the log every second, as askfirst serve does.
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = reg.Index().Sync(ctx, st)
			}
		}
	}()
	var mu sync.Mutex
	var prof *os.File
	mux := http.NewServeMux()
	mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.Create(r.URL.Query().Get("file"))
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			} else {
				prof = f
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("POST /stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
		}
	})
	go http.Serve(cln, mux)
	fmt.Printf("listen %s\ncontrol %s\n", ln.Addr(), cln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// server is a running child.
type server struct {
	dbName  string // PostgreSQL database, whose backends' CPU time is counted
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	control string
}

func startServer(db, data string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-child", "-db", db, "-data", data)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	s := &server{cmd: cmd}
	sc := bufio.NewScanner(out)
	for (s.base == "" || s.control == "") && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "listen" {
			s.base = "http://" + f[1]
		} else if len(f) == 2 && f[0] == "control" {
			s.control = "http://" + f[1]
		}
	}
	if s.base == "" || s.control == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("the server did not start (see its errors above)")
	}
	go io.Copy(io.Discard, out)
	return s, nil
}

func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	return s.cmd.Wait()
}

// usage is the server's resource use at one moment, from /proc.
type usage struct {
	cpu    time.Duration         // user + system
	db     map[int]time.Duration // CPU time of each PostgreSQL backend serving the database
	hwmKiB int64                 // peak RSS since the last resetPeak
	rssKiB int64
}

func (s *server) usage() usage {
	var u usage
	pid := s.cmd.Process.Pid
	u.cpu = procCPU(pid)
	if s.dbName != "" {
		// PostgreSQL backends show "postgres: USER DB HOST(PORT) STATE"
		// as their command line. A backend that exits between two
		// readings takes its CPU time in the phase with it: dbCPU is a
		// lower bound, exact while the server's connection pool is
		// stable.
		u.db = map[int]time.Duration{}
		ds, _ := os.ReadDir("/proc")
		for _, d := range ds {
			p, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
			if err == nil && bytes.HasPrefix(b, []byte("postgres: ")) && bytes.Contains(b, []byte(" "+s.dbName+" ")) {
				u.db[p] = procCPU(p)
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "VmHWM:" {
				u.hwmKiB, _ = strconv.ParseInt(f[1], 10, 64)
			} else if len(f) >= 2 && f[0] == "VmRSS:" {
				u.rssKiB, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	return u
}

// dbCPU returns the CPU time the PostgreSQL backends spent between u0
// and u1: the growth of those alive at both readings, all of the time of
// those started in between.
func dbCPU(u0, u1 usage) time.Duration {
	var d time.Duration
	for pid, t := range u1.db {
		if t0 := u0.db[pid]; t0 <= t {
			d += t - t0
		} else {
			d += t // the process id was reused
		}
	}
	return d
}

// procCPU returns the user + system time of process pid.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses; utime and stime are
	// fields 14 and 15 (1-based) of the whole line.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) <= 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// resetPeak resets the server's VmHWM to its current RSS (Linux
// clear_refs 5), so the next reading is the peak of the next phase.
func (s *server) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
}

func (s *server) profile(dir, name string) func() {
	if dir == "" {
		return func() {}
	}
	f, _ := filepath.Abs(filepath.Join(dir, name+".pprof"))
	resp, err := http.Post(s.control+"/start?file="+url.QueryEscape(f), "", nil)
	if err == nil {
		resp.Body.Close()
	}
	return func() {
		resp, err := http.Post(s.control+"/stop", "", nil)
		if err == nil {
			resp.Body.Close()
		}
	}
}

// ---------------------------------------------------------------------
// The content

// work is one generated work and what the lookups need of it.
type work struct {
	in      registry.WorkInput
	content iscc.Code // the Image-Code unit
	pdq     [32]byte
}

// genWork makes a realistic work: an ISCC-CODE of an Image-Code (computed
// by iscc.GenImageCode from 32×32 grey values), a Data-Code unit and an
// Instance-Code unit with the datahash (the BLAKE3 multihash, as
// GenInstanceCode makes it) of the "file" bytes, a PDQ hash and one
// locator. The Data- and Instance-Code units are built from their digests
// with iscc.NewUnit: running GenDataCode and GenInstanceCode on each of
// the ~150,000 inputs would cost minutes (each allocates a 1 MiB buffer)
// and give codes of the same distribution.
func genWork(rng *mrand.Rand, i int, host string) (work, error) {
	var w work
	pixels := make([]byte, 1024)
	var file, dig [32]byte
	fillRandom(rng, pixels)
	fillRandom(rng, file[:])
	fillRandom(rng, dig[:])
	img, err := iscc.GenImageCode(pixels, 64)
	if err != nil {
		return w, err
	}
	dc, err := iscc.NewUnit(iscc.MainTypeData, iscc.SubTypeNone, 0, 64, dig[:8])
	if err != nil {
		return w, err
	}
	sum := blake3.Sum256(file[:])
	ic, err := iscc.NewUnit(iscc.MainTypeInstance, iscc.SubTypeNone, 0, 64, sum[:8])
	if err != nil {
		return w, err
	}
	code, err := iscc.GenISCCCode([]string{img.ISCC, dc.String(), ic.String()}, false)
	if err != nil {
		return w, err
	}
	if w.content, err = iscc.Decode(img.ISCC); err != nil {
		return w, err
	}
	fillRandom(rng, w.pdq[:])
	w.in = registry.WorkInput{ISCC: code.ISCC, Datahash: "1e20" + hex.EncodeToString(sum[:]), PDQ: &wire.PDQ{Hash: hex.EncodeToString(w.pdq[:]), Quality: 100},
		Mediatype: "image/jpeg", Filesize: 1 << 20, Title: fmt.Sprintf("Photograph %d", i),
		Locators: []string{fmt.Sprintf("https://%s/photos/%d.jpg", host, i)}}
	return w, nil
}

func fillRandom(rng *mrand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

// flip returns b with k distinct random bits inverted.
func flip(rng *mrand.Rand, b []byte, k int) []byte {
	out := slices.Clone(b)
	for _, i := range rng.Perm(len(b) * 8)[:k] {
		out[i/8] ^= 1 << (i % 8)
	}
	return out
}

// Lookup mix: of every 10 items, 4 exact datahash hits, 3 near-duplicates
// (Image-Code unit with 1 to 4 bits flipped and the PDQ hash with 4 to 16
// bits flipped: a re-encoded or resized copy), 1 URL where a work is
// published, 2 misses (codes of content never registered).
const (
	kindDatahash = "datahash"
	kindNear     = "near"
	kindURL      = "url"
	kindMiss     = "miss"
)

func kindOf(rng *mrand.Rand) string {
	switch r := rng.IntN(10); {
	case r < 4:
		return kindDatahash
	case r < 7:
		return kindNear
	case r < 8:
		return kindURL
	}
	return kindMiss
}

func matchItem(rng *mrand.Rand, ws []work, kind string) (registry.MatchItem, error) {
	w := ws[rng.IntN(len(ws))]
	switch kind {
	case kindDatahash:
		return registry.MatchItem{Datahash: w.in.Datahash}, nil
	case kindNear:
		u, err := iscc.NewUnit(iscc.MainTypeContent, iscc.SubTypeImage, 0, 64, flip(rng, w.content.Body(), 1+rng.IntN(4)))
		if err != nil {
			return registry.MatchItem{}, err
		}
		return registry.MatchItem{Units: wire.Units{Content: u.String()}, PDQ: &wire.PDQ{Hash: hex.EncodeToString(flip(rng, w.pdq[:], 4+rng.IntN(13)))}}, nil
	case kindURL:
		return registry.MatchItem{URL: w.in.Locators[0]}, nil
	}
	m, err := genWork(rng, -1, "unregistered.example")
	if err != nil {
		return registry.MatchItem{}, err
	}
	return registry.MatchItem{Datahash: m.in.Datahash, ISCC: m.in.ISCC, PDQ: m.in.PDQ}, nil
}

// lookupPath is the GET /v1/lookup form of an item of the mix.
func lookupPath(rng *mrand.Rand, ws []work, kind string) (string, error) {
	it, err := matchItem(rng, ws, kind)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	switch {
	case kind == kindNear:
		q.Set("iscc", it.Units.Content)
	case it.URL != "":
		q.Set("url", it.URL)
	default:
		q.Set("datahash", it.Datahash)
	}
	return "/v1/lookup?" + q.Encode(), nil
}

// ---------------------------------------------------------------------
// The run

type phase struct {
	backend  string
	name     string  // "load", "write-1", "match-1", "match-100", "lookup"
	conns    int     // connections or clients
	perReq   int     // items or works a request
	reqs     float64 // requests per wall second
	items    float64 // items (or works) per wall second
	entries  float64 // log entries per wall second (writes)
	p50, p99 time.Duration
	errors   int64
	cpu      time.Duration // server CPU time in the phase
	dbCPU    time.Duration // PostgreSQL backends' CPU time in the phase
	wall     time.Duration
	peakMiB  float64
	load     [2]float64 // 1-minute load average at start and end
}

// itemsPerCPU is the items per CPU second of the server and of the
// PostgreSQL backends serving it.
func (p phase) itemsPerCPU() float64 {
	cpu := p.cpu + p.dbCPU
	if cpu <= 0 {
		return 0
	}
	return p.items * p.wall.Seconds() / cpu.Seconds()
}

func loadavg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func run(c config) error {
	dir, err := os.MkdirTemp("", "askfirst-bench-registry-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Fprintf(os.Stderr, "registry bench: work folder %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if c.profileDir != "" {
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return err
		}
	}
	start := time.Now()
	fmt.Printf("# registry bench: %s, %d works per backend (batches of %d, terms %v), wrk %v × conns %v, %s %s/%s, %d CPUs\n",
		start.UTC().Format("2006-01-02 15:04 UTC"), c.works, c.batch, c.terms, c.duration, c.conns, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	// Content: the same works and the same requests for every backend.
	rng := mrand.New(mrand.NewPCG(1, 2))
	ws := make([]work, c.works)
	for i := range ws {
		if ws[i], err = genWork(rng, i, fmt.Sprintf("photos%d.example", i%c.accounts)); err != nil {
			return err
		}
	}
	files, mix, err := writeRequests(rng, ws, dir)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d works and the request files in %v\n", len(ws), time.Since(start).Round(time.Millisecond))
	var all []phase
	for _, b := range c.backends {
		ps, err := runBackend(c, b, dir, ws, files, mix)
		all = append(all, ps...)
		if err != nil {
			printResults(c, all)
			return fmt.Errorf("%s: %w", b, err)
		}
	}
	printResults(c, all)
	fmt.Printf("\ntotal time %v\n", time.Since(start).Round(time.Second))
	return nil
}

// requestFiles names the files replay.lua reads.
type requestFiles struct {
	match1, match100, lookup string
}

// writeRequests writes the request files: 4,000 bodies of one item, 200
// bodies of 100 items, 4,000 lookup paths, all of the mix; mix holds a
// sample of single items by kind to check the hit rates.
func writeRequests(rng *mrand.Rand, ws []work, dir string) (requestFiles, map[string][]registry.MatchItem, error) {
	f := requestFiles{match1: filepath.Join(dir, "match1.txt"), match100: filepath.Join(dir, "match100.txt"), lookup: filepath.Join(dir, "lookup.txt")}
	mix := map[string][]registry.MatchItem{}
	write := func(name string, n, per int) error {
		var buf bytes.Buffer
		for range n {
			items := make([]registry.MatchItem, per)
			for j := range items {
				k := kindOf(rng)
				it, err := matchItem(rng, ws, k)
				if err != nil {
					return err
				}
				items[j] = it
				if per == 1 && len(mix[k]) < 200 {
					mix[k] = append(mix[k], it)
				}
			}
			b, err := json.Marshal(map[string]any{"items": items})
			if err != nil {
				return err
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
		return os.WriteFile(name, buf.Bytes(), 0o644)
	}
	if err := write(f.match1, 4000, 1); err != nil {
		return f, nil, err
	}
	if err := write(f.match100, 200, 100); err != nil {
		return f, nil, err
	}
	var buf bytes.Buffer
	for range 4000 {
		p, err := lookupPath(rng, ws, kindOf(rng))
		if err != nil {
			return f, nil, err
		}
		buf.WriteString(p)
		buf.WriteByte('\n')
	}
	return f, mix, os.WriteFile(f.lookup, buf.Bytes(), 0o644)
}

func runBackend(c config, backend, dir string, ws []work, files requestFiles, mix map[string][]registry.MatchItem) ([]phase, error) {
	data := filepath.Join(dir, backend)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	db := filepath.Join(data, "askfirst.db")
	if backend == "postgres" {
		u, drop, err := createDatabase(c.postgresURL)
		if err != nil {
			return nil, err
		}
		defer drop()
		db = u
	}
	fmt.Printf("\n## %s\n", backend)
	srv, err := startServer(db, data)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	if backend == "postgres" {
		u, _ := url.Parse(db)
		srv.dbName = strings.TrimPrefix(u.Path, "/")
	}
	var ps []phase
	measure := func(p phase, f func(p *phase) error) error {
		p.backend = backend
		srv.resetPeak()
		u0 := srv.usage()
		p.load[0] = loadavg()
		stopProf := srv.profile(c.profileDir, fmt.Sprintf("%s-%s-c%d", p.name, backend, p.conns))
		t0 := time.Now()
		err := f(&p)
		if p.wall == 0 {
			p.wall = time.Since(t0)
		}
		stopProf()
		u1 := srv.usage()
		p.load[1] = loadavg()
		p.cpu = u1.cpu - u0.cpu
		p.dbCPU = dbCPU(u0, u1)
		p.peakMiB = float64(u1.hwmKiB) / 1024
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Printf("%-9s c=%-3d %10.0f req/s %10.0f items/s  p50 %-8v p99 %-8v CPU server %5.1fs db %5.1fs in %5.1fs  peak RSS %4.0f MiB  errors %d  load %.1f→%.1f\n",
			p.name, p.conns, p.reqs, p.items, p.p50, p.p99, p.cpu.Seconds(), p.dbCPU.Seconds(), p.wall.Seconds(), p.peakMiB, p.errors, p.load[0], p.load[1])
		ps = append(ps, p)
		return nil
	}
	cl := &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	tokens := make([]string, max(c.accounts, c.writers))
	for i := range tokens {
		var out struct {
			Token string `json:"token"`
		}
		if err := post(cl, srv.base+"/v1/accounts", "", map[string]string{"name": fmt.Sprintf("Photographer %d", i), "kind": "creator"}, &out); err != nil {
			return ps, err
		}
		tokens[i] = out.Token
	}
	var terms []store.Term
	if c.terms {
		terms = []store.Term{{Use: "train-genai", Decision: "deny"}}
	}
	perWork := 1
	if c.terms {
		perWork = 2
	}
	// Batched pre-load.
	err = measure(phase{name: "load", conns: 1, perReq: c.batch}, func(p *phase) error {
		var lat []time.Duration
		t0 := time.Now()
		for i := 0; i < len(ws); i += c.batch {
			j := min(i+c.batch, len(ws))
			ins := make([]registry.WorkInput, 0, j-i)
			acct := (i / c.batch) % c.accounts
			for _, w := range ws[i:j] {
				ins = append(ins, w.in)
			}
			// The works of a batch belong to one account, the batches
			// going round the accounts.
			var out struct {
				Works []struct {
					Receipt            ledger.Receipt  `json:"receipt"`
					DeclarationReceipt *ledger.Receipt `json:"declaration_receipt"`
				} `json:"works"`
			}
			t := time.Now()
			if err := post(cl, srv.base+"/v1/works", tokens[acct], map[string]any{"works": ins, "terms": terms}, &out); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
			if len(out.Works) != j-i {
				return fmt.Errorf("batch at %d: %d works registered, want %d", i, len(out.Works), j-i)
			}
			if last := out.Works[len(out.Works)-1]; last.Receipt.Checkpoint == "" || (c.terms && last.DeclarationReceipt == nil) {
				return fmt.Errorf("batch at %d: a work came back without its receipts", i)
			}
			fmt.Fprintf(os.Stderr, "\rloaded %d/%d works", j, len(ws))
		}
		fmt.Fprintln(os.Stderr)
		p.wall = time.Since(t0)
		p.reqs = float64(len(lat)) / p.wall.Seconds()
		p.items = float64(len(ws)) / p.wall.Seconds()
		p.entries = p.items * float64(perWork)
		p.p50, p.p99 = percentile(lat, 50), percentile(lat, 99)
		return nil
	})
	if err != nil {
		return ps, err
	}
	// Hit rates of the mix, one item a request, as a check that the
	// lookups find what they should.
	if err := checkMix(cl, srv, mix); err != nil {
		// A slow store can exceed the server's write timeout on the
		// 200 items of a kind: report it and go on to the timed phases.
		fmt.Printf("lookup mix check failed: %v\n", err)
	}
	// One work a request, concurrent clients.
	if c.writeTime > 0 {
		err = measure(phase{name: "write-1", conns: c.writers, perReq: 1}, func(p *phase) error {
			return writeSingles(cl, srv.base, tokens[:c.writers], terms, c.writeTime, p, perWork)
		})
		if err != nil {
			return ps, err
		}
	}
	for _, r := range []struct {
		name   string
		per    int
		args   []string
		target string
	}{
		{"match-1", 1, []string{"POST", "/v1/match", files.match1}, "/v1/match"},
		{"match-100", 100, []string{"POST", "/v1/match", files.match100}, "/v1/match"},
		{"lookup", 1, []string{"GET", "-", files.lookup}, "/v1/lookup"},
	} {
		for _, n := range c.conns {
			err := measure(phase{name: r.name, conns: n, perReq: r.per}, func(p *phase) error {
				return runWrk(c, srv.base, n, r.args, p)
			})
			if err != nil {
				return ps, err
			}
		}
	}
	return ps, nil
}

func post(cl *http.Client, u, token string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", u, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRespBody))
	if err != nil {
		return fmt.Errorf("POST %s: read response: %w", u, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %.500s", u, resp.Status, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("POST %s: decode response: %w", u, err)
	}
	return nil
}

// checkMix posts the sample items of each kind, one request of up to 200
// items per kind, and prints the share that found at least one work
// (datahash, near, url should be all, miss none) and the server CPU time
// per item of each kind.
func checkMix(cl *http.Client, srv *server, mix map[string][]registry.MatchItem) error {
	base := srv.base
	var line []string
	for _, k := range []string{kindDatahash, kindNear, kindURL, kindMiss} {
		items := mix[k]
		if len(items) == 0 {
			continue
		}
		var out struct {
			Results []registry.MatchResult `json:"results"`
		}
		u0 := srv.usage()
		if err := post(cl, base+"/v1/match", "", map[string]any{"items": items}, &out); err != nil {
			return err
		}
		u1 := srv.usage()
		cpu := (u1.cpu - u0.cpu + dbCPU(u0, u1)) / time.Duration(len(items))
		hit, decl := 0, 0
		for _, r := range out.Results {
			if len(r.Matches) > 0 {
				hit++
			}
			if len(r.Declarations) > 0 {
				decl++
			}
		}
		line = append(line, fmt.Sprintf("%s %d/%d found (%d with declarations), %.2f ms CPU an item", k, hit, len(items), decl, float64(cpu)/float64(time.Millisecond)))
	}
	fmt.Printf("lookup mix check: %s\n", strings.Join(line, "; "))
	return nil
}

func writeSingles(cl *http.Client, base string, tokens []string, terms []store.Term, d time.Duration, p *phase, perWork int) error {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	deadline := time.Now().Add(d)
	t0 := time.Now()
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(i)+100, 7))
			var mine []time.Duration
			for n := 0; time.Now().Before(deadline); n++ {
				w, err := genWork(rng, 1_000_000*(i+1)+n, fmt.Sprintf("single%d.example", i))
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				t := time.Now()
				if err := post(cl, base+"/v1/works", tok, map[string]any{"works": []registry.WorkInput{w.in}, "terms": terms}, nil); err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	p.wall = time.Since(t0)
	if firstErr != nil {
		return firstErr
	}
	p.reqs = float64(len(lat)) / p.wall.Seconds()
	p.items = p.reqs
	p.entries = p.items * float64(perWork)
	p.p50, p.p99 = percentile(lat, 50), percentile(lat, 99)
	return nil
}

func percentile(ds []time.Duration, q int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*q + 99) / 100
	return s[max(i-1, 0)]
}

func runWrk(c config, base string, conns int, args []string, p *phase) error {
	threads := min(c.threads, conns)
	cmdArgs := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", int(c.duration.Seconds())),
		"--latency", "--timeout", "30s", "-s", c.script, base, "--"}
	cmd := exec.Command(c.wrk, append(cmdArgs, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	var r struct {
		Requests      int64 `json:"requests"`
		DurationUS    int64 `json:"duration_us"`
		ConnectErrors int64 `json:"connect_errors"`
		ReadErrors    int64 `json:"read_errors"`
		WriteErrors   int64 `json:"write_errors"`
		StatusErrors  int64 `json:"status_errors"`
		Timeouts      int64 `json:"timeouts"`
		P50           int64 `json:"p50_us"`
		P99           int64 `json:"p99_us"`
	}
	found := false
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "WRKJSON "); ok {
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return fmt.Errorf("wrk summary %q: %w", rest, err)
			}
			found = true
		}
	}
	if !found || r.DurationUS <= 0 {
		return fmt.Errorf("wrk printed no summary:\n%s", out.String())
	}
	p.wall = time.Duration(r.DurationUS) * time.Microsecond
	p.reqs = float64(r.Requests) / p.wall.Seconds()
	p.items = p.reqs * float64(p.perReq)
	p.p50, p.p99 = time.Duration(r.P50)*time.Microsecond, time.Duration(r.P99)*time.Microsecond
	p.errors = r.ConnectErrors + r.ReadErrors + r.WriteErrors + r.StatusErrors + r.Timeouts
	if r.StatusErrors > 0 && r.StatusErrors*10 > r.Requests {
		return fmt.Errorf("wrk: %d of %d responses were not 2xx or 3xx", r.StatusErrors, r.Requests)
	}
	return nil
}

// createDatabase creates a fresh database on the PostgreSQL server at
// admin and returns its URL and a function that drops it.
func createDatabase(admin string) (string, func(), error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL %s: %w", redact(admin), err)
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := "askfirst_bench_" + hex.EncodeToString(rnd[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "registry bench: drop database %s: %v\n", name, err)
		}
		conn.Close(ctx)
	}
	return u.String(), drop, nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// ---------------------------------------------------------------------
// Report

func printResults(c config, ps []phase) {
	fmt.Printf("\n| backend | phase | conns | per request | requests/s | items/s | p50 | p99 | CPU-s server + db | items per CPU-s | peak RSS MiB | errors | load 1 min |\n")
	fmt.Printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, p := range ps {
		items := fmt.Sprintf("%.0f", p.items)
		if p.entries > 0 {
			items += fmt.Sprintf(" (%.0f log entries/s)", p.entries)
		}
		fmt.Printf("| %s | %s | %d | %d | %.1f | %s | %s | %s | %.1f + %.1f | %.0f | %.0f | %d | %.1f–%.1f |\n",
			p.backend, p.name, p.conns, p.perReq, p.reqs, items, fmtDur(p.p50), fmtDur(p.p99), p.cpu.Seconds(), p.dbCPU.Seconds(), p.itemsPerCPU(), p.peakMiB, p.errors, p.load[0], p.load[1])
	}
	// Ratios PostgreSQL / SQLite for every phase both measured.
	key := func(p phase) string { return fmt.Sprintf("%s c=%d", p.name, p.conns) }
	sq := map[string]phase{}
	for _, p := range ps {
		if p.backend == "sqlite" {
			sq[key(p)] = p
		}
	}
	first := true
	for _, p := range ps {
		s, ok := sq[key(p)]
		if p.backend != "postgres" || !ok || s.items == 0 {
			continue
		}
		if first {
			fmt.Printf("\n| phase | PostgreSQL/SQLite items/s | PostgreSQL/SQLite items per CPU-s | p99 PostgreSQL/SQLite |\n| --- | ---: | ---: | ---: |\n")
			first = false
		}
		cpuRatio := 0.0
		if s.itemsPerCPU() > 0 {
			cpuRatio = p.itemsPerCPU() / s.itemsPerCPU()
		}
		p99 := 0.0
		if s.p99 > 0 {
			p99 = float64(p.p99) / float64(s.p99)
		}
		fmt.Printf("| %s | %.2f× | %.2f× | %.2f× |\n", key(p), p.items/s.items, cpuRatio, p99)
	}
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}
