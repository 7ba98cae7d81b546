package kexihttp

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
)

// declaring is an analysis that declares, in its Info, a dashboard headline of each kind (a
// figure and a count of its per-customer rows, with their customers behind it) and the fields
// the customer list offers, one by an alias.
type declaring struct{}

func (declaring) Info() analysis.Info {
	return analysis.Info{Name: "declaring", Code: "X1", Title: analysis.Text{En: "Declaring", Zh: "声明"},
		Headlines: []analysis.Headline{{Key: "clv", Figure: "forecast_sum", Forecast: true},
			{Key: "at_risk", Drill: analysis.Drill{Column: "band", Value: "hot"}}},
		Fields: []analysis.Field{{Key: "heat", Column: "score"}, {Key: "band"}},
		Reads:  []string{"customers", "orders"}}
}

func (declaring) Run(_ context.Context, in analysis.Input) (*analysis.Result, error) {
	t := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{{Key: "customer_id", Type: "id"},
		{Key: "band", Type: "label"}, {Key: "score", Type: "float"}}}
	for _, c := range in.Data.Customers {
		band := "cold"
		if c.ID%2 == 1 {
			band = "hot"
		}
		t.Rows = append(t.Rows, []any{c.ID, band, float64(c.ID) * 10})
	}
	return &analysis.Result{Name: "declaring", AsOf: in.AsOf, Tables: []analysis.Table{t},
		Summary: []analysis.Figure{{Key: "forecast_sum", Value: 123, Unit: "currency"}}}, nil
}

// TestHeadlinesDeclared: the dashboard takes its at-risk and CLV figures from whichever
// analysis declares them in its Info (issue #21 item 5), not from the analyses named "lifecycle"
// and "clv" and a guess at their figure keys; the at-risk figure links to the customers its
// Drill names; the customer page offers the fields the analyses declare, aliases included.
// On the old code none of this reached an analysis of another name.
func TestHeadlinesDeclared(t *testing.T) {
	f := newFixtureWith(t, []analysis.Analysis{declaring{}})
	var h Headline
	w := f.do(req{method: "GET", path: "/api/v1/dashboard?period=all", as: "admin"})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	decode(t, w, &h)
	// testBatch has three customers, ids 1 to 3: 1 and 3 are hot.
	if h.CLV == nil || *h.CLV != 123 || h.AtRisk == nil || *h.AtRisk != 2 {
		t.Errorf("clv %v, at risk %v; want 123 and 2", h.CLV, h.AtRisk)
	}
	page := f.do(req{method: "GET", path: "/", as: "admin", via: "session"}).Body.String()
	if want := url.QueryEscape("declaring.band:eq:hot"); !strings.Contains(page, want) {
		t.Errorf("the dashboard does not link the at-risk figure to %s", want)
	}
	list := f.do(req{method: "GET", path: "/customers", as: "admin", via: "session"}).Body.String()
	for _, fl := range []string{"declaring.heat", "declaring.band"} {
		if !strings.Contains(list, `value="`+fl+`"`) {
			t.Errorf("the customer page does not offer %s", fl)
		}
	}
	p := f.customers(t, "admin", "col=declaring.heat&sort=id")
	if len(p.Items) != 3 || p.Items[2].Analysis["declaring.heat"] != 30.0 {
		t.Errorf("declaring.heat (the score column): %+v", p.Items)
	}
}
