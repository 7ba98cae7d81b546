package stats

import (
	"math"
	"math/rand/v2"
)

// Clustering is the result of KMeans: the cluster of every point, the k centres (row-major,
// k × dim) and the inertia (sum of squared distances from points to their centres).
type Clustering struct {
	K       int
	Labels  []int
	Centers []float64
	Inertia float64
}

// KMeans clusters the n points in x (row-major, n × dim) into k clusters with Lloyd's
// algorithm from k-means++ seeds, restarted restarts times with one seeded random stream; the
// run with the lowest inertia wins (the first on ties). Each run stops when no point changes
// cluster or after 300 iterations; a cluster left empty is re-seeded at the point farthest
// from its centre. k is clipped to [1, n]. The result depends only on the inputs and seed.
func KMeans(x []float64, dim, k, restarts int, seed uint64) Clustering {
	n := len(x) / dim
	k = max(1, min(k, n))
	restarts = max(1, restarts)
	r := rand.New(rand.NewPCG(seed, 0x6b6d65616e73))
	var best Clustering
	for run := 0; run < restarts; run++ {
		c := lloyd(x, dim, n, k, seedPlusPlus(x, dim, n, k, r))
		if run == 0 || c.Inertia < best.Inertia {
			best = c
		}
	}
	return best
}

// seedPlusPlus picks k initial centres: the first uniformly, each next one with probability
// proportional to its squared distance from the nearest centre chosen so far.
func seedPlusPlus(x []float64, dim, n, k int, r *rand.Rand) []float64 {
	centers := make([]float64, 0, k*dim)
	first := r.IntN(n)
	centers = append(centers, x[first*dim:(first+1)*dim]...)
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = sqDist(x[i*dim:(i+1)*dim], centers[:dim])
	}
	for c := 1; c < k; c++ {
		var sum float64
		for _, v := range d2 {
			sum += v
		}
		pick := r.IntN(n) // all points coincide with centres: any will do
		if sum > 0 {
			u := r.Float64() * sum
			for i, v := range d2 {
				if v == 0 {
					continue
				}
				pick = i
				if u -= v; u < 0 {
					break
				}
			}
		}
		cen := x[pick*dim : (pick+1)*dim]
		centers = append(centers, cen...)
		for i := range d2 {
			if d := sqDist(x[i*dim:(i+1)*dim], cen); d < d2[i] {
				d2[i] = d
			}
		}
	}
	return centers
}

// Lloyd runs Lloyd's algorithm on the points in x (row-major, n × dim) from the given
// centres (k × dim, copied), as KMeans does after seeding: to refine centres found on a sample
// with all points.
func Lloyd(x []float64, dim int, centers []float64) Clustering {
	c := append([]float64(nil), centers...)
	return lloyd(x, dim, len(x)/dim, len(c)/dim, c)
}

func lloyd(x []float64, dim, n, k int, centers []float64) Clustering {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	counts := make([]int, k)
	var inertia float64
	for iter := 0; iter < 300; iter++ {
		changed := false
		inertia = 0
		for i := 0; i < n; i++ {
			p := x[i*dim : (i+1)*dim]
			bc, bd := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				if d := sqDist(p, centers[c*dim:(c+1)*dim]); d < bd {
					bc, bd = c, d
				}
			}
			if labels[i] != bc {
				labels[i] = bc
				changed = true
			}
			inertia += bd
		}
		if !changed {
			break
		}
		// Update centres to the means of their points.
		clear(centers)
		clear(counts)
		for i := 0; i < n; i++ {
			c := labels[i]
			counts[c]++
			cen := centers[c*dim : (c+1)*dim]
			for j, v := range x[i*dim : (i+1)*dim] {
				cen[j] += v
			}
		}
		for c := 0; c < k; c++ {
			cen := centers[c*dim : (c+1)*dim]
			if counts[c] == 0 {
				// Re-seed an empty cluster at the point farthest from its own centre.
				far, fd := 0, -1.0
				for i := 0; i < n; i++ {
					lc := labels[i]
					if d := sqDist(x[i*dim:(i+1)*dim], centers[lc*dim:(lc+1)*dim]); d > fd && counts[lc] > 1 {
						far, fd = i, d
					}
				}
				copy(cen, x[far*dim:(far+1)*dim])
				continue
			}
			for j := range cen {
				cen[j] /= float64(counts[c])
			}
		}
	}
	return Clustering{K: k, Labels: labels, Centers: centers, Inertia: inertia}
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		d := v - b[j]
		s += d * d
	}
	return s
}

// Silhouette returns the mean silhouette coefficient of the points in x (row-major, n × dim)
// under labels (0..k−1), with Euclidean distance: for each point, a = mean distance to the
// other points of its cluster, b = the lowest mean distance to the points of another cluster,
// s = (b − a) / max(a, b), and s = 0 for a point alone in its cluster. When sample is between
// 1 and n−1, only a seeded random sample of that many points is scored, against each other
// (O(sample²) instead of O(n²)). It returns NaN when there are fewer than two clusters.
func Silhouette(x []float64, dim int, labels []int, k, sample int, seed uint64) float64 {
	return Silhouettes(x, dim, [][]int{labels}, []int{k}, sample, seed)[0]
}

// Silhouettes returns the silhouette of several labellings of the same points (one per
// candidate k), computing each pairwise distance once for all of them.
func Silhouettes(x []float64, dim int, labels [][]int, ks []int, sample int, seed uint64) []float64 {
	n := len(x) / dim
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if sample > 0 && sample < n {
		r := rand.New(rand.NewPCG(seed, 0x73696c68))
		r.Shuffle(n, func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		idx = idx[:sample]
	}
	L := len(labels)
	sizes := make([][]int, L)
	sums := make([][]float64, L)
	out := make([]float64, L)
	for t := range labels {
		sizes[t] = make([]int, ks[t])
		sums[t] = make([]float64, ks[t])
		for _, i := range idx {
			sizes[t][labels[t][i]]++
		}
	}
	dist := make([]float64, len(idx))
	for _, i := range idx {
		p := x[i*dim : (i+1)*dim]
		for m, j := range idx {
			dist[m] = math.Sqrt(sqDist(p, x[j*dim:(j+1)*dim]))
		}
		for t, lab := range labels {
			sum := sums[t]
			clear(sum)
			for m, j := range idx {
				sum[lab[j]] += dist[m]
			}
			size := sizes[t]
			own := lab[i]
			if size[own] <= 1 {
				continue // s = 0
			}
			a := sum[own] / float64(size[own]-1)
			b := math.Inf(1)
			for c := range sum {
				if c != own && size[c] > 0 {
					b = math.Min(b, sum[c]/float64(size[c]))
				}
			}
			if mx := math.Max(a, b); mx > 0 && !math.IsInf(b, 1) {
				out[t] += (b - a) / mx
			}
		}
	}
	for t := range out {
		used := 0
		for _, s := range sizes[t] {
			if s > 0 {
				used++
			}
		}
		if used < 2 {
			out[t] = math.NaN()
		} else {
			out[t] /= float64(len(idx))
		}
	}
	return out
}
