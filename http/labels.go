package kexihttp

import (
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Value labels (issue #20 §2): the settings' table of field, value → label (channel douyin →
// 抖音). The customer table, the data pages, the portrait and analysis tables show the
// label; filters by the label find the rows with the value (kexi.ValueLabels.Resolve); CSV
// and XLSX exports write the label. The JSON API keeps the values as stored. An administrator
// edits the table on the settings page or in PUT /api/v1/settings ("labels").

// labelFields are the record fields that hold text values, every kind's, sorted: what a value
// label can name besides custom.NAME.
var labelFields = func() []string {
	seen := map[string]bool{}
	for _, k := range kexi.Kinds {
		t := reflect.TypeOf(entities[k].emptyList()).Elem()
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name := strings.Split(sf.Tag.Get("json"), ",")[0]
			if sf.Type.Kind() != reflect.String || name == "" || name == "-" || name == "external_id" ||
				strings.HasSuffix(name, "_id") || name == "name" || name == "email" || name == "phone" {
				continue
			}
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}()

// checkLabels checks the value labels: kexi's own checks, and each field one a record has.
func checkLabels(ls kexi.ValueLabels) error {
	if err := ls.Check(); err != nil {
		return err
	}
	var probs []kexi.FieldProblem
	for i, l := range ls {
		if strings.HasPrefix(l.Field, "custom.") {
			continue
		}
		if j := sort.SearchStrings(labelFields, l.Field); j == len(labelFields) || labelFields[j] != l.Field {
			probs = append(probs, kexi.FieldProblem{Row: i + 1, Column: "field", Value: l.Field,
				Reason: "no record has this field; expected one of " + strings.Join(labelFields, ", ") + " or custom.NAME"})
		}
	}
	if len(probs) > 0 {
		return &kexi.Error{Code: kexi.EINVALID, Message: "bad value labels", Problems: probs}
	}
	return nil
}

// withLabels is the filter with its conditions on labels matching the labelled values too.
func (s *Server) withLabels(r *http.Request, f kexi.Filter) kexi.Filter {
	f.Where = s.cachedSettings(r.Context()).Labels.Resolve(f.Where)
	return f
}

// handleLabelsSave replaces the value labels with the settings form's rows (field, value and
// label; a row whose value or label is cleared is dropped).
func (s *Server) handleLabelsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return kexi.Errorf(kexi.EINVALID, "bad form: %v", err)
	}
	fs, vs, ls := r.PostForm["field"], r.PostForm["value"], r.PostForm["label"]
	if len(fs) != len(vs) || len(vs) != len(ls) {
		return kexi.Errorf(kexi.EINVALID, "the value label form needs as many fields, values and labels")
	}
	var out kexi.ValueLabels
	for i := range fs {
		l := kexi.ValueLabel{Field: strings.TrimSpace(fs[i]), Value: strings.TrimSpace(vs[i]), Label: strings.TrimSpace(ls[i])}
		if l.Value == "" || l.Label == "" {
			continue
		}
		out = append(out, l)
	}
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	st.Labels = out
	if err := s.saveSettings(r, st); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=1#labels", http.StatusSeeOther)
	return nil
}

// labelsView is the settings page's value label table: the saved rows, then empty ones.
func labelsView(ls kexi.ValueLabels) []kexi.ValueLabel {
	out := append([]kexi.ValueLabel(nil), ls...)
	for range 3 {
		out = append(out, kexi.ValueLabel{Field: "channel"})
	}
	return out
}

// labelText is v of field as the pages show it: its label, else as it is.
func labelText(ls kexi.ValueLabels, field, v string) string {
	l, _ := ls.Label(field, v)
	return l
}

func init() {
	for k, v := range map[string]T{
		"Value labels":      {En: "Value labels", Zh: "取值显示名"},
		"value_labels_help": {En: "Show a data value under another name: the channel douyin as 抖音. Pages, filters and exports show the name; the data keeps the value as imported. Values without a name show as they are.", Zh: "为数据中的取值设置显示名，例如渠道 douyin 显示为“抖音”。页面、筛选和导出都使用显示名，数据本身保持导入时的值；没有设置的取值按原样显示。"},
		"value_labels_how":  {En: "Clear a row's value or name to remove it; save to add the filled empty rows.", Zh: "清空某行的取值或显示名即可删除该行；填写空行后保存即可新增。"},
		"label_value":       {En: "Value as imported", Zh: "导入的取值"},
		"label_shown":       {En: "Shown as", Zh: "显示为"},
	} {
		catalog[k] = v
	}
}

// labelChart shows the labelled values among a chart's categories: an X value of a field that
// a text column of the result's tables holds (the channels of acquisition's cac_by_channel)
// reads as its label. Drill-down links keep the values.
func labelChart(c *chartSpec, se analysis.Series, res *analysis.Result, ls kexi.ValueLabels) {
	if len(ls) == 0 || len(c.X) != len(se.X) {
		return
	}
	var fields []string
	for _, t := range res.Tables {
		for _, col := range t.Columns {
			if col.Type == "string" && ls.Has(col.Key) && !slices.Contains(fields, col.Key) {
				fields = append(fields, col.Key)
			}
		}
	}
	for i, x := range se.X {
		for _, f := range fields {
			if l, ok := ls.Label(f, x); ok {
				c.X[i] = l
				break
			}
		}
	}
}
