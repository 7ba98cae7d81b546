package kexihttp

import (
	"context"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Headline is the dashboard's figures over the twelve months to AsOf, with monthly trends.
type Headline struct {
	AsOf      time.Time `json:"as_of"`
	From      time.Time `json:"from"` // start of the period (exclusive): AsOf minus one year
	Customers int       `json:"customers"`
	Active    int       `json:"active"`  // customers with a purchase in the period (orders without a customer are none)
	Revenue   float64   `json:"revenue"` // sum of purchase amounts in the period
	// HasCost says whether any purchase in the period has a cost of goods. Without cost data
	// the margin is unknown, not the whole revenue: Margin, MarginPct and MarginByM are then
	// null.
	HasCost bool     `json:"has_cost"`
	Margin  *float64 `json:"margin"` // revenue − cost of goods of those purchases
	// MarginPct is Margin / Revenue (0 with no revenue).
	MarginPct *float64 `json:"margin_pct"`
	// AnonymousOrders counts the purchases in the period without a customer (imported with
	// --anonymous, such as a shop's order report): in the revenue, not in the customer counts.
	AnonymousOrders int `json:"anonymous_orders"`
	// NPS is % promoters (9–10) − % detractors (0–6) of NPS answers in the period, -100..100;
	// NPSCount is how many answers it rests on (0: no NPS shown).
	NPS      float64 `json:"nps"`
	NPSCount int     `json:"nps_count"`
	// AtRisk and CLV come from the lifecycle and CLV analyses when they are registered. AtRisk
	// counts the lifecycle's at-risk stage: a last purchase more than AtRiskDays and at most
	// ChurnDays ago (the churn analysis's high-risk list is another thing: a probability).
	AtRisk     *float64 `json:"at_risk,omitempty"`
	AtRiskDays *float64 `json:"at_risk_days,omitempty"`
	ChurnDays  *float64 `json:"churn_days,omitempty"`
	CLV        *float64 `json:"clv,omitempty"`
	// Months are the twelve calendar months ending with AsOf's month ("2025-01").
	Months      []string  `json:"months"`
	RevenueByM  []float64 `json:"revenue_by_month"`
	ActiveByM   []float64 `json:"active_by_month"` // customers with a purchase in the month
	NewByM      []float64 `json:"new_by_month"`    // customers whose first purchase ever is in the month
	MarginByM   []float64 `json:"margin_by_month"` // null without cost data
	Orders      int       `json:"orders"`          // purchases in the period
	HasOrders   bool      `json:"has_orders"`
	HasSurveys  bool      `json:"has_surveys"`
	CustomersOK bool      `json:"-"`
}

// headline computes the dashboard figures from a Dataset. The period is (AsOf − 1 year,
// AsOf], AsOf being the end of the last order's day in loc, the business's time zone, where
// the months are cut too (the analyses' default, analysis.Defaults). Purchases are orders that
// OrderRow.IsPurchase accepts.
func headline(ds *kexi.Dataset, loc *time.Location) Headline {
	h := Headline{Customers: len(ds.Customers)}
	h.AsOf = analysis.Defaults(analysis.Input{Data: ds, Settings: kexi.Settings{TimeZone: loc.String()}}).AsOf
	h.From = h.AsOf.AddDate(-1, 0, 0)
	last := time.Date(h.AsOf.Year(), h.AsOf.Month(), 1, 0, 0, 0, 0, loc)
	first := last.AddDate(0, -11, 0)
	monthIdx := func(t time.Time) int {
		t = t.In(loc)
		return (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
	}
	for i := 0; i < 12; i++ {
		h.Months = append(h.Months, first.AddDate(0, i, 0).Format("2006-01"))
	}
	h.RevenueByM = make([]float64, 12)
	h.ActiveByM = make([]float64, 12)
	h.NewByM = make([]float64, 12)
	h.MarginByM = make([]float64, 12)
	inPeriod := func(t time.Time) bool { return t.After(h.From) && !t.After(h.AsOf) }

	var margin float64
	t := &ds.Orders
	t.Runs(func(cid int64, lo, hi int) {
		// Orders without a customer (cid 0) add to the revenue and margin, not to the
		// customer counts.
		anonymous := cid == 0
		active := false
		seenMonth := -1
		firstPurchase := true
		for i := lo; i < hi; i++ {
			if !t.IsPurchase(i) {
				continue
			}
			h.HasOrders = true
			at := t.Time(i)
			m := monthIdx(at)
			if firstPurchase && !anonymous {
				firstPurchase = false
				if m >= 0 && m < 12 {
					h.NewByM[m]++
				}
			}
			if m >= 0 && m < 12 {
				h.RevenueByM[m] += t.Amount[i]
				h.MarginByM[m] += t.Amount[i] - t.Cost[i]
				if m != seenMonth && !anonymous { // orders are in time order, so one count per month
					h.ActiveByM[m]++
					seenMonth = m
				}
			}
			if inPeriod(at) {
				h.Orders++
				h.Revenue += t.Amount[i]
				margin += t.Amount[i] - t.Cost[i]
				h.HasCost = h.HasCost || t.Cost[i] != 0
				active = !anonymous
				if anonymous {
					h.AnonymousOrders++
				}
			}
		}
		if active {
			h.Active++
		}
	})
	if h.HasCost {
		pct := 0.0
		if h.Revenue != 0 {
			pct = margin / h.Revenue
		}
		h.Margin, h.MarginPct = &margin, &pct
	} else {
		h.MarginByM = nil
	}
	var prom, detr int
	for _, s := range ds.Surveys {
		if s.Kind != kexi.NPS {
			continue
		}
		h.HasSurveys = true
		if !inPeriod(s.At) {
			continue
		}
		h.NPSCount++
		switch {
		case s.Score >= 9:
			prom++
		case s.Score <= 6:
			detr++
		}
	}
	if h.NPSCount > 0 {
		h.NPS = 100 * float64(prom-detr) / float64(h.NPSCount)
	}
	return h
}

// dashboardKey is the cache key of a scope's dashboard: its months are cut in the settings'
// time zone, so a new zone is a new key.
func (s *Server) dashboardKey(ctx context.Context, sc kexi.Scope) string {
	return "dashboard " + scopeKey(sc) + " tz=" + s.cachedSettings(ctx).TimeZone
}

// dashboard returns the headline figures for the request's scope, cached per data version.
// At-risk and CLV figures come from the registered analyses named in figureSources, when their
// results carry the figure: the newest results at hand (figures), so that a write shows on
// the next dashboard without waiting for those analyses to run again.
func (s *Server) dashboard(ctx context.Context, sc kexi.Scope) (*Headline, error) {
	d, v, err := s.dataset(ctx, sc)
	if err != nil {
		return nil, err
	}
	figs, figsKey := s.figures(ctx, sc, d)
	val, _, err := s.cache.get(ctx, v, s.dashboardKey(ctx, sc)+figsKey, func(ctx context.Context) (any, error) {
		h := headline(d.ds, s.zone(ctx))
		for i, src := range figureSources {
			if figs[i] != nil && h.HasOrders {
				src.pick(figs[i], &h)
			}
		}
		return &h, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*Headline), nil
}

// figureSources says which analysis results fill the dashboard's optional headlines.
var figureSources = []struct {
	analysis string
	pick     func(*analysis.Result, *Headline)
}{
	{"lifecycle", func(r *analysis.Result, h *Headline) {
		h.AtRisk = pick(r, countStage("at_risk"))
		h.AtRiskDays = pick(r, firstFigure("at_risk_days"))
		h.ChurnDays = pick(r, firstFigure("churn_days"))
	}},
	{"clv", func(r *analysis.Result, h *Headline) { h.CLV = pick(r, firstFigure("clv_total", "total_clv", "clv")) }},
}

// pick returns what f finds in r, or nil.
func pick(r *analysis.Result, f func(*analysis.Result) (float64, bool)) *float64 {
	if v, ok := f(r); ok {
		return &v
	}
	return nil
}

// firstFigure picks the first of the figures a result has.
func firstFigure(keys ...string) func(*analysis.Result) (float64, bool) {
	return func(r *analysis.Result) (float64, bool) {
		for _, k := range keys {
			if f, ok := r.Figure(k); ok {
				return f.Value, true
			}
		}
		return 0, false
	}
}

// countStage counts the rows of the first per-customer table whose "stage" column is stage
// (the lifecycle analysis lists each customer's stage), or takes a figure of that name.
func countStage(stage string) func(*analysis.Result) (float64, bool) {
	return func(r *analysis.Result) (float64, bool) {
		if f, ok := r.Figure(stage); ok {
			return f.Value, true
		}
		for _, t := range r.Tables {
			if !t.PerCustomer {
				continue
			}
			col := -1
			for i, c := range t.Columns {
				if c.Key == "stage" {
					col = i
				}
			}
			if col < 0 {
				continue
			}
			n := 0
			for _, row := range t.Rows {
				if s, _ := row[col].(string); s == stage {
					n++
				}
			}
			return float64(n), true
		}
		return 0, false
	}
}
