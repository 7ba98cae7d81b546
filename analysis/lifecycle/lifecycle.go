// Package lifecycle places every customer in a lifecycle stage 生命周期 (A4) as of a date and
// counts the moves between stages from an earlier date.
//
// Stages, checked in this order for a customer as of time T, with only purchases
// (kexi.OrderTable.IsPurchase) at or before T counting and day counts in whole elapsed days:
//
//	prospect 潜在    no purchase yet (also open leads not linked to a customer)
//	churned 流失     days since the last purchase > churn_days, or the customer's explicit
//	                 churn flag is set (ChurnedAt at or before T, no purchase after it)
//	at_risk 风险     days since the last purchase > at_risk_days
//	new 新客         first purchase at most new_days before T
//	reactivated 回流 the gap before the last purchase was > churn_days: they had churned and
//	                 came back (until their next purchase)
//	loyal 忠诚       at least loyal_orders purchases (and, by the checks above, active)
//	active 活跃      everyone else
//
// Thresholds default from the data: the gaps between consecutive purchases of all customers up
// to the as-of date give churn_days = ⌈90th percentile⌉, at_risk_days = ⌈75th percentile⌉,
// new_days = ⌈median⌉ (one normal purchase cycle), each at least 1; loyal_orders =
// ⌈75th percentile⌉ of purchases per customer, at least 2. With no repeat purchases the
// defaults are 30, 90 and 180 days. Options override each one; the thresholds used are
// reported as figures. Customers created after T (CreatedAt set) with no purchase by then are
// "not yet" customers. The analysis period is not used: a stage needs the whole history.
package lifecycle

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Stage keys.
const (
	Prospect    = "prospect"
	NewCustomer = "new"
	Active      = "active"
	Loyal       = "loyal"
	AtRisk      = "at_risk"
	Churned     = "churned"
	Reactivated = "reactivated"
	NotYet      = "not_yet" // not a customer yet at the date
)

// Names lists the stages in display order.
var Names = []string{Prospect, NewCustomer, Active, Loyal, Reactivated, AtRisk, Churned}

// Thresholds decide the stages. Days are whole days.
type Thresholds struct {
	NewDays     int
	AtRiskDays  int
	ChurnDays   int
	LoyalOrders int
}

// DefaultThresholds derives thresholds from the gaps between consecutive purchases at or
// before asOf (see the package doc). orders must be in Dataset order.
func DefaultThresholds(orders *kexi.OrderTable, asOf time.Time) Thresholds {
	var g gapStats
	cids, at := orders.CustomerID, orders.At
	asOfMs := asOf.UnixMilli() // order times are whole milliseconds: after asOf is after this
	for i := 0; i < len(cids); {
		cid := cids[i]
		var last int64
		n := 0
		for ; i < len(cids) && cids[i] == cid; i++ {
			if cid == 0 || !orders.IsPurchase(i) || at[i] > asOfMs {
				continue
			}
			if n > 0 {
				g.gap(msDays(at[i] - last))
			}
			last = at[i]
			n++
		}
		if n > 0 {
			g.buyer(n)
		}
	}
	return g.thresholds()
}

// gapStats counts purchase gaps and purchases per customer as histograms.
type gapStats struct {
	hist, counts []int // hist[g] = gaps of g days; counts[n] = customers with n purchases
	gaps, buyers int
}

func (g *gapStats) gap(d int) {
	for len(g.hist) <= d {
		g.hist = append(g.hist, 0)
	}
	g.hist[d]++
	g.gaps++
}

func (g *gapStats) buyer(n int) {
	for len(g.counts) <= n {
		g.counts = append(g.counts, 0)
	}
	g.counts[n]++
	g.buyers++
}

func (g *gapStats) thresholds() Thresholds {
	th := Thresholds{NewDays: 30, AtRiskDays: 90, ChurnDays: 180, LoyalOrders: 2}
	if g.gaps > 0 {
		th.NewDays = max(1, ceilQuantile(g.hist, g.gaps, 0.5))
		th.AtRiskDays = max(1, ceilQuantile(g.hist, g.gaps, 0.75))
		th.ChurnDays = max(1, ceilQuantile(g.hist, g.gaps, 0.9))
	}
	if g.buyers > 0 {
		th.LoyalOrders = max(2, ceilQuantile(g.counts, g.buyers, 0.75))
	}
	return th
}

// ceilQuantile returns ⌈the type-7 p-quantile⌉ of n integers given as a histogram h (h[v] = how
// many equal v): with position q = (n−1)p, x[⌊q⌋] + (q−⌊q⌋)(x[⌊q⌋+1] − x[⌊q⌋]).
func ceilQuantile(h []int, n int, p float64) int {
	q := float64(n-1) * p
	lo := int(math.Floor(q))
	kth := func(k int) int { // the k-th smallest value, 0-based
		c := 0
		for v, m := range h {
			c += m
			if c > k {
				return v
			}
		}
		return len(h) - 1
	}
	a := float64(kth(lo))
	if lo+1 < n {
		a += (q - float64(lo)) * (float64(kth(lo+1)) - a)
	}
	return int(math.Ceil(a - 1e-9))
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// msDays is days of a difference of Unix milliseconds, as days(t.Sub(u)) gives it for the two
// times: time.Time.Sub saturates at the largest Duration, and so does msDays.
func msDays(ms int64) int {
	const limit = math.MaxInt64 / int64(time.Millisecond)
	switch {
	case ms > limit:
		return days(math.MaxInt64)
	case ms < -limit:
		return days(math.MinInt64)
	}
	return days(time.Duration(ms) * time.Millisecond)
}

// Row is one customer's stage.
type Row struct {
	CustomerID int64
	Stage      string
	Orders     int       // purchases at or before the date
	First      time.Time // first purchase (zero when none)
	Last       time.Time // last purchase (zero when none)
}

// history is what a stage needs from a customer's purchases up to a date.
type history struct {
	n                 int
	first, last, prev time.Time
}

func (h *history) add(t time.Time) {
	if h.n == 0 {
		h.first = t
	}
	h.prev, h.last = h.last, t
	h.n++
}

func stage(c *kexi.Customer, h *history, at time.Time, th Thresholds) string {
	if h.n == 0 {
		if c != nil && !c.CreatedAt.IsZero() && c.CreatedAt.After(at) {
			return NotYet
		}
		return Prospect
	}
	if c != nil && c.Churned && (c.ChurnedAt.IsZero() || (!c.ChurnedAt.After(at) && !h.last.After(c.ChurnedAt))) {
		return Churned
	}
	rec := days(at.Sub(h.last))
	switch {
	case rec > th.ChurnDays:
		return Churned
	case rec > th.AtRiskDays:
		return AtRisk
	case days(at.Sub(h.first)) <= th.NewDays:
		return NewCustomer
	case h.n >= 2 && days(h.last.Sub(h.prev)) > th.ChurnDays:
		return Reactivated
	case h.n >= th.LoyalOrders:
		return Loyal
	}
	return Active
}

// Stage returns the stage at `at` of one customer: c is their record (nil when there is none)
// and orders are all their orders, in Dataset order. It is the stage Stages gives them, for a
// caller that walks the customers itself and needs no rows.
func Stage(c *kexi.Customer, orders *kexi.OrderTable, at time.Time, th Thresholds) string {
	var h history
	atMs := at.UnixMilli()
	for i := range orders.Len() {
		if orders.IsPurchase(i) && orders.At[i] <= atMs {
			h.add(orders.Time(i))
		}
	}
	return stage(c, &h, at, th)
}

// Stages returns each customer's stage at each of the dates (rows[k] for dates[k]), one row per
// customer in d.Customers plus any customer id that has orders but no customer record, in id
// order. Anonymous orders are skipped.
func Stages(d *kexi.Dataset, th Thresholds, dates ...time.Time) [][]Row {
	return collect(d, dates, time.Time{}, nil).stages(th)
}

// histories is what one pass over the orders collects: each customer's history at each date
// and, when gaps is set, the purchase gaps and counts that DefaultThresholds derives the
// thresholds from.
type histories struct {
	dates []time.Time
	ids   []int64
	cust  []*kexi.Customer
	hs    []history // hs[i*len(dates)+k]: customer i at dates[k]
}

// collect walks the customers and the orders once. With gaps non-nil it also fills it as
// DefaultThresholds(d.Orders, asOf) counts.
func collect(d *kexi.Dataset, dates []time.Time, asOf time.Time, g *gapStats) *histories {
	nd := len(dates)
	h := &histories{dates: dates}
	h.ids = make([]int64, 0, len(d.Customers))
	h.cust = make([]*kexi.Customer, 0, len(d.Customers))
	h.hs = make([]history, 0, len(d.Customers)*nd)
	add := func(cid int64, c *kexi.Customer) []history {
		h.ids = append(h.ids, cid)
		h.cust = append(h.cust, c)
		h.hs = append(h.hs, make([]history, nd)...) // the make allocates nothing: append clears the new part
		return h.hs[len(h.hs)-nd:]
	}
	cs := d.Customers
	ci := 0
	o := &d.Orders
	cids, ats := o.CustomerID, o.At
	// Order times are whole milliseconds: one is after a date when it is after the date's
	// millisecond.
	datesMs := make([]int64, nd)
	for k, at := range dates {
		datesMs[k] = at.UnixMilli()
	}
	asOfMs := asOf.UnixMilli()
	for i := 0; i < len(cids); {
		cid := cids[i]
		if cid == 0 {
			for i < len(cids) && cids[i] == 0 {
				i++
			}
			continue
		}
		for ci < len(cs) && cs[ci].ID < cid {
			add(cs[ci].ID, &cs[ci])
			ci++
		}
		var c *kexi.Customer
		if ci < len(cs) && cs[ci].ID == cid {
			c = &cs[ci]
			ci++
		}
		hs := add(cid, c)
		var last int64
		n := 0
		for ; i < len(cids) && cids[i] == cid; i++ {
			if !o.IsPurchase(i) {
				continue
			}
			ms := ats[i]
			var t time.Time // built once, for the first date that takes it
			for k, at := range datesMs {
				if ms <= at {
					if t.IsZero() {
						t = o.Time(i)
					}
					hs[k].add(t)
				}
			}
			if g != nil && ms <= asOfMs {
				if n > 0 {
					g.gap(msDays(ms - last))
				}
				last = ms
				n++
			}
		}
		if g != nil && n > 0 {
			g.buyer(n)
		}
	}
	for ; ci < len(cs); ci++ {
		add(cs[ci].ID, &cs[ci])
	}
	return h
}

// at returns customer i's history at dates[k].
func (h *histories) at(i, k int) *history { return &h.hs[i*len(h.dates)+k] }

// stageAt returns the stage customer i is in at dates[k].
func (h *histories) stageAt(i, k int, th Thresholds) string {
	return stage(h.cust[i], h.at(i, k), h.dates[k], th)
}

// stages places every collected customer at every date.
func (h *histories) stages(th Thresholds) [][]Row {
	out := make([][]Row, len(h.dates))
	for k := range out {
		out[k] = make([]Row, len(h.ids))
	}
	for i, cid := range h.ids {
		for k := range h.dates {
			x := h.at(i, k)
			out[k][i] = Row{CustomerID: cid, Stage: h.stageAt(i, k, th), Orders: x.n, First: x.first, Last: x.last}
		}
	}
	return out
}

// OpenLeads counts leads not linked to a customer that exist at the date and are not lost by
// then: prospects without a customer record.
func OpenLeads(leads []kexi.Lead, at time.Time) int {
	n, _ := openLeads(leads, at, at)
	return n
}

// openLeads is OpenLeads at two dates in one pass over the leads, whose records are large.
func openLeads(leads []kexi.Lead, a, b time.Time) (na, nb int) {
	for i := range leads {
		l := &leads[i]
		if l.CustomerID != 0 {
			continue
		}
		if open(l, a) {
			na++
		}
		if open(l, b) {
			nb++
		}
	}
	return na, nb
}

// open reports whether a lead without a customer exists at the date and is not lost or won
// by then.
func open(l *kexi.Lead, at time.Time) bool {
	if l.CreatedAt.After(at) {
		return false
	}
	lost := false
	for _, s := range l.Stages {
		if !s.EnteredAt.After(at) {
			lost = s.Stage == kexi.StageLost || s.Stage == kexi.StageWon
		}
	}
	if len(l.Stages) == 0 && (l.Stage == kexi.StageLost || l.Stage == kexi.StageWon) {
		lost = true
	}
	return !lost
}

type lifecycleAnalysis struct{}

// New returns the lifecycle analysis (A4).
func New() analysis.Analysis { return lifecycleAnalysis{} }

func (lifecycleAnalysis) Info() analysis.Info {
	help := func(en, zh string) analysis.Text { return analysis.Text{En: en, Zh: zh} }
	return analysis.Info{
		Name:    "lifecycle",
		Code:    "A4",
		Title:   analysis.Text{En: "Customer lifecycle", Zh: "客户生命周期"},
		Summary: analysis.Text{En: "Where each customer is in the lifecycle, and who moved where since an earlier date.", Zh: "每位客户处于生命周期的哪个阶段,以及与之前相比的阶段变化。"},
		Options: []analysis.Option{
			{Key: "from_date", Type: "date", Help: help("Earlier date for the transitions (default 90 days before as-of)", "阶段变化的起始日期(默认基准日前 90 天)")},
			{Key: "new_days", Default: "0", Type: "int", Help: help("Days a first-time customer counts as new (0 = from the data: median gap)", "新客期天数(0 = 按数据:订单间隔中位数)")},
			{Key: "at_risk_days", Default: "0", Type: "int", Help: help("Days without a purchase before at risk (0 = 75th percentile gap)", "多少天未购买视为有风险(0 = 订单间隔 75 分位)")},
			{Key: "churn_days", Default: "0", Type: "int", Help: help("Days without a purchase before churned (0 = 90th percentile gap)", "多少天未购买视为流失(0 = 订单间隔 90 分位)")},
			{Key: "loyal_orders", Default: "0", Type: "int", Help: help("Purchases to count as loyal (0 = 75th percentile, at least 2)", "忠诚客户的最少购买次数(0 = 75 分位,至少 2)")},
		},
		Labels: labels,
		Needs:  []string{"orders", "customers", "leads"},
		Reads:  []string{"orders", "customers", "leads"},
		Headlines: []analysis.Headline{{Key: "at_risk", Drill: analysis.Drill{Column: "stage", Value: AtRisk}},
			{Key: "at_risk_days", Figure: "at_risk_days"}, {Key: "churn_days", Figure: "churn_days"}},
		Fields: []analysis.Field{{Key: "stage"}},
	}
}

func (a lifecycleAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(a.Info(), in.Options)
	from := o.DateIn("from_date", in.Location())
	nd, rd, cd, lo := o.Int("new_days"), o.Int("at_risk_days"), o.Int("churn_days"), o.Int("loyal_orders")
	if err := o.Err(); err != nil {
		return nil, err
	}
	asOf := in.AsOf
	at := from
	if at.IsZero() {
		at = asOf.AddDate(0, 0, -90)
	} else {
		at = analysis.EndOfDay(at, in.Location())
	}
	// One pass collects both dates' histories and the gaps the thresholds come from.
	var gaps gapStats
	hist := collect(in.Data, []time.Time{at, asOf}, asOf, &gaps)
	th := gaps.thresholds()
	var probs []kexi.FieldProblem
	set := func(key string, v int, dst *int) {
		if v < 0 {
			probs = append(probs, kexi.FieldProblem{Column: key, Value: fmt.Sprint(v), Reason: "expected 0 (from the data) or more"})
		} else if v > 0 {
			*dst = v
		}
	}
	set("new_days", nd, &th.NewDays)
	set("at_risk_days", rd, &th.AtRiskDays)
	set("churn_days", cd, &th.ChurnDays)
	set("loyal_orders", lo, &th.LoyalOrders)
	if rd > 0 || cd > 0 {
		if th.AtRiskDays > th.ChurnDays {
			probs = append(probs, kexi.FieldProblem{Column: "at_risk_days", Value: fmt.Sprint(th.AtRiskDays),
				Reason: fmt.Sprintf("expected at most churn_days (%d)", th.ChurnDays)})
		}
	} else if th.AtRiskDays > th.ChurnDays {
		th.AtRiskDays = th.ChurnDays
	}
	from = at
	if from.After(asOf) {
		probs = append(probs, kexi.FieldProblem{Column: "from_date", Value: from.Format("2006-01-02"), Reason: "expected a date before the as-of date"})
	}
	if len(probs) > 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: probs}
	}
	// Stages as indices into allStages, two per customer (before, now), rather than rows.
	nc := len(hist.ids)
	idx := make([]uint8, 2*nc)
	for i := range nc {
		for k := range 2 {
			idx[2*i+k] = uint8(stageIndex(hist.stageAt(i, k, th)))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	leadsNow, leadsBefore := openLeads(in.Data.Leads, asOf, from)

	res := &analysis.Result{Name: "lifecycle", AsOf: asOf}
	var count [len(allStages)]int
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "stage", Type: "label"}, {Key: "previous_stage", Type: "label"},
		{Key: "orders", Type: "int"}, {Key: "first_order", Type: "date"}, {Key: "last_order", Type: "date"},
		{Key: "days_since_last", Type: "int"}}}
	var flows [len(allStages)][len(allStages)]int
	shown := 0
	notYet := uint8(stageIndex(NotYet))
	for i := range nc {
		if idx[2*i+1] != notYet {
			shown++
		}
	}
	cust.Rows = analysis.Rows(shown, len(cust.Columns))
	k := 0
	for i := range nc {
		s, p := idx[2*i+1], idx[2*i]
		if s == notYet {
			continue
		}
		r := hist.at(i, 1)
		count[s]++
		var first, last, rec any
		if r.n > 0 {
			first, last, rec = r.first, r.last, days(asOf.Sub(r.last))
		}
		row := cust.Rows[k]
		k++
		row[0], row[1], row[2], row[3], row[4], row[5], row[6] = hist.ids[i], allStages[s].boxed, allStages[p].boxed, r.n, first, last, rec
		flows[p][s]++
	}
	count[stageIndex(Prospect)] += leadsNow
	if leadsNow > 0 || leadsBefore > 0 {
		// Leads still open stay prospects; those that closed without a customer leave the chart.
		stay := min(leadsNow, leadsBefore)
		flows[stageIndex(Prospect)][stageIndex(Prospect)] += stay
		flows[stageIndex(NotYet)][stageIndex(Prospect)] += leadsNow - stay
	}
	total := len(cust.Rows) + leadsNow
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: float64(len(cust.Rows)), Drill: analysis.Everyone("customer_id")},
		{Key: "open_leads", Value: float64(leadsNow)},
		{Key: "new_days", Value: float64(th.NewDays), Unit: "days"},
		{Key: "at_risk_days", Value: float64(th.AtRiskDays), Unit: "days"},
		{Key: "churn_days", Value: float64(th.ChurnDays), Unit: "days"},
		{Key: "loyal_orders", Value: float64(th.LoyalOrders)},
		{Key: "from_date", Text: from.Format("2006-01-02")},
	}
	st := analysis.Table{Key: "stages", Columns: []analysis.Column{
		{Key: "stage", Type: "label"}, {Key: "customers", Type: "int"}, {Key: "share", Type: "percent"}}}
	// Prospects include open leads, who are not customers: their bar and row do not drill down.
	drillable := func(s string) string {
		if s == Prospect && leadsNow > 0 {
			return ""
		}
		return s
	}
	st.Drill = analysis.Drill{Column: "stage", Key: "stage"}
	bar := analysis.Series{Key: "stage_counts", Kind: "bar", Y: []analysis.Values{{Key: "customers"}},
		Drill: analysis.Drill{Column: "stage"}}
	for _, s := range Names {
		c := count[stageIndex(s)]
		st.Rows = append(st.Rows, []any{s, c, frac(float64(c), float64(total))})
		bar.X = append(bar.X, s)
		bar.Drill.Values = append(bar.Drill.Values, drillable(s))
		st.Drill.Values = append(st.Drill.Values, drillable(s))
		bar.Y[0].Data = append(bar.Y[0].Data, float64(c))
	}
	tr := analysis.Table{Key: "transitions", Columns: []analysis.Column{
		{Key: "from_stage", Type: "label"}, {Key: "to_stage", Type: "label"}, {Key: "customers", Type: "int"}}}
	sankey := analysis.Series{Key: "transitions", Kind: "sankey",
		Drill: analysis.Drill{Column: "previous_stage", YColumn: "stage"}}
	tr.Drill = analysis.Drill{Column: "previous_stage", Key: "from_stage", YColumn: "stage"} // a row is a flow of the Sankey
	for _, f := range append([]string{NotYet}, Names...) {
		for _, t := range Names {
			n := flows[stageIndex(f)][stageIndex(t)]
			if n == 0 {
				continue
			}
			tr.Rows = append(tr.Rows, []any{f, t, n})
			sankey.Links = append(sankey.Links, analysis.Link{Source: "from." + f, Target: "to." + t, Value: float64(n)})
			from, to := f, t
			if drillable(f) == "" || drillable(t) == "" {
				from, to = "", ""
			}
			sankey.Drill.Values = append(sankey.Drill.Values, from)
			sankey.Drill.YValues = append(sankey.Drill.YValues, to)
			tr.Drill.Values = append(tr.Drill.Values, from)
			tr.Drill.YValues = append(tr.Drill.YValues, to)
		}
	}
	res.Tables = []analysis.Table{st, cust, tr}
	res.Series = []analysis.Series{bar, sankey}
	return res, nil
}

// allStages lists every stage a customer can be in, with its key boxed once for table rows.
var allStages = [...]struct {
	key   string
	boxed any
}{{NotYet, NotYet}, {Prospect, Prospect}, {NewCustomer, NewCustomer}, {Active, Active}, {Loyal, Loyal},
	{Reactivated, Reactivated}, {AtRisk, AtRisk}, {Churned, Churned}}

// stageIndex returns the position of a stage key in allStages.
func stageIndex(stage string) int {
	switch stage {
	case NotYet:
		return 0
	case Prospect:
		return 1
	case NewCustomer:
		return 2
	case Active:
		return 3
	case Loyal:
		return 4
	case Reactivated:
		return 5
	case AtRisk:
		return 6
	case Churned:
		return 7
	}
	panic("lifecycle: unknown stage " + stage)
}

func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var stageText = map[string]analysis.Text{
	Prospect:    {En: "Prospect", Zh: "潜在客户"},
	NewCustomer: {En: "New", Zh: "新客"},
	Active:      {En: "Active", Zh: "活跃客户"},
	Loyal:       {En: "Loyal", Zh: "忠诚客户"},
	AtRisk:      {En: "At risk", Zh: "风险客户"},
	Churned:     {En: "Churned", Zh: "流失客户"},
	Reactivated: {En: "Reactivated", Zh: "回流客户"},
	NotYet:      {En: "Not yet a customer", Zh: "尚未成为客户"},
}

var labels = func() map[string]analysis.Text {
	m := map[string]analysis.Text{
		"customers":       {En: "Customers", Zh: "客户数"},
		"open_leads":      {En: "Open leads without a customer", Zh: "未转化的在跟线索"},
		"new_days":        {En: "New window (days)", Zh: "新客期(天)"},
		"at_risk_days":    {En: "At risk after (days)", Zh: "风险阈值(天)"},
		"churn_days":      {En: "Churned after (days)", Zh: "流失阈值(天)"},
		"loyal_orders":    {En: "Orders to be loyal", Zh: "忠诚最少订单数"},
		"from_date":       {En: "Transitions since", Zh: "阶段变化起始日"},
		"stages":          {En: "Stages", Zh: "生命周期阶段"},
		"stage":           {En: "Stage", Zh: "阶段"},
		"previous_stage":  {En: "Stage at the earlier date", Zh: "起始日阶段"},
		"share":           {En: "Share", Zh: "占比"},
		"customer_id":     {En: "Customer", Zh: "客户"},
		"orders":          {En: "Orders", Zh: "订单数"},
		"first_order":     {En: "First order", Zh: "首单日期"},
		"last_order":      {En: "Last order", Zh: "末单日期"},
		"days_since_last": {En: "Days since last order", Zh: "距上次购买(天)"},
		"transitions":     {En: "Stage transitions", Zh: "阶段变化"},
		"from_stage":      {En: "From", Zh: "起始阶段"},
		"to_stage":        {En: "To", Zh: "当前阶段"},
		"stage_counts":    {En: "Customers per stage", Zh: "各阶段客户数"},
	}
	for k, t := range stageText {
		m[k] = t
		m["from."+k] = analysis.Text{En: t.En + " (before)", Zh: t.Zh + "(起始)"}
		m["to."+k] = analysis.Text{En: t.En + " (now)", Zh: t.Zh + "(当前)"}
	}
	return m
}()
