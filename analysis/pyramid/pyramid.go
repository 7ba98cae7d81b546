// Package pyramid builds the customer pyramid 客户金字塔 (A2): customers with spend in the period
// ranked by spend, the top 1 % are VIP, the rest of the top 5 % major 主要客户, the rest of the top
// 20 % ordinary 普通客户, and everyone else small 小客户.
//
// Spend is the total Amount of a customer's purchases (kexi.OrderTable.IsPurchase) in the period;
// customers with no spend there (none, or only $0 purchases) are not ranked. Spends are ranked
// in cents (analysis.Cents): two totals equal to the cent are a tie however their float sums
// differ in the last bits. Ties are broken by customer id (the lower id ranks higher), so the
// tiers always hold exactly the counts below.
//
// Tier sizes round up: of n ranked customers the top ⌈n/100⌉ are VIP, the top ⌈5n/100⌉ are VIP
// or major, the top ⌈20n/100⌉ are VIP, major or ordinary. For 1,000 customers that gives
// 10 / 40 / 150 / 800; for 100, 1 / 4 / 15 / 80; for 7, 1 / 0 / 1 / 5; a single customer is VIP.
// Rounding up means the best customer of any non-empty set is VIP, which is what a small
// business expects to see.
package pyramid

import (
	"cmp"
	"context"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// Tier keys, top first.
const (
	VIP      = "vip"
	Major    = "major"
	Ordinary = "ordinary"
	Small    = "small"
)

// Names lists the tier keys from the top of the pyramid down.
var Names = []string{VIP, Major, Ordinary, Small}

// Level returns a tier's height: 4 for VIP down to 1 for small, 0 for anything else.
func Level(tier string) int {
	switch tier {
	case VIP:
		return 4
	case Major:
		return 3
	case Ordinary:
		return 2
	case Small:
		return 1
	}
	return 0
}

// Row is one ranked customer.
type Row struct {
	CustomerID int64
	Spend      float64
	Rank       int // 1 = highest spend
	Tier       string
}

// Cutoffs returns the cumulative tier boundaries for n ranked customers: ranks 1…vip are VIP,
// vip+1…major are major, major+1…ordinary are ordinary, the rest small.
func Cutoffs(n int) (vip, major, ordinary int) {
	up := func(pct int) int { return (n*pct + 99) / 100 }
	return up(1), up(5), up(20)
}

// Tiers ranks the customers with positive spend and assigns their tiers; the rows come back in
// rank order. orders must be in Dataset order (sorted by customer); a purchase counts when keep
// (nil = all) accepts its time. Orders without a customer are skipped.
func Tiers(orders *kexi.OrderTable, keep func(time.Time) bool) []Row {
	cids := orders.CustomerID
	rows := make([]Row, 0, len(cids)/8+1) // grown by append: cheaper than a pass to count customers
	for i := 0; i < len(cids); {
		cid := cids[i]
		var s float64
		for ; i < len(cids) && cids[i] == cid; i++ {
			if orders.IsPurchase(i) && (keep == nil || keep(orders.Time(i))) {
				s += orders.Amount[i]
			}
		}
		if cid != 0 && analysis.Cents(s) > 0 {
			rows = append(rows, Row{CustomerID: cid, Spend: s})
		}
	}
	Rank(rows)
	return rows
}

// TiersOf is Tiers on the summary of the purchases to count (kexi.Summarize): a customer's
// spend is their revenue in it. The anonymous orders (customer 0) are skipped.
func TiersOf(s *kexi.Summary) []Row {
	rows := make([]Row, 0, len(s.Customers))
	for i := range s.Customers {
		c := &s.Customers[i]
		if c.CustomerID != 0 && analysis.Cents(c.Revenue) > 0 {
			rows = append(rows, Row{CustomerID: c.CustomerID, Spend: c.Revenue})
		}
	}
	Rank(rows)
	return rows
}

// Rank sorts rows by spend in cents (highest first, ties by customer id) and fills Rank and
// Tier.
func Rank(rows []Row) {
	order := rankOrder(len(rows), func(i int) (float64, int64) { return rows[i].Spend, rows[i].CustomerID })
	sorted := make([]Row, len(rows))
	for k, i := range order {
		sorted[k] = rows[i]
	}
	copy(rows, sorted)
	vip, major, ord := Cutoffs(len(rows))
	for i := range rows {
		rows[i].Rank = i + 1
		rows[i].Tier = tierAt(i, vip, major, ord)
	}
}

// TierAt returns the tier of the customer at rank (1 = highest spend) among n ranked customers.
func TierAt(rank, n int) string {
	vip, major, ord := Cutoffs(n)
	return tierAt(rank-1, vip, major, ord)
}

// Place returns the tier of each of n customers, where at(i) gives the i-th customer's spend
// and id: the tiers Rank would give them (spends compared in cents), without reordering
// anything. Callers that keep their
// customers in id order use it instead of Rank and a sort back.
func Place(n int, at func(i int) (spend float64, id int64)) []string {
	order := rankOrder(n, at)
	vip, major, ord := Cutoffs(n)
	out := make([]string, n)
	for k, i := range order {
		out[i] = tierAt(k, vip, major, ord)
	}
	return out
}

// TierOf returns the tier of the customer id with the given spend among the n customers at
// gives, ranked as Place ranks them (spend in whole cents, ties by id, customers under a cent
// left out), without sorting them; "" when the customer's own spend is under a cent.
func TierOf(n int, at func(i int) (spend float64, id int64), spend float64, id int64) string {
	own := analysis.Cents(spend)
	if own <= 0 {
		return ""
	}
	rank, ranked := 1, 0
	for i := range n {
		s, other := at(i)
		m := analysis.Cents(s)
		if m > 0 {
			ranked++
		}
		if m > own || (m == own && other < id) {
			rank++
		}
	}
	return TierAt(rank, ranked)
}

// boxed returns a tier key as an interface value without allocating: the constants are boxed
// statically.
func boxed(tier string) any {
	switch tier {
	case VIP:
		return VIP
	case Major:
		return Major
	case Ordinary:
		return Ordinary
	case Small:
		return Small
	}
	return tier
}

func tierAt(k, vip, major, ord int) string {
	switch {
	case k < vip:
		return VIP
	case k < major:
		return Major
	case k < ord:
		return Ordinary
	}
	return Small
}

// rankOrder returns the indexes 0…n−1 by spend in cents, highest first, ties by id (as
// cmp.Compare orders spends: NaN last). A stable radix sort on the cents keeps ties in index
// order, which is id order for rows in Dataset order; other tie runs are sorted by id.
func rankOrder(n int, at func(i int) (float64, int64)) []int32 {
	keys := make([]uint64, n)
	for i := range keys {
		s, _ := at(i)
		keys[i] = ^stats.FloatKey(analysis.Cents(s))
	}
	order := stats.RadixOrder(keys)
	byID := func(a, b int32) int {
		_, x := at(int(a))
		_, y := at(int(b))
		return cmp.Compare(x, y)
	}
	stats.SortTies(order, keys, byID)
	return order
}

// Summary is one tier's totals.
type Summary struct {
	Tier      string
	Customers int
	Spend     float64
	MinSpend  float64
}

// Summarise totals ranked rows per tier, top tier first; every tier is present.
func Summarise(rows []Row) []Summary {
	out := make([]Summary, len(Names))
	for i, n := range Names {
		out[i].Tier = n
	}
	for _, r := range rows {
		s := &out[4-Level(r.Tier)]
		s.Customers++
		s.Spend += r.Spend
		s.MinSpend = r.Spend // rows are in rank order: the last one is the smallest
	}
	return out
}

type pyramidAnalysis struct{}

// New returns the customer pyramid analysis (A2).
func New() analysis.Analysis { return pyramidAnalysis{} }

func (pyramidAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "pyramid",
		Code:    "A2",
		Title:   analysis.Text{En: "Customer pyramid", Zh: "客户金字塔"},
		Summary: analysis.Text{En: "How much of the revenue comes from the top 1 %, 5 % and 20 % of customers.", Zh: "前 1%、5%、20% 的客户贡献了多少销售额。"},
		Labels:  labels,
		Needs:   []string{"orders"},
		Reads:   []string{"orders"},
		// It reads only the summary: each customer's revenue.
		OnSummary: true,
		Fields:    []analysis.Field{{Key: "tier"}},
	}
}

// SummaryWindow returns the window Run summarises: the period, up to the as-of time.
func (pyramidAnalysis) SummaryWindow(in analysis.Input) (kexi.Window, bool) {
	return in.Window(in.AsOf), len(in.Options) == 0
}

func (a pyramidAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(a.Info(), in.Options)
	if err := o.Err(); err != nil {
		return nil, err
	}
	rows := TiersOf(in.Summary(in.Window(in.AsOf)))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var total float64
	for _, r := range rows {
		total += r.Spend
	}
	sums := Summarise(rows)
	res := &analysis.Result{Name: "pyramid", AsOf: in.AsOf}
	top1 := sums[0].Spend
	top20 := sums[0].Spend + sums[1].Spend + sums[2].Spend
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: float64(len(rows)), Drill: analysis.Everyone("customer_id")},
		{Key: "revenue", Value: total, Unit: "currency"},
		{Key: "top1_share", Value: frac(top1, total), Unit: "%"},
		{Key: "top20_share", Value: frac(top20, total), Unit: "%"},
	}
	if len(rows) == 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_purchases", "no purchases in the period", "所选期间内没有购买记录"))
	}
	tiers := analysis.Table{Key: "tiers", Columns: []analysis.Column{
		{Key: "tier", Type: "label"}, {Key: "customers", Type: "int"}, {Key: "customer_share", Type: "percent"},
		{Key: "spend", Type: "currency"}, {Key: "revenue_share", Type: "percent"},
		{Key: "avg_spend", Type: "currency"}, {Key: "min_spend", Type: "currency"}}}
	tiers.Drill = analysis.Drill{Column: "tier", Key: "tier"}
	pyr := analysis.Series{Key: "pyramid", Kind: "pyramid", Y: []analysis.Values{{Key: "customers"}, {Key: "revenue_share"}},
		Drill: analysis.Drill{Column: "tier"}}
	n := float64(len(rows))
	for _, s := range sums {
		c := float64(s.Customers)
		tiers.Rows = append(tiers.Rows, []any{s.Tier, s.Customers, frac(c, n), s.Spend, frac(s.Spend, total), frac(s.Spend, c), s.MinSpend})
		pyr.X = append(pyr.X, s.Tier)
		pyr.Y[0].Data = append(pyr.Y[0].Data, c)
		pyr.Y[1].Data = append(pyr.Y[1].Data, frac(s.Spend, total))
	}
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "rank", Type: "int"}, {Key: "spend", Type: "currency"},
		{Key: "revenue_share", Type: "percent"}, {Key: "cumulative_share", Type: "percent"}, {Key: "tier", Type: "label"}}}
	cust.Rows = analysis.Rows(len(rows), len(cust.Columns))
	var cum float64
	for i, r := range rows {
		cum += r.Spend
		row := cust.Rows[i]
		row[0], row[1], row[2], row[3], row[4], row[5] = r.CustomerID, r.Rank, r.Spend, frac(r.Spend, total), frac(cum, total), boxed(r.Tier)
	}
	res.Tables = []analysis.Table{tiers, cust}
	res.Series = []analysis.Series{pyr}
	return res, nil
}

func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labels = map[string]analysis.Text{
	"customers":        {En: "Customers", Zh: "客户数"},
	"revenue":          {En: "Revenue", Zh: "销售额"},
	"top1_share":       {En: "Revenue share of top 1 %", Zh: "前 1% 客户销售额占比"},
	"top20_share":      {En: "Revenue share of top 20 %", Zh: "前 20% 客户销售额占比"},
	"tiers":            {En: "Tiers", Zh: "客户层级"},
	"tier":             {En: "Tier", Zh: "层级"},
	"customer_share":   {En: "Share of customers", Zh: "客户占比"},
	"spend":            {En: "Spend", Zh: "消费金额"},
	"revenue_share":    {En: "Share of revenue", Zh: "销售额占比"},
	"avg_spend":        {En: "Average spend", Zh: "平均消费"},
	"min_spend":        {En: "Lowest spend in tier", Zh: "层级最低消费"},
	"customer_id":      {En: "Customer", Zh: "客户"},
	"rank":             {En: "Rank", Zh: "排名"},
	"cumulative_share": {En: "Cumulative share of revenue", Zh: "累计销售额占比"},
	"pyramid":          {En: "Customer pyramid", Zh: "客户金字塔"},
	VIP:                {En: "VIP (top 1 %)", Zh: "VIP 客户(前 1%)"},
	Major:              {En: "Major (to top 5 %)", Zh: "主要客户(前 5%)"},
	Ordinary:           {En: "Ordinary (to top 20 %)", Zh: "普通客户(前 20%)"},
	Small:              {En: "Small (the other 80 %)", Zh: "小客户(其余 80%)"},
}
