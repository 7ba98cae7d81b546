package behaviour

import (
	"hash/maphash"
	"slices"
	"testing"
)

// TestDistinct numbers strings with a real hash and with one that collides on purpose (the
// length), which must give the same grouping: "a", "b", "a", "cc", "b", "dd", "" are 5 strings.
func TestDistinct(t *testing.T) {
	ss := []string{"a", "b", "a", "cc", "b", "dd", ""}
	at := func(k int) string { return ss[k] }
	seed := maphash.MakeSeed()
	for name, hash := range map[string]func(string) uint64{
		"maphash":   func(s string) uint64 { return maphash.String(seed, s) },
		"by length": func(s string) uint64 { return uint64(len(s)) },
	} {
		group, n := distinct(len(ss), at, hash)
		if n != 5 {
			t.Errorf("%s: %d groups, want 5", name, n)
		}
		for i := range ss {
			for j := range ss {
				if (group[i] == group[j]) != (ss[i] == ss[j]) {
					t.Errorf("%s: %q and %q grouped %d and %d", name, ss[i], ss[j], group[i], group[j])
				}
			}
		}
		if slices.Max(group) != int32(n-1) || slices.Min(group) != 0 {
			t.Errorf("%s: groups %v not numbered 0…%d", name, group, n-1)
		}
	}
	if g, n := distinct(0, at, func(string) uint64 { return 0 }); len(g) != 0 || n != 0 {
		t.Errorf("no strings: %v, %d", g, n)
	}
}
