package kexihttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strings"
	"time"

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
	case eBusy:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Codes the HTTP layer adds for its own conditions.
const (
	eNotImplemented = "not_implemented"
	eTooLarge       = "too_large"
	eBusy           = "busy" // no capacity now; try again shortly
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

// writeJSON writes v as JSON with the status. Numbers JSON cannot hold (NaN, ±Inf: an
// undefined ratio in an analysis) are written as null.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		slog.Error("encode json", "err", err)
		http.Error(w, `{"code":"internal","message":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// encodeJSON encodes v without HTML escaping, writing NaN and ±Inf as null.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		if err := enc.Encode(jsonSafe(reflect.ValueOf(v))); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// jsonSafe copies v into maps, slices and plain values that encoding/json writes the same way,
// with NaN and infinite floats as nil.
func jsonSafe(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return jsonSafe(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonSafe(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = jsonSafe(it.Value())
		}
		return out
	case reflect.Struct:
		if _, ok := v.Interface().(json.Marshaler); ok {
			return v.Interface()
		}
		if v.Type() == reflect.TypeFor[time.Time]() {
			return v.Interface()
		}
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			tag := strings.Split(sf.Tag.Get("json"), ",")
			name := tag[0]
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			fv := v.Field(i)
			if len(tag) > 1 && (tag[1] == "omitempty" || tag[1] == "omitzero") && fv.IsZero() {
				continue
			}
			if sf.Anonymous && fv.Kind() == reflect.Pointer {
				if m, ok := jsonSafe(fv).(map[string]any); ok {
					for k, x := range m {
						out[k] = x
					}
				}
				continue
			}
			out[name] = jsonSafe(fv)
		}
		return out
	}
	return v.Interface()
}
