package render

import (
	"slices"
	"strconv"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Labelled returns r with the data values of its text columns shown by their value labels ls
// (a channel column's douyin as 抖音), as the pages and their exports show them; r itself when
// nothing is labelled. r is not changed.
func Labelled(r *analysis.Result, ls kexi.ValueLabels) *analysis.Result {
	if len(ls) == 0 {
		return r
	}
	cp := *r
	cp.Tables = slices.Clone(r.Tables)
	for i, t := range cp.Tables {
		var cols []int
		for j, c := range t.Columns {
			if c.Type == "string" && ls.Has(c.Key) {
				cols = append(cols, j)
			}
		}
		if len(cols) == 0 {
			continue
		}
		rows := make([][]any, len(t.Rows))
		for k, row := range t.Rows {
			rows[k] = slices.Clone(row)
			for _, j := range cols {
				if j >= len(row) {
					break
				}
				if x, ok := row[j].(string); ok {
					rows[k][j], _ = ls.Label(t.Columns[j].Key, x)
				}
			}
		}
		cp.Tables[i].Rows = rows
	}
	return &cp
}

// ExternalIDs replaces, in place, the internal customer ids in the first column of r's
// per-customer tables with the ids of the user's own system (external ids) in d, which is what
// a person looks for; customers without one keep the internal id, as text.
func ExternalIDs(r *analysis.Result, d *kexi.Dataset) {
	for ti := range r.Tables {
		t := &r.Tables[ti]
		if !t.PerCustomer {
			continue
		}
		if len(t.Columns) > 0 {
			t.Columns[0].Type = "string"
		}
		for _, row := range t.Rows {
			if len(row) == 0 {
				continue
			}
			if id, ok := row[0].(int64); ok {
				if e, _ := d.Keys.Of(id); e != "" {
					row[0] = e
				} else {
					row[0] = strconv.FormatInt(id, 10)
				}
			}
		}
	}
}
