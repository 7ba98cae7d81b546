package kexihttp

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/render"
)

// Analysis fields of the customer table. Every column of an analysis's per-customer table is a
// field NAME.COLUMN of the customers (rfm.r, pyramid.tier, churn.probability): it can be
// filtered (f=churn.probability:gt:0.6), sorted (sort=-clv.clv) and shown (col=rfm.cn8) on the
// customer page and in GET /api/v1/customers. The values come from the same cached result the
// analysis page shows, for the signed-in user's scope, as of the request's as_of (period, from,
// to and NAME.OPTION=VALUE parameters choose the run as they do on the analysis page: a preset
// period such as 90d runs over its days as of the end of its last day). Conditions and
// sorting on them are applied in Go over the customers the store's own conditions select.

// listedFields are the analysis fields the customer page offers in its pickers: the Fields
// each analysis declares that are not Unlisted, in the order of the registry. Any other column
// works too when named.
func listedFields(as []analysis.Analysis) []string {
	var out []string
	for _, a := range as {
		info := a.Info()
		for _, f := range info.Fields {
			if !f.Unlisted {
				out = append(out, info.Name+"."+f.Key)
			}
		}
	}
	return out
}

// arun is one analysis run's per-customer tables, each indexed by customer. A field's column
// is looked up in the first per-customer table that has it (campaigns lists its key customers
// in one table and every responder in another).
type arun struct {
	info   analysis.Info
	in     analysis.Input
	res    *analysis.Result
	tables []*ptable
	cols   map[string]fieldCol
}

// ptable is a per-customer table with each customer's first row.
type ptable struct {
	t    *analysis.Table
	rows map[int64][]any
}

// fieldCol is where an analysis field's values are: column j of a per-customer table.
type fieldCol struct {
	run *arun
	pt  *ptable
	j   int
}

// typ is the column's type (analysis.Column.Type).
func (c fieldCol) typ() string { return c.pt.t.Columns[c.j].Type }

// condText is a condition's value v on the column as it reads in lang: a label's or a list
// item's key by its label (重要挽留客户, not important_winback), anything else as it is.
func (c fieldCol) condText(lang, v string) string {
	if t := c.typ(); t == "label" || t == "terms" {
		return label(&c.run.info, lang, v)
	}
	return v
}

// cell returns the customer's value, and false when the table has no row for the customer.
func (c fieldCol) cell(id int64) (any, bool) {
	row := c.pt.rows[id]
	if row == nil || c.j >= len(row) {
		return nil, false
	}
	return row[c.j], true
}

// afields resolves analysis fields for one request.
type afields struct {
	s      *Server
	ctx    context.Context
	sc     kexi.Scope
	q      url.Values
	strict bool // the API: a preset period with from or to is an error
	d      *data
	runs   map[string]*arun
	pc     *periodChoice
}

func (s *Server) newAfields(r *http.Request) *afields {
	return &afields{s: s, ctx: r.Context(), sc: scopeOf(r), q: r.URL.Query(), runs: map[string]*arun{},
		strict: strings.HasPrefix(r.URL.Path, "/api/")}
}

// period returns the request's period (choosePeriod, "all" when none is asked), worked out
// once; an unknown period, a preset with from or to in the API, or from after to is an
// EINVALID error naming the parameter.
func (af *afields) period() (periodChoice, error) {
	if af.pc != nil {
		return *af.pc, nil
	}
	pc, err := af.s.periodFor(af.ctx, af.q, "all", af.strict, af.sc)
	if err != nil {
		return pc, err
	}
	af.pc = &pc
	return pc, nil
}

// is reports whether field names an analysis field (NAME.COLUMN of a registered analysis).
func (af *afields) is(field string) bool {
	name, _, ok := strings.Cut(strings.TrimPrefix(field, "-"), ".")
	return ok && af.s.byName[name] != nil
}

// run runs (or finds in the cache) the named analysis for the request.
func (af *afields) run(name string) (*arun, error) {
	if r, ok := af.runs[name]; ok {
		return r, nil
	}
	a := af.s.byName[name]
	info := a.Info()
	vals := url.Values{}
	for _, k := range []string{"as_of", "from", "to"} {
		if v := af.q.Get(k); v != "" {
			vals.Set(k, v)
		}
	}
	for k, vs := range af.q {
		if o, ok := strings.CutPrefix(k, name+"."); ok {
			vals[o] = vs
		}
	}
	in, err := analysisInput(info, vals, true, af.s.zone(af.ctx), af.s.dates())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(af.q.Get("period")) != "" {
		pc, err := af.period()
		if err != nil {
			return nil, err
		}
		pc.Apply(&in)
	}
	if p := analysis.Parts(a); af.d == nil || !af.d.parts.Has(p) {
		if af.d != nil {
			p |= af.d.parts
		}
		if af.d, err = af.s.dataset(af.ctx, af.sc, p); err != nil {
			return nil, err
		}
	}
	res, _, err := af.s.runAnalysis(af.ctx, af.sc, a, in, af.d)
	if err != nil {
		return nil, err
	}
	run := &arun{info: info, in: in, res: res, cols: map[string]fieldCol{}}
	for i := range res.Tables {
		t := &res.Tables[i]
		if !t.PerCustomer {
			continue
		}
		pt := &ptable{t: t, rows: make(map[int64][]any, len(t.Rows))}
		for _, row := range t.Rows {
			if id, ok := asID(row[0]); ok {
				if _, seen := pt.rows[id]; !seen {
					pt.rows[id] = row
				}
			}
		}
		for j, c := range t.Columns {
			if _, ok := run.cols[c.Key]; !ok {
				run.cols[c.Key] = fieldCol{run: run, pt: pt, j: j}
			}
		}
		run.tables = append(run.tables, pt)
	}
	if len(run.tables) == 0 {
		return nil, fieldError("f", name, "the analysis "+name+" has no per-customer results to filter on")
	}
	af.runs[name] = run
	return run, nil
}

func asID(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

// column resolves an analysis field to its run's column.
func (af *afields) column(field string) (fieldCol, error) { return af.columnFor("f", field) }

// columnFor is column with errors about the query parameter param.
func (af *afields) columnFor(param, field string) (fieldCol, error) {
	name, col, _ := strings.Cut(field, ".")
	run, err := af.run(name)
	if err != nil {
		return fieldCol{}, err
	}
	col = run.info.Column(col, run.in.Options) // an alias by meaning (rfm.segment, clv.value)
	fc, ok := run.cols[col]
	if !ok {
		var have []string
		for _, pt := range run.tables {
			for _, c := range pt.t.Columns[1:] {
				have = appendNew(have, name+"."+c.Key)
			}
		}
		return fieldCol{}, fieldError(param, field, "unknown field; "+name+" has "+strings.Join(have, ", "))
	}
	return fc, nil
}

// value returns a customer's value of an analysis field (nil when the analysis has no row for
// the customer) and the column's type.
func (af *afields) value(field string, id int64) (any, string, *arun) {
	fc, err := af.column(field)
	if err != nil {
		return nil, "", nil
	}
	v, _ := fc.cell(id)
	return v, fc.typ(), fc.run
}

// termsOf splits a "terms" cell that is a list ("+0, +1, +3") into its items.
func termsOf(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ", ")
}

// matcher returns a test of a customer id against an analysis condition; a value that does
// not fit the column's type is an EINVALID error. On a "terms" column (a list, such as the
// campaigns a customer responded to) eq, ne and in also match each item of the list: eq X
// holds the customers whose list has X.
func (af *afields) matcher(c kexi.Cond) (func(id int64) bool, error) {
	fc, err := af.column(c.Field)
	if err != nil {
		return nil, err
	}
	run := fc.run
	typ := fc.typ()
	bad := func(reason string) error { return fieldError("f", c.Field+":"+string(c.Op)+":"+c.Value, reason) }
	vals := []string{c.Value}
	if c.Op == kexi.In {
		vals = strings.Split(c.Value, ",")
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
	}
	switch typ {
	case "int", "float", "currency", "percent":
		if c.Op == kexi.Contains {
			return nil, bad("contains needs a text field; " + c.Field + " is a number")
		}
		nums := make([]float64, len(vals))
		for i, v := range vals {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return nil, bad("expected a number")
			}
			nums[i] = f
		}
		return func(id int64) bool {
			v, _ := fc.cell(id)
			if v == nil {
				return c.Op == kexi.Ne
			}
			return compare(toFloat(v), c.Op, nums)
		}, nil
	}
	items := typ == "terms" && (c.Op == kexi.Eq || c.Op == kexi.Ne || c.Op == kexi.In)
	// Text, labels (matched by key or by either translation), dates and flags.
	return func(id int64) bool {
		var s string
		if v, ok := fc.cell(id); ok {
			s = render.PlainText(v) // a flag as true or false
		}
		alts := []string{s}
		if items {
			alts = append(alts, termsOf(s)...)
		}
		if typ == "label" || items {
			for _, a := range alts {
				if t, ok := run.info.Labels[a]; ok && a != "" {
					alts = append(alts, t.En, t.Zh)
				}
			}
		}
		for _, a := range alts {
			if compareText(a, c.Op, vals) {
				return c.Op != kexi.Ne
			}
		}
		return c.Op == kexi.Ne
	}, nil
}

// compare reports whether x stands in relation op to the value (any of the values for in).
func compare[T cmp.Ordered](x T, op kexi.Op, vals []T) bool {
	switch op {
	case kexi.Eq:
		return x == vals[0]
	case kexi.Ne:
		return x != vals[0]
	case kexi.Lt:
		return x < vals[0]
	case kexi.Le:
		return x <= vals[0]
	case kexi.Gt:
		return x > vals[0]
	case kexi.Ge:
		return x >= vals[0]
	case kexi.In:
		return slices.Contains(vals, x)
	}
	return false
}

// compareText reports whether s matches; for ne it reports whether s equals the value, and the
// caller negates. An empty s (no value) is never less than the value.
func compareText(s string, op kexi.Op, vals []string) bool {
	switch op {
	case kexi.Ne:
		op = kexi.Eq
	case kexi.Contains:
		return strings.Contains(strings.ToLower(s), strings.ToLower(vals[0]))
	case kexi.Lt, kexi.Le:
		if s == "" {
			return false
		}
	}
	return compare(s, op, vals)
}

// less orders two cells of a column; nil (no row) sorts last either way, handled by the caller.
func lessCell(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return x < y
	case time.Time:
		y, _ := b.(time.Time)
		return x.Before(y)
	case bool:
		y, _ := b.(bool)
		return !x && y
	}
	return toFloat(a) < toFloat(b)
}

// customerList is a page of customers with the analysis fields the request names.
type customerList struct {
	items  []*kexi.Customer
	total  int
	fields []string // analysis fields named in f, sort or col, in that order
	af     *afields
}

// customerRow is a customer in the API with its analysis fields.
type customerRow struct {
	*kexi.Customer
	Analysis map[string]any `json:"analysis,omitempty"`
}

// rows returns the page for the API: each customer with the named analysis fields.
func (cl *customerList) rows() []customerRow {
	out := make([]customerRow, len(cl.items))
	for i, c := range cl.items {
		out[i].Customer = c
		if len(cl.fields) > 0 {
			out[i].Analysis = map[string]any{}
			for _, f := range cl.fields {
				v, _, _ := cl.af.value(f, c.ID)
				out[i].Analysis[f] = v
			}
		}
	}
	return out
}

// findCustomers lists customers for f like the store, and also takes conditions and a sort on
// analysis fields. The store selects by its own conditions (all of them when an analysis
// field is involved); analysis conditions, sorting and paging then run in Go.
func (s *Server) findCustomers(r *http.Request, f kexi.Filter) (*customerList, error) {
	af := s.newAfields(r)
	cl := &customerList{af: af}
	if strings.TrimSpace(af.q.Get("period")) != "" {
		if _, err := af.period(); err != nil { // checked even when no analysis field needs it
			return nil, err
		}
	}
	add := func(field string) {
		for _, x := range cl.fields {
			if x == field {
				return
			}
		}
		cl.fields = append(cl.fields, field)
	}
	storeF := f
	storeF.Where = nil
	var tests []func(int64) bool
	for _, c := range f.Where {
		if !af.is(c.Field) {
			storeF.Where = append(storeF.Where, c)
			continue
		}
		m, err := af.matcher(c)
		if err != nil {
			return nil, err
		}
		tests = append(tests, m)
		add(c.Field)
	}
	sortField, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	analysisSort := f.Sort != "" && af.is(sortField)
	if analysisSort {
		if _, err := af.columnFor("sort", sortField); err != nil {
			return nil, err
		}
		add(sortField)
		storeF.Sort = ""
	}
	for _, c := range r.URL.Query()["col"] {
		if af.is(c) {
			if _, err := af.columnFor("col", c); err != nil {
				return nil, err
			}
			add(c)
		}
	}
	if len(tests) == 0 && !analysisSort {
		items, total, err := s.st.FindCustomers(r.Context(), f)
		if err != nil {
			return nil, err
		}
		cl.items, cl.total = items, total
		return cl, nil
	}
	storeF.Offset, storeF.Limit = 0, -1
	all, _, err := s.st.FindCustomers(r.Context(), storeF)
	if err != nil {
		return nil, err
	}
	kept := all[:0]
next:
	for _, c := range all {
		for _, t := range tests {
			if !t(c.ID) {
				continue next
			}
		}
		kept = append(kept, c)
	}
	if analysisSort {
		vals := make(map[int64]any, len(kept))
		for _, c := range kept {
			vals[c.ID], _, _ = af.value(sortField, c.ID)
		}
		sort.SliceStable(kept, func(i, j int) bool {
			a, b := vals[kept[i].ID], vals[kept[j].ID]
			switch {
			case a == nil || b == nil:
				return a != nil && b == nil
			case desc:
				return lessCell(b, a)
			}
			return lessCell(a, b)
		})
	}
	cl.total = len(kept)
	from := min(f.Offset, len(kept))
	to := len(kept)
	if f.Limit >= 0 {
		to = min(from+f.Limit, len(kept))
	}
	cl.items = kept[from:to]
	return cl, nil
}

// fieldTitle is how an analysis field reads in a chip or a column head: "RFM 分析 · 分群".
func (af *afields) fieldTitle(lang, field string) string {
	name, col, _ := strings.Cut(field, ".")
	a := af.s.byName[name]
	if a == nil {
		return field
	}
	info := a.Info()
	return info.Title.In(lang) + " · " + label(&info, lang, col)
}

// drillLink is the customer table filtered to the customers behind an element of analysis
// name's result: the page's dates and options (base), and one condition per column.
func drillLink(name string, base url.Values, conds ...kexi.Cond) string {
	q := cloneQuery(base)
	q["col"] = append([]string(nil), defaultColumns[kexi.KindCustomers]...)
	for _, c := range conds {
		op := c.Op
		if op == "" {
			op = kexi.Eq
		}
		q.Add("f", name+"."+c.Field+":"+string(op)+":"+c.Value)
		q["col"] = appendNew(q["col"], name+"."+c.Field)
	}
	return "/customers?" + q.Encode()
}

// drillBase is the query that reproduces an analysis run on the customer table: its dates
// and its options as NAME.OPTION.
func drillBase(name string, page url.Values, in analysis.Input) url.Values {
	q := url.Values{}
	for _, k := range []string{"as_of", "from", "to"} {
		if v := strings.TrimSpace(page.Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	for k, v := range in.Options {
		if k != "as_of" {
			q.Set(name+"."+k, v)
		}
	}
	return q
}

// tableDrill is the drill link of row i of a table with Drill dr whose drill value is val: the
// row's customers by dr's Column and, when the Drill has YValues, by YColumn too ("" when
// row i's YValue is empty).
func tableDrill(name string, base url.Values, dr analysis.Drill, i int, val string) string {
	conds := []kexi.Cond{{Field: dr.Column, Op: kexi.Op(dr.Op), Value: val}}
	if dr.YColumn != "" && dr.YValues != nil {
		if i >= len(dr.YValues) || dr.YValues[i] == "" {
			return ""
		}
		conds = append(conds, kexi.Cond{Field: dr.YColumn, Value: dr.YValues[i]})
	}
	return drillLink(name, base, conds...)
}

// seriesDrills are the drill links of a chart's elements, in the order of its X (bars, pie
// slices, funnel stages), its Cells (heat maps) or its Links (Sankey); "" where an element
// does not drill down. Nil when the series has no Drill.
func seriesDrills(name string, base url.Values, se analysis.Series) []string {
	dr := se.Drill
	if dr.Column == "" {
		return nil
	}
	pick := func(vals, cats []string, i int) string {
		if vals != nil {
			if i < len(vals) {
				return vals[i]
			}
			return ""
		}
		if i < len(cats) {
			return cats[i]
		}
		return ""
	}
	var out []string
	switch {
	case len(se.Links) > 0:
		for i := range se.Links {
			x, y := pick(dr.Values, nil, i), pick(dr.YValues, nil, i)
			if x == "" || y == "" {
				out = append(out, "")
				continue
			}
			out = append(out, drillLink(name, base, kexi.Cond{Field: dr.Column, Op: kexi.Op(dr.Op), Value: x},
				kexi.Cond{Field: dr.YColumn, Value: y}))
		}
	case len(se.Cells) > 0:
		for _, c := range se.Cells {
			x, y := pick(dr.Values, se.X, int(c[0])), pick(dr.YValues, se.YCats, int(c[1]))
			if x == "" || y == "" || dr.YColumn == "" {
				out = append(out, "")
				continue
			}
			out = append(out, drillLink(name, base, kexi.Cond{Field: dr.Column, Op: kexi.Op(dr.Op), Value: x},
				kexi.Cond{Field: dr.YColumn, Value: y}))
		}
	case len(dr.Edges) == len(se.X)+1:
		for i := range se.X {
			lo, hi := strconv.FormatFloat(dr.Edges[i], 'g', -1, 64), strconv.FormatFloat(dr.Edges[i+1], 'g', -1, 64)
			op := kexi.Lt
			if i == len(se.X)-1 {
				op = kexi.Le
			}
			out = append(out, drillLink(name, base, kexi.Cond{Field: dr.Column, Op: kexi.Ge, Value: lo},
				kexi.Cond{Field: dr.Column, Op: op, Value: hi}))
		}
	default:
		for i := range se.X {
			x := pick(dr.Values, se.X, i)
			if x == "" {
				out = append(out, "")
				continue
			}
			out = append(out, drillLink(name, base, kexi.Cond{Field: dr.Column, Op: kexi.Op(dr.Op), Value: x}))
		}
	}
	return out
}

// opSymbols are how the comparison operators read in a chip.
var opSymbols = map[kexi.Op]string{kexi.Eq: "=", kexi.Ne: "≠", kexi.Lt: "<", kexi.Le: "≤", kexi.Gt: ">", kexi.Ge: "≥"}

// chipView is one condition of the customer list as a person reads it, with the link that
// removes it.
type chipView struct {
	Text, Remove string
}

// chips describes the list's conditions; analysis conditions name the as-of date of their run.
func (af *afields) chips(p *page, base string, q url.Values) []chipView {
	var out []chipView
	for i, raw := range q["f"] {
		c, err := parseCond(raw)
		if err != nil {
			continue
		}
		op := p.T(string(c.Op))
		if sym, ok := opSymbols[c.Op]; ok {
			op = sym
		}
		text := fieldLabel(p.Lang, c.Field) + " " + op + " " + c.Value
		if af.is(c.Field) {
			if fc, err := af.column(c.Field); err == nil {
				run := fc.run
				text = af.fieldTitle(p.Lang, c.Field) + " " + op + " " + fc.condText(p.Lang, c.Value)
				if !run.res.AsOf.IsZero() {
					text += ", " + p.Tf("as_of_note", p.Date(run.res.AsOf))
				}
			}
		}
		q2 := cloneQuery(q)
		fs := append([]string(nil), q["f"][:i]...)
		q2["f"] = append(fs, q["f"][i+1:]...)
		q2.Del("offset")
		out = append(out, chipView{Text: text, Remove: base + "?" + q2.Encode()})
	}
	return out
}
