package kexihttp

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// defaultColumns are the columns a list shows before the user chooses, per kind.
var defaultColumns = map[string][]string{
	kexi.KindCustomers:    {"external_id", "name", "kind", "province", "city", "channel", "owner", "tags"},
	kexi.KindOrders:       {"external_id", "customer_id", "ordered_at", "amount", "cost", "channel", "status"},
	kexi.KindProducts:     {"external_id", "name", "category", "price", "cost"},
	kexi.KindInteractions: {"external_id", "customer_id", "at", "kind", "channel", "minutes", "rep", "subject"},
	kexi.KindEvents:       {"external_id", "customer_id", "at", "type", "page", "dwell"},
	kexi.KindSurveys:      {"external_id", "customer_id", "at", "kind", "score", "channel", "comment"},
	kexi.KindLeads:        {"external_id", "name", "company", "source", "owner", "stage", "value", "created_at"},
	kexi.KindCampaigns:    {"external_id", "name", "channel", "start", "end", "cost"},
	kexi.KindResponses:    {"external_id", "campaign_id", "customer_id", "at", "kind", "value", "control"},
	kexi.KindCompetitors:  {"external_id", "name", "positioning", "products"},
	kexi.KindSWOT:         {"kind", "text", "impact", "scope", "metric"},
}

type condView struct {
	Field, Op, Value string
}

type colView struct {
	Key, Label string
	Shown      bool
	Sort, Dir  string // the link that sorts by the column, and "asc"/"desc" when it does now
}

type listView struct {
	Kind, KindLabel        string
	Q, Sort                string
	Conds                  []condView
	Chips                  []chipView
	Fields                 []colView // every field one can filter, sort or show
	Ops                    []colView
	Head                   []colView
	Rows                   [][]cellView
	Total, From, To, Limit int
	Prev, Next             string
	ExportCSV, ExportXLSX  string
	Action                 string
	Views                  *viewsSide // the customer table's saved views (views_saved.go)
}

// handleCustomersPage is the customer table: filter by any field (custom fields too), sort,
// choose columns, page and export.
func (s *Server) handleCustomersPage(w http.ResponseWriter, r *http.Request) error {
	return s.listPage(w, r, entities[kexi.KindCustomers], "/customers", "customers")
}

func (s *Server) handleEntityPage(w http.ResponseWriter, r *http.Request) error {
	e := entities[r.PathValue("kind")]
	if e == nil {
		return errNotFound
	}
	if e.kind() == kexi.KindCustomers {
		http.Redirect(w, r, "/customers?"+r.URL.RawQuery, http.StatusSeeOther)
		return nil
	}
	return s.listPage(w, r, e, "/data/"+e.kind(), "data")
}

func (s *Server) handleEntityExport(w http.ResponseWriter, r *http.Request) error {
	e := entities[r.PathValue("kind")]
	if e == nil {
		return errNotFound
	}
	return s.exportEntity(w, r, e)
}

// listPage renders one page of records of a kind.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, e entity, base, nav string) error {
	return s.listPageWith(w, r, s.newPage(w, r, e.kind(), nav), http.StatusOK, e, base)
}

// listPageWith renders one page of records of a kind on page p, with status.
func (s *Server) listPageWith(w http.ResponseWriter, r *http.Request, p *page, status int, e entity, base string) error {
	q := r.URL.Query()
	if q.Get("limit") == "" {
		q.Set("limit", "50")
		r.URL.RawQuery = q.Encode()
	}
	f, err := parseFilter(r)
	if err != nil {
		return err
	}
	var items any
	var total int
	var cl *customerList
	if e.kind() == kexi.KindCustomers {
		if cl, err = s.findCustomers(r, s.withLabels(r, f)); err != nil {
			return err
		}
		items, total = cl.items, cl.total
	} else if items, total, err = e.list(r.Context(), s.st, s.withLabels(r, f)); err != nil {
		return err
	}
	head, rows := flatten(items)
	// Every field of the kind, custom fields from the definitions too (even when this page has
	// no value for them).
	allFields, _ := flatten(e.emptyList())
	if e.kind() == kexi.KindCustomers || e.kind() == kexi.KindLeads {
		d, err := s.dataset(r.Context(), scopeOf(r), 0) // the custom field definitions
		if err != nil {
			return err
		}
		entity := strings.TrimSuffix(e.kind(), "s")
		for _, cf := range d.ds.CustomFields {
			if cf.Entity == entity || cf.Entity == e.kind() {
				allFields = appendNew(allFields, "custom."+cf.Name)
			}
		}
	}
	for _, h := range head {
		allFields = appendNew(allFields, h)
	}
	if cl != nil {
		for _, fl := range s.listedFields {
			if cl.af.is(fl) {
				allFields = appendNew(allFields, fl)
			}
		}
		for _, fl := range cl.fields {
			allFields = appendNew(allFields, fl)
		}
	}
	flabel := func(fl string) string {
		if cl != nil && cl.af.is(fl) {
			return cl.af.fieldTitle(p.Lang, fl)
		}
		return fieldLabel(p.Lang, fl)
	}
	shown := q["col"]
	if len(shown) == 0 {
		shown = defaultColumns[e.kind()]
	}
	isShown := map[string]bool{}
	for _, c := range shown {
		isShown[c] = true
	}
	v := listView{Kind: e.kind(), KindLabel: p.T(e.kind()), Q: f.Query, Sort: f.Sort, Total: total,
		Limit: f.Limit, Action: base}
	for _, fl := range allFields {
		v.Fields = append(v.Fields, colView{Key: fl, Label: flabel(fl), Shown: isShown[fl]})
	}
	for _, o := range ops {
		v.Ops = append(v.Ops, colView{Key: string(o), Label: p.T(string(o))})
	}
	for _, c := range f.Where {
		val := c.Value
		// An analysis field's value reads as its chip does (重要挽留客户, not important_winback);
		// the filter matches a label's translations as well as its key.
		if cl != nil && cl.af.is(c.Field) {
			if fc, err := cl.af.column(c.Field); err == nil {
				val = fc.condText(p.Lang, c.Value)
			}
		} else if c.Op == kexi.Eq {
			val = labelText(p.Settings.Labels, c.Field, c.Value) // channel = douyin reads 抖音
		}
		v.Conds = append(v.Conds, condView{c.Field, string(c.Op), val})
	}
	v.Conds = append(v.Conds, condView{}) // one empty row to add a condition
	colIdx := map[string]int{}
	for i, h := range head {
		colIdx[h] = i
	}
	var cols []string
	for _, c := range shown {
		if _, ok := colIdx[c]; ok || strings.HasPrefix(c, "custom.") || cl != nil && cl.af.is(c) {
			cols = append(cols, c)
		}
	}
	for _, c := range cols {
		// A column head sorts by its field: ascending first, then descending.
		sq := cloneQuery(q)
		sq.Del("offset")
		sq.Set("sort", c)
		dir := ""
		switch f.Sort {
		case c:
			sq.Set("sort", "-"+c)
			dir = "asc"
		case "-" + c:
			dir = "desc"
		}
		v.Head = append(v.Head, colView{Key: c, Label: flabel(c), Sort: base + "?" + sq.Encode(), Dir: dir})
	}
	if cl != nil {
		v.Chips = cl.af.chips(p, base, q)
		if v.Views, err = s.viewsSidebar(r, p, q); err != nil {
			return err
		}
	}
	for _, row := range rows {
		cells := make([]cellView, 0, len(cols)+1)
		for _, c := range cols {
			if cl != nil && cl.af.is(c) {
				id, _ := row[colIdx["id"]].(int64)
				val, typ, run := cl.af.value(c, id)
				var info *analysis.Info
				if run != nil {
					info = &run.info
				}
				cv := p.cell(info, typ, val)
				if strings.HasSuffix(c, ".risk_band") && val == "high" {
					cv.Class = "risk-high"
				}
				cells = append(cells, cv)
				continue
			}
			i, ok := colIdx[c]
			if !ok {
				cells = append(cells, cellView{})
				continue
			}
			cv := p.plainCell(row[i])
			if x, ok := row[i].(string); ok && x != "" {
				cv.Text = s.valueText(p.Lang, e.kind(), c, x)
				if l, ok := p.Settings.Labels.Label(c, x); ok {
					cv.Text = l
				}
			}
			if c == "customer_id" && e.kind() != kexi.KindCustomers {
				if id, ok := row[i].(int64); ok && id > 0 {
					cv.Link = portraitLink(id, p.Path)
				}
			}
			cells = append(cells, cv)
		}
		if e.kind() == kexi.KindCustomers && len(cells) > 0 {
			if id, ok := row[colIdx["id"]].(int64); ok {
				for j, c := range cols {
					if c == "name" || c == "external_id" {
						cells[j].Link = portraitLink(id, p.Path)
					}
				}
			}
		}
		v.Rows = append(v.Rows, cells)
	}
	v.From, v.To = f.Offset+1, f.Offset+len(rows)
	if len(rows) == 0 {
		v.From = 0
	}
	link := func(off int) string {
		q2 := cloneQuery(q)
		q2.Set("offset", strconv.Itoa(off))
		return base + "?" + q2.Encode()
	}
	if f.Offset > 0 {
		v.Prev = link(max(0, f.Offset-f.Limit))
	}
	if f.Offset+len(rows) < total {
		v.Next = link(f.Offset + f.Limit)
	}
	eq := cloneQuery(q)
	eq.Del("offset")
	eq.Del("limit")
	eq.Set("format", "csv")
	exportBase := "/data/" + e.kind() + "/export?"
	v.ExportCSV = exportBase + eq.Encode()
	eq.Set("format", "xlsx")
	v.ExportXLSX = exportBase + eq.Encode()
	p.Data = v
	return s.render(w, r, status, "entity", p)
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// fieldLabel translates a field name; custom fields keep their own name.
func fieldLabel(lang, f string) string {
	if n, ok := strings.CutPrefix(f, "custom."); ok {
		return n
	}
	return tr(lang, f)
}

// valueText shows a record's text value: kexi's own values of a field (a customer's kind and
// gender, an order's status, an interaction's kind) in lang, a SWOT item's linked metric
// "analysis.key" by the competitors analysis's label of the key; any other value as it is.
func (s *Server) valueText(lang, kind, field, v string) string {
	switch {
	case field == "metric" && kind == kexi.KindSWOT:
		key := strings.ToLower(v[strings.LastIndexByte(v, '.')+1:])
		prefix, _, _ := strings.Cut(v, ".")
		names := []string{"competitors", prefix}
		for _, a := range s.analyses {
			names = append(names, a.Info().Name)
		}
		for _, n := range names { // the analysis SWOT links resolve, the one named, any other
			if a, ok := s.byName[n]; ok {
				if t, ok := a.Info().Labels[key]; ok {
					return t.In(lang)
				}
			}
		}
	case field == "kind" || field == "gender" || field == "status" || field == "type" || field == "scope":
		return tr(lang, v)
	}
	return v
}

// plainCell formats a flattened record value.
func (p *page) plainCell(v any) cellView {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return cellView{}
		}
		if x.Hour() == 0 && x.Minute() == 0 {
			return cellView{Text: p.Date(x)}
		}
		return cellView{Text: p.DateTime(x)}
	case float64:
		return cellView{Text: smartNum(p.Lang, x), Num: true}
	case int64:
		return cellView{Text: strconv.FormatInt(x, 10), Num: true}
	case int:
		return cellView{Text: strconv.Itoa(x), Num: true}
	case bool:
		if x {
			return cellView{Text: "✓"}
		}
		return cellView{}
	case string:
		if t, ok := catalog[x]; ok && len(x) < 20 {
			return cellView{Text: t.In(p.Lang)}
		}
		return cellView{Text: x}
	}
	return cellView{Text: fmt.Sprint(v)}
}
