package kexihttp

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/render"
)

// tablePage is how many rows of an analysis table a page shows.
const tablePage = 50

// figureView is a headline figure. Exact, when set, is the exact value of a figure shown
// short (Value "1.2万"), for its title attribute.
type figureView struct {
	Key, Label, Value string
	Exact             string
	Change            *changeView // against the previous period, when there is one
}

// cardView is a summary figure of an analysis page with its one-line definition (the
// analysis's "help.KEY" label, shown on hover).
type cardView struct {
	figureView
	Help string
}

type cellView struct {
	Text  string
	Link  string
	Num   bool
	Class string
}

type tableView struct {
	Key, Title            string
	Head                  []string
	NumCol                []bool
	Rows                  [][]cellView
	From, To, Total       int
	Prev, Next            string
	ExportCSV, ExportXLSX string
}

type choiceView struct {
	Value, Label string
	Selected     bool
}

type optionView struct {
	Key, Label, Help, Type, Value string
	Choices                       []choiceView
}

type analysisView struct {
	Name, Title, Summary, Code string
	Options                    []optionView
	AsOf, From, To             string
	ResultAsOf                 time.Time
	Figures                    []cardView // headline figures
	Details                    []cardView // figures marked Detail, in a collapsed section
	DetailsTitle               string
	FigureLinks                map[string]string // figure key → the customers behind it
	Charts                     []chartSpec
	Tables                     []tableView
	Notes                      []string
	Took                       string
	Needs                      string
	Period                     periodView
}

type dashboardView struct {
	H       *Headline
	Figures []figureView
	Charts  []chartSpec
	Empty   bool
	// FigureLinks are the customers behind figures (key → customer-table link).
	FigureLinks map[string]string
	Period      periodView
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(w, r, "Dashboard", "dashboard")
	pc, err := s.periodFor(r.Context(), r.URL.Query(), dashboardPeriod, false, scopeOf(r))
	if err != nil {
		return err
	}
	h, err := s.dashboard(r.Context(), scopeOf(r), pc)
	if err != nil {
		return err
	}
	v := dashboardView{H: h, Empty: !h.HasOrders && h.Customers == 0}
	v.Period = p.periodView("/", r.URL.Query(), pc, s.now())
	v.Figures = dashboardFigures(p, h)
	p.dashboardChanges(v.Figures, h, pc)
	// The customers behind the figures: all of them, and the lifecycle's at-risk stage (the
	// same run the figure comes from).
	v.FigureLinks = map[string]string{"dash_customers": "/customers"}
	if name, d, ok := headlineLink(s.figureSources, "at_risk"); ok && h.AtRisk != nil {
		var base url.Values
		if !h.FiguresAsOf.IsZero() {
			base = url.Values{"as_of": {h.FiguresAsOf.In(p.loc()).Format("2006-01-02")}}
		}
		v.FigureLinks["dash_at_risk"] = drillLink(name, base, kexi.Cond{Field: d.Column, Op: kexi.Op(d.Op), Value: d.Value})
	}
	if h.HasOrders {
		months := make([]string, len(h.Months))
		for i, m := range h.Months {
			t, _ := time.Parse("2006-01", m)
			if p.Lang == langZh {
				months[i] = fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
			} else {
				months[i] = t.Format("Jan 2006")
			}
		}
		monthly := []chartValues{{Name: p.T("dash_revenue"), Data: h.RevenueByM, Unit: "currency"}}
		if h.HasCost {
			monthly = append(monthly, chartValues{Name: p.T("dash_margin"), Data: h.MarginByM, Unit: "currency"})
		}
		partial := ""
		if len(h.Months) > 0 {
			partial = partialMonth(p, h.Months[len(h.Months)-1], h.AsOf)
		}
		v.Charts = []chartSpec{
			{Key: "trend_revenue", Title: p.T("trend_revenue"), Kind: "line", X: months, Lang: p.Lang,
				Format: "currency", Symbol: currencySymbols[p.Settings.Currency],
				Y: monthly, Partial: partial},
			{Key: "trend_customers", Title: p.T("trend_customers"), Kind: "bar", X: months, Lang: p.Lang,
				Y: []chartValues{{Name: p.T("dash_active"), Data: h.ActiveByM}, {Name: p.T("dash_new"), Data: h.NewByM}}, Partial: partial},
		}
	}
	p.Data = v
	return s.render(w, r, http.StatusOK, "dashboard", p)
}

// dashboardFigures lists the dashboard's headline figures, each labelled with what it counts:
// the margin says "no cost data" rather than equal the revenue, and the at-risk figure names
// the lifecycle stage and its thresholds.
func dashboardFigures(p *page, h *Headline) []figureView {
	fs := []figureView{
		p.short(figureView{Key: "dash_customers", Label: p.T("dash_customers"), Value: p.Num(h.Customers)}, float64(h.Customers), false),
		p.short(figureView{Key: "dash_active", Label: p.T("dash_active"), Value: p.Num(h.Active)}, float64(h.Active), false),
		p.short(figureView{Key: "dash_revenue", Label: p.T("dash_revenue"), Value: p.Money(h.Revenue)}, h.Revenue, true),
	}
	if h.HasCost {
		fs = append(fs, p.short(figureView{Key: "dash_margin", Label: p.T("dash_margin"), Value: p.Money(*h.Margin)}, *h.Margin, true),
			figureView{Key: "dash_margin_pct", Label: p.T("dash_margin_pct"), Value: p.Pct(*h.MarginPct)})
	} else if h.HasOrders { // without cost data the margin is unknown, not the revenue
		fs = append(fs, figureView{Key: "dash_margin", Label: p.T("dash_margin"), Value: p.T("dash_no_cost")})
	}
	if h.AnonymousOrders > 0 {
		fs = append(fs, p.short(figureView{Key: "dash_anonymous_orders", Label: p.T("dash_anonymous_orders"), Value: p.Num(h.AnonymousOrders)}, float64(h.AnonymousOrders), false))
	}
	if h.NPSCount > 0 {
		fs = append(fs, figureView{Key: "dash_nps", Label: p.T("dash_nps"), Value: fmtNum(p.Lang, h.NPS, 1)})
	}
	if h.AtRisk != nil {
		l := p.T("dash_at_risk")
		if h.AtRiskDays != nil && h.ChurnDays != nil {
			l = p.Tf("dash_at_risk_days", *h.AtRiskDays, *h.ChurnDays)
		}
		fs = append(fs, p.short(figureView{Key: "dash_at_risk", Label: l, Value: p.Num(*h.AtRisk)}, float64(*h.AtRisk), false))
	}
	if h.CLV != nil {
		fs = append(fs, p.short(figureView{Key: "dash_clv", Label: p.T("dash_clv"), Value: p.Money(*h.CLV)}, *h.CLV, true))
	}
	return fs
}

func (s *Server) handleAnalysesPage(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(w, r, "Analyses", "analyses")
	var items []analysisView
	for _, a := range s.analyses {
		info := a.Info()
		items = append(items, analysisView{Name: info.Name, Title: info.Title.In(p.Lang),
			Summary: info.Summary.In(p.Lang), Code: info.Code})
	}
	p.Data = items
	return s.render(w, r, http.StatusOK, "analyses", p)
}

func (s *Server) handleAnalysisPage(w http.ResponseWriter, r *http.Request) error {
	a := s.byName[r.PathValue("name")]
	if a == nil {
		return errNotFound
	}
	info := a.Info()
	p := s.newPage(w, r, "", "analyses")
	p.Title = info.Title.In(p.Lang)
	q := r.URL.Query()
	v := analysisView{Name: info.Name, Title: p.Title, Summary: info.Summary.In(p.Lang), Code: info.Code,
		AsOf: q.Get("as_of"), From: q.Get("from"), To: q.Get("to")}
	pc, perr := s.periodFor(r.Context(), q, "all", false, scopeOf(r))
	if perr != nil {
		pc = periodChoice{Name: "all"}
	}
	v.Period = p.periodView("/analyses/"+info.Name, q, pc, s.now())
	for _, o := range info.Options {
		ov := optionView{Key: o.Key, Label: optionLabel(&info, p.Lang, o.Key), Help: o.Help.In(p.Lang), Type: o.Type,
			Value: o.Default}
		if x := q.Get(o.Key); x != "" {
			ov.Value = x
		}
		for _, c := range o.Choices {
			ov.Choices = append(ov.Choices, choiceView{Value: c, Label: label(&info, p.Lang, c), Selected: c == ov.Value})
		}
		v.Options = append(v.Options, ov)
	}
	// An analysis of one customer (the portrait) waits until one is chosen.
	for _, o := range info.Options {
		if o.Key == "customer" && o.Default == "" && strings.TrimSpace(q.Get("customer")) == "" {
			p.Flash = p.T("choose_customer")
			p.Data = v
			return s.render(w, r, http.StatusOK, "analysis", p)
		}
	}
	if perr == nil && pc.Compares() {
		s.prefetchPrevious(r, a, pc)
	}
	_, in, res, d, took, err := s.analysisFor(r, false)
	status := http.StatusOK
	if err != nil {
		code := kexi.ErrorCode(err)
		if code == kexi.EINTERNAL || code == kexi.ENOTFOUND && errors.Is(err, errNotFound) {
			return err
		}
		status = statusOf(code)
		p.Error, p.Problems = errText(p.Lang, err), problemsOf(err)
	} else {
		s.fillResult(p, &v, &info, res, d, q, in)
		if pc.Compares() {
			s.compareFigures(r, p, &v, a, &info, res, d, pc, in)
		}
		switch {
		case took >= time.Millisecond:
			v.Took = took.Round(time.Millisecond).String()
		case took > 0:
			v.Took = "<1ms"
		}
		if d != nil && d.ds.Orders.Len() == 0 && len(d.ds.Customers) == 0 {
			var needs []string
			for _, n := range info.Needs {
				needs = append(needs, tr(p.Lang, n))
			}
			v.Needs = strings.Join(needs, ", ")
		}
	}
	p.Data = v
	return s.render(w, r, status, "analysis", p)
}

// fillResult formats a Result for the analysis page.
// Figures, chart elements and table rows with a Drill link to the customers behind them.
func (s *Server) fillResult(p *page, v *analysisView, info *analysis.Info, res *analysis.Result, d *data, q url.Values, in analysis.Input) {
	v.ResultAsOf = res.AsOf
	v.Notes = analysis.NoteTexts(res.Notes, p.Lang, func(k string) string { return label(info, p.Lang, k) })
	dq := drillBase(info.Name, datesQuery(q, in, p.loc()), in)
	vals := res.FigureValues(func(k string) string { return label(info, p.Lang, k) },
		func(x float64) string { return smartNum(p.Lang, x) })
	for _, f := range res.Summary {
		c := cardView{figureView{Key: f.Key, Label: labelIn(info, p.Lang, f.Key, vals), Value: p.figure(info, f)}, help(info, p.Lang, f.Key)}
		if f.Text == "" && (f.Unit == "" || f.Unit == "currency") {
			c.figureView = p.short(c.figureView, f.Value, f.Unit == "currency")
		}
		if f.Drill.Column != "" {
			if v.FigureLinks == nil {
				v.FigureLinks = map[string]string{}
			}
			v.FigureLinks[f.Key] = drillLink(info.Name, dq, kexi.Cond{Field: f.Drill.Column, Op: kexi.Op(f.Drill.Op), Value: f.Drill.Value})
		}
		if f.Detail {
			v.Details = append(v.Details, c)
		} else {
			v.Figures = append(v.Figures, c)
		}
	}
	v.DetailsTitle = label(info, p.Lang, "details")
	for _, se := range res.Series {
		c := chartOf(info, p.Lang, se)
		c.Title = labelIn(info, p.Lang, se.Key, vals)
		c.Symbol = currencySymbols[p.Settings.Currency]
		c.Drill = seriesDrills(info.Name, dq, se)
		if c.Drill != nil && se.Drill.Y != "" {
			for j, y := range se.Y {
				if y.Key == se.Drill.Y {
					c.DrillY = &j
				}
			}
		}
		labelChart(&c, se, res, p.Settings.Labels)
		for i := range c.Y {
			if c.Y[i].Unit == "" {
				c.Y[i].Unit = columnUnit(res, se.Y[i].Key)
			}
		}
		if len(se.X) > 0 && (se.Kind == "line" || se.Kind == "bar") {
			c.Partial = partialMonth(p, se.X[len(se.X)-1], res.AsOf)
		}
		if se.Drill.Column == "risk_band" {
			for _, x := range se.X {
				c.Colors = append(c.Colors, categoryColors[x])
			}
		}
		v.Charts = append(v.Charts, c)
	}
	for i := range res.Tables {
		tv := p.table(info, &res.Tables[i], d, q, "/analyses/"+info.Name)
		for j, c := range res.Tables[i].Columns {
			if j < len(tv.Head) {
				tv.Head[j] = labelIn(info, p.Lang, c.Key, vals)
			}
		}
		if dr := res.Tables[i].Drill; dr.Column != "" {
			drillRows(&tv, &res.Tables[i], func(i int, val string) string {
				return tableDrill(info.Name, dq, dr, i, val)
			})
		}
		oneLanguage(&tv, &res.Tables[i], p.Lang)
		v.Tables = append(v.Tables, tv)
	}
}

// columnUnit is the unit of a value list without one: the type of a result table's column
// of the same key when it is "percent" or "currency" ("" otherwise).
func columnUnit(res *analysis.Result, key string) string {
	for _, t := range res.Tables {
		for _, c := range t.Columns {
			if c.Key == key && (c.Type == "percent" || c.Type == "currency") {
				return c.Type
			}
		}
	}
	return ""
}

// partialMonth returns the note for a chart whose last category is the month ("2026-12")
// of asOf when that month is not over ("截至12月7日", "to 7 Dec"), else "".
func partialMonth(p *page, month string, asOf time.Time) string {
	if asOf.IsZero() {
		return ""
	}
	t := p.local(asOf)
	if month != t.Format("2006-01") || t.AddDate(0, 0, 1).Month() != t.Month() {
		return ""
	}
	if p.Lang == langZh {
		return fmt.Sprintf("截至%d月%d日", int(t.Month()), t.Day())
	}
	return "to " + t.Format("2 Jan")
}

// drillRows links the key cell of each shown row of a table with a Drill (and its customer
// count, the Drill's Count column or else a "customers" or "size" column) to the row's
// customers; link is given the row's index and drill value.
func drillRows(tv *tableView, t *analysis.Table, link func(int, string) string) {
	key, count := -1, -1
	for j, c := range t.Columns {
		switch {
		case c.Key == t.Drill.Key:
			key = j
		case t.Drill.Count != "" && c.Key == t.Drill.Count:
			count = j
		case t.Drill.Count == "" && (c.Key == "customers" || c.Key == "size"):
			count = j
		}
	}
	if key < 0 {
		return
	}
	off := max(0, tv.From-1)
	for i := range tv.Rows {
		if off+i >= len(t.Rows) || key >= len(t.Rows[off+i]) {
			break
		}
		val := render.PlainText(t.Rows[off+i][key])
		if t.Drill.Values != nil {
			val = ""
			if off+i < len(t.Drill.Values) {
				val = t.Drill.Values[off+i]
			}
		}
		if val == "" {
			continue
		}
		l := link(off+i, val)
		if l == "" {
			continue
		}
		tv.Rows[i][key].Link = l
		if count >= 0 && count < len(tv.Rows[i]) {
			tv.Rows[i][count].Link = l
		}
	}
}

// figure formats a summary figure by its unit.
func (p *page) figure(info *analysis.Info, f analysis.Figure) string {
	if f.Text != "" {
		return label(info, p.Lang, f.Text)
	}
	switch f.Unit {
	case "%":
		return p.Pct(f.Value)
	case "currency":
		return p.Money(f.Value)
	case "days":
		return fmtNum(p.Lang, f.Value, 1) + " " + map[string]string{langEn: "days", langZh: "天"}[p.Lang]
	case "months":
		return fmtNum(p.Lang, f.Value, 0) + " " + map[string]string{langEn: "months", langZh: "个月"}[p.Lang]
	}
	return smartNum(p.Lang, f.Value)
}

// shortFrom is the size from which a figure is shown short.
const shortFrom = 1e5

// shortSteps are the sizes a short figure counts in, largest first.
var shortSteps = map[string][]struct {
	size float64
	unit string
}{
	langEn: {{1e9, "B"}, {1e6, "M"}, {1e3, "K"}},
	langZh: {{1e8, "亿"}, {1e4, "万"}},
}

// short shows a large figure (from shortFrom) short: 12.3万 / 3.4亿 in Chinese, 123.5K / 3.4M
// in English, money with the currency's symbol, the exact value (fv.Value) kept in Exact for
// the card's title. A card is narrow: "¥12,345,678.90" wraps mid-number.
func (p *page) short(fv figureView, v float64, money bool) figureView {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) < shortFrom {
		return fv
	}
	steps := shortSteps[langEn]
	if p.Lang == langZh {
		steps = shortSteps[langZh]
	}
	n := ""
	for _, st := range steps {
		if math.Abs(v) >= st.size {
			n = strings.TrimSuffix(fmtNum(p.Lang, math.Abs(v)/st.size, 1), ".0") + st.unit
			break
		}
	}
	sign := ""
	if v < 0 {
		sign = "-"
	}
	if money {
		cur := p.Settings.Currency
		if sym, ok := currencySymbols[strings.ToUpper(cur)]; ok {
			n = sym + n
		} else if cur != "" {
			n += " " + cur
		}
	}
	fv.Exact, fv.Value = fv.Value, sign+n
	return fv
}

// smartNum formats a number: whole numbers without decimals, small ones with four.
func smartNum(lang string, v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmtNum(lang, v, 0)
	case math.Abs(v) < 0.1:
		return fmtNum(lang, v, 4)
	}
	return fmtNum(lang, v, 2)
}

// table formats one page of a result table with paging and download links.
func (p *page) table(info *analysis.Info, t *analysis.Table, d *data, q url.Values, base string) tableView {
	tv := tableView{Key: t.Key, Title: tableTitle(info, p.Lang, t.Key), Total: len(t.Rows)}
	for i, c := range t.Columns {
		tv.Head = append(tv.Head, label(info, p.Lang, c.Key))
		num := c.Type == "int" || c.Type == "float" || c.Type == "currency" || c.Type == "percent"
		if i == 0 && t.PerCustomer {
			num = false
		}
		tv.NumCol = append(tv.NumCol, num)
	}
	pk := "page_" + t.Key
	off, _ := strconv.Atoi(q.Get(pk))
	if off < 0 || off >= len(t.Rows) {
		off = 0
	}
	end := min(off+tablePage, len(t.Rows))
	tv.From, tv.To = off+1, end
	if len(t.Rows) == 0 {
		tv.From = 0
	}
	link := func(o int) string {
		q2 := cloneQuery(q)
		q2.Set(pk, strconv.Itoa(o))
		return base + "?" + q2.Encode()
	}
	if off > 0 {
		tv.Prev = link(max(0, off-tablePage))
	}
	if end < len(t.Rows) {
		tv.Next = link(end)
	}
	eq := cloneQuery(q)
	eq.Set("table", t.Key)
	eq.Set("format", "csv")
	tv.ExportCSV = base + "/export?" + eq.Encode()
	eq.Set("format", "xlsx")
	tv.ExportXLSX = base + "/export?" + eq.Encode()
	for _, row := range t.Rows[off:end] {
		cells := make([]cellView, len(row))
		for j, val := range row {
			typ := ""
			if j < len(t.Columns) {
				typ = t.Columns[j].Type
			}
			cells[j] = p.cell(info, typ, val)
			if x, ok := val.(string); ok && typ == "string" && len(p.Settings.Labels) > 0 {
				cells[j].Text = labelText(p.Settings.Labels, t.Columns[j].Key, x) // channel douyin as 抖音
			}
			if val == "high" && j < len(t.Columns) && t.Columns[j].Key == "risk_band" {
				cells[j].Class = "risk-high"
			}
			if j == 0 && t.PerCustomer {
				if id, ok := val.(int64); ok {
					name := customerName(d, id)
					cells[j] = cellView{Text: fmt.Sprintf("%s (#%d)", name, id), Link: portraitLink(id, p.Path)}
				}
			}
		}
		tv.Rows = append(tv.Rows, cells)
	}
	return tv
}

// oneLanguage shows a table with a column K_zh holding the Chinese of column K (segments'
// profile, profile_zh) in the page's language only: K with the Chinese text on a Chinese page,
// and K_zh on neither. It runs last, as it shifts the columns after K_zh.
func oneLanguage(tv *tableView, t *analysis.Table, lang string) {
	n := len(t.Columns)
	if len(tv.Head) != n {
		return
	}
	for z, zc := range t.Columns {
		for k, c := range t.Columns {
			if c.Key+"_zh" != zc.Key {
				continue
			}
			tv.Head = slices.Delete(tv.Head, z, z+1)
			if len(tv.NumCol) == n {
				tv.NumCol = slices.Delete(tv.NumCol, z, z+1)
			}
			for i, row := range tv.Rows {
				if len(row) != n {
					continue
				}
				if lang == langZh {
					row[k] = row[z]
				}
				tv.Rows[i] = slices.Delete(row, z, z+1)
			}
			return
		}
	}
}

// cell formats one table value by its column type.
func (p *page) cell(info *analysis.Info, typ string, v any) cellView {
	switch x := v.(type) {
	case nil:
		return cellView{}
	case time.Time:
		return cellView{Text: p.Date(x)}
	case bool:
		if x {
			return cellView{Text: "✓"}
		}
		return cellView{Text: ""}
	case string:
		if typ == "label" {
			return cellView{Text: label(info, p.Lang, x)}
		}
		if typ == "reasons" {
			return cellView{Text: p.reasons(info, x)}
		}
		if typ == "terms" {
			return cellView{Text: termsText(info, p.Lang, x)}
		}
		return cellView{Text: x}
	}
	f := toFloat(v)
	switch typ {
	case "currency":
		return cellView{Text: p.Money(f), Num: true}
	case "percent":
		return cellView{Text: p.Pct(f), Num: true}
	case "int":
		return cellView{Text: p.Num(f), Num: true}
	}
	return cellView{Text: smartNum(p.Lang, f), Num: true}
}

// termsText translates a "terms" cell: each part that is a key.
func termsText(info *analysis.Info, lang, s string) string { return render.Terms(info, lang, s) }

// reasons translates a "reasons" cell (render.Reasons).
func (p *page) reasons(info *analysis.Info, s string) string { return render.Reasons(info, p.Lang, s) }

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
