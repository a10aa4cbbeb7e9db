package wire

// Caps on what one request may hold and cause (DESIGN §8). The registry
// refuses a request over a cap with a problem naming the cap; clients check
// them before sending.
const (
	// MaxBatch is the most works one POST /v1/works registers and the most
	// items one POST /v1/match looks up.
	MaxBatch = 10000
	// MaxBody caps the JSON body of a request other than the batches and
	// the upload, in bytes.
	MaxBody = 8 << 20
	// MaxBatchBody caps the body of POST /v1/works and POST /v1/match, in
	// bytes: MaxBatch items of ordinary size.
	MaxBatchBody = 64 << 20
	// MaxUploadBody caps the file sent to POST /v1/works/upload, in bytes.
	MaxUploadBody = 256 << 20

	// MaxNameLen caps an account's name, a campaign's title, a signatory's
	// name and role, and a token's label, in bytes.
	MaxNameLen = 200
	// MaxTextLen caps a work's title, creator, media type and datahash, and
	// a campaign's statement, in bytes.
	MaxTextLen = 4000
	// MaxURLLen caps a URL (locator, URL prefix, terms URL) and an offer's
	// contact, in bytes.
	MaxURLLen = 2048
	// MaxCodeLen caps one ISCC string of a match item, in bytes.
	MaxCodeLen = 1024
	// MaxLocators caps the URLs a work is published at.
	MaxLocators = 32
	// MaxTerms caps the terms of one declaration (one per use).
	MaxTerms = 8
	// MaxPriceLen caps an offer's price, in bytes.
	MaxPriceLen = 32
	// MaxMatchesPerItem caps the works reported for one match item.
	MaxMatchesPerItem = 50

	// DefaultPageSize is the page size of a list when the request gives no
	// limit.
	DefaultPageSize = 100
	// MaxPageSize is the largest limit a list request may give.
	MaxPageSize = 1000
)
