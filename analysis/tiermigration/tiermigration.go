// Package tiermigration compares the customer pyramid of two periods 客户层级迁移 (A3): who moved
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
package tiermigration

import (
	"cmp"
	"context"
	"slices"
	"sort"
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

// millis returns the period as Unix milliseconds: a whole-millisecond time t (an order's) is
// in it exactly when lo <= t <= hi.
func (p Period) millis() (lo, hi int64) {
	lo = p.From.UnixMilli() // floors
	if p.From.Sub(time.UnixMilli(lo)) > 0 {
		lo++ // From is inside that millisecond: the next one is the first in the period
	}
	return lo, p.To.UnixMilli()
}

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
func Moves(orders *kexi.OrderTable, a, b Period) []Move {
	moves, _ := compare(orders, a, b, false, 0)
	return moves
}

// compare makes one pass over the orders for Moves and, when cats is set, also returns each
// move's top category in period a (by item value; "" when none). customers sizes the slices.
func compare(orders *kexi.OrderTable, a, b Period, cats bool, customers int) ([]Move, []string) {
	out, runs, top := spends(orders, a, b, cats, customers)
	place(out)
	minB := classify(out)
	upgradeDays(out, runs, orders, b, minB)
	return out, top
}

// span is a customer's orders, from to to.
type span struct{ from, to int32 }

// spends returns a Move (spends only) for each customer with spend in period a or b, the
// span of their orders, and with cats their top category in a.
func spends(orders *kexi.OrderTable, a, b Period, cats bool, customers int) ([]Move, []span, []string) {
	out := make([]Move, 0, customers)
	runs := make([]span, 0, customers)
	var top []string
	if cats {
		top = make([]string, 0, customers)
	}
	tc := topCategory{lastCatID: -1}
	aLo, aHi := a.millis()
	bLo, bHi := b.millis()
	cids, at := orders.CustomerID, orders.At
	for x := 0; x < len(cids); {
		cid := cids[x]
		var sa, sb float64
		y := x
		for ; y < len(cids) && cids[y] == cid; y++ {
			if !orders.IsPurchase(y) {
				continue
			}
			inA := aLo <= at[y] && at[y] <= aHi
			if inA {
				sa += orders.Amount[y]
			}
			if bLo <= at[y] && at[y] <= bHi {
				sb += orders.Amount[y]
			}
			if cats && inA {
				tc.add(orders, y)
			}
		}
		best := tc.best()
		if cid != 0 && (sa > 0 || sb > 0) {
			out = append(out, Move{CustomerID: cid, SpendA: sa, SpendB: sb, DaysToUpgrade: -1})
			runs = append(runs, span{int32(x), int32(y)})
			if cats {
				top = append(top, best)
			}
		}
		x = y
	}
	return out, runs, top
}

// topCategory sums one customer's item value by category.
type topCategory struct {
	names     []string  // categories seen
	val       []float64 // item value per category for the current customer
	touched   []int
	lastCat   string
	lastCatID int // -1: none yet
}

// add adds order y's lines.
func (tc *topCategory) add(orders *kexi.OrderTable, y int) {
	lines := &orders.Lines
	lo, hi := orders.LineRange(y)
	for j := lo; j < hi; j++ {
		it := lines.ItemOf(j)
		k := tc.lastCatID
		if k < 0 || it.Category != tc.lastCat {
			k = slices.Index(tc.names, it.Category)
			if k < 0 {
				k = len(tc.names)
				tc.names = append(tc.names, it.Category)
				tc.val = append(tc.val, 0)
			}
			tc.lastCat, tc.lastCatID = it.Category, k
		}
		if !slices.Contains(tc.touched, k) {
			tc.touched = append(tc.touched, k)
		}
		tc.val[k] += lines.Quantity[j] * lines.UnitPrice[j]
	}
}

// best returns the customer's category of the most item value (ties by name; "" when none
// has value) and starts the next customer.
func (tc *topCategory) best() string {
	best, bv := "", 0.0
	for _, k := range tc.touched {
		if v, c := tc.val[k], tc.names[k]; v > bv || (v == bv && c < best) {
			best, bv = c, v
		}
		tc.val[k] = 0
	}
	tc.touched = tc.touched[:0]
	return best
}

// place sets the tiers in each period: the customers with spend there ranked, in id order.
func place(out []Move) {
	for _, per := range []struct {
		spend func(m *Move) float64
		tier  func(m *Move) *string
	}{
		{func(m *Move) float64 { return m.SpendA }, func(m *Move) *string { return &m.TierA }},
		{func(m *Move) float64 { return m.SpendB }, func(m *Move) *string { return &m.TierB }},
	} {
		in := make([]int32, 0, len(out))
		for i := range out {
			if analysis.Cents(per.spend(&out[i])) > 0 { // as pyramid.Tiers: a cent or more
				in = append(in, int32(i))
			}
		}
		tiers := pyramid.Place(len(in), func(k int) (float64, int64) {
			m := &out[in[k]]
			return per.spend(m), m.CustomerID
		})
		for k, i := range in {
			*per.tier(&out[i]) = tiers[k]
		}
	}
}

// classify sets each move's change and returns the lowest spend of each B tier, by
// pyramid.Level (an array, not a map, for 100,000 look-ups): what placed a customer in it.
func classify(out []Move) [5]float64 {
	var minB [5]float64
	var seenB [5]bool
	for i := range out {
		m := &out[i]
		la, lb := pyramid.Level(m.TierA), pyramid.Level(m.TierB)
		if m.TierB != "" && (!seenB[lb] || m.SpendB < minB[lb]) {
			minB[lb], seenB[lb] = m.SpendB, true
		}
		switch {
		case m.TierA == "":
			m.Change = NewIn
		case m.TierB == "":
			m.Change = Lost
		case lb > la:
			m.Change = Upgraded
		case lb < la:
			m.Change = Downgraded
		default:
			m.Change = Same
		}
	}
	return minB
}

// upgradeDays sets each upgrader's days from the start of period b until their B purchases,
// in time order, reached the lowest spend of their B tier (minB).
func upgradeDays(out []Move, runs []span, orders *kexi.OrderTable, b Period, minB [5]float64) {
	bLo, bHi := b.millis()
	at := orders.At
	for i := range out {
		m := &out[i]
		if m.Change != Upgraded {
			continue
		}
		need := minB[pyramid.Level(m.TierB)]
		var run float64
		for j := int(runs[i].from); j < int(runs[i].to); j++ {
			if orders.IsPurchase(j) && bLo <= at[j] && at[j] <= bHi {
				run += orders.Amount[j]
				if analysis.Cents(run) >= analysis.Cents(need) { // money compares in cents
					m.DaysToUpgrade = int(orders.Time(j).Sub(b.From) / (24 * time.Hour))
					break
				}
			}
		}
	}
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
	// Per attribute, the values seen and their counts; values are few, so a short list with the
	// last hit remembered beats a map keyed by attribute and value.
	type count struct {
		v    string
		n, u int
	}
	seen := make([][]count, len(names))
	last := make([]int, len(names))
	slot := make([]int, len(names)) // a repeated name counts with its first occurrence
	for i, a := range names {
		slot[i] = slices.Index(names, a)
	}
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
			i = slot[i]
			cs := seen[i]
			k := last[i]
			if k >= len(cs) || cs[k].v != v {
				k = slices.IndexFunc(cs, func(c count) bool { return c.v == v })
				if k < 0 {
					k = len(cs)
					seen[i] = append(seen[i], count{v: v})
					cs = seen[i]
				}
				last[i] = k
			}
			cs[k].n++
			if up {
				cs[k].u++
			}
		}
	}
	var out []Lift
	base := analysis.Frac(float64(ups), float64(total))
	for i, cs := range seen {
		for _, c := range cs {
			r := analysis.Frac(float64(c.u), float64(c.n))
			out = append(out, Lift{Attribute: names[i], Value: c.v, Customers: c.n, Upgraders: c.u, Rate: r, Lift: analysis.Frac(r, base)})
		}
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

type tiermigrationAnalysis struct{}

// New returns the tier migration analysis (A3).
func New() analysis.Analysis { return tiermigrationAnalysis{} }

func (tiermigrationAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "tier_migration",
		Code:    "A3",
		Title:   analysis.Text{En: "Tier migration", Zh: "客户层级迁移"},
		Summary: analysis.Text{En: "Who moved up or down the customer pyramid between two periods, and what upgraders have in common.", Zh: "两个时期之间谁在客户金字塔中升级或降级,升级客户有何共同点。"},
		Options: []analysis.Option{
			{Key: "a_from", Type: "date", Help: analysis.Text{En: "Start of period A (default 24 months before as-of)", Zh: "时期 A 开始(默认基准日前 24 个月)"}},
			{Key: "a_to", Type: "date", Help: analysis.Text{En: "End of period A (default 12 months before as-of)", Zh: "时期 A 结束(默认基准日前 12 个月)"}},
			{Key: "b_from", Type: "date", Help: analysis.Text{En: "Start of period B (default 12 months before as-of)", Zh: "时期 B 开始(默认基准日前 12 个月)"}},
			{Key: "b_to", Type: "date", Help: analysis.Text{En: "End of period B (default as-of)", Zh: "时期 B 结束(默认基准日)"}},
		},
		Labels: labels,
		Needs:  []string{"orders", "items", "customers", "responses"},
		Reads:  []string{"orders", "items", "customers", "responses"},
	}
}

func (x tiermigrationAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	a, b, err := periods(x.Info(), in)
	if err != nil {
		return nil, err
	}
	d := in.Data
	moves, topCat := compare(&d.Orders, a, b, true, len(d.Customers))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lifts := Lifts(moves, []string{"channel", "campaign_response", "top_category", "province"}, attributes(d, moves, topCat, a, b))
	t := tally(moves)
	res := &analysis.Result{Name: "tier_migration", AsOf: in.AsOf, Summary: t.figures(a, b)}
	mt, sankey := t.matrixTable()
	res.Tables = []analysis.Table{mt, customerTable(moves), liftTable(lifts)}
	res.Series = []analysis.Series{sankey, t.changeBar()}
	return res, nil
}

// periods returns the periods A and B: the options, by default the 12 months before the
// 12 months to the as-of date and those 12 months.
func periods(info analysis.Info, in analysis.Input) (a, b Period, err error) {
	o := analysis.NewOpts(info, in.Options)
	loc := in.Location()
	af, at, bf, bt := o.DateIn("a_from", loc), o.DateIn("a_to", loc), o.DateIn("b_from", loc), o.DateIn("b_to", loc)
	if err := o.Err(); err != nil {
		return a, b, err
	}
	eod := func(t time.Time) time.Time { return analysis.EndOfDay(t, loc) }
	b = Period{in.AsOf.AddDate(-1, 0, 0).Add(time.Nanosecond), in.AsOf}
	a = Period{in.AsOf.AddDate(-2, 0, 0).Add(time.Nanosecond), b.From.Add(-time.Nanosecond)}
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
		return a, b, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: probs}
	}
	return a, b, nil
}

// attributes returns the attributes for the lift table: a customer's acquisition channel,
// campaign response (a targeted, positive response from the start of A to the end of B, or
// undated), top category in A and province. Lifts asks for them in move order, which is
// customer id order: a cursor walks the customers and the sorted responders instead of maps.
func attributes(d *kexi.Dataset, moves []Move, topCat []string, a, b Period) func(cid int64) []string {
	var responded []int64
	for i := range d.Responses {
		r := &d.Responses[i]
		k := strings.ToLower(r.Kind)
		if !r.Control && k != "" && k != "none" && k != "no" && k != "no_response" && (r.At.IsZero() || (!r.At.Before(a.From) && !r.At.After(b.To))) {
			responded = append(responded, r.CustomerID)
		}
	}
	slices.Sort(responded)
	moveAt, custAt := 0, 0
	buf := make([]string, 4)
	return func(cid int64) []string {
		var ch, prov string
		for custAt < len(d.Customers) && d.Customers[custAt].ID < cid {
			custAt++
		}
		if custAt >= len(d.Customers) || d.Customers[custAt].ID != cid {
			custAt, _ = findCustomer(d.Customers, cid)
		}
		if custAt < len(d.Customers) && d.Customers[custAt].ID == cid {
			ch, prov = d.Customers[custAt].Channel, d.Customers[custAt].Province
		}
		resp := "not_responded"
		if _, ok := slices.BinarySearch(responded, cid); ok {
			resp = "responded"
		}
		for moveAt < len(moves) && moves[moveAt].CustomerID < cid {
			moveAt++
		}
		if moveAt >= len(moves) || moves[moveAt].CustomerID != cid {
			moveAt, _ = slices.BinarySearchFunc(moves, cid, func(m Move, id int64) int { return cmp.Compare(m.CustomerID, id) })
		}
		cat := ""
		if moveAt < len(moves) && moves[moveAt].CustomerID == cid {
			cat = topCat[moveAt]
		}
		buf[0], buf[1], buf[2], buf[3] = ch, resp, cat, prov
		return buf
	}
}

// Rows and columns of the matrix: tiers in A (then new), tiers in B (then lost); and the
// changes.
var (
	froms   = append(slices.Clone(pyramid.Names), NewIn)
	tos     = append(slices.Clone(pyramid.Names), Lost)
	changes = []string{Upgraded, Downgraded, Same, NewIn, Lost}
)

// counts is the moves counted: by tier in A and B (froms × tos), by change, and the median
// days to upgrade (0 without upgraders).
type counts struct {
	mat      [5][5]int
	byChange [5]int // by changes; an array, not a map: one look-up per move
	med      float64
}

// tally counts the moves.
func tally(moves []Move) counts {
	var t counts
	var days []float64
	for i := range moves {
		m := &moves[i]
		f, to := m.TierA, m.TierB
		if f == "" {
			f = NewIn
		}
		if to == "" {
			to = Lost
		}
		t.mat[slices.Index(froms, f)][slices.Index(tos, to)]++
		t.byChange[slices.Index(changes, m.Change)]++
		if m.DaysToUpgrade >= 0 {
			days = append(days, float64(m.DaysToUpgrade))
		}
	}
	slices.Sort(days)
	if n := len(days); n > 0 {
		t.med = (days[(n-1)/2] + days[n/2]) / 2
	}
	return t
}

// count returns the moves of one change.
func (t *counts) count(change string) float64 {
	return float64(t.byChange[slices.Index(changes, change)])
}

// figures returns the summary.
func (t *counts) figures(a, b Period) []analysis.Figure {
	return []analysis.Figure{
		{Key: "period_a", Text: a.From.Format("2006-01-02") + " – " + a.To.Format("2006-01-02")},
		{Key: "period_b", Text: b.From.Format("2006-01-02") + " – " + b.To.Format("2006-01-02")},
		{Key: Upgraded, Value: t.count(Upgraded), Drill: analysis.Drill{Column: "change", Value: Upgraded}},
		{Key: Downgraded, Value: t.count(Downgraded), Drill: analysis.Drill{Column: "change", Value: Downgraded}},
		{Key: Same, Value: t.count(Same), Drill: analysis.Drill{Column: "change", Value: Same}},
		{Key: NewIn, Value: t.count(NewIn), Drill: analysis.Drill{Column: "change", Value: NewIn}},
		{Key: Lost, Value: t.count(Lost), Drill: analysis.Drill{Column: "change", Value: Lost}},
		{Key: "median_days_to_upgrade", Value: t.med, Unit: "days"},
	}
}

// matrixTable is the tier in A against the tier in B, as a table and as flows.
func (t *counts) matrixTable() (analysis.Table, analysis.Series) {
	mt := analysis.Table{Key: "matrix", Columns: []analysis.Column{{Key: "tier_a", Type: "label"}}}
	for _, to := range tos {
		mt.Columns = append(mt.Columns, analysis.Column{Key: "b." + to, Type: "int"})
	}
	sankey := analysis.Series{Key: "flows", Kind: "sankey", Drill: analysis.Drill{Column: "tier_a", YColumn: "tier_b"}}
	for i, f := range froms {
		row := []any{f}
		for j, to := range tos {
			row = append(row, t.mat[i][j])
			if t.mat[i][j] > 0 {
				sankey.Links = append(sankey.Links, analysis.Link{Source: "a." + f, Target: "b." + to, Value: float64(t.mat[i][j])})
				sankey.Drill.Values = append(sankey.Drill.Values, f)
				sankey.Drill.YValues = append(sankey.Drill.YValues, to)
			}
		}
		mt.Rows = append(mt.Rows, row)
	}
	return mt, sankey
}

// changeBar is the customers by change.
func (t *counts) changeBar() analysis.Series {
	bar := analysis.Series{Key: "changes", Kind: "bar", X: []string{Upgraded, Same, Downgraded, NewIn, Lost}, Y: []analysis.Values{{Key: "customers"}},
		Drill: analysis.Drill{Column: "change"}}
	for _, c := range bar.X {
		bar.Y[0].Data = append(bar.Y[0].Data, t.count(c))
	}
	return bar
}

// liftTable lists the lifts.
func liftTable(lifts []Lift) analysis.Table {
	lt := analysis.Table{Key: "upgrader_lift", Columns: []analysis.Column{{Key: "attribute", Type: "label"}, {Key: "value", Type: "terms"},
		{Key: "customers", Type: "int"}, {Key: "upgraders", Type: "int"}, {Key: "upgrade_rate", Type: "percent"}, {Key: "lift", Type: "float"}}}
	for _, l := range lifts {
		lt.Rows = append(lt.Rows, []any{l.Attribute, l.Value, l.Customers, l.Upgraders, l.Rate, l.Lift})
	}
	return lt
}

// customerTable lists every move.
func customerTable(moves []Move) analysis.Table {
	ct := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{{Key: "customer_id", Type: "int"},
		{Key: "tier_a", Type: "label"}, {Key: "tier_b", Type: "label"}, {Key: "spend_a", Type: "currency"}, {Key: "spend_b", Type: "currency"},
		{Key: "change", Type: "label"}, {Key: "days_to_upgrade", Type: "int"}}}
	ct.Rows = analysis.Rows(len(moves), len(ct.Columns))
	for i := range moves {
		m := &moves[i]
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
		row := ct.Rows[i]
		row[0], row[1], row[2], row[3], row[4], row[5], row[6] = m.CustomerID, boxed(ta), boxed(tb), m.SpendA, m.SpendB, boxed(m.Change), du
	}
	return ct
}

// findCustomer returns the position of the customer with the id in customers (sorted by id).
func findCustomer(customers []kexi.Customer, id int64) (int, bool) {
	i := sort.Search(len(customers), func(i int) bool { return customers[i].ID >= id })
	return i, i < len(customers) && customers[i].ID == id
}

// boxed returns a tier or change key as an interface value without allocating: the constants
// are boxed statically.
func boxed(key string) any {
	switch key {
	case pyramid.VIP:
		return pyramid.VIP
	case pyramid.Major:
		return pyramid.Major
	case pyramid.Ordinary:
		return pyramid.Ordinary
	case pyramid.Small:
		return pyramid.Small
	case NewIn:
		return NewIn
	case Lost:
		return Lost
	case Upgraded:
		return Upgraded
	case Downgraded:
		return Downgraded
	case Same:
		return Same
	}
	return key
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
	return analysis.WithFields(m, "province")
}()
