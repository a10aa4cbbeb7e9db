package api

// Status returns the HTTP status the API answers err with. The web app's
// pages answer with it too, so that one function maps errors to statuses.
func Status(err error) int {
	code, _ := status(err)
	return code
}
