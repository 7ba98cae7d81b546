package kexihttp

import (
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestHeadlineShopReport is a shop's order report such as Tmall's: orders without a customer
// and without a cost of goods. No customer is active (there is none), and the margin is not
// known — not equal to the revenue.
func TestHeadlineShopReport(t *testing.T) {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		kexi.Order{ID: 1, OrderedAt: date("2020-02-01"), Amount: 100},
		kexi.Order{ID: 2, OrderedAt: date("2020-02-03"), Amount: 60.5},
		kexi.Order{ID: 3, OrderedAt: date("2020-02-05"), Returned: 20, Status: kexi.StatusReturn},
	)}
	d.Normalize()
	h := headline(d, time.UTC, time.Time{}, time.Time{})
	if h.Customers != 0 || h.Active != 0 || h.Orders != 2 || h.AnonymousOrders != 2 || h.Revenue != 160.5 {
		t.Errorf("customers %d active %d orders %d anonymous %d revenue %v; want 0 0 2 2 160.5",
			h.Customers, h.Active, h.Orders, h.AnonymousOrders, h.Revenue)
	}
	if h.HasCost || h.Margin != nil || h.MarginPct != nil || h.MarginByM != nil {
		t.Errorf("without cost data: has_cost %v margin %v margin %% %v by month %v; want false and nulls",
			h.HasCost, h.Margin, h.MarginPct, h.MarginByM)
	}
	for i, n := range h.ActiveByM {
		if n != 0 || h.NewByM[i] != 0 {
			t.Errorf("month %s: active %v new %v, want 0", h.Months[i], n, h.NewByM[i])
		}
	}
	for _, lang := range []string{langZh, "en"} {
		p := &page{Lang: lang}
		got := map[string]string{}
		for _, f := range dashboardFigures(p, &h) {
			got[f.Key] = f.Value
		}
		if got["dash_margin"] != p.T("dash_no_cost") || got["dash_margin_pct"] != "" {
			t.Errorf("%s: margin %q, margin %% %q; want %q and none", lang, got["dash_margin"], got["dash_margin_pct"], p.T("dash_no_cost"))
		}
		if got["dash_anonymous_orders"] != "2" {
			t.Errorf("%s: orders without a customer %q, want 2", lang, got["dash_anonymous_orders"])
		}
	}
}

// TestDashboardAtRiskLabel checks that the dashboard's at-risk figure says what it counts, the
// lifecycle's at-risk stage with its thresholds, in both languages, and is not the churn
// page's high-risk label.
func TestDashboardAtRiskLabel(t *testing.T) {
	n, lo, hi := 478.0, 29.0, 67.0
	h := &Headline{AtRisk: &n, AtRiskDays: &lo, ChurnDays: &hi}
	for lang, want := range map[string]string{langZh: "风险期客户（末次购买距今 29–67 天）", "en": "At risk: last purchase 29–67 days ago"} {
		var label string
		for _, f := range dashboardFigures(&page{Lang: lang}, h) {
			if f.Key == "dash_at_risk" {
				label = f.Label
			}
		}
		if label != want {
			t.Errorf("%s: at-risk label %q, want %q", lang, label, want)
		}
		if strings.Contains(label, "高风险") {
			t.Errorf("%s: %q reads as the churn page's high-risk list", lang, label)
		}
	}
}
