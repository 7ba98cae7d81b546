package kexi

import "time"

// OrderRow is an order as a Dataset holds it: the fields analyses read, and nothing the API
// alone needs (the customer's external id, the record stamps). A million of them take 184 MB,
// where a million Orders take 248 MB; OrderRows converts.
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
	Channel    string
	Status     string
	Province   string
	City       string
	Items      []LineRow
}

// IsPurchase reports whether the order counts as a purchase: not a return, not cancelled, and
// with a positive amount (as Order.IsPurchase).
func (o *OrderRow) IsPurchase() bool { return isPurchase(o.Amount, o.Status) }

func isPurchase(amount float64, status string) bool {
	return amount > 0 && status != StatusReturn && status != StatusCancelled
}

// LineRow is an order line as a Dataset holds it: 40 bytes where an OrderItem takes 80. The
// SKU, name and category are in an Item that every line with the same three shares (read
// them as line.SKU, line.Name, line.Category); Normalize gives a line without one the empty
// Item. An Item is shared: never change it through a line.
type LineRow struct {
	*Item
	ProductID int64
	Quantity  float64
	UnitPrice float64
	UnitCost  float64
}

// Item is what an order line sells, as the line names it.
type Item struct {
	SKU      string
	Name     string
	Category string
}

// noItem is the Item of lines that name none.
var noItem = &Item{}

// lineChunk is the number of lines OrderRows puts in one shared array.
const lineChunk = 4096

// OrderRows converts orders (with their items) into the Dataset's rows, in the same order.
// Lines go into shared arrays of a few thousand lines, each order's Items a sub-slice without
// spare capacity; lines naming the same SKU, name and category share one Item.
func OrderRows(orders []Order) []OrderRow {
	rows := make([]OrderRow, len(orders))
	items := Items{}
	var buf []LineRow
	for i := range orders {
		o, r := &orders[i], &rows[i]
		*r = OrderRow{ID: o.ID, ExternalID: o.ExternalID, CustomerID: o.CustomerID, OrderedAt: o.OrderedAt,
			Amount: o.Amount, Cost: o.Cost, Shipping: o.Shipping, Discount: o.Discount, Returned: o.Returned,
			Channel: o.Channel, Status: o.Status, Province: o.Province, City: o.City}
		if len(o.Items) == 0 {
			continue
		}
		if cap(buf)-len(buf) < len(o.Items) {
			buf = make([]LineRow, 0, max(lineChunk, len(o.Items)))
		}
		start := len(buf)
		for j := range o.Items {
			it := &o.Items[j]
			buf = append(buf, LineRow{Item: items.Get(it.SKU, it.Name, it.Category), ProductID: it.ProductID,
				Quantity: it.Quantity, UnitPrice: it.UnitPrice, UnitCost: it.UnitCost})
		}
		r.Items = buf[start:len(buf):len(buf)]
	}
	return rows
}

// Items hands out one shared Item per SKU, name and category.
type Items map[Item]*Item

// Get returns the shared Item with these labels.
func (s Items) Get(sku, name, category string) *Item {
	if sku == "" && name == "" && category == "" {
		return noItem
	}
	k := Item{sku, name, category}
	if p, ok := s[k]; ok {
		return p
	}
	p := &k
	s[k] = p
	return p
}
