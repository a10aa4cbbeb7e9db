package ledger_test

import (
	"crypto/rand"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
)

// BenchmarkWriteBatch measures one registry write of 1000 statements with
// their receipts: appends, one checkpoint, 1000 inclusion proofs.
func BenchmarkWriteBatch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchWriteBatch(b, newFixtureB(b)) })
	b.Run("postgres", func(b *testing.B) {
		dsn := postgresSchema(b)
		st, err := postgres.Open(b.Context(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		skey, _, _ := note.GenerateKey(rand.Reader, origin)
		l, err := ledger.New(skey)
		if err != nil {
			b.Fatal(err)
		}
		benchWriteBatch(b, &fixture{st: st, l: l})
	})
}

func benchWriteBatch(b *testing.B, f *fixture) {
	const batch = 1000
	stmts := make([]any, batch)
	for i := range stmts {
		stmts[i] = statement(i)
	}
	b.ResetTimer()
	for b.Loop() {
		err := f.st.Update(b.Context(), func(tx store.Tx) error {
			es := make([]ledger.Entry, 0, batch)
			for _, s := range stmts {
				e, err := f.l.Append(tx, s)
				if err != nil {
					return err
				}
				es = append(es, e)
			}
			_, err := f.l.Seal(tx, es...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkSelfCheck measures the start-up self-check per entry.
func BenchmarkSelfCheck(b *testing.B) {
	f := newFixtureB(b)
	const n, batch = 20000, 1000
	for i := 0; i < n; i += batch {
		err := f.st.Update(b.Context(), func(tx store.Tx) error {
			for j := range batch {
				if _, err := f.l.Append(tx, statement(i+j)); err != nil {
					return err
				}
			}
			_, _, err := f.l.Sign(tx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.l.SelfCheck(b.Context(), f.st, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
