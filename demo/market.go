package demo

import (
	"fmt"
	"math"
	"time"

	"github.com/kexi/kexi"
)

// SelfName is the name of the demo business itself.
const SelfName = "云杉优选"

// rival is a competitor with its base share of the market and its share trend per year.
type rival struct {
	name, products, positioning, notes string
	share, trend                       float64
	strong                             string // region where it is strongest
}

var rivals = []rival{
	{SelfName, "全品类：数码、家电、服装、美妆、食品、家居、母婴", "mid", "本公司", 0.14, 0.12, regionEast},
	{"优品汇", "数码家电、电脑办公", "mid", "企业采购渠道强，售后网点多", 0.24, -0.04, regionNorth},
	{"惠购网", "全品类低价", "low", "价格战主力，物流时效一般", 0.27, 0.02, regionCentral},
	{"鲜达商城", "食品生鲜、家居日用", "mid", "生鲜次日达，华南覆盖好", 0.12, 0.05, regionSouth},
	{"尚品生活", "美妆、服装、高端家居", "high", "品牌调性高，会员复购强", 0.10, 0.03, regionEast},
	{"乐淘家", "母婴玩具、家居日用", "low", "主打下沉市场与社区团购", 0.13, -0.06, regionSouthwest},
}

// shareRegions are the regions of the market-share reports; "" is the whole country.
var shareRegions = []string{"", regionEast, regionSouth, regionNorth, regionCentral, regionSouthwest}

// competitors lists the business itself and five competitors with market shares for every
// complete quarter of the history, nationally and by region. Shares of one period and region
// add up to 1.
func (g *gen) competitors() {
	r := g.rng(12)
	type quarter struct {
		label string
		years float64 // years since the start of the history
	}
	var qs []quarter
	first := g.day[0]
	for y, q := first.Year(), (int(first.Month())-1)/3+1; ; q++ {
		if q > 4 {
			y, q = y+1, 1
		}
		qStart := time.Date(y, time.Month((q-1)*3+1), 1, 0, 0, 0, 0, g.loc)
		qEnd := qStart.AddDate(0, 3, 0)
		if qStart.Before(first) {
			continue
		}
		if qEnd.After(g.end) {
			break
		}
		qs = append(qs, quarter{fmt.Sprintf("%d-Q%d", y, q), qStart.Sub(first).Hours() / 24 / 365})
	}
	comps := make([]kexi.Competitor, len(rivals))
	for i, rv := range rivals {
		id := fmt.Sprintf("CM%02d", i)
		if i == 0 {
			id = "CM-SELF"
		}
		comps[i] = kexi.Competitor{ExternalID: id, Name: rv.name, Self: i == 0, Products: rv.products,
			Positioning: rv.positioning, Notes: rv.notes}
	}
	raw := make([]float64, len(rivals))
	for _, q := range qs {
		for _, region := range shareRegions {
			sum := 0.0
			for i, rv := range rivals {
				x := rv.share * math.Exp(rv.trend*q.years) * (1 + 0.04*r.NormFloat64())
				if region != "" && region == rv.strong {
					x *= 1.6
				}
				raw[i] = x
				sum += x
			}
			// Round to 4 places; the last takes the remainder so the shares add up to 1.
			rest := 1.0
			for i := range rivals {
				s := math.Round(raw[i]/sum*10000) / 10000
				if i == len(rivals)-1 {
					s = math.Round(rest*10000) / 10000
				}
				rest -= s
				comps[i].Shares = append(comps[i].Shares, kexi.MarketShare{Period: q.label, Region: region, Share: s})
			}
		}
	}
	g.b.Competitors = comps
}

// swot fills the SWOT board, each item linked to the figure that tracks it.
func (g *gen) swot() {
	items := []kexi.SWOTItem{
		{Kind: "S", Text: "老客复购率高于行业平均", Impact: 4, Scope: "company", Metric: "retention.repeat_rate"},
		{Kind: "S", Text: "客服响应快，满意度高", Impact: 4, Scope: "company", Metric: "satisfaction.csat"},
		{Kind: "S", Text: "美妆与服装品类毛利率高", Impact: 3, Scope: "product", Metric: "customer_value.profit"},
		{Kind: "W", Text: "一次性购买客户占比偏高", Impact: 4, Scope: "segment", Metric: "retention.one_time_share"},
		{Kind: "W", Text: "线索从跟进到报价转化低", Impact: 3, Scope: "company", Metric: "lead_funnel.overall_conversion"},
		{Kind: "W", Text: "数码家电品类毛利率低", Impact: 3, Scope: "product", Metric: "customer_value.margin"},
		{Kind: "O", Text: "企业采购需求增长，展会获客效果好", Impact: 4, Scope: "segment", Metric: "acquisition.roi"},
		{Kind: "O", Text: "抖音、小红书等内容电商渠道增长", Impact: 3, Scope: "company", Metric: "acquisition.new_customers"},
		{Kind: "O", Text: "下沉市场与二三线城市需求上升", Impact: 3, Scope: "segment", Metric: "segmentation.growth"},
		{Kind: "T", Text: "竞争对手价格战，低价平台分流", Impact: 5, Scope: "company", Metric: "competitors.share"},
		{Kind: "T", Text: "平台流量与广告成本上涨，获客成本提高", Impact: 4, Scope: "company", Metric: "acquisition.cac"},
		{Kind: "T", Text: "大促期间物流延误拉低口碑", Impact: 3, Scope: "company", Metric: "satisfaction.nps"},
	}
	for i := range items {
		items[i].ExternalID = fmt.Sprintf("SW%02d", i+1)
	}
	g.b.SWOT = items
}
