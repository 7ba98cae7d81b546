package portrait

import (
	"cmp"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/analysis/rfm"
)

// purchaseSeries is the customer's purchase timeline: revenue and purchases in each month from
// the month of their first purchase to the as-of month (months in the as-of date's location),
// months without a purchase as zero so that gaps show. Nil without purchases up to asOf.
func purchaseSeries(own *kexi.OrderTable, asOf time.Time) *analysis.Series {
	loc := asOf.Location()
	month := func(t time.Time) time.Time {
		t = t.In(loc)
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	}
	var first time.Time
	rev, n := map[time.Time]float64{}, map[time.Time]float64{}
	for i := range own.Len() {
		at := own.Time(i)
		if !own.IsPurchase(i) || at.After(asOf) {
			continue
		}
		m := month(at)
		if first.IsZero() || m.Before(first) {
			first = m
		}
		rev[m] += own.Amount[i]
		n[m]++
	}
	if first.IsZero() {
		return nil
	}
	s := &analysis.Series{Key: "purchases_by_month", Kind: "bar",
		Y: []analysis.Values{{Key: "revenue", Unit: "currency"}, {Key: "purchases"}}}
	for m := first; !m.After(month(asOf)); m = m.AddDate(0, 1, 0) {
		s.X = append(s.X, m.Format("2006-01"))
		s.Y[0].Data = append(s.Y[0].Data, analysis.Cents(rev[m]))
		s.Y[1].Data = append(s.Y[1].Data, n[m])
	}
	return s
}

// mixSeries is the category mix: the customer's spend by product category (a pie), largest
// first, categories after the seventh summed as "(other)". Nil without any.
func mixSeries(spend map[string]float64) *analysis.Series {
	ks := make([]string, 0, len(spend))
	for k, v := range spend {
		if v > 0 {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return nil
	}
	slices.SortFunc(ks, func(a, b string) int {
		if c := cmp.Compare(spend[b], spend[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	s := &analysis.Series{Key: "category_mix", Kind: "pie", Y: []analysis.Values{{Key: "revenue", Unit: "currency"}}}
	var other float64
	for i, k := range ks {
		if i >= 7 {
			other += spend[k]
			continue
		}
		name := k
		if name == "" {
			name = "(uncategorised)"
		}
		s.X = append(s.X, name)
		s.Y[0].Data = append(s.Y[0].Data, analysis.Cents(spend[k]))
	}
	if other > 0 {
		s.X = append(s.X, "(other)")
		s.Y[0].Data = append(s.Y[0].Data, analysis.Cents(other))
	}
	return s
}

// Tags are what the portrait's header says about a customer, the facts the next best actions
// are derived from.
type Tags struct {
	Segment      string  // RFM eight-class segment (rfm.CN8), "" without purchases
	Tier         string  // pyramid tier, "" without spend
	Stage        string  // lifecycle stage
	Complaints90 int     // complaints in the 90 days to the as-of date
	NPS          float64 // latest NPS score, negative when unknown
}

// HighValue reports whether the customer is among the most valuable: a VIP or major pyramid
// tier, or an RFM segment with high spend (重要价值, 重要保持, 重要发展, 重要挽留).
func (t Tags) HighValue() bool {
	switch t.Tier {
	case pyramid.VIP, pyramid.Major:
		return true
	}
	switch t.Segment {
	case rfm.ImportantValue, rfm.ImportantRetain, rfm.ImportantDevelop, rfm.ImportantWinBack:
		return true
	}
	return false
}

// Advise returns the next best actions for a customer's tags, each with its reason: the rules
// of Actions, led by two that read risk together with value:
//
//	at risk or churned and high value (not 重要挽留, who gets the win-back call) → a personal call
//	at risk and not high value                                                → a come-back offer
func Advise(t Tags) []Action {
	var out []Action
	risky := t.Stage == lifecycle.AtRisk || t.Stage == lifecycle.Churned
	switch {
	case risky && t.HighValue() && t.Segment != rfm.ImportantWinBack:
		out = append(out, Action{"retention_call", "reason_risk_high_value"})
	case t.Stage == lifecycle.AtRisk && !t.HighValue():
		out = append(out, Action{"comeback_offer", "reason_at_risk"})
	}
	for _, a := range Actions(t.Segment, t.Stage, t.Complaints90, t.NPS) {
		if a.Action == "keep_in_touch" && len(out) > 0 {
			continue
		}
		out = append(out, a)
	}
	return out
}

func init() {
	for k, v := range map[string]analysis.Text{
		"purchases_by_month":     {En: "Purchases by month", Zh: "每月购买"},
		"purchases":              {En: "Purchases", Zh: "购买次数"},
		"category_mix":           {En: "Spend by category", Zh: "品类消费构成"},
		"(uncategorised)":        {En: "(no category)", Zh: "（未分类）"},
		"(other)":                {En: "(other)", Zh: "（其他）"},
		"retention_call":         {En: "Call them personally: ask what went wrong, offer a tailored deal", Zh: "由负责人电话关怀：了解原因，给出专属方案"},
		"comeback_offer":         {En: "Send a come-back offer before they lapse", Zh: "在流失前发送回购优惠"},
		"reason_risk_high_value": {En: "High-value customer who is at risk or has stopped buying", Zh: "高价值客户，已有流失风险或已停止购买"},
		"reason_at_risk":         {En: "Buying less often than before: at risk of churning", Zh: "购买间隔变长，有流失风险"},
	} {
		labels[k] = v
	}
}
