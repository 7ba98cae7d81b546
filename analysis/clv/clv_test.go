package clv

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

func cdnowDataset(t *testing.T) *kexi.Dataset {
	d := &kexi.Dataset{}
	for i, p := range cdnowPurchases(t) {
		if p.Amount == 0 {
			// CDNOW has 8 zero-value rows (free CDs), which kexi.OrderRow.IsPurchase would drop,
			// losing 8 customers whose first purchase they are; a cent keeps them purchases.
			p.Amount = 0.01
		}
		d.Orders = append(d.Orders, kexi.OrderRow{ID: int64(i + 1), CustomerID: p.Customer, OrderedAt: time.Unix(int64(p.Day)*86400, 0).UTC(), Amount: p.Amount, Facets: &kexi.Facets{Status: kexi.StatusCompleted}})
	}
	d.Normalize()
	return d
}

// TestRunCDNOW runs the analysis on the CDNOW transactions with the 1997-09-30 holdout split:
// the holdout has 1,882 actual repeat purchases and the BG/NBD fit matches the published
// parameters.
func TestRunCDNOW(t *testing.T) {
	d := cdnowDataset(t)
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC),
		Options: map[string]string{"holdout": "1997-09-30"}})
	if err != nil {
		t.Fatal(err)
	}
	fig := func(k string) float64 {
		f, ok := res.Figure(k)
		if !ok {
			t.Fatalf("no figure %q", k)
		}
		return f.Value
	}
	if fig("customers") != 2357 || fig("holdout_actual") != 1882 {
		t.Errorf("customers %g holdout actual %g, want 2357 and 1882", fig("customers"), fig("holdout_actual"))
	}
	checkParams(t, "run", []float64{fig("r"), fig("alpha"), fig("a"), fig("b"), fig("gg_p"), fig("gg_q"), fig("gg_v")},
		[]float64{0.2426, 4.4135, 0.7929, 2.4258, 6.2488, 3.7446, 15.4477}, []string{"r", "alpha", "a", "b", "p", "q", "v"})
	if p := fig("holdout_predicted"); math.Abs(p-1653.4) > 2 {
		t.Errorf("holdout predicted %g, want ≈1653.4", p)
	}
	tb := res.Table("customers")
	if tb == nil || len(tb.Rows) != 2357 || tb.Rows[0][0] != int64(1) {
		t.Fatalf("customers table missing or wrong")
	}
	// Customer 1: x=2, 39-week-ish horizon is not the default (12 months = 52.14 weeks), so
	// check internal consistency instead: CLV = spend × P(alive) × discounted purchases > 0.
	row := tb.Rows[0]
	if pa := row[5].(float64); pa <= 0 || pa > 1 {
		t.Errorf("customer 1 P(alive) %g", pa)
	}
	if clv := row[8].(float64); clv <= 0 || clv > row[7].(float64)*row[6].(float64) {
		t.Errorf("customer 1 CLV %g must be positive and below spend × purchases (discounting)", clv)
	}
	// Deterministic.
	res2, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC),
		Options: map[string]string{"holdout": "1997-09-30"}})
	if err != nil {
		t.Fatal(err)
	}
	f1, _ := res.Figure("total_clv")
	f2, _ := res2.Figure("total_clv")
	if f1.Value != f2.Value {
		t.Errorf("total CLV differs between runs: %v vs %v", f1.Value, f2.Value)
	}
}

func TestRunBadOptions(t *testing.T) {
	d := &kexi.Dataset{}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		d.Orders = append(d.Orders, kexi.OrderRow{ID: int64(i), CustomerID: int64(i % 12), OrderedAt: at.AddDate(0, 0, i*3), Amount: 10})
	}
	d.Normalize()
	for _, opts := range []map[string]string{
		{"model": "nope"}, {"unit": "years"}, {"horizon": "0"}, {"discount": "-0.1"},
		{"holdout": "2030-01-01"}, {"holdout": "soon"}, {"colour": "red"},
	} {
		_, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: at.AddDate(0, 3, 0), Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("options %v: got %v, want an invalid error", opts, err)
		}
	}
	_, err := New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}, AsOf: at})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("no orders: got %v, want an invalid error", err)
	}
}
