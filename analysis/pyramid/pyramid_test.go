package pyramid_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/internal/refdata"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func buy(id, cid int64, at string, amount float64) kexi.Order {
	return kexi.Order{ID: id, CustomerID: cid, OrderedAt: day(at), Amount: amount, Status: kexi.StatusCompleted}
}

func TestCutoffs(t *testing.T) {
	// ⌈n/100⌉, ⌈5n/100⌉, ⌈20n/100⌉ → tier sizes vip, major−vip, ordinary−major, n−ordinary.
	tests := []struct{ n, vip, major, ord, small int }{
		{0, 0, 0, 0, 0},
		{1, 1, 0, 0, 0},     // ⌈0.01⌉ = ⌈0.05⌉ = ⌈0.2⌉ = 1
		{7, 1, 0, 1, 5},     // ⌈0.07⌉ = 1, ⌈0.35⌉ = 1, ⌈1.4⌉ = 2
		{100, 1, 4, 15, 80}, // 1, 5, 20
		{1000, 10, 40, 150, 800},
		{101, 2, 4, 15, 80}, // ⌈1.01⌉ = 2, ⌈5.05⌉ = 6, ⌈20.2⌉ = 21
	}
	for _, tt := range tests {
		v, m, o := pyramid.Cutoffs(tt.n)
		if v != tt.vip || m-v != tt.major || o-m != tt.ord || tt.n-o != tt.small {
			t.Errorf("n=%d: sizes %d/%d/%d/%d, want %d/%d/%d/%d", tt.n, v, m-v, o-m, tt.n-o, tt.vip, tt.major, tt.ord, tt.small)
		}
	}
}

// seven is 7 customers with spend plus three without:
//
//	C1 100 (two orders 60+40), C2 300, C3 300 (tie with C2: C2 ranks first), C4 50, C6 10, C7 20,
//	C9 5; C5 only a return, C8 only a cancelled order, customer 0 anonymous — not ranked.
//
// Ranks: C2 1, C3 2, C1 3, C4 4, C7 5, C6 6, C9 7. Cutoffs(7) = 1, 1, 2 → C2 VIP, no major,
// C3 ordinary, the other five small. Total 785; top 20 % (C2, C3) = 600/785.
func seven() *kexi.Dataset {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable([]kexi.Order{
		buy(1, 0, "2024-03-01", 10000),
		buy(2, 1, "2024-03-01", 60), buy(3, 1, "2024-04-01", 40),
		buy(4, 2, "2024-03-01", 300), buy(5, 3, "2024-03-02", 300), buy(6, 4, "2024-03-02", 50),
		{ID: 7, CustomerID: 5, OrderedAt: day("2024-03-03"), Returned: 30, Status: kexi.StatusReturn},
		buy(8, 6, "2024-03-04", 10), buy(9, 7, "2024-03-04", 20),
		{ID: 10, CustomerID: 8, OrderedAt: day("2024-03-04"), Amount: 999, Status: kexi.StatusCancelled},
		buy(11, 9, "2024-03-05", 5),
	}...)}
	d.Normalize()
	return d
}

func TestTiersHandWorked(t *testing.T) {
	rows := pyramid.Tiers(&seven().Orders, nil)
	want := []pyramid.Row{
		{2, 300, 1, pyramid.VIP}, {3, 300, 2, pyramid.Ordinary}, {1, 100, 3, pyramid.Small}, {4, 50, 4, pyramid.Small},
		{7, 20, 5, pyramid.Small}, {6, 10, 6, pyramid.Small}, {9, 5, 7, pyramid.Small},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", rows, want)
	}
	s := pyramid.Summarise(rows)
	want2 := []pyramid.Summary{{pyramid.VIP, 1, 300, 300}, {pyramid.Major, 0, 0, 0}, {pyramid.Ordinary, 1, 300, 300}, {pyramid.Small, 5, 185, 5}}
	if fmt.Sprint(s) != fmt.Sprint(want2) {
		t.Errorf("summary %v, want %v", s, want2)
	}
}

// TestTiesInCents: customer 5 spends 0.1 + 0.2 (a float sum of 0.30000000000000004) and
// customer 3 spends 0.3 in one order; equal to the cent, they tie, and the lower id ranks
// first. Customer 8's only purchase is a $0 gift: no spend, not ranked.
func TestTiesInCents(t *testing.T) {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		buy(1, 5, "2024-01-05", 0.1), buy(2, 5, "2024-01-06", 0.2), buy(3, 3, "2024-01-07", 0.3), buy(4, 8, "2024-01-07", 0),
	)}
	d.Normalize()
	rows := pyramid.Tiers(&d.Orders, nil)
	if len(rows) != 2 || rows[0].CustomerID != 3 || rows[1].CustomerID != 5 {
		t.Errorf("rows %v, want customer 3 then 5 (tied at 30 cents)", rows)
	}
	tiers := pyramid.Place(2, func(i int) (float64, int64) { return []float64{0.1 + 0.2, 0.3}[i], []int64{5, 3}[i] })
	if tiers[0] != pyramid.Small || tiers[1] != pyramid.VIP {
		t.Errorf("Place: %v, want customer 3 VIP on the tie", tiers)
	}
}

// TestOnlineRetailTies: on Online Retail (SPEC cleaning) 116 pairs of customers spend the same
// to the cent, 56 of them with float sums that differ in the last bits; comparing floats put
// 26 of those pairs out of id order, e.g. 17490 before 13571, both £2,092.32. Every pair equal
// to the cent must be in id order.
func TestOnlineRetailTies(t *testing.T) {
	rows := pyramid.Tiers(&refdata.OnlineRetail(t, refdata.RetailClean{}).Orders, nil)
	pairs, wrong := 0, 0
	for i := range rows {
		for j := i + 1; j < len(rows) && analysis.Cents(rows[j].Spend) == analysis.Cents(rows[i].Spend); j++ {
			pairs++
			if rows[i].CustomerID > rows[j].CustomerID {
				wrong++
				if wrong <= 3 {
					t.Errorf("%d (%.2f) ranks before %d (%.2f)", rows[i].CustomerID, rows[i].Spend, rows[j].CustomerID, rows[j].Spend)
				}
			}
		}
	}
	if pairs != 116 || wrong != 0 {
		t.Errorf("%d pairs equal to the cent, %d out of id order; want 116 and 0", pairs, wrong)
	}
	rank := map[int64]int{}
	for _, r := range rows {
		rank[r.CustomerID] = r.Rank
	}
	if rank[13571]+1 != rank[17490] {
		t.Errorf("13571 ranks %d, 17490 %d: want 13571 just before 17490", rank[13571], rank[17490])
	}
}

func TestTiersOneCustomerAndPeriod(t *testing.T) {
	// Only April: C1's 40 is the single purchase → one customer, VIP.
	in := analysis.Input{From: day("2024-04-01"), To: day("2024-04-30")}
	rows := pyramid.Tiers(&seven().Orders, in.InPeriod)
	if len(rows) != 1 || rows[0] != (pyramid.Row{CustomerID: 1, Spend: 40, Rank: 1, Tier: pyramid.VIP}) {
		t.Errorf("got %v", rows)
	}
}

func TestRun(t *testing.T) {
	a := pyramid.New()
	res, err := a.Run(context.Background(), analysis.Input{Data: seven()})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("top20_share"); math.Abs(f.Value-600.0/785) > 1e-12 {
		t.Errorf("top20_share %v, want 600/785", f.Value)
	}
	if f, _ := res.Figure("top1_share"); math.Abs(f.Value-300.0/785) > 1e-12 {
		t.Errorf("top1_share %v, want 300/785", f.Value)
	}
	tiers := res.Table("tiers")
	if r := tiers.Rows[3]; r[0] != pyramid.Small || r[1] != 5 || r[3] != 185.0 || r[6] != 5.0 {
		t.Errorf("small tier row %v", r)
	}
	cust := res.Table("customers")
	if last := cust.Rows[6]; last[0] != int64(9) || math.Abs(last[4].(float64)-1) > 1e-12 {
		t.Errorf("last customer row %v: cumulative share should be 1", last)
	}
	for _, k := range []string{"tiers", "customers", "pyramid", pyramid.VIP, pyramid.Major, pyramid.Ordinary, pyramid.Small} {
		if _, ok := a.Info().Labels[k]; !ok {
			t.Errorf("no label %q", k)
		}
	}
	for _, f := range res.Summary {
		if _, ok := a.Info().Labels[f.Key]; !ok {
			t.Errorf("no label %q", f.Key)
		}
	}
	for _, c := range append(tiers.Columns, cust.Columns...) {
		if _, ok := a.Info().Labels[c.Key]; !ok {
			t.Errorf("no label %q", c.Key)
		}
	}
	if _, err := a.Run(context.Background(), analysis.Input{Data: seven(), Options: map[string]string{"x": "1"}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unknown option: %v", err)
	}
}

func TestOnlineRetailReference(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{})
	res, err := pyramid.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	// SPEC: 4,338 customers; top 20 % of customers = 74.6 % of revenue; top customer 14646 with
	// £280,206.02.
	if f, _ := res.Figure("customers"); f.Value != 4338 {
		t.Errorf("customers %v, want 4338", f.Value)
	}
	if f, _ := res.Figure("top20_share"); math.Round(f.Value*1000) != 746 {
		t.Errorf("top 20 %% share %.4f, want 0.746", f.Value)
	}
	top := res.Table("customers").Rows[0]
	if top[0] != int64(14646) || math.Abs(top[2].(float64)-280206.02) > 0.005 {
		t.Errorf("top customer %v %v, want 14646 280206.02", top[0], top[2])
	}
	// Cutoffs(4338) = ⌈43.38⌉ 44, ⌈216.9⌉ 217, ⌈867.6⌉ 868.
	tiers := res.Table("tiers")
	if tiers.Rows[0][1] != 44 || tiers.Rows[1][1] != 173 || tiers.Rows[2][1] != 651 || tiers.Rows[3][1] != 3470 {
		t.Errorf("tier sizes %v %v %v %v", tiers.Rows[0][1], tiers.Rows[1][1], tiers.Rows[2][1], tiers.Rows[3][1])
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		buy(1, 1, "2024-01-05", 500), buy(2, 2, "2024-01-06", 80), buy(3, 3, "2024-01-07", 20),
	)}
	for _, r := range pyramid.Tiers(&d.Orders, nil) {
		fmt.Println(r.Rank, r.CustomerID, r.Spend, r.Tier)
	}
	// Output:
	// 1 1 500 vip
	// 2 2 80 small
	// 3 3 20 small
}

// TestTierOfAsPlace: TierOf gives each customer the tier Place gives it, on 120 customers with
// ties to the cent (every spend appears three times) and two under a cent, who get no tier.
func TestTierOfAsPlace(t *testing.T) {
	type c struct {
		spend float64
		id    int64
	}
	var cs []c
	for i := range 118 {
		cs = append(cs, c{float64(i/3+1) + 0.004, int64(1000 - i)})
	}
	cs = append(cs, c{0.004, 5}, c{0, 6})
	var ranked []c
	for _, x := range cs {
		if analysis.Cents(x.spend) > 0 {
			ranked = append(ranked, x)
		}
	}
	place := pyramid.Place(len(ranked), func(i int) (float64, int64) { return ranked[i].spend, ranked[i].id })
	want := map[int64]string{}
	for i, x := range ranked {
		want[x.id] = place[i]
	}
	for _, x := range cs {
		got := pyramid.TierOf(len(cs), func(i int) (float64, int64) { return cs[i].spend, cs[i].id }, x.spend, x.id)
		if got != want[x.id] {
			t.Errorf("customer %d (spend %.3f): TierOf %q, Place %q", x.id, x.spend, got, want[x.id])
		}
	}
}
