// Package acquisition is analysis A13, customer acquisition (获客): per acquisition channel and
// per campaign, how many leads came in and converted, how many new customers were won, what
// they cost (CAC), what those customers have brought in since, the return on the spend and how
// many months it takes to earn the acquisition cost back.
//
// Definitions. Leads: leads created in the period, by Lead.Source and Lead.Campaign; won leads
// are those that reached stage won (now or in their history); conversion = won leads / leads.
// New customers: customers whose first purchase falls in the period, by Customer.Channel and
// Customer.Campaign (a campaign's external id or name). Cost: campaign costs by the campaign's
// channel; a campaign with start and end dates counts the share of its cost that overlaps the
// period (by days, end day included), one without dates counts fully when its start (if any) is
// in the period. CAC = cost / new customers. Revenue and profit of acquired customers: all their
// orders from the first purchase to the as-of date, profit = amount − cost − shipping − returned.
// ROI = (profit − cost) / cost. Payback months = CAC / average monthly profit per acquired
// customer, where the monthly profit is total profit / total months since each customer's
// first purchase (at least one month each); blank when that profit is not positive.
package acquisition

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Group is the acquisition figures of one channel or campaign.
type Group struct {
	Key                   string
	Leads, WonLeads       int
	NewCustomers          int
	Cost, Revenue, Profit float64
	Months                float64 // Σ months since each new customer's first purchase (≥ 1 each)
}

// Conversion is won leads / leads (NaN without leads).
func (g *Group) Conversion() float64 { return ratio(float64(g.WonLeads), float64(g.Leads)) }

// CAC is cost / new customers (NaN without new customers or without cost).
func (g *Group) CAC() float64 {
	if g.Cost == 0 {
		return math.NaN()
	}
	return ratio(g.Cost, float64(g.NewCustomers))
}

// ROI is (profit − cost) / cost (NaN without cost).
func (g *Group) ROI() float64 { return ratio(g.Profit-g.Cost, g.Cost) }

// Payback is CAC / monthly profit per acquired customer, in months (NaN when that profit is
// not positive or there is no CAC).
func (g *Group) Payback() float64 {
	if g.Months == 0 || g.Profit <= 0 {
		return math.NaN()
	}
	return g.CAC() / (g.Profit / g.Months)
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

const daysPerMonth = 365.25 / 12

// Won reports whether a lead reached the won stage.
func Won(l *kexi.Lead) bool {
	if l.Stage == kexi.StageWon {
		return true
	}
	for _, s := range l.Stages {
		if s.Stage == kexi.StageWon {
			return true
		}
	}
	return false
}

// CostIn returns the part of a campaign's cost that falls in the input's period.
func CostIn(c *kexi.Campaign, in analysis.Input) float64 {
	if in.From.IsZero() && in.To.IsZero() {
		return c.Cost
	}
	if c.Start.IsZero() || c.End.IsZero() || c.End.Before(c.Start) {
		if c.Start.IsZero() || in.InPeriod(c.Start) {
			return c.Cost
		}
		return 0
	}
	loc := in.Location() // days are cut in the business's time zone
	day := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	cs, ce := day(c.Start), day(c.End).AddDate(0, 0, 1)
	ps, pe := cs, ce
	if !in.From.IsZero() {
		ps = day(in.From)
	}
	if !in.To.IsZero() {
		pe = day(in.To).AddDate(0, 0, 1)
	}
	lo, hi := later(cs, ps), earlier(ce, pe)
	if !hi.After(lo) {
		return 0
	}
	return c.Cost * hi.Sub(lo).Hours() / ce.Sub(cs).Hours()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Compute returns the groups by channel and by campaign (each sorted by key; "(none)" for
// records without one), and the total.
func Compute(d *kexi.Dataset, in analysis.Input) (channels, campaigns []*Group, total *Group) {
	t := &tally{byCh: map[string]*Group{}, byCa: map[string]*Group{}, total: &Group{Key: "total"}, campName: campaignNames(d.Campaigns)}
	t.leads(d.Leads, in)
	t.costs(d.Campaigns, in)
	t.newCustomers(d, in)
	return sorted(t.byCh), sorted(t.byCa), t.total
}

// tally sums the groups by channel and by campaign, and in total.
type tally struct {
	byCh, byCa map[string]*Group
	total      *Group
	campName   map[string]string
}

// campaignNames maps a campaign's external id and name to its key (its name, else its
// external id): customers and leads name a campaign by either.
func campaignNames(cs []kexi.Campaign) map[string]string {
	campName := map[string]string{}
	for i := range cs {
		c := &cs[i]
		name := c.Name
		if name == "" {
			name = c.ExternalID
		}
		campName[c.ExternalID] = name
		campName[c.Name] = name
	}
	return campName
}

// camp returns the key of the campaign a record names.
func (t *tally) camp(k string) string {
	if n, ok := t.campName[k]; ok {
		return n
	}
	return k
}

// get returns m's group for k ("" is "(none)"), adding it.
func get(m map[string]*Group, k string) *Group {
	if k == "" {
		k = "(none)"
	}
	g := m[k]
	if g == nil {
		g = &Group{Key: k}
		m[k] = g
	}
	return g
}

// leads counts the leads created in the period, and the won ones.
func (t *tally) leads(leads []kexi.Lead, in analysis.Input) {
	for i := range leads {
		l := &leads[i]
		if !in.InPeriod(l.CreatedAt) {
			continue
		}
		w := 0
		if Won(l) {
			w = 1
		}
		for _, g := range []*Group{get(t.byCh, l.Source), get(t.byCa, t.camp(l.Campaign)), t.total} {
			g.Leads++
			g.WonLeads += w
		}
	}
}

// costs sums the campaigns' costs in the period.
func (t *tally) costs(cs []kexi.Campaign, in analysis.Input) {
	for i := range cs {
		c := &cs[i]
		cost := CostIn(c, in)
		if cost == 0 {
			continue
		}
		get(t.byCh, c.Channel).Cost += cost
		get(t.byCa, t.camp(c.ExternalID)).Cost += cost
		t.total.Cost += cost
	}
}

// newCustomers counts the customers whose first purchase falls in the period (and not after
// the as-of date), by their acquisition channel and campaign, with their revenue, profit and
// months since, up to the as-of date.
func (t *tally) newCustomers(d *kexi.Dataset, in analysis.Input) {
	cs := d.Customers
	ci := 0
	o := &d.Orders
	asOfMs := in.AsOf.UnixMilli() // order times are whole milliseconds: after as-of is after this
	o.Runs(func(cid int64, lo, hi int) {
		if cid == 0 {
			return
		}
		for ci < len(cs) && cs[ci].ID < cid {
			ci++
		}
		var c *kexi.Customer
		if ci < len(cs) && cs[ci].ID == cid {
			c = &cs[ci]
		}
		first := -1
		for k := lo; k < hi; k++ {
			if o.IsPurchase(k) {
				first = k
				break
			}
		}
		if first < 0 {
			return
		}
		firstAt := o.Time(first)
		if !in.InPeriod(firstAt) || o.At[first] > asOfMs {
			return
		}
		var rev, profit float64
		for k := first; k < hi; k++ {
			if o.At[k] > asOfMs {
				break
			}
			if o.IsPurchase(k) {
				rev += o.Amount[k]
				profit += o.Amount[k] - o.Cost[k] - o.Shipping[k]
			}
			profit -= o.Returned[k]
		}
		months := max(in.AsOf.Sub(firstAt).Hours()/24/daysPerMonth, 1)
		ch, ca := "", ""
		if c != nil {
			ch, ca = c.Channel, t.camp(c.Campaign)
		}
		for _, g := range []*Group{get(t.byCh, ch), get(t.byCa, ca), t.total} {
			g.NewCustomers++
			g.Revenue += rev
			g.Profit += profit
			g.Months += months
		}
	})
}

// sorted returns the groups by key.
func sorted(m map[string]*Group) []*Group {
	out := make([]*Group, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *Group) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// acquisitionAnalysis is A13 for the registry.
type acquisitionAnalysis struct{}

// New returns the acquisition analysis.
func New() analysis.Analysis { return acquisitionAnalysis{} }

// Info describes the analysis.
func (acquisitionAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "acquisition",
		Code:    "A13",
		Title:   analysis.Text{En: "Customer acquisition", Zh: "获客分析"},
		Summary: analysis.Text{En: "Which channels and campaigns bring profitable customers, at what cost, and how fast is it earned back?", Zh: "哪些渠道和活动带来有利润的客户？获客成本多少？多久回本？"},
		Labels: map[string]analysis.Text{
			"channels": {En: "By channel", Zh: "按渠道"}, "campaigns": {En: "By campaign", Zh: "按活动"}, "channel": {En: "Channel", Zh: "渠道"},
			"campaign": {En: "Campaign", Zh: "活动"}, "leads": {En: "Leads", Zh: "线索数"}, "won_leads": {En: "Won leads", Zh: "成交线索"},
			"conversion": {En: "Lead conversion", Zh: "线索转化率"}, "new_customers": {En: "New customers", Zh: "新客户数"}, "cost": {En: "Cost", Zh: "投入成本"},
			"cac": {En: "CAC", Zh: "获客成本"}, "revenue": {En: "Revenue of new customers", Zh: "新客户收入"}, "profit": {En: "Profit of new customers", Zh: "新客户利润"},
			"roi": {En: "ROI", Zh: "投资回报率"}, "payback_months": {En: "Payback (months)", Zh: "回本月数"}, "(none)": {En: "(none)", Zh: "（无）"},
			"cac_by_channel": {En: "CAC by channel", Zh: "各渠道获客成本"}, "new_by_channel": {En: "New customers by channel", Zh: "各渠道新客户"},
			"roi_by_campaign": {En: "ROI by campaign", Zh: "各活动投资回报率"},
		},
		Needs: []string{"customers", "orders", "leads", "campaigns"},
		Reads: []string{"customers", "orders", "order_details", "leads", "campaigns"},
	}
}

// Run computes acquisition figures for the period.
func (a acquisitionAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	if err := analysis.NewOpts(info, in.Options).Err(); err != nil {
		return nil, err
	}
	channels, campaigns, total := Compute(in.Data, in)
	res := &analysis.Result{Name: info.Name, AsOf: in.AsOf}
	res.Summary = []analysis.Figure{{Key: "leads", Value: float64(total.Leads)}, {Key: "won_leads", Value: float64(total.WonLeads)},
		{Key: "conversion", Value: total.Conversion(), Unit: "%"}, {Key: "new_customers", Value: float64(total.NewCustomers)},
		{Key: "cost", Value: total.Cost, Unit: "currency"}, {Key: "cac", Value: total.CAC(), Unit: "currency"},
		{Key: "revenue", Value: total.Revenue, Unit: "currency"}, {Key: "profit", Value: total.Profit, Unit: "currency"},
		{Key: "roi", Value: total.ROI(), Unit: "%"}, {Key: "payback_months", Value: total.Payback(), Unit: "months"}}
	cols := []analysis.Column{{Key: "leads", Type: "int"}, {Key: "won_leads", Type: "int"}, {Key: "conversion", Type: "percent"},
		{Key: "new_customers", Type: "int"}, {Key: "cost", Type: "currency"}, {Key: "cac", Type: "currency"}, {Key: "revenue", Type: "currency"},
		{Key: "profit", Type: "currency"}, {Key: "roi", Type: "percent"}, {Key: "payback_months", Type: "float"}}
	row := func(g *Group) []any {
		return []any{g.Key, g.Leads, g.WonLeads, g.Conversion(), g.NewCustomers, g.Cost, g.CAC(), g.Revenue, g.Profit, g.ROI(), g.Payback()}
	}
	ct := analysis.Table{Key: "channels", Columns: append([]analysis.Column{{Key: "channel", Type: "string"}}, cols...)}
	cac := analysis.Series{Key: "cac_by_channel", Kind: "bar"}
	nw := analysis.Series{Key: "new_by_channel", Kind: "bar"}
	var cv, nv []float64
	for _, g := range channels {
		ct.Rows = append(ct.Rows, row(g))
		cac.X = append(cac.X, g.Key)
		nw.X = append(nw.X, g.Key)
		cv = append(cv, g.CAC())
		nv = append(nv, float64(g.NewCustomers))
	}
	cac.Y = []analysis.Values{{Key: "cac", Data: cv}}
	nw.Y = []analysis.Values{{Key: "new_customers", Data: nv}}
	kt := analysis.Table{Key: "campaigns", Columns: append([]analysis.Column{{Key: "campaign", Type: "string"}}, cols...)}
	roi := analysis.Series{Key: "roi_by_campaign", Kind: "bar"}
	var rv []float64
	for _, g := range campaigns {
		kt.Rows = append(kt.Rows, row(g))
		roi.X = append(roi.X, g.Key)
		rv = append(rv, g.ROI())
	}
	roi.Y = []analysis.Values{{Key: "roi", Data: rv}}
	res.Tables = []analysis.Table{ct, kt}
	res.Series = []analysis.Series{cac, nw, roi}
	return res, ctx.Err()
}
