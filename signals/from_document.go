package signals

import (
	"errors"
	"fmt"
	"time"

	"github.com/askfirst/askfirst/signals/epub"
	"github.com/askfirst/askfirst/signals/tdmrep"
	"github.com/askfirst/askfirst/signals/xmp"
)

// fromDocument maps the metadata a file's bytes carry besides C2PA: IPTC
// Data Mining in its XMP (mapped at once), and the TDMRep properties of a
// PDF's XMP packet (tdm:reservation, tdm:policy in
// http://www.w3.org/ns/tdmrep/) or of an EPUB's package document, which
// are added to tdm, where TDMRep's processing order puts them last: they
// supersede tdmrep.json, headers and meta (TDMRep §"Processing priority",
// digest §3.2-3.3). XMP is read once for both.
func (in *Inspector) fromDocument(loc string, data []byte, tdm *tdmrepState) []Statement {
	if epub.IsEPUB(data) {
		return in.fromEPUB(loc, data, tdm)
	}
	res, err := xmp.Read(data)
	out := fromXMPResult(loc, res, err, in.uses())
	if res == nil {
		return out
	}
	for _, t := range res.TDM {
		var rs, ps []string
		for _, v := range t.Reservation {
			rs = append(rs, v.Value)
		}
		for _, v := range t.Policy {
			ps = append(ps, v.Value)
		}
		st := tdmrep.ParseMeta(rs, ps)
		st.Source = "embedded"
		st.Warnings = append(st.Warnings, t.Warnings...)
		tdm.add(loc+" XMP "+t.Location.String()+" tdm:reservation", st, time.Time{}, "")
	}
	return out
}

// fromEPUB adds an EPUB's TDMRep package metadata to tdm. A publication
// whose package document cannot be read leaves the uses TDMRep speaks to
// unknown: a reservation may be in what was not read.
func (in *Inspector) fromEPUB(loc string, data []byte, tdm *tdmrepState) []Statement {
	r, err := epub.Read(data)
	if err != nil {
		if errors.Is(err, epub.ErrNotEPUB) {
			return nil
		}
		return []Statement{{
			Mechanism: "tdmrep", Location: loc, Value: "unreadable EPUB package document",
			Uses:     restrict(effects(Unknown, TrainGenAI, TrainAI, AIInput), in.uses()),
			Warnings: []string{err.Error()},
		}}
	}
	if len(r.Reservation)+len(r.Policy) == 0 {
		return nil
	}
	st := tdmrep.ParseMeta(r.Reservation, r.Policy)
	st.Source = "embedded"
	st.Warnings = append(st.Warnings, r.Warnings...)
	tdm.add(fmt.Sprintf("%s EPUB %s <meta property=\"tdm:reservation\">", loc, r.Package), st, time.Time{}, "")
	return nil
}
