package kexi

import (
	"cmp"
	"slices"
	"time"
)

// Dataset is everything the analyses read, held in memory: the analysis table. Stores build it
// with LoadDataset; the CLI can also build it straight from CSV files.
//
// Orders, most of a Dataset's memory, are column-oriented (OrderTable); the other records are
// few enough per customer to be kept as the API sees them.
//
// A Dataset is read-only once loaded: analyses run on it side by side.
//
// Invariants (Normalize establishes them): Customers are sorted by ID; Orders are sorted by
// (CustomerID, At, ID); every other slice is sorted by its time field, then ID.
type Dataset struct {
	Customers    []Customer
	Orders       OrderTable
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
	// Keys names every customer in scope, also when Customers is not loaded; Normalize fills
	// it from Customers when it is empty.
	Keys CustomerKeys
	// LastOrder is set by a load that left the orders out (Parts): the time of the last order
	// in scope at or before Latest, which analyses default their as-of date to.
	LastOrder time.Time
	// Summary, when set, is the per-customer summary of the orders in scope over its Window,
	// loaded in place of the orders (SummaryLoader) for analyses that run on it; SummaryOf
	// gives it for its window and computes others from Orders.
	Summary *Summary
}

// Normalize sorts every slice into the order the Dataset documents. Loaders call it once;
// slices already in order cost one pass to check.
func (d *Dataset) Normalize() {
	sortIf(d.Customers, func(a, b *Customer) int { return cmp.Compare(a.ID, b.ID) })
	if len(d.Keys.ID) == 0 && len(d.Customers) > 0 {
		d.Keys = KeysOf(d.Customers)
	}
	d.Orders.sort()
	d.Orders.built()
	sortIf(d.Products, func(a, b *Product) int { return cmp.Compare(a.ID, b.ID) })
	sortIf(d.Interactions, func(a, b *Interaction) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Events, func(a, b *WebEvent) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Surveys, func(a, b *SurveyResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
	sortIf(d.Leads, func(a, b *Lead) int { return timeID(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	sortIf(d.Campaigns, func(a, b *Campaign) int { return timeID(a.Start, a.ID, b.Start, b.ID) })
	sortIf(d.Responses, func(a, b *CampaignResponse) int { return timeID(a.At, a.ID, b.At, b.ID) })
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

// LastOrderAt returns the time of the latest order, or the zero time when there are none.
// Analyses use it as the default as-of date.
func (d *Dataset) LastOrderAt() time.Time {
	if d.Orders.Len() == 0 {
		return time.Time{}
	}
	last := 0
	for i, at := range d.Orders.At {
		if at > d.Orders.At[last] {
			last = i
		}
	}
	return d.Orders.Time(last)
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

// Parts says which parts of a Dataset a load reads: analyses declare what they read
// (analysis.Info.Reads), and the CLI and the server load only that.
type Parts uint32

// The parts of a Dataset. PartOrders is the orders' ids, customers, times, amounts and statuses:
// what most order analyses read. PartOrderDetails adds their costs, shipping, discounts,
// returns, channels, provinces, cities and external ids; without it those columns hold zeros
// and empty texts. PartLines is the order lines. Both imply PartOrders. PartCompetitors is
// competitors with the SWOT board. Custom field definitions are always loaded.
const (
	PartCustomers Parts = 1 << iota
	PartOrders
	PartOrderDetails
	PartLines
	PartProducts
	PartInteractions
	PartEvents
	PartSurveys
	PartLeads
	PartCampaigns
	PartResponses
	PartCompetitors

	AllParts = PartCompetitors<<1 - 1
)

// partNames are the names of the parts, as analyses declare them.
var partNames = map[string]Parts{
	"customers": PartCustomers, "orders": PartOrders, "order_details": PartOrderDetails | PartOrders,
	"items": PartLines | PartOrders, "products": PartProducts,
	"interactions": PartInteractions, "events": PartEvents, "surveys": PartSurveys, "leads": PartLeads,
	"campaigns": PartCampaigns, "responses": PartResponses, "competitors": PartCompetitors, "swot": PartCompetitors,
}

// PartsOf returns the parts named (customers, orders, order_details, items, products, interactions, events,
// surveys, leads, campaigns, responses, competitors, swot); an unknown name panics, since
// names come from the analyses' own declarations.
func PartsOf(names ...string) Parts {
	var p Parts
	for _, n := range names {
		q, ok := partNames[n]
		if !ok {
			panic("kexi: unknown Dataset part " + n)
		}
		p |= q
	}
	return p
}

// Has reports whether p holds every part of q.
func (p Parts) Has(q Parts) bool { return p&q == q }

// Only returns a copy of d with only the parts in p (the others empty); the copy shares d's
// slices.
func (d *Dataset) Only(p Parts) *Dataset {
	e := &Dataset{CustomFields: d.CustomFields, Keys: d.Keys, LastOrder: d.LastOrder, Summary: d.Summary}
	if p.Has(PartCustomers) {
		e.Customers = d.Customers
	}
	if p.Has(PartOrders) {
		e.Orders = d.Orders
		if !p.Has(PartOrderDetails) {
			e.Orders = d.Orders.core()
		}
		if !p.Has(PartLines) {
			e.Orders.LineStart, e.Orders.Lines = nil, LineTable{}
		}
	}
	if e.LastOrder.IsZero() && !p.Has(PartOrders) && d.Orders.Len() > 0 {
		e.LastOrder = d.lastOrder()
	}
	if p.Has(PartProducts) {
		e.Products = d.Products
	}
	if p.Has(PartInteractions) {
		e.Interactions = d.Interactions
	}
	if p.Has(PartEvents) {
		e.Events = d.Events
	}
	if p.Has(PartSurveys) {
		e.Surveys = d.Surveys
	}
	if p.Has(PartLeads) {
		e.Leads = d.Leads
	}
	if p.Has(PartCampaigns) {
		e.Campaigns = d.Campaigns
	}
	if p.Has(PartResponses) {
		e.Responses = d.Responses
	}
	if p.Has(PartCompetitors) {
		e.Competitors, e.SWOT = d.Competitors, d.SWOT
	}
	return e
}

// lastOrder is the time of the last order at or before Latest, or the zero time.
func (d *Dataset) lastOrder() time.Time {
	last, lim := -1, Latest.UnixMilli()
	for i, at := range d.Orders.At {
		if at <= lim && (last < 0 || at > d.Orders.At[last]) {
			last = i
		}
	}
	if last < 0 {
		return time.Time{}
	}
	return d.Orders.Time(last)
}
