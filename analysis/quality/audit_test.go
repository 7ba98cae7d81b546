package quality

import (
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestAudit scores two customers by hand. Customer 1 has every field but an invalid phone
// (−15) and is active; customer 2 has only a name (8 missing fields, −40), no activity for
// over a year (stale, −10) and an order with a negative amount (−15). The order scores
// 100 − 5 (no channel) − 25 (negative) = 70.
func TestAudit(t *testing.T) {
	asOf := time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	recent := asOf.AddDate(0, -1, 0)
	d := &kexi.Dataset{Customers: []kexi.Customer{
		{ID: 1, Name: "Wang Fang", Phone: "12345", Email: "wf@example.com", Gender: "female", Age: 30, Province: "广东",
			City: "深圳", Channel: "web", Owner: "li", CreatedAt: recent},
		{ID: 2, Name: "Zhao Lei", CreatedAt: asOf.AddDate(-2, 0, 0)},
	}, Orders: kexi.NewOrderTable(kexi.Order{CustomerID: 2, OrderedAt: asOf.AddDate(-2, 0, 0), Amount: -3})}
	au := check(d, asOf, 365, 0.85, 10)
	if !slices.Equal(au.score, []float64{85, 35}) {
		t.Errorf("scores %v, want [85 35]", au.score)
	}
	if !slices.Equal(au.issues[0], []string{"invalid_phone"}) || !slices.Contains(au.issues[1], "stale") || !slices.Contains(au.issues[1], "negative_amount") {
		t.Errorf("issues %q", au.issues)
	}
	if au.orderScore != 70 || au.stale != 1 || au.withChannel != 0 || au.withCustomer != 1 {
		t.Errorf("order score %v, stale %d, with channel %d, with customer %d", au.orderScore, au.stale, au.withChannel, au.withCustomer)
	}
}
