package kexi

import (
	"testing"
	"time"
)

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

// TestBatchDataset checks reference resolution, stubs, merging and ordering: two orders of a
// customer who arrives after them, an order of an unknown customer (becomes a stub), and a
// lead whose won stage arrives in a second record.
func TestBatchDataset(t *testing.T) {
	b := &Batch{
		Orders: []Order{
			{ExternalID: "o2", Customer: "c1", OrderedAt: day(5), Amount: 20, Items: []OrderItem{{SKU: "p1", Quantity: 2, UnitPrice: 10}}},
			{ExternalID: "o1", Customer: "c1", OrderedAt: day(1), Amount: 10},
			{ExternalID: "o3", Customer: "c9", OrderedAt: day(2), Amount: 5},
		},
		Customers: []Customer{{ExternalID: "c1", Name: "Ann"}},
		Products:  []Product{{ExternalID: "p1", Name: "Pen"}},
		Leads: []Lead{
			{ExternalID: "l1", Source: "social", CreatedAt: day(1), Stage: StageNew, Stages: []StageEntry{{StageNew, day(1)}}},
			{ExternalID: "l1", Stage: StageWon, Stages: []StageEntry{{StageWon, day(15)}}},
		},
	}
	d := b.Dataset()
	if len(d.Customers) != 2 || d.Customers[0].Name != "Ann" || !d.Customers[1].Stub || d.Customers[1].ExternalID != "c9" {
		t.Fatalf("customers = %+v", d.Customers)
	}
	// Sorted by (customer, time): c1's o1 (day 1), o2 (day 5), then c9's o3.
	got := []string{d.Orders.ExternalID(0), d.Orders.ExternalID(1), d.Orders.ExternalID(2)}
	if got[0] != "o1" || got[1] != "o2" || got[2] != "o3" {
		t.Fatalf("order sequence %v, want o1 o2 o3", got)
	}
	if d.Orders.Order(1).Items[0].ProductID != 1 || d.Orders.CustomerID[2] != 2 {
		t.Fatalf("references not resolved: %+v", d.Orders)
	}
	if len(d.Leads) != 1 || d.Leads[0].Stage != StageWon || len(d.Leads[0].Stages) != 2 || d.Leads[0].Source != "social" {
		t.Fatalf("lead merge: %+v", d.Leads)
	}
}

// TestBatchCounts checks that Counts names every kind of Kinds, each with its own count: a
// batch with k+1 records of the k-th kind, so that two kinds swapped or one left out shows.
func TestBatchCounts(t *testing.T) {
	b := &Batch{Customers: make([]Customer, 1), Products: make([]Product, 2), Campaigns: make([]Campaign, 3),
		Orders: make([]Order, 4), Interactions: make([]Interaction, 5), Events: make([]WebEvent, 6),
		Surveys: make([]SurveyResponse, 7), Leads: make([]Lead, 8), Responses: make([]CampaignResponse, 9),
		Competitors: make([]Competitor, 10), SWOT: make([]SWOTItem, 11)}
	want := map[string]int{KindCustomers: 1, KindProducts: 2, KindCampaigns: 3, KindOrders: 4, KindInteractions: 5,
		KindEvents: 6, KindSurveys: 7, KindLeads: 8, KindResponses: 9, KindCompetitors: 10, KindSWOT: 11}
	got := b.Counts()
	sum := 0
	for _, k := range Kinds {
		if got[k] != want[k] {
			t.Errorf("Counts()[%s] = %d, want %d", k, got[k], want[k])
		}
		sum += got[k]
	}
	if len(got) != len(Kinds) || sum != b.Len() {
		t.Errorf("Counts() = %v: %d kinds summing to %d, want %d kinds summing to Len %d", got, len(got), sum, len(Kinds), b.Len())
	}
}
