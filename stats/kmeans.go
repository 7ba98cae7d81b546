package stats

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Clustering is the result of KMeans: the cluster of every point, the k centres (row-major,
// k × dim) and the inertia (sum of squared distances from points to their centres).
type Clustering struct {
	K       int
	Labels  []int
	Centers []float64
	Inertia float64
}

// KMeans clusters the n points in x (row-major, n × dim) into k clusters as scikit-learn's
// KMeans(n_init=restarts, random_state=seed) does: each run seeds greedy k-means++ centres
// (seedPlusPlus) and refines them with Lloyd's algorithm (see Lloyd); the run with the lowest
// inertia wins (the first on ties). All runs draw from one stream of numpy's RandomState
// (MT19937) seeded with the low 32 bits of seed, in scikit-learn's order, the first centre of
// a run by randint as scikit-learn did before 1.3 (later versions draw it with choice, which
// takes another value from the stream). k is clipped to [1, n]. The result depends only on the
// inputs and seed.
func KMeans(x []float64, dim, k, restarts int, seed uint64) Clustering {
	n := len(x) / dim
	k = max(1, min(k, n))
	restarts = max(1, restarts)
	r := newMT19937(uint32(seed))
	tol := tolerance(x, dim, n)
	var best Clustering
	for run := 0; run < restarts; run++ {
		c := lloyd(x, dim, n, k, seedPlusPlus(x, dim, n, k, r), tol)
		if run == 0 || c.Inertia < best.Inertia {
			best = c
		}
	}
	return best
}

// tolerance is scikit-learn's convergence tolerance: 1e-4 × the mean over the features of
// their (population) variance. Lloyd stops when the centres move less than that in total
// squared distance.
func tolerance(x []float64, dim, n int) float64 {
	if n == 0 {
		return 0
	}
	var sum float64
	for j := 0; j < dim; j++ {
		var m float64
		for i := 0; i < n; i++ {
			m += x[i*dim+j]
		}
		m /= float64(n)
		var v float64
		for i := 0; i < n; i++ {
			d := x[i*dim+j] - m
			v += d * d
		}
		sum += v / float64(n)
	}
	return 1e-4 * sum / float64(dim)
}

// seedPlusPlus picks k initial centres by greedy k-means++ (scikit-learn's kmeans_plusplus):
// the first uniformly (randint); for each next one, 2+⌊ln k⌋ candidates drawn with probability
// proportional to their squared distance from the nearest centre chosen so far, of which the
// one that leaves the smallest total squared distance (the potential) is kept (the first on
// ties). Plain k-means++ (one candidate) ends in worse local optima more often.
func seedPlusPlus(x []float64, dim, n, k int, r *mt19937) []float64 {
	row := func(i int) []float64 { return x[i*dim : (i+1)*dim] }
	trials := 2 + int(math.Log(float64(k)))
	centers := make([]float64, 0, k*dim)
	first := r.intN(n)
	centers = append(centers, row(first)...)
	d2 := make([]float64, n)
	var pot float64
	for i := range d2 {
		d2[i] = sqDist(row(i), centers[:dim])
		pot += d2[i]
	}
	cum := make([]float64, n)
	best := make([]float64, n) // the best candidate's distances so far
	cand := make([]float64, n)
	for c := 1; c < k; c++ {
		var s float64
		for i, v := range d2 {
			s += v
			cum[i] = s
		}
		bestPot, bestID := math.Inf(1), 0
		for range trials {
			// The first point whose cumulative distance reaches u (numpy's searchsorted).
			u := r.float64() * pot
			id := min(sort.SearchFloat64s(cum, u), n-1)
			cen := row(id)
			var p float64
			for i := range cand {
				d := min(d2[i], sqDist(row(i), cen))
				cand[i] = d
				p += d
			}
			if p < bestPot {
				bestPot, bestID = p, id
				best, cand = cand, best
			}
		}
		centers = append(centers, row(bestID)...)
		d2, best = best, d2
		pot = bestPot
	}
	return centers
}

// Lloyd runs Lloyd's algorithm on the points in x (row-major, n × dim) from the given
// centres (k × dim, copied), as KMeans does after seeding (scikit-learn's _kmeans_single_lloyd):
// each iteration assigns every point to its nearest centre (the first on ties) and moves each
// centre to the mean of its points; a cluster left empty takes the point farthest from its
// own centre (the farthest first when several are empty). It stops when no point changes
// cluster, when the centres moved less than the tolerance (Σ squared shifts ≤ 1e-4 × the mean
// variance of the features; the points are then assigned once more to the final centres), or
// after 300 iterations. Use it to refine centres found on a sample with all points.
func Lloyd(x []float64, dim int, centers []float64) Clustering {
	c := append([]float64(nil), centers...)
	n := len(x) / dim
	return lloyd(x, dim, n, len(c)/dim, c, tolerance(x, dim, n))
}

func lloyd(x []float64, dim, n, k int, centers []float64, tol float64) Clustering {
	row := func(i int) []float64 { return x[i*dim : (i+1)*dim] }
	labels := make([]int, n)
	old := make([]int, n)
	for i := range labels {
		labels[i], old[i] = -1, -1
	}
	next := make([]float64, k*dim)
	weight := make([]float64, k)
	var mean []float64 // of all points: where a cluster that stays empty goes (lazily)
	strict := false
	for iter := 0; iter < 300; iter++ {
		assign(x, dim, n, k, centers, labels)
		clear(next)
		clear(weight)
		for i := 0; i < n; i++ {
			c := labels[i]
			weight[c]++
			cen := next[c*dim : (c+1)*dim]
			for j, v := range row(i) {
				cen[j] += v
			}
		}
		relocateEmpty(x, dim, n, centers, next, weight, labels)
		for c := 0; c < k; c++ {
			cen := next[c*dim : (c+1)*dim]
			if weight[c] > 0 {
				for j := range cen {
					cen[j] /= weight[c]
				}
				continue
			}
			// Still empty (every point sits on its centre, or the relocated point was the
			// last of its cluster): scikit-learn leaves it at the origin of its centred data,
			// the mean of the points.
			if mean == nil {
				mean = make([]float64, dim)
				for i := 0; i < n; i++ {
					for j, v := range row(i) {
						mean[j] += v / float64(n)
					}
				}
			}
			copy(cen, mean)
		}
		var shift float64
		for c := 0; c < k; c++ {
			shift += sqDist(centers[c*dim:(c+1)*dim], next[c*dim:(c+1)*dim])
		}
		centers, next = next, centers
		if slices.Equal(labels, old) {
			strict = true
			break
		}
		if shift <= tol {
			break
		}
		copy(old, labels)
	}
	if !strict {
		assign(x, dim, n, k, centers, labels)
	}
	var inertia float64
	for i := 0; i < n; i++ {
		l := labels[i]
		inertia += sqDist(row(i), centers[l*dim:(l+1)*dim])
	}
	return Clustering{K: k, Labels: labels, Centers: centers, Inertia: inertia}
}

// assign sets each point's label to its nearest centre (the first on ties).
func assign(x []float64, dim, n, k int, centers []float64, labels []int) {
	for i := 0; i < n; i++ {
		p := x[i*dim : (i+1)*dim]
		bc, bd := 0, math.Inf(1)
		for c := 0; c < k; c++ {
			if d := sqDist(p, centers[c*dim:(c+1)*dim]); d < bd {
				bc, bd = c, d
			}
		}
		labels[i] = bc
	}
}

// relocateEmpty gives every empty cluster (weight 0) the point farthest from the centre it was
// assigned to (old centres; the farthest to the first empty cluster, ties by position), taking
// it out of its cluster's sum: scikit-learn's _relocate_empty_clusters_dense, on the sums
// before they are divided into means. Nothing moves when every point sits on its centre.
func relocateEmpty(x []float64, dim, n int, old, sums, weight []float64, labels []int) {
	var empty []int
	for c, w := range weight {
		if w == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return
	}
	dist := make([]float64, n)
	far := make([]int, n)
	top := 0.0
	for i := 0; i < n; i++ {
		l := labels[i]
		dist[i] = sqDist(x[i*dim:(i+1)*dim], old[l*dim:(l+1)*dim])
		top = max(top, dist[i])
		far[i] = i
	}
	if top == 0 {
		return
	}
	slices.SortStableFunc(far, func(a, b int) int { return cmp.Compare(dist[b], dist[a]) })
	for e, c := range empty {
		f := far[e]
		p := x[f*dim : (f+1)*dim]
		oc := labels[f]
		from, to := sums[oc*dim:(oc+1)*dim], sums[c*dim:(c+1)*dim]
		for j, v := range p {
			from[j] -= v
			to[j] = v
		}
		weight[c] = 1
		weight[oc]--
	}
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

// mt19937 is numpy's legacy RandomState generator (the Mersenne Twister, seeded by
// init_genrand) with the two draws KMeans needs, bit for bit as numpy makes them: float64
// (random_sample) and intN (randint by masked rejection). It is here for reproducibility, not
// quality: with math/rand/v2's PCG in its place the same k-means gives other inertias on the
// Mall customers (k = 7: 46.78, 45.33 or 44.86 for PCG streams 0, 1, 2 against scikit-learn's
// 44.91; k = 9 sometimes below 32.38), so TestMallInertia, which pins scikit-learn's numbers
// for random_state=0, needs this stream.
type mt19937 struct {
	key [624]uint32
	pos int
}

func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{pos: 624}
	for i := range m.key {
		m.key[i] = seed
		seed = 1812433253*(seed^(seed>>30)) + uint32(i) + 1
	}
	return m
}

func (m *mt19937) uint32() uint32 {
	const n, mid, upper, lower, matrix = 624, 397, 0x80000000, 0x7fffffff, 0x9908b0df
	if m.pos == n {
		for i := range n {
			y := m.key[i]&upper | m.key[(i+1)%n]&lower
			m.key[i] = m.key[(i+mid)%n] ^ y>>1 ^ -(y&1)&matrix
		}
		m.pos = 0
	}
	y := m.key[m.pos]
	m.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	return y ^ y>>18
}

// float64 returns a uniform value in [0, 1) from 53 random bits (numpy's random_sample).
func (m *mt19937) float64() float64 {
	a, b := m.uint32()>>5, m.uint32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// intN returns a uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (numpy's randint(n)): 32-bit
// draws masked to the bits of n−1, rejected while above it.
func (m *mt19937) intN(n int) int {
	hi := uint32(n - 1)
	mask := hi
	for s := 1; s < 32; s *= 2 {
		mask |= mask >> s
	}
	for {
		if v := m.uint32() & mask; v <= hi {
			return int(v)
		}
	}
}
