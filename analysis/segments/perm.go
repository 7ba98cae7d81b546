package segments

import "math/rand/v2"

// seededPerm returns a seeded random permutation of 0..n−1.
func seededPerm(n int, seed uint64) []int {
	return rand.New(rand.NewPCG(seed, 0x7365676d)).Perm(n)
}
