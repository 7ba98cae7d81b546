package churn

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/internal/synth"
)

func TestReasons(t *testing.T) {
	s := Score{Drivers: []Driver{{Feature: FRecency, Effect: 2.1, Value: 120.7}, {Feature: FAOV, Effect: 0.3, Value: 2.5}},
		Protect: []Driver{{Feature: FFrequency, Effect: -0.5, Value: 8}, {Feature: "plan=gold", Effect: -0.1, Value: 1},
			{Feature: FNPS, Effect: -0.05, Value: math.NaN()}}}
	want := "recency_days (120) ↑; aov (2.50) ↑; frequency (8) ↓; plan=gold (1) ↓; nps_latest (–) ↓"
	if got := Reasons(s); got != want {
		t.Errorf("Reasons = %q, want %q", got, want)
	}
}

// TestRiskList checks the risk list is ready to act on: sorted by value at risk (probability ×
// revenue in the 365 days to the as-of date), whole days since the last purchase, and reasons
// that raise (↑) and lower (↓) the risk.
func TestRiskList(t *testing.T) {
	d := synth.Dataset(synth.Options{Customers: 400, Orders: 4000, Seed: 7})
	asOf := analysis.EndOfDay(d.LastOrderAt(), time.UTC)
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: asOf, Settings: kexi.DefaultSettings,
		Options: map[string]string{"model": ModelLogit, "folds": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	risk := res.Table("risk")
	col := map[string]int{}
	for j, c := range risk.Columns {
		col[c.Key] = j
	}
	rev := map[int64]float64{}
	for i := range d.Orders.Len() {
		o := d.Orders.Order(i)
		if o.IsPurchase() && o.OrderedAt.After(asOf.AddDate(0, 0, -365)) && !o.OrderedAt.After(asOf) {
			rev[o.CustomerID] += o.Amount
		}
	}
	prev := math.Inf(1)
	var up, down, positive int
	for i, row := range risk.Rows {
		id, p := row[0].(int64), row[col["probability"]].(float64)
		r, v := row[col["revenue_12m"]].(float64), row[col["value_at_risk"]].(float64)
		if math.Abs(r-rev[id]) > 1e-6*math.Max(1, r) || math.Abs(v-p*r) > 1e-9*math.Max(1, v) {
			t.Fatalf("row %d (customer %d): revenue %v value at risk %v, want %v and %v", i, id, r, v, rev[id], p*rev[id])
		}
		if v > prev {
			t.Fatalf("row %d: value at risk %v after %v: not sorted", i, v, prev)
		}
		prev = v
		if v > 0 {
			positive++
		}
		if rec := row[col["recency_days"]]; rec != nil {
			if _, ok := rec.(int); !ok {
				t.Fatalf("recency %v (%T) is not whole days", rec, rec)
			}
		}
		rs := row[col["reasons"]].(string)
		up += strings.Count(rs, "↑")
		down += strings.Count(rs, "↓")
	}
	if positive < 50 || up == 0 || down == 0 {
		t.Errorf("%d customers with value at risk, %d ↑ and %d ↓ reasons", positive, up, down)
	}
}
