package kexi

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// Changes says what changed in the data after one version, up to a later one: which
// customers' records changed, which parts changed beyond them, or that everything may have.
// A server holding a Dataset at version Since refreshes it with Splice instead of loading it
// again (see Changer).
type Changes struct {
	Since   int64 // the version the changes follow
	Version int64 // the version they reach: the data version when they were read
	// Everything is true when the changes cannot be told customer by customer: an import, or
	// a version older than the store's change log reaches.
	Everything bool
	// Customers are the customers whose records changed (the customer itself, or its orders
	// with their lines, interactions, events, surveys, campaign responses), sorted and
	// unique; 0 stands for the records without a customer (anonymous orders and events).
	Customers []int64
	// CustomerParts are the parts of those customers' records that changed: a customer's own
	// record changes them all (its scope and external id reach every record of it).
	CustomerParts Parts
	// Parts are the parts that changed beyond those customers' records, to be read whole:
	// products, leads, campaigns, competitors and SWOT, and campaign responses when a
	// campaign changed.
	Parts Parts
}

// None reports whether nothing the Dataset holds changed (a settings change, say).
func (c *Changes) None() bool { return !c.Everything && len(c.Customers) == 0 && c.Parts == 0 }

// Changer tells what changed between data versions and loads the records that did, so that a
// cache refreshes a Dataset in place.
type Changer interface {
	// Changes returns what changed after version since, up to the current version
	// (Changes.Version); Everything when the store's change log does not reach back to since.
	Changes(ctx context.Context, since int64) (Changes, error)
	// LoadChanged loads, within scope, the parts p of the customers ch names (with their keys
	// and, when p has no orders, LastOrder of the whole scope), the parts in ch.Parts whole,
	// and the custom field definitions, at version ch.Version. It returns ECONFLICT when the
	// data moved past ch.Version meanwhile: ask Changes again.
	LoadChanged(ctx context.Context, scope Scope, p Parts, ch Changes) (*Dataset, error)
}

// Splice returns the Dataset of parts p at version ch.Version, built from d (the Dataset of p at
// ch.Since) and fresh, what LoadChanged read for ch: the records of the customers ch names are
// replaced by theirs in fresh, and the parts in ch.Parts by fresh's. It equals what
// LoadDataset reads at ch.Version. d is not changed (analyses may be reading it); fresh is
// used up.
//
// It costs a pass over d's records and no sort of them: fresh's few records are sorted and
// merged in.
func (d *Dataset) Splice(p Parts, ch Changes, fresh *Dataset) *Dataset {
	touched := func(id int64) bool { _, ok := slices.BinarySearch(ch.Customers, id); return ok }
	whole := func(q Parts) bool { return ch.Parts&q != 0 }
	changed := func(q Parts) bool { return len(ch.Customers) > 0 && ch.CustomerParts&q != 0 } // some customer's q
	e := &Dataset{CustomFields: fresh.CustomFields, LastOrder: d.LastOrder, Customers: d.Customers, Keys: d.Keys,
		Orders: d.Orders, Interactions: d.Interactions, Events: d.Events, Surveys: d.Surveys, Responses: d.Responses}
	if !p.Has(PartOrders) && changed(PartOrders) {
		e.LastOrder = fresh.LastOrder
	}
	if changed(PartCustomers) {
		byID := func(a, b *Customer) int { return cmp.Compare(a.ID, b.ID) }
		e.Customers = spliceRecs(d.Customers, fresh.Customers, false, func(x *Customer) bool { return touched(x.ID) }, byID)
		e.Keys = CustomerKeys{}
		if !p.Has(PartCustomers) {
			e.Keys = spliceKeys(&d.Keys, &fresh.Keys, touched)
		} // else Normalize names the customers in Keys
	}

	// Parts not tied to a customer: kept, or read whole.
	pick := func(q Parts) *Dataset {
		if whole(q) {
			return fresh
		}
		return d
	}
	e.Products = pick(PartProducts).Products
	e.Leads = pick(PartLeads).Leads
	e.Campaigns = pick(PartCampaigns).Campaigns
	e.Competitors, e.SWOT = pick(PartCompetitors).Competitors, pick(PartCompetitors).SWOT

	// The records read name their customer and campaign by external id as LoadDataset names
	// them: from the Dataset's own customers and campaigns.
	e.link(fresh)

	switch {
	case !p.Has(PartOrders):
	case whole(PartOrders):
		e.Orders = fresh.Orders // Normalize sorts them, as a load's
	case changed(PartOrders):
		e.Orders = spliceOrders(&d.Orders, &fresh.Orders, ch.Customers)
		e.Orders.canonical()
	}
	// Records of one customer: replaced for the customers named, or whole; the parts nobody's
	// records changed in are shared.
	custOf := func(id int64, q Parts) bool { return whole(q) || touched(id) }
	if changed(PartInteractions) || whole(PartInteractions) {
		e.Interactions = spliceRecs(d.Interactions, fresh.Interactions, whole(PartInteractions),
			func(x *Interaction) bool { return custOf(x.CustomerID, PartInteractions) },
			func(a, b *Interaction) int { return timeID(a.At, a.ID, b.At, b.ID) })
	}
	if changed(PartEvents) || whole(PartEvents) {
		e.Events = spliceRecs(d.Events, fresh.Events, whole(PartEvents),
			func(x *WebEvent) bool { return custOf(x.CustomerID, PartEvents) },
			func(a, b *WebEvent) int { return timeID(a.At, a.ID, b.At, b.ID) })
	}
	if changed(PartSurveys) || whole(PartSurveys) {
		e.Surveys = spliceRecs(d.Surveys, fresh.Surveys, whole(PartSurveys),
			func(x *SurveyResponse) bool { return custOf(x.CustomerID, PartSurveys) },
			func(a, b *SurveyResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
	}
	if changed(PartResponses) || whole(PartResponses) {
		e.Responses = spliceRecs(d.Responses, fresh.Responses, whole(PartResponses),
			func(x *CampaignResponse) bool { return custOf(x.CustomerID, PartResponses) },
			func(a, b *CampaignResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
	}
	e.Normalize() // sorts what was read whole; the rest is in order
	return e
}

// spliceRecs returns old without the records drop names (none left when whole) merged, in the
// order cmp gives, with the fresh ones; nil when there are none, as a load gives. old is in
// that order; fresh is sorted here.
func spliceRecs[T any](old, fresh []T, whole bool, drop func(x *T) bool, cmp func(a, b *T) int) []T {
	if whole {
		if len(fresh) == 0 {
			return nil
		}
		return fresh // Normalize sorts it, as a load's
	}
	dropped := false
	for i := range old {
		if drop(&old[i]) {
			dropped = true
			break
		}
	}
	if !dropped && len(fresh) == 0 {
		return old
	}
	sortIf(fresh, cmp)
	out := make([]T, 0, len(old)+len(fresh))
	j := 0
	for i := range old {
		if drop(&old[i]) {
			continue
		}
		for j < len(fresh) && cmp(&fresh[j], &old[i]) < 0 {
			out = append(out, fresh[j])
			j++
		}
		out = append(out, old[i])
	}
	out = append(out, fresh[j:]...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// spliceKeys returns the keys of old without the customers touched, and fresh's, in id order.
func spliceKeys(old, fresh *CustomerKeys, touched func(int64) bool) CustomerKeys {
	var k CustomerKeys
	i, j := 0, 0
	for i < len(old.ID) || j < len(fresh.ID) {
		switch {
		case i < len(old.ID) && touched(old.ID[i]):
			i++
		case j == len(fresh.ID) || i < len(old.ID) && old.ID[i] < fresh.ID[j]:
			k.Append(old.ID[i], old.ExternalID.At(i))
			i++
		default:
			k.Append(fresh.ID[j], fresh.ExternalID.At(j))
			j++
		}
	}
	return k
}

// link fills, in fresh's records, the external ids of the customers and campaigns they name,
// from d's customers (sorted by ID) and campaigns.
func (d *Dataset) link(fresh *Dataset) {
	d.NameCustomers(fresh)
	camp := make(map[int64]string, len(d.Campaigns))
	for i := range d.Campaigns {
		camp[d.Campaigns[i].ID] = d.Campaigns[i].ExternalID
	}
	for i := range fresh.Responses {
		r := &fresh.Responses[i]
		r.Campaign = camp[r.CampaignID]
	}
}

// NameCustomers fills, in fresh's interactions, events, surveys and campaign responses, the
// external id of the customer each names, from d's customers (sorted by ID): what a load with
// the customers gives them, for records read without (a splice, a part added later).
func (d *Dataset) NameCustomers(fresh *Dataset) {
	cust := func(id int64) string {
		i, ok := slices.BinarySearchFunc(d.Customers, id, func(c Customer, id int64) int { return cmp.Compare(c.ID, id) })
		if !ok {
			return ""
		}
		return d.Customers[i].ExternalID
	}
	for i := range fresh.Interactions {
		fresh.Interactions[i].Customer = cust(fresh.Interactions[i].CustomerID)
	}
	for i := range fresh.Events {
		fresh.Events[i].Customer = cust(fresh.Events[i].CustomerID)
	}
	for i := range fresh.Surveys {
		fresh.Surveys[i].Customer = cust(fresh.Surveys[i].CustomerID)
	}
	for i := range fresh.Responses {
		fresh.Responses[i].Customer = cust(fresh.Responses[i].CustomerID)
	}
}

// canonical numbers t's dictionaries as a load does, by first use in order-ID order (items: in
// order-ID and line order), without the entries no order uses any more, and drops the maps
// that appending keeps. The code columns are t's own; the dictionaries may be shared, so
// they are built anew.
func (t *OrderTable) canonical() {
	first := make([]int64, len(t.Facets)) // the first order using each facet
	for i := range first {
		first[i] = math.MaxInt64
	}
	for i, c := range t.Facet {
		first[c] = min(first[c], t.ID[i])
	}
	t.Facets = recode(t.Facet, t.Facets, func(a, b int) int { return cmp.Compare(first[a], first[b]) },
		func(c int) bool { return first[c] < math.MaxInt64 })
	if len(t.Lines.Item) == 0 {
		t.LineStart, t.Lines = nil, LineTable{}
	} else {
		type use struct{ order, line int64 }
		firstL := make([]use, len(t.Lines.Items))
		for i := range firstL {
			firstL[i] = use{math.MaxInt64, 0}
		}
		for i := range t.Len() {
			lo, hi := t.LineRange(i)
			for j := lo; j < hi; j++ {
				u, f := use{t.ID[i], int64(j - lo)}, &firstL[t.Lines.Item[j]]
				if u.order < f.order || u.order == f.order && u.line < f.line {
					*f = u
				}
			}
		}
		t.Lines.Items = recode(t.Lines.Item, t.Lines.Items, func(a, b int) int {
			return cmp.Or(cmp.Compare(firstL[a].order, firstL[b].order), cmp.Compare(firstL[a].line, firstL[b].line))
		}, func(c int) bool { return firstL[c].order < math.MaxInt64 })
	}
	t.built()
}

// built drops what only appending needs (the dictionaries' maps), and holds an empty column of
// external ids as nil however it was made: a built table, from a load or from Splice, is then
// the same value for the same orders.
func (t *OrderTable) built() {
	t.facetCode, t.itemCode = nil, nil
	if len(t.ext.buf) == 0 {
		t.ext.buf = nil
	}
}

// recode renumbers the codes into dict in the order less gives the entries used, rewriting
// codes in place, and returns the new dictionary of the entries used.
func recode[T any](codes []uint32, dict []T, order func(a, b int) int, used func(c int) bool) []T {
	var keep []int
	for c := range dict {
		if used(c) {
			keep = append(keep, c)
		}
	}
	slices.SortFunc(keep, order)
	next := make([]uint32, len(dict))
	var out []T
	if len(keep) > 0 {
		out = make([]T, len(keep))
	}
	for n, c := range keep {
		next[c] = uint32(n)
		out[n] = dict[c]
	}
	for i, c := range codes {
		codes[i] = next[c]
	}
	return out
}

// spliceOrders returns old's orders without those of the customers touched, with fresh's in
// their place, in the Dataset's order: one pass that copies the runs of the customers kept and
// appends the fresh ones between them, where a filter, an append and a sort would copy every
// order twice. Its dictionaries start as old's (old's codes stay valid); canonical numbers
// them as a load does.
func spliceOrders(old, fresh *OrderTable, customers []int64) OrderTable {
	f := fresh.sorted()
	out := OrderTable{Loc: old.Loc, Facets: slices.Clone(old.Facets)}
	out.Lines.Items = slices.Clone(old.Lines.Items)
	out.Grow(old.Len() + f.Len())
	if old.LineStart != nil || f.LineStart != nil {
		out.LineStart = make([]int32, 1, old.Len()+f.Len()+1)
	}
	prev, j := 0, 0
	for _, c := range customers {
		lo, hi := old.CustomerOrders(c)
		out.appendRange(old, prev, lo)
		for ; j < f.Len() && f.CustomerID[j] == c; j++ {
			out.appendOrder(&f, j)
		}
		prev = max(prev, hi)
	}
	out.appendRange(old, prev, old.Len())
	for ; j < f.Len(); j++ { // none: fresh holds the touched customers' orders only
		out.appendOrder(&f, j)
	}
	return out
}

// appendRange appends orders lo to hi of u, with their lines; u's dictionaries are a prefix of
// t's.
func (t *OrderTable) appendRange(u *OrderTable, lo, hi int) {
	if lo >= hi {
		return
	}
	t.ID = append(t.ID, u.ID[lo:hi]...)
	t.CustomerID = append(t.CustomerID, u.CustomerID[lo:hi]...)
	t.At = append(t.At, u.At[lo:hi]...)
	t.Amount = append(t.Amount, u.Amount[lo:hi]...)
	t.Cost = append(t.Cost, u.Cost[lo:hi]...)
	t.Shipping = append(t.Shipping, u.Shipping[lo:hi]...)
	t.Discount = append(t.Discount, u.Discount[lo:hi]...)
	t.Returned = append(t.Returned, u.Returned[lo:hi]...)
	t.Facet = append(t.Facet, u.Facet[lo:hi]...)
	if len(t.ext.start) == 0 {
		t.ext.start = append(t.ext.start, 0)
	}
	base := len(t.ext.buf) - u.ext.start[lo]
	t.ext.buf = append(t.ext.buf, u.ext.buf[u.ext.start[lo]:u.ext.start[hi]]...)
	for _, s := range u.ext.start[lo+1 : hi+1] {
		t.ext.start = append(t.ext.start, s+base)
	}
	if t.LineStart == nil {
		return
	}
	if u.LineStart == nil {
		for range hi - lo {
			t.LineStart = append(t.LineStart, int32(len(t.Lines.Item)))
		}
		return
	}
	l, m := u.LineStart[lo], u.LineStart[hi]
	shift := int32(len(t.Lines.Item)) - l
	t.Lines.Item = append(t.Lines.Item, u.Lines.Item[l:m]...)
	t.Lines.Quantity = append(t.Lines.Quantity, u.Lines.Quantity[l:m]...)
	t.Lines.UnitPrice = append(t.Lines.UnitPrice, u.Lines.UnitPrice[l:m]...)
	t.Lines.UnitCost = append(t.Lines.UnitCost, u.Lines.UnitCost[l:m]...)
	for _, s := range u.LineStart[lo+1 : hi+1] {
		t.LineStart = append(t.LineStart, s+shift)
	}
}

// appendOrder appends order i of u, with its lines, coding its texts in t's dictionaries.
func (t *OrderTable) appendOrder(u *OrderTable, i int) {
	t.AppendRow(u.ID[i], u.ExternalID(i), u.CustomerID[i], u.At[i], u.Amount[i], u.Cost[i], u.Shipping[i],
		u.Discount[i], u.Returned[i], u.Facets[u.Facet[i]])
	lo, hi := u.LineRange(i)
	for k := lo; k < hi; k++ {
		t.AppendLine(u.Lines.Items[u.Lines.Item[k]], u.Lines.Quantity[k], u.Lines.UnitPrice[k], u.Lines.UnitCost[k])
	}
}
