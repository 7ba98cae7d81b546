// Package value measures historic customer value and profit 客户价值 (A7): revenue, the costs of
// serving each customer and the profit left, the whale curve of cumulative profit by customer
// rank, and how concentrated revenue is.
//
// Profit contribution per customer, over the period:
//
//	profit = revenue − cost of goods − shipping − returns − service cost
//
// Revenue is the Amount of purchases (kexi.OrderTable.IsPurchase). Amount is already revenue after
// discount (see kexi.Order), so Discount is reported but not subtracted again: subtracting it
// would count every discount twice. Cost of goods is the order's Cost, or Σ quantity × unit cost
// of its items when Cost is 0. Shipping and Returned count on every order that is not cancelled
// (a return document carries its refund in Returned). Service cost is interaction minutes ×
// cost per minute (the option cost_per_minute, else in.Settings.CostPerMinute). Customers with
// only interactions are included: their profit is negative, which is the point of the whale
// curve. Orders without a customer are left out.
//
// Without cost data — no counted order with a Cost or an item with a unit cost — the profit
// would be the revenue less shipping, returns and service, and the margin near 100 %: a number
// nobody should act on. Then the cost of goods, profit, margin and loss-maker figures read
// no_cost_data ("no cost data", 无成本数据), the per-customer profit columns are empty, and
// there are no deciles, whale curve or profit bridge.
//
// The whale curve ranks customers by profit, highest first (ties by customer id), and plots the
// cumulative share of total profit: it rises above 100 % while profitable customers are added
// and falls back to 100 % as the loss-makers are. Its peak says how much profit the
// loss-makers destroy.
package value

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// Row is one customer's value.
type Row struct {
	CustomerID int64
	Revenue    float64
	Cost       float64
	Shipping   float64
	Returns    float64
	Discount   float64 // reported only: Amount is already net of it
	Minutes    float64
	Service    float64
	Profit     float64
}

// Profits computes a Row per customer with a counted order or interaction, in customer id order.
// orders must be in Dataset order; orders and interactions count when keep (nil = all) accepts
// their time; costPerMinute prices interaction minutes.
func Profits(orders *kexi.OrderTable, inter []kexi.Interaction, keep func(time.Time) bool, costPerMinute float64) []Row {
	return profits(orders, inter, keep, costPerMinute, orders.Len()/8+1)
}

// profits is Profits with rows sized for customers. Interaction minutes are summed per
// customer after a stable sort by customer (so each sum adds in time order, as a map would)
// and merged with the order runs, which keeps the rows in id order without a map or a sort.
func profits(orders *kexi.OrderTable, inter []kexi.Interaction, keep func(time.Time) bool, costPerMinute float64, customers int) []Row {
	type mins struct {
		cid int64
		m   float64
	}
	var kept []int32
	var keys []uint64
	for i := range inter {
		x := &inter[i]
		if x.CustomerID != 0 && (keep == nil || keep(x.At)) {
			kept = append(kept, int32(i))
			keys = append(keys, stats.IntKey(x.CustomerID))
		}
	}
	var minutes []mins
	for _, k := range stats.RadixOrder(keys) {
		x := &inter[kept[k]]
		if n := len(minutes); n > 0 && minutes[n-1].cid == x.CustomerID {
			minutes[n-1].m += x.Minutes
		} else {
			minutes = append(minutes, mins{x.CustomerID, x.Minutes})
		}
	}
	rows := make([]Row, 0, max(customers, len(minutes)))
	mi := 0
	cids, lines := orders.CustomerID, &orders.Lines
	for i := 0; i < len(cids); {
		cid := cids[i]
		r := Row{CustomerID: cid}
		seen := false
		for ; i < len(cids) && cids[i] == cid; i++ {
			if cid == 0 || orders.Status(i) == kexi.StatusCancelled || (keep != nil && !keep(orders.Time(i))) {
				continue
			}
			seen = true
			r.Shipping += orders.Shipping[i]
			r.Returns += orders.Returned[i]
			if !orders.IsPurchase(i) {
				continue
			}
			r.Revenue += orders.Amount[i]
			r.Discount += orders.Discount[i]
			if c := orders.Cost[i]; c != 0 {
				r.Cost += c
			} else {
				lo, hi := orders.LineRange(i)
				for j := lo; j < hi; j++ {
					r.Cost += lines.Quantity[j] * lines.UnitCost[j]
				}
			}
		}
		for mi < len(minutes) && minutes[mi].cid < cid { // customers with only interactions
			rows = append(rows, Row{CustomerID: minutes[mi].cid, Minutes: minutes[mi].m})
			mi++
		}
		if mi < len(minutes) && minutes[mi].cid == cid && cid != 0 {
			r.Minutes = minutes[mi].m
			mi++
			seen = true
		}
		if seen {
			rows = append(rows, r)
		}
	}
	for ; mi < len(minutes); mi++ {
		rows = append(rows, Row{CustomerID: minutes[mi].cid, Minutes: minutes[mi].m})
	}
	for i := range rows {
		r := &rows[i]
		r.Service = r.Minutes * costPerMinute
		r.Profit = r.Revenue - r.Cost - r.Shipping - r.Returns - r.Service
	}
	return rows
}

// Whale returns the indexes of rows in profit rank order (highest first, ties by customer id)
// and the cumulative share of total profit after each of them. When total profit is not
// positive the shares are nil: a share of a loss has no meaning.
func Whale(rows []Row) (order []int, cum []float64) {
	order = make([]int, len(rows))
	var total float64
	keys := make([]uint64, len(rows))
	for i := range rows {
		total += rows[i].Profit
		keys[i] = ^stats.FloatKey(rows[i].Profit)
	}
	byID := func(a, b int) int { return cmp.Compare(rows[a].CustomerID, rows[b].CustomerID) }
	for k, i := range stats.RadixOrder(keys) { // stable: ties stay in index order…
		order[k] = int(i)
	}
	stats.SortTies(order, keys, byID) // …which is id order unless rows came unsorted
	if total <= 0 {
		return order, nil
	}
	cum = make([]float64, len(rows))
	var s float64
	for k, i := range order {
		s += rows[i].Profit
		cum[k] = s / total
	}
	return order, cum
}

// TopShare returns the share of revenue of the top ⌈pct·n/100⌉ of the n customers with revenue
// (ranked by revenue, ties by customer id), as the customer pyramid counts them.
func TopShare(rows []Row, pct int) float64 {
	rev := make([]float64, 0, len(rows))
	keys := make([]uint64, 0, len(rows))
	var total float64
	for i := range rows {
		if rows[i].Revenue > 0 {
			rev = append(rev, rows[i].Revenue)
			keys = append(keys, ^stats.FloatKey(rows[i].Revenue))
			total += rows[i].Revenue
		}
	}
	if total == 0 {
		return 0
	}
	order := stats.RadixOrder(keys) // highest first
	k := (len(rev)*pct + 99) / 100
	var top float64
	for _, i := range order[:k] {
		top += rev[i]
	}
	return top / total
}

type valueAnalysis struct{}

// New returns the customer value and profit analysis (A7).
func New() analysis.Analysis { return valueAnalysis{} }

func (valueAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "value",
		Code:    "A7",
		Title:   analysis.Text{En: "Customer value and profit", Zh: "客户价值"},
		Summary: analysis.Text{En: "Which customers make money after the cost of goods, shipping, returns and service, and which lose it.", Zh: "扣除商品成本、运费、退货和服务成本后,哪些客户赚钱、哪些亏钱。"},
		Options: []analysis.Option{{Key: "cost_per_minute", Type: "float",
			Help: analysis.Text{En: "Service cost per interaction minute; default the setting", Zh: "每分钟互动的服务成本;默认取系统设置"}}},
		Labels: labels,
		Needs:  []string{"orders", "items", "interactions"},
		Reads:  []string{"orders", "order_details", "items", "interactions"},
		Fields: []analysis.Field{{Key: "profit"}},
	}
}

func (a valueAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(a.Info(), in.Options)
	cpm := in.Settings.CostPerMinute
	if in.Options["cost_per_minute"] != "" {
		cpm = o.Float("cost_per_minute")
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	if cpm < 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{
			{Column: "cost_per_minute", Value: strconv.FormatFloat(cpm, 'g', -1, 64), Reason: "expected a cost of 0 or more"}}}
	}
	asOf := in.AsOf
	rows := profits(&in.Data.Orders, in.Data.Interactions, in.Until(asOf), cpm, len(in.Data.Customers))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	order, cum := Whale(rows)
	var t Row
	var losers int
	for i := range rows {
		r := &rows[i]
		t.Revenue += r.Revenue
		t.Cost += r.Cost
		t.Shipping += r.Shipping
		t.Returns += r.Returns
		t.Discount += r.Discount
		t.Service += r.Service
		t.Profit += r.Profit
		if r.Profit < 0 {
			losers++
		}
	}
	n := len(rows)
	res := &analysis.Result{Name: "value", AsOf: asOf}
	if t.Cost == 0 && n > 0 {
		return noCost(res, rows, t, cpm), nil
	}
	// The costs are details: the profit bridge (a waterfall) shows them; so is the setting.
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: float64(n), Drill: analysis.Everyone("customer_id")},
		{Key: "revenue", Value: t.Revenue, Unit: "currency"},
		{Key: "cost", Value: t.Cost, Unit: "currency", Detail: true},
		{Key: "shipping", Value: t.Shipping, Unit: "currency", Detail: true},
		{Key: "returns", Value: t.Returns, Unit: "currency", Detail: true},
		{Key: "discount", Value: t.Discount, Unit: "currency", Detail: true},
		{Key: "service_cost", Value: t.Service, Unit: "currency", Detail: true},
		{Key: "profit", Value: t.Profit, Unit: "currency"},
		{Key: "margin", Value: frac(t.Profit, t.Revenue), Unit: "%"},
		{Key: "unprofitable_customers", Value: float64(losers), Drill: analysis.Drill{Column: "profit", Op: "lt", Value: "0"}},
		{Key: "top20_revenue_share", Value: TopShare(rows, 20), Unit: "%"},
		{Key: "cost_per_minute", Value: cpm, Unit: "currency", Detail: true},
	}
	rank := make([]int, n)
	for k, i := range order {
		rank[i] = k
	}
	if cum != nil {
		peak, at := 0.0, 0
		for k, c := range cum {
			if c > peak {
				peak, at = c, k+1
			}
		}
		res.Summary = append(res.Summary,
			analysis.Figure{Key: "whale_peak_share", Value: peak, Unit: "%"},
			analysis.Figure{Key: "whale_peak_customers", Value: frac(float64(at), float64(n)), Unit: "%", Detail: true})
	} else if n > 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_whale_curve", "total profit is not positive: no whale curve",
			"总利润不为正，无法绘制鲸鱼曲线"))
	}

	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: customerColumns()}
	cust.Rows = analysis.Rows(n, len(cust.Columns))
	for i := range rows {
		r := &rows[i]
		var cs any
		if cum != nil {
			cs = cum[rank[i]]
		}
		var m any
		if r.Revenue > 0 {
			m = r.Profit / r.Revenue
		}
		row := cust.Rows[i]
		row[0], row[1], row[2], row[3], row[4], row[5] = r.CustomerID, r.Revenue, r.Cost, r.Shipping, r.Returns, r.Discount
		row[6], row[7], row[8], row[9], row[10] = r.Service, r.Profit, m, rank[i]+1, cs
		row[11] = decile(rank[i], n)
	}

	// Deciles of the profit ranking.
	dec := analysis.Table{Key: "deciles", Columns: decileColumns(),
		Drill: analysis.Drill{Column: "decile", Key: "decile"}}
	var cp float64
	for d := 0; d < 10 && n > 0; d++ {
		lo, hi := d*n/10, (d+1)*n/10
		var rv, pf float64
		for _, i := range order[lo:hi] {
			rv += rows[i].Revenue
			pf += rows[i].Profit
		}
		cp += pf
		var cs any
		if t.Profit > 0 {
			cs = cp / t.Profit
		}
		dec.Rows = append(dec.Rows, []any{d + 1, hi - lo, rv, pf, cs})
	}
	res.Tables = []analysis.Table{cust, dec}

	if cum != nil {
		// Each point drills down to the customers it sums: the k most profitable (profit rank
		// up to k); the first point (none of them) does not.
		w := analysis.Series{Key: "whale_curve", Kind: "line", Y: []analysis.Values{{Key: "cumulative_profit_share"}},
			Drill: analysis.Drill{Column: "profit_rank", Op: "le"}}
		for j := 0; j <= 100; j++ {
			k := (j*n + 50) / 100
			v := 0.0
			rank := ""
			if k > 0 {
				v = cum[k-1]
				rank = strconv.Itoa(k)
			}
			w.Drill.Values = append(w.Drill.Values, rank)
			w.X = append(w.X, fmt.Sprintf("%d%%", j))
			w.Y[0].Data = append(w.Y[0].Data, v)
		}
		res.Series = append(res.Series, w)
	}
	// From revenue to profit: revenue, each cost as a fall, and the profit left (a waterfall).
	wf := analysis.Series{Key: "profit_bridge", Kind: "waterfall",
		X: []string{"revenue", "cost", "shipping", "returns", "service_cost", "profit"},
		Y: []analysis.Values{{Key: "amount", Data: []float64{t.Revenue, -t.Cost, -t.Shipping, -t.Returns, -t.Service, t.Profit}}}}
	res.Series = append(res.Series, wf)
	return res, nil
}

// noCost fills res for data without any cost of goods: revenue and the costs that are known,
// and no profit (see the package comment).
func noCost(res *analysis.Result, rows []Row, t Row, cpm float64) *analysis.Result {
	none := "no_cost_data"
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: float64(len(rows)), Drill: analysis.Everyone("customer_id")},
		{Key: "revenue", Value: t.Revenue, Unit: "currency"},
		{Key: "cost", Text: none, Detail: true},
		{Key: "shipping", Value: t.Shipping, Unit: "currency"},
		{Key: "returns", Value: t.Returns, Unit: "currency"},
		{Key: "discount", Value: t.Discount, Unit: "currency", Detail: true},
		{Key: "service_cost", Value: t.Service, Unit: "currency"},
		{Key: "profit", Text: none},
		{Key: "margin", Text: none},
		{Key: "unprofitable_customers", Text: none, Detail: true},
		{Key: "top20_revenue_share", Value: TopShare(rows, 20), Unit: "%"},
		{Key: "cost_per_minute", Value: cpm, Unit: "currency", Detail: true},
	}
	res.Notes = append(res.Notes, analysis.NewNote("no_cost", "no cost of goods in the data (order cost or item unit cost): profit and margin are not computed",
		"数据中没有商品成本（订单成本或明细的单位成本），因此不计算利润贡献和利润率"))
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: customerColumns()}
	cust.Rows = analysis.Rows(len(rows), len(cust.Columns))
	for i := range rows {
		r := &rows[i]
		row := cust.Rows[i]
		row[0], row[1], row[3], row[4], row[5], row[6] = r.CustomerID, r.Revenue, r.Shipping, r.Returns, r.Discount, r.Service
	}
	dec := analysis.Table{Key: "deciles", Columns: decileColumns()}
	res.Tables = []analysis.Table{cust, dec}
	return res
}

// customerColumns are the columns of the per-customer table, with or without cost data.
func customerColumns() []analysis.Column {
	return []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "revenue", Type: "currency"}, {Key: "cost", Type: "currency"},
		{Key: "shipping", Type: "currency"}, {Key: "returns", Type: "currency"}, {Key: "discount", Type: "currency"},
		{Key: "service_cost", Type: "currency"}, {Key: "profit", Type: "currency"}, {Key: "margin", Type: "percent"},
		{Key: "profit_rank", Type: "int"}, {Key: "cumulative_profit_share", Type: "percent"}, {Key: "decile", Type: "int"}}
}

// decileColumns are the columns of the deciles table (empty without cost data).
func decileColumns() []analysis.Column {
	return []analysis.Column{
		{Key: "decile", Type: "int"}, {Key: "customers", Type: "int"}, {Key: "revenue", Type: "currency"},
		{Key: "profit", Type: "currency"}, {Key: "cumulative_profit_share", Type: "percent"}}
}

// decile is the profit decile (1 = most profitable) of the customer ranked k (from 0) of n:
// the deciles table's decile d holds the ranks d×n/10 to (d+1)×n/10, upper bound excluded.
func decile(k, n int) int {
	for d := 1; d <= 10; d++ {
		if k < d*n/10 {
			return d
		}
	}
	return 10
}

func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labels = map[string]analysis.Text{
	"customers":               {En: "Customers", Zh: "客户数"},
	"revenue":                 {En: "Revenue", Zh: "销售额"},
	"cost":                    {En: "Cost of goods", Zh: "商品成本"},
	"no_cost_data":            {En: "no cost data", Zh: "无成本数据"},
	"shipping":                {En: "Shipping", Zh: "运费"},
	"returns":                 {En: "Returns", Zh: "退货"},
	"discount":                {En: "Discount (already in revenue)", Zh: "折扣(已从销售额扣除)"},
	"service_cost":            {En: "Service cost", Zh: "服务成本"},
	"profit":                  {En: "Profit contribution", Zh: "利润贡献"},
	"margin":                  {En: "Margin", Zh: "利润率"},
	"unprofitable_customers":  {En: "Unprofitable customers", Zh: "亏损客户数"},
	"top20_revenue_share":     {En: "Revenue share of top 20 %", Zh: "前 20% 客户销售额占比"},
	"cost_per_minute":         {En: "Service cost per minute", Zh: "每分钟服务成本"},
	"whale_peak_share":        {En: "Whale curve peak (share of profit)", Zh: "鲸鱼曲线峰值(利润占比)"},
	"whale_peak_customers":    {En: "Whale curve peak at share of customers", Zh: "峰值处客户占比"},
	"customer_id":             {En: "Customer", Zh: "客户"},
	"profit_rank":             {En: "Profit rank", Zh: "利润排名"},
	"cumulative_profit_share": {En: "Cumulative share of profit", Zh: "累计利润占比"},
	"deciles":                 {En: "Profit deciles", Zh: "利润十分位"},
	"decile":                  {En: "Decile (1 = most profitable)", Zh: "十分位(1 = 最赚钱)"},
	"whale_curve":             {En: "Whale curve", Zh: "鲸鱼曲线"},
	"profit_bridge":           {En: "From revenue to profit", Zh: "从销售额到利润"},
	"amount":                  {En: "Amount", Zh: "金额"},

	"help.customers":              {En: "Customers with an order or an interaction up to the as-of date", Zh: "截至分析日有订单或互动记录的客户"},
	"help.revenue":                {En: "Amount of purchases, after discount", Zh: "购买订单金额(已扣折扣)"},
	"help.cost":                   {En: "The orders' cost, else quantity × unit cost of their lines", Zh: "订单成本,未填时按明细数量 × 单位成本"},
	"help.shipping":               {En: "Shipping on every order not cancelled", Zh: "未取消订单的运费"},
	"help.returns":                {En: "Refunds for returned goods", Zh: "退货退款金额"},
	"help.discount":               {En: "Discounts given; revenue is already net of them", Zh: "给出的折扣;销售额已扣除,不再重复扣减"},
	"help.service_cost":           {En: "Interaction minutes × service cost per minute", Zh: "互动分钟数 × 每分钟服务成本"},
	"help.profit":                 {En: "Revenue − cost of goods − shipping − returns − service cost", Zh: "销售额 − 商品成本 − 运费 − 退货 − 服务成本"},
	"help.margin":                 {En: "Profit contribution ÷ revenue", Zh: "利润贡献 ÷ 销售额"},
	"help.unprofitable_customers": {En: "Customers whose profit contribution is below zero", Zh: "利润贡献为负的客户"},
	"help.top20_revenue_share":    {En: "Share of revenue from the 20 % of customers who spend most", Zh: "消费最高的 20% 客户贡献的销售额占比"},
	"help.cost_per_minute":        {En: "Setting: cost of one minute of service", Zh: "设置:每分钟服务成本"},
	"help.whale_peak_share":       {En: "Highest cumulative share of profit, customers ranked by profit: what the loss-makers take back", Zh: "按利润排序的累计利润占比最高点:超出 100% 的部分被亏损客户吃掉"},
	"help.whale_peak_customers":   {En: "Share of customers at the whale curve's peak", Zh: "鲸鱼曲线峰值处的客户占比"},
}
