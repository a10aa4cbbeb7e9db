// Package wire declares the vocabulary of the askfirst registry's HTTP API
// (DESIGN §5–6): every request and response of /v1 as one Go type with
// explicit snake_case JSON tags, the receipt and log description of the
// tamper-evident log (DESIGN §5), the RFC 9457 problem body of every error,
// and the caps the registry enforces (batch sizes, body limits, lengths).
//
// The registry (internal/api), the Go client (package client), the command
// line and the test of the OpenAPI document (internal/api/openapi.json) all
// use these types, so a name on the wire exists in exactly one place.
// Nothing on the wire is an anonymous map.
//
// The wire format is a contract: from the first release on, fields are
// added, never renamed, removed or reshaped (README, "Changelog").
//
// Package wire holds types and constants only. It imports nothing but the
// standard library and does no I/O, so any Go program can use it to talk
// to a registry without copying types.
package wire
