package synth

import (
	"testing"
)

func TestDatasetShape(t *testing.T) {
	d := Dataset(Options{Customers: 1000, Orders: 10_000, Seed: 1})
	if len(d.Customers) != 1000 || len(d.Orders) != 10_000 {
		t.Fatalf("customers %d orders %d, want 1000 10000", len(d.Customers), len(d.Orders))
	}
	seen := map[int64]bool{}
	for i := range d.Orders {
		o := &d.Orders[i]
		if i > 0 && (o.CustomerID < d.Orders[i-1].CustomerID ||
			o.CustomerID == d.Orders[i-1].CustomerID && o.OrderedAt.Before(d.Orders[i-1].OrderedAt)) {
			t.Fatalf("order %d out of (customer, time) order", i)
		}
		if len(o.Items) == 0 || o.Amount <= 0 {
			t.Fatalf("order %d has %d items, amount %v", i, len(o.Items), o.Amount)
		}
		seen[o.CustomerID] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("%d customers have orders, want all 1000", len(seen))
	}
	e := Dataset(Options{Customers: 1000, Orders: 10_000, Seed: 1})
	if e.Orders[500].Amount != d.Orders[500].Amount || !e.Orders[500].OrderedAt.Equal(d.Orders[500].OrderedAt) {
		t.Fatal("same seed gave different data")
	}
}

func BenchmarkDataset(b *testing.B) {
	for b.Loop() {
		Dataset(Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	}
}
