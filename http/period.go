package kexihttp

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Periods. The dashboard and every analysis page have one period picker: all time, the last
// 30/90/365 days, this and last month, quarter and year (analysis.PresetPeriod), or a custom
// from–to. The choice is the query parameter period (with from and to for a custom one), so a
// link holds it, and the API reads the same. Presets count back from the as-of day: as_of when
// given, else the last order's day (analysis.Defaults), so a data set that ends in 2011 still
// has a "last 90 days"; a page says so when that day is not today (the server's clock, read
// here and nowhere in the analyses). A preset runs an analysis on its days as of the end of its
// last day; its headline figures compare with the same run over the period before
// (analysis.Period.Previous).

// dashboardPeriod is the dashboard's period when none is picked.
const dashboardPeriod = "365d"

// periodChoice is the period a request asks for (analysis.Choice).
type periodChoice = analysis.Choice

// periodKey is a cache key part for the choice c: its days and as-of instant.
func periodKey(c periodChoice) string {
	return c.Name + " " + c.P.From.Format(time.RFC3339) + ".." + c.P.To.Format(time.RFC3339) +
		" as_of=" + c.AsOf.Format(time.RFC3339Nano)
}

// request is the analysis.Request of a query: its as_of, from, to and period, and every other
// parameter as an option value.
func request(q url.Values) analysis.Request {
	r := analysis.Request{AsOf: q.Get("as_of"), From: q.Get("from"), To: q.Get("to"), Period: q.Get("period"),
		Options: map[string]string{}, Names: [4]string{"as_of", "from", "to", "period"}}
	for k := range q {
		if !reservedParams[k] {
			r.Options[k] = q.Get(k)
		}
	}
	return r
}

// choosePeriod reads period, from, to and as_of from q (analysis.Request.Choose). def is the
// choice without period, from and to ("all" on analysis pages, "365d" on the dashboard);
// defAsOf gives the default as-of instant (the end of the last order's day), now the server's
// clock for when there is no data. With strict (the API), a preset with from or to is an
// error; pages let the preset win. An unknown period is an EINVALID error naming "period".
func choosePeriod(q url.Values, def string, strict bool, loc *time.Location, dates kexi.Dates,
	defAsOf func() (time.Time, error), now time.Time) (periodChoice, error) {
	return request(q).Choose(def, strict, loc, dates, defAsOf, now)
}

// periodFor reads the request's period for the scope (see choosePeriod).
func (s *Server) periodFor(ctx context.Context, q url.Values, def string, strict bool, sc kexi.Scope) (periodChoice, error) {
	return choosePeriod(q, def, strict, s.zone(ctx), s.dates(), func() (time.Time, error) { return s.defaultAsOf(ctx, sc) }, s.now())
}

// defaultAsOf returns the as-of instant an analysis of the scope defaults to (the end of the
// last order's day, analysis.Defaults), cached per data version.
func (s *Server) defaultAsOf(ctx context.Context, sc kexi.Scope) (time.Time, error) {
	d, err := s.dataset(ctx, sc, 0)
	if err != nil {
		return time.Time{}, err
	}
	return s.defaultAsOfOn(ctx, sc, d)
}

// defaultAsOfOn is defaultAsOf on the scope's Dataset d.
func (s *Server) defaultAsOfOn(ctx context.Context, sc kexi.Scope, d *data) (time.Time, error) {
	set := s.cachedSettings(ctx)
	val, _, err := s.cache.get(ctx, d.v, "asof "+scopeKey(sc)+" tz="+set.TimeZone, func(context.Context) (any, error) {
		return analysis.Defaults(analysis.Input{Data: d.ds, Settings: set}).AsOf, nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return val.(time.Time), nil
}

// datesQuery returns q with a preset period written out as the from, to and as_of of in (the
// run it chose), and "all" as no from and to, for links to pages that read only dates (the
// customer table's drill-downs).
func datesQuery(q url.Values, in analysis.Input, loc *time.Location) url.Values {
	name := strings.TrimSpace(q.Get("period"))
	if name == "" || name == "custom" {
		return q
	}
	out := cloneQuery(q)
	out.Del("period")
	if in.From.IsZero() { // all time
		out.Del("from")
		out.Del("to")
		return out
	}
	out.Set("from", in.From.In(loc).Format("2006-01-02"))
	out.Set("to", in.To.In(loc).Format("2006-01-02"))
	out.Set("as_of", in.AsOf.In(loc).Format("2006-01-02"))
	return out
}

// periodView is the period picker and the period line of a page header.
type periodView struct {
	TPeriod, TFrom, TTo, TApply string // the words of the picker
	Action                      string
	Name                        string
	Options                     []choiceView
	From, To                    string        // the custom dates, 2006-01-02
	Keep                        []hiddenField // the page's other parameters
	Label                       string        // "Last 90 days: 9 Sep 2026 – 7 Dec 2026"
	Vs                          string        // "compared with 11 Jun 2026 – 8 Sep 2026"
	AsOfNote                    string        // "data as of 9 Dec 2011", when that day is not today
}

// hiddenField is a parameter a form passes on as it is.
type hiddenField struct{ Name, Value string }

// periodView builds the picker for a page at action with query q: every other parameter of q
// (options, as_of) is kept as a hidden field, paging is dropped.
func (p *page) periodView(action string, q url.Values, c periodChoice, today time.Time) periodView {
	v := periodView{Action: action, Name: c.Name, TPeriod: p.T("Period"), TFrom: p.T("From"), TTo: p.T("To"), TApply: p.T("Apply")}
	for _, n := range append(append([]string{"all"}, analysis.Periods...), "custom") {
		v.Options = append(v.Options, choiceView{Value: n, Label: p.T("period_" + n), Selected: n == c.Name})
	}
	if c.Name == "custom" {
		v.From, v.To = q.Get("from"), q.Get("to")
	}
	var keys []string
	for k := range q {
		if k != "period" && k != "from" && k != "to" && !strings.HasPrefix(k, "page_") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, val := range q[k] {
			v.Keep = append(v.Keep, hiddenField{Name: k, Value: val})
		}
	}
	v.Label = p.T("period_" + c.Name)
	if !c.P.From.IsZero() || !c.P.To.IsZero() {
		v.Label += p.T("colon") + p.span(c.P)
	}
	if c.Compares() {
		v.Vs = p.Tf("period_vs", p.span(c.Prev))
	}
	if !c.AsOf.IsZero() && c.AsOf.In(p.loc()).Format("2006-01-02") != today.In(p.loc()).Format("2006-01-02") {
		v.AsOfNote = p.Tf("period_as_of", p.Date(c.AsOf))
	}
	return v
}

// loc is the page's time zone (UTC when unset).
func (p *page) loc() *time.Location {
	if p.Loc == nil {
		return time.UTC
	}
	return p.Loc
}

// span writes a period's days: "9 Sep 2026 – 7 Dec 2026", one day once, an open end as "…".
func (p *page) span(pr analysis.Period) string {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return fmtDate(p.Lang, t)
	}
	if !pr.From.IsZero() && pr.From.Equal(pr.To) {
		return day(pr.From)
	}
	return day(pr.From) + " – " + day(pr.To)
}

// changeView is the change of a headline figure against the previous period: "▲ +12.3%",
// green (good), red (bad) or grey (flat, or a figure that is neither), with the previous
// value in its title.
type changeView struct {
	Text, Class, Title string
}

// Ways a figure changes: relative (counts and money: +12.3%), in percentage points (a rate,
// a fraction shown as a percentage) or in points (NPS, −100..100).
const (
	changeRel = iota
	changePts
	changePoints
)

// changeOf returns the change of cur against prev in the way kind: relative (cur−prev)/|prev|,
// else the difference (×100 for percentage points). It returns false when there is none to
// show: a value that is not a number, or a relative change from 0.
func changeOf(cur, prev float64, kind int) (float64, bool) {
	for _, x := range []float64{cur, prev} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, false
		}
	}
	switch kind {
	case changePts:
		return (cur - prev) * 100, true
	case changePoints:
		return cur - prev, true
	}
	if prev == 0 {
		return 0, false
	}
	return (cur - prev) / math.Abs(prev), true
}

// change shows the change of cur against prev (see changeOf). good is +1 when a rise is good,
// −1 when it is bad (more customers at risk), 0 when it is neither. prevText is the previous
// value as the page shows it. It returns nil when there is no change to show.
func (p *page) change(cur, prev float64, kind, good int, prevText string, c periodChoice) *changeView {
	d, ok := changeOf(cur, prev, kind)
	if !ok {
		return nil
	}
	shown, unit := math.Abs(d), "%"
	switch kind {
	case changePts:
		unit = p.T("change_pts")
	case changePoints:
		unit = p.T("change_points")
	default:
		shown *= 100
	}
	shown = math.Round(shown*10) / 10 // as shown, to one decimal
	text := fmtNum(p.Lang, shown, 1) + unit
	v := &changeView{Class: "flat", Title: p.Tf("change_prev", p.span(c.Prev), prevText)}
	switch {
	case shown == 0:
		v.Text = "± " + text
	case d > 0:
		v.Text = "▲ +" + text
		v.Class = map[int]string{1: "good", -1: "bad", 0: "flat"}[good]
	default:
		v.Text = "▼ −" + text
		v.Class = map[int]string{1: "bad", -1: "good", 0: "flat"}[good]
	}
	return v
}

// figureTrends says how the analyses' headline figures change for the better: −1 when a rise
// is bad (more churn, more problems, higher cost), 0 when it is neither good nor bad (a share
// of one group, a count of campaigns). Figures not named here are better higher. Figures in
// noChange get no comparison: settings, model statistics and the analyses' own comparisons.
var figureTrends = map[string]int{
	"at_risk": -1, "churned": -1, "churn_rate": -1, "high_risk": -1, "expected_churners": -1,
	"revenue_lost": -1, "lost": -1, "lost_leads": -1, "downgraded": -1, "one_time_buyers": -1,
	"one_time_share": -1, "overdue_customers": -1, "unprofitable_customers": -1, "detractors": -1,
	"complaints": -1, "complaints_90d": -1, "cost": -1, "cac": -1, "bottleneck_rate": -1,
	"customers_with_problems": -1, "invalid_values": -1, "likely_duplicates": -1,
	"stale_customers": -1, "invalid_scores": -1, "excluded": -1, "unknown_share": -1,
	"passives": 0, "same": 0, "top1_share": 0, "top20_share": 0, "top20_revenue_share": 0,
	"whale_peak_share": 0, "largest_group_share": 0, "ces": 0, "items": 0, "rules": 0,
	"mean_dwell_seconds": 0, "campaigns": 0, "churn_promoters": 0, "churn_detractors": 0,
	"open_leads": 0, "scored_customers": 0, "members": 0,
}

// noChange are figures that get no comparison.
var noChange = map[string]bool{"k": true, "silhouette": true, "features": true, "training_customers": true,
	"precision_top": true, "group_count": true, "loyal_orders": true, "self_rank": true, "self_change": true,
	"self_share": true, "revenue_growth": true, "conversion_change": true, "expected_purchases": true}

// figureChange returns how a result figure compares with the previous run's figure of the same
// key: only numbers that count, sum money or are rates (units "", "%", "currency", "points"),
// not details, and not those in noChange or named previous_… or auc_….
func (p *page) figureChange(info *analysis.Info, f analysis.Figure, prev *analysis.Result, c periodChoice) *changeView {
	if prev == nil || f.Detail || f.Text != "" || noChange[f.Key] ||
		strings.HasPrefix(f.Key, "previous_") || strings.HasPrefix(f.Key, "auc_") {
		return nil
	}
	kind := changeRel
	switch f.Unit {
	case "", "currency":
	case "%":
		kind = changePts
	case "points":
		kind = changePoints
	default:
		return nil
	}
	pf, ok := prev.Figure(f.Key)
	if !ok || pf.Text != "" || pf.Unit != f.Unit {
		return nil
	}
	good, named := figureTrends[f.Key]
	if !named {
		good = 1
	}
	return p.change(f.Value, pf.Value, kind, good, p.figure(info, pf), c)
}

// compareFigures runs the analysis again over the previous period and sets the change of each
// headline figure of v that has a meaningful one (figureChange). A run that fails (too few data
// in the previous period) leaves the figures without a change.
func (s *Server) compareFigures(r *http.Request, p *page, v *analysisView, a analysis.Analysis, info *analysis.Info,
	res *analysis.Result, d *data, c periodChoice, in analysis.Input) {
	prev, _, err := s.runAnalysis(r.Context(), scopeOf(r), a, c.Previous(in, s.zone(r.Context())), d)
	if err != nil {
		s.log.Debug("previous period", "analysis", info.Name, "err", err)
		return
	}
	for i := range v.Figures {
		if f, ok := res.Figure(v.Figures[i].Key); ok {
			v.Figures[i].Change = p.figureChange(info, f, prev, c)
		}
	}
}

// prefetchPrevious starts the comparison run of an analysis page beside the page's own run;
// compareFigures finds it in the cache (or waits for it there). A slow analysis (churn trains
// its models) then takes about as long with a comparison as without on two cores.
func (s *Server) prefetchPrevious(r *http.Request, a analysis.Analysis, c periodChoice) {
	ctx := r.Context()
	in, err := analysisInput(a.Info(), r.URL.Query(), false, s.zone(ctx), s.dates())
	if err != nil {
		return
	}
	c.Apply(&in)
	sc := scopeOf(r)
	d, err := s.dataset(ctx, sc, analysis.Parts(a))
	if err != nil {
		return
	}
	prev := c.Previous(in, s.zone(ctx))
	go func() { _, _, _ = s.runAnalysis(context.WithoutCancel(ctx), sc, a, prev, d) }()
}

// dashboardChanges sets the change of the dashboard's figures against h.Previous: active
// customers, revenue and margin (relative), margin % (points of a percentage), NPS (points),
// orders without a customer (neither good nor bad) and the at-risk stage (a rise is bad). The
// customer count is every customer, not a figure of the period: it has none.
func (p *page) dashboardChanges(figs []figureView, h *Headline, c periodChoice) {
	prev := h.Previous
	if prev == nil {
		return
	}
	shown := map[string]string{}
	for _, f := range dashboardFigures(p, prev) {
		shown[f.Key] = f.Value
		if f.Exact != "" {
			shown[f.Key] = f.Exact
		}
	}
	for i := range figs {
		f := &figs[i]
		was := shown[f.Key]
		switch f.Key {
		case "dash_active":
			f.Change = p.change(float64(h.Active), float64(prev.Active), changeRel, 1, was, c)
		case "dash_revenue":
			f.Change = p.change(h.Revenue, prev.Revenue, changeRel, 1, was, c)
		case "dash_margin":
			if h.Margin != nil && prev.Margin != nil {
				f.Change = p.change(*h.Margin, *prev.Margin, changeRel, 1, was, c)
			}
		case "dash_margin_pct":
			if h.MarginPct != nil && prev.MarginPct != nil {
				f.Change = p.change(*h.MarginPct, *prev.MarginPct, changePts, 1, was, c)
			}
		case "dash_anonymous_orders":
			f.Change = p.change(float64(h.AnonymousOrders), float64(prev.AnonymousOrders), changeRel, 0, p.Num(prev.AnonymousOrders), c)
		case "dash_nps":
			if prev.NPSCount > 0 {
				f.Change = p.change(h.NPS, prev.NPS, changePoints, 1, fmtNum(p.Lang, prev.NPS, 1), c)
			}
		case "dash_at_risk":
			if h.AtRisk != nil && prev.AtRisk != nil {
				f.Change = p.change(*h.AtRisk, *prev.AtRisk, changeRel, -1, was, c)
			}
		}
	}
}
