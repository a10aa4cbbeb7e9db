package signals

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/signals/rsl"
)

// fromResponse maps what the target's own response carries: headers
// (Content-Usage, tdm-reservation/tdm-policy, X-Robots-Tag, Link
// rel=license), the HTML head of a page (meta robots, tdm-* meta, link
// rel=license, inline RSL), and the metadata embedded in a media file.
// TDMRep's own order is applied here: file, then header, then meta
// (digest §3.3).
func (in *Inspector) fromResponse(ctx context.Context, u *url.URL, resp *FetchResponse) []Statement {
	loc := resp.URL
	var out []Statement
	if v := resp.Header.Values("Content-Usage"); len(v) > 0 {
		out = append(out, contentUsageHeader(loc+" header Content-Usage", v, in.uses())...)
	}
	if v := resp.Header.Values("Content-Signal"); len(v) > 0 {
		m, w := contentSignalEffects(strings.Join(v, ", "))
		out = append(out, Statement{Mechanism: "content-signal", Location: loc + " header Content-Signal", Value: strings.Join(v, ", "), Uses: restrict(m, in.uses()), Warnings: w})
	}
	image := isImage(resp.Header, resp.Body)
	out = append(out, in.noaiHeader(loc, resp.Header.Values("X-Robots-Tag"), image)...)

	tdm := tdmrepState{}
	in.tdmrepFile(ctx, u, &tdm)
	tdm.header(loc, resp.Header)

	base, _ := url.Parse(loc)
	var rslURLs []string
	for _, l := range rsl.ParseLinkHeader(resp.Header.Values("Link"), base) {
		if l.IsRSL() {
			rslURLs = append(rslURLs, l.URL)
		}
	}
	var inline [][]byte
	if isHTML(resp.Header, resp.Body) {
		h := parseHead(resp.Body)
		out = append(out, in.noaiMeta(loc, h.Metas)...)
		tdm.meta(loc, h.Metas)
		// Every RSL link says rel=license and every inline document
		// application/rsl+xml: pages with neither skip the full scan.
		if lower := bytes.ToLower(resp.Body); bytes.Contains(lower, []byte("license")) || bytes.Contains(lower, []byte("rsl+xml")) {
			hr := rsl.ParseHTML(resp.Body, base)
			for _, l := range hr.Links {
				if l.IsRSL() {
					rslURLs = append(rslURLs, l.URL)
				}
			}
			inline = hr.Inline
		}
	} else {
		out = append(out, in.fromEmbedded(loc, resp.Header.Get("Content-Type"), resp.Body, &tdm)...)
	}
	// Everything so far was read from the target's own response.
	stamp(out, resp.Fetched, digest(resp.Body))
	out = append(out, stamp(in.tdmrepStatements(ctx, &tdm), resp.Fetched, digest(resp.Body))...)
	if len(rslURLs) > 0 {
		out = append(out, in.fromRSLDocuments(ctx, u, rslURLs, loc+" Link rel=license", in.uses())...)
	}
	for i, doc := range inline {
		out = append(out, stamp(rslDocument(u, fmt.Sprintf("%s inline <script type=application/rsl+xml> #%d", loc, i+1), loc, doc, in.uses(), in.profile()), resp.Fetched, digest(resp.Body))...)
	}
	return out
}

// isImage reports whether the response is an image, by Content-Type or by
// its first bytes.
func isImage(h http.Header, body []byte) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	if strings.HasPrefix(ct, "image/") {
		return true
	}
	return strings.HasPrefix(http.DetectContentType(body), "image/")
}

// fromSiteFiles maps the per-origin files other than robots.txt, for a
// check that does not fetch the target (Inspector.Site): tdmrep.json on
// its own and ai.txt. URL folds tdmrep.json into TDMRep's order with the
// target's headers and meta instead.
func (in *Inspector) fromSiteFiles(ctx context.Context, u *url.URL) []Statement {
	t := tdmrepState{}
	in.tdmrepFile(ctx, u, &t)
	out := in.tdmrepStatements(ctx, &t)
	return append(out, in.aitxt(ctx, u)...)
}
