package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/askfirst/askfirst/wire"
)

// openAPIDoc is the OpenAPI document, loaded and validated once by
// kin-openapi, an OpenAPI 3.1 implementation independent of ours.
var openAPIDoc = sync.OnceValues(func() (*openapi3.T, error) {
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
})

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openAPIDoc()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// schemaTypes ties every component schema to the type of package wire it
// describes.
var schemaTypes = map[string]any{
	"Problem": wire.Problem{}, "Receipt": wire.Receipt{}, "LogInfo": wire.LogInfo{},
	"Account": wire.Account{}, "CreateAccountRequest": wire.CreateAccountRequest{}, "AccountCreated": wire.AccountCreated{},
	"Token": wire.Token{}, "Me": wire.Me{}, "CreateTokenRequest": wire.CreateTokenRequest{}, "TokenCreated": wire.TokenCreated{},
	"AddKeyRequest": wire.AddKeyRequest{}, "KeyAdded": wire.KeyAdded{}, "DelegateRequest": wire.DelegateRequest{}, "Delegated": wire.Delegated{},
	"DelegationRevoked": wire.DelegationRevoked{}, "KeyRevoked": wire.KeyRevoked{},
	"Units": wire.Units{}, "PDQ": wire.PDQ{}, "WorkInput": wire.WorkInput{}, "Work": wire.Work{}, "RegisterRequest": wire.RegisterRequest{},
	"Registered": wire.Registered{}, "RegisterResponse": wire.RegisterResponse{}, "OwnWork": wire.OwnWork{}, "WorkList": wire.WorkList{},
	"Subject": wire.Subject{}, "Term": wire.Term{}, "Offer": wire.Offer{}, "DeclarationStatement": wire.DeclarationStatement{},
	"DeclareRequest": wire.DeclareRequest{}, "Declaration": wire.Declaration{}, "Declared": wire.Declared{}, "DeclarationList": wire.DeclarationList{},
	"TDM": wire.TDM{}, "ImportRequest": wire.ImportRequest{}, "MatchItem": wire.MatchItem{}, "MatchRequest": wire.MatchRequest{},
	"MatchResponse": wire.MatchResponse{}, "WorkMatch": wire.WorkMatch{}, "AppliedDeclaration": wire.AppliedDeclaration{}, "MatchResult": wire.MatchResult{},
	"ClaimDomainRequest": wire.ClaimDomainRequest{}, "DomainClaim": wire.DomainClaim{}, "DomainVerified": wire.DomainVerified{},
	"Campaign": wire.Campaign{}, "CreateCampaignRequest": wire.CreateCampaignRequest{}, "CampaignCreated": wire.CampaignCreated{},
	"Signatory": wire.Signatory{}, "CampaignView": wire.CampaignView{}, "CampaignSummary": wire.CampaignSummary{}, "CampaignList": wire.CampaignList{},
	"SignRequest": wire.SignRequest{}, "Signature": wire.Signature{}, "Signed": wire.Signed{},
	"UseOutcome": wire.UseOutcome{}, "PossibleMatch": wire.PossibleMatch{}, "UnitDistance": wire.UnitDistance{},
}

// routeTypes says, per route, the schema of its request body ("" for
// none), its success status and the schema of its answer ("" for none).
var routeTypes = map[string]struct {
	req    string
	status int
	resp   string
}{
	"POST /v1/accounts":                     {"CreateAccountRequest", 201, "AccountCreated"},
	"GET /v1/accounts/me":                   {"", 200, "Me"},
	"GET /v1/accounts/me/works":             {"", 200, "WorkList"},
	"GET /v1/accounts/me/declarations":      {"", 200, "DeclarationList"},
	"POST /v1/tokens":                       {"CreateTokenRequest", 201, "TokenCreated"},
	"DELETE /v1/tokens/{id}":                {"", 204, ""},
	"POST /v1/keys":                         {"AddKeyRequest", 201, "KeyAdded"},
	"POST /v1/delegations":                  {"DelegateRequest", 201, "Delegated"},
	"DELETE /v1/delegations/{organisation}": {"", 200, "DelegationRevoked"},
	"DELETE /v1/keys/{id}":                  {"", 200, "KeyRevoked"},
	"POST /v1/works":                        {"RegisterRequest", 201, "RegisterResponse"},
	"POST /v1/works/upload":                 {"", 201, "RegisterResponse"},
	"GET /v1/works/{id}":                    {"", 200, "Work"},
	"POST /v1/declarations":                 {"DeclareRequest", 201, "Declared"},
	"POST /v1/declarations/import":          {"ImportRequest", 201, "RegisterResponse"},
	"POST /v1/domains":                      {"ClaimDomainRequest", 201, "DomainClaim"},
	"POST /v1/domains/{domain}/verify":      {"", 200, "DomainVerified"},
	"GET /v1/campaigns":                     {"", 200, "CampaignList"},
	"POST /v1/campaigns":                    {"CreateCampaignRequest", 201, "CampaignCreated"},
	"GET /v1/campaigns/{id}":                {"", 200, "CampaignView"},
	"POST /v1/campaigns/{id}/signatures":    {"SignRequest", 201, "Signed"},
	"POST /v1/match":                        {"MatchRequest", 200, "MatchResponse"},
	"GET /v1/lookup":                        {"", 200, "MatchResult"},
	"GET /v1/receipts/{index}":              {"", 200, "Receipt"},
	"GET /v1/log":                           {"", 200, "LogInfo"},
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, hs, _ := newServer(t, 100)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if code := call(t, hs, "GET", "/v1/openapi.json", "", nil, &doc); code != 200 {
		t.Fatalf("GET /v1/openapi.json: %d", code)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	served := s.Routes()
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("OpenAPI paths and handlers differ:\ndocumented %v\nserved     %v", documented, served)
	}
	var typed []string
	for r := range routeTypes {
		typed = append(typed, r)
	}
	sort.Strings(typed)
	if !slices.Equal(typed, served) {
		t.Fatalf("routeTypes and the routes served differ:\nin the test %v\nserved      %v", typed, served)
	}
}

// TestOpenAPIOperations checks every operation: an operationId, security
// (none for the public routes, the bearer token for the others), the
// request and answer schemas of its route, and the 4xx answers it can
// give.
func TestOpenAPIOperations(t *testing.T) {
	s, _, _ := newServer(t, 100)
	doc := loadDoc(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	// A bearer token, or the web app's session with its CSRF header.
	if len(doc.Security) != 2 || doc.Security[0]["bearer"] == nil || doc.Security[1]["session"] == nil {
		t.Errorf("document security %v, want the bearer scheme or the session by default", doc.Security)
	}
	if doc.Components.Schemas["Work"] == nil {
		t.Errorf("no Work schema")
	}
	public := map[string]bool{}
	for _, r := range s.PublicRoutes() {
		public[r] = true
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			route := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", route)
			}
			switch {
			case public[route] && (op.Security == nil || len(*op.Security) != 0):
				t.Errorf("%s is public: want security: []", route)
			case !public[route] && op.Security != nil:
				t.Errorf("%s needs a token: want the document's bearer security, got %v", route, *op.Security)
			}
			rt := routeTypes[route]
			var reqContent openapi3.Content
			if op.RequestBody != nil {
				reqContent = op.RequestBody.Value.Content
			}
			if got := refName(reqContent); got != rt.req {
				t.Errorf("%s: request body %q, want %q", route, got, rt.req)
			}
			ok := op.Responses.Status(rt.status)
			if ok == nil {
				t.Errorf("%s: no %d answer", route, rt.status)
			} else if got := refName(ok.Value.Content); got != rt.resp {
				t.Errorf("%s: %d answer %q, want %q", route, rt.status, got, rt.resp)
			}
			var want []int
			if route != "GET /v1/log" { // served by the log, not rate-limited
				want = append(want, http.StatusTooManyRequests)
			}
			if !public[route] {
				want = append(want, http.StatusUnauthorized)
			}
			if op.RequestBody != nil {
				want = append(want, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
			}
			if strings.Contains(path, "{") && method != "DELETE" {
				want = append(want, http.StatusNotFound)
			}
			for _, p := range op.Parameters {
				if p.Value.In == "query" {
					want = append(want, http.StatusBadRequest)
				}
			}
			for _, code := range want {
				r := op.Responses.Status(code)
				if r == nil {
					t.Errorf("%s: no %d answer", route, code)
					continue
				}
				if r.Value.Content.Get(wire.ProblemContentType) == nil {
					t.Errorf("%s: %d answer is not %s", route, code, wire.ProblemContentType)
				}
			}
		}
	}
}

// refName is the component schema of the JSON content, "" when there is
// none.
func refName(c openapi3.Content) string {
	mt := c.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return ""
	}
	return strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
}

// TestOpenAPISchemasMatchWire holds every component schema to its type of
// package wire, both ways: every JSON field of the type is a property of
// the schema with a matching type, every property is a field, and the
// required properties are the fields never omitted. Every struct type of
// package wire has its schema.
func TestOpenAPISchemasMatchWire(t *testing.T) {
	doc := loadDoc(t)
	var schemas, tabled, declared []string
	for n := range doc.Components.Schemas {
		schemas = append(schemas, n)
	}
	for n := range schemaTypes {
		tabled = append(tabled, n)
	}
	declared = wireStructs(t)
	for _, l := range [][]string{schemas, tabled, declared} {
		sort.Strings(l)
	}
	if !slices.Equal(schemas, tabled) || !slices.Equal(tabled, declared) {
		t.Fatalf("component schemas, the test's table and the structs of package wire differ:\nschemas %v\ntable   %v\nwire    %v", schemas, tabled, declared)
	}
	for name, v := range schemaTypes {
		t.Run(name, func(t *testing.T) {
			s := doc.Components.Schemas[name].Value
			fields := jsonFields(reflect.TypeOf(v))
			var required []string
			for jname, f := range fields {
				p := s.Properties[jname]
				if p == nil {
					t.Errorf("field %s (json %q) is not in the schema", f.name, jname)
					continue
				}
				if want := schemaKind(f.typ); !matches(p, want) {
					t.Errorf("property %q: schema %s %s, Go %s", jname, p.Ref, typesOf(p), want)
				}
				if !f.omit {
					required = append(required, jname)
				}
			}
			for p := range s.Properties {
				if _, ok := fields[p]; !ok {
					t.Errorf("property %q is not a field of wire.%s", p, name)
				}
			}
			got := slices.Clone(s.Required)
			sort.Strings(got)
			sort.Strings(required)
			if !slices.Equal(got, required) {
				t.Errorf("required %v, want the fields never omitted %v", got, required)
			}
		})
	}
}

// wireStructs lists the struct types package wire declares.
func wireStructs(t *testing.T) []string {
	files, err := filepath.Glob("../../wire/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				for _, sp := range g.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						if _, ok := ts.Type.(*ast.StructType); ok {
							out = append(out, ts.Name.Name)
						}
					}
				}
			}
		}
	}
	return out
}

type jsonField struct {
	name string
	typ  reflect.Type
	omit bool
}

// jsonFields lists the JSON fields of a struct type as encoding/json
// writes them, embedded structs flattened.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, v := range jsonFields(f.Type) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name // untagged: what the wire must never carry
		}
		out[name] = jsonField{name: f.Name, typ: f.Type, omit: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")}
	}
	return out
}

// schemaKind is the JSON Schema type of a Go type, or "$ref:Name" for a
// struct.
func schemaKind(t reflect.Type) string {
	if t == reflect.TypeOf(json.RawMessage{}) {
		return "object"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaKind(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string" // base64
		}
		return "array of " + schemaKind(t.Elem())
	case reflect.Struct:
		return "$ref:" + t.Name()
	}
	return "unsupported " + t.String()
}

func matches(p *openapi3.SchemaRef, want string) bool {
	if name, ok := strings.CutPrefix(want, "$ref:"); ok {
		return p.Ref == "#/components/schemas/"+name
	}
	if item, ok := strings.CutPrefix(want, "array of "); ok {
		return p.Value.Type.Is("array") && p.Value.Items != nil && matches(p.Value.Items, item)
	}
	if p.Value.Type.Is(want) {
		return true
	}
	// An enum or const of strings is a string.
	return want == "string" && p.Value.Type.IsEmpty() && len(p.Value.Enum) > 0
}

func typesOf(p *openapi3.SchemaRef) string {
	if p.Value == nil || p.Value.Type == nil {
		return "(no type)"
	}
	return strings.Join(*p.Value.Type, ",")
}

// pathPatterns turns the documented paths into regular expressions.
var pathPatterns = sync.OnceValue(func() map[string]*regexp.Regexp {
	doc, err := openAPIDoc()
	if err != nil {
		return nil
	}
	out := map[string]*regexp.Regexp{}
	for p := range doc.Paths.Map() {
		out[p] = regexp.MustCompile("^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$")
	}
	return out
})

// validateExchange checks a request and its answer against the document:
// a JSON body sent to a route that succeeded against its request schema,
// and every JSON or problem answer against the schema of its status.
func validateExchange(t *testing.T, method, path string, body []byte, status int, ctype string, answer []byte) {
	t.Helper()
	doc := loadDoc(t)
	rawPath, _, _ := strings.Cut(path, "?")
	if !strings.HasPrefix(rawPath, "/v1/") || rawPath == "/v1/openapi.json" {
		return
	}
	var op *openapi3.Operation
	for p, re := range pathPatterns() {
		if re.MatchString(rawPath) {
			if item := doc.Paths.Value(p); item != nil && item.GetOperation(method) != nil {
				if op == nil || !strings.Contains(p, "{") { // a literal path beats a template
					op = item.GetOperation(method)
				}
			}
		}
	}
	if op == nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: answered %d but not documented", method, path, status)
		}
		return
	}
	opts := []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}
	if status < 300 && len(body) > 0 && op.RequestBody != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
			var v any
			if json.Unmarshal(body, &v) == nil {
				if err := mt.Schema.Value.VisitJSON(v, opts...); err != nil {
					t.Errorf("%s %s: request body does not match the document: %v", method, path, err)
				}
			}
		}
	}
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
		if r == nil || status < 500 {
			t.Errorf("%s %s: answer %d is not documented", method, path, status)
			return
		}
	}
	mtName, _, _ := strings.Cut(ctype, ";")
	if len(bytes.TrimSpace(answer)) == 0 {
		return
	}
	mt := r.Value.Content.Get(mtName)
	if mt == nil {
		t.Errorf("%s %s: answer %d of type %q is not documented", method, path, status, ctype)
		return
	}
	var v any
	if err := json.Unmarshal(answer, &v); err != nil {
		t.Errorf("%s %s: answer %d is not JSON: %v", method, path, status, err)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, opts...); err != nil {
		t.Errorf("%s %s: answer %d does not match the document: %v\n%s", method, path, status, err, answer)
	}
}
