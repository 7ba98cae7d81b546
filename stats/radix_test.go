package stats

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestFloatKeyOrder(t *testing.T) {
	// In cmp.Compare order: NaN, −Inf, −2, −0.5, 0 (and −0, equal), tiny, 0.5, 2, +Inf.
	vals := []float64{math.NaN(), math.Inf(-1), -2, -0.5, 0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, 0.5, 2, math.Inf(1)}
	for i := range vals {
		for j := range vals {
			want := cmp.Compare(vals[i], vals[j])
			got := cmp.Compare(FloatKey(vals[i]), FloatKey(vals[j]))
			if got != want {
				t.Errorf("keys of %v and %v compare %d, want %d", vals[i], vals[j], got, want)
			}
		}
	}
}

func TestIntKeyOrder(t *testing.T) {
	// In signed order; the keys compare the same way (plain uint64 casts would put −1 last).
	vals := []int64{math.MinInt64, -5, -1, 0, 1, 7, math.MaxInt64}
	for i := range vals {
		for j := range vals {
			if got, want := cmp.Compare(IntKey(vals[i]), IntKey(vals[j])), cmp.Compare(vals[i], vals[j]); got != want {
				t.Errorf("keys of %d and %d compare %d, want %d", vals[i], vals[j], got, want)
			}
		}
	}
	// The sign bit flipped: MinInt64 → 0, 0 → 1<<63, −1 → 1<<63 − 1.
	if IntKey(math.MinInt64) != 0 || IntKey(0) != 1<<63 || IntKey(-1) != 1<<63-1 {
		t.Errorf("IntKey: %d %d %d", IntKey(math.MinInt64), IntKey(0), IntKey(-1))
	}
}

func TestRadixOrderByHand(t *testing.T) {
	// keys 30, 10, 20, 10: ascending 10 (index 1), 10 (index 3, after 1: stable), 20 (2), 30 (0).
	if got := RadixOrder([]uint64{30, 10, 20, 10}); !slices.Equal(got, []int32{1, 3, 2, 0}) {
		t.Errorf("RadixOrder = %v, want [1 3 2 0]", got)
	}
	if got := RadixOrder(nil); len(got) != 0 {
		t.Errorf("RadixOrder(nil) = %v", got)
	}
}

// TestRadixOrderMatchesStableSort compares with a stable comparison sort on sizes above and
// below the cut-over, with keys that share high bytes, are few and repeated, or span all bits.
func TestRadixOrderMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func() uint64{
		"full":     r.Uint64,
		"few":      func() uint64 { return uint64(r.IntN(5)) << 40 },
		"floats":   func() uint64 { return FloatKey(math.Round(r.NormFloat64()*1e4) / 100) },
		"low byte": func() uint64 { return uint64(r.IntN(256)) },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 63, 64, 1000, 100_000} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = gen()
			}
			want := make([]int32, n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
			if got := RadixOrder(keys); !slices.Equal(got, want) {
				t.Fatalf("%s n=%d: order differs from a stable sort", name, n)
			}
		}
	}
}

func TestSortTies(t *testing.T) {
	// Keys 5,3,5,3,5 with ids 9,8,7,6,5: RadixOrder gives 1,3 (key 3) then 0,2,4 (key 5),
	// whose ids (8,6 and 9,7,5) descend within each tie. By id ascending the ties become 3,1
	// (ids 6,8) and 4,2,0 (ids 5,7,9); by id descending they stay as they are.
	keys := []uint64{5, 3, 5, 3, 5}
	ids := []int{9, 8, 7, 6, 5}
	order := RadixOrder(keys)
	SortTies(order, keys, func(a, b int32) int { return ids[a] - ids[b] })
	if want := []int32{3, 1, 4, 2, 0}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	order = RadixOrder(keys)
	SortTies(order, keys, func(a, b int32) int { return ids[b] - ids[a] })
	if want := []int32{1, 3, 0, 2, 4}; !slices.Equal(order, want) {
		t.Fatalf("descending: order %v, want %v", order, want)
	}
}
