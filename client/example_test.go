package client_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/client"
	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/wire"
)

// A creator registers a work by its datahash with a reservation; anyone
// then finds it, and the declaration, by the same code.
func Example() {
	url, stop := exampleRegistry()
	defer stop()
	ctx := context.Background()

	anyone, err := client.New(url, "", nil)
	if err != nil {
		log.Fatal(err)
	}
	acct, err := anyone.CreateAccount(ctx, "Jane Doe", wire.KindCreator)
	if err != nil {
		log.Fatal(err)
	}
	jane, err := client.New(url, acct.Token, nil)
	if err != nil {
		log.Fatal(err)
	}
	datahash := "1e20a95d256ed665afe138ecc4db61523269eaaadb12b68247b9c0da37965107b720"
	_, err = jane.RegisterWorks(ctx, wire.RegisterRequest{
		Works: []wire.WorkInput{{Datahash: datahash, Title: "Mandelbrot"}},
		Terms: []wire.Term{{Use: wire.UseTrainGenAI, Decision: wire.DecisionDeny}},
	})
	if err != nil {
		log.Fatal(err)
	}

	res, err := anyone.Match(ctx, []wire.MatchItem{{Datahash: datahash}})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range res[0].Matches {
		fmt.Printf("%q matched by %s (%s)\n", m.Title, m.MatchedBy, m.Confidence)
	}
	for _, d := range res[0].Declarations {
		for _, t := range d.Terms {
			fmt.Printf("%s declares %s %s\n", d.AccountName, t.Use, t.Decision)
		}
	}
	// Output:
	// "Mandelbrot" matched by datahash (exact)
	// Jane Doe declares train-genai deny
}

// exampleRegistry serves a registry on loopback for the example (what
// askfirst serve runs), and returns its URL.
func exampleRegistry() (string, func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "askfirst-example-")
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "registry.db"))
	if err != nil {
		log.Fatal(err)
	}
	skey, _, _ := note.GenerateKey(rand.Reader, "example.test/log")
	led, err := ledger.New(skey)
	if err != nil {
		log.Fatal(err)
	}
	if err := led.Init(ctx, st); err != nil {
		log.Fatal(err)
	}
	reg, err := registry.New(ctx, registry.Config{Store: st, Ledger: led, Verifier: offline{}})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := api.New(api.Config{Registry: reg})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	return hs.URL, func() {
		hs.Close()
		st.Close()
		os.RemoveAll(dir)
	}
}

// offline is a domain verifier that finds no token anywhere: the tests
// touch no network but loopback.
type offline struct{}

func (offline) Verify(ctx context.Context, domain, token string) (string, error) {
	return "", fmt.Errorf("%w: %s is not looked up in tests", registry.ErrUnverified, domain)
}
