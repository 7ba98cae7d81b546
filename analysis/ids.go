package analysis

import "slices"

// Positions returns a look-up of an id's position in ids (sorted ascending, distinct), −1 when
// absent. Analyses search a compact copy of the customer ids rather than the large Customer
// structs, whose search misses the cache. When the ids are dense, as store ids are (the span
// below 4 × their count), the look-up is a table; otherwise a binary search.
func Positions(ids []int64) func(int64) int {
	if n := len(ids); n > 0 && ids[n-1]-ids[0] < int64(4*n) {
		lo := ids[0]
		pos := make([]int32, ids[n-1]-lo+1)
		for i := range pos {
			pos[i] = -1
		}
		for i, id := range ids {
			pos[id-lo] = int32(i)
		}
		return func(id int64) int {
			if id < lo || id-lo >= int64(len(pos)) {
				return -1
			}
			return int(pos[id-lo])
		}
	}
	return func(id int64) int {
		if i, ok := slices.BinarySearch(ids, id); ok {
			return i
		}
		return -1
	}
}
