// Package registryevidence turns what an askfirst registry answers about an
// item (POST /v1/match) into signals.Statement of the "registry" mechanism
// (DESIGN §3.7), located at the receipt of each declaration's log entry:
// the one adapter between the registry and the signals evaluation, used by
// askfirst check and askfirst audit alike.
package registryevidence
