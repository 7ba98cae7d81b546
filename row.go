package kexi

import "time"

// OrderRow is an order as a Dataset holds it: the fields analyses read, and nothing the API
// alone needs (the customer's external id, the record stamps). Its channel, status, province
// and city are in Facets that every order with the same four shares (read them as o.Channel,
// o.Status, o.Province, o.City); Normalize gives an order without them the empty Facets. A
// million OrderRows take 128 MB, where a million Orders take 248 MB; OrderRows converts.
type OrderRow struct {
	ID         int64
	ExternalID string
	CustomerID int64
	OrderedAt  time.Time
	Amount     float64 // revenue after discount, as Order.Amount
	Cost       float64
	Shipping   float64
	Discount   float64
	Returned   float64
	*Facets
	Items []LineRow
}

// Facets are an order's channel, status and shipping province and city, shared by the orders
// of a Dataset that have the same four. Never change them through an order.
type Facets struct {
	Channel  string
	Status   string
	Province string
	City     string
}

// IsPurchase reports whether the order counts as a purchase: not a return, not cancelled, and
// with an amount of 0 or more (as Order.IsPurchase). A $0 order (a free item, a full voucher)
// is a purchase: it counts for how often and when a customer buys. Averages of money count
// only the purchases IsPaid accepts.
func (o *OrderRow) IsPurchase() bool {
	if o.Facets == nil {
		return isPurchase(o.Amount, "")
	}
	return isPurchase(o.Amount, o.Status)
}

// IsPaid reports whether the order is a purchase with a positive amount: the purchases that
// averages of money (average order value, mean spend) divide by.
func (o *OrderRow) IsPaid() bool { return o.Amount > 0 && o.IsPurchase() }

func isPurchase(amount float64, status string) bool {
	return amount >= 0 && status != StatusReturn && status != StatusCancelled
}

// LineRow is an order line as a Dataset holds it: 32 bytes where an OrderItem takes 80. The
// product id, SKU, name and category are in an Item that every line with the same four shares
// (read them as line.ProductID, line.SKU, …); Normalize gives a line without one the empty
// Item. An Item is shared: never change it through a line.
type LineRow struct {
	*Item
	Quantity  float64
	UnitPrice float64
	UnitCost  float64
}

// Item is what an order line sells, as the line names it.
type Item struct {
	ProductID int64
	SKU       string
	Name      string
	Category  string
}

// noItem is the Item of lines that name none; noFacets the Facets of orders that have none.
var (
	noItem   = &Item{}
	noFacets = &Facets{}
)

// lineChunk is the number of lines OrderRows puts in one shared array.
const lineChunk = 4096

// OrderRows converts orders (with their items) into the Dataset's rows, in the same order.
// Lines go into shared arrays of a few thousand lines, each order's Items a sub-slice without
// spare capacity; orders with the same Facets share them, and lines with the same Item share it.
func OrderRows(orders []Order) []OrderRow {
	rows := make([]OrderRow, len(orders))
	items, facets := SharedItems(), SharedFacets()
	var buf []LineRow
	for i := range orders {
		o, r := &orders[i], &rows[i]
		*r = OrderRow{ID: o.ID, ExternalID: o.ExternalID, CustomerID: o.CustomerID, OrderedAt: o.OrderedAt,
			Amount: o.Amount, Cost: o.Cost, Shipping: o.Shipping, Discount: o.Discount, Returned: o.Returned,
			Facets: facets.Get(Facets{o.Channel, o.Status, o.Province, o.City})}
		if len(o.Items) == 0 {
			continue
		}
		if cap(buf)-len(buf) < len(o.Items) {
			buf = make([]LineRow, 0, max(lineChunk, len(o.Items)))
		}
		start := len(buf)
		for j := range o.Items {
			it := &o.Items[j]
			buf = append(buf, LineRow{Item: items.Get(Item{it.ProductID, it.SKU, it.Name, it.Category}),
				Quantity: it.Quantity, UnitPrice: it.UnitPrice, UnitCost: it.UnitCost})
		}
		r.Items = buf[start:len(buf):len(buf)]
	}
	return rows
}

// Shared hands out one shared *K per value of K, so that records with equal Items or Facets
// point to one copy. Make it with SharedItems or SharedFacets, which give the zero value the
// empty Item or Facets that Normalize gives.
type Shared[K comparable] map[K]*K

// SharedItems is a Shared for Items.
func SharedItems() Shared[Item] { return Shared[Item]{Item{}: noItem} }

// SharedFacets is a Shared for Facets.
func SharedFacets() Shared[Facets] { return Shared[Facets]{Facets{}: noFacets} }

// Get returns the shared K equal to k.
func (s Shared[K]) Get(k K) *K {
	if p, ok := s[k]; ok {
		return p
	}
	p := new(K) // not &k, which would move k to the heap on every call
	*p = k
	s[k] = p
	return p
}
