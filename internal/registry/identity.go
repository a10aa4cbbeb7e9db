package registry

import "github.com/askfirst/askfirst/internal/identify"

// WorkFromIdentity is the work to register for a file's codes as
// `askfirst id` computes them (title, creator and locators left to the
// caller). The command line, the upload route and the web app register
// through it, so a file is registered the same way by each.
func WorkFromIdentity(res *identify.Result) WorkInput {
	return WorkInput{ISCC: res.ISCC, Units: res.Units, Datahash: res.Datahash, PDQ: res.PDQ, Mediatype: res.MediaType, Filesize: res.Filesize}
}
