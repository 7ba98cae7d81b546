// Package migration compares the customer pyramid of two periods 客户层级迁移 (A3): who moved
// up or down a tier, who is new and who was lost, how long upgraders took to reach their new
// tier, and what upgraders have in common compared with the rest.
//
// Tiers in each period are those of package pyramid (spend in the period, ties by id). "new"
// customers have spend in period B but not in A; "lost" ones in A but not in B. Upgraded means
// a higher tier in B than in A.
//
// Time to upgrade is the number of whole days from the start of period B to the purchase at
// which the customer's running B spend first reached the lowest spend of their B tier (the
// spend that placed them in it).
//
// Lift compares upgraders with everyone who could upgrade: customers with spend in both periods
// who were not VIP in A. For an attribute value v, lift = (upgraders with v / customers with v)
// ÷ (all upgraders / all such customers); above 1 means v is more common among upgraders.
// Attributes: acquisition channel, campaign response (a non-control response of a kind other
// than "", "none", "no" or "no_response" during A or B), top category in A (by item value) and
// province. Empty values show as "unknown".
package migration

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/pyramid"
)

// Changes between the periods.
const (
	Upgraded   = "upgraded"
	Downgraded = "downgraded"
	Same       = "same"
	NewIn      = "new"
	Lost       = "lost"
)

// Period is a closed time range.
type Period struct{ From, To time.Time }

// In reports whether t is in the period.
func (p Period) In(t time.Time) bool { return !t.Before(p.From) && !t.After(p.To) }

// Move is one customer's tiers in both periods.
type Move struct {
	CustomerID     int64
	TierA, TierB   string // "" when absent from the period
	SpendA, SpendB float64
	Change         string
	DaysToUpgrade  int // -1 unless upgraded
}

// Moves compares the pyramids of periods a and b, one Move per customer with spend in either,
// in customer id order. orders must be in Dataset order.
func Moves(orders []kexi.Order, a, b Period) []Move {
	ra := pyramid.Tiers(orders, a.In)
	rb := pyramid.Tiers(orders, b.In)
	minB := map[string]float64{}
	for _, s := range pyramid.Summarise(rb) {
		minB[s.Tier] = s.MinSpend
	}
	byID := func(r []pyramid.Row) []pyramid.Row {
		r = slices.Clone(r)
		slices.SortFunc(r, func(x, y pyramid.Row) int { return cmp.Compare(x.CustomerID, y.CustomerID) })
		return r
	}
	ra, rb = byID(ra), byID(rb)
	var out []Move
	i, j := 0, 0
	for i < len(ra) || j < len(rb) {
		var m Move
		switch {
		case j >= len(rb) || (i < len(ra) && ra[i].CustomerID < rb[j].CustomerID):
			m = Move{CustomerID: ra[i].CustomerID, TierA: ra[i].Tier, SpendA: ra[i].Spend, Change: Lost}
			i++
		case i >= len(ra) || rb[j].CustomerID < ra[i].CustomerID:
			m = Move{CustomerID: rb[j].CustomerID, TierB: rb[j].Tier, SpendB: rb[j].Spend, Change: NewIn}
			j++
		default:
			m = Move{CustomerID: ra[i].CustomerID, TierA: ra[i].Tier, TierB: rb[j].Tier, SpendA: ra[i].Spend, SpendB: rb[j].Spend}
			switch la, lb := pyramid.Level(m.TierA), pyramid.Level(m.TierB); {
			case lb > la:
				m.Change = Upgraded
			case lb < la:
				m.Change = Downgraded
			default:
				m.Change = Same
			}
			i++
			j++
		}
		m.DaysToUpgrade = -1
		out = append(out, m)
	}
	// Days to upgrade: walk each upgrader's B purchases in time order.
	k := 0
	for x := 0; x < len(orders); {
		cid := orders[x].CustomerID
		y := x
		for y < len(orders) && orders[y].CustomerID == cid {
			y++
		}
		for k < len(out) && out[k].CustomerID < cid {
			k++
		}
		if k < len(out) && out[k].CustomerID == cid && out[k].Change == Upgraded {
			need := minB[out[k].TierB]
			var run float64
			for _, o := range orders[x:y] {
				if o.IsPurchase() && b.In(o.OrderedAt) {
					run += o.Amount
					if run >= need {
						out[k].DaysToUpgrade = int(o.OrderedAt.Sub(b.From) / (24 * time.Hour))
						break
					}
				}
			}
		}
		x = y
	}
	return out
}

// Lift is how much more often customers with one attribute value upgraded.
type Lift struct {
	Attribute, Value string
	Customers        int
	Upgraders        int
	Rate, Lift       float64
}

// Lifts computes the lift of each attribute value among customers who could upgrade (see the
// package doc); attrs returns a customer's attribute values in the order of names.
func Lifts(moves []Move, names []string, attrs func(cid int64) []string) []Lift {
	type key struct{ a, v string }
	n, u := map[key]int{}, map[key]int{}
	var total, ups int
	for _, m := range moves {
		if m.TierA == "" || m.TierB == "" || m.TierA == pyramid.VIP {
			continue
		}
		total++
		up := m.Change == Upgraded
		if up {
			ups++
		}
		for i, v := range attrs(m.CustomerID) {
			if v == "" {
				v = "unknown"
			}
			k := key{names[i], v}
			n[k]++
			if up {
				u[k]++
			}
		}
	}
	var out []Lift
	base := frac(float64(ups), float64(total))
	for k, c := range n {
		r := frac(float64(u[k]), float64(c))
		out = append(out, Lift{Attribute: k.a, Value: k.v, Customers: c, Upgraders: u[k], Rate: r, Lift: frac(r, base)})
	}
	order := map[string]int{}
	for i, a := range names {
		order[a] = i
	}
	slices.SortFunc(out, func(x, y Lift) int {
		if c := cmp.Compare(order[x.Attribute], order[y.Attribute]); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Lift, x.Lift); c != 0 {
			return c
		}
		return cmp.Compare(x.Value, y.Value)
	})
	return out
}

type migrationAnalysis struct{}

// New returns the tier migration analysis (A3).
func New() analysis.Analysis { return migrationAnalysis{} }

func (migrationAnalysis) Info() analysis.Info {
	d := func(en, zh string) analysis.Text { return analysis.Text{En: en, Zh: zh} }
	return analysis.Info{
		Name:    "tier_migration",
		Code:    "A3",
		Title:   d("Tier migration", "客户层级迁移"),
		Summary: d("Who moved up or down the customer pyramid between two periods, and what upgraders have in common.", "两个时期之间谁在客户金字塔中升级或降级,升级客户有何共同点。"),
		Options: []analysis.Option{
			{Key: "a_from", Type: "date", Help: d("Start of period A (default 24 months before as-of)", "时期 A 开始(默认基准日前 24 个月)")},
			{Key: "a_to", Type: "date", Help: d("End of period A (default 12 months before as-of)", "时期 A 结束(默认基准日前 12 个月)")},
			{Key: "b_from", Type: "date", Help: d("Start of period B (default 12 months before as-of)", "时期 B 开始(默认基准日前 12 个月)")},
			{Key: "b_to", Type: "date", Help: d("End of period B (default as-of)", "时期 B 结束(默认基准日)")},
		},
		Labels: labels,
		Needs:  []string{"orders", "customers", "responses"},
	}
}

func (x migrationAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(x.Info(), in.Options)
	af, at, bf, bt := o.Date("a_from"), o.Date("a_to"), o.Date("b_from"), o.Date("b_to")
	if err := o.Err(); err != nil {
		return nil, err
	}
	eod := func(t time.Time) time.Time { return t.Add(24*time.Hour - time.Nanosecond) }
	b := Period{in.AsOf.AddDate(-1, 0, 0).Add(time.Nanosecond), in.AsOf}
	a := Period{in.AsOf.AddDate(-2, 0, 0).Add(time.Nanosecond), b.From.Add(-time.Nanosecond)}
	if !af.IsZero() {
		a.From = af
	}
	if !at.IsZero() {
		a.To = eod(at)
	}
	if !bf.IsZero() {
		b.From = bf
	}
	if !bt.IsZero() {
		b.To = eod(bt)
	}
	var probs []kexi.FieldProblem
	if a.From.After(a.To) {
		probs = append(probs, kexi.FieldProblem{Column: "a_from", Value: a.From.Format("2006-01-02"), Reason: "expected a date before a_to " + a.To.Format("2006-01-02")})
	}
	if b.From.After(b.To) {
		probs = append(probs, kexi.FieldProblem{Column: "b_from", Value: b.From.Format("2006-01-02"), Reason: "expected a date before b_to " + b.To.Format("2006-01-02")})
	}
	if len(probs) > 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: probs}
	}
	d := in.Data
	moves := Moves(d.Orders, a, b)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Attributes for the lift table.
	ci := d.CustomerIndex()
	responded := map[int64]bool{}
	for i := range d.Responses {
		r := &d.Responses[i]
		k := strings.ToLower(r.Kind)
		if !r.Control && k != "" && k != "none" && k != "no" && k != "no_response" && (r.At.IsZero() || (!r.At.Before(a.From) && !r.At.After(b.To))) {
			responded[r.CustomerID] = true
		}
	}
	topCat := topCategories(d.Orders, a)
	attrs := func(cid int64) []string {
		var ch, prov string
		if i, ok := ci[cid]; ok {
			ch, prov = d.Customers[i].Channel, d.Customers[i].Province
		}
		resp := "not_responded"
		if responded[cid] {
			resp = "responded"
		}
		return []string{ch, resp, topCat[cid], prov}
	}
	lifts := Lifts(moves, []string{"channel", "campaign_response", "top_category", "province"}, attrs)

	// Matrix and counts.
	froms := append(slices.Clone(pyramid.Names), NewIn)
	tos := append(slices.Clone(pyramid.Names), Lost)
	idx := func(list []string, s string) int { return slices.Index(list, s) }
	var mat [5][5]int
	count := map[string]int{}
	var days []float64
	for _, m := range moves {
		f, t := m.TierA, m.TierB
		if f == "" {
			f = NewIn
		}
		if t == "" {
			t = Lost
		}
		mat[idx(froms, f)][idx(tos, t)]++
		count[m.Change]++
		if m.DaysToUpgrade >= 0 {
			days = append(days, float64(m.DaysToUpgrade))
		}
	}
	slices.Sort(days)
	var med float64
	if n := len(days); n > 0 {
		med = (days[(n-1)/2] + days[n/2]) / 2
	}
	res := &analysis.Result{Name: "tier_migration", AsOf: in.AsOf}
	res.Summary = []analysis.Figure{
		{Key: "period_a", Text: a.From.Format("2006-01-02") + " – " + a.To.Format("2006-01-02")},
		{Key: "period_b", Text: b.From.Format("2006-01-02") + " – " + b.To.Format("2006-01-02")},
		{Key: Upgraded, Value: float64(count[Upgraded])},
		{Key: Downgraded, Value: float64(count[Downgraded])},
		{Key: Same, Value: float64(count[Same])},
		{Key: NewIn, Value: float64(count[NewIn])},
		{Key: Lost, Value: float64(count[Lost])},
		{Key: "median_days_to_upgrade", Value: med, Unit: "days"},
	}
	mt := analysis.Table{Key: "matrix", Columns: []analysis.Column{{Key: "tier_a", Type: "label"}}}
	for _, t := range tos {
		mt.Columns = append(mt.Columns, analysis.Column{Key: "b." + t, Type: "int"})
	}
	sankey := analysis.Series{Key: "flows", Kind: "sankey"}
	for i, f := range froms {
		row := []any{f}
		for j, t := range tos {
			row = append(row, mat[i][j])
			if mat[i][j] > 0 {
				sankey.Links = append(sankey.Links, analysis.Link{Source: "a." + f, Target: "b." + t, Value: float64(mat[i][j])})
			}
		}
		mt.Rows = append(mt.Rows, row)
	}
	lt := analysis.Table{Key: "upgrader_lift", Columns: []analysis.Column{{Key: "attribute", Type: "label"}, {Key: "value", Type: "string"},
		{Key: "customers", Type: "int"}, {Key: "upgraders", Type: "int"}, {Key: "upgrade_rate", Type: "percent"}, {Key: "lift", Type: "float"}}}
	for _, l := range lifts {
		lt.Rows = append(lt.Rows, []any{l.Attribute, l.Value, l.Customers, l.Upgraders, l.Rate, l.Lift})
	}
	ct := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{{Key: "customer_id", Type: "int"},
		{Key: "tier_a", Type: "label"}, {Key: "tier_b", Type: "label"}, {Key: "spend_a", Type: "currency"}, {Key: "spend_b", Type: "currency"},
		{Key: "change", Type: "label"}, {Key: "days_to_upgrade", Type: "int"}}}
	ct.Rows = make([][]any, len(moves))
	for i, m := range moves {
		ta, tb := m.TierA, m.TierB
		if ta == "" {
			ta = NewIn
		}
		if tb == "" {
			tb = Lost
		}
		var du any
		if m.DaysToUpgrade >= 0 {
			du = m.DaysToUpgrade
		}
		ct.Rows[i] = []any{m.CustomerID, ta, tb, m.SpendA, m.SpendB, m.Change, du}
	}
	bar := analysis.Series{Key: "changes", Kind: "bar", X: []string{Upgraded, Same, Downgraded, NewIn, Lost}, Y: []analysis.Values{{Key: "customers"}}}
	for _, c := range bar.X {
		bar.Y[0].Data = append(bar.Y[0].Data, float64(count[c]))
	}
	res.Tables = []analysis.Table{mt, ct, lt}
	res.Series = []analysis.Series{sankey, bar}
	return res, nil
}

// topCategories returns each customer's top category by item value in period p.
func topCategories(orders []kexi.Order, p Period) map[int64]string {
	out := map[int64]string{}
	val := map[string]float64{}
	for i := 0; i < len(orders); {
		cid := orders[i].CustomerID
		clear(val)
		for ; i < len(orders) && orders[i].CustomerID == cid; i++ {
			o := &orders[i]
			if !o.IsPurchase() || !p.In(o.OrderedAt) {
				continue
			}
			for _, it := range o.Items {
				val[it.Category] += it.Quantity * it.UnitPrice
			}
		}
		best, bv := "", 0.0
		for c, v := range val {
			if v > bv || (v == bv && c < best) {
				best, bv = c, v
			}
		}
		if best != "" {
			out[cid] = best
		}
	}
	return out
}

func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labels = func() map[string]analysis.Text {
	m := map[string]analysis.Text{
		"period_a":               {En: "Period A", Zh: "时期 A"},
		"period_b":               {En: "Period B", Zh: "时期 B"},
		Upgraded:                 {En: "Upgraded", Zh: "升级"},
		Downgraded:               {En: "Downgraded", Zh: "降级"},
		Same:                     {En: "Same tier", Zh: "层级不变"},
		NewIn:                    {En: "New", Zh: "新增"},
		Lost:                     {En: "Lost", Zh: "流失"},
		"median_days_to_upgrade": {En: "Median days to upgrade", Zh: "升级所需天数中位数"},
		"matrix":                 {En: "Tier A × tier B", Zh: "层级迁移矩阵"},
		"tier_a":                 {En: "Tier in A", Zh: "时期 A 层级"},
		"tier_b":                 {En: "Tier in B", Zh: "时期 B 层级"},
		"upgrader_lift":          {En: "What upgraders have in common", Zh: "升级客户的共同特征"},
		"attribute":              {En: "Attribute", Zh: "属性"},
		"value":                  {En: "Value", Zh: "取值"},
		"customers":              {En: "Customers", Zh: "客户数"},
		"upgraders":              {En: "Upgraders", Zh: "升级客户数"},
		"upgrade_rate":           {En: "Upgrade rate", Zh: "升级率"},
		"lift":                   {En: "Lift", Zh: "提升度"},
		"customer_id":            {En: "Customer", Zh: "客户"},
		"spend_a":                {En: "Spend in A", Zh: "时期 A 消费"},
		"spend_b":                {En: "Spend in B", Zh: "时期 B 消费"},
		"change":                 {En: "Change", Zh: "变化"},
		"days_to_upgrade":        {En: "Days to upgrade", Zh: "升级用时(天)"},
		"flows":                  {En: "Tier flows A → B", Zh: "层级流向 A → B"},
		"changes":                {En: "Customers by change", Zh: "各类变化客户数"},
		"channel":                {En: "Acquisition channel", Zh: "获客渠道"},
		"campaign_response":      {En: "Campaign response", Zh: "活动响应"},
		"top_category":           {En: "Top category in A", Zh: "时期 A 偏好品类"},
		"province":               {En: "Province", Zh: "省份"},
		"responded":              {En: "Responded", Zh: "有响应"},
		"not_responded":          {En: "No response", Zh: "无响应"},
	}
	tier := map[string]analysis.Text{
		pyramid.VIP: {En: "VIP", Zh: "VIP 客户"}, pyramid.Major: {En: "Major", Zh: "主要客户"},
		pyramid.Ordinary: {En: "Ordinary", Zh: "普通客户"}, pyramid.Small: {En: "Small", Zh: "小客户"},
		NewIn: {En: "New", Zh: "新增"}, Lost: {En: "Lost", Zh: "流失"},
	}
	for k, t := range tier {
		m[k] = t
		m["a."+k] = analysis.Text{En: t.En + " (A)", Zh: t.Zh + "(A)"}
		m["b."+k] = analysis.Text{En: t.En + " (B)", Zh: t.Zh + "(B)"}
	}
	return m
}()
