package stats

import (
	"cmp"
	"math"
	"slices"
)

// AUC returns the area under the ROC curve of scores against binary labels: the probability
// that a randomly drawn positive scores higher than a randomly drawn negative, ties counting
// one half. It is computed from ranks (the Mann–Whitney U statistic) with tied scores given
// their average rank, in O(n log n). It returns NaN when either class is empty or the lengths
// differ.
func AUC(scores []float64, labels []bool) float64 {
	n := len(scores)
	if n != len(labels) {
		return math.NaN()
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var pos, neg int
	var rankSum float64 // sum of the (1-based, tie-averaged) ranks of the positives
	for i := 0; i < n; {
		j := i + 1
		for j < n && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of ranks i+1 … j
		for _, k := range idx[i:j] {
			if labels[k] {
				pos++
				rankSum += avg
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	u := rankSum - float64(pos)*float64(pos+1)/2
	return u / (float64(pos) * float64(neg))
}

// PrecisionAtK returns the share of positives among the k highest scores (ties at the cut
// broken by position, earlier first). k is clipped to [1, len(scores)]; an empty input gives NaN.
func PrecisionAtK(scores []float64, labels []bool, k int) float64 {
	n := len(scores)
	if n == 0 || n != len(labels) {
		return math.NaN()
	}
	k = max(1, min(k, n))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	hit := 0
	for _, i := range idx[:k] {
		if labels[i] {
			hit++
		}
	}
	return float64(hit) / float64(k)
}
