package basket

import (
	"slices"
	"testing"

	"github.com/kexi/kexi"
)

// TestResolver works out by hand how lines become basket items through the per-product memory:
// a product whose SKU changes is resolved again, lines without a product id are resolved each
// time, an excluded item and an item whose quantities cancel drop out, and indices follow first
// appearance.
func TestResolver(t *testing.T) {
	var bs Baskets
	r := &resolver{kind: "sku", exclude: map[string]bool{"POST": true}, bs: &bs}
	add := func(items ...kexi.OrderItem) []string {
		var lines []*resolved
		lines, _ = r.positive(lineTable(items...), 0, len(items), lines, nil)
		bs.begin()
		var names []string
		for _, l := range lines {
			i := r.index(l)
			bs.flat = append(bs.flat, i)
			names = append(names, bs.Items[i])
		}
		return names
	}
	// Order 1: A (product 1), B (no product id), A again, POST (excluded), C (product 3) with
	// quantities 1 and −1 cancelling → A, B.
	got := add(kexi.OrderItem{ProductID: 1, SKU: " A ", Quantity: 1}, kexi.OrderItem{SKU: "B", Quantity: 2},
		kexi.OrderItem{ProductID: 1, SKU: " A ", Quantity: 1}, kexi.OrderItem{ProductID: 2, SKU: "POST", Quantity: 1},
		kexi.OrderItem{ProductID: 3, SKU: "C", Quantity: 1}, kexi.OrderItem{ProductID: 3, SKU: "C", Quantity: -1})
	if !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("order 1: %q", got)
	}
	// Order 2: product 1 now has SKU D (resolved again), C, a nameless line (dropped), B without
	// an id → D, C, B; D and C get indices 2 and 3.
	got = add(kexi.OrderItem{ProductID: 1, SKU: "D", Quantity: 1}, kexi.OrderItem{ProductID: 3, SKU: "C", Quantity: 1},
		kexi.OrderItem{ProductID: 4, Quantity: 1}, kexi.OrderItem{Name: "B", Quantity: 1})
	if !slices.Equal(got, []string{"D", "C", "B"}) {
		t.Errorf("order 2: %q", got)
	}
	if !slices.Equal(bs.Items, []string{"A", "B", "D", "C"}) || !slices.Equal(bs.Basket(0), []int32{0, 1}) || !slices.Equal(bs.Basket(1), []int32{2, 3, 1}) {
		t.Errorf("items %q, baskets %v %v", bs.Items, bs.Basket(0), bs.Basket(1))
	}
}

// TestResolverProductTwoItems: one order with two lines of product 1 under SKUs A and D, then
// A and D again. The per-product memory holds A when D comes, and A is already among the
// order's lines, so D must not overwrite it: the basket is A, D (quantities 1+3 and 2+4),
// as ItemName on each line gives. The next order, D alone, resolves product 1 to D again.
func TestResolverProductTwoItems(t *testing.T) {
	var bs Baskets
	r := &resolver{kind: "sku", bs: &bs}
	a, d := kexi.OrderItem{ProductID: 1, SKU: "A"}, kexi.OrderItem{ProductID: 1, SKU: "D"}
	q := func(it kexi.OrderItem, q float64) kexi.OrderItem { it.Quantity = q; return it }
	lines, qty := r.positive(lineTable(q(a, 1), q(d, 2), q(a, 3), q(d, 4)), 0, 4, nil, nil)
	var names []string
	for _, l := range lines {
		names = append(names, l.item)
	}
	if !slices.Equal(names, []string{"A", "D"}) || !slices.Equal(qty, []float64{4, 6}) {
		t.Errorf("order 1: items %q, quantities %v", names, qty)
	}
	if lines, _ = r.positive(lineTable(kexi.OrderItem{ProductID: 1, SKU: "D", Quantity: 1}), 0, 1, lines, qty); len(lines) != 1 || lines[0].item != "D" || lines[0] != &r.byID[1] {
		t.Errorf("order 2: %+v", lines)
	}
}

// lineTable returns the lines of one order with the items.
func lineTable(items ...kexi.OrderItem) *kexi.LineTable {
	t := kexi.NewOrderTable(kexi.Order{Items: items})
	return &t.Lines
}
