package synth

import (
	"testing"
)

func TestDatasetShape(t *testing.T) {
	d := Dataset(Options{Customers: 1000, Orders: 10_000, Seed: 1})
	o := &d.Orders
	if len(d.Customers) != 1000 || o.Len() != 10_000 {
		t.Fatalf("customers %d orders %d, want 1000 10000", len(d.Customers), o.Len())
	}
	seen := map[int64]bool{}
	for i := range o.Len() {
		if i > 0 && (o.CustomerID[i] < o.CustomerID[i-1] ||
			o.CustomerID[i] == o.CustomerID[i-1] && o.At[i] < o.At[i-1]) {
			t.Fatalf("order %d out of (customer, time) order", i)
		}
		if lo, hi := o.LineRange(i); hi == lo || o.Amount[i] <= 0 {
			t.Fatalf("order %d has %d items, amount %v", i, hi-lo, o.Amount[i])
		}
		seen[o.CustomerID[i]] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("%d customers have orders, want all 1000", len(seen))
	}
	e := Dataset(Options{Customers: 1000, Orders: 10_000, Seed: 1})
	if e.Orders.Amount[500] != o.Amount[500] || e.Orders.At[500] != o.At[500] {
		t.Fatal("same seed gave different data")
	}
}

func BenchmarkDataset(b *testing.B) {
	for b.Loop() {
		Dataset(Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	}
}
