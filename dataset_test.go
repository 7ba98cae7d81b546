package kexi

import (
	"cmp"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestNormalizeSortsStably checks the order sort against a stable sort of the records
// themselves, with many ties (equal customer and time) that must keep their input order; dense
// customer IDs take the counting sort, sparse ones (spread out by a large factor) and negative
// ones (spread −1) the comparison sort.
func TestNormalizeSortsStably(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ n, spread int }{{0, 1}, {1, 1}, {2, 1}, {3, 1}, {10, 1}, {1000, 1}, {10, 1e9}, {1000, 1e9}, {100, -1}} {
		n := tc.n
		var orders []Order
		for i := 0; i < n; i++ {
			// IDs repeat so ties on the whole key happen; ExternalID records the input position,
			// and a line holding the position checks that lines move with their order.
			orders = append(orders, Order{ID: int64(rng.Intn(3)), ExternalID: strconv.Itoa(i),
				CustomerID: int64(rng.Intn(5) * tc.spread), OrderedAt: base.Add(time.Duration(rng.Intn(4)) * time.Hour),
				Items: []OrderItem{{Quantity: float64(i)}}})
		}
		want := slices.Clone(orders)
		slices.SortStableFunc(want, func(a, b Order) int {
			if a.CustomerID != b.CustomerID {
				return int(a.CustomerID - b.CustomerID)
			}
			return timeID(a.OrderedAt, a.ID, b.OrderedAt, b.ID)
		})
		d := &Dataset{Orders: NewOrderTable(orders...)}
		d.Normalize()
		for i := range want {
			if got := d.Orders.Order(i); !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("n=%d: position %d holds %+v, want %+v", n, i, got, want[i])
			}
		}
	}
}

func TestPermute(t *testing.T) {
	s := []string{"a", "b", "c", "d", "e"}
	// new s[i] = old s[perm[i]]: two cycles, (0 3) and (1 2 4), by hand:
	// s[0]=d, s[1]=c, s[2]=e, s[3]=a, s[4]=b.
	permute(s, []int32{3, 2, 4, 0, 1})
	if !slices.Equal(s, []string{"d", "c", "e", "a", "b"}) {
		t.Fatalf("permute = %v", s)
	}
}

// TestOrderTable builds a table of four orders by hand: every field analyses read comes back,
// orders with the same channel, status, province and city share one Facets code, lines with the
// same product, SKU, name and category one Item code; Slice and Filter keep rows with their
// lines and external ids; AppendTable re-codes another table's dictionaries.
func TestOrderTable(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	tea := OrderItem{ProductID: 1, SKU: "A", Name: "茶", Category: "food", Quantity: 2, UnitPrice: 30, UnitCost: 12}
	orders := []Order{
		{ID: 7, ExternalID: "O7", CustomerID: 3, OrderedAt: at, Amount: 90, Cost: 40, Shipping: 5,
			Discount: 10, Returned: 20, Channel: "app", Status: StatusCompleted, Province: "广东", City: "广州",
			Items: []OrderItem{tea, {Quantity: 1, UnitPrice: 30}}},
		{ID: 8, CustomerID: 4, OrderedAt: at, Channel: "app", Status: StatusCompleted, Province: "广东", City: "广州",
			Items: []OrderItem{tea}},
		{ID: 9, CustomerID: 4, OrderedAt: at, Status: StatusReturn, Items: []OrderItem{{ProductID: 2, SKU: "A", Name: "茶", Category: "food"}}},
		{ID: 10, CustomerID: 4, OrderedAt: at.Add(time.Millisecond)},
	}
	tab := NewOrderTable(orders...)
	if tab.Len() != 4 {
		t.Fatalf("%d orders", tab.Len())
	}
	for i := range orders {
		if got := tab.Order(i); !reflect.DeepEqual(got, orders[i]) {
			t.Fatalf("order %d = %+v, want %+v", i, got, orders[i])
		}
	}
	// Facets: {app completed 广东 广州}, {"" return "" ""}, {"" "" "" ""}; items: tea, none, product 2.
	if !slices.Equal(tab.Facet, []uint32{0, 0, 1, 2}) || len(tab.Facets) != 3 || tab.Status(2) != StatusReturn {
		t.Fatalf("facet codes %v of %v", tab.Facet, tab.Facets)
	}
	if !slices.Equal(tab.Lines.Item, []uint32{0, 1, 0, 2}) || !slices.Equal(tab.LineStart, []int32{0, 2, 3, 4, 4}) {
		t.Fatalf("line items %v, starts %v", tab.Lines.Item, tab.LineStart)
	}
	if !tab.IsPurchase(0) || tab.IsPurchase(2) || !tab.IsPurchase(3) || tab.IsPaid(3) {
		t.Fatal("purchases")
	}
	s := tab.Slice(1, 3)
	if s.Len() != 2 || !reflect.DeepEqual(s.Order(0), orders[1]) || !reflect.DeepEqual(s.Order(1), orders[2]) {
		t.Fatalf("slice %+v", s)
	}
	f := tab.Filter(func(i int) bool { return i != 1 })
	if f.Len() != 3 || !reflect.DeepEqual(f.Order(1), orders[2]) || !reflect.DeepEqual(f.Order(0), orders[0]) {
		t.Fatalf("filter %+v", f)
	}
	// Another table whose dictionaries hold the same values in another order.
	other := NewOrderTable(orders[3], orders[2])
	all := NewOrderTable(orders[0], orders[1])
	all.AppendTable(&other)
	want := []Order{orders[0], orders[1], orders[3], orders[2]}
	for i := range want {
		if got := all.Order(i); !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("appended order %d = %+v, want %+v", i, got, want[i])
		}
	}
	d := &Dataset{Orders: all}
	d.Normalize() // customer 3's order 7, then customer 4's 8, 9 and 10 (time, then id)
	if lo, hi := d.Orders.CustomerOrders(4); lo != 1 || hi != 4 || d.Orders.ID[3] != 10 {
		t.Fatalf("customer 4's orders at %d..%d of ids %v", lo, hi, d.Orders.ID)
	}
	if lo, hi := d.Orders.CustomerOrders(5); lo != hi {
		t.Fatalf("customer 5 has orders %d..%d", lo, hi)
	}
}

// TestOrderTableWithoutLines: a table whose orders have no lines keeps no line offsets, and a
// line added later gives every earlier order an empty range.
func TestOrderTableWithoutLines(t *testing.T) {
	var tab OrderTable
	tab.Append(&Order{ID: 1, Amount: 5})
	tab.Append(&Order{ID: 2, Amount: 6})
	if tab.LineStart != nil {
		t.Fatalf("line offsets %v without lines", tab.LineStart)
	}
	if lo, hi := tab.LineRange(1); lo != 0 || hi != 0 {
		t.Fatal("lines of an order without")
	}
	tab.Append(&Order{ID: 3, Items: []OrderItem{{SKU: "X", Quantity: 1}}})
	if !slices.Equal(tab.LineStart, []int32{0, 0, 0, 1}) || tab.Lines.ItemOf(0).SKU != "X" {
		t.Fatalf("line offsets %v", tab.LineStart)
	}
	d := &Dataset{Orders: tab}
	d.Normalize()
	var runs [][3]int64
	d.Orders.Runs(func(c int64, lo, hi int) { runs = append(runs, [3]int64{c, int64(lo), int64(hi)}) })
	if len(runs) != 1 || runs[0] != [3]int64{0, 0, 3} {
		t.Fatalf("runs %v", runs)
	}
}

// TestAppendTableColumns: appending tables without lines column by column gives the table that
// appending their orders one by one gives: the same rows, external ids and facet dictionary
// (in the order rows first use the facets, unused ones left out), also from a slice, a
// filtered table and a table that was Reset and filled again.
func TestAppendTableColumns(t *testing.T) {
	mk := func(orders ...Order) OrderTable {
		var u OrderTable
		for i := range orders {
			u.Append(&orders[i])
		}
		return u
	}
	a := mk(Order{ID: 1, ExternalID: "a", CustomerID: 1, Amount: 1, Channel: "web"},
		Order{ID: 2, ExternalID: "b", CustomerID: 1, Amount: 2, Channel: "shop", Status: StatusReturn})
	b := mk(Order{ID: 3, ExternalID: "", CustomerID: 2, Amount: 3, Channel: "unused"},
		Order{ID: 4, ExternalID: "dd", CustomerID: 3, Amount: 4, Channel: "app", City: "上海"},
		Order{ID: 5, ExternalID: "e", CustomerID: 3, Amount: 5, Channel: "web"})
	bf := b.Filter(func(i int) bool { return i > 0 }) // keeps the facet "unused" in its dictionary
	c := mk(Order{ID: 9, ExternalID: "zz", Amount: 9, Channel: "gone"})
	c.Reset()
	c.Append(&Order{ID: 6, ExternalID: "f", CustomerID: 4, Amount: 6, Channel: "shop"})
	s := a.Slice(1, 2)

	var got OrderTable
	for _, u := range []*OrderTable{&a, &bf, &c, &s} {
		got.AppendTable(u)
	}
	var want OrderTable
	for _, u := range []*OrderTable{&a, &bf, &c, &s} {
		for i := range u.Len() {
			o := u.Order(i)
			want.Append(&o)
		}
	}
	if !reflect.DeepEqual(got.All(), want.All()) {
		t.Fatalf("orders\n got %v\nwant %v", got.All(), want.All())
	}
	if !slices.Equal(got.Facets, want.Facets) || !slices.Equal(got.Facet, want.Facet) {
		t.Fatalf("facets %v %v, want %v %v", got.Facets, got.Facet, want.Facets, want.Facet)
	}
	var ids []string
	for i := range got.Len() {
		ids = append(ids, got.ExternalID(i))
	}
	if w := []string{"a", "b", "dd", "e", "f", "b"}; !slices.Equal(ids, w) {
		t.Fatalf("external ids %q, want %q", ids, w)
	}
}

// TestCustomerKeysOf: keys find customers by id whether the ids run 1 to n or not.
func TestCustomerKeysOf(t *testing.T) {
	for _, ids := range [][]int64{{1, 2, 3}, {2, 3, 7}, {1, 3, 4}} {
		var k CustomerKeys
		for _, id := range ids {
			k.Append(id, fmt.Sprint("c", id))
		}
		for id := int64(0); id <= 8; id++ {
			e, ok := k.Of(id)
			if want := slices.Contains(ids, id); ok != want || ok && e != fmt.Sprint("c", id) {
				t.Errorf("ids %v: Of(%d) = %q, %v", ids, id, e, ok)
			}
		}
	}
}

// TestNormalizeSortsInPlace checks that Normalize sorts a table's columns without writing the
// arrays it had (OrderTable.sort replaces them one by one): a table that shares them, as a
// Dataset spliced from another does, keeps its order, and the result is sorted's.
func TestNormalizeSortsInPlace(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var orders []Order
	for i := 0; i < 50; i++ {
		orders = append(orders, Order{ID: int64(50 - i), ExternalID: "o" + strconv.Itoa(i), CustomerID: int64(i % 7),
			OrderedAt: base.Add(time.Duration(i%5) * time.Hour), Amount: float64(i), Channel: "c" + strconv.Itoa(i%3),
			Status: "paid", Items: []OrderItem{{SKU: "s" + strconv.Itoa(i%4), Quantity: float64(i), UnitPrice: 2}}})
		if i%3 == 0 { // some orders without lines, some with two
			orders[i].Items = nil
		} else if i%3 == 1 {
			orders[i].Items = append(orders[i].Items, OrderItem{SKU: "x", Quantity: 1})
		}
	}
	shared := NewOrderTable(orders...)
	before := shared.All()
	want := shared.sorted()
	d := &Dataset{Orders: shared}
	d.Normalize()
	if !reflect.DeepEqual(d.Orders, want) {
		t.Fatalf("Normalize's table differs from sorted's")
	}
	// sorted is sort on a copy: check the order itself against a sort of the rows.
	byOrder := slices.Clone(before)
	slices.SortStableFunc(byOrder, func(a, b Order) int {
		return cmp.Or(cmp.Compare(a.CustomerID, b.CustomerID), a.OrderedAt.Compare(b.OrderedAt), cmp.Compare(a.ID, b.ID))
	})
	if got := d.Orders.All(); !reflect.DeepEqual(got, byOrder) {
		t.Fatalf("Normalize's orders are not in customer, time, id order")
	}
	if got := shared.All(); !reflect.DeepEqual(got, before) {
		t.Fatalf("the table sharing the arrays changed")
	}
}
