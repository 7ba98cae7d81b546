package churn

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// GBDTParams are the settings of the gradient-boosted trees. Zero values get defaults:
// 150 trees of depth 3, learning rate 0.1, at least 20 rows per leaf, L2 penalty 1 on leaf
// values, 64 bins per feature (at most 255).
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
	if p.Bins <= 1 || p.Bins > maxBins {
		p.Bins = 64
	}
	return p
}

// GBDT is a fitted histogram-based gradient-boosted decision tree model for log-loss: the
// log-odds of churn is Base plus the sum of the trees' leaf values.
//
// It is written here rather than taken from a library: the few pure-Go GBDT packages are
// unmaintained or wrap C (LightGBM, XGBoost need cgo, which the single static binary avoids),
// and the algorithm is small. As in LightGBM, features are cut into at most Bins quantile
// bins once (bins.go; for cross-validation once for all folds); each tree is grown to Depth
// with second-order (Newton) leaf values −G/(H+λ), splits chosen by the gain
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) on per-bin gradient histograms. A histogram sums
// only the bins where a row is not at the feature's most frequent value, and only the smaller
// child's is built from rows: the larger child's is the parent's minus it.
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
	if x.Rows == 0 || len(y) != x.Rows {
		return nil, fmt.Errorf("fit gradient-boosted trees: %d rows, %d labels", x.Rows, len(y))
	}
	return fitBinned(binMatrix(x, prm.Bins), y, allRows(x.Rows), prm), nil
}

// gbdtLearner returns a learner that bins x once and fits trees on any subset of its rows, as
// LightGBM's cross-validation does: every fold's trees use the same bins, cut from all rows
// (no labels are used to cut them).
func gbdtLearner(x *Matrix, y []bool, prm GBDTParams) learner {
	prm = prm.withDefaults()
	var once sync.Once
	var bd *binned
	return func(rows []int32) (Model, error) {
		if len(rows) == 0 {
			return nil, fmt.Errorf("fit gradient-boosted trees: no rows")
		}
		once.Do(func() { bd = binMatrix(x, prm.Bins) })
		return fitBinned(bd, y, rows, prm), nil
	}
}

// allRows returns 0, 1, …, n−1.
func allRows(n int) []int32 {
	rows := make([]int32, n)
	for i := range rows {
		rows[i] = int32(i)
	}
	return rows
}

// fitBinned grows prm.Trees trees on the rows (increasing) of the binned matrix bd, whose
// labels are y (indexed like bd's rows).
func fitBinned(bd *binned, y []bool, rows []int32, prm GBDTParams) *GBDT {
	pos := 0
	for _, i := range rows {
		if y[i] {
			pos++
		}
	}
	n := len(rows)
	m := &GBDT{gain: make([]float64, bd.p)}
	if pos > 0 && pos < n {
		m.Base = math.Log(float64(pos) / float64(n-pos))
	}
	// Current log-odds, gradients and hessians, indexed like bd's rows (only rows are used).
	f := make([]float64, bd.n)
	g := make([]float64, bd.n)
	h := make([]float64, bd.n)
	for _, i := range rows {
		f[i] = m.Base
	}
	idx := make([]int32, n)
	tb := &treeBuilder{prm: prm, bd: bd, tmp: make([]int32, n), g: g, h: h, gain: m.gain}
	label := make([]float64, bd.n) // 1 churned, 0 retained: gradients without a branch
	for _, i := range rows {
		if y[i] {
			label[i] = 1
		}
	}
	for t := 0; t < prm.Trees; t++ {
		for _, i := range rows {
			pr := sigmoid(f[i])
			g[i] = pr - label[i]
			h[i] = max(pr*(1-pr), 1e-12)
		}
		copy(idx, rows)
		m.Trees = append(m.Trees, tb.grow(idx, f))
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
	return m
}

type treeBuilder struct {
	prm   GBDTParams
	bd    *binned
	tmp   []int32
	g, h  []float64
	gain  []float64
	nodes []node
	free  [][]histBin // histograms to reuse
}

// grow builds one tree on the rows idx, adds its leaf values to f and returns it.
func (tb *treeBuilder) grow(idx []int32, f []float64) []node {
	tb.nodes = tb.nodes[:0]
	G, H := tb.sums(idx)
	var hist []histBin
	if tb.prm.Depth > 0 && len(idx) >= 2*tb.prm.MinLeaf {
		hist = tb.newHist()
		tb.bd.histogram(hist, idx, tb.g, tb.h, G, H)
	}
	tb.split(idx, G, H, hist, 0, f)
	return slices.Clone(tb.nodes)
}

// sums returns the gradient and hessian sums of the rows idx.
func (tb *treeBuilder) sums(idx []int32) (G, H float64) {
	for _, i := range idx {
		G += tb.g[i]
		H += tb.h[i]
	}
	return G, H
}

// newHist returns a zeroed histogram, reusing a released one when it can.
func (tb *treeBuilder) newHist() []histBin {
	if k := len(tb.free); k > 0 {
		hist := tb.free[k-1]
		tb.free = tb.free[:k-1]
		clear(hist)
		return hist
	}
	return make([]histBin, tb.bd.off[tb.bd.p])
}

// release returns a histogram for reuse (nil: nothing).
func (tb *treeBuilder) release(hist []histBin) {
	if hist != nil {
		tb.free = append(tb.free, hist)
	}
}

// split adds a node for the rows idx (gradient sums G, H; histogram hist, nil when the node is
// not to be split) at depth, recursing into children; it returns the node's index. It releases
// hist.
func (tb *treeBuilder) split(idx []int32, G, H float64, hist []histBin, depth int, f []float64) int32 {
	lambda := tb.prm.Lambda
	me := int32(len(tb.nodes))
	tb.nodes = append(tb.nodes, node{Feature: -1, Value: -G / (H + lambda) * tb.prm.Rate})
	sp := cut{f: -1}
	if hist != nil && depth < tb.prm.Depth && len(idx) >= 2*tb.prm.MinLeaf {
		sp = bestSplit(tb.bd, hist, G, H, int32(len(idx)), int32(tb.prm.MinLeaf), lambda)
	}
	if sp.f < 0 {
		tb.release(hist)
		v := tb.nodes[me].Value
		for _, i := range idx {
			f[i] += v
		}
		return me
	}
	tb.gain[sp.f] += sp.gain
	// Stable partition of idx: rows with bin ≤ sp.b first, both parts still increasing. Every
	// row is written to both sides and only one side's end moves on, without a branch.
	bd := tb.bd
	col := bd.col[sp.f*bd.n : (sp.f+1)*bd.n]
	lo, hi := 0, 0
	right := tb.tmp[:len(idx)]
	b := uint8(sp.b)
	for _, i := range idx {
		l := 0
		if col[i] <= b {
			l = 1
		}
		idx[lo] = i
		right[hi] = i
		lo += l
		hi += 1 - l
	}
	copy(idx[lo:], right[:hi])
	left, right := idx[:lo], idx[lo:]
	// The children's sums come from the histogram, as the split's gain did.
	GL, HL := sp.gl, sp.hl
	GR, HR := G-GL, H-HL
	var histL, histR []histBin
	if depth+1 < tb.prm.Depth {
		histL, histR = tb.childHists(left, right, GL, HL, GR, HR, hist)
	} else {
		tb.release(hist)
	}
	tb.nodes[me].Feature = sp.f
	tb.nodes[me].Threshold = bd.cuts[sp.f][sp.b]
	l := tb.split(left, GL, HL, histL, depth+1, f)
	r := tb.split(right, GR, HR, histR, depth+1, f)
	tb.nodes[me].Left, tb.nodes[me].Right = l, r
	return me
}

// cut is a split of a node: rows with feature f in bins ≤ b go left. gl and hl are the left
// rows' gradient and hessian sums.
type cut struct {
	f, b         int
	gain, gl, hl float64
}

// bestSplit searches the histogram hist of a node with N rows and gradient sums G, H for the
// split of largest gain
//
//	G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)
//
// that leaves at least minLeaf rows on each side. It returns f = −1 when no split gains more
// than 1e-9. Ties go to the lowest feature, then the lowest bin.
func bestSplit(bd *binned, hist []histBin, G, H float64, N, minLeaf int32, lambda float64) cut {
	parent := G * G / (H + lambda)
	best := cut{f: -1, gain: 1e-9}
	for j := 0; j < bd.p; j++ {
		hj := hist[bd.off[j]:bd.off[j+1]]
		var gl, hl float64
		var nl int32
		for k := 0; k < len(hj)-1; k++ { // the last bin cannot be left of a cut
			gl += hj[k].g
			hl += hj[k].h
			nl += hj[k].n
			if nl < minLeaf {
				continue
			}
			if N-nl < minLeaf {
				break
			}
			gr, hr := G-gl, H-hl
			if g := gl*gl/(hl+lambda) + gr*gr/(hr+lambda) - parent; g > best.gain {
				best = cut{f: j, b: k, gain: g, gl: gl, hl: hl}
			}
		}
	}
	if best.f < 0 {
		return cut{f: -1}
	}
	return best
}

// childHists returns the histograms of the two children of a split: the smaller child's is
// built from its rows, the larger one's is the parent's minus it (in the parent's storage).
func (tb *treeBuilder) childHists(left, right []int32, GL, HL, GR, HR float64, hist []histBin) (histL, histR []histBin) {
	small, G, H := left, GL, HL
	if len(right) < len(left) {
		small, G, H = right, GR, HR
	}
	hs := tb.newHist()
	tb.bd.histogram(hs, small, tb.g, tb.h, G, H)
	for k := range hist {
		hist[k].g -= hs[k].g
		hist[k].h -= hs[k].h
		hist[k].n -= hs[k].n
	}
	if len(right) < len(left) {
		return hist, hs
	}
	return hs, hist
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
