package kexihttp

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// recordTypes are the Go types of the entity kinds, for their schemas.
var recordTypes = map[string]reflect.Type{
	kexi.KindCustomers:    reflect.TypeFor[kexi.Customer](),
	kexi.KindOrders:       reflect.TypeFor[kexi.Order](),
	kexi.KindProducts:     reflect.TypeFor[kexi.Product](),
	kexi.KindInteractions: reflect.TypeFor[kexi.Interaction](),
	kexi.KindEvents:       reflect.TypeFor[kexi.WebEvent](),
	kexi.KindSurveys:      reflect.TypeFor[kexi.SurveyResponse](),
	kexi.KindLeads:        reflect.TypeFor[kexi.Lead](),
	kexi.KindCampaigns:    reflect.TypeFor[kexi.Campaign](),
	kexi.KindResponses:    reflect.TypeFor[kexi.CampaignResponse](),
	kexi.KindCompetitors:  reflect.TypeFor[kexi.Competitor](),
	kexi.KindSWOT:         reflect.TypeFor[kexi.SWOTItem](),
	viewsKind:             reflect.TypeFor[kexi.SavedView](),
}

// queryDocs describes the documented query parameters.
var queryDocs = map[string]string{
	"q":      "free text over the entity's name-like fields",
	"sort":   "field to sort by; prefix with - for descending (e.g. -amount); customers also by an analysis field (-clv.value)",
	"offset": "rows to skip",
	"limit":  "page size (default 100, at most 10000)",
	"f": "condition FIELD:OP:VALUE, repeatable; OP is eq, ne, lt, le, gt, ge, contains or in; FIELD may be custom.NAME. " +
		"Customers also take analysis fields NAME.COLUMN, a column of the analysis's per-customer table (rfm.r, rfm.cn8, pyramid.tier, lifecycle.stage, " +
		"clv.p_alive, churn.probability, churn.risk_band, value.profit, segments.cluster) or an alias (rfm.segment, rfm.score, clv.value), " +
		"from the cached run for the caller's scope as of as_of, or over period (period=90d: the analyses as of the end of that period's last day, as the analysis pages); percentages are fractions (churn.probability:gt:0.6); a list field (loyalty.active_months such as +0, +2; campaigns.responded_to) matches eq, ne and in on one of its items (loyalty.cohort:eq:2024-01&loyalty.active_months:eq:+1, campaigns.responded_to:eq:NAME); options as NAME.OPTION=VALUE (rfm.scheme=rfm10)",
	"col":    "an analysis field to return in each customer's analysis object (the fields named in f and sort are returned too)",
	"format": "csv (default) or xlsx",
	"all":    "true: every user's views (administrators only)",
	"as_of":  "as-of date 2006-01-02: the end of that day in the business time zone (default: the end of the last order's day); 1900-01-01 to a few years ahead",
	"from":   "period start 2006-01-02, a day in the business time zone",
	"to":     "period end 2006-01-02 (inclusive of its whole day)",
	"period": "a period counted back from the as-of day (as_of, default the last order's day) in the business time zone: " +
		"all, 30d, 90d, 365d, this_month, last_month, this_quarter, last_quarter, this_year, last_year, or custom (from and to); " +
		"a preset runs as of the end of its last day and is not given with from or to",
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPI builds the OpenAPI 3 document from the route list: every API route, its
// parameters, its request body and the schema of the entity it reads or writes.
func (s *Server) openAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.routes {
		if !rt.API {
			continue
		}
		p, _ := paths[rt.Path].(map[string]any)
		if p == nil {
			p = map[string]any{}
			paths[rt.Path] = p
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
			"responses":   responsesFor(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			prm := map[string]any{"name": q, "in": "query", "description": queryDocs[q],
				"schema": map[string]any{"type": "string"}}
			if q == "f" || q == "col" {
				prm["schema"] = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
				prm["explode"] = true
			}
			params = append(params, prm)
		}
		if params != nil {
			op["parameters"] = params
		}
		switch rt.Body {
		case "json":
			schema := map[string]any{"type": "object"}
			if rt.Kind != "" {
				schema = ref(rt.Kind)
			}
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": schema}}}
		case "multipart":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object",
					"properties": map[string]any{
						"file":      map[string]any{"type": "string", "format": "binary"},
						"kind":      map[string]any{"type": "string", "enum": kexi.Kinds},
						"skip_bad":  map[string]any{"type": "boolean", "description": "import the good rows and list the bad ones in the rejects report"},
						"anonymous": map[string]any{"type": "boolean", "description": "keep order rows without a customer id as orders without a customer"},
					}, "required": []string{"file"}}}}}
		case "form":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/x-www-form-urlencoded": map[string]any{"schema": map[string]any{"type": "object",
					"properties": map[string]any{
						"kind":      map[string]any{"type": "string", "enum": kexi.Kinds, "description": "the kind, when not the one the preview recognised"},
						"skip_bad":  map[string]any{"type": "boolean", "description": "import the good rows and list the bad ones in the rejects report"},
						"anonymous": map[string]any{"type": "boolean", "description": "keep order rows without a customer id as orders without a customer"},
						"currency":  map[string]any{"type": "string", "description": "the currency of the file's amounts (ISO code); saved to the settings when it differs (administrators)"},
						"col.0":     map[string]any{"type": "string", "description": "col.N maps the preview's column N to a field (see preview.fields), custom.NAME, or - (not imported)"},
					}}}}}
		}
		p[strings.ToLower(rt.Method)] = op
	}
	schemas := map[string]any{
		"Error": map[string]any{"type": "object", "required": []string{"code", "message"},
			"properties": map[string]any{
				"code":     map[string]any{"type": "string", "enum": []string{kexi.EINVALID, kexi.ENOTFOUND, kexi.ECONFLICT, kexi.EUNAUTHORIZED, kexi.EFORBIDDEN, kexi.EINTERNAL, eNotImplemented, eTooLarge}},
				"message":  map[string]any{"type": "string"},
				"problems": map[string]any{"type": "array", "items": schemaOf(reflect.TypeFor[kexi.FieldProblem]())},
			}},
	}
	for k, t := range recordTypes {
		schemas[k] = schemaOf(t)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "kexi API", "version": "v1",
			"description": "Customer analysis for CRM (客析). Authenticate with a session cookie (browser) plus the X-CSRF-Token header on writes, or with an API token: Authorization: Bearer TOKEN."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": cookieName},
			},
		},
		"security": []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}},
	}
}

func ref(kind string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + kind} }

// operationID is a unique name for a route: method and path words.
func operationID(rt route) string {
	p := strings.NewReplacer("/api/v1/", "", "/", "_", "{", "", "}", "", ".", "_").Replace(rt.Path)
	return strings.ToLower(rt.Method) + "_" + p
}

// responsesFor describes a route's answers.
func responsesFor(rt route) map[string]any {
	errResp := func(d string) map[string]any {
		return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	ok := map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	if rt.Kind != "" {
		switch {
		case strings.HasSuffix(rt.Path, "/export"):
			ok = map[string]any{"description": "the file", "content": map[string]any{
				"text/csv": map[string]any{"schema": map[string]any{"type": "string"}},
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		case rt.Method == "GET" && !strings.HasSuffix(rt.Path, "}"):
			item := ref(rt.Kind)
			if rt.Kind == kexi.KindCustomers {
				item = map[string]any{"allOf": []any{item, map[string]any{"type": "object", "properties": map[string]any{
					"analysis": map[string]any{"type": "object", "description": "the analysis fields named in f, sort and col (null where the analysis has no row for the customer)",
						"additionalProperties": map[string]any{}}}}}}
			}
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object",
				"properties": map[string]any{"items": map[string]any{"type": "array", "items": item},
					"total": map[string]any{"type": "integer"}, "offset": map[string]any{"type": "integer"}, "limit": map[string]any{"type": "integer"}}}}}
		case rt.Method != "DELETE":
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Kind)}}
		}
	}
	code := "200"
	switch rt.Method {
	case "POST":
		if rt.Kind != "" || strings.HasSuffix(rt.Path, "users") || strings.HasSuffix(rt.Path, "tokens") {
			code = "201"
		}
	case "DELETE":
		code, ok = "204", map[string]any{"description": "deleted"}
	}
	resp := map[string]any{code: ok, "400": errResp("invalid input"), "401": errResp("not signed in"),
		"403": errResp("not allowed"), "404": errResp("not found"), "500": errResp("internal error")}
	if rt.Body == "multipart" {
		resp["413"] = errResp("too_large: the upload is over 256 MB, or the file over one of the import limits (a cell, a line, the unpacked size, the rows), which the message names")
	}
	return resp
}

// schemaOf is a JSON schema of a Go type, following its json tags.
func schemaOf(t reflect.Type) map[string]any {
	if t == reflect.TypeFor[time.Time]() {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" || name == "" || !f.IsExported() {
				continue
			}
			props[name] = schemaOf(f.Type)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.openAPI())
	return nil
}
