package main

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"askfirst": func() {
			os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScript runs the CLI end to end from testdata/script/*.txtar.
// Scripts find shared samples under $REPO (the repository root); the
// command "registry" starts a registry for the rest of a script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("REPO", wd+"/../..")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"registry": startRegistry},
	})
}

// startRegistry serves a registry (internal/registry and internal/api over
// SQLite in the script's folder) on loopback until the script ends, and
// sets ASKFIRST_REGISTRY to its URL.
func startRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 0 {
		ts.Fatalf("usage: registry")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(ts.Getenv("WORK"), ".registry.db"))
	ts.Check(err)
	skey, _, err := note.GenerateKey(rand.Reader, "registry.test/log")
	ts.Check(err)
	led, err := ledger.New(skey)
	ts.Check(err)
	ts.Check(led.Init(ctx, st))
	reg, err := registry.New(ctx, registry.Config{Store: st, Ledger: led})
	ts.Check(err)
	srv, err := api.New(api.Config{Registry: reg, RatePerSecond: 1000, Burst: 1000})
	ts.Check(err)
	hs := httptest.NewServer(srv)
	ts.Defer(func() {
		hs.Close()
		st.Close()
	})
	ts.Setenv("ASKFIRST_REGISTRY", hs.URL)
}
