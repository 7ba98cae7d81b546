package analysis

// Headline is a number of an analysis that a dashboard shows among its own figures: the
// Summary figure Figure, or, when Figure is empty, how many rows of the analysis's
// per-customer table have Drill.Value in column Drill.Column (the lifecycle's customers at the
// at-risk stage). Drill, when its Column is set, also names the customers behind the number,
// for a link. Key is the dashboard's name for it ("at_risk", "clv"). Forecast marks a
// prediction rather than a figure of the period, which a dashboard does not work out for the
// period before.
type Headline struct {
	Key      string `json:"key"`
	Figure   string `json:"figure,omitempty"`
	Drill    Drill  `json:"drill,omitzero"`
	Forecast bool   `json:"forecast,omitempty"`
}

// Value returns the headline's number in r: the figure, or the count of the rows of the first
// per-customer table that has the column Drill.Column. It returns false when r has neither.
func (h Headline) Value(r *Result) (float64, bool) {
	if h.Figure != "" {
		f, ok := r.Figure(h.Figure)
		return f.Value, ok
	}
	for _, t := range r.Tables {
		if !t.PerCustomer {
			continue
		}
		col := -1
		for i, c := range t.Columns {
			if c.Key == h.Drill.Column {
				col = i
			}
		}
		if col < 0 {
			continue
		}
		n := 0
		for _, row := range t.Rows {
			if s, _ := row[col].(string); s == h.Drill.Value {
				n++
			}
		}
		return float64(n), true
	}
	return 0, false
}

// Field is a column of an analysis's per-customer table that a customer list offers as the
// field NAME.KEY: a column to show, to filter and to sort on. Column is the table's column
// when it differs from Key: a column key ("clv" for value), or "{OPTION}" for the column that
// the option's value names (rfm's segment is the column of the scheme chosen). An Unlisted
// field is taken by name but not offered in a list's pickers.
type Field struct {
	Key      string `json:"key"`
	Column   string `json:"column,omitempty"`
	Unlisted bool   `json:"unlisted,omitempty"`
}

// Column returns the column of the per-customer table that the field key of info reads, with
// the options opts of a run (an option's default when opts lacks it): its Field's Column, else
// key itself.
func (info Info) Column(key string, opts map[string]string) string {
	for _, f := range info.Fields {
		if f.Key != key || f.Column == "" {
			continue
		}
		o, ok := cutBraces(f.Column)
		if !ok {
			return f.Column
		}
		if v := opts[o]; v != "" {
			return v
		}
		for _, d := range info.Options {
			if d.Key == o {
				return d.Default
			}
		}
		return ""
	}
	return key
}

// cutBraces returns s without its braces when s is "{…}".
func cutBraces(s string) (string, bool) {
	if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' {
		return s[1 : len(s)-1], true
	}
	return "", false
}
