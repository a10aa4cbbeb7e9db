package api

import _ "embed"

// openAPI is the OpenAPI 3.1 document of the API. The tests keep it in
// step with the routes served and the types of package wire, field by
// field, and validate it (and the answers of a real registry against it)
// with an independent OpenAPI 3.1 validator.
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

// PublicRoutes lists, as Routes does, the routes that need no token.
func (s *Server) PublicRoutes() []string {
	var out []string
	for _, r := range s.routes {
		if !r.auth {
			out = append(out, r.method+" "+r.pattern)
		}
	}
	return out
}
