package kexi

import (
	"math/rand"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"
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
		d := &Dataset{}
		for i := 0; i < n; i++ {
			// IDs repeat so ties on the whole key happen; ExternalID records the input position.
			d.Orders = append(d.Orders, OrderRow{ID: int64(rng.Intn(3)), ExternalID: strconv.Itoa(i),
				CustomerID: int64(rng.Intn(5) * tc.spread), OrderedAt: base.Add(time.Duration(rng.Intn(4)) * time.Hour)})
		}
		want := slices.Clone(d.Orders)
		slices.SortStableFunc(want, func(a, b OrderRow) int {
			if a.CustomerID != b.CustomerID {
				return int(a.CustomerID - b.CustomerID)
			}
			return timeID(a.OrderedAt, a.ID, b.OrderedAt, b.ID)
		})
		d.Normalize()
		for i := range want {
			if d.Orders[i].ExternalID != want[i].ExternalID {
				t.Fatalf("n=%d: position %d holds %s, want %s", n, i, d.Orders[i].ExternalID, want[i].ExternalID)
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

// TestOrderRows converts three orders by hand: every field analyses read is kept, lines go
// into one shared array with no room past each order's own, orders with the same channel,
// status, province and city share their Facets, and lines with the same product, SKU, name and
// category share one Item; an order or a line naming none gets the empty one.
func TestOrderRows(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	tea := OrderItem{ProductID: 1, SKU: "A", Name: "茶", Category: "food", Quantity: 2, UnitPrice: 30, UnitCost: 12}
	orders := []Order{
		{ID: 7, ExternalID: "O7", CustomerID: 3, Customer: "C3", OrderedAt: at, Amount: 90, Cost: 40, Shipping: 5,
			Discount: 10, Returned: 20, Channel: "app", Status: StatusCompleted, Province: "广东", City: "广州",
			Items: []OrderItem{tea, {Quantity: 1, UnitPrice: 30}}, CreatedAt: at, UpdatedAt: at},
		{ID: 8, CustomerID: 4, Channel: "app", Status: StatusCompleted, Province: "广东", City: "广州", Items: []OrderItem{tea}},
		{ID: 9, CustomerID: 4, Status: StatusReturn, Items: []OrderItem{{ProductID: 2, SKU: "A", Name: "茶", Category: "food"}}},
		{ID: 10, CustomerID: 4},
	}
	rows := OrderRows(orders)
	want := OrderRow{ID: 7, ExternalID: "O7", CustomerID: 3, OrderedAt: at, Amount: 90, Cost: 40, Shipping: 5,
		Discount: 10, Returned: 20, Facets: &Facets{"app", StatusCompleted, "广东", "广州"}}
	got := rows[0]
	got.Items = nil
	if len(rows) != 4 || !reflect.DeepEqual(got, want) {
		t.Fatalf("row %+v, want %+v", got, want)
	}
	if rows[1].Facets != rows[0].Facets || rows[2].Facets == rows[0].Facets || rows[2].Status != StatusReturn ||
		rows[3].Facets != noFacets {
		t.Fatalf("facets %p %p %p %p", rows[0].Facets, rows[1].Facets, rows[2].Facets, rows[3].Facets)
	}
	a := rows[0].Items
	if len(a) != 2 || cap(a) != 2 || a[0] != (LineRow{Item: a[0].Item, Quantity: 2, UnitPrice: 30, UnitCost: 12}) ||
		*a[0].Item != (Item{1, "A", "茶", "food"}) || a[1].Item != noItem || a[1].Quantity != 1 {
		t.Fatalf("first order's lines %+v", a)
	}
	b := rows[1].Items
	if len(b) != 1 || cap(b) != 1 || b[0].Item != a[0].Item ||
		unsafe.Pointer(&b[0]) != unsafe.Add(unsafe.Pointer(&a[0]), 2*unsafe.Sizeof(a[0])) {
		t.Fatalf("second order's lines %+v: not sharing the Item or the array", b)
	}
	if c := rows[2].Items; c[0].Item == a[0].Item || c[0].ProductID != 2 {
		t.Fatalf("another product with the same labels shares the Item: %+v", c[0].Item)
	}
	if rows[3].Items != nil || !rows[0].IsPurchase() || rows[2].IsPurchase() {
		t.Fatalf("fourth order's lines %v, purchases %v %v", rows[3].Items, rows[0].IsPurchase(), rows[2].IsPurchase())
	}
}

// TestNormalizeFills: an order made without Facets and a line without an Item get the empty
// ones, so that reading o.Status or line.SKU never fails; IsPurchase needs no Facets.
func TestNormalizeFills(t *testing.T) {
	o := OrderRow{ID: 1, Amount: 5, Items: []LineRow{{Quantity: 1}, {Item: &Item{SKU: "X"}}}}
	if !o.IsPurchase() {
		t.Fatal("an order without Facets and with an amount is no purchase")
	}
	d := &Dataset{Orders: []OrderRow{o}}
	d.Normalize()
	o = d.Orders[0]
	if it := o.Items; o.Facets != noFacets || o.Status != "" || it[0].Item != noItem || it[0].SKU != "" || it[1].SKU != "X" {
		t.Fatalf("order %+v, lines %+v", o, it)
	}
}
