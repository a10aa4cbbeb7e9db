package audit

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// euSummary pre-fills the parts of the EU AI Act public summary of training
// content (Art. 53(1)(d); the Commission's template, C(2025) 8311) that an
// audit can state: the period, the size, the items read online (section
// 2.3 "data crawled and scraped from online sources", or 2.1 when they come
// from a public dataset of URLs) apart from those read from local files,
// whose provenance the audit cannot tell, the top domains by content size,
// and, for section 3.1 (respect of reservations of rights from the text and
// data mining exception), the protocols honoured and the reservations
// found and respected. An origin that could not be reached reserves
// nothing: its items are excluded as a precaution and counted apart.
func (a *aggregator) euSummary() []byte {
	r := a.report
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Training content summary: the parts an audit can pre-fill\n\n")
	p("Pre-filled by `askfirst audit` on %s for the EU AI Act public summary of training content (Art. 53(1)(d), the Commission's template). Review every section before publishing: the figures describe the audited dataset, not how it was collected.\n\n", r.Generated)
	p("## Period of data collection\n\n")
	p("Signals checked from %s to %s (UTC).\n\n", r.Period.Start, r.Period.End)
	p("## Size\n\n")
	p("| | items |\n|---|---:|\n| audited | %d |\n| with a URL (online sources) | %d |\n| from local files, archive members or inline text | %d |\n| kept for training | %d |\n| excluded | %d |\n| could not be checked (excluded) | %d |\n\n",
		r.Totals.Items, r.Sources.Online, r.Sources.Local, r.Totals.Kept, r.Totals.Excluded, r.Totals.Failed)
	if r.Incomplete > 0 {
		p("**%d items of the inputs were not decided by this audit** (an unfinished run or a missing shard).\n\n", r.Incomplete)
	}
	if r.Sources.Online > 0 {
		p("## Data from online sources\n\n")
		p("%d items have a URL: their rights signals were read from their origin. Report them under section 2.3 of the template (data crawled and scraped from online sources) if you collected them, or under section 2.1 if they come from a publicly available dataset of URLs.\n\n", r.Sources.Online)
		p("Top domains by content size:\n\n")
		p("| rank | domain | items | bytes | reserved | excluded |\n|---:|---|---:|---:|---:|---:|\n")
		for i, d := range r.Domains {
			p("| %d | %s | %d | %d | %d | %d |\n", i+1, mdCell(d.Domain), d.Items, d.Bytes, d.Reserved, d.Excluded)
		}
		p("\nBytes are counted where the content was read (tar members, `--fetch full`); otherwise domains are ranked by items.\n\n")
	}
	if r.Sources.Local > 0 {
		p("## Data from local files\n\n")
		p("%d items were read from local files, WebDataset members or the dataset's own text, with no URL. The audit cannot tell where they were collected: they are not data crawled by this audit. Report them under the section their provenance calls for (2.1 publicly available datasets, 2.2 private or licensed datasets, 2.4 user data, 2.5 synthetic data or 2.6 other sources).\n\n", r.Sources.Local)
	}
	p("## Respect of reservations of rights (section 3.1)\n\n")
	p("Mode: `%s`. Uses decided: %s. Robots.txt product token: `%s`", r.Settings.Mode, strings.Join(r.Settings.Uses, ", "), r.Settings.Agent)
	if len(r.Settings.AgentFor) > 0 {
		p(" (per use: %s)", strings.Join(r.Settings.AgentFor, ", "))
	}
	p(".\n\n")
	var checked []string
	if r.Sources.Online > 0 {
		s := "for every item with a URL: robots.txt (RFC 9309, incl. Content-Usage and Content-Signal lines), W3C TDMRep (tdmrep.json"
		if r.Settings.Fetch != string(FetchNone) {
			s += ", tdm-reservation headers and HTML meta"
		}
		s += "), Spawning ai.txt, RSL licence documents"
		if r.Settings.Fetch != string(FetchNone) {
			s += ", X-Robots-Tag / meta robots noai, IETF Content-Usage headers"
		}
		checked = append(checked, s)
	}
	if r.Sources.Local > 0 || r.Settings.Fetch == string(FetchFull) {
		checked = append(checked, "for every item whose bytes were read: IPTC plus:DataMining (XMP) and C2PA/CAWG training-and-data-mining assertions")
	}
	if r.Settings.Registry != "" {
		checked = append(checked, "the declarations of the askfirst registry at "+r.Settings.Registry+", matched by URL, domain and content codes")
	}
	if len(checked) > 0 {
		p("Machine-readable reservations checked %s.\n\n", strings.Join(checked, "; "))
	}
	if rs := r.Registry; rs != nil {
		p("Registry matching: %d items by the codes of their content, %d by the ISCC the dataset carries, %d by their URL only (a copy of a registered work at another address is not recognised for those).\n\n", rs.Content, rs.DatasetISCC, rs.URLOnly)
	}
	mechs := make([]string, 0, len(r.Mechanisms))
	for _, m := range r.Mechanisms {
		mechs = append(mechs, fmt.Sprintf("%s (%s)", m.Mechanism, items(m.Items)))
	}
	slices.Sort(mechs)
	if len(mechs) > 0 {
		p("Mechanisms that decided at least one item: %s.\n\n", strings.Join(mechs, ", "))
	}
	rt := r.Rights
	p("- Items with a rights reservation found for at least one decided use: %d\n", rt.Reserved)
	p("- Of those, excluded from the training data: %d\n", rt.Respected)
	if rt.Reserved > rt.Respected {
		p("- Reserved but kept (%d): the mode `%s` records reservations without excluding, or a licence is held.\n", rt.Reserved-rt.Respected, r.Settings.Mode)
	}
	if rt.Unreachable > 0 {
		p("- Items whose origin could not be reached (robots.txt unreachable: no reservation known, excluded as a precaution): %d\n", rt.Unreachable)
	}
	holders := "rights holders"
	if len(a.holders) == 1 {
		holders = "rights holder"
	}
	p("- Items needing a licence that is offered (see bill.csv): %d, from %d %s\n", rt.Licensable, len(a.holders), holders)
	if rt.AskHolder > 0 {
		p("- Items reserved for a use whose rights holder offers a licence (see ask-the-holder.csv; not priced, the reservation stands until a licence is held): %d\n", rt.AskHolder)
	}
	p("\n")
	return b.Bytes()
}

// items says "1 item" or "N items".
func items(n int64) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// mdCell escapes a value for a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
