package web_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkBrowserHashing compares hashing in the browser (the register
// page: Web Workers running the WebAssembly module, one per core) with
// `askfirst id` on the same files: 100 JPEG photos of 12 megapixels and
// 100 text files of 50 kB, generated once into $ASKFIRST_BENCH_DIR (default
// a folder under the system's temporary folder; the photos take some
// minutes to generate). Run it alone:
//
//	go test ./internal/web -run '^$' -bench BrowserHashing -benchtime 1x -timeout 60m
//
// Per core means per CPU-second: the CPU time of every Chromium process
// from choosing the files until every file has its codes (the page, its
// workers, the browser; conservative, as it includes the page's own work
// of registering), against the CPU time of `askfirst id --jobs 1` on the
// same files. CPU time does not depend on what else the machine runs;
// the wall-clock figures do, and are reported too, with the worst
// lateness of a 50 ms timer on the page while it hashed (how long the
// page could not answer input). Figures go in bench/README.md.
func BenchmarkBrowserHashing(b *testing.B) {
	dir := os.Getenv("ASKFIRST_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "askfirst-bench-web")
	}
	const n = 100
	sets := []struct {
		name  string
		files func() []string
	}{
		{"jpeg-12mp", func() []string { return writeLandscapes(b, filepath.Join(dir, "photos-12mp"), n, 4000, 3000) }},
		{"text-50k", func() []string { return writeTexts(b, filepath.Join(dir, "texts-50k"), n, 50<<10) }},
	}
	exe := filepath.Join(b.TempDir(), "askfirst")
	if out, err := exec.Command("go", "build", "-o", exe, "../../cmd/askfirst").CombinedOutput(); err != nil {
		b.Fatalf("build askfirst: %v\n%s", err, out)
	}
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			files := set.files()
			for range b.N {
				cliCPU, cliWall := timeCLI(b, exe, files)
				workers, cpu, wall, lag := timeBrowser(b, files)
				nf := float64(len(files))
				b.ReportMetric(nf/cpu, "browser-files/cpu-s")
				b.ReportMetric(nf/cliCPU, "cli-files/cpu-s")
				b.ReportMetric(cliCPU/cpu, "browser/cli")
				b.ReportMetric(nf/wall, "browser-files/s")
				b.ReportMetric(lag, "max-lag-ms")
				b.Logf("%s: browser %.1f CPU-s (%.2f files per CPU-second), %.1f s wall with %d workers (%.2f files/s); askfirst id --jobs 1 %.1f CPU-s (%.2f files per CPU-second), %.1f s wall; browser/CLI per core %.2f; page timer late by at most %.0f ms",
					set.name, cpu, nf/cpu, wall, workers, nf/wall, cliCPU, nf/cliCPU, cliWall, cliCPU/cpu, lag)
			}
		})
	}
}

// timeCLI runs askfirst id --jobs 1 on files and returns its CPU and
// wall-clock seconds.
func timeCLI(b *testing.B, exe string, files []string) (float64, float64) {
	var stderr bytes.Buffer
	cmd := exec.Command(exe, append([]string{"id", "--json", "--jobs", "1"}, files...)...)
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("askfirst id: %v: %s", err, stderr.String())
	}
	wall := time.Since(start).Seconds()
	return (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), wall
}

// timeBrowser registers files on the register page. It returns the
// workers the page ran, the CPU and wall-clock seconds until every file
// had its codes, and the worst lateness of a 50 ms timer on the page
// meanwhile.
func timeBrowser(b *testing.B, files []string) (int, float64, float64, float64) {
	br := newBrowser(b)
	app := startApp(b, appOptions{static: wasmStatic(b)})
	p := br.person(b, app.URL)
	p.visit("/join")
	p.typeInto("#name", "Bench")
	p.typeInto("#password", "benchmark password")
	p.typeInto("#password2", "benchmark password")
	p.submit(`form[action="/join"] button[type=submit]`)
	p.visit("/register")
	workers := eval[int](p, `askfirst.pool().then(p => p.size)`)
	eval[chromedp.Void](p, `window.__lag = 0; window.__last = performance.now();
		window.__probe = setInterval(() => { const now = performance.now(); window.__lag = Math.max(window.__lag, now - window.__last - 50); window.__last = now; }, 50); 0`)
	cpu0 := processCPU(b, br.profile)
	start := time.Now()
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), files))
	p.wait(fmt.Sprintf(`document.querySelectorAll('#files-table tbody tr[data-datahash]').length === %d`, len(files)), 60*time.Minute)
	wall := time.Since(start).Seconds()
	cpu := processCPU(b, br.profile) - cpu0
	lag := eval[float64](p, `window.__lag`)
	p.wait(`document.getElementById('run').dataset.done === 'yes'`, 10*time.Minute)
	if bad := eval[int](p, `document.querySelectorAll('#files-table tr[data-state=failed]').length`); bad > 0 {
		b.Fatalf("%d files failed in the browser", bad)
	}
	return workers, cpu, wall, lag
}

// processCPU sums the CPU seconds (user and system) of the processes
// whose command line names profile (Chromium's processes).
func processCPU(b *testing.B, profile string) float64 {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	total := 0.0
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(profile)) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(p, "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces): utime is
		// the 14th field, stime the 15th, in clock ticks (100 a second).
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
		u, _ := strconv.ParseFloat(f[11], 64)
		s, _ := strconv.ParseFloat(f[12], 64)
		total += (u + s) / 100
	}
	if total == 0 {
		b.Fatalf("no Chromium process found for %s", profile)
	}
	return total
}

// writeTexts writes n text files of size bytes of varied prose.
func writeTexts(b *testing.B, dir string, n, size int) []string {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(`the light over the harbour changed slowly while the painter mixed a colour no catalogue
		had named yet and the fishermen argued about the weather the price of diesel and a song their grandmothers sang
		when the boats came home late with empty nets because the sea keeps its own accounts and pays when it likes`)
	var out []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("text-%03d.txt", i))
		if _, err := os.Stat(p); err != nil {
			r := rand.New(rand.NewPCG(uint64(i), 99))
			var sb strings.Builder
			for sb.Len() < size {
				w := words[r.IntN(len(words))]
				if r.IntN(12) == 0 {
					w = strings.ToUpper(w[:1]) + w[1:] + "."
				}
				sb.WriteString(w)
				if r.IntN(40) == 0 {
					sb.WriteByte('\n')
				} else {
					sb.WriteByte(' ')
				}
			}
			if err := os.WriteFile(p, []byte(sb.String()[:size]), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		out = append(out, p)
	}
	return out
}
