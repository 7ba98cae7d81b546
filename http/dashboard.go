package kexihttp

import (
	"context"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Headline is the dashboard's figures over a period ending at AsOf, with monthly trends.
type Headline struct {
	// Period names the period picked ("365d", "last_month", "custom", "all"; see period.go).
	Period    string    `json:"period,omitempty"`
	AsOf      time.Time `json:"as_of"`         // the end of the period
	From      time.Time `json:"from,omitzero"` // the start of the period (inclusive; none: all time)
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
	// Previous holds the same figures over the period before (without monthly trends), when
	// the period has one to compare with.
	Previous *Headline `json:"previous,omitempty"`
	// FiguresAsOf is the as-of date the at-risk and CLV figures were computed as of (zero:
	// the analyses' default), for the links to their customers.
	FiguresAsOf time.Time `json:"-"`
}

// headline computes the dashboard figures from a Dataset for the period [from, to] (a zero
// from leaves it open). A zero to means the year to AsOf, the end of the last order's day in
// loc, the business's time zone (the analyses' default, analysis.Defaults). The twelve months
// of the trends end with AsOf's month, cut in loc. Purchases are orders that
// OrderRow.IsPurchase accepts.
func headline(ds *kexi.Dataset, loc *time.Location, from, to time.Time) Headline {
	h := Headline{Customers: len(ds.Customers)}
	h.AsOf = analysis.Defaults(analysis.Input{Data: ds, Settings: kexi.Settings{TimeZone: loc.String()}}).AsOf
	h.From = h.AsOf.AddDate(-1, 0, 0).Add(time.Nanosecond)
	if !to.IsZero() {
		h.From, h.AsOf = from, to
	}
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
	inPeriod := func(t time.Time) bool { return !t.Before(h.From) && !t.After(h.AsOf) }

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

// dashboardKey is the cache key of a scope's dashboard over its default period (another
// period adds its days to it): its months are cut in the settings' time zone, so a new zone is
// a new key.
func (s *Server) dashboardKey(ctx context.Context, sc kexi.Scope) string {
	return "dashboard " + scopeKey(sc) + " tz=" + s.cachedSettings(ctx).TimeZone
}

// dashboard returns the headline figures for the request's scope over the period pc, and
// those of the period before when it has one (period.go), cached per data version.
// At-risk and CLV figures come from the registered analyses that declare them as headlines
// (figureSources), when their results carry them, as of the end of the period (the previous period: at-risk only).
// Over the default period they are the newest results at hand (figures, recent.go), so that a write
// shows on the next dashboard without waiting for those analyses to run again.
func (s *Server) dashboard(ctx context.Context, sc kexi.Scope, pc periodChoice) (*Headline, error) {
	d, err := s.dataset(ctx, sc, 0) // the base parts: dashboardParts
	if err != nil {
		return nil, err
	}
	key := s.dashboardKey(ctx, sc)
	var figs []*analysis.Result
	if pc.Default && !pc.AsOfGiven {
		var figsKey string
		figs, figsKey = s.figures(ctx, sc, d)
		key += figsKey
	} else {
		key += " " + periodKey(pc)
	}
	val, _, err := s.cache.get(ctx, d.v, key, func(ctx context.Context) (any, error) {
		from, to := pc.P.From, pc.AsOf
		if !pc.P.To.IsZero() {
			to = pc.P.End()
		}
		h := s.headlineFor(ctx, sc, d, from, to, false, figs)
		h.Period = pc.Name
		if pc.Compares() {
			prev := s.headlineFor(ctx, sc, d, pc.Prev.From, pc.Prev.End(), true, nil)
			prev.Period = pc.Name
			prev.Months, prev.RevenueByM, prev.ActiveByM, prev.NewByM, prev.MarginByM = nil, nil, nil, nil, nil
			h.Previous = &prev
		}
		return &h, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*Headline), nil
}

// headlineFor computes the headline (see headline) with the figures of figureSources as of
// to: the analyses' default run when to is their default as-of date, and then figs when given
// (the newest results at hand, figureSources' order). prev leaves out CLV, a forecast rather
// than a figure of the period.
func (s *Server) headlineFor(ctx context.Context, sc kexi.Scope, d *data, from, to time.Time, prev bool, figs []*analysis.Result) Headline {
	h := headline(d.ds, s.zone(ctx), from, to)
	var in analysis.Input
	if def, err := s.defaultAsOfOn(ctx, sc, d); err == nil && !h.AsOf.Equal(def) {
		in.AsOf = h.AsOf
	}
	h.FiguresAsOf = in.AsOf
	for i, src := range s.figureSources {
		a := s.byName[src.analysis]
		if a == nil || !h.HasOrders || prev && src.forecast() {
			continue
		}
		if figs != nil && in.AsOf.IsZero() {
			if figs[i] != nil {
				src.pick(figs[i], &h, prev)
			}
			continue
		}
		res, _, err := s.runAnalysis(ctx, sc, a, in, d)
		if err != nil {
			s.log.Warn("dashboard figure", "analysis", src.analysis, "err", err)
			continue
		}
		src.pick(res, &h, prev)
	}
	return h
}

// dashboardParts are the Dataset parts the dashboard reads: the orders with their costs, the
// customers, the surveys (NPS), and what the analyses of its figures read (figureSources).
// Every Dataset the server holds has them (Server.base).
func (s *Server) dashboardParts() kexi.Parts {
	p := kexi.PartCustomers | kexi.PartOrders | kexi.PartOrderDetails | kexi.PartSurveys
	for _, src := range s.figureSources {
		if a := s.byName[src.analysis]; a != nil {
			p |= analysis.Parts(a)
		}
	}
	return p
}

// headlineFields are the dashboard's optional figures by the key of the analysis Headline
// that fills each (analysis.Info.Headlines): an analysis declares which of its numbers is the
// dashboard's at-risk count or predicted CLV, and the dashboard reads it from there.
var headlineFields = map[string]func(*Headline) **float64{
	"at_risk":      func(h *Headline) **float64 { return &h.AtRisk },
	"at_risk_days": func(h *Headline) **float64 { return &h.AtRiskDays },
	"churn_days":   func(h *Headline) **float64 { return &h.ChurnDays },
	"clv":          func(h *Headline) **float64 { return &h.CLV },
}

// figureSource is a registered analysis whose results fill some of the dashboard's optional
// figures, and its headlines that do.
type figureSource struct {
	analysis  string
	headlines []analysis.Headline
}

// pick sets the figures of src's headlines that r holds, leaving out forecasts for the
// previous period (prev).
func (src figureSource) pick(r *analysis.Result, h *Headline, prev bool) {
	for _, hl := range src.headlines {
		if prev && hl.Forecast {
			continue
		}
		if v, ok := hl.Value(r); ok {
			*headlineFields[hl.Key](h) = &v
		}
	}
}

// forecast reports whether src fills only forecasts, which the previous period leaves out.
func (src figureSource) forecast() bool {
	for _, hl := range src.headlines {
		if !hl.Forecast {
			return false
		}
	}
	return true
}

// figureSources are the registered analyses that declare headlines of the dashboard
// (headlineFields), in the order of the registry.
func figureSources(as []analysis.Analysis) []figureSource {
	var out []figureSource
	for _, a := range as {
		info := a.Info()
		src := figureSource{analysis: info.Name}
		for _, hl := range info.Headlines {
			if headlineFields[hl.Key] != nil {
				src.headlines = append(src.headlines, hl)
			}
		}
		if len(src.headlines) > 0 {
			out = append(out, src)
		}
	}
	return out
}

// headlineLink returns the analysis and the Drill of the headline key among the sources, for
// a link to the customers behind it; ok is false when it has none.
func headlineLink(srcs []figureSource, key string) (name string, d analysis.Drill, ok bool) {
	for _, src := range srcs {
		for _, hl := range src.headlines {
			if hl.Key == key && hl.Drill.Column != "" && hl.Drill.Value != "" {
				return src.analysis, hl.Drill, true
			}
		}
	}
	return "", analysis.Drill{}, false
}
