// Package loyalty measures loyalty and retention 忠诚度与保留 (A6): how long customers stay
// (days from first to last purchase), how many never come back for a second order, how long the
// second order takes, the days between orders, the repeat-purchase rate, and monthly acquisition
// cohorts with their active share and revenue in each later month.
//
// Only purchases (kexi.OrderTable.IsPurchase) in the period and at or before the as-of time count.
// Day counts are whole elapsed days (24-hour periods), so two orders on the same day are 0 days
// apart. A customer's cohort is the calendar month of their first counted purchase in the
// business's time zone; they are active in month +k when they make at least one purchase in
// that calendar month (month +0 is always 100 %).
package loyalty

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// Row is one customer's purchase history in brief.
type Row struct {
	CustomerID int64
	First      time.Time
	Last       time.Time
	Orders     int
	Revenue    float64
	Lifetime   int // whole days from first to last purchase
	ToSecond   int // whole days from first to second purchase; -1 with a single purchase
	// Gaps holds the whole days between consecutive purchases (Orders−1 values).
	Gaps []int
	// Cohort is the month of the first purchase ("2010-12") and Active the months after it
	// (0, 1, …) with a purchase, in order: the customer's cohort cells. Only the analysis's
	// own pass sets them (Customers does not).
	Cohort string
	Active []int
}

// Customers summarises each customer with at least one counted purchase, in customer id order.
// orders must be in Dataset order; a purchase counts when keep (nil = all) accepts its time.
// Orders without a customer are skipped. The Gaps slices share one backing array.
func Customers(orders *kexi.OrderTable, keep func(time.Time) bool) []Row {
	rows := make([]Row, 0, orders.Len()/8+1)
	gaps := make([]int, 0, orders.Len()) // room for every gap: the slices never move
	scan(orders, keep, nil, time.Time{}, func(r *Row) {
		g0 := len(gaps)
		gaps = append(gaps, r.Gaps...)
		r.Gaps = gaps[g0:len(gaps):len(gaps)]
		rows = append(rows, *r)
	})
	return rows
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Cohort is one monthly acquisition cohort. Active[k] and Revenue[k] are the customers who
// purchased, and what they spent, in month +k.
type Cohort struct {
	Year      int
	Month     time.Month
	Customers int
	Active    []int
	Revenue   []float64
}

// Label returns the cohort's month as "2010-12".
func (c *Cohort) Label() string { return fmt.Sprintf("%04d-%02d", c.Year, int(c.Month)) }

// Cohorts groups customers by the month of their first counted purchase (in loc) and counts,
// for each month from then up to the month of until, who purchased and for how much. Cohorts
// come in month order; months with no new customers are left out. orders and keep are as for
// Customers.
func Cohorts(orders *kexi.OrderTable, keep func(time.Time) bool, loc *time.Location, until time.Time) []Cohort {
	return scan(orders, keep, stats.NewCalendar(loc), until, nil)
}

// scan makes one pass over the orders, calling row (when not nil) with each customer's Row,
// whose Gaps are valid only during the call, and returning Cohorts in cal's zone up to until
// when cal is set. Handing rows over one at a time lets Run fill its table without a slice of
// rows and a slice of every gap.
func scan(orders *kexi.OrderTable, keep func(time.Time) bool, cal *stats.Calendar, until time.Time, row func(*Row)) []Cohort {
	var r Row           // the current customer's, one for all: row is handed a pointer
	var gaps, act []int // the current customer's gaps and active months
	type acc struct {
		label  string
		n      int
		active []int
		rev    []float64
	}
	var by map[int]*acc
	end := 0
	if cal != nil {
		by = map[int]*acc{}
		end = cal.Month(until)
	}
	cids := orders.CustomerID
	for i := 0; i < len(cids); {
		cid := cids[i]
		if cid == 0 {
			for i < len(cids) && cids[i] == 0 {
				i++
			}
			continue
		}
		r = Row{CustomerID: cid, ToSecond: -1}
		gaps, act = gaps[:0], act[:0]
		var c *acc
		first, lastK := -1, -1
		for ; i < len(cids) && cids[i] == cid; i++ {
			if !orders.IsPurchase(i) {
				continue
			}
			at := orders.Time(i)
			if keep != nil && !keep(at) {
				continue
			}
			if row != nil {
				if r.Orders > 0 {
					gaps = append(gaps, days(at.Sub(r.Last)))
				} else {
					r.First = at
				}
				r.Orders++
				if r.Orders == 2 {
					r.ToSecond = days(at.Sub(r.First))
				}
				r.Revenue += orders.Amount[i]
				r.Last = at
			}
			if cal == nil {
				continue
			}
			m := cal.Month(at)
			if first < 0 {
				first = m
				if c = by[m]; c == nil {
					span := max(end-m+1, 1)
					c = &acc{label: fmt.Sprintf("%04d-%02d", m/12, m%12+1), active: make([]int, span), rev: make([]float64, span)}
					by[m] = c
				}
				c.n++
			}
			k := m - first
			if k >= len(c.active) {
				continue
			}
			if k != lastK {
				c.active[k]++
				lastK = k
				act = append(act, k)
			}
			c.rev[k] += orders.Amount[i]
		}
		if r.Orders == 0 {
			continue
		}
		r.Lifetime = days(r.Last.Sub(r.First))
		r.Gaps = gaps
		if c != nil {
			r.Cohort, r.Active = c.label, act
		}
		row(&r)
	}
	if cal == nil {
		return nil
	}
	out := make([]Cohort, 0, len(by))
	for m := range by {
		c := by[m]
		out = append(out, Cohort{Year: m / 12, Month: time.Month(m%12 + 1), Customers: c.n, Active: c.active, Revenue: c.rev})
	}
	slices.SortFunc(out, func(a, b Cohort) int { return cmp.Compare(a.Year*12+int(a.Month), b.Year*12+int(b.Month)) })
	return out
}

type loyaltyAnalysis struct{}

// New returns the loyalty and retention analysis (A6).
func New() analysis.Analysis { return loyaltyAnalysis{} }

func (loyaltyAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "loyalty",
		Code:    "A6",
		Title:   analysis.Text{En: "Loyalty and retention", Zh: "忠诚度与保留"},
		Summary: analysis.Text{En: "Do customers come back: repeat rate, time to the second order, and monthly cohorts.", Zh: "客户是否回头:复购率、二次购买间隔和月度客户群留存。"},
		Options: []analysis.Option{{Key: "months", Default: "12", Type: "int",
			Help: analysis.Text{En: "Months after acquisition shown in the cohort table (0 = all)", Zh: "客户群表显示的获客后月数(0 = 全部)"}}},
		Labels: labels,
		Needs:  []string{"orders"},
		Reads:  []string{"orders"},
	}
}

func (a loyaltyAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(a.Info(), in.Options)
	months := o.Int("months")
	if err := o.Err(); err != nil {
		return nil, err
	}
	if months < 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{
			{Column: "months", Value: fmt.Sprint(months), Reason: "expected 0 or more months"}}}
	}
	asOf := in.AsOf
	keep := in.Until(asOf)
	res := &analysis.Result{Name: "loyalty", AsOf: asOf}
	var oneTime, orders int
	var life, second, gaps hist
	freq := analysis.Series{Key: "orders_per_customer", Kind: "histogram", X: freqBins, Y: []analysis.Values{{Key: "customers", Data: make([]float64, len(freqBins))}}}
	sec := analysis.Series{Key: "days_to_second_order", Kind: "histogram", X: dayBins, Y: []analysis.Values{{Key: "customers", Data: make([]float64, len(dayBins))}}}
	btw := analysis.Series{Key: "days_between_orders", Kind: "histogram", X: dayBins, Y: []analysis.Values{{Key: "orders", Data: make([]float64, len(dayBins))}}}
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "first_order", Type: "date"}, {Key: "last_order", Type: "date"},
		{Key: "orders", Type: "int"}, {Key: "revenue", Type: "currency"}, {Key: "lifetime_days", Type: "int"},
		{Key: "days_to_second", Type: "int"}, {Key: "mean_days_between", Type: "float"},
		{Key: "cohort", Type: "string"}, {Key: "active_months", Type: "terms"}}}
	// The table is filled as scan hands over each customer, without a slice of rows and of
	// every gap first; its cells come in chunks of rows (one allocation per chunk), since the
	// number of rows is known only at the end.
	width := len(cust.Columns)
	cust.Rows = make([][]any, 0, len(in.Data.Customers))
	var cells []any
	// The cohort and active-months cells repeat (a cohort's label; "+0" for every one-time
	// buyer): each text is boxed once, not once per row, for the lists of up to three months.
	buf := make([]byte, 0, 64)
	boxed := map[string]any{}
	box := func(b []byte, keep bool) any {
		if v, ok := boxed[string(b)]; ok {
			return v
		}
		var v any = string(b)
		if keep {
			boxed[string(b)] = v
		}
		return v
	}
	mostOrders, mostToSecond := 21, 366
	cohorts := scan(&in.Data.Orders, keep, stats.NewCalendar(in.Location()), asOf, func(r *Row) {
		orders += r.Orders
		mostOrders = max(mostOrders, r.Orders)
		freq.Y[0].Data[freqBin(r.Orders)]++
		var toSecond, meanGap any
		if r.Orders == 1 {
			oneTime++
		} else {
			life.add(r.Lifetime)
			second.add(r.ToSecond)
			sec.Y[0].Data[dayBin(r.ToSecond)]++
			mostToSecond = max(mostToSecond, r.ToSecond)
			toSecond = r.ToSecond
			meanGap = float64(r.Lifetime) / float64(r.Orders-1)
		}
		for _, g := range r.Gaps {
			gaps.add(g)
			btw.Y[0].Data[dayBin(g)]++
		}
		if len(cells) < width {
			cells = make([]any, 1024*width)
		}
		row := cells[:width:width]
		cells = cells[width:]
		row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] = r.CustomerID, r.First, r.Last, r.Orders, r.Revenue, r.Lifetime, toSecond, meanGap
		buf = append(buf[:0], r.Cohort...)
		row[8] = box(buf, true)
		buf = activeMonths(buf[:0], r.Active)
		row[9] = box(buf, len(r.Active) <= 3)
		cust.Rows = append(cust.Rows, row)
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The customers, the one-time buyers and the bins of orders per customer and of days to
	// the second order drill down (the bins by edges, the last one's upper edge the most of
	// any customer), and so do the cohort cells and rows: cohort X's active customers in
	// month +k are those whose cohort is X and whose active months list +k. The days between
	// orders do not: they count gaps between orders, not customers.
	freq.Drill = analysis.Drill{Column: "orders", Edges: []float64{1, 2, 3, 4, 5, 6, 11, 21, float64(mostOrders)}}
	sec.Drill = analysis.Drill{Column: "days_to_second", Edges: []float64{0, 8, 31, 91, 181, 366, float64(mostToSecond)}}
	n := float64(len(cust.Rows))
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: n, Drill: analysis.Everyone("customer_id")},
		{Key: "one_time_buyers", Value: float64(oneTime), Drill: analysis.Drill{Column: "orders", Value: "1"}},
		{Key: "one_time_share", Value: frac(float64(oneTime), n), Unit: "%"},
		{Key: "repeat_rate", Value: frac(n-float64(oneTime), n), Unit: "%"},
		{Key: "orders_per_customer", Value: frac(float64(orders), n)},
		{Key: "median_lifetime_days", Value: life.median(), Unit: "days"},
		{Key: "median_days_to_second", Value: second.median(), Unit: "days"},
		{Key: "median_days_between", Value: gaps.median(), Unit: "days"},
	}
	if len(cust.Rows) == 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_purchases", "no purchases in the period", "所选期间内没有购买记录"))
	}

	ct := analysis.Table{Key: "cohorts", Columns: []analysis.Column{
		{Key: "cohort", Type: "string"}, {Key: "month", Type: "int"}, {Key: "cohort_customers", Type: "int"},
		{Key: "active", Type: "int"}, {Key: "active_share", Type: "percent"}, {Key: "revenue", Type: "currency"}}}
	cellDrill := analysis.Drill{Column: "cohort", YColumn: "active_months"}
	heat := analysis.Series{Key: "cohort_retention", Kind: "heatmap", Drill: cellDrill}
	rev := analysis.Series{Key: "cohort_revenue", Kind: "heatmap", Drill: cellDrill}
	ct.Drill = analysis.Drill{Column: "cohort", Key: "cohort", YColumn: "active_months", Count: "active"}
	maxK := 0
	for x, c := range cohorts {
		heat.X = append(heat.X, c.Label())
		for k := range c.Active {
			if months > 0 && k > months {
				break
			}
			share := frac(float64(c.Active[k]), float64(c.Customers))
			ct.Rows = append(ct.Rows, []any{c.Label(), k, c.Customers, c.Active[k], share, c.Revenue[k]})
			ct.Drill.YValues = append(ct.Drill.YValues, monthLabel(k))
			heat.Cells = append(heat.Cells, [3]float64{float64(x), float64(k), share})
			rev.Cells = append(rev.Cells, [3]float64{float64(x), float64(k), c.Revenue[k]})
			maxK = max(maxK, k)
		}
	}
	for k := 0; k <= maxK && len(cohorts) > 0; k++ {
		heat.YCats = append(heat.YCats, monthLabel(k))
	}
	rev.X, rev.YCats = heat.X, heat.YCats
	res.Tables = []analysis.Table{ct, cust}
	res.Series = []analysis.Series{heat, rev, freq, sec, btw}
	return res, nil
}

// monthLabel names month +k after acquisition: "+0", "+3".
func monthLabel(k int) string { return "+" + strconv.Itoa(k) }

// activeMonths appends a customer's active months as a "terms" list: "+0, +1, +3".
func activeMonths(buf []byte, ks []int) []byte {
	for i, k := range ks {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = append(buf, '+')
		buf = strconv.AppendInt(buf, int64(k), 10)
	}
	return buf
}

var (
	freqBins = []string{"1", "2", "3", "4", "5", "6-10", "11-20", "21+"}
	dayBins  = []string{"0-7", "8-30", "31-90", "91-180", "181-365", "366+"}
)

func freqBin(n int) int {
	switch {
	case n <= 5:
		return n - 1
	case n <= 10:
		return 5
	case n <= 20:
		return 6
	}
	return 7
}

func dayBin(d int) int {
	switch {
	case d <= 7:
		return 0
	case d <= 30:
		return 1
	case d <= 90:
		return 2
	case d <= 180:
		return 3
	case d <= 365:
		return 4
	}
	return 5
}

func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labels = map[string]analysis.Text{
	"customers":             {En: "Customers", Zh: "客户数"},
	"one_time_buyers":       {En: "One-time buyers", Zh: "仅购买一次的客户"},
	"one_time_share":        {En: "Share who never order twice", Zh: "未复购客户占比"},
	"repeat_rate":           {En: "Repeat-purchase rate", Zh: "复购率"},
	"orders_per_customer":   {En: "Orders per customer", Zh: "人均订单数"},
	"median_lifetime_days":  {En: "Median days first → last order (repeat buyers)", Zh: "首末单间隔中位数(复购客户,天)"},
	"median_days_to_second": {En: "Median days to second order", Zh: "二次购买间隔中位数(天)"},
	"median_days_between":   {En: "Median days between orders", Zh: "订单间隔中位数(天)"},
	"cohorts":               {En: "Monthly acquisition cohorts", Zh: "月度获客客户群"},
	"cohort":                {En: "Cohort (first order month)", Zh: "客户群(首单月份)"},
	"month":                 {En: "Month after acquisition", Zh: "获客后第几月"},
	"cohort_customers":      {En: "Cohort size", Zh: "客户群人数"},
	"active":                {En: "Active customers", Zh: "活跃客户数"},
	"active_share":          {En: "Active share", Zh: "活跃占比"},
	"revenue":               {En: "Revenue", Zh: "销售额"},
	"customer_id":           {En: "Customer", Zh: "客户"},
	"first_order":           {En: "First order", Zh: "首单日期"},
	"last_order":            {En: "Last order", Zh: "末单日期"},
	"orders":                {En: "Orders", Zh: "订单数"},
	"lifetime_days":         {En: "Days first → last order", Zh: "首末单间隔(天)"},
	"days_to_second":        {En: "Days to second order", Zh: "二次购买间隔(天)"},
	"mean_days_between":     {En: "Mean days between orders", Zh: "平均订单间隔(天)"},
	"active_months":         {En: "Active months after acquisition", Zh: "获客后活跃月份"},
	"cohort_retention":      {En: "Cohort active share by month", Zh: "客户群逐月活跃占比"},
	"cohort_revenue":        {En: "Cohort revenue by month", Zh: "客户群逐月销售额"},
	"days_to_second_order":  {En: "Days to second order", Zh: "二次购买间隔分布"},
	"days_between_orders":   {En: "Days between orders", Zh: "订单间隔分布"},
}

// hist counts whole-day values (h[v] = how many equal v) so medians need no sort.
type hist struct {
	h []int
	n int
}

func (h *hist) add(v int) {
	for len(h.h) <= v {
		h.h = append(h.h, 0)
	}
	h.h[v]++
	h.n++
}

// kth returns the k-th smallest value (0-based).
func (h *hist) kth(k int) int {
	c := 0
	for v, m := range h.h {
		c += m
		if c > k {
			return v
		}
	}
	return 0
}

// median is the middle value, or the mean of the two middle values; 0 when empty.
func (h *hist) median() float64 {
	if h.n == 0 {
		return 0
	}
	if h.n%2 == 1 {
		return float64(h.kth(h.n / 2))
	}
	return float64(h.kth(h.n/2-1)+h.kth(h.n/2)) / 2
}
