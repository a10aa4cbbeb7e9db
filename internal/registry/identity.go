package registry

import "github.com/askfirst/askfirst/internal/identify"

// WorkFromIdentity is the work to register for a file's codes as
// `askfirst id` computes them (title, creator and locators left to the
// caller).
func WorkFromIdentity(res *identify.Result) WorkInput {
	w := WorkInput{ISCC: res.ISCC, Datahash: res.Datahash, Mediatype: res.MediaType, Filesize: res.Filesize}
	for _, u := range []string{res.Units.Meta, res.Units.Content, res.Units.Data, res.Units.Instance} {
		if u != "" {
			w.Units = append(w.Units, u)
		}
	}
	if res.PDQ != nil {
		w.PDQ, w.PDQQuality = res.PDQ.Hash, res.PDQ.Quality
	}
	return w
}
