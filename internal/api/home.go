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

var campaignTmpl = template.Must(template.New("campaign").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.C.Campaign.Title}} — askfirst campaign</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.55 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
blockquote{font-size:1.15rem;border-left:4px solid #c0392b;margin:1.5rem 0;padding:.2rem 1rem}
.count{font-size:2rem;font-weight:600}li{margin:.2rem 0}small{color:#666}</style></head>
<body><h1>{{.C.Campaign.Title}}</h1>
<blockquote>{{.C.Campaign.Statement}}</blockquote>
<p><span class="count">{{.C.Signatures}}</span> signatures{{if lt (len .C.Listed) .C.Signatures}} ({{len .C.Listed}} listed publicly){{end}}</p>
{{if .C.Listed}}<ul>{{range .C.Listed}}<li>{{.Name}}{{if .Role}}, {{.Role}}{{end}}{{if .Domain}} <small>({{.Domain}}, verified)</small>{{end}}</li>{{end}}</ul>{{end}}
<p><small>Sign with <code>askfirst campaign sign {{.C.Campaign.ID}}</code>. Every signature is an entry of this registry's public log (campaign: entry {{.C.Campaign.LogIndex}}); JSON at <a href="/v1/campaigns/{{.C.Campaign.ID}}">/v1/campaigns/{{.C.Campaign.ID}}</a>.</small></p>
</body></html>`))

// campaignPage is the public page of a campaign: its statement, the count
// of signatures and the signatories who chose to be listed.
func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.reg.Campaign(r.Context(), r.PathValue("id"), "", 1000)
	if err != nil {
		code, _ := status(err)
		http.Error(w, http.StatusText(code), code)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	campaignTmpl.Execute(w, map[string]any{"C": v})
}
