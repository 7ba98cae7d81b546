package kexi

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// ValueLabel shows a data value of a field under another name: the channel douyin as 抖音.
// Pages, filters and exports show Label where the data holds Value; the data itself keeps the
// value as imported.
type ValueLabel struct {
	Field string `json:"field"` // a record field's JSON name (channel, source, category) or custom.NAME
	Value string `json:"value"` // the value as imported
	Label string `json:"label"` // what people see
}

// ValueLabels is the settings' table of value labels. Values without a label show as they are.
type ValueLabels []ValueLabel

// MaxValueLabels is how many value labels the settings hold at most.
const MaxValueLabels = 2000

// Label returns the label of a field's value, and whether it has one.
func (ls ValueLabels) Label(field, value string) (string, bool) {
	for _, l := range ls {
		if l.Field == field && l.Value == value {
			return l.Label, true
		}
	}
	return value, false
}

// Has reports whether any value of field has a label.
func (ls ValueLabels) Has(field string) bool {
	for _, l := range ls {
		if l.Field == field {
			return true
		}
	}
	return false
}

// Values returns the values of field labelled label (compared without surrounding spaces).
func (ls ValueLabels) Values(field, label string) []string {
	label = strings.TrimSpace(label)
	var out []string
	for _, l := range ls {
		if l.Field == field && l.Label == label {
			out = append(out, l.Value)
		}
	}
	return out
}

// Resolve rewrites filter conditions that name a label to match the values it labels as well
// as the text itself: channel eq 抖音 becomes channel in 抖音,douyin; ne excludes both; each
// item of an in list brings its values. Other operators (contains, lt, …) compare the data as
// it is. Conditions on fields without labels come back unchanged.
func (ls ValueLabels) Resolve(where []Cond) []Cond {
	if len(ls) == 0 {
		return where
	}
	out := make([]Cond, 0, len(where))
	for _, c := range where {
		op := c.Op
		if op == "" {
			op = Eq
		}
		switch op {
		case Eq, In:
			items := []string{c.Value}
			if op == In {
				items = strings.Split(c.Value, ",")
			}
			var all []string
			grew := false
			for _, it := range items {
				it = strings.TrimSpace(it)
				all = append(all, it)
				for _, v := range ls.Values(c.Field, it) {
					if !strings.Contains(v, ",") {
						all = append(all, v)
						grew = true
					}
				}
			}
			if grew {
				c = Cond{Field: c.Field, Op: In, Value: strings.Join(all, ",")}
			}
			out = append(out, c)
		case Ne:
			out = append(out, c)
			for _, v := range ls.Values(c.Field, c.Value) {
				out = append(out, Cond{Field: c.Field, Op: Ne, Value: v})
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

var labelField = regexp.MustCompile(`^([a-z][a-z0-9_]*|custom\.\S.*)$`)

// Check returns an EINVALID error naming each bad entry: a field that is not a field name or
// custom.NAME, an empty value or label, text over 200 characters, one value labelled twice,
// or more than MaxValueLabels entries.
func (ls ValueLabels) Check() error {
	var probs []FieldProblem
	bad := func(i int, col, val, reason string) {
		probs = append(probs, FieldProblem{Row: i + 1, Column: col, Value: val, Reason: reason})
	}
	if len(ls) > MaxValueLabels {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("too many value labels: %d, at most %d", len(ls), MaxValueLabels)}
	}
	seen := map[[2]string]int{}
	for i, l := range ls {
		if !labelField.MatchString(l.Field) {
			bad(i, "field", l.Field, "expected a field name such as channel, source or custom.NAME")
		}
		for _, x := range []struct{ col, v string }{{"field", l.Field}, {"value", l.Value}, {"label", l.Label}} {
			if len([]rune(x.v)) > 200 {
				bad(i, x.col, string([]rune(x.v)[:50])+"…", "expected at most 200 characters")
			}
		}
		if strings.TrimSpace(l.Value) == "" {
			bad(i, "value", l.Value, "expected the value as imported")
		}
		if strings.TrimSpace(l.Label) == "" {
			bad(i, "label", l.Label, "expected the label to show")
		}
		k := [2]string{l.Field, l.Value}
		if j, ok := seen[k]; ok {
			bad(i, "value", l.Value, fmt.Sprintf("already labelled in entry %d", j+1))
		}
		seen[k] = i
	}
	if len(probs) > 0 {
		return &Error{Code: EINVALID, Message: "bad value labels", Problems: probs}
	}
	return nil
}

// Relabel returns copies of the records in items (a slice of record pointers) with each
// labelled text value replaced by its label, custom fields too; items itself when there are
// no labels. The records are not changed: they may be cached. Exports (the web
// page's and kexi export) write what it returns.
func (ls ValueLabels) Relabel(items any) any {
	v := reflect.ValueOf(items)
	if len(ls) == 0 || v.Kind() != reflect.Slice || v.Len() == 0 || v.Type().Elem().Kind() != reflect.Pointer {
		return items
	}
	t := v.Type().Elem().Elem()
	type field struct {
		i    int
		name string
	}
	var fields []field
	custom := -1
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		switch {
		case sf.Type.Kind() == reflect.String && ls.Has(name):
			fields = append(fields, field{i, name})
		case name == "custom" && sf.Type == reflect.TypeOf(map[string]string{}):
			custom = i
		}
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for n := 0; n < v.Len(); n++ {
		src := v.Index(n)
		if src.IsNil() {
			continue
		}
		cp := reflect.New(t)
		cp.Elem().Set(src.Elem())
		for _, f := range fields {
			fv := cp.Elem().Field(f.i)
			if l, ok := ls.Label(f.name, fv.String()); ok {
				fv.SetString(l)
			}
		}
		if custom >= 0 {
			if m, _ := cp.Elem().Field(custom).Interface().(map[string]string); len(m) > 0 {
				m2 := make(map[string]string, len(m))
				for k, x := range m {
					m2[k], _ = ls.Label("custom."+k, x)
				}
				cp.Elem().Field(custom).Set(reflect.ValueOf(m2))
			}
		}
		out.Index(n).Set(cp)
	}
	return out.Interface()
}
