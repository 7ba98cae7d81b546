package pyramid_test

import (
	"testing"

	"github.com/kexi/kexi/analysis/pyramid"
)

// TestTierAt: of 100 ranked customers the top ⌈1⌉ is VIP, ranks 2…5 major, 6…20 ordinary,
// 21… small; a single customer is VIP.
func TestTierAt(t *testing.T) {
	for _, c := range []struct {
		rank, n int
		want    string
	}{
		{1, 100, pyramid.VIP}, {2, 100, pyramid.Major}, {5, 100, pyramid.Major}, {6, 100, pyramid.Ordinary},
		{20, 100, pyramid.Ordinary}, {21, 100, pyramid.Small}, {100, 100, pyramid.Small}, {1, 1, pyramid.VIP},
	} {
		if got := pyramid.TierAt(c.rank, c.n); got != c.want {
			t.Errorf("TierAt(%d, %d) = %s, want %s", c.rank, c.n, got, c.want)
		}
	}
}

// TestPlaceMatchesRank places random spends with ties and compares with Rank.
func TestPlaceMatchesRank(t *testing.T) {
	var rows []pyramid.Row
	for i := range 1000 {
		rows = append(rows, pyramid.Row{CustomerID: int64(1000 - i), Spend: float64(i%37) + 1})
	}
	tiers := pyramid.Place(len(rows), func(i int) (float64, int64) { return rows[i].Spend, rows[i].CustomerID })
	want := map[int64]string{}
	ranked := append([]pyramid.Row(nil), rows...)
	pyramid.Rank(ranked)
	for k, r := range ranked {
		want[r.CustomerID] = r.Tier
		if k > 0 && (ranked[k-1].Spend < r.Spend || (ranked[k-1].Spend == r.Spend && ranked[k-1].CustomerID > r.CustomerID)) {
			t.Fatalf("Rank: row %d out of order", k)
		}
	}
	for i, r := range rows {
		if tiers[i] != want[r.CustomerID] {
			t.Fatalf("customer %d: Place %s, Rank %s", r.CustomerID, tiers[i], want[r.CustomerID])
		}
	}
}
