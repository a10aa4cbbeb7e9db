package api

import _ "embed"

// openAPI is the OpenAPI 3.1 document of the API; TestOpenAPIMatchesRoutes
// keeps it and the handlers in step.
//
//go:embed openapi.json
var openAPI []byte

// Routes lists the API routes the server handles as "METHOD /path".
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.method + " " + r.pattern
	}
	return out
}
