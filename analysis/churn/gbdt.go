package churn

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// GBDTParams are the settings of the gradient-boosted trees. Zero values get defaults:
// 150 trees of depth 3, learning rate 0.1, at least 20 rows per leaf, L2 penalty 1 on leaf
// values, 64 bins per feature.
type GBDTParams struct {
	Trees   int
	Depth   int
	Rate    float64
	MinLeaf int
	Lambda  float64
	Bins    int
}

func (p GBDTParams) withDefaults() GBDTParams {
	if p.Trees <= 0 {
		p.Trees = 150
	}
	if p.Depth <= 0 {
		p.Depth = 3
	}
	if p.Rate <= 0 {
		p.Rate = 0.1
	}
	if p.MinLeaf <= 0 {
		p.MinLeaf = 20
	}
	if p.Lambda <= 0 {
		p.Lambda = 1
	}
	if p.Bins <= 1 || p.Bins > 256 {
		p.Bins = 64
	}
	return p
}

// GBDT is a fitted histogram-based gradient-boosted decision tree model for log-loss: the
// log-odds of churn is Base plus the sum of the trees' leaf values.
//
// It is written here rather than taken from a library: the few pure-Go GBDT packages are
// unmaintained or wrap C (LightGBM, XGBoost need cgo, which the single static binary avoids),
// and the algorithm is small: features are cut into at most Bins quantile bins once; each
// tree is grown level by level to Depth with second-order (Newton) leaf values
// −G/(H+λ), splits chosen by the gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) on per-bin
// gradient histograms (the larger child's histogram is the parent's minus the smaller's).
type GBDT struct {
	Base  float64
	Trees [][]node
	gain  []float64
}

// node is one tree node. A leaf has Feature −1. Value is the node's shrunken Newton value,
// kept on inner nodes too so that predictions can be split into per-feature contributions.
type node struct {
	Feature     int
	Threshold   float64 // x ≤ Threshold goes left
	Left, Right int32
	Value       float64
}

// FitGBDT fits gradient-boosted trees to the rows of x and labels y. It is deterministic: no
// sampling. It returns an error when x is empty.
func FitGBDT(x *Matrix, y []bool, prm GBDTParams) (*GBDT, error) {
	prm = prm.withDefaults()
	n, p := x.Rows, x.Cols
	if n == 0 || len(y) != n {
		return nil, fmt.Errorf("fit gradient-boosted trees: %d rows, %d labels", n, len(y))
	}
	cuts, bins := binMatrix(x, prm.Bins)
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	m := &GBDT{gain: make([]float64, p)}
	if pos > 0 && pos < n {
		m.Base = math.Log(float64(pos) / float64(n-pos))
	}
	f := make([]float64, n) // current log-odds
	for i := range f {
		f[i] = m.Base
	}
	g := make([]float64, n)
	h := make([]float64, n)
	idx := make([]int32, n)
	tb := &treeBuilder{prm: prm, nb: prm.Bins, tmp: make([]int32, n), p: p, n: n, bins: bins, cuts: cuts, g: g, h: h, gain: m.gain}
	for t := 0; t < prm.Trees; t++ {
		for i := range f {
			pr := sigmoid(f[i])
			if y[i] {
				g[i] = pr - 1
			} else {
				g[i] = pr
			}
			h[i] = math.Max(pr*(1-pr), 1e-12)
		}
		for i := range idx {
			idx[i] = int32(i)
		}
		tree := tb.grow(idx, f)
		m.Trees = append(m.Trees, tree)
	}
	var s float64
	for _, v := range m.gain {
		s += v
	}
	if s > 0 {
		for j := range m.gain {
			m.gain[j] /= s
		}
	}
	return m, nil
}

// binMatrix cuts each column into at most nb bins at quantiles of its distinct values and
// returns the cut points per feature and the bin of every value, row-major like x (row i's
// bins are bins[i*p : (i+1)*p]). bin(v) = the number of cuts below v, so bin(v) ≤ b exactly
// when v ≤ cuts[b].
func binMatrix(x *Matrix, nb int) ([][]float64, []uint8) {
	n, p := x.Rows, x.Cols
	cuts := make([][]float64, p)
	bins := make([]uint8, n*p)
	col := make([]float64, n)
	for j := 0; j < p; j++ {
		for i := 0; i < n; i++ {
			col[i] = x.X[i*p+j]
		}
		sorted := slices.Clone(col)
		slices.Sort(sorted)
		var c []float64
		if distinct := slices.Compact(slices.Clone(sorted)); len(distinct) <= nb {
			for k := 1; k < len(distinct); k++ {
				c = append(c, (distinct[k-1]+distinct[k])/2)
			}
		} else {
			// Quantile cuts over the rows (not the distinct values), so bins hold about
			// equal numbers of rows; duplicates collapse.
			for k := 1; k < nb; k++ {
				v := sorted[k*n/nb]
				if len(c) == 0 || v > c[len(c)-1] {
					c = append(c, v)
				}
			}
		}
		cuts[j] = c
		for i, v := range col {
			bins[i*p+j] = uint8(sort.SearchFloat64s(c, v))
		}
	}
	return cuts, bins
}

type histBin struct {
	g, h float64
	n    int32
}

type treeBuilder struct {
	prm   GBDTParams
	nb    int // histogram slots per feature
	tmp   []int32
	p, n  int
	bins  []uint8
	cuts  [][]float64
	g, h  []float64
	gain  []float64
	nodes []node
}

// grow builds one tree on the rows idx, adds its leaf values to f and returns it.
func (tb *treeBuilder) grow(idx []int32, f []float64) []node {
	tb.nodes = nil
	hist := tb.histogram(idx)
	tb.split(idx, hist, 0, f)
	return slices.Clone(tb.nodes)
}

// histogram returns the gradient histograms of the rows idx (in increasing order, so memory
// is read forwards), feature-major with nb slots per feature.
func (tb *treeBuilder) histogram(idx []int32) []histBin {
	nb, p := tb.nb, tb.p
	hist := make([]histBin, p*nb)
	g, h := tb.g, tb.h
	for _, i := range idx {
		gi, hi := g[i], h[i]
		row := tb.bins[int(i)*p : int(i)*p+p]
		for j, b := range row {
			e := &hist[j*nb+int(b)]
			e.g += gi
			e.h += hi
			e.n++
		}
	}
	return hist
}

// split adds a node for the rows idx (with histogram hist) at depth, recursing into children;
// it returns the node's index.
func (tb *treeBuilder) split(idx []int32, hist []histBin, depth int, f []float64) int32 {
	var G, H float64
	if hist != nil {
		for _, b := range hist[:tb.nb] {
			G += b.g
			H += b.h
		}
	} else {
		for _, i := range idx {
			G += tb.g[i]
			H += tb.h[i]
		}
	}
	lambda := tb.prm.Lambda
	me := int32(len(tb.nodes))
	tb.nodes = append(tb.nodes, node{Feature: -1, Value: -G / (H + lambda) * tb.prm.Rate})
	if hist == nil || depth >= tb.prm.Depth || len(idx) < 2*tb.prm.MinLeaf {
		for _, i := range idx {
			f[i] += tb.nodes[me].Value
		}
		return me
	}
	parent := G * G / (H + lambda)
	best, bestF, bestB := 1e-9, -1, 0
	minLeaf := int32(tb.prm.MinLeaf)
	total := int32(len(idx))
	for j := 0; j < tb.p; j++ {
		hj := hist[j*tb.nb : (j+1)*tb.nb]
		nc := len(tb.cuts[j])
		var gl, hl float64
		var nl int32
		for b := 0; b < nc; b++ {
			gl += hj[b].g
			hl += hj[b].h
			nl += hj[b].n
			if nl < minLeaf {
				continue
			}
			if total-nl < minLeaf {
				break
			}
			gr, hr := G-gl, H-hl
			gain := gl*gl/(hl+lambda) + gr*gr/(hr+lambda) - parent
			if gain > best {
				best, bestF, bestB = gain, j, b
			}
		}
	}
	if bestF < 0 {
		for _, i := range idx {
			f[i] += tb.nodes[me].Value
		}
		return me
	}
	tb.gain[bestF] += best
	// Stable partition of idx: rows with bin ≤ bestB first, both parts still increasing.
	lo := 0
	right := tb.tmp[:0]
	for _, i := range idx {
		if int(tb.bins[int(i)*tb.p+bestF]) <= bestB {
			idx[lo] = i
			lo++
		} else {
			right = append(right, i)
		}
	}
	copy(idx[lo:], right)
	left, right := idx[:lo], idx[lo:]
	var histL, histR []histBin
	if depth+1 < tb.prm.Depth {
		histL, histR = tb.childHists(left, right, hist)
	}
	tb.nodes[me].Feature = bestF
	tb.nodes[me].Threshold = tb.cuts[bestF][bestB]
	l := tb.split(left, histL, depth+1, f)
	r := tb.split(right, histR, depth+1, f)
	tb.nodes[me].Left, tb.nodes[me].Right = l, r
	return me
}

// childHists returns the histograms of the two children of a split: the smaller child's is
// built from its rows, the larger one's is the parent's minus it (in the parent's storage).
func (tb *treeBuilder) childHists(left, right []int32, hist []histBin) (histL, histR []histBin) {
	small := left
	if len(right) < len(left) {
		small = right
	}
	hs := tb.histogram(small)
	hl := hist // reuse the parent's storage for the larger child
	for k := range hl {
		hl[k].g -= hs[k].g
		hl[k].h -= hs[k].h
		hl[k].n -= hs[k].n
	}
	if len(left) <= len(right) {
		return hs, hl
	}
	return hl, hs
}

// logOdds returns the model's log-odds for x.
func (m *GBDT) logOdds(x []float64) float64 {
	s := m.Base
	for _, t := range m.Trees {
		k := int32(0)
		for t[k].Feature >= 0 {
			if x[t[k].Feature] <= t[k].Threshold {
				k = t[k].Left
			} else {
				k = t[k].Right
			}
		}
		s += t[k].Value
	}
	return s
}

// Prob returns the predicted churn probability for x.
func (m *GBDT) Prob(x []float64) float64 { return sigmoid(m.logOdds(x)) }

// Contrib splits x's log-odds into per-feature parts by following each tree's path (Saabas'
// method): every split adds the change of node value from parent to child to the split's
// feature. It returns the bias: Base plus the trees' root values.
func (m *GBDT) Contrib(x []float64, c []float64) float64 {
	bias := m.Base
	for _, t := range m.Trees {
		k := int32(0)
		bias += t[0].Value
		for t[k].Feature >= 0 {
			next := t[k].Right
			if x[t[k].Feature] <= t[k].Threshold {
				next = t[k].Left
			}
			c[t[k].Feature] += t[next].Value - t[k].Value
			k = next
		}
	}
	return bias
}

// Importance returns each feature's share of the total split gain.
func (m *GBDT) Importance() []float64 { return slices.Clone(m.gain) }
