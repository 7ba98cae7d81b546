package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"

	"github.com/kexi/kexi/analysis"
)

// JSONList writes results, each already in compact JSON (JSON), as one indented JSON value: the
// result itself when there is one, else an array of them. The bytes are those of a
// json.Encoder with SetIndent("", "  ") on the whole; each result is indented on its own, so
// that the indented text of all of them is never held at once. It lets go of each as written.
func JSONList(w io.Writer, compact [][]byte) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf bytes.Buffer
	one := len(compact) == 1
	if !one {
		bw.WriteString("[\n")
	}
	for i, b := range compact {
		buf.Reset()
		var err error
		if one {
			err = json.Indent(&buf, b, "", "  ")
		} else {
			bw.WriteString("  ")
			err = json.Indent(&buf, b, "  ", "  ")
		}
		if err != nil {
			return err
		}
		bw.Write(buf.Bytes())
		compact[i] = nil
		if !one && i < len(compact)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	if !one {
		bw.WriteString("]\n")
	}
	return bw.Flush()
}

// JSON returns r in compact JSON, as a json.Encoder writes it (HTML characters escaped), with
// non-finite numbers (which JSON cannot carry) as null (see Finite).
func JSON(r *analysis.Result) ([]byte, error) {
	v := Finite(r)
	if b, ok := v.(json.RawMessage); ok {
		return b, nil // json.Marshal's own: compact already
	}
	return json.Marshal(v)
}

// Finite returns r's JSON when it has no non-finite number, else a copy of r with them made
// null in tables, zero in series and n/a figures.
func Finite(r *analysis.Result) any {
	b, err := json.Marshal(r)
	if err == nil {
		return json.RawMessage(b)
	}
	c := *r
	c.Summary = append([]analysis.Figure(nil), r.Summary...)
	for i := range c.Summary {
		if v := c.Summary[i].Value; math.IsNaN(v) || math.IsInf(v, 0) {
			c.Summary[i].Value = 0
			c.Summary[i].Text = "n/a"
		}
	}
	c.Tables = make([]analysis.Table, len(r.Tables))
	for i, t := range r.Tables {
		nt := t
		nt.Rows = make([][]any, len(t.Rows))
		for j, row := range t.Rows {
			nr := make([]any, len(row))
			for k, v := range row {
				if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
					v = nil
				}
				nr[k] = v
			}
			nt.Rows[j] = nr
		}
		c.Tables[i] = nt
	}
	c.Series = nil
	for _, s := range r.Series {
		ns := s
		ns.Y = nil
		for _, y := range s.Y {
			d := make([]float64, len(y.Data))
			for i, v := range y.Data {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					d[i] = v
				}
			}
			ns.Y = append(ns.Y, analysis.Values{Key: y.Key, Data: d, Unit: y.Unit})
		}
		c.Series = append(c.Series, ns)
	}
	return &c
}
