// Package competitors is analysis A17, competitors and SWOT (竞争对手与SWOT): market share by
// period and region (including the business itself when it is listed with Self), the share
// trend, a product and price positioning table, and the SWOT board with each item's linked
// metric resolved to a live value.
//
// Linked metrics. An item's Metric is "analysis.key"; only the key (after the last dot) is
// looked up, among the metrics this package computes itself from the Dataset (an analysis
// cannot run another one):
//
//	nps            NPS of all answers in the 12 months to as-of, in points (−100..100)
//	csat           share of CSAT answers of 4–5 in the 12 months to as-of
//	ces            mean CES answer in the 12 months to as-of
//	repeat_rate    share of buying customers with two or more purchases (all history, $0 ones too)
//	active_customers  customers with a purchase in the 12 months to as-of
//	customers      customers in the Dataset
//	revenue        purchase revenue in the 12 months to as-of
//	revenue_growth revenue in the 12 months to as-of / revenue in the 12 months before − 1
//	aov            average amount of the paid (> 0) purchases in the 12 months to as-of
//	complaints     complaint interactions in the 12 months to as-of
//	market_share   the business's own (Self) share in the latest period of the chosen region
//
// Any other metric is left blank. Shares of one period and region that add up to more than 1
// are reported in the notes; when they add up to less, the rest is shown as "others".
package competitors

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Metrics lists the linked metrics this analysis can resolve.
var Metrics = []string{"nps", "csat", "ces", "repeat_rate", "active_customers", "customers", "revenue", "revenue_growth", "aov", "complaints", "market_share"}

// Live computes the supported metrics as of asOf (see the package comment). Metrics that cannot
// be computed (no answers, no revenue in the earlier year) are NaN.
func Live(d *kexi.Dataset, asOf time.Time) map[string]float64 {
	from := asOf.AddDate(-1, 0, 0)
	m := map[string]float64{}
	surveyMetrics(m, d.Surveys, from, asOf)
	orderMetrics(m, &d.Orders, from, asOf)
	m["customers"] = float64(len(d.Customers))
	complaints := 0
	for i := range d.Interactions {
		if x := &d.Interactions[i]; x.Kind == kexi.Complaint && within(x.At, from, asOf) {
			complaints++
		}
	}
	m["complaints"] = float64(complaints)
	return m
}

// within reports whether t is in (a, b].
func within(t, a, b time.Time) bool { return t.After(a) && !t.After(b) }

// div is a/b, NaN when b is 0.
func div(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// surveyMetrics puts into m the NPS, CSAT and CES of the valid answers in (from, asOf].
func surveyMetrics(m map[string]float64, surveys []kexi.SurveyResponse, from, asOf time.Time) {
	var prom, det, nps, sat, csat, cesN int
	var cesSum float64
	for i := range surveys {
		s := &surveys[i]
		if !within(s.At, from, asOf) {
			continue
		}
		switch s.Kind {
		case kexi.NPS:
			if !kexi.ValidScore(s.Kind, s.Score) {
				continue
			}
			nps++
			if s.Score >= 9 {
				prom++
			} else if s.Score <= 6 {
				det++
			}
		case kexi.CSAT:
			if !kexi.ValidScore(s.Kind, s.Score) {
				continue
			}
			csat++
			if s.Score >= 4 {
				sat++
			}
		case kexi.CES:
			if !kexi.ValidScore(s.Kind, s.Score) {
				continue
			}
			cesN++
			cesSum += s.Score
		}
	}
	m["nps"] = div(100*float64(prom-det), float64(nps))
	m["csat"] = div(float64(sat), float64(csat))
	m["ces"] = div(cesSum, float64(cesN))
}

// orderMetrics puts into m the repeat rate (of buyers up to asOf), the active customers,
// revenue and AOV in (from, asOf] and the revenue growth on the year before.
func orderMetrics(m map[string]float64, os *kexi.OrderTable, from, asOf time.Time) {
	prevFrom := asOf.AddDate(-2, 0, 0)
	var buyers, repeat, active, orders int
	var rev, prev float64
	asOfMs := asOf.UnixMilli() // order times are whole milliseconds: after asOf is after this
	os.Runs(func(cid int64, lo, hi int) {
		n := 0
		act := false
		for i := lo; i < hi; i++ {
			if !os.IsPurchase(i) || os.At[i] > asOfMs {
				continue
			}
			n++
			switch at := os.Time(i); {
			case within(at, from, asOf):
				rev += os.Amount[i]
				if os.IsPaid(i) { // a $0 purchase adds nothing to an average of money
					orders++
				}
				act = true
			case within(at, prevFrom, from):
				prev += os.Amount[i]
			}
		}
		if cid == 0 {
			return
		}
		if n > 0 {
			buyers++
		}
		if n > 1 {
			repeat++
		}
		if act {
			active++
		}
	})
	m["repeat_rate"] = div(float64(repeat), float64(buyers))
	m["active_customers"] = float64(active)
	m["revenue"] = rev
	m["revenue_growth"] = div(rev, prev) - 1
	m["aov"] = div(rev, float64(orders))
}

// MetricKey returns the key of a linked metric: the part after the last dot, lower case.
func MetricKey(metric string) string {
	metric = strings.ToLower(strings.TrimSpace(metric))
	if i := strings.LastIndex(metric, "."); i >= 0 {
		return metric[i+1:]
	}
	return metric
}

// competitorsAnalysis is A17 for the registry.
type competitorsAnalysis struct{}

// New returns the competitors and SWOT analysis.
func New() analysis.Analysis { return competitorsAnalysis{} }

// Info describes the analysis.
func (competitorsAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "competitors",
		Code:    "A17",
		Title:   analysis.Text{En: "Competitors and SWOT", Zh: "竞争对手与 SWOT"},
		Summary: analysis.Text{En: "How is our market share moving against competitors, and where do we stand on the SWOT board today?", Zh: "我们与竞争对手的市场份额如何变化？SWOT 各项的当前指标如何？"},
		Options: []analysis.Option{
			{Key: "region", Default: "", Type: "string", Help: analysis.Text{En: "Region for the share trend (empty: the whole market)", Zh: "份额趋势的区域（留空为全市场）"}},
		},
		Labels: map[string]analysis.Text{
			"shares": {En: "Market share", Zh: "市场份额"}, "competitor": {En: "Competitor", Zh: "竞争对手"}, "self": {En: "Us", Zh: "本公司"},
			"period": {En: "Period", Zh: "期间"}, "region": {En: "Region", Zh: "区域"}, "share": {En: "Share", Zh: "份额"}, "rank": {En: "Rank", Zh: "排名"},
			"change": {En: "Change vs previous period", Zh: "较上期变化"}, "others": {En: "Others", Zh: "其他"}, "positioning": {En: "Positioning", Zh: "定位"},
			"products": {En: "Products", Zh: "产品"}, "price_positioning": {En: "Price positioning", Zh: "价格定位"}, "latest_share": {En: "Latest share", Zh: "最新份额"},
			"notes": {En: "Notes", Zh: "备注"}, "low": {En: "Low price", Zh: "低价"}, "mid": {En: "Mid price", Zh: "中价"}, "high": {En: "High price", Zh: "高价"},
			"swot": {En: "SWOT board", Zh: "SWOT 看板"}, "kind": {En: "Kind", Zh: "类型"}, "text": {En: "Item", Zh: "条目"}, "impact": {En: "Impact", Zh: "影响"},
			"scope": {En: "Scope", Zh: "范围"}, "metric": {En: "Linked metric", Zh: "关联指标"}, "value": {En: "Live value", Zh: "当前值"},
			"S": {En: "Strength", Zh: "优势"}, "W": {En: "Weakness", Zh: "劣势"}, "O": {En: "Opportunity", Zh: "机会"}, "T": {En: "Threat", Zh: "威胁"},
			"self_share": {En: "Our share (latest period)", Zh: "本公司份额（最新）"}, "self_change": {En: "Our share change", Zh: "本公司份额变化"},
			"self_rank": {En: "Our rank", Zh: "本公司排名"}, "leader": {En: "Market leader", Zh: "市场领先者"}, "latest_period": {En: "Latest period", Zh: "最新期间"},
			"competitors": {En: "Competitors", Zh: "竞争对手数"}, "share_trend": {En: "Market share trend", Zh: "市场份额趋势"},
			"latest_shares": {En: "Market share, latest period", Zh: "最新市场份额"}, "swot_impact": {En: "SWOT impact", Zh: "SWOT 影响"},
			"true": {En: "Yes", Zh: "是"}, "false": {En: "No", Zh: "否"}, "(none)": {En: "(whole market)", Zh: "（全市场）"},
			"nps": {En: "NPS", Zh: "净推荐值"}, "csat": {En: "CSAT", Zh: "满意率"}, "ces": {En: "CES", Zh: "费力度"}, "repeat_rate": {En: "Repeat-purchase rate", Zh: "复购率"},
			"active_customers": {En: "Active customers", Zh: "活跃客户"}, "customers": {En: "Customers", Zh: "客户数"}, "revenue": {En: "Revenue, last 12 months", Zh: "近 12 个月收入"},
			"revenue_growth": {En: "Revenue growth", Zh: "收入增长"}, "aov": {En: "Average order value", Zh: "客单价"}, "complaints": {En: "Complaints, last 12 months", Zh: "近 12 个月投诉"},
			"market_share": {En: "Our market share", Zh: "本公司市场份额"},
		},
		Needs: []string{"competitors", "swot"},
		Reads: []string{"competitors", "swot", "customers", "orders", "interactions", "surveys"},
	}
}

type shareRow struct {
	comp   *kexi.Competitor
	period string
	region string
	share  float64
}

// Run builds the share tables, the positioning table and the SWOT board.
func (a competitorsAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	o := analysis.NewOpts(info, in.Options)
	region := strings.TrimSpace(o.String("region"))
	if err := o.Err(); err != nil {
		return nil, err
	}
	d := in.Data
	rows := sortedShares(d.Competitors)
	res := &analysis.Result{Name: info.Name, AsOf: in.AsOf}
	st, notes := shareTable(rows)
	res.Notes = notes
	tr := trendIn(rows, region)
	lt := tr.latest(rows, region)
	live := Live(d, in.AsOf)
	live["market_share"] = lt.selfShare
	sw, imp := swot(d.SWOT, live)
	res.Summary = []analysis.Figure{{Key: "competitors", Value: float64(len(d.Competitors))}, {Key: "latest_period", Text: lt.period},
		{Key: "self_share", Value: lt.selfShare, Unit: "%"}, {Key: "self_change", Value: lt.selfChange, Unit: "%"},
		{Key: "self_rank", Value: lt.selfRank}, {Key: "leader", Text: lt.leader}}
	res.Tables = []analysis.Table{st, positioning(d.Competitors, lt.shareOf), sw}
	res.Series = []analysis.Series{tr.series, lt.series, imp}
	return res, ctx.Err()
}

// sortedShares returns every competitor's shares by period, region, share (highest first)
// and name.
func sortedShares(cs []kexi.Competitor) []shareRow {
	var rows []shareRow
	for i := range cs {
		c := &cs[i]
		for _, s := range c.Shares {
			rows = append(rows, shareRow{c, strings.TrimSpace(s.Period), strings.TrimSpace(s.Region), s.Share})
		}
	}
	slices.SortFunc(rows, func(a, b shareRow) int {
		if c := cmp.Compare(a.period, b.period); c != 0 {
			return c
		}
		if c := cmp.Compare(a.region, b.region); c != 0 {
			return c
		}
		if c := cmp.Compare(b.share, a.share); c != 0 {
			return c
		}
		return cmp.Compare(a.comp.Name, b.comp.Name)
	})
	return rows
}

// shareTable lists the shares (sorted) with each one's rank in its period and region and its
// change on the competitor's previous share there; "others" takes what the shares of a period
// and region leave below 100 %, and a note reports those above.
func shareTable(rows []shareRow) (analysis.Table, []analysis.Note) {
	st := analysis.Table{Key: "shares", Columns: []analysis.Column{{Key: "period", Type: "string"}, {Key: "region", Type: "string"},
		{Key: "competitor", Type: "string"}, {Key: "self", Type: "label"}, {Key: "share", Type: "percent"}, {Key: "rank", Type: "int"},
		{Key: "change", Type: "percent"}}}
	var notes []analysis.Note
	last := map[[2]string]float64{} // the previous share of a competitor and region
	for i := 0; i < len(rows); {
		j := i
		var sum float64
		for j < len(rows) && rows[j].period == rows[i].period && rows[j].region == rows[i].region {
			sum += rows[j].share
			j++
		}
		for k := i; k < j; k++ {
			r := rows[k]
			ck := [2]string{r.comp.Name, r.region}
			change := math.NaN()
			if p, ok := last[ck]; ok {
				change = r.share - p
			}
			last[ck] = r.share
			st.Rows = append(st.Rows, []any{r.period, r.region, r.comp.Name, boolText(r.comp.Self), r.share, k - i + 1, change})
		}
		switch {
		case sum > 1+1e-9:
			reg := analysis.V("region", rows[i].region)
			if rows[i].region == "" {
				reg = analysis.T("region", "whole market", "整体市场")
			}
			notes = append(notes, analysis.NewNote("shares_over_100", "shares in {period} ({region}) add up to more than 100%",
				"{period}（{region}）各品牌的市场份额合计超过 100%", analysis.V("period", rows[i].period), reg))
		case sum < 1-1e-9:
			st.Rows = append(st.Rows, []any{rows[i].period, rows[i].region, "others", "false", 1 - sum, j - i + 1, math.NaN()})
		}
		i = j
	}
	return st, notes
}

// trend is the shares in one region by period.
type trend struct {
	periods []string              // in order
	val     map[[2]string]float64 // by competitor name and period
	series  analysis.Series
}

// trendIn returns the shares in region over the periods, one line per competitor.
func trendIn(rows []shareRow, region string) trend {
	tr := trend{val: map[[2]string]float64{}}
	var names []string
	for _, r := range rows {
		if r.region != region {
			continue
		}
		if !slices.Contains(tr.periods, r.period) {
			tr.periods = append(tr.periods, r.period)
		}
		if !slices.Contains(names, r.comp.Name) {
			names = append(names, r.comp.Name)
		}
		tr.val[[2]string{r.comp.Name, r.period}] = r.share
	}
	slices.Sort(names)
	tr.series = analysis.Series{Key: "share_trend", Kind: "line", X: tr.periods}
	for _, n := range names {
		v := make([]float64, len(tr.periods))
		for k, p := range tr.periods {
			if s, ok := tr.val[[2]string{n, p}]; ok {
				v[k] = s
			} else {
				v[k] = math.NaN()
			}
		}
		tr.series.Y = append(tr.series.Y, analysis.Values{Key: n, Data: v, Unit: "percent"})
	}
	return tr
}

// latest is the shares of the latest period in a region.
type latest struct {
	period                          string
	leader                          string
	selfShare, selfChange, selfRank float64 // NaN when unknown
	shareOf                         map[string]float64
	series                          analysis.Series
}

// latest returns the shares of the trend's latest period: the leader, and the business's
// own share, its change on the period before and its rank.
func (tr trend) latest(rows []shareRow, region string) latest {
	lt := latest{selfShare: math.NaN(), selfChange: math.NaN(), selfRank: math.NaN(), shareOf: map[string]float64{},
		series: analysis.Series{Key: "latest_shares", Kind: "pie"}}
	var lv []float64
	if periods := tr.periods; len(periods) > 0 {
		lt.period = periods[len(periods)-1]
		var lr []shareRow
		for _, r := range rows {
			if r.region == region && r.period == lt.period {
				lr = append(lr, r)
			}
		}
		var sum float64
		for k, r := range lr {
			lt.series.X = append(lt.series.X, r.comp.Name)
			lv = append(lv, r.share)
			lt.shareOf[r.comp.Name] = r.share
			sum += r.share
			if k == 0 {
				lt.leader = r.comp.Name
			}
			if r.comp.Self {
				lt.selfShare, lt.selfRank = r.share, float64(k+1)
				if len(periods) > 1 {
					if p, ok := tr.val[[2]string{r.comp.Name, periods[len(periods)-2]}]; ok {
						lt.selfChange = r.share - p
					}
				}
			}
		}
		if sum < 1-1e-9 {
			lt.series.X = append(lt.series.X, "others")
			lv = append(lv, 1-sum)
		}
	}
	lt.series.Y = []analysis.Values{{Key: "share", Data: lv}}
	return lt
}

// positioning lists the competitors, the business itself first, then by name.
func positioning(cs []kexi.Competitor, shareOf map[string]float64) analysis.Table {
	pos := analysis.Table{Key: "positioning", Columns: []analysis.Column{{Key: "competitor", Type: "string"}, {Key: "self", Type: "label"},
		{Key: "products", Type: "string"}, {Key: "price_positioning", Type: "label"}, {Key: "latest_share", Type: "percent"}, {Key: "notes", Type: "string"}}}
	comps := make([]*kexi.Competitor, len(cs))
	for i := range cs {
		comps[i] = &cs[i]
	}
	slices.SortStableFunc(comps, func(a, b *kexi.Competitor) int {
		if a.Self != b.Self {
			if a.Self {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, c := range comps {
		s, ok := shareOf[c.Name]
		if !ok {
			s = math.NaN()
		}
		pos.Rows = append(pos.Rows, []any{c.Name, boolText(c.Self), c.Products, strings.ToLower(strings.TrimSpace(c.Positioning)), s, c.Notes})
	}
	return pos
}

// swot lists the SWOT items by kind (S, W, O, T, then others), impact (highest first) and id,
// each with its linked metric's live value, and charts the impact by kind.
func swot(all []kexi.SWOTItem, live map[string]float64) (analysis.Table, analysis.Series) {
	sw := analysis.Table{Key: "swot", Columns: []analysis.Column{{Key: "kind", Type: "label"}, {Key: "text", Type: "string"},
		{Key: "impact", Type: "int"}, {Key: "scope", Type: "terms"}, {Key: "metric", Type: "terms"}, {Key: "value", Type: "float"}}}
	items := make([]*kexi.SWOTItem, len(all))
	for i := range all {
		items[i] = &all[i]
	}
	order := func(k string) int {
		if i := strings.Index("SWOT", strings.ToUpper(k)); i >= 0 && len(k) == 1 {
			return i
		}
		return 4
	}
	slices.SortStableFunc(items, func(a, b *kexi.SWOTItem) int {
		if c := cmp.Compare(order(a.Kind), order(b.Kind)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Impact, a.Impact); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	impact := map[string]float64{}
	for _, it := range items {
		v := math.NaN()
		if it.Metric != "" {
			if x, ok := live[MetricKey(it.Metric)]; ok {
				v = x
			}
		}
		k := strings.ToUpper(strings.TrimSpace(it.Kind))
		sw.Rows = append(sw.Rows, []any{k, it.Text, it.Impact, it.Scope, it.Metric, v})
		impact[k] += float64(it.Impact)
	}
	imp := analysis.Series{Key: "swot_impact", Kind: "bar", X: []string{"S", "W", "O", "T"},
		Y: []analysis.Values{{Key: "impact", Data: []float64{impact["S"], impact["W"], impact["O"], impact["T"]}}}}
	return sw, imp
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
