package attributes

import "testing"

// TestLeaders: the largest known group ignores Unknown (the largest of all here); the best
// revenue per customer needs 1 % of the customers and some revenue, ties going to the larger.
func TestLeaders(t *testing.T) {
	sp := &split{by: &grouping{names: []string{"a", "b", "c", Unknown}},
		groups: []stat{{customers: 30, revenue: 300}, {customers: 60, revenue: 600}, {customers: 10}, {customers: 900, revenue: 1e6}},
		total:  stat{customers: 1000}}
	largest, best := sp.leaders()
	if largest != 1 || best != 1 {
		t.Errorf("largest %d, best %d; want 1 and 1 (b: the larger of two at 10 per customer)", largest, best)
	}
	sp.groups[0].customers = 9 // under 1 % of 1,000: too small to be best
	sp.groups[0].revenue = 900
	if _, best := sp.leaders(); best != 1 {
		t.Errorf("best %d, want 1", best)
	}
}
