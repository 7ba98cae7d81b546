package churn

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

func at(m, d int) time.Time { return time.Date(2025, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func col(f *Frame, name string) int { return slices.Index(f.Names, name) }

// tiny: three customers around a cut-off of 2025-06-30.
//
//	1: bought 100 online on Jan 10 and 300 in store on May 31; returned 40 on Jun 10; a
//	   complaint (15 min) and a call (5 min) before the cut-off; NPS 3 then 9 → latest 9; buys
//	   again on Jul 20 (after the cut-off).
//	2: bought 50 online on Jun 20; nothing after the cut-off.
//	3: a prospect: no orders.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{
			{ID: 1, Kind: kexi.Individual, Province: "广东", Custom: map[string]string{"plan": "gold", "seats": "5"}},
			{ID: 2, Kind: kexi.Enterprise, Province: "江苏", Custom: map[string]string{"plan": "basic"}},
			{ID: 3, Kind: kexi.Individual, Province: "广东", Custom: map[string]string{"seats": "2"}},
		},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: at(1, 10), Amount: 100, Channel: "online", Items: []kexi.OrderItem{{Category: "shoes", Quantity: 1, UnitPrice: 100}}},
			kexi.Order{ID: 2, CustomerID: 1, OrderedAt: at(5, 31), Amount: 300, Channel: "store", Items: []kexi.OrderItem{{Category: "books", Quantity: 3, UnitPrice: 100}}},
			kexi.Order{ID: 3, CustomerID: 1, OrderedAt: at(6, 10), Returned: 40, Status: kexi.StatusReturn},
			kexi.Order{ID: 4, CustomerID: 1, OrderedAt: at(7, 20), Amount: 80, Channel: "online"},
			kexi.Order{ID: 5, CustomerID: 2, OrderedAt: at(6, 20), Amount: 50, Channel: "online"},
		),
		Interactions: []kexi.Interaction{
			{ID: 1, CustomerID: 1, At: at(3, 1), Kind: kexi.Complaint, Minutes: 15},
			{ID: 2, CustomerID: 1, At: at(4, 1), Kind: kexi.Consultation, Minutes: 5},
			{ID: 3, CustomerID: 1, At: at(7, 5), Kind: kexi.Complaint, Minutes: 60}, // after the cut-off
		},
		Surveys: []kexi.SurveyResponse{
			{ID: 1, CustomerID: 1, At: at(2, 1), Kind: kexi.NPS, Score: 3},
			{ID: 2, CustomerID: 1, At: at(6, 1), Kind: kexi.NPS, Score: 9},
		},
	}
	d.Normalize()
	return d
}

func TestFrame(t *testing.T) {
	d := tiny()
	b := NewBuilder(d)
	f := b.Frame(at(6, 30), []int{0, 1, 2})
	get := func(row int, name string) float64 {
		t.Helper()
		j := col(f, name)
		if j < 0 {
			t.Fatalf("no column %s in %v", name, f.Names)
		}
		return f.M.Row(row)[j]
	}
	// Customer 1 as of Jun 30: last purchase May 31 → 30 days; 2 purchases worth 400, aov 200;
	// first purchase Jan 10 → tenure 171 days; last 90 days (from Apr 1) 300, the 90 before
	// 100 → trend (300−100)/(300+100) = 0.5; returned 40 of 400 → 0.1; 2 interactions of 20
	// minutes, 1 complaint (the July one is after the cut-off); latest NPS 9; channel shares
	// online ½, store ½; top category books (300 against 100); custom seats 5, plan gold.
	want := map[string]float64{FRecency: 30, FFrequency: 2, FMonetary: 400, FAOV: 200, FTenure: 171,
		FSpend90: 300, FTrend: 0.5, FReturnShare: 0.1, FInteractions: 2, FMinutes: 20, FComplaints: 1,
		FNPS: 9, "channel_share.online": 0.5, "channel_share.store": 0.5, "top_category=books": 1,
		"top_category=shoes": 0, "custom.seats": 5, "custom.plan=gold": 1, "custom.plan=basic": 0,
		"kind=individual": 1, "province=广东": 1}
	for k, v := range want {
		if got := get(0, k); got != v {
			t.Errorf("customer 1 %s = %v, want %v", k, got, v)
		}
	}
	// Customer 2: one purchase of 50 on Jun 20 → recency 10, trend (50−0)/50 = 1, no NPS.
	if get(1, FRecency) != 10 || get(1, FTrend) != 1 || !math.IsNaN(get(1, FNPS)) || !math.IsNaN(get(1, "custom.seats")) {
		t.Errorf("customer 2: %v", f.M.Row(1))
	}
	// Customer 3: no purchases → recency, aov, tenure missing; frequency 0.
	if !math.IsNaN(get(2, FRecency)) || get(2, FFrequency) != 0 || !math.IsNaN(get(2, FTenure)) {
		t.Errorf("customer 3: %v", f.M.Row(2))
	}

	// The encoder: seats 5, NaN, 2 → filled with the mean 3.5 plus an indicator; constant
	// columns (e.g. FCSAT, all missing; complaints differ so they stay) are dropped.
	enc := FitEncoder(f)
	x := enc.Transform(f)
	k := slices.Index(enc.Names, "custom.seats")
	km := slices.Index(enc.Names, "custom.seats_missing")
	if k < 0 || km < 0 || slices.Contains(enc.Names, FCSAT) || slices.Contains(enc.Names, FAge) {
		t.Fatalf("encoder columns %v", enc.Names)
	}
	// seats after filling: 5, 3.5, 2 → mean 3.5, sd √((1.5² + 0 + 1.5²)/3) = √1.5.
	if got := x.Row(0)[k]; math.Abs(got-1.5/math.Sqrt(1.5)) > 1e-12 {
		t.Errorf("standardised seats of customer 1 = %v, want %v", got, 1.5/math.Sqrt(1.5))
	}
	if enc.Raw(f.M.Row(1), k) != 3.5 || enc.Raw(f.M.Row(1), km) != 1 {
		t.Errorf("customer 2 seats %v missing %v, want 3.5 and 1", enc.Raw(f.M.Row(1), k), enc.Raw(f.M.Row(1), km))
	}
}

// TestFrameZeroAmount: a free gift ($0) to customer 2 on Jun 25 is a purchase: recency 5,
// frequency 2 and a July gift would keep them from churning; the AOV stays 50, over the paid
// purchase only.
func TestFrameZeroAmount(t *testing.T) {
	d := tiny()
	d.Orders.Append(&kexi.Order{ID: 6, CustomerID: 2, OrderedAt: at(6, 25), Channel: "online"})
	d.Orders.Append(&kexi.Order{ID: 7, CustomerID: 2, OrderedAt: at(7, 25), Channel: "online"})
	d.Normalize()
	b := NewBuilder(d)
	f := b.Frame(at(6, 30), []int{1})
	x := f.M.Row(0)
	if x[col(f, FRecency)] != 5 || x[col(f, FFrequency)] != 2 || x[col(f, FMonetary)] != 50 || x[col(f, FAOV)] != 50 {
		t.Errorf("customer 2 recency, frequency, monetary, aov = %v %v %v %v; want 5 2 50 50",
			x[col(f, FRecency)], x[col(f, FFrequency)], x[col(f, FMonetary)], x[col(f, FAOV)])
	}
	if !b.PurchasedIn(1, at(6, 30), at(7, 31)) {
		t.Error("a $0 purchase in July is a purchase: customer 2 has not churned")
	}
}

func TestHorizonLabels(t *testing.T) {
	d := tiny()
	b := NewBuilder(d)
	// Cut-off Jun 30, horizon to Sep 28: customer 1 buys on Jul 20 (stays), customer 2 does
	// not (churns), customer 3 never bought by the cut-off (not a training row).
	c, end := at(6, 30), at(9, 28)
	if !b.HasPurchase(0, c) || !b.HasPurchase(1, c) || b.HasPurchase(2, c) {
		t.Error("HasPurchase wrong")
	}
	if !b.PurchasedIn(0, c, end) || b.PurchasedIn(1, c, end) {
		t.Error("PurchasedIn wrong")
	}
	// The return on Jun 10 is no purchase: nothing in (Jun 1, Jun 30] for customer 1.
	if b.PurchasedIn(0, at(6, 1), c) {
		t.Error("a return counted as a purchase")
	}
	// Predict needs both classes; with 2 training rows it cannot cross-validate 5 folds.
	_, err := Predict(d, end, Options{Label: LabelHorizon, Horizon: 90})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("5 folds on 2 rows: %v, want invalid", err)
	}
	rep, err := Predict(d, end, Options{Label: LabelHorizon, Horizon: 90, NoCV: true, GBDT: GBDTParams{MinLeaf: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 2 || rep.Churned != 1 || !rep.Cutoff.Equal(c) {
		t.Errorf("rows %d churned %d cutoff %v", rep.Rows, rep.Churned, rep.Cutoff)
	}
	// Scored: customers with a purchase by Sep 28 (1 and 2), not the prospect.
	if len(rep.Scores) != 2 {
		t.Errorf("scored %d, want 2", len(rep.Scores))
	}
	// Only one class → a clear error.
	_, err = Predict(d, end, Options{Label: LabelFlag})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("no churn flags: %v, want invalid", err)
	}
}

func TestLogitHandWorked(t *testing.T) {
	// x = −1 (y = 0) and x = +1 (y = 1), λ = 1. By symmetry B = 0; the stationarity condition
	// for W is σ(−W)·(−1)·(−1)… written out: Σ(pᵢ − yᵢ)xᵢ + λW = −σ(−W) + (σ(W) − 1) + W
	// = −2σ(−W) + W = 0, so W = 2σ(−W): W ≈ 0.6749 (0.675 → 2σ(−0.675) = 0.6748).
	x := &Matrix{Rows: 2, Cols: 1, X: []float64{-1, 1}}
	m, err := FitLogit(x, []bool{false, true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := m.W[0]
	if math.Abs(m.B) > 1e-6 || math.Abs(w-2*sigmoid(-w)) > 1e-6 || w < 0.674 || w > 0.676 {
		t.Errorf("W %v B %v, want W = 2σ(−W) ≈ 0.6749 and B = 0", w, m.B)
	}
	// Symmetric labels carry no signal: x = −1, −1, 1, 1 with y = 0, 1, 1, 0 → W = 0, B = 0.
	x = &Matrix{Rows: 4, Cols: 1, X: []float64{-1, -1, 1, 1}}
	m, _ = FitLogit(x, []bool{false, true, true, false}, 1)
	if math.Abs(m.W[0]) > 1e-6 || math.Abs(m.B) > 1e-6 || math.Abs(m.Prob([]float64{3})-0.5) > 1e-6 {
		t.Errorf("no signal: W %v B %v", m.W, m.B)
	}
}

func TestGBDTHandWorked(t *testing.T) {
	// x = 1, 2, 3, 4 with y = 0, 0, 1, 1; one tree of depth 1, rate 1, λ = 1, leaves of ≥ 1.
	// Base = log(2/2) = 0, so p = ½, g = p − y = ½, ½, −½, −½ and h = ¼ each. The best cut is
	// x ≤ 2.5: left G = 1, H = ½ → value −1/(½ + 1) = −⅔; right +⅔; gain ⅔ + ⅔ − 0 = 4/3.
	x := &Matrix{Rows: 4, Cols: 1, X: []float64{1, 2, 3, 4}}
	m, err := FitGBDT(x, []bool{false, false, true, true}, GBDTParams{Trees: 1, Depth: 1, Rate: 1, MinLeaf: 1, Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr := m.Trees[0]
	if len(tr) != 3 || tr[0].Threshold != 2.5 || math.Abs(tr[tr[0].Left].Value+2.0/3) > 1e-12 || math.Abs(tr[tr[0].Right].Value-2.0/3) > 1e-12 {
		t.Fatalf("tree %+v", tr)
	}
	if p := m.Prob([]float64{1}); math.Abs(p-sigmoid(-2.0/3)) > 1e-12 {
		t.Errorf("P(x=1) = %v, want σ(−⅔) = %v", p, sigmoid(-2.0/3))
	}
	// Contributions: root value 0 (G = 0), so the bias is 0 and the feature carries −⅔.
	c := make([]float64, 1)
	if bias := m.Contrib([]float64{1}, c); bias != 0 || math.Abs(c[0]+2.0/3) > 1e-12 {
		t.Errorf("contrib bias %v c %v", bias, c)
	}
	if imp := m.Importance(); imp[0] != 1 {
		t.Errorf("importance %v", imp)
	}
}

func TestFoldsStratified(t *testing.T) {
	// 10 positives and 20 negatives in 5 folds: each fold gets 2 and 4.
	y := make([]bool, 30)
	for i := 0; i < 10; i++ {
		y[i*3] = true
	}
	f := Folds(y, 5, 1)
	var pos, all [5]int
	for i, k := range f {
		all[k]++
		if y[i] {
			pos[k]++
		}
	}
	for k := 0; k < 5; k++ {
		if pos[k] != 2 || all[k] != 6 {
			t.Errorf("fold %d: %d positives of %d, want 2 of 6", k, pos[k], all[k])
		}
	}
	if !slices.Equal(f, Folds(y, 5, 1)) {
		t.Error("Folds is not deterministic")
	}
}

func TestRunOptions(t *testing.T) {
	d := tiny()
	for _, opts := range []map[string]string{{"model": "svm"}, {"folds": "1"}, {"horizon": "0"}, {"top": "2"}, {"depth": "0"}, {"nope": "1"}} {
		_, err := New().Run(context.Background(), analysis.Input{Data: d, Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v, want invalid", opts, err)
		}
	}
}

func Example() {
	// Forty subscribers: those on a monthly plan with few seats churn.
	d := &kexi.Dataset{}
	for i := 1; i <= 40; i++ {
		plan := "annual"
		if i%2 == 0 {
			plan = "monthly"
		}
		seats := i % 7
		d.Customers = append(d.Customers, kexi.Customer{ID: int64(i), Name: fmt.Sprintf("C%02d", i),
			Churned: plan == "monthly" && seats < 4,
			Custom:  map[string]string{"plan": plan, "seats": fmt.Sprint(seats)}})
	}
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: at(1, 1),
		Options: map[string]string{"model": "logit", "folds": "0"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	mode, _ := res.Figure("label_mode")
	fmt.Println("label:", mode.Text)
	top := res.Table("risk").Rows[0]
	fmt.Printf("most at risk: %s (%s)\n", top[1], top[4])
	// Output:
	// label: flag
	// most at risk: C04 (custom.plan=annual; custom.plan=monthly)
}
