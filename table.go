package kexi

import (
	"cmp"
	"slices"
	"time"
)

// OrderTable is the analysis table's orders: one slice per field (column-oriented), so that a
// million orders are a few flat arrays the collector never walks, and an analysis touches only
// the columns it reads. Row i of every column is the same order. Times are Unix milliseconds
// (as the stores keep them); what repeats is a small code into a dictionary: an order's
// channel, status, shipping province and city are Facets[Facet[i]], and a line's product is
// Items[Lines.Item[j]].
//
// Order i's lines are Lines rows LineStart[i] to LineStart[i+1]; LineStart is nil when no order
// has lines. In a Dataset, orders are sorted by (CustomerID, At, ID), so each customer's orders
// are one contiguous range (Runs, CustomerOrders).
//
// Build a table with Append (or NewOrderTable) and never change a built table in place: a
// Dataset shares it between analyses running side by side. Slice gives a sub-table that shares
// the columns.
type OrderTable struct {
	ID         []int64
	CustomerID []int64
	At         []int64 // ordered at, Unix milliseconds
	Amount     []float64
	Cost       []float64
	Shipping   []float64
	Discount   []float64
	Returned   []float64
	Facet      []uint32 // index into Facets
	Facets     []Facets
	LineStart  []int32 // nil, or len(ID)+1 offsets into Lines
	Lines      LineTable
	// Loc is the location Time gives times in (nil: UTC). Stores give UTC; files read with a
	// business time zone give that zone.
	Loc *time.Location

	ext Texts // external ids

	facetCode map[Facets]uint32 // Facets → code, while appending
	itemCode  map[Item]uint32   // Item → code, while appending
}

// Facets are an order's channel, status and shipping province and city: the order texts that
// repeat, kept once per distinct four in OrderTable.Facets.
type Facets struct {
	Channel  string
	Status   string
	Province string
	City     string
}

// LineTable is the order lines of an OrderTable, column by column.
type LineTable struct {
	Item      []uint32 // index into Items
	Items     []Item
	Quantity  []float64
	UnitPrice []float64
	UnitCost  []float64
}

// Item is what an order line sells, as the line names it.
type Item struct {
	ProductID int64
	SKU       string
	Name      string
	Category  string
}

// NewOrderTable builds a table of the orders, in the order given, with times in the location
// of the first order's time.
func NewOrderTable(orders ...Order) OrderTable {
	var t OrderTable
	if len(orders) > 0 {
		t.Loc = orders[0].OrderedAt.Location()
	}
	t.Grow(len(orders))
	for i := range orders {
		t.Append(&orders[i])
	}
	return t
}

// Len returns the number of orders.
func (t *OrderTable) Len() int { return len(t.ID) }

// Grow makes room for n more orders.
func (t *OrderTable) Grow(n int) {
	t.ID = slices.Grow(t.ID, n)
	t.CustomerID = slices.Grow(t.CustomerID, n)
	t.At = slices.Grow(t.At, n)
	t.Amount = slices.Grow(t.Amount, n)
	t.Cost = slices.Grow(t.Cost, n)
	t.Shipping = slices.Grow(t.Shipping, n)
	t.Discount = slices.Grow(t.Discount, n)
	t.Returned = slices.Grow(t.Returned, n)
	t.Facet = slices.Grow(t.Facet, n)
	t.ext.Grow(n)
}

// Append adds an order and its lines. The external id of the customer and the record stamps
// are not kept: analyses do not read them.
func (t *OrderTable) Append(o *Order) {
	t.AppendRow(o.ID, o.ExternalID, o.CustomerID, o.OrderedAt.UnixMilli(), o.Amount, o.Cost, o.Shipping,
		o.Discount, o.Returned, Facets{o.Channel, o.Status, o.Province, o.City})
	for j := range o.Items {
		it := &o.Items[j]
		t.AppendLine(Item{it.ProductID, it.SKU, it.Name, it.Category}, it.Quantity, it.UnitPrice, it.UnitCost)
	}
}

// AppendRow adds an order without lines (AppendLine adds lines to the last order); at is
// Unix milliseconds.
func (t *OrderTable) AppendRow(id int64, externalID string, customerID, at int64,
	amount, cost, shipping, discount, returned float64, f Facets) {
	t.ID = append(t.ID, id)
	t.CustomerID = append(t.CustomerID, customerID)
	t.At = append(t.At, at)
	t.Amount = append(t.Amount, amount)
	t.Cost = append(t.Cost, cost)
	t.Shipping = append(t.Shipping, shipping)
	t.Discount = append(t.Discount, discount)
	t.Returned = append(t.Returned, returned)
	if n := len(t.Facet); n > 0 && int(t.Facet[n-1]) < len(t.Facets) && t.Facets[t.Facet[n-1]] == f {
		t.Facet = append(t.Facet, t.Facet[n-1]) // as the last order's, mostly
	} else {
		t.Facet = append(t.Facet, t.FacetCode(f))
	}
	t.ext.Append(externalID)
	if t.LineStart != nil {
		t.LineStart = append(t.LineStart, int32(len(t.Lines.Item)))
	}
}

// Reset empties t and its dictionaries, keeping the room its columns have, for a table that is
// filled over and over.
func (t *OrderTable) Reset() {
	*t = OrderTable{ID: t.ID[:0], CustomerID: t.CustomerID[:0], At: t.At[:0], Amount: t.Amount[:0], Cost: t.Cost[:0],
		Shipping: t.Shipping[:0], Discount: t.Discount[:0], Returned: t.Returned[:0], Facet: t.Facet[:0],
		ext: Texts{buf: t.ext.buf[:0], start: t.ext.start[:0]}}
}

// FacetCode returns the code of f in Facets, adding it when new.
func (t *OrderTable) FacetCode(f Facets) uint32 { return codeOf(&t.facetCode, &t.Facets, f) }

// codeOf returns the code of k in *dict, adding it when new. *index maps values to codes; when
// nil, it is built from *dict.
func codeOf[K comparable](index *map[K]uint32, dict *[]K, k K) uint32 {
	if *index == nil {
		*index = make(map[K]uint32, len(*dict)+1)
		for i, g := range *dict {
			(*index)[g] = uint32(i)
		}
	}
	c, ok := (*index)[k]
	if !ok {
		c = uint32(len(*dict))
		*dict = append(*dict, k)
		(*index)[k] = c
	}
	return c
}

// AppendLine adds a line to the last order.
func (t *OrderTable) AppendLine(it Item, quantity, unitPrice, unitCost float64) {
	if t.LineStart == nil {
		// The first line: every earlier order has none.
		t.LineStart = make([]int32, len(t.ID)+1, cap(t.ID)+1)
	}
	l := &t.Lines
	l.Item = append(l.Item, codeOf(&t.itemCode, &l.Items, it))
	l.Quantity = append(l.Quantity, quantity)
	l.UnitPrice = append(l.UnitPrice, unitPrice)
	l.UnitCost = append(l.UnitCost, unitCost)
	t.LineStart[len(t.LineStart)-1] = int32(len(l.Item))
}

// AppendTable adds every order of u, with its lines, after t's.
func (t *OrderTable) AppendTable(u *OrderTable) {
	if t.LineStart == nil && u.LineStart == nil {
		t.appendColumns(u)
		return
	}
	t.Grow(u.Len())
	for i := range u.Len() {
		t.appendOrder(u, i)
	}
}

// appendColumns is AppendTable for tables without lines: column by column, re-coding u's
// facets in the order the rows first use them, as appending row by row would.
func (t *OrderTable) appendColumns(u *OrderTable) {
	t.ID = append(t.ID, u.ID...)
	t.CustomerID = append(t.CustomerID, u.CustomerID...)
	t.At = append(t.At, u.At...)
	t.Amount = append(t.Amount, u.Amount...)
	t.Cost = append(t.Cost, u.Cost...)
	t.Shipping = append(t.Shipping, u.Shipping...)
	t.Discount = append(t.Discount, u.Discount...)
	t.Returned = append(t.Returned, u.Returned...)
	code := make([]uint32, len(u.Facets))
	for i := range code {
		code[i] = ^uint32(0)
	}
	t.Facet = slices.Grow(t.Facet, len(u.Facet))
	for _, c := range u.Facet {
		if code[c] == ^uint32(0) {
			code[c] = t.FacetCode(u.Facets[c])
		}
		t.Facet = append(t.Facet, code[c])
	}
	t.ext.appendTexts(&u.ext)
}

// Time returns order i's time, in Loc.
func (t *OrderTable) Time(i int) time.Time {
	if t.Loc == nil {
		return time.UnixMilli(t.At[i]).UTC()
	}
	return time.UnixMilli(t.At[i]).In(t.Loc)
}

// ExternalID returns order i's external id.
func (t *OrderTable) ExternalID(i int) string { return t.ext.At(i) }

// Channel returns order i's channel.
func (t *OrderTable) Channel(i int) string { return t.Facets[t.Facet[i]].Channel }

// Status returns order i's status.
func (t *OrderTable) Status(i int) string { return t.Facets[t.Facet[i]].Status }

// Province returns order i's shipping province.
func (t *OrderTable) Province(i int) string { return t.Facets[t.Facet[i]].Province }

// City returns order i's shipping city.
func (t *OrderTable) City(i int) string { return t.Facets[t.Facet[i]].City }

// IsPurchase reports whether order i counts as a purchase: not a return, not cancelled, and
// with an amount of 0 or more (as Order.IsPurchase). A $0 order (a free item, a full voucher)
// is a purchase: it counts for how often and when a customer buys. Averages of money count
// only the purchases IsPaid accepts.
func (t *OrderTable) IsPurchase(i int) bool { return isPurchase(t.Amount[i], t.Status(i)) }

// IsPaid reports whether order i is a purchase with a positive amount: the purchases that
// averages of money (average order value, mean spend) divide by.
func (t *OrderTable) IsPaid(i int) bool { return t.Amount[i] > 0 && t.IsPurchase(i) }

func isPurchase(amount float64, status string) bool {
	return amount >= 0 && status != StatusReturn && status != StatusCancelled
}

// LineRange returns where order i's lines are in Lines: rows lo to hi.
func (t *OrderTable) LineRange(i int) (lo, hi int) {
	if t.LineStart == nil {
		return 0, 0
	}
	return int(t.LineStart[i]), int(t.LineStart[i+1])
}

// ItemOf returns what line j sells.
func (l *LineTable) ItemOf(j int) *Item { return &l.Items[l.Item[j]] }

// Order returns order i as the API sees it, with its lines (CustomerID set, Customer not).
func (t *OrderTable) Order(i int) Order {
	f := t.Facets[t.Facet[i]]
	o := Order{ID: t.ID[i], ExternalID: t.ExternalID(i), CustomerID: t.CustomerID[i], OrderedAt: t.Time(i),
		Amount: t.Amount[i], Cost: t.Cost[i], Shipping: t.Shipping[i], Discount: t.Discount[i], Returned: t.Returned[i],
		Channel: f.Channel, Status: f.Status, Province: f.Province, City: f.City}
	lo, hi := t.LineRange(i)
	for j := lo; j < hi; j++ {
		it := t.Lines.ItemOf(j)
		o.Items = append(o.Items, OrderItem{ProductID: it.ProductID, SKU: it.SKU, Name: it.Name, Category: it.Category,
			Quantity: t.Lines.Quantity[j], UnitPrice: t.Lines.UnitPrice[j], UnitCost: t.Lines.UnitCost[j]})
	}
	return o
}

// Slice returns orders lo to hi as a table that shares t's columns and dictionaries. Do not
// append to it.
func (t *OrderTable) Slice(lo, hi int) OrderTable {
	s := OrderTable{ID: t.ID[lo:hi:hi], CustomerID: t.CustomerID[lo:hi:hi], At: t.At[lo:hi:hi],
		Amount: t.Amount[lo:hi:hi], Cost: t.Cost[lo:hi:hi], Shipping: t.Shipping[lo:hi:hi],
		Discount: t.Discount[lo:hi:hi], Returned: t.Returned[lo:hi:hi], Facet: t.Facet[lo:hi:hi],
		Facets: slices.Clip(t.Facets), Lines: t.Lines, Loc: t.Loc, ext: t.ext.Slice(lo, hi)}
	if t.LineStart != nil {
		s.LineStart = t.LineStart[lo : hi+1 : hi+1]
	}
	return s
}

// Runs calls fn once per customer that has orders, in customer order, with where that
// customer's orders are: rows lo to hi (in time order). It relies on the Dataset's sort.
func (t *OrderTable) Runs(fn func(customerID int64, lo, hi int)) {
	c := t.CustomerID
	for i := 0; i < len(c); {
		j := i + 1
		for j < len(c) && c[j] == c[i] {
			j++
		}
		fn(c[i], i, j)
		i = j
	}
}

// CustomerOrders returns where customer id's orders are: rows lo to hi (empty when it has
// none). It relies on the Dataset's sort.
func (t *OrderTable) CustomerOrders(id int64) (lo, hi int) {
	lo, _ = slices.BinarySearch(t.CustomerID, id)
	hi = lo
	for hi < len(t.CustomerID) && t.CustomerID[hi] == id {
		hi++
	}
	return lo, hi
}

// cmp is the order of a Dataset's orders: by customer, then time, then ID.
func (t *OrderTable) cmp(a, b int) int {
	if c := cmp.Compare(t.CustomerID[a], t.CustomerID[b]); c != 0 {
		return c
	}
	if c := cmp.Compare(t.At[a], t.At[b]); c != 0 {
		return c
	}
	return cmp.Compare(t.ID[a], t.ID[b])
}

// sorted puts the orders in the Dataset's order (stable). It returns t itself when the orders
// are in order already, else a new table (sort leaves t's arrays as they were).
func (t *OrderTable) sorted() OrderTable {
	u := *t
	u.sort()
	return u
}

// sort puts the orders in the Dataset's order (stable) in t: column by
// column, each replaced by its sorted copy in turn, so that a load's table is held twice one
// column at a time rather than whole (at 100k demo customers, 250 MB less at the load's
// peak). The arrays t had are not written, so a table that shares them keeps its order.
func (t *OrderTable) sort() {
	n := t.Len()
	inOrder := true
	for i := 1; i < n && inOrder; i++ {
		inOrder = t.cmp(i-1, i) <= 0
	}
	if inOrder {
		return
	}
	perm := orderPerm(t)
	t.ID, t.CustomerID, t.At = pick(t.ID, perm), pick(t.CustomerID, perm), pick(t.At, perm)
	t.Amount, t.Cost, t.Shipping = pick(t.Amount, perm), pick(t.Cost, perm), pick(t.Shipping, perm)
	t.Discount, t.Returned, t.Facet = pick(t.Discount, perm), pick(t.Returned, perm), pick(t.Facet, perm)
	t.Facets, t.facetCode, t.itemCode = slices.Clip(t.Facets), nil, nil
	t.ext = t.ext.gather(perm)
	if t.LineStart == nil {
		return
	}
	start := make([]int32, 1, n+1)
	for _, p := range perm {
		start = append(start, start[len(start)-1]+t.LineStart[p+1]-t.LineStart[p])
	}
	l := &t.Lines
	l.Item = pickRuns(l.Item, t.LineStart, perm)
	l.Quantity = pickRuns(l.Quantity, t.LineStart, perm)
	l.UnitPrice = pickRuns(l.UnitPrice, t.LineStart, perm)
	l.UnitCost = pickRuns(l.UnitCost, t.LineStart, perm)
	l.Items = slices.Clip(l.Items)
	t.LineStart = start
}

// pickRuns returns the runs s[start[p]:start[p+1]] for the positions p in perm, one after
// the other.
func pickRuns[T any](s []T, start, perm []int32) []T {
	out := make([]T, 0, len(s))
	for _, p := range perm {
		out = append(out, s[start[p]:start[p+1]]...)
	}
	return out
}

// orderPerm returns the positions of t's orders in sorted order. Customer IDs are small
// dense numbers, so it counts orders per customer to place each customer's run, then sorts
// each run (a handful of orders) by time: linear, where a comparison sort of a million orders
// takes a fifth of a second.
func orderPerm(t *OrderTable) []int32 {
	n := t.Len()
	maxID, dense := int64(0), true
	for _, id := range t.CustomerID {
		maxID = max(maxID, id)
		dense = dense && id >= 0
	}
	perm := make([]int32, n)
	if !dense || maxID > int64(4*n+1024) { // ids too spread out (or negative) to count by
		for i := range perm {
			perm[i] = int32(i)
		}
		slices.SortStableFunc(perm, func(a, b int32) int { return t.cmp(int(a), int(b)) })
		return perm
	}
	start := make([]int32, maxID+2) // start[id] is where customer id's run begins
	for _, id := range t.CustomerID {
		start[id+1]++
	}
	for id := 1; id < len(start); id++ {
		start[id] += start[id-1]
	}
	next := slices.Clone(start)
	for i, id := range t.CustomerID {
		perm[next[id]] = int32(i)
		next[id]++
	}
	for id := 0; id+1 < len(start); id++ {
		if run := perm[start[id]:start[id+1]]; len(run) > 1 {
			slices.SortStableFunc(run, func(a, b int32) int { return t.cmp(int(a), int(b)) })
		}
	}
	return perm
}

// gather returns a new table of t's orders at the positions in perm, in that order, sharing
// t's dictionaries.
func (t *OrderTable) gather(perm []int32) OrderTable {
	n := len(perm)
	u := OrderTable{Facets: slices.Clip(t.Facets), Loc: t.Loc}
	u.ID, u.CustomerID, u.At = pick(t.ID, perm), pick(t.CustomerID, perm), pick(t.At, perm)
	u.Amount, u.Cost, u.Shipping = pick(t.Amount, perm), pick(t.Cost, perm), pick(t.Shipping, perm)
	u.Discount, u.Returned, u.Facet = pick(t.Discount, perm), pick(t.Returned, perm), pick(t.Facet, perm)
	u.ext = t.ext.gather(perm)
	if t.LineStart != nil {
		m := len(t.Lines.Item)
		u.Lines.Items = slices.Clip(t.Lines.Items)
		u.Lines.Item, u.Lines.Quantity = make([]uint32, 0, m), make([]float64, 0, m)
		u.Lines.UnitPrice, u.Lines.UnitCost = make([]float64, 0, m), make([]float64, 0, m)
		u.LineStart = make([]int32, 1, n+1)
		for _, p := range perm {
			lo, hi := t.LineStart[p], t.LineStart[p+1]
			u.Lines.Item = append(u.Lines.Item, t.Lines.Item[lo:hi]...)
			u.Lines.Quantity = append(u.Lines.Quantity, t.Lines.Quantity[lo:hi]...)
			u.Lines.UnitPrice = append(u.Lines.UnitPrice, t.Lines.UnitPrice[lo:hi]...)
			u.Lines.UnitCost = append(u.Lines.UnitCost, t.Lines.UnitCost[lo:hi]...)
			u.LineStart = append(u.LineStart, int32(len(u.Lines.Item)))
		}
	}
	return u
}

func pick[T any](s []T, perm []int32) []T {
	out := make([]T, len(perm))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}

// Filter returns the orders for which keep is true, in order, as a new table sharing t's
// dictionaries.
func (t *OrderTable) Filter(keep func(i int) bool) OrderTable {
	perm := make([]int32, 0, t.Len())
	for i := range t.Len() {
		if keep(i) {
			perm = append(perm, int32(i))
		}
	}
	return t.gather(perm)
}

// All returns every order as the API sees it (Order). It allocates them all: for tests and
// small tables.
func (t *OrderTable) All() []Order {
	out := make([]Order, t.Len())
	for i := range out {
		out[i] = t.Order(i)
	}
	return out
}

// Texts is a column of texts packed into one array: text i is buf[start[i]:start[i+1]]. It holds
// a million external ids in two allocations, where a []string holds a pointer per text for
// the collector to walk.
type Texts struct {
	buf   []byte
	start []int // len Len()+1 once a text is in
}

// Len returns the number of texts.
func (x *Texts) Len() int { return max(len(x.start)-1, 0) }

// Grow makes room for n more texts.
func (x *Texts) Grow(n int) { x.start = slices.Grow(x.start, n+1) }

// Append adds a text.
func (x *Texts) Append(s string) {
	if len(x.start) == 0 {
		x.start = append(x.start, 0)
	}
	x.buf = append(x.buf, s...)
	x.start = append(x.start, len(x.buf))
}

// appendTexts adds the texts of u.
func (x *Texts) appendTexts(u *Texts) {
	if u.Len() == 0 {
		return
	}
	if len(x.start) == 0 {
		x.start = append(x.start, 0)
	}
	lo, hi := u.start[0], u.start[len(u.start)-1]
	shift := len(x.buf) - lo
	x.buf = append(x.buf, u.buf[lo:hi]...)
	x.start = slices.Grow(x.start, u.Len())
	for _, s := range u.start[1:] {
		x.start = append(x.start, s+shift)
	}
}

// At returns text i.
func (x *Texts) At(i int) string { return string(x.buf[x.start[i]:x.start[i+1]]) }

// Slice returns texts lo to hi, sharing x's array.
func (x *Texts) Slice(lo, hi int) Texts {
	if len(x.start) == 0 {
		return Texts{}
	}
	return Texts{buf: x.buf, start: x.start[lo : hi+1 : hi+1]}
}

func (x *Texts) gather(perm []int32) Texts {
	if len(x.start) == 0 {
		return Texts{}
	}
	u := Texts{buf: make([]byte, 0, len(x.buf)), start: make([]int, 1, len(perm)+1)}
	for _, p := range perm {
		u.buf = append(u.buf, x.buf[x.start[p]:x.start[p+1]]...)
		u.start = append(u.start, len(u.buf))
	}
	return u
}

// CustomerKeys are customers' ids and external ids, sorted by id: what names a customer in
// results as the business knows it, loaded even when the customers themselves are not.
type CustomerKeys struct {
	ID         []int64
	ExternalID Texts
}

// Append adds a customer; ids must come in increasing order.
func (k *CustomerKeys) Append(id int64, externalID string) {
	k.ID = append(k.ID, id)
	k.ExternalID.Append(externalID)
}

// Of returns the external id of customer id, and whether the customer is known.
func (k *CustomerKeys) Of(id int64) (string, bool) {
	if i := id - 1; i >= 0 && i < int64(len(k.ID)) && k.ID[i] == id { // ids 1 to n, as files give them
		return k.ExternalID.At(int(i)), true
	}
	i, ok := slices.BinarySearch(k.ID, id)
	if !ok {
		return "", false
	}
	return k.ExternalID.At(i), true
}

// KeysOf returns the keys of customers sorted by id.
func KeysOf(customers []Customer) CustomerKeys {
	var k CustomerKeys
	k.ID = make([]int64, 0, len(customers))
	k.ExternalID.Grow(len(customers))
	for i := range customers {
		k.Append(customers[i].ID, customers[i].ExternalID)
	}
	return k
}

// core returns a copy of t with only what PartOrders loads: ids, customers, times, amounts,
// statuses and lines; the other columns hold zeros and empty texts.
func (t *OrderTable) core() OrderTable {
	u := OrderTable{ID: t.ID, CustomerID: t.CustomerID, At: t.At, Amount: t.Amount, Loc: t.Loc,
		LineStart: t.LineStart, Lines: t.Lines}
	n := t.Len()
	u.Cost, u.Shipping, u.Discount, u.Returned = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	u.Facet = make([]uint32, n)
	for i := range n {
		u.Facet[i] = u.FacetCode(Facets{Status: t.Status(i)})
	}
	for range n {
		u.ext.Append("")
	}
	return u
}
