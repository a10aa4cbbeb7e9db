package api

import (
	"html/template"
	"net/http"

	"github.com/askfirst/askfirst/internal/store"
)

var homeTmpl = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>askfirst registry</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body><h1>askfirst registry</h1>
<p>Creators register works by content codes and declare, per AI use, <b>deny</b>, <b>allow</b> or <b>license</b>. Developers look works up before training. Every statement is in a public, tamper-evident log of {{.Size}} entries (origin <code>{{.Origin}}</code>).</p>
<ul><li>API: <a href="/v1/openapi.json">/v1/openapi.json</a></li><li>Log: <a href="/checkpoint">/checkpoint</a>, <a href="/v1/log">/v1/log</a>, tiles under <code>/tile/</code></li><li>Health: <a href="/healthz">/healthz</a>, metrics: <a href="/metrics">/metrics</a></li></ul>
<p>With the <code>askfirst</code> command: <code>askfirst account create --name NAME</code>, <code>askfirst register --deny train-genai photos/</code>, <code>askfirst lookup FILE</code>, <code>askfirst verify</code>.</p>
</body></html>`))

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	var size int64
	s.reg.Store().View(r.Context(), func(tx store.ReadTx) error {
		size, _, _ = tx.Checkpoint()
		return nil
	})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	homeTmpl.Execute(w, map[string]any{"Size": size, "Origin": s.reg.Ledger().Origin()})
}
