package signals

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

	var rslURLs []string
	for _, l := range parseLinkHeader(resp.Header.Values("Link")) {
		if hasRel(l.Params["rel"], "license") {
			if ref, err := url.Parse(l.Target); err == nil {
				base, _ := url.Parse(loc)
				rslURLs = append(rslURLs, base.ResolveReference(ref).String())
			}
		}
	}
	var inline [][]byte
	if isHTML(resp.Header, resp.Body) {
		h := parseHead(resp.Body)
		out = append(out, in.noaiMeta(loc, h.Metas)...)
		tdm.meta(loc, h.Metas)
		for _, l := range h.Links {
			if hasRel(l.Rel, "license") && l.Href != "" && isRSLType(l.Type) {
				if ref, err := url.Parse(l.Href); err == nil {
					base, _ := url.Parse(loc)
					rslURLs = append(rslURLs, base.ResolveReference(ref).String())
				}
			}
		}
		inline = h.InlineRSL
	} else {
		out = append(out, in.fromEmbedded(loc, resp.Header.Get("Content-Type"), resp.Body)...)
	}
	out = append(out, in.tdmrepStatements(ctx, &tdm)...)
	if len(rslURLs) > 0 {
		out = append(out, in.fromRSLDocuments(ctx, u, rslURLs, loc+" Link rel=license")...)
	}
	for i, doc := range inline {
		out = append(out, rslDocument(u, fmt.Sprintf("%s inline <script type=application/rsl+xml> #%d", loc, i+1), doc, in.uses())...)
	}
	return out
}

// isRSLType accepts a link whose type is absent or names RSL XML: a plain
// rel=license link usually points at a human-readable licence (Creative
// Commons) that is not an RSL document.
func isRSLType(t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	return t == "application/rsl+xml"
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

// fromSiteFiles maps the per-origin files other than robots.txt and
// tdmrep.json (which fromResponse folds into TDMRep's order): ai.txt.
func (in *Inspector) fromSiteFiles(ctx context.Context, u *url.URL) []Statement {
	return in.aitxt(ctx, u)
}
