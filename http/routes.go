package kexihttp

import (
	"net/http"

	"github.com/kexi/kexi"
)

// Access levels of routes.
const (
	public    = "public"
	signedIn  = "user"
	adminOnly = "admin"
)

// route is one entry of the route list: a method and a ServeMux path pattern, who may call it,
// whether it is an API route (JSON errors; described in the OpenAPI document), and its handler.
type route struct {
	Method  string
	Path    string
	Access  string
	API     bool
	Summary string
	Tag     string
	Kind    string   // the entity kind an API route reads or writes, for its schema
	Query   []string // documented query parameters
	Body    string   // request body: "json", "multipart", "form" or ""
	h       handler
}

// listQuery are the query parameters of every entity list and export.
var listQuery = []string{"q", "sort", "offset", "limit", "f"}

// routeList is every route kexi serves, in one list. The mux, the access checks and the
// OpenAPI document are all made from it.
func (s *Server) routeList() []route {
	rs := []route{
		{Method: "GET", Path: "/healthz", Access: public, Summary: "liveness", h: s.handleHealth},

		// Sign-in and setup.
		{Method: "GET", Path: "/login", Access: public, h: s.handleLoginPage},
		{Method: "POST", Path: "/login", Access: public, Body: "form", h: s.handleLogin},
		{Method: "POST", Path: "/logout", Access: signedIn, Body: "form", h: s.handleLogout},
		{Method: "GET", Path: "/setup", Access: public, h: s.handleSetupPage},
		{Method: "POST", Path: "/setup", Access: public, Body: "form", h: s.handleSetup},
		{Method: "GET", Path: "/lang", Access: public, h: s.handleLang},

		// Pages.
		{Method: "GET", Path: "/{$}", Access: signedIn, h: s.handleDashboard},
		{Method: "GET", Path: "/analyses", Access: signedIn, h: s.handleAnalysesPage},
		{Method: "GET", Path: "/analyses/{name}", Access: signedIn, h: s.handleAnalysisPage},
		{Method: "GET", Path: "/analyses/{name}/export", Access: signedIn, h: s.handleAnalysisExport},
		{Method: "GET", Path: "/customers", Access: signedIn, h: s.handleCustomersPage},
		{Method: "GET", Path: "/customers/{id}", Access: signedIn, h: s.handlePortrait},
		{Method: "GET", Path: "/data/{kind}", Access: signedIn, h: s.handleEntityPage},
		{Method: "GET", Path: "/data/{kind}/export", Access: signedIn, h: s.handleEntityExport},
		{Method: "GET", Path: "/import", Access: signedIn, h: s.handleImportPage},
		{Method: "POST", Path: "/import", Access: signedIn, Body: "multipart", h: s.handleImportUpload},
		{Method: "GET", Path: "/import/{job}", Access: signedIn, h: s.handleImportJob},
		{Method: "POST", Path: "/import/{job}", Access: signedIn, Body: "form", h: s.handleImportConfirm},
		{Method: "POST", Path: "/import/{job}/cancel", Access: signedIn, Body: "form", h: s.handleImportCancel},
		{Method: "GET", Path: "/import/{job}/rejects", Access: signedIn, h: s.handleImportRejects},
		{Method: "GET", Path: "/users", Access: adminOnly, h: s.handleUsersPage},
		{Method: "POST", Path: "/users", Access: adminOnly, Body: "form", h: s.handleUserAdd},
		{Method: "POST", Path: "/users/{id}/delete", Access: adminOnly, Body: "form", h: s.handleUserDelete},
		{Method: "POST", Path: "/users/{id}/token", Access: adminOnly, Body: "form", h: s.handleUserToken},
		{Method: "POST", Path: "/users/{id}/tokens/{token}/revoke", Access: adminOnly, Body: "form", h: s.handleTokenRevoke},
		{Method: "GET", Path: "/settings", Access: signedIn, h: s.handleSettingsPage},
		{Method: "POST", Path: "/settings", Access: adminOnly, Body: "form", h: s.handleSettingsSave},
		{Method: "POST", Path: "/settings/labels", Access: adminOnly, Body: "form", h: s.handleLabelsSave},

		// API: meta, analyses, dashboard, import, users, settings.
		{Method: "GET", Path: "/api/v1/openapi.json", Access: signedIn, API: true, Tag: "meta",
			Summary: "this OpenAPI document", h: s.handleOpenAPI},
		{Method: "GET", Path: "/api/v1/me", Access: signedIn, API: true, Tag: "meta",
			Summary: "the signed-in user", h: s.apiMe},
		{Method: "GET", Path: "/api/v1/dashboard", Access: signedIn, API: true, Tag: "analyses",
			Summary: "headline figures and monthly trends for a period (default the last 365 days), with the previous period's figures",
			Query:   []string{"period", "from", "to", "as_of"}, h: s.apiDashboard},
		{Method: "GET", Path: "/api/v1/analyses", Access: signedIn, API: true, Tag: "analyses",
			Summary: "list the analyses with their options", h: s.apiAnalyses},
		{Method: "GET", Path: "/api/v1/analyses/{name}", Access: signedIn, API: true, Tag: "analyses",
			Summary: "run an analysis (period or from and to, as_of and its options as query parameters)",
			Query:   []string{"period", "as_of", "from", "to"}, h: s.apiAnalysis},
		{Method: "POST", Path: "/api/v1/import", Access: signedIn, API: true, Tag: "import", Body: "multipart",
			Summary: "import a CSV, CSV.GZ or XLSX file in one step (fields file, kind, skip_bad, anonymous)", h: s.apiImport},
		{Method: "POST", Path: "/api/v1/import/preview", Access: signedIn, API: true, Tag: "import", Body: "multipart",
			Summary: "upload a file and check it without importing: kind, columns, first rows, problems grouped by reason, currency; the job waits 30 minutes for POST /api/v1/import/{job}", h: s.apiImportPreview},
		{Method: "GET", Path: "/api/v1/import/{job}", Access: signedIn, API: true, Tag: "import",
			Summary: "the state of an import job (checking, preview, reading, importing, done, failed, cancelled)", h: s.apiImportJob},
		{Method: "POST", Path: "/api/v1/import/{job}", Access: signedIn, API: true, Tag: "import", Body: "form",
			Summary: "import a previewed file with the choices made (kind, col.N, anonymous, skip_bad, currency)", h: s.apiImportConfirm},
		{Method: "DELETE", Path: "/api/v1/import/{job}", Access: signedIn, API: true, Tag: "import",
			Summary: "cancel a previewed import and remove its file", h: s.apiImportCancel},
		{Method: "GET", Path: "/api/v1/users", Access: adminOnly, API: true, Tag: "users",
			Summary: "list users", h: s.apiUsers},
		{Method: "POST", Path: "/api/v1/users", Access: adminOnly, API: true, Tag: "users", Body: "json",
			Summary: "create a user (login, name, role, region, password)", h: s.apiUserCreate},
		{Method: "DELETE", Path: "/api/v1/users/{id}", Access: adminOnly, API: true, Tag: "users",
			Summary: "delete a user", h: s.apiUserDelete},
		{Method: "POST", Path: "/api/v1/users/{id}/tokens", Access: adminOnly, API: true, Tag: "users", Body: "json",
			Summary: "create an API token for a user (name, days; the secret is returned once)", h: s.apiTokenCreate},
		{Method: "GET", Path: "/api/v1/users/{id}/tokens", Access: adminOnly, API: true, Tag: "users",
			Summary: "list a user's API tokens (never their secrets)", h: s.apiTokens},
		{Method: "DELETE", Path: "/api/v1/users/{id}/tokens/{token}", Access: adminOnly, API: true, Tag: "users",
			Summary: "revoke an API token by its id", h: s.apiTokenRevoke},
		{Method: "GET", Path: "/api/v1/settings", Access: signedIn, API: true, Tag: "settings",
			Summary: "the business settings", h: s.apiSettings},
		{Method: "PUT", Path: "/api/v1/settings", Access: adminOnly, API: true, Tag: "settings", Body: "json",
			Summary: "save the business settings; fields left out keep their values; labels (field, value, label) replace the value labels", h: s.apiSettingsSave},
		{Method: "GET", Path: "/api/v1/audit", Access: adminOnly, API: true, Tag: "settings",
			Query: []string{"limit"}, Summary: "the audit log, newest first", h: s.apiAudit},
	}
	rs = append(rs, s.viewRoutes()...) // saved views: views_saved.go
	// API: every entity kind.
	for _, k := range kexi.Kinds {
		e := entities[k]
		base := "/api/v1/" + k
		query, summary := listQuery, "list "+k+" (filter, sort, page)"
		if k == kexi.KindCustomers {
			// Analysis fields (rfm.segment, churn.probability, …): see drill.go.
			query = append(append([]string(nil), listQuery...), "col", "period", "as_of", "from", "to")
			summary = "list customers (filter, sort, page), also by analysis results: f=rfm.segment:eq:important_value, f=churn.probability:gt:0.6, sort=-clv.value"
		}
		rs = append(rs,
			route{Method: "GET", Path: base, Access: signedIn, API: true, Tag: k, Kind: k, Query: query,
				Summary: summary, h: s.apiList(e)},
			route{Method: "GET", Path: base + "/export", Access: signedIn, API: true, Tag: k, Kind: k,
				Query: append([]string{"format"}, query...), Summary: "export " + k + " as CSV or XLSX",
				h: s.apiExport(e)},
			route{Method: "GET", Path: base + "/{id}", Access: signedIn, API: true, Tag: k, Kind: k,
				Summary: "get one of " + k, h: s.apiGet(e)},
			route{Method: "POST", Path: base, Access: signedIn, API: true, Tag: k, Kind: k, Body: "json",
				Summary: "create one of " + k, h: s.apiCreate(e)},
			route{Method: "PUT", Path: base + "/{id}", Access: signedIn, API: true, Tag: k, Kind: k, Body: "json",
				Summary: "replace one of " + k, h: s.apiUpdate(e, false)},
			route{Method: "PATCH", Path: base + "/{id}", Access: signedIn, API: true, Tag: k, Kind: k, Body: "json",
				Summary: "change some fields of one of " + k, h: s.apiUpdate(e, true)},
			route{Method: "DELETE", Path: base + "/{id}", Access: signedIn, API: true, Tag: k, Kind: k,
				Summary: "delete one of " + k, h: s.apiDelete(e)},
		)
	}
	return rs
}

// Routes returns the method and pattern of every route, for tests and the OpenAPI check.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.st.DataVersion(r.Context()); err != nil {
		s.log.Error("health", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
	return nil
}
