package analysis

import (
	"encoding/json"
	"strings"
)

// Note is an explanatory note of a result ("no purchases in the period") in both languages.
// Key names it for code and tests ("no_purchases"); Msg holds the text, whose {NAME}
// placeholders take the Args. A page or the CLI shows it with In in its own language; JSON
// carries the English text as a plain string, as Result.Notes always did.
type Note struct {
	Key  string
	Msg  Text
	Args []Arg
}

// Arg is what a note's {Name} placeholder takes: Value as it is (a number, a date, a data
// value such as a campaign's name); or Keys, each a key into the analysis's labels (a stage,
// a feature) that In translates, joined by a comma, or by "and" when And is set; or Msg, a
// part of the note in both languages whose own placeholders take the other arguments.
type Arg struct {
	Name  string
	Value string
	Keys  []string
	And   bool
	Msg   *Text
}

// NewNote returns a note with its text in English and Chinese. TestNotesTranslated checks
// every call: both texts are literals, the Chinese one is Chinese and names the placeholders
// of the English one.
func NewNote(key, en, zh string, args ...Arg) Note {
	return Note{Key: key, Msg: Text{En: en, Zh: zh}, Args: args}
}

// V is an Arg that shows value as it is.
func V(name, value string) Arg { return Arg{Name: name, Value: value} }

// Keys is an Arg that shows each key translated, joined by commas.
func Keys(name string, keys ...string) Arg { return Arg{Name: name, Keys: keys} }

// T is an Arg that is a part of the note in both languages (one of several a note may say).
func T(name, en, zh string) Arg { return Arg{Name: name, Msg: &Text{En: en, Zh: zh}} }

// In returns the note in lang ("zh…" → Chinese, else English) with each key argument
// translated by label (nil leaves keys as they are).
func (n Note) In(lang string, label func(string) string) string {
	zh := strings.HasPrefix(lang, "zh") && n.Msg.Zh != ""
	vals := make(map[string]string, len(n.Args))
	for _, a := range n.Args {
		if a.Msg != nil {
			continue
		}
		if a.Keys == nil {
			vals[a.Name] = a.Value
			continue
		}
		parts := make([]string, len(a.Keys))
		for i, k := range a.Keys {
			parts[i] = k
			if label != nil {
				parts[i] = label(k)
			}
		}
		vals[a.Name] = joinList(parts, zh, a.And)
	}
	in := func(t Text) string {
		if zh && t.Zh != "" {
			return t.Zh
		}
		return t.En
	}
	parts := make(map[string]string, len(vals))
	for _, a := range n.Args {
		if a.Msg != nil {
			parts[a.Name] = fill(in(*a.Msg), vals)
		}
	}
	for k, v := range parts {
		vals[k] = v
	}
	return fill(in(n.Msg), vals)
}

// fill puts the values into the {NAME} placeholders of msg in one pass: a value that holds
// braces (a campaign called "{x}") is not filled in again. A placeholder without a value is
// left as it is.
func fill(msg string, vals map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			break
		}
		v, ok := vals[msg[i+1:i+j]]
		if !ok {
			v = msg[i : i+j+1]
		}
		b.WriteString(msg[:i])
		b.WriteString(v)
		msg = msg[i+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// joinList joins parts the language's way: "a, b" or "a and b" (a, b and c); 甲、乙 or 甲和乙.
func joinList(parts []string, zh, and bool) string {
	sep, last := ", ", ", "
	if zh {
		sep, last = "、", "、"
		if and {
			last = "和"
		}
	} else if and {
		last = " and "
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], sep) + last + parts[len(parts)-1]
}

// String returns the note in English.
func (n Note) String() string { return n.In("en", nil) }

// MarshalJSON writes the note as its English text.
func (n Note) MarshalJSON() ([]byte, error) { return json.Marshal(n.String()) }

// UnmarshalJSON reads a note written by MarshalJSON: its English text, without a key.
func (n *Note) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*n = Note{Msg: Text{En: s}}
	return nil
}

// NoteTexts returns the notes in lang, each key argument translated by label.
func NoteTexts(ns []Note, lang string, label func(string) string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.In(lang, label)
	}
	return out
}
