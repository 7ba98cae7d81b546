package kexi

import (
	"sort"
	"time"
)

// Dataset is everything the analyses read, as plain slices held in memory. Stores build it
// with LoadDataset; the CLI can also build it straight from CSV files.
//
// Invariants (Normalize establishes them): Customers are sorted by ID; Orders are sorted by
// (CustomerID, OrderedAt, ID), and each order's Items is a sub-slice of one shared backing array;
// every other slice is sorted by its time field, then ID.
type Dataset struct {
	Customers    []Customer
	Orders       []Order
	Products     []Product
	Interactions []Interaction
	Events       []WebEvent
	Surveys      []SurveyResponse
	Leads        []Lead
	Campaigns    []Campaign
	Responses    []CampaignResponse
	Competitors  []Competitor
	SWOT         []SWOTItem
	Fields       []CustomField
}

// Normalize sorts every slice into the order the Dataset documents. Loaders call it once.
func (d *Dataset) Normalize() {
	sort.SliceStable(d.Customers, func(i, j int) bool { return d.Customers[i].ID < d.Customers[j].ID })
	sort.SliceStable(d.Orders, func(i, j int) bool {
		a, b := &d.Orders[i], &d.Orders[j]
		if a.CustomerID != b.CustomerID {
			return a.CustomerID < b.CustomerID
		}
		if !a.OrderedAt.Equal(b.OrderedAt) {
			return a.OrderedAt.Before(b.OrderedAt)
		}
		return a.ID < b.ID
	})
	sort.SliceStable(d.Products, func(i, j int) bool { return d.Products[i].ID < d.Products[j].ID })
	sort.SliceStable(d.Interactions, func(i, j int) bool {
		return timeIDLess(d.Interactions[i].At, d.Interactions[i].ID, d.Interactions[j].At, d.Interactions[j].ID)
	})
	sort.SliceStable(d.Events, func(i, j int) bool {
		return timeIDLess(d.Events[i].At, d.Events[i].ID, d.Events[j].At, d.Events[j].ID)
	})
	sort.SliceStable(d.Surveys, func(i, j int) bool {
		return timeIDLess(d.Surveys[i].At, d.Surveys[i].ID, d.Surveys[j].At, d.Surveys[j].ID)
	})
	sort.SliceStable(d.Leads, func(i, j int) bool {
		return timeIDLess(d.Leads[i].CreatedAt, d.Leads[i].ID, d.Leads[j].CreatedAt, d.Leads[j].ID)
	})
	sort.SliceStable(d.Campaigns, func(i, j int) bool {
		return timeIDLess(d.Campaigns[i].Start, d.Campaigns[i].ID, d.Campaigns[j].Start, d.Campaigns[j].ID)
	})
	sort.SliceStable(d.Responses, func(i, j int) bool {
		return timeIDLess(d.Responses[i].At, d.Responses[i].ID, d.Responses[j].At, d.Responses[j].ID)
	})
}

func timeIDLess(a time.Time, aid int64, b time.Time, bid int64) bool {
	if !a.Equal(b) {
		return a.Before(b)
	}
	return aid < bid
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
func (d *Dataset) OrderRuns(fn func(customerID int64, orders []Order)) {
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
	// Region, when set, restricts customers to this province.
	Region string
}

// Restricted reports whether the scope limits anything.
func (s Scope) Restricted() bool { return s.Owner != "" || s.Region != "" }
