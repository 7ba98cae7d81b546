package kexihttp

// Saved views of the customer table (kexi.SavedView): a user saves the list's filter (analysis
// fields too), free text, sort, columns and the parameters of the analysis runs it names under
// a name, private or shared with a role. A view keeps the query, not its rows: opening,
// listing or exporting it runs the query now, in the scope of whoever opens it.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// viewsKind names saved views in the API's paths, tags and schemas.
const viewsKind = "views"

// maxViewText bounds a view's free text and each parameter value.
const maxViewText = 200

// viewQuery is the customer-table query a view stands for.
func viewQuery(v *kexi.SavedView) url.Values {
	q := url.Values{}
	for _, c := range v.Where {
		q.Add("f", c.Field+":"+string(c.Op)+":"+c.Value)
	}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	if v.Sort != "" {
		q.Set("sort", v.Sort)
	}
	for _, c := range v.Columns {
		q.Add("col", c)
	}
	for k, x := range v.Params {
		q.Set(k, x)
	}
	return q
}

// isViewParam reports whether a query parameter chooses the analysis runs of a list: as_of,
// period, from, to or NAME.OPTION of a registered analysis.
func (s *Server) isViewParam(k string) bool {
	switch k {
	case "as_of", "period", "from", "to":
		return true
	}
	name, _, ok := strings.Cut(k, ".")
	return ok && s.byName[name] != nil
}

// viewFromQuery reads a customer-table query (as the list page has it) into a view: its
// conditions, free text, sort, columns and run parameters; paging is not kept.
func (s *Server) viewFromQuery(q url.Values) (*kexi.SavedView, error) {
	v := &kexi.SavedView{Query: strings.TrimSpace(q.Get("q")), Sort: strings.TrimSpace(q.Get("sort"))}
	for _, raw := range q["f"] {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		c, err := parseCond(raw)
		if err != nil {
			return nil, err
		}
		v.Where = append(v.Where, c)
	}
	for _, c := range q["col"] {
		if c = strings.TrimSpace(c); c != "" {
			v.Columns = appendNew(v.Columns, c)
		}
	}
	for k, xs := range q {
		if s.isViewParam(k) && len(xs) > 0 && strings.TrimSpace(xs[0]) != "" {
			if v.Params == nil {
				v.Params = map[string]string{}
			}
			v.Params[k] = strings.TrimSpace(xs[0])
		}
	}
	return v, nil
}

// viewRequest is r asking for the customer table as view v says, with extra parameters
// (paging, format) on top.
func viewRequest(r *http.Request, v *kexi.SavedView, extra url.Values) *http.Request {
	r2 := r.Clone(r.Context())
	q := viewQuery(v)
	for k, xs := range extra {
		q[k] = xs
	}
	r2.URL.RawQuery = q.Encode()
	return r2
}

// checkView returns an EINVALID error naming what is wrong with a view's query: an unknown
// field or operator in a condition, a value that does not fit its analysis field, an unknown
// sort field, column or parameter, a bad date. It runs the query once, in r's scope, so that a
// view that saves is a view that opens.
func (s *Server) checkView(r *http.Request, v *kexi.SavedView) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(v.Name)); n > kexi.MaxViewName {
		return fieldError("name", v.Name, fmt.Sprintf("a name has at most %d characters, this one %d", kexi.MaxViewName, n))
	}
	if len(v.Where) > kexi.MaxViewConds {
		return fieldError("where", strconv.Itoa(len(v.Where)), fmt.Sprintf("a view has at most %d conditions", kexi.MaxViewConds))
	}
	if len(v.Columns) > kexi.MaxViewColumns {
		return fieldError("columns", strconv.Itoa(len(v.Columns)), fmt.Sprintf("a view shows at most %d columns", kexi.MaxViewColumns))
	}
	if utf8.RuneCountInString(v.Query) > maxViewText {
		return fieldError("q", v.Query, fmt.Sprintf("at most %d characters", maxViewText))
	}
	for i, c := range v.Where {
		col := fmt.Sprintf("where[%d]", i)
		if strings.TrimSpace(c.Field) == "" {
			return fieldError(col+".field", "", "a condition needs a field")
		}
		if _, err := parseCond(c.Field + ":" + string(c.Op) + ":" + c.Value); err != nil {
			return fieldError(col+".op", string(c.Op), "unknown operator; expected eq, ne, lt, le, gt, ge, contains or in")
		}
	}
	zone := s.zone(r.Context())
	for k, x := range v.Params {
		if !s.isViewParam(k) {
			return fieldError("params."+k, x, "unknown parameter; expected as_of, from, to or NAME.OPTION of an analysis")
		}
		if utf8.RuneCountInString(x) > maxViewText {
			return fieldError("params."+k, x, fmt.Sprintf("at most %d characters", maxViewText))
		}
		if name, opt, ok := strings.Cut(k, "."); ok {
			known := false
			for _, o := range s.byName[name].Info().Options {
				known = known || o.Key == opt
			}
			if !known {
				return fieldError("params."+k, x, "the analysis "+name+" has no option "+opt)
			}
			continue
		}
		if _, err := analysis.ParseDay(k, x, zone, s.dates()); err != nil {
			return err
		}
	}
	known, _ := flatten(entities[kexi.KindCustomers].emptyList())
	af := s.newAfields(r)
	for _, c := range v.Columns {
		if name, ok := strings.CutPrefix(c, "custom."); ok && name != "" || slices.Contains(known, c) || af.is(c) {
			continue // an analysis field's column is checked with the query below
		}
		return fieldError("columns", c, "unknown column; expected a customer field, custom.NAME or an analysis field")
	}
	r2 := viewRequest(r, v, url.Values{"limit": {"1"}})
	f, err := parseFilter(r2)
	if err != nil {
		return err
	}
	_, err = s.findCustomers(r2, f)
	return err
}

// viewItem is a saved view as the customer table's sidebar lists it.
type viewItem struct {
	ID             int64
	Name, Link     string
	Note           string // whose it is and whom it is shared with
	Shared         string
	Current, Owned bool
}

// viewsSide is the sidebar of the customer table: the views the user may open, the one open
// now, and the form that saves the current list.
type viewsSide struct {
	Items   []viewItem
	Current *viewItem // the view open now (the list's view parameter), when the user may open it
	CanEdit bool      // the user may change or delete Current
	Query   string    // the current list's query, as a new view would keep it
	Roles   []colView // the roles a view may be shared with
}

// viewsSidebar lists the user's views for the customer table at query q.
func (s *Server) viewsSidebar(r *http.Request, p *page, q url.Values) (*viewsSide, error) {
	u := userOf(r)
	vs, err := s.st.FindSavedViews(r.Context(), u.ID, u.Role)
	if err != nil {
		return nil, err
	}
	side := &viewsSide{}
	cur, _ := strconv.ParseInt(q.Get("view"), 10, 64)
	for _, v := range vs {
		it := viewItem{ID: v.ID, Name: v.Name, Link: fmt.Sprintf("/customers/views/%d", v.ID), Shared: v.Shared,
			Owned: v.OwnerID == u.ID, Current: v.ID == cur}
		switch {
		case v.OwnerID != u.ID:
			it.Note = p.Tf("view_by", v.Owner)
		case v.Shared != "":
			it.Note = p.Tf("view_shared", p.T(v.Shared))
		default:
			it.Note = p.T("view_private")
		}
		side.Items = append(side.Items, it)
		if it.Current {
			c := it
			side.Current, side.CanEdit = &c, v.CanEdit(u)
		}
	}
	if side.Current == nil && cur > 0 && u.Role == kexi.RoleAdmin {
		// An administrator may open anyone's view; it is not in their list.
		if v, err := s.st.FindSavedViewByID(r.Context(), cur); err == nil {
			side.Current = &viewItem{ID: v.ID, Name: v.Name, Link: fmt.Sprintf("/customers/views/%d", v.ID),
				Shared: v.Shared, Current: true, Note: p.Tf("view_by", v.Owner)}
			side.CanEdit = true
		}
	}
	if v, err := s.viewFromQuery(q); err == nil {
		side.Query = viewQuery(v).Encode()
	}
	side.Roles = append(side.Roles, colView{Key: "", Label: p.T("view_private")})
	for _, role := range []string{kexi.RoleSales, kexi.RoleAnalyst, kexi.RoleManager, kexi.RoleAdmin} {
		side.Roles = append(side.Roles, colView{Key: role, Label: p.Tf("view_shared", p.T(role)),
			Shown: side.Current != nil && side.Current.Shared == role})
	}
	return side, nil
}

// findView loads the view with the {id} of the path and checks the user may open it; a view
// they may not open is not found, like a record outside their scope.
func (s *Server) findView(r *http.Request) (*kexi.SavedView, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	v, err := s.st.FindSavedViewByID(r.Context(), id)
	if kexi.ErrorCode(err) == kexi.ENOTFOUND {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if !v.CanOpen(userOf(r)) {
		return nil, errNotFound
	}
	return v, nil
}

// editableView is findView for a change: a view the user may open but not change is
// forbidden.
func (s *Server) editableView(r *http.Request) (*kexi.SavedView, error) {
	v, err := s.findView(r)
	if err != nil {
		return nil, err
	}
	if !v.CanEdit(userOf(r)) {
		return nil, kexi.Errorf(kexi.EFORBIDDEN, "only the owner of a view or an administrator may change it")
	}
	return v, nil
}

// createView checks and stores a new view of the signed-in user.
func (s *Server) createView(r *http.Request, v *kexi.SavedView) error {
	u := userOf(r)
	v.ID, v.OwnerID, v.Owner = 0, u.ID, u.Login
	if err := s.checkView(r, v); err != nil {
		return err
	}
	if err := s.st.CreateSavedView(r.Context(), v); err != nil {
		return err
	}
	s.audit(r, "create", viewsKind, fmt.Sprintf("id=%d name=%s", v.ID, v.Name))
	return nil
}

// updateView checks and stores a changed view; its owner stays.
func (s *Server) updateView(r *http.Request, old, v *kexi.SavedView) error {
	v.ID, v.OwnerID, v.Owner = old.ID, old.OwnerID, old.Owner
	if err := s.checkView(r, v); err != nil {
		return err
	}
	if err := s.st.UpdateSavedView(r.Context(), v); err != nil {
		return err
	}
	s.audit(r, "update", viewsKind, fmt.Sprintf("id=%d name=%s", v.ID, v.Name))
	return nil
}

func (s *Server) deleteView(r *http.Request, v *kexi.SavedView) error {
	if err := s.st.DeleteSavedView(r.Context(), v.ID); err != nil {
		return err
	}
	s.audit(r, "delete", viewsKind, fmt.Sprintf("id=%d name=%s", v.ID, v.Name))
	return nil
}

// viewLink is the customer table showing view v, marked as open.
func viewLink(v *kexi.SavedView) string {
	q := viewQuery(v)
	q.Set("view", strconv.FormatInt(v.ID, 10))
	return "/customers?" + q.Encode()
}

// Pages.

// handleViewOpen opens a saved view: the customer table with its query, run now.
func (s *Server) handleViewOpen(w http.ResponseWriter, r *http.Request) error {
	v, err := s.findView(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, viewLink(v), http.StatusSeeOther)
	return nil
}

// viewForm reads the sidebar's form: a name, a share role and the list's query.
func (s *Server) viewForm(r *http.Request) (*kexi.SavedView, url.Values, error) {
	q, err := url.ParseQuery(r.FormValue("query"))
	if err != nil {
		return nil, nil, fieldError("query", "", "not a list query")
	}
	v, err := s.viewFromQuery(q)
	if err != nil {
		return nil, q, err
	}
	v.Name, v.Shared = strings.TrimSpace(r.FormValue("name")), r.FormValue("shared")
	return v, q, nil
}

// viewFormFailed shows the customer table at the form's query with what was wrong.
func (s *Server) viewFormFailed(w http.ResponseWriter, r *http.Request, q url.Values, err error) error {
	if code := kexi.ErrorCode(err); code == kexi.EINTERNAL || code == kexi.ENOTFOUND {
		return err
	}
	r2 := r.Clone(r.Context())
	r2.Method = http.MethodGet
	r2.URL.Path, r2.URL.RawQuery = "/customers", q.Encode()
	p := s.newPage(w, r2, kexi.KindCustomers, "customers")
	p.Error, p.Problems = errText(p.Lang, err), problemsOf(err)
	// The two mistakes the form itself lets through, said in the reader's language.
	switch msg := kexi.ErrorMessage(err); {
	case kexi.ErrorCode(err) == kexi.ECONFLICT:
		p.Error, p.Problems = p.Tf("view_name_taken", strings.TrimSpace(r.FormValue("name"))), nil
	case strings.HasPrefix(msg, "too many saved views"):
		p.Error, p.Problems = p.Tf("view_too_many", kexi.MaxViewsOwned), nil
	}
	return s.listPageWith(w, r2, p, statusOf(kexi.ErrorCode(err)), entities[kexi.KindCustomers], "/customers")
}

func (s *Server) handleViewCreate(w http.ResponseWriter, r *http.Request) error {
	v, q, err := s.viewForm(r)
	if err == nil {
		err = s.createView(r, v)
	}
	if err != nil {
		return s.viewFormFailed(w, r, q, err)
	}
	http.Redirect(w, r, viewLink(v), http.StatusSeeOther)
	return nil
}

// handleViewUpdate renames or reshares a view, and with replace=1 makes it keep the list's
// current query.
func (s *Server) handleViewUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := s.editableView(r)
	if err != nil {
		return err
	}
	v, q, err := s.viewForm(r)
	if err == nil {
		if r.FormValue("replace") == "" {
			nv := *old
			nv.Name, nv.Shared = v.Name, v.Shared
			v = &nv
		}
		err = s.updateView(r, old, v)
	}
	if err != nil {
		return s.viewFormFailed(w, r, q, err)
	}
	http.Redirect(w, r, viewLink(v), http.StatusSeeOther)
	return nil
}

func (s *Server) handleViewDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := s.editableView(r)
	if err != nil {
		return err
	}
	if err := s.deleteView(r, v); err != nil {
		return err
	}
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
	return nil
}

// API.

// viewsPage is the API's list of views.
type viewsPage struct {
	Items []*kexi.SavedView `json:"items"`
	Total int               `json:"total"`
}

// apiViews lists the views the user may open: their own and those shared with their role;
// an administrator with all=true gets every view.
func (s *Server) apiViews(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	owner, role := u.ID, u.Role
	switch r.URL.Query().Get("all") {
	case "", "false", "0":
	case "true", "1":
		if u.Role != kexi.RoleAdmin {
			return kexi.Errorf(kexi.EFORBIDDEN, "only an administrator may list every view")
		}
		owner, role = 0, ""
	default:
		return fieldError("all", r.URL.Query().Get("all"), "expected true or false")
	}
	vs, err := s.st.FindSavedViews(r.Context(), owner, role)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []*kexi.SavedView{}
	}
	writeJSON(w, http.StatusOK, viewsPage{Items: vs, Total: len(vs)})
	return nil
}

// readView reads a view from a JSON body; its id, owner and times are not the caller's to set.
func readView(r *http.Request) (*kexi.SavedView, error) {
	v := new(kexi.SavedView)
	if err := decodeJSON(r, v); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) apiViewCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := readView(r)
	if err != nil {
		return err
	}
	if err := s.createView(r, v); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) apiViewGet(w http.ResponseWriter, r *http.Request) error {
	v, err := s.findView(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiViewUpdate(w http.ResponseWriter, r *http.Request) error {
	old, err := s.editableView(r)
	if err != nil {
		return err
	}
	v, err := readView(r)
	if err != nil {
		return err
	}
	if err := s.updateView(r, old, v); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiViewDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := s.editableView(r)
	if err != nil {
		return err
	}
	if err := s.deleteView(r, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pagingParams are the parameters of a request for a view's list that page or format it.
var pagingParams = []string{"offset", "limit", "format"}

// viewListRequest is r for view v's customers, keeping r's paging and format.
func (s *Server) viewListRequest(r *http.Request) (*http.Request, error) {
	v, err := s.findView(r)
	if err != nil {
		return nil, err
	}
	extra := url.Values{}
	for _, k := range pagingParams {
		if x := r.URL.Query().Get(k); x != "" {
			extra.Set(k, x)
		}
	}
	return viewRequest(r, v, extra), nil
}

// apiViewCustomers lists a view's customers now, in the caller's scope.
func (s *Server) apiViewCustomers(w http.ResponseWriter, r *http.Request) error {
	r2, err := s.viewListRequest(r)
	if err != nil {
		return err
	}
	return s.apiList(entities[kexi.KindCustomers])(w, r2)
}

// apiViewExport exports a view's customers now, in the caller's scope.
func (s *Server) apiViewExport(w http.ResponseWriter, r *http.Request) error {
	r2, err := s.viewListRequest(r)
	if err != nil {
		return err
	}
	return s.exportEntity(w, r2, entities[kexi.KindCustomers])
}

// viewRoutes are the routes of saved views, for the route list.
func (s *Server) viewRoutes() []route {
	return []route{
		{Method: "GET", Path: "/customers/views/{id}", Access: signedIn, h: s.handleViewOpen},
		{Method: "POST", Path: "/customers/views", Access: signedIn, Body: "form", h: s.handleViewCreate},
		{Method: "POST", Path: "/customers/views/{id}", Access: signedIn, Body: "form", h: s.handleViewUpdate},
		{Method: "POST", Path: "/customers/views/{id}/delete", Access: signedIn, Body: "form", h: s.handleViewDelete},

		{Method: "GET", Path: "/api/v1/views", Access: signedIn, API: true, Tag: viewsKind, Kind: viewsKind, Query: []string{"all"},
			Summary: "list the saved views of the customer table you may open: yours and those shared with your role (all=true: every view, administrators)",
			h:       s.apiViews},
		{Method: "POST", Path: "/api/v1/views", Access: signedIn, API: true, Tag: viewsKind, Kind: viewsKind, Body: "json",
			Summary: "save a view: name, shared (a role, or empty for private), where (conditions as in f, analysis fields too), q, sort, columns, params (as_of, from, to, NAME.OPTION)",
			h:       s.apiViewCreate},
		{Method: "GET", Path: "/api/v1/views/{id}", Access: signedIn, API: true, Tag: viewsKind, Kind: viewsKind,
			Summary: "get one saved view", h: s.apiViewGet},
		{Method: "PUT", Path: "/api/v1/views/{id}", Access: signedIn, API: true, Tag: viewsKind, Kind: viewsKind, Body: "json",
			Summary: "replace a saved view (its owner or an administrator)", h: s.apiViewUpdate},
		{Method: "DELETE", Path: "/api/v1/views/{id}", Access: signedIn, API: true, Tag: viewsKind, Kind: viewsKind,
			Summary: "delete a saved view (its owner or an administrator)", h: s.apiViewDelete},
		{Method: "GET", Path: "/api/v1/views/{id}/customers", Access: signedIn, API: true, Tag: viewsKind, Kind: kexi.KindCustomers,
			Query:   []string{"offset", "limit"},
			Summary: "the view's customers, evaluated now in your scope (a view shared with sales shows each only their own customers)",
			h:       s.apiViewCustomers},
		{Method: "GET", Path: "/api/v1/views/{id}/export", Access: signedIn, API: true, Tag: viewsKind, Kind: kexi.KindCustomers,
			Query:   []string{"format"},
			Summary: "export the view's customers as CSV or XLSX, evaluated now in your scope", h: s.apiViewExport},
	}
}
