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
}

// Normalize sorts every slice into the order the Dataset documents. Loaders call it once;
// slices already in order cost one pass to check.
func (d *Dataset) Normalize() {
	sortIf(d.Customers, func(a, b *Customer) int { return cmp.Compare(a.ID, b.ID) })
	d.Orders = d.Orders.sorted()
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
