package kexi

import (
	"errors"
	"fmt"
)

// Error codes. One place (the HTTP layer) maps them to statuses; the CLI maps them to exit codes.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
)

// FieldProblem is what is wrong with one field of one input record. Row is the 1-based data row
// of a file (0 when not from a file); Value is the offending text.
type FieldProblem struct {
	File   string `json:"file,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

func (p FieldProblem) String() string {
	s := ""
	if p.File != "" {
		s += p.File + ": "
	}
	if p.Row > 0 {
		s += fmt.Sprintf("row %d: ", p.Row)
	}
	if p.Column != "" {
		s += fmt.Sprintf("column %q: ", p.Column)
	}
	if p.Value != "" {
		s += fmt.Sprintf("value %q: ", p.Value)
	}
	return s + p.Reason
}

// Error is kexi's domain error: a code, a message a person can act on, and per-field problems.
type Error struct {
	Code     string         `json:"code"`
	Message  string         `json:"message"`
	Problems []FieldProblem `json:"problems,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 && e.Message == "" {
		return e.Problems[0].String()
	}
	if len(e.Problems) > 0 {
		return fmt.Sprintf("%s: %s", e.Message, e.Problems[0].String())
	}
	return e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or "internal error".
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
