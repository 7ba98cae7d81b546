package stats

import (
	"math"
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

// Quantile returns the p-quantile (0 ≤ p ≤ 1) of sorted data by linear interpolation between
// order statistics: position h = (n−1)·p, the value x[⌊h⌋] + (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is
// Hyndman and Fan's type 7, the default of R and NumPy. It returns 0 for empty data.
func Quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	p = math.Min(math.Max(p, 0), 1)
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
