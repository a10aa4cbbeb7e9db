package wire

// ProblemContentType is the media type of an error answer (RFC 9457).
const ProblemContentType = "application/problem+json"

// ProblemTypeBase prefixes the type URI of every problem the registry
// answers with; the rest is one of the Problem* kinds.
const ProblemTypeBase = "https://askfirst.dev/problems/"

// Problem kinds: the last path segment of Problem.Type. Clients choose
// what to tell the user from the kind, never from the detail text.
const (
	// ProblemInvalid (400): the request breaks a rule; Detail says which.
	ProblemInvalid = "invalid"
	// ProblemUnauthenticated (401): no bearer token, or an unknown or
	// revoked one.
	ProblemUnauthenticated = "unauthenticated"
	// ProblemForbidden (403): the caller may not do this (another party's
	// work, domain or member, a read-only token, the wrong account kind).
	ProblemForbidden = "forbidden"
	// ProblemDomainNotVerified (403): a domain used as a subject or shown
	// with a signature before the caller verified it.
	ProblemDomainNotVerified = "domain-not-verified"
	// ProblemNotFound (404): what the request names does not exist.
	ProblemNotFound = "not-found"
	// ProblemConflict (409): the write contradicts what is stored (signed
	// twice, superseded already, verified by another account).
	ProblemConflict = "conflict"
	// ProblemTooLarge (413): the body is over its cap.
	ProblemTooLarge = "too-large"
	// ProblemRateLimited (429): too many requests; retry after the
	// Retry-After header's seconds.
	ProblemRateLimited = "rate-limited"
	// ProblemCanceled (499): the client went away before the answer.
	ProblemCanceled = "canceled"
	// ProblemInternal (500): a fault of the registry; the details are in
	// its log, never in the answer.
	ProblemInternal = "internal"
)

// Problem is an RFC 9457 problem detail, the body of every error answer
// of the API (Content-Type ProblemContentType).
type Problem struct {
	// Type is ProblemTypeBase followed by one of the Problem* kinds.
	Type string `json:"type"`
	// Title is the HTTP status text.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail says what was wrong with this request, for people.
	Detail string `json:"detail,omitempty"`
}
