package audit

import (
	"bytes"
	"html/template"
	"sort"
)

// renderHTML draws report.html: self-contained (inline CSS and SVG, no
// scripts, no external assets), readable offline and printable.
func renderHTML(r *Report, bill []BillLine) []byte {
	type bar struct {
		Label string
		N     int64
		W     float64 // width in percent of the widest
		Class string
	}
	bars := func(m map[string]int64, order []string) []bar {
		var out []bar
		var maxN int64
		for _, k := range order {
			if m[k] > maxN {
				maxN = m[k]
			}
		}
		for _, k := range order {
			if n := m[k]; n > 0 {
				w := 0.0
				if maxN > 0 {
					w = float64(n) * 100 / float64(maxN)
				}
				out = append(out, bar{Label: k, N: n, W: w, Class: k})
			}
		}
		return out
	}
	type useView struct {
		Use       string
		Verdicts  []bar
		Decisions []bar
	}
	var uses []useView
	for _, u := range r.Uses {
		uses = append(uses, useView{u.Use, bars(u.Verdicts, []string{"deny", "license", "allow", "unknown"}),
			bars(u.Decisions, []string{"exclude", "include"})})
	}
	mech := map[string]int64{}
	var mechOrder []string
	for _, m := range r.Mechanisms {
		mech[m.Mechanism] = m.Items
		mechOrder = append(mechOrder, m.Mechanism)
	}
	dom := map[string]int64{}
	var domOrder []string
	for _, d := range r.Domains {
		dom[d.Domain] = d.Items
		domOrder = append(domOrder, d.Domain)
	}
	sort.SliceStable(domOrder, func(i, j int) bool { return dom[domOrder[i]] > dom[domOrder[j]] })
	data := map[string]any{
		"R": r, "Uses": uses, "Mechs": bars(mech, mechOrder), "Domains": bars(dom, domOrder), "Bill": bill,
	}
	var b bytes.Buffer
	if err := reportTmpl.Execute(&b, data); err != nil {
		// The template is fixed and tested; an error here is a bug.
		panic("audit: render report.html: " + err.Error())
	}
	return b.Bytes()
}

var reportTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>askfirst audit report</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.tiles{display:flex;gap:1rem;flex-wrap:wrap}.tile{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.tile b{display:block;font-size:1.5rem}
.chart{margin:.3rem 0 1rem}.row{display:flex;align-items:center;gap:.5rem;margin:.15rem 0}
.row .l{width:12rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.row svg{flex:1;height:16px}
.row .v{width:6rem;text-align:right;font-variant-numeric:tabular-nums}
rect{fill:#6b7a8f}rect.deny,rect.exclude{fill:#c0392b}rect.license{fill:#d68910}rect.allow,rect.include{fill:#1e8449}rect.unknown{fill:#95a5a6}
.warn{background:#fdf2e9;border:1px solid #f0b27a;padding:.5rem 1rem;border-radius:6px}
small{color:#666}
</style></head><body>
<h1>askfirst audit report</h1>
<p><small>Generated {{.R.Generated}} · mode <code>{{.R.Settings.Mode}}</code> · uses {{range $i, $u := .R.Settings.Uses}}{{if $i}}, {{end}}<code>{{$u}}</code>{{end}} · agent <code>{{.R.Settings.Agent}}</code> · fetch <code>{{.R.Settings.Fetch}}</code>{{if .R.Settings.Registry}} · registry {{.R.Settings.Registry}}{{end}}</small></p>
<div class="tiles">
<div class="tile">audited<b>{{.R.Totals.Items}}</b></div>
<div class="tile">kept<b>{{.R.Totals.Kept}}</b></div>
<div class="tile">excluded<b>{{.R.Totals.Excluded}}</b></div>
<div class="tile">failed<b>{{.R.Totals.Failed}}</b></div>
</div>
{{if .R.Incomplete}}<p class="warn">{{.R.Incomplete}} items of the inputs were not decided (an unfinished run or a missing shard): they are not in the kept output.</p>{{end}}
<h2>Verdicts per use</h2>
{{range .Uses}}<h3>{{.Use}}</h3><div class="chart">
{{range .Verdicts}}<div class="row"><span class="l">{{.Label}}</span><svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{{.Label}} {{.N}}"><rect class="{{.Class}}" x="0" y="0" width="{{printf "%.2f" .W}}" height="10"/></svg><span class="v">{{.N}}</span></div>
{{end}}{{range .Decisions}}<div class="row"><span class="l">→ {{.Label}}</span><svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{{.Label}} {{.N}}"><rect class="{{.Class}}" x="0" y="0" width="{{printf "%.2f" .W}}" height="10"/></svg><span class="v">{{.N}}</span></div>
{{end}}</div>{{end}}
<h2>Deciding mechanisms</h2>
{{if .Mechs}}<div class="chart">{{range .Mechs}}<div class="row"><span class="l">{{.Label}}</span><svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{{.Label}} {{.N}}"><rect x="0" y="0" width="{{printf "%.2f" .W}}" height="10"/></svg><span class="v">{{.N}}</span></div>
{{end}}</div>{{else}}<p>No mechanism decided any item: nothing reserved, licensed or granted was found.</p>{{end}}
<h2>Top domains</h2>
{{if .R.Domains}}<table><tr><th>domain</th><th class="n">items</th><th class="n">bytes</th><th class="n">reserved</th><th class="n">excluded</th></tr>
{{range .R.Domains}}<tr><td>{{.Domain}}</td><td class="n">{{.Items}}</td><td class="n">{{.Bytes}}</td><td class="n">{{.Reserved}}</td><td class="n">{{.Excluded}}</td></tr>
{{end}}</table>{{else}}<p>No item had a URL.</p>{{end}}
<h2>Licensing bill</h2>
{{if .Bill}}<table><tr><th>rights holder</th><th class="n">items</th><th>uses</th><th class="n">unit price</th><th class="n">total</th><th>contact / terms</th></tr>
{{range .Bill}}<tr><td>{{.Holder}}{{if .Organisation}}<br><small>offered by {{.Organisation}}</small>{{end}}</td><td class="n">{{.Items}}</td><td>{{range $i, $u := .Uses}}{{if $i}}, {{end}}{{$u}}{{end}}</td><td class="n">{{.UnitPrice}} {{.Currency}}{{if .Per}} / {{.Per}}{{end}}</td><td class="n">{{if .Total}}{{.Total}} {{.Currency}}{{else}}to negotiate{{end}}</td><td>{{if .Contact}}{{.Contact}}<br>{{end}}{{if .Terms}}<small>{{.Terms}}</small>{{end}}</td></tr>
{{end}}</table><p><small>An item is billed for a use only when its verdict for that use is <code>license</code>. Totals are given for prices per item; other offers are to negotiate.</small></p>{{else}}<p>No item needs a licence that is offered.</p>{{end}}
{{if .R.AskHolder}}<h2>Ask the holder</h2>
<p>These items are reserved for the uses listed; their rights holders offer a licence. They are not priced: the reservation stands until you hold the licence.</p>
<table><tr><th>rights holder</th><th class="n">items</th><th>uses</th><th>contact / terms</th></tr>
{{range .R.AskHolder}}<tr><td>{{.Holder}}{{if .Organisation}}<br><small>offered by {{.Organisation}}</small>{{end}}</td><td class="n">{{.Items}}</td><td>{{range $i, $u := .Uses}}{{if $i}}, {{end}}{{$u}}{{end}}</td><td>{{if .Contact}}{{.Contact}}<br>{{end}}{{if .Terms}}<small>{{.Terms}}</small>{{end}}</td></tr>
{{end}}</table>{{end}}
<h2>Rights found</h2>
<table>
<tr><td>items with a rights reservation found</td><td class="n">{{.R.Rights.Reserved}}</td></tr>
<tr><td>of those, excluded</td><td class="n">{{.R.Rights.Respected}}</td></tr>
<tr><td>origin unreachable (no reservation known; excluded as a precaution)</td><td class="n">{{.R.Rights.Unreachable}}</td></tr>
<tr><td>items needing a licence that is offered (bill)</td><td class="n">{{.R.Rights.Licensable}}</td></tr>
<tr><td>items reserved, a licence offered (ask the holder)</td><td class="n">{{.R.Rights.AskHolder}}</td></tr>
</table>
<p><small>{{.R.Sources.Online}} items with a URL, {{.R.Sources.Local}} from local files, archive members or inline text.{{with .R.Registry}} Registry {{.URL}}: {{.Content}} items matched by the codes of their content, {{.DatasetISCC}} by the ISCC the dataset carries, {{.URLOnly}} by their URL only.{{end}}</small></p>
<h2>Inputs</h2>
<table><tr><th>input</th><th>format</th><th class="n">items</th><th class="n">kept</th><th class="n">excluded</th><th class="n">failed</th><th>kept output</th></tr>
{{range .R.Inputs}}<tr><td>{{.Input}}</td><td>{{.Format}}</td><td class="n">{{.Items}}</td><td class="n">{{.KeptN}}</td><td class="n">{{.Excluded}}</td><td class="n">{{.Failed}}</td><td>{{.Kept}}</td></tr>
{{end}}</table>
{{if .R.Failures}}<h2>Failures</h2><table><tr><th>reason</th><th class="n">items</th></tr>
{{range .R.Failures}}<tr><td>{{.Reason}}</td><td class="n">{{.Items}}</td></tr>
{{end}}</table><p><small>An item that could not be checked is never kept. Details per item are in excluded.jsonl.</small></p>{{end}}
<p><small>Every excluded item and why: excluded.jsonl, the statements it refers to: evidence.jsonl. Bill: bill.csv; reserved items with a licence offered: ask-the-holder.csv. EU training-content summary draft: eu-training-summary.md.</small></p>
</body></html>
`))
