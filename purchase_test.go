package kexi

import (
	"math"
	"testing"
)

// TestIsPurchase: an order is a purchase unless it is a return, cancelled, or has a negative
// (or NaN) amount; a $0 order is a purchase but not a paid one (averages of money skip it).
func TestIsPurchase(t *testing.T) {
	for _, c := range []struct {
		amount         float64
		status         string
		purchase, paid bool
	}{
		{10, StatusCompleted, true, true},
		{10, StatusPending, true, true},
		{10, "", true, true},
		{0, StatusCompleted, true, false},
		{0, "", true, false},
		{10, StatusCancelled, false, false},
		{0, StatusCancelled, false, false},
		{0, StatusReturn, false, false},
		{-5, StatusCompleted, false, false},
		{math.NaN(), StatusCompleted, false, false},
	} {
		o := Order{Amount: c.amount, Status: c.status}
		r := NewOrderTable(o)
		if o.IsPurchase() != c.purchase || r.IsPurchase(0) != c.purchase || o.IsPaid() != c.paid || r.IsPaid(0) != c.paid {
			t.Errorf("amount %v status %q: purchase %v/%v paid %v/%v, want %v and %v", c.amount, c.status,
				o.IsPurchase(), r.IsPurchase(0), o.IsPaid(), r.IsPaid(0), c.purchase, c.paid)
		}
	}
}
