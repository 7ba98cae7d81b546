package kexihttp

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/kexi/kexi"
)

// statusOf is the one place that maps kexi error codes to HTTP statuses.
func statusOf(code string) int {
	switch code {
	case kexi.EINVALID:
		return http.StatusBadRequest
	case kexi.ENOTFOUND:
		return http.StatusNotFound
	case kexi.ECONFLICT:
		return http.StatusConflict
	case kexi.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case kexi.EFORBIDDEN:
		return http.StatusForbidden
	case eNotImplemented:
		return http.StatusNotImplemented
	case eTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// Codes the HTTP layer adds for its own conditions.
const (
	eNotImplemented = "not_implemented"
	eTooLarge       = "too_large"
)

// errNotFound is what a user gets for a record that does not exist or that they may not see:
// the two are deliberately indistinguishable.
var errNotFound = kexi.Errorf(kexi.ENOTFOUND, "not found")

var errForbidden = kexi.Errorf(kexi.EFORBIDDEN, "forbidden")

var errUnauthorized = kexi.Errorf(kexi.EUNAUTHORIZED, "unauthorized")

// apiError is the JSON body of every API error.
type apiError struct {
	Code     string              `json:"code"`
	Message  string              `json:"message"`
	Problems []kexi.FieldProblem `json:"problems,omitempty"`
}

// logInternal logs an internal error with the request it came from.
func (s *Server) logInternal(r *http.Request, err error) {
	s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
}

// writeAPIError writes err as JSON with the status its code maps to. Internal errors are
// logged and shown as "internal error".
func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	code := kexi.ErrorCode(err)
	body := apiError{Code: code, Message: errText(langOf(r), err)}
	if code == kexi.EINTERNAL {
		s.logInternal(r, err)
	} else {
		var e *kexi.Error
		if errors.As(err, &e) {
			body.Problems = e.Problems
		}
	}
	writeJSON(w, statusOf(code), body)
}

// writeJSON writes v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write json", "err", err)
	}
}
