package segments

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// TestChoose works Choose's rules through by hand on six customers.
func TestChoose(t *testing.T) {
	// Six customers with an age, income for five of them, and custom fields: score (a
	// measure), member_no (every value a different whole number: an id), vip (0/1: two
	// values), plan (text), visits (for two customers only) and rating declared text though
	// its values are numbers.
	d := &kexi.Dataset{CustomFields: []kexi.CustomField{{Entity: "customer", Name: "rating", Type: kexi.FieldText}}}
	for i := 1; i <= 6; i++ {
		c := kexi.Customer{ID: int64(i), Age: 20 + 5*i, Custom: map[string]string{
			"score": strconv.Itoa(10 * (i % 4)), "member_no": strconv.Itoa(1000 + i), "vip": strconv.Itoa(i % 2),
			"plan": "gold", "rating": strconv.Itoa(i)}}
		if i <= 5 {
			c.Income = float64(1000 * i)
		}
		if i <= 2 {
			c.Custom["visits"] = strconv.Itoa(i)
		}
		d.Customers = append(d.Customers, c)
	}
	buy := func(ids ...int64) {
		d.Orders = kexi.OrderTable{}
		for k, id := range ids {
			d.Orders.Append(&kexi.Order{ID: int64(k + 1), CustomerID: id, OrderedAt: day(2 + k), Amount: 10})
		}
		d.Normalize()
	}

	// No orders: the attributes at least half the customers have.
	buy()
	p, how, buyers := Choose(d, day(31), nil, []string{Auto})
	if want := []string{Age, Income, "custom.score"}; how != ChosenAttributes || !slices.Equal(p.Names, want) || buyers != 0 {
		t.Errorf("no orders: %s %v %d, want %s %v 0", how, p.Names, buyers, ChosenAttributes, want)
	}
	if len(p.IDs) != 5 || p.Excluded != 1 { // customer 6 has no income
		t.Errorf("no orders: %d clustered, %d excluded; want 5 and 1", len(p.IDs), p.Excluded)
	}
	// Two buyers of six: still too few for RFM.
	buy(1, 2)
	if p, how, buyers = Choose(d, day(31), nil, []string{Auto}); how != ChosenAttributes || buyers != 2 {
		t.Errorf("2 buyers: %s %v, want attributes", how, p.Names)
	}
	// Three of six (half): RFM.
	buy(1, 2, 3)
	if p, how, _ = Choose(d, day(31), nil, []string{Auto}); how != ChosenRFM || !slices.Equal(p.Names, RFM) || len(p.IDs) != 3 {
		t.Errorf("3 buyers: %s %v %d, want RFM for 3", how, p.Names, len(p.IDs))
	}
	// Named features are taken as given.
	if p, how, _ = Choose(d, day(31), nil, []string{Age}); how != ChosenGiven || len(p.IDs) != 6 {
		t.Errorf("given: %s %d", how, len(p.IDs))
	}
	// Without attributes and with two buyers: RFM for those two, and Run fails saying why.
	for i := range d.Customers {
		d.Customers[i].Age, d.Customers[i].Income, d.Customers[i].Custom = 0, 0, nil
	}
	buy(1, 2)
	if p, how, _ = Choose(d, day(31), nil, []string{Auto}); how != ChosenRFM || len(p.IDs) != 2 {
		t.Errorf("no attributes: %s %d", how, len(p.IDs))
	}
	_, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: day(31)})
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(kexi.ErrorMessage(err), "no numeric attributes") {
		t.Errorf("no attributes: %v", err)
	}
}

// TestRunNamesFeatures: segments on customers without orders, with default options, chooses
// age and income and says so.
func TestRunNamesFeatures(t *testing.T) {
	d := mallDataset(t)
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: day(1)})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("features"); f.Text != "age, income, custom.spending_score" {
		t.Errorf("features %q", f.Text)
	}
	if f, _ := res.Figure("feature_choice"); f.Text != ChosenAttributes {
		t.Errorf("feature_choice %q", f.Text)
	}
	if n := len(res.Table("customers").Rows); n != 200 {
		t.Errorf("%d customers clustered, want 200", n)
	}
	for _, key := range []string{"features", "feature_choice", ChosenAttributes, ChosenRFM, ChosenGiven} {
		if l := New().Info().Labels[key]; l.En == "" || l.Zh == "" {
			t.Errorf("label %q lacks a language", key)
		}
	}
}
