package sheet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
	"go.yaml.in/yaml/v3"
)

// Mapping tells Read what headers mean when the synonym table does not know them. In JSON or
// YAML:
//
//	{"kind": "orders",
//	 "columns": {"My Col": "amount", "Region": "customer.province", "Notes": "-"},
//	 "custom_fields": {"Plan": "plan", "Renewal": "renewal:date"}}
//
// Columns maps a header to a field's JSON name (as in the API: "amount", "items.sku",
// "won_date"), to "customer.FIELD" for a field of the customer an order, survey or response
// names, to "custom.NAME", or to "-" to skip the column. CustomFields maps a header to a custom
// field name, optionally with its type after a colon (text, number, date, choice); without one
// the type is inferred from the values.
type Mapping struct {
	Kind         string            `json:"kind,omitempty" yaml:"kind,omitempty"`
	Columns      map[string]string `json:"columns,omitempty" yaml:"columns,omitempty"`
	CustomFields map[string]string `json:"custom_fields,omitempty" yaml:"custom_fields,omitempty"`
}

// ParseMapping reads a mapping file in JSON or YAML (JSON is YAML, but JSON errors read
// better, so text starting with "{" is read as JSON). It returns an EINVALID error naming the
// file and what is wrong.
func ParseMapping(data []byte, name string) (*Mapping, error) {
	m := &Mapping{}
	var err error
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(m)
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err = dec.Decode(m)
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "invalid mapping file",
			Problems: []kexi.FieldProblem{{File: name, Reason: "expected {\"kind\": …, \"columns\": {\"header\": \"field\"}, \"custom_fields\": {\"header\": \"name\"}}: " + err.Error()}}}
	}
	if m.Kind != "" && kinds[strings.ToLower(m.Kind)] == nil {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "invalid mapping file",
			Problems: []kexi.FieldProblem{{File: name, Column: "kind", Value: m.Kind, Reason: "expected one of " + strings.Join(kindNames(), ", ")}}}
	}
	var probs []kexi.FieldProblem
	for col, to := range m.Columns {
		to = strings.TrimSpace(to)
		if to == "" || to == "-" || strings.HasPrefix(to, "custom.") {
			continue
		}
		ok := false
		for _, k := range kinds {
			if m.Kind != "" && k.name != strings.ToLower(m.Kind) {
				continue
			}
			if fieldByName(k, to) != nil {
				ok = true
			}
		}
		if !ok {
			probs = append(probs, kexi.FieldProblem{File: name, Column: col, Value: to, Reason: "no such field" + kindHint(m.Kind)})
		}
	}
	for col, to := range m.CustomFields {
		if _, t, ok := strings.Cut(to, ":"); ok {
			switch kexi.FieldType(strings.TrimSpace(t)) {
			case kexi.FieldText, kexi.FieldNumber, kexi.FieldDate, kexi.FieldChoice:
			default:
				probs = append(probs, kexi.FieldProblem{File: name, Column: col, Value: to, Reason: "expected a type of text, number, date or choice after the colon"})
			}
		}
	}
	if len(probs) > 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "invalid mapping file", Problems: probs}
	}
	return m, nil
}

func kindHint(kind string) string {
	if kind == "" {
		return ""
	}
	k := kinds[strings.ToLower(kind)]
	var names []string
	for _, f := range k.fields {
		names = append(names, f.name)
	}
	return fmt.Sprintf(" of %s: expected one of %s", k.name, strings.Join(names, ", "))
}

// WriteRejects writes rejected rows as CSV: file, row, column, value, reason, then the row's
// original cells. For each file a line with row 0 and reason "header" carries the file's
// header, so the cells can be read. Cells a spreadsheet would run as formulas are escaped (see
// EscapeFormula).
func WriteRejects(w io.Writer, results ...*Result) error { return WriteRejectsIn(w, "", results...) }

// WriteRejectsIn is WriteRejects with the headings and reasons in lang ("zh" or "en", see
// Reject.ReasonIn); any other lang writes them as WriteRejects does.
func WriteRejectsIn(w io.Writer, lang string, results ...*Result) error {
	cw := &escapingWriter{cw: csv.NewWriter(w)}
	head, hdr := []string{"file", "row", "column", "value", "reason", "cells…"}, "header"
	if lang == "zh" {
		head, hdr = []string{"文件", "行号", "列", "值", "原因", "原始内容…"}, "表头"
	}
	cw.Write(head)
	for _, res := range results {
		if res == nil || len(res.Rejects) == 0 {
			continue
		}
		cw.Write(append([]string{res.File, "0", "", "", hdr}, res.Header...))
		for _, rj := range res.Rejects {
			cw.Write(append([]string{rj.File, strconv.Itoa(rj.Row), rj.Column, rj.Value, rj.ReasonIn(lang)}, rj.Cells...))
		}
	}
	cw.cw.Flush()
	return cw.cw.Error()
}

// escapingWriter writes CSV records with EscapeFormula applied to each cell.
type escapingWriter struct {
	cw  *csv.Writer
	rec []string
}

func (e *escapingWriter) Write(rec []string) error {
	e.rec = e.rec[:0]
	for _, s := range rec {
		e.rec = append(e.rec, EscapeFormula(s))
	}
	return e.cw.Write(e.rec)
}
