package kexi

import (
	"math/rand"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestNormalizeSortsStably checks the order sort against a stable sort of the records
// themselves, with many ties (equal customer and time) that must keep their input order; dense
// customer IDs take the counting sort, sparse ones (spread out by a large factor) and negative
// ones (spread −1) the comparison sort.
func TestNormalizeSortsStably(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ n, spread int }{{0, 1}, {1, 1}, {2, 1}, {3, 1}, {10, 1}, {1000, 1}, {10, 1e9}, {1000, 1e9}, {100, -1}} {
		n := tc.n
		d := &Dataset{}
		for i := 0; i < n; i++ {
			// IDs repeat so ties on the whole key happen; ExternalID records the input position.
			d.Orders = append(d.Orders, Order{ID: int64(rng.Intn(3)), ExternalID: strconv.Itoa(i),
				CustomerID: int64(rng.Intn(5) * tc.spread), OrderedAt: base.Add(time.Duration(rng.Intn(4)) * time.Hour)})
		}
		want := slices.Clone(d.Orders)
		slices.SortStableFunc(want, func(a, b Order) int {
			if a.CustomerID != b.CustomerID {
				return int(a.CustomerID - b.CustomerID)
			}
			return timeID(a.OrderedAt, a.ID, b.OrderedAt, b.ID)
		})
		d.Normalize()
		for i := range want {
			if d.Orders[i].ExternalID != want[i].ExternalID {
				t.Fatalf("n=%d: position %d holds %s, want %s", n, i, d.Orders[i].ExternalID, want[i].ExternalID)
			}
		}
	}
}

func TestPermute(t *testing.T) {
	s := []string{"a", "b", "c", "d", "e"}
	// new s[i] = old s[perm[i]]: two cycles, (0 3) and (1 2 4), by hand:
	// s[0]=d, s[1]=c, s[2]=e, s[3]=a, s[4]=b.
	permute(s, []int32{3, 2, 4, 0, 1})
	if !slices.Equal(s, []string{"d", "c", "e", "a", "b"}) {
		t.Fatalf("permute = %v", s)
	}
}
