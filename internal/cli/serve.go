package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/internal/web"
)

// openStore opens the store named by a --db value: a postgres:// or
// postgresql:// URL, or a SQLite file path (sqlite: prefix optional).
func openStore(ctx context.Context, db string) (store.Store, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return postgres.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet("serve", "[--db URL] [--addr HOST:PORT] [--data DIR] [--public-url URL]\n\n"+
		"Serves the registry's API, its public log and its web app (join, register, declare, receipts,\n"+
		"domains, campaigns, lookup) on one address.")
	data := fs.String("data", envOr(e, "ASKFIRST_DATA", "askfirst-data"), "folder for the SQLite database and the log key (env ASKFIRST_DATA)")
	db := fs.String("db", e.getenv("ASKFIRST_DB"), "database: postgres://... or a SQLite file (default DATA/askfirst.db; env ASKFIRST_DB)")
	addr := fs.String("addr", envOr(e, "ASKFIRST_ADDR", "127.0.0.1:7700"), "address to listen on; :7700 for every interface (env ASKFIRST_ADDR)")
	origin := fs.String("origin", envOr(e, "ASKFIRST_LOG_ORIGIN", ""), "log origin (checkpoint name) when the log key is created; default: the host name + /askfirst")
	rate := fs.Float64("rate", 50, "requests per second per token (or client address)")
	insecureDomains := fs.Bool("insecure-domain-verification", false, "verify domain claims over plain http and on private addresses (tests and local demos only)")
	publicURL := fs.String("public-url", envOr(e, "ASKFIRST_PUBLIC_URL", ""), "the address users reach the registry at, e.g. https://registry.example behind a TLS proxy: the web app's cookies are Secure when it is https, and forms must come from it (env ASKFIRST_PUBLIC_URL)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	if *db == "" {
		*db = filepath.Join(*data, "askfirst.db")
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		e.errorf("open database: %v", err)
		e.hintf("--db takes postgres://user@host/db or a SQLite file path")
		return ExitFailure
	}
	defer st.Close()
	if *origin == "" {
		h, _ := os.Hostname()
		if h == "" {
			h = "localhost"
		}
		*origin = h + "/askfirst"
	}
	skey, created, err := ledger.LoadKey(*data, *origin, e.getenv)
	if err != nil {
		e.errorf("log key: %v", err)
		return ExitFailure
	}
	led, err := ledger.New(skey)
	if err != nil {
		e.errorf("%v", err)
		return ExitFailure
	}
	if created {
		log.Info("created the log signing key", slog.String("file", filepath.Join(*data, ledger.KeyFileName)), slog.String("origin", led.Origin()))
	}
	if err := led.Init(ctx, st); err != nil {
		e.errorf("initialise log: %v", err)
		return ExitFailure
	}
	var verifier registry.DomainVerifier
	if *insecureDomains {
		c, err := fetch.New(fetch.Config{AllowPrivate: true})
		if err != nil {
			e.errorf("%v", err)
			return ExitFailure
		}
		verifier = &registry.NetVerifier{Client: c, Scheme: "http"}
	}
	reg, err := registry.New(ctx, registry.Config{Store: st, Ledger: led, Verifier: verifier})
	if err != nil {
		e.errorf("%v", err)
		return ExitFailure
	}
	start := time.Now()
	n, err := reg.SelfCheck(ctx)
	if err != nil {
		e.errorf("self-check of the log failed: %v", err)
		e.hintf("the database does not match its own log: restore it from a backup, or run 'askfirst verify' against a mirror to see what changed")
		return ExitFailure
	}
	log.Info("self-check passed", slog.Int64("entries", n), slog.Duration("took", time.Since(start)), slog.Int("works_indexed", reg.Index().Len()))
	app, err := web.New(web.Config{Registry: reg, Log: log, PublicURL: *publicURL})
	if err != nil {
		e.errorf("%v", err)
		e.hintf("--public-url takes the registry's address as users see it, such as https://registry.example")
		return ExitFailure
	}
	if missing := app.WasmMissing(); missing != "" {
		e.warnf("%s", missing)
	}
	srv, err := api.New(api.Config{Registry: reg, Log: log, RatePerSecond: *rate, Sessions: app})
	if err != nil {
		e.errorf("%v", err)
		return ExitFailure
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		e.errorf("listen on %s: %v", *addr, err)
		e.hintf("choose another address with --addr")
		return ExitFailure
	}
	hs := &http.Server{Handler: web.Compose(srv, app), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Follow the log so works written by other processes on the same
	// database are matched too.
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-followCtx.Done():
				return
			case <-t.C:
				if err := reg.Index().Sync(followCtx, st); err != nil && followCtx.Err() == nil {
					log.Warn("follow the log", slog.String("error", err.Error()))
				}
			}
		}
	}()
	fmt.Fprintf(e.stdout, "askfirst registry listening on http://%s (database %s, log %s)\n", ln.Addr(), redactDB(*db), led.Origin())
	fmt.Fprintf(e.stdout, "open http://%s/ in a browser to join, register works and declare\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		e.errorf("serve: %v", err)
		return ExitFailure
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		e.errorf("shutdown: %v", err)
		return ExitFailure
	}
	return ExitOK
}

// redactDB hides a password in a database URL.
func redactDB(db string) string {
	if i := strings.Index(db, "://"); i >= 0 {
		if j := strings.IndexByte(db[i+3:], '@'); j >= 0 {
			userinfo := db[i+3 : i+3+j]
			if k := strings.IndexByte(userinfo, ':'); k >= 0 {
				return db[:i+3] + userinfo[:k] + ":***" + db[i+3+j:]
			}
		}
	}
	return db
}
