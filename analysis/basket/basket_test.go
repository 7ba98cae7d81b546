package basket_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/basket"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/internal/synth"
)

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func order(id, cust int64, items ...string) kexi.Order {
	o := kexi.Order{ID: id, CustomerID: cust, OrderedAt: day0.AddDate(0, 0, int(id)), Amount: 10,
		Status: kexi.StatusCompleted}
	for _, it := range items {
		q := 1.0
		if n, s, ok := strings.Cut(it, ":"); ok {
			it = n
			q, _ = strconv.ParseFloat(s, 64)
		}
		o.Items = append(o.Items, kexi.OrderItem{SKU: it, Name: "name " + it, Quantity: q})
	}
	return o
}

// tiny has five baskets:
//
//	B1 c1: A B C    B2 c1: A B    B3 c2: A C    B4 c3: B D    B5 c3: A B D
//
// plus a return (c2: D, not a purchase, skipped) and B6 c2: X:2 X:-2 POST — X nets to 0 and
// POST is excluded, so B6 is an empty basket that still counts. Six baskets. Counts: A 4, B 4, C 2, D 2; pairs AB 3, AC 2, BD 2, AD 1, BC 1; ABC 1,
// ABD 1. With min support 2/6 (count 2) the frequent itemsets are A B C D AB AC BD.
// Rules (n = 6):
//
//	A→B conf 3/4 = .75, lift .75/(4/6) = 1.125; B→A the same
//	A→C conf 2/4 = .5,  lift .5/(2/6) = 1.5;    C→A conf 1, lift 1/(4/6) = 1.5
//	B→D conf .5, lift 1.5;                      D→B conf 1, lift 1.5
//
// min lift 1.2 keeps four, ordered by lift (all 1.5), confidence, support, antecedent:
// C→A, D→B, A→C, B→D. Recommendations: c1 bought A B C → B→D gives D (.5); c2 bought A C →
// nothing new; c3 bought A B D → A→C gives C (.5).
func tiny() *kexi.Dataset {
	ret := order(7, 2, "D")
	ret.Status = kexi.StatusReturn
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		order(1, 1, "A", "B", "C"), order(2, 1, "A", "B"), order(3, 2, "A", "C"), order(4, 3, "B", "D"),
		order(5, 3, "A", "B", "D"), order(6, 2, "X:2", "X:-2", "POST"), ret,
	)}
	d.Normalize()
	return d
}

func TestRulesByHand(t *testing.T) {
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{
		"min_support": "0.3333", "min_confidence": "0", "min_lift": "1.2", "exclude": "POST"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("baskets"); f.Value != 6 {
		t.Errorf("baskets %v, want 6", f.Value)
	}
	// Rules show the items' names (the lines name SKU A "name A"), the codes follow.
	want := [][]any{{"name C", "name A", 2.0 / 6, 1.0, 1.5, 2, "C", "A"}, {"name D", "name B", 2.0 / 6, 1.0, 1.5, 2, "D", "B"},
		{"name A", "name C", 2.0 / 6, 0.5, 1.5, 2, "A", "C"}, {"name B", "name D", 2.0 / 6, 0.5, 1.5, 2, "B", "D"}}
	rows := res.Tables[0].Rows
	if len(rows) != len(want) {
		t.Fatalf("rules %v", rows)
	}
	for i, w := range want {
		r := rows[i]
		if r[0] != w[0] || r[1] != w[1] || math.Abs(r[2].(float64)-w[2].(float64)) > 1e-9 || math.Abs(r[3].(float64)-w[3].(float64)) > 1e-9 ||
			math.Abs(r[4].(float64)-w[4].(float64)) > 1e-9 || r[5] != w[5] || r[6] != w[6] || r[7] != w[7] {
			t.Errorf("rule %d = %v, want %v", i, r, w)
		}
	}
	rec := res.Tables[1].Rows
	if len(rec) != 2 || rec[0][0] != int64(1) || rec[0][1] != "D" || rec[0][2] != 0.5 || rec[1][0] != int64(3) || rec[1][1] != "C" || rec[1][3] != "" {
		t.Errorf("recommendations %v", rec)
	}
	// Without the lift floor, A→B and B→A (lift 1.125) join, after the 1.5 rules.
	res, _ = basket.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{
		"min_support": "0.3333", "min_confidence": "0", "min_lift": "1", "exclude": "POST"}})
	if n := len(res.Tables[0].Rows); n != 6 || res.Tables[0].Rows[4][6] != "A" || res.Tables[0].Rows[4][7] != "B" {
		t.Errorf("rules with lift ≥ 1: %v", res.Tables[0].Rows)
	}
}

func TestFrequentTriples(t *testing.T) {
	// Four baskets ABC, ABC, AB, C: with min count 2: A3 B3 C3 AB3 AC2 BC2 ABC2.
	// AB→C: conf 2/3, lift (2/3)/(3/4) = 8/9; C→AB: conf 2/3, lift (2/3)/(3/4).
	var b basket.Baskets
	for _, bk := range [][]string{{"A", "B", "C"}, {"A", "B", "C", "A"}, {"A", "B"}, {"C"}} {
		b.Add(bk)
	}
	sets := mustFrequent(t, &b, 2, 3)
	if len(sets) != 7 || sets[6].Count != 2 || len(sets[6].Items) != 3 {
		t.Fatalf("itemsets %v", sets)
	}
	var found bool
	for _, r := range mustRules(t, &b, 0.5, 0, 0, 3) {
		if strings.Join(r.Antecedent, ",") == "A,B" && strings.Join(r.Consequent, ",") == "C" {
			found = true
			if math.Abs(r.Confidence-2.0/3) > 1e-12 || math.Abs(r.Lift-8.0/9) > 1e-12 {
				t.Errorf("AB→C %+v", r)
			}
		}
	}
	if !found {
		t.Error("AB→C missing")
	}
	// max_len 2 stops at pairs.
	if sets := mustFrequent(t, &b, 2, 2); len(sets) != 6 {
		t.Errorf("max_len 2: %v", sets)
	}
}

func TestEdgeCases(t *testing.T) {
	// No orders: zero baskets, no rules, no error.
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}})
	if err != nil || len(res.Tables[0].Rows) != 0 {
		t.Errorf("empty: %v %v", res, err)
	}
	// One customer with one basket: every pair has lift 1, confidence 1.
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(order(1, 1, "A", "B"))}
	res, _ = basket.New().Run(context.Background(), analysis.Input{Data: d})
	if len(res.Tables[0].Rows) != 2 || res.Tables[0].Rows[0][4] != 1.0 || len(res.Tables[1].Rows) != 0 {
		t.Errorf("one basket: %v / %v", res.Tables[0].Rows, res.Tables[1].Rows)
	}
	for _, o := range []map[string]string{{"min_support": "0"}, {"min_confidence": "2"}, {"max_len": "1"}, {"item": "colour"}, {"nope": "1"}} {
		if _, err := basket.New().Run(context.Background(), analysis.Input{Data: d, Options: o}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v", o, err)
		}
	}
}

// retail builds orders from raw Online Retail rows the way the pbpython market-basket tutorial
// prepares them: invoices not starting with "C", rows with quantity > 0, customer or not
// (rows without a customer become anonymous orders, CustomerID 0). Customers get Country.
func retail(t testing.TB, keep func(*refdata.RetailRow) bool) *kexi.Dataset {
	d := &kexi.Dataset{}
	var orders []kexi.Order
	at := map[string]int{}
	seen := map[int64]bool{}
	rows := refdata.OnlineRetailRows(t)
	for i := range rows {
		r := &rows[i]
		if strings.HasPrefix(r.Invoice, "C") || r.Quantity <= 0 || !keep(r) {
			continue
		}
		var cid int64
		if r.Customer != "" {
			cid, _ = strconv.ParseInt(r.Customer, 10, 64)
			if !seen[cid] {
				seen[cid] = true
				d.Customers = append(d.Customers, kexi.Customer{ID: cid, Country: r.Country})
			}
		}
		k, ok := at[r.Invoice]
		if !ok {
			id, _ := strconv.ParseInt(strings.TrimLeft(r.Invoice, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 10, 64)
			k = len(orders)
			at[r.Invoice] = k
			orders = append(orders, kexi.Order{ID: id, CustomerID: cid, OrderedAt: r.At, Status: kexi.StatusCompleted})
		}
		orders[k].Amount += r.Quantity * r.UnitPrice
		orders[k].Items = append(orders[k].Items, kexi.OrderItem{SKU: r.StockCode, Name: r.Description, Quantity: r.Quantity, UnitPrice: r.UnitPrice})
	}
	d.Orders = kexi.NewOrderTable(orders...)
	d.Normalize()
	return d
}

func findRule(t *testing.T, res *analysis.Result, a, c string) []any {
	t.Helper()
	for _, r := range res.Tables[0].Rows {
		if r[0] == a && r[1] == c {
			return r
		}
	}
	t.Fatalf("rule %s → %s not found", a, c)
	return nil
}

// TestFranceTutorial reproduces the pbpython tutorial (France, min support 0.07): ALARM CLOCK
// BAKELIKE GREEN → RED confidence 0.8158, lift 8.6430. The filter that gives these numbers:
// the rows' own Country "France" (so the 3 invoices without a customer count), invoices not
// starting with "C", names trimmed, POSTAGE dropped as an item but its invoices kept as
// baskets (5 invoices hold only POSTAGE): 392 baskets, GREEN in 38, RED in 37, both in 31 →
// confidence 31/38 = 0.81579, lift 0.81579/(37/392) = 8.64296. Price-0 rows make no
// difference here. Counting only the 387 non-empty baskets would give lift 8.5327.
func TestFranceTutorial(t *testing.T) {
	d := retail(t, func(r *refdata.RetailRow) bool { return r.Country == "France" })
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{
		"item": "name", "min_support": "0.07", "min_confidence": "0", "min_lift": "1", "max_len": "8", "exclude": "POSTAGE"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("baskets"); f.Value != 392 {
		t.Errorf("baskets %v, want 392", f.Value)
	}
	r := findRule(t, res, "ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE RED")
	if math.Abs(r[3].(float64)-0.8158) > 0.00005 || math.Abs(r[4].(float64)-8.6430) > 0.00005 || r[5] != 31 {
		t.Errorf("GREEN → RED %v, want confidence 0.8158 lift 8.6430", r)
	}
}

// TestFranceCountryOption uses the country option on every country's invoices: it selects by
// the customer's Country, so France's 3 anonymous invoices drop out: 389 baskets, confidence
// still 31/38, lift 0.81579/(37/389) = 8.57681.
func TestFranceCountryOption(t *testing.T) {
	d := retail(t, func(r *refdata.RetailRow) bool { return true })
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{
		"item": "name", "min_support": "0.07", "min_confidence": "0", "min_lift": "1", "exclude": "POSTAGE", "country": "France"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("baskets"); f.Value != 389 {
		t.Errorf("baskets %v, want 389", f.Value)
	}
	r := findRule(t, res, "ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE RED")
	if math.Abs(r[3].(float64)-31.0/38) > 1e-9 || math.Abs(r[4].(float64)-(31.0/38)/(37.0/389)) > 1e-9 {
		t.Errorf("GREEN → RED %v", r)
	}
}

func Example() {
	res, _ := basket.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{
		"min_support": "0.3", "min_lift": "1.2", "exclude": "POST"}})
	for _, r := range res.Tables[0].Rows {
		fmt.Printf("%s → %s (%s → %s) confidence %.2f lift %.2f\n", r[0], r[1], r[6], r[7], r[3], r[4])
	}
	// Output:
	// name C → name A (C → A) confidence 1.00 lift 1.50
	// name D → name B (D → B) confidence 1.00 lift 1.50
	// name A → name C (A → C) confidence 0.50 lift 1.50
	// name B → name D (B → D) confidence 0.50 lift 1.50
}

// TestRuleNames: a rule names its items by the product list first, then by the order lines,
// else by the code; the codes are in the last two columns and the frequent items chart uses
// the names too.
func TestRuleNames(t *testing.T) {
	d := tiny()
	d.Products = []kexi.Product{{ID: 1, ExternalID: "C", Name: "  茶杯  "}, {ID: 2, ExternalID: "Z", Name: "unused"}}
	for k := range d.Orders.Lines.Items {
		if it := &d.Orders.Lines.Items[k]; it.SKU == "D" {
			*it = kexi.Item{SKU: "D"} // no name anywhere
		}
	}
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{
		"min_support": "0.3", "min_lift": "1.2", "exclude": "POST"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Tables[0].Rows {
		got = append(got, fmt.Sprintf("%s → %s [%s → %s]", r[0], r[1], r[6], r[7]))
	}
	want := "[茶杯 → name A [C → A] D → name B [D → B] name A → 茶杯 [A → C] name B → D [B → D]]"
	if fmt.Sprint(got) != want {
		t.Errorf("rules %v\nwant %s", got, want)
	}
	for _, s := range res.Series {
		if s.Key == "frequent_items" && fmt.Sprint(s.X) != "[name A name B 茶杯 D]" {
			t.Errorf("frequent items %v", s.X)
		}
	}
}

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() { benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1}) })
	in := analysis.Input{Data: benchData, AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := basket.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRecommendationsMatchRecommend checks the per-customer table (built with item indices)
// against Recommend (by names) on seeded random baskets.
func TestRecommendationsMatchRecommend(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	items := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	d := &kexi.Dataset{}
	var orders []kexi.Order
	for i := 0; i < 400; i++ {
		var its []string
		for _, it := range items {
			if r.IntN(3) == 0 {
				its = append(its, it)
			}
		}
		orders = append(orders, order(int64(i+1), int64(1+r.IntN(60)), its...))
	}
	d.Orders = kexi.NewOrderTable(orders...)
	d.Normalize()
	opts := map[string]string{"min_support": "0.05", "min_confidence": "0.1", "min_lift": "0.5", "max_len": "3"}
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: d, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	var b basket.Baskets
	bought := map[int64]map[string]bool{}
	for i := range d.Orders.Len() {
		o := d.Orders.Order(i)
		var names []string
		for _, it := range o.Items {
			names = append(names, it.SKU)
		}
		b.Add(names)
		if bought[o.CustomerID] == nil {
			bought[o.CustomerID] = map[string]bool{}
		}
		for _, n := range names {
			bought[o.CustomerID][n] = true
		}
	}
	rules := mustRules(t, &b, 0.05, 0.1, 0.5, 3)
	if len(rules) < 20 {
		t.Fatalf("only %d rules: the test needs more", len(rules))
	}
	rows := res.Table("recommendations").Rows
	withRecs := 0
	for _, b := range bought {
		if len(basket.Recommend(rules, b, 3)) > 0 {
			withRecs++
		}
	}
	if len(rows) == 0 || len(rows) != withRecs {
		t.Fatalf("%d customers with recommendations, want %d", len(rows), withRecs)
	}
	for _, row := range rows {
		want := basket.Recommend(rules, bought[row[0].(int64)], 3)
		for k := 0; k < 3; k++ {
			got := row[1+2*k].(string)
			if k < len(want) {
				if got != want[k].Item || row[2+2*k].(float64) != want[k].Confidence {
					t.Errorf("customer %d #%d: %v, want %+v", row[0], k+1, row, want)
				}
			} else if got != "" {
				t.Errorf("customer %d #%d: %v, want none", row[0], k+1, row)
			}
		}
	}
}

func mustFrequent(t *testing.T, b *basket.Baskets, minCount, maxLen int) []basket.Itemset {
	t.Helper()
	sets, err := b.Frequent(context.Background(), minCount, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

func mustRules(t *testing.T, b *basket.Baskets, minSupport, minConfidence, minLift float64, maxLen int) []basket.Rule {
	t.Helper()
	rules, err := b.Rules(context.Background(), minSupport, minConfidence, minLift, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestTooManyItemsets: one basket of 22 items holds 2^22 − 1 ≈ 4.2M itemsets at min count 1,
// more than MaxItemsets: the search stops with a refusal (an invalid-input error, exit 2 and
// 400) instead of growing without bound, and a cancelled context stops it too.
func TestTooManyItemsets(t *testing.T) {
	var b basket.Baskets
	items := make([]string, 22)
	for i := range items {
		items[i] = string(rune('A' + i))
	}
	b.Add(items)
	_, err := b.Frequent(context.Background(), 1, 22)
	var r *analysis.Refusal
	if !errors.As(err, &r) || kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), "raise min_support") {
		t.Fatalf("got %v, want a refusal asking for a higher min_support", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Rules(ctx, 0.5, 0, 0, 22); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: got %v", err)
	}
}
