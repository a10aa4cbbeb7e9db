package audit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// euSummary pre-fills the parts of the EU AI Act public summary of training
// content (Art. 53(1)(d), the Commission's template, section on data crawled
// and scraped from online sources) that an audit can state: the period of
// collection, the domains ranked by content size, the reservation protocols
// honoured and the reservations found and respected.
func (a *aggregator) euSummary() []byte {
	r := a.report
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Training content summary: data crawled and scraped from online sources\n\n")
	p("Pre-filled by `askfirst audit` on %s. Review every section before publishing: the figures describe the audited dataset, not how it was collected.\n\n", r.Generated)
	p("## Period of data collection\n\n")
	p("Signals checked from %s to %s (UTC).\n\n", r.Period.Start, r.Period.End)
	p("## Size\n\n")
	p("| | items |\n|---|---:|\n| audited | %d |\n| kept for training | %d |\n| excluded | %d |\n| could not be checked (excluded) | %d |\n\n",
		r.Totals.Items, r.Totals.Kept, r.Totals.Excluded, r.Totals.Failed)
	if r.Incomplete > 0 {
		p("**%d items of the inputs were not decided by this audit** (an unfinished run or a missing shard).\n\n", r.Incomplete)
	}
	p("## Top domains by content size\n\n")
	if len(r.Domains) == 0 {
		p("No item had a URL.\n\n")
	} else {
		p("| rank | domain | items | bytes | reserved | excluded |\n|---:|---|---:|---:|---:|---:|\n")
		for i, d := range r.Domains {
			p("| %d | %s | %d | %d | %d | %d |\n", i+1, d.Domain, d.Items, d.Bytes, d.Reserved, d.Excluded)
		}
		p("\nBytes are counted where the content was read (local files, tar members, `--fetch full`); otherwise domains are ranked by items.\n\n")
	}
	p("## Rights reservations: protocols honoured\n\n")
	p("Mode: `%s`. Uses decided: %s. Robots.txt product token: `%s`", r.Settings.Mode, strings.Join(r.Settings.Uses, ", "), r.Settings.Agent)
	if len(r.Settings.AgentFor) > 0 {
		p(" (per use: %s)", strings.Join(r.Settings.AgentFor, ", "))
	}
	p(".\n\nMachine-readable opt-outs checked for every item with a URL: robots.txt (RFC 9309, incl. Content-Usage and Content-Signal lines), W3C TDMRep (tdmrep.json")
	if r.Settings.Fetch != string(FetchNone) {
		p(", tdm-reservation headers and HTML meta")
	}
	p("), Spawning ai.txt, RSL licence documents")
	if r.Settings.Fetch != string(FetchNone) {
		p(", X-Robots-Tag / meta robots noai, IETF Content-Usage headers")
	}
	p("; for every item whose bytes were read: IPTC plus:DataMining (XMP) and C2PA/CAWG training-and-data-mining assertions")
	if r.Settings.Registry != "" {
		p("; and the declarations of the askfirst registry at %s, matched by URL, domain and content codes", r.Settings.Registry)
	}
	p(".\n\n")
	mechs := make([]string, 0, len(r.Mechanisms))
	for _, m := range r.Mechanisms {
		mechs = append(mechs, fmt.Sprintf("%s (%d items)", m.Mechanism, m.Items))
	}
	slices.Sort(mechs)
	if len(mechs) > 0 {
		p("Mechanisms that decided at least one item: %s.\n\n", strings.Join(mechs, ", "))
	}
	p("## Reservations found and respected\n\n")
	p("- Items with a rights reservation for at least one decided use: %d\n", a.reservedN)
	p("- Of those, excluded from the training data: %d\n", a.respected)
	if a.reservedN > a.respected {
		p("- Reserved but kept (%d): the mode `%s` records reservations without excluding, or a licence is held.\n", a.reservedN-a.respected, r.Settings.Mode)
	}
	p("- Items needing a licence (see bill.csv): %d, from %d rights holders\n\n", a.licensedItems(), len(a.holders))
	return b.Bytes()
}

func (a *aggregator) licensedItems() int64 {
	var n int64
	for _, h := range a.holders {
		n += h.Items
	}
	return n
}
