package cli_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverConf writes a configuration for one web server that serves
// root with the snippet protect site wrote, listening on addr; it returns
// the command that runs the server in the foreground.
type serverConf func(t *testing.T, dir, root, snippet, addr string) *exec.Cmd

func nginxConf(t *testing.T, dir, root, snippet, addr string) *exec.Cmd {
	httpPart, serverPart, ok := strings.Cut(snippet, "# --- server {} block ---")
	if !ok {
		t.Fatalf("nginx snippet without its server part")
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers must read the test's private folders
	}
	conf := fmt.Sprintf(user+`
worker_processes 1;
error_log %[1]s/error.log;
pid %[1]s/nginx.pid;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
%[2]s
	server {
		listen %[3]s;
		root %[4]s;
%[5]s
	}
}
`, dir, httpPart, addr, root, serverPart)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644)
	return exec.Command("nginx", "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
}

func apacheConf(t *testing.T, dir, root, snippet, addr string) *exec.Cmd {
	mods := "/usr/lib/apache2/modules"
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %s\nListen %s\nPidFile %s/httpd.pid\nErrorLog %s/error.log\nServerName 127.0.0.1\n", dir, addr, dir, dir)
	for _, m := range []string{"mpm_event", "authz_core", "mime", "headers", "rewrite", "setenvif"} {
		fmt.Fprintf(&b, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	fmt.Fprintf(&b, "TypesConfig /etc/mime.types\nDocumentRoot %s\n<Directory %s>\n\tRequire all granted\n</Directory>\n%s", root, root, snippet)
	os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(b.String()), 0o644)
	return exec.Command("apache2", "-f", filepath.Join(dir, "httpd.conf"), "-DFOREGROUND")
}

func caddyConf(t *testing.T, dir, root, snippet, addr string) *exec.Cmd {
	conf := fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n}\nhttp://%s {\n\troot * %s\n\tfile_server\n%s\n}\n", addr, root, snippet)
	os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(conf), 0o644)
	cmd := exec.Command("caddy", "run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	return cmd
}

// TestSnippetsOnServers runs the nginx, Apache and Caddy snippets of
// protect site in the real servers, when installed (.ci/run installs
// them): askfirst check reads the policy from the served site, refused
// crawlers get 403, licensing ones 402 with WWW-Authenticate: License,
// browsers and the site files are served.
func TestSnippetsOnServers(t *testing.T) {
	for _, sv := range []struct {
		name, bin, snippet string
		conf               serverConf
	}{
		{"nginx", "nginx", "nginx.conf", nginxConf},
		{"apache", "apache2", "apache.conf", apacheConf},
		{"caddy", "caddy", "Caddyfile", caddyConf},
	} {
		t.Run(sv.name, func(t *testing.T) {
			if _, err := exec.LookPath(sv.bin); err != nil {
				msg := fmt.Sprintf("SKIPPING %s SNIPPET TEST: %s is not installed; run .ci/run, or: apt-get install nginx-light apache2 caddy", strings.ToUpper(sv.name), sv.bin)
				fmt.Fprintln(os.Stderr, msg)
				t.Skip(msg)
			}
			for _, pol := range []struct {
				flags    []string
				verdicts string
				gptbot   int // answer to GPTBot
				chatgpt  int // answer to ChatGPT-User
			}{
				{[]string{"--deny", "train-ai", "--license", "ai-input", "--allow", "search", "--terms", "https://pub.example/terms", "--price", "0.05", "--currency", "EUR"},
					"train-genai=deny/exclude train-ai=deny/exclude ai-input=license/exclude+offer search=allow/include", 403, 402},
				{[]string{"--deny", "train-ai,ai-input,search"},
					"train-genai=deny/exclude train-ai=deny/exclude ai-input=deny/exclude search=deny/exclude", 403, 403},
				{[]string{"--allow", "train-ai,ai-input,search"},
					"train-genai=allow/include train-ai=allow/include ai-input=allow/include search=allow/include", 200, 200},
			} {
				runOnServer(t, sv.conf, sv.snippet, pol.flags, pol.verdicts, pol.gptbot, pol.chatgpt)
			}
		})
	}
}

func runOnServer(t *testing.T, conf serverConf, snippet string, flags []string, want string, gptbot, chatgpt int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	dir := t.TempDir()
	out := filepath.Join(dir, "policy")
	mustRun(t, dir, 0, append([]string{"protect", "site", "--site", base, "--out", out}, flags...)...)
	root := filepath.Join(out, "site")
	head := mustRead(t, filepath.Join(out, "server", "head.html"))
	os.WriteFile(filepath.Join(root, "page.html"), []byte("<!doctype html><html><head><title>A page</title>\n"+string(head)+"</head><body><p>Words.</p></body></html>"), 0o644)
	runDir := filepath.Join(dir, "run")
	os.MkdirAll(runDir, 0o755)
	cmd := conf(t, runDir, root, string(mustRead(t, filepath.Join(out, "server", snippet))), addr)
	logf := filepath.Join(runDir, "server.log")
	lf, _ := os.Create(logf)
	cmd.Stdout, cmd.Stderr = lf, lf
	// The server and its workers in a process group of their own, stopped
	// together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		lf.Close()
	}()
	status := func(path, ua string) (int, http.Header) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := status("/robots.txt", "probe"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start:\n%s", mustRead(t, logf))
		}
	}
	lines, errOut, _ := checkJSON(t, base+"/page.html")
	if len(lines) != 1 || verdicts(lines[0]) != want {
		t.Errorf("%v: check reads %+v, want %s\n%s", flags, lines, want, errOut)
	}
	for _, c := range []struct {
		path, ua string
		want     int
	}{
		{"/page.html", uaBrowser, 200},
		{"/page.html", "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)", gptbot},
		{"/page.html", "Mozilla/5.0; compatible; ChatGPT-User/1.0; +https://openai.com/bot", chatgpt},
		{"/robots.txt", "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)", 200},
	} {
		code, h := status(c.path, c.ua)
		if code != c.want {
			t.Errorf("%v: %s for %q: %d, want %d", flags, c.path, c.ua, code, c.want)
			continue
		}
		if code == 402 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "License ") {
			t.Errorf("%v: 402 without WWW-Authenticate: License (%q)", flags, h.Get("WWW-Authenticate"))
		}
	}
	if _, err := os.Stat(filepath.Join(root, "license.xml")); err == nil {
		if _, h := status("/license.xml", uaBrowser); h.Get("Content-Type") != "application/rsl+xml" {
			t.Errorf("%v: license.xml served as %q", flags, h.Get("Content-Type"))
		}
	}
}

const uaBrowser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
