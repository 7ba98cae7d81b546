package analysis

import "github.com/kexi/kexi"

// Refusal is an analysis declining data it cannot use (too few customers for a model, no
// churned customer to learn from): an invalid-input error whose reason is a Note, so that a
// page shows it in its own language. It unwraps to a kexi.Error (EINVALID) with the English
// text, which is what the CLI and the API report.
type Refusal struct {
	Note Note
}

// Refuse returns a Refusal for the note.
func Refuse(n Note) error { return &Refusal{Note: n} }

func (r *Refusal) Error() string { return r.Note.String() }

// Unwrap gives the kexi.Error the layers map to a status or an exit code.
func (r *Refusal) Unwrap() error {
	return &kexi.Error{Code: kexi.EINVALID, Message: r.Note.String()}
}
