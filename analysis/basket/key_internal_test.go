package basket

import "testing"

// TestKeyDistinct: itemsets of different items have different keys, also for indices past
// 55,295, which the old rune encoding all turned into U+FFFD (a shop with more than 55k items
// then got one count for many itemsets, and wrong confidence and lift).
func TestKeyDistinct(t *testing.T) {
	sets := [][]int{{0}, {1}, {0, 1}, {1, 0}, {127}, {128}, {0, 128}, {55295}, {55296}, {57342}, {1 << 21}, {55295, 55296}, {55296, 55295}}
	seen := map[string][]int{}
	for _, s := range sets {
		k := key(s)
		if prev, ok := seen[k]; ok {
			t.Errorf("key(%v) = key(%v)", s, prev)
		}
		seen[k] = s
	}
}
