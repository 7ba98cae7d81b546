package stats

import (
	"math"
	"slices"
)

// FloatKey returns a key whose unsigned order is the numeric order of f, for RadixOrder:
// negative numbers before positive ones, −0 equal to +0, and NaN before everything (as
// cmp.Compare orders NaN).
func FloatKey(f float64) uint64 {
	switch {
	case f != f:
		return 0
	case f == 0:
		f = 0 // −0 and +0 get the same key
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b // negative: reverse the order of the magnitudes
	}
	return b | 1<<63
}

// IntKey returns a key whose unsigned order is the signed order of i, for RadixOrder:
// the sign bit flipped, so that negative numbers come first.
func IntKey(i int64) uint64 { return uint64(i) ^ 1<<63 }

// RadixOrder returns the order that sorts keys ascending: keys[order[0]] ≤ keys[order[1]] ≤ ….
// The sort is stable (equal keys keep their index order) and takes linear time: a least
// significant digit radix sort on bytes, skipping the bytes that all keys share. On the
// hundred thousand values of a customer ranking it is several times faster than a comparison
// sort through an index.
func RadixOrder(keys []uint64) []int32 {
	n := len(keys)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	if n < 64 {
		slices.SortStableFunc(order, func(a, b int32) int {
			switch {
			case keys[a] < keys[b]:
				return -1
			case keys[a] > keys[b]:
				return 1
			}
			return 0
		})
		return order
	}
	var counts [8][256]int
	for _, k := range keys {
		for d := range 8 {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := slices.Clone(keys), make([]uint64, n)
	tmp := make([]int32, n)
	for d := range 8 {
		c := &counts[d]
		if c[byte(src[0]>>(8*d))] == n {
			continue // every key has the same byte here
		}
		sum := 0
		for b := range c {
			c[b], sum = sum, sum+c[b]
		}
		shift := 8 * d
		for i, k := range src {
			b := byte(k >> shift)
			dst[c[b]] = k
			tmp[c[b]] = order[i]
			c[b]++
		}
		src, dst = dst, src
		order, tmp = tmp, order
	}
	return order
}

// SortTies sorts each run of order whose keys are equal by cmp, leaving runs already in
// that order alone: RadixOrder keeps ties in index order, and this breaks them another way
// (by customer id, say) when the indexes do not already follow it.
func SortTies[I int | int32](order []I, keys []uint64, cmp func(a, b I) int) {
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && keys[order[j]] == keys[order[i]] {
			j++
		}
		if j-i > 1 && !slices.IsSortedFunc(order[i:j], cmp) {
			slices.SortFunc(order[i:j], cmp)
		}
		i = j
	}
}
