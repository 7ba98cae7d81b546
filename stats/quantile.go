package stats

import (
	"slices"
)

// Median returns the median of x: the middle value, or the mean of the two middle values when
// len(x) is even. It sorts x in place. It returns 0 for an empty x.
func Median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	slices.Sort(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}
