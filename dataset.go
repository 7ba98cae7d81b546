package kexi

import (
	"cmp"
	"slices"
	"time"
)

// Dataset is everything the analyses read, as plain slices held in memory. Stores build it
// with LoadDataset; the CLI can also build it straight from CSV files.
//
// Orders are OrderRows, a smaller form of Order for analyses (a million orders and their lines
// are most of a Dataset's memory).
//
// A Dataset is read-only once loaded: analyses run on it side by side, and its records share
// what repeats (orders share Facets, lines share Items; stores may give records with the same
// custom fields one map).
//
// Invariants (Normalize establishes them): Customers are sorted by ID; Orders are sorted by
// (CustomerID, OrderedAt, ID), and orders' Items are sub-slices, with no spare capacity, of
// shared arrays of a few thousand lines each rather than an allocation each, every order with
// Facets and every line with an Item; every other slice is sorted by its time field, then ID.
type Dataset struct {
	Customers    []Customer
	Orders       []OrderRow
	Products     []Product
	Interactions []Interaction
	Events       []WebEvent
	Surveys      []SurveyResponse
	Leads        []Lead
	Campaigns    []Campaign
	Responses    []CampaignResponse
	Competitors  []Competitor
	SWOT         []SWOTItem
	CustomFields []CustomField
}

// Normalize sorts every slice into the order the Dataset documents, and gives orders without
// Facets and lines without an Item the empty ones. Loaders call it once; slices already in
// order cost one pass to check.
func (d *Dataset) Normalize() {
	sortIf(d.Customers, func(a, b *Customer) int { return cmp.Compare(a.ID, b.ID) })
	sortOrders(d.Orders)
	for i := range d.Orders {
		o := &d.Orders[i]
		if o.Facets == nil {
			o.Facets = noFacets
		}
		for j := range o.Items {
			if it := &o.Items[j]; it.Item == nil {
				it.Item = noItem
			}
		}
	}
	sortIf(d.Products, func(a, b *Product) int { return cmp.Compare(a.ID, b.ID) })
	sortIf(d.Interactions, func(a, b *Interaction) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Events, func(a, b *WebEvent) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Surveys, func(a, b *SurveyResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Leads, func(a, b *Lead) int { return timeID(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	sortIf(d.Campaigns, func(a, b *Campaign) int { return timeID(a.Start, a.ID, b.Start, b.ID) })
	sortIf(d.Responses, func(a, b *CampaignResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
}

// orderCmp is the order of Orders: by customer, then time, then ID.
func orderCmp(a, b *OrderRow) int {
	if c := cmp.Compare(a.CustomerID, b.CustomerID); c != 0 {
		return c
	}
	return timeID(a.OrderedAt, a.ID, b.OrderedAt, b.ID)
}

// sortOrders stable-sorts orders by orderCmp. Customer IDs are small dense numbers, so it
// counts orders per customer to place each customer's run, then sorts each run (a handful of
// orders) by time: linear, where a comparison sort of a million orders takes a fifth of a
// second.
func sortOrders(s []OrderRow) {
	maxID := int64(0)
	sorted, dense := true, true
	for i := range s {
		id := s[i].CustomerID
		maxID = max(maxID, id)
		dense = dense && id >= 0
		if i > 0 && sorted && orderCmp(&s[i-1], &s[i]) > 0 {
			sorted = false
		}
	}
	if sorted {
		return
	}
	if !dense || maxID > int64(4*len(s)+1024) {
		sortIf(s, orderCmp) // ids too spread out (or negative) to count by
		return
	}
	start := make([]int32, maxID+2) // start[id] is where customer id's run begins
	for i := range s {
		start[s[i].CustomerID+1]++
	}
	for id := 1; id < len(start); id++ {
		start[id] += start[id-1]
	}
	perm := make([]int32, len(s))
	next := slices.Clone(start)
	for i := range s {
		id := s[i].CustomerID
		perm[next[id]] = int32(i)
		next[id]++
	}
	for id := 0; id+1 < len(start); id++ {
		if run := perm[start[id]:start[id+1]]; len(run) > 1 {
			sortPositions(s, run, orderCmp)
		}
	}
	permute(s, perm)
}

// sortIf stable-sorts s by cmp unless it is already sorted. It sorts positions rather than the
// records, then moves each record once: records are large (a Customer is 408 bytes), and a
// stable sort of the records themselves would move each one log n times.
func sortIf[T any](s []T, cmp func(a, b *T) int) {
	sorted := true
	for i := 1; i < len(s); i++ {
		if cmp(&s[i-1], &s[i]) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	perm := make([]int32, len(s))
	for i := range perm {
		perm[i] = int32(i)
	}
	sortPositions(s, perm, cmp)
	permute(s, perm)
}

// sortPositions sorts positions into s by cmp of the records there; ties keep their order, the
// position being the last key.
func sortPositions[T any](s []T, perm []int32, cmp func(a, b *T) int) {
	slices.SortFunc(perm, func(a, b int32) int {
		if c := cmp(&s[a], &s[b]); c != 0 {
			return c
		}
		return int(a) - int(b)
	})
}

// permute rearranges s so that the new s[i] is the old s[perm[i]], following each cycle of the
// permutation once; perm is used up (every entry is set to -1).
func permute[T any](s []T, perm []int32) {
	for i := range perm {
		if perm[i] < 0 {
			continue
		}
		tmp := s[i]
		j := i
		for {
			k := int(perm[j])
			perm[j] = -1
			if k == i {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}

func timeID(a time.Time, aid int64, b time.Time, bid int64) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return cmp.Compare(aid, bid)
}

// CustomerIndex maps customer IDs to their position in Customers.
func (d *Dataset) CustomerIndex() map[int64]int {
	m := make(map[int64]int, len(d.Customers))
	for i := range d.Customers {
		m[d.Customers[i].ID] = i
	}
	return m
}

// OrderRuns calls fn once per customer that has orders, with that customer's orders (in time
// order). It relies on the Dataset's sort invariant.
func (d *Dataset) OrderRuns(fn func(customerID int64, orders []OrderRow)) {
	o := d.Orders
	for i := 0; i < len(o); {
		j := i + 1
		for j < len(o) && o[j].CustomerID == o[i].CustomerID {
			j++
		}
		fn(o[i].CustomerID, o[i:j])
		i = j
	}
}

// LastOrderAt returns the time of the latest order, or the zero time when there are none.
// Analyses use it as the default as-of date.
func (d *Dataset) LastOrderAt() time.Time {
	var t time.Time
	for i := range d.Orders {
		if d.Orders[i].OrderedAt.After(t) {
			t = d.Orders[i].OrderedAt
		}
	}
	return t
}

// Scope limits what a LoadDataset or Find call sees. The zero Scope sees everything.
type Scope struct {
	// Owner, when set, restricts customers (and everything hanging off them) to those owned by
	// this login; leads to those it owns.
	Owner string
	// Region, when set, restricts customers (and everything hanging off them) to this
	// province; leads to those converted to such a customer or, unconverted, of this province.
	Region string
}

// Restricted reports whether the scope limits anything.
func (s Scope) Restricted() bool { return s.Owner != "" || s.Region != "" }
