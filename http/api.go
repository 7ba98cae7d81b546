package kexihttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
)

// maxBody bounds JSON request bodies.
const maxBody = 8 << 20

// listPage is the JSON of an entity list.
type listPage struct {
	Items  any `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// parseFilter reads a Filter from query parameters: q (free text), sort ("name", "-amount"),
// offset, limit and any number of f=FIELD:OP:VALUE conditions ("f=province:eq:广东",
// "f=custom.plan:in:gold,silver"). The scope is the signed-in user's.
func parseFilter(r *http.Request) (kexi.Filter, error) {
	q := r.URL.Query()
	f := kexi.Filter{Query: strings.TrimSpace(q.Get("q")), Sort: strings.TrimSpace(q.Get("sort")), Scope: scopeOf(r)}
	var err error
	if f.Offset, err = intParam(q, "offset", 0); err != nil {
		return f, err
	}
	if f.Offset < 0 {
		return f, fieldError("offset", q.Get("offset"), "expected 0 or more")
	}
	if f.Limit, err = intParam(q, "limit", kexi.DefaultLimit); err != nil {
		return f, err
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		return f, fieldError("limit", q.Get("limit"), "expected 1 to 10000")
	}
	for _, c := range q["f"] {
		if strings.TrimSpace(c) == "" {
			continue
		}
		cond, err := parseCond(c)
		if err != nil {
			return f, err
		}
		f.Where = append(f.Where, cond)
	}
	return f, nil
}

// ops are the filter operators, in the order the UI offers them.
var ops = []kexi.Op{kexi.Eq, kexi.Ne, kexi.Contains, kexi.Lt, kexi.Le, kexi.Gt, kexi.Ge, kexi.In}

// parseCond reads one FIELD:OP:VALUE condition.
func parseCond(s string) (kexi.Cond, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || strings.TrimSpace(parts[0]) == "" {
		return kexi.Cond{}, fieldError("f", s, "expected FIELD:OP:VALUE, e.g. province:eq:广东")
	}
	op := kexi.Op(parts[1])
	for _, o := range ops {
		if o == op {
			return kexi.Cond{Field: strings.TrimSpace(parts[0]), Op: op, Value: parts[2]}, nil
		}
	}
	return kexi.Cond{}, fieldError("f", s, "unknown operator "+parts[1]+"; expected eq, ne, lt, le, gt, ge, contains or in")
}

// intParam reads an integer query parameter with a default.
func intParam(q url.Values, key string, def int) (int, error) {
	v := strings.TrimSpace(q.Get(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fieldError(key, v, "expected a whole number")
	}
	return n, nil
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// decodeJSON reads a JSON body into v, rejecting unknown fields and trailing data.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBody {
		return kexi.Errorf(eTooLarge, "request body larger than %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return fieldError(te.Field, te.Value, "expected a "+te.Type.String())
		case errors.As(err, &se):
			return kexi.Errorf(kexi.EINVALID, "body is not valid JSON at byte %d: %v", se.Offset, err)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return fieldError(f, "", "unknown field")
		}
		return kexi.Errorf(kexi.EINVALID, "body is not valid JSON: %v", err)
	}
	if dec.More() {
		return kexi.Errorf(kexi.EINVALID, "body has data after the JSON value")
	}
	return nil
}

func (s *Server) apiList(e entity) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := parseFilter(r)
		if err != nil {
			return err
		}
		f = s.withLabels(r, f)
		if e.kind() == kexi.KindCustomers {
			cl, err := s.findCustomers(r, f)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, listPage{Items: cl.rows(), Total: cl.total, Offset: f.Offset, Limit: f.Limit})
			return nil
		}
		items, total, err := e.list(r.Context(), s.st, f)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, listPage{Items: items, Total: total, Offset: f.Offset, Limit: f.Limit})
		return nil
	}
}

// getVisible loads one record and checks the user may see it: anything else is not found.
func (s *Server) getVisible(r *http.Request, e entity) (any, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, 0, err
	}
	v, err := e.get(r.Context(), s.st, id)
	if err != nil {
		return nil, id, err
	}
	ok, err := e.visible(r.Context(), s.st, scopeOf(r), v)
	if err != nil {
		return nil, id, err
	}
	if !ok {
		return nil, id, errNotFound
	}
	return v, id, nil
}

func (s *Server) apiGet(e entity) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, _, err := s.getVisible(r, e)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

func (s *Server) apiCreate(e entity) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := userOf(r)
		if !can(u, "write", e.kind()) {
			return errForbidden
		}
		v := e.newRecord()
		if err := decodeJSON(r, v); err != nil {
			return err
		}
		e.setID(v, 0)
		if ps := s.dates().Problems(v); len(ps) > 0 {
			return &kexi.Error{Code: kexi.EINVALID, Message: "date out of range", Problems: ps}
		}
		if err := e.prepare(r.Context(), s.st, u, v); err != nil {
			return err
		}
		if err := e.create(r.Context(), s.st, v); err != nil {
			return hideConflict(u, err)
		}
		s.audit(r, "create", e.kind(), recordRef(v))
		writeJSON(w, http.StatusCreated, v)
		return nil
	}
}

// hideConflict keeps a user who sees only part of the data (sales, a regional manager) from
// learning that a record they cannot see has an external id: a conflict becomes the same
// invalid-field answer whoever holds the id, themselves included, and names no record.
func hideConflict(u *kexi.User, err error) error {
	if kexi.ErrorCode(err) != kexi.ECONFLICT || !u.Scope().Restricted() {
		return err
	}
	return &kexi.Error{Code: kexi.EINVALID, Message: "invalid external_id",
		Problems: []kexi.FieldProblem{{Column: "external_id",
			Reason: "this external id cannot be used; choose another or leave it empty"}}}
}

func (s *Server) apiUpdate(e entity, patch bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := userOf(r)
		if !can(u, "write", e.kind()) {
			return errForbidden
		}
		old, id, err := s.getVisible(r, e)
		if err != nil {
			return err
		}
		v := old
		if !patch {
			v = e.newRecord()
		}
		if err := decodeJSON(r, v); err != nil {
			return err
		}
		e.setID(v, id)
		if ps := s.dates().Problems(v); len(ps) > 0 {
			return &kexi.Error{Code: kexi.EINVALID, Message: "date out of range", Problems: ps}
		}
		if err := e.prepare(r.Context(), s.st, u, v); err != nil {
			return err
		}
		if err := e.update(r.Context(), s.st, v); err != nil {
			return hideConflict(u, err)
		}
		s.audit(r, "update", e.kind(), recordRef(v))
		fresh, err := e.get(r.Context(), s.st, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, fresh)
		return nil
	}
}

func (s *Server) apiDelete(e entity) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !can(userOf(r), "write", e.kind()) {
			return errForbidden
		}
		v, id, err := s.getVisible(r, e)
		if err != nil {
			return err
		}
		if err := e.del(r.Context(), s.st, id); err != nil {
			return err
		}
		s.audit(r, "delete", e.kind(), recordRef(v))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) apiExport(e entity) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.exportEntity(w, r, e)
	}
}

// recordRef names a record for the audit log: "id=12 external_id=C001".
func recordRef(v any) string {
	b, _ := json.Marshal(v)
	var m struct {
		ID         int64  `json:"id"`
		ExternalID string `json:"external_id"`
	}
	json.Unmarshal(b, &m)
	return fmt.Sprintf("id=%d external_id=%s", m.ID, m.ExternalID)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	u := userOf(r)
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "lang": langOf(r), "csrf": authOf(r).session.CSRF})
	return nil
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	if st.Labels == nil {
		st.Labels = kexi.ValueLabels{}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiSettingsSave(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context()) // what the body leaves out stays
	if err != nil {
		return err
	}
	if err := decodeJSON(r, &st); err != nil {
		return err
	}
	if err := s.saveSettings(r, st); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	n, err := intParam(r.URL.Query(), "limit", 100)
	if err != nil {
		return err
	}
	es, err := s.st.FindAudit(r.Context(), n)
	if err != nil {
		return err
	}
	if es == nil {
		es = []kexi.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": es})
	return nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.st.FindUsers(r.Context())
	if err != nil {
		return err
	}
	if us == nil {
		us = []*kexi.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": us})
	return nil
}

// newUser is the body that creates a user.
type newUser struct {
	Login    string `json:"login"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Region   string `json:"region"`
	Lang     string `json:"lang"`
	Password string `json:"password"`
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) error {
	var nu newUser
	if err := decodeJSON(r, &nu); err != nil {
		return err
	}
	u, err := s.addUser(r, nu)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUserDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.deleteUser(r, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
		Days int    `json:"days"` // lifetime; 0 means 365
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &body); err != nil {
			return err
		}
	}
	tok, err := s.createToken(r, id, body.Name, body.Days)
	if err != nil {
		return err
	}
	sess, err := s.st.FindSession(r.Context(), hashToken(tok))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "id": sess.ID(), "expires_at": sess.ExpiresAt})
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.st.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	ts, err := s.tokens(r, id, []*kexi.User{u})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
	return nil
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.revokeToken(r, id, r.PathValue("token")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
