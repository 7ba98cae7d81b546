package churn

import (
	"slices"
	"sort"
)

// binned is a feature matrix cut into bins once, for growing trees from gradient histograms
// as LightGBM does. Each feature j has len(cuts[j])+1 bins; a value v falls in bin b = the
// number of cuts below v, so bin(v) ≤ b exactly when v ≤ cuts[j][b]. The bins of all features
// are numbered consecutively: feature j's bin b is histogram slot off[j]+b.
//
// The bins are stored twice. col holds every row's bin of feature j at col[j*n+i], for
// splitting a node's rows. Each row also lists only its slots outside the features' default
// (most frequent) bins, slot[start[i]:start[i+1]], for building histograms: most of a row's
// one-hot and count features sit in their default bin, and that bin's sums are the node's
// totals minus the feature's other bins, so a histogram costs the non-default entries only
// (18 of 52 per row on the synthetic benchmark).
type binned struct {
	n, p  int
	cuts  [][]float64
	off   []int   // first slot of feature j; off[p] is the number of slots
	def   []uint8 // default bin of each feature
	col   []uint8
	start []int32
	// The slots in 16 bits when there are at most 65,536, else in 32.
	slot16 []uint16
	slot32 []uint32
}

// maxBins is the most bins a feature gets (bins are stored in a byte).
const maxBins = 255

// binMatrix cuts each column of x into at most nb (2–255) bins. A column with at most nb
// distinct values gets one bin per value, cut halfway between neighbouring values; any other
// column is cut at quantiles of its rows (the value at every nb-th rank; repeated values
// collapse), so bins hold about equal numbers of rows.
func binMatrix(x *Matrix, nb int) *binned {
	n, p := x.Rows, x.Cols
	b := &binned{n: n, p: p, cuts: make([][]float64, p), off: make([]int, p+1), def: make([]uint8, p),
		col: make([]uint8, n*p)}
	vals, sorted := make([]float64, n), make([]float64, n)
	var distinct []float64
	for j := 0; j < p; j++ {
		for i := 0; i < n; i++ {
			vals[i] = x.X[i*p+j]
		}
		var cuts []float64
		if few := fewValues(vals, nb, distinct[:0]); few != nil {
			distinct = few
			slices.Sort(few)
			for k := 1; k < len(few); k++ {
				cuts = append(cuts, (few[k-1]+few[k])/2)
			}
		} else {
			copy(sorted, vals)
			slices.Sort(sorted)
			for k := 1; k < nb; k++ {
				v := sorted[k*n/nb]
				if len(cuts) == 0 || v > cuts[len(cuts)-1] {
					cuts = append(cuts, v)
				}
			}
		}
		b.cuts[j] = cuts
		b.off[j+1] = b.off[j] + len(cuts) + 1
		col := b.col[j*n : (j+1)*n]
		var count [maxBins + 1]int
		for i, v := range vals {
			k := sort.SearchFloat64s(cuts, v)
			col[i] = uint8(k)
			count[k]++
		}
		for k := 1; k <= len(cuts); k++ {
			if count[k] > count[b.def[j]] {
				b.def[j] = uint8(k)
			}
		}
	}
	b.start = make([]int32, n+1)
	if b.off[p] <= 1<<16 {
		b.slot16 = rowSlots[uint16](b)
	} else {
		b.slot32 = rowSlots[uint32](b)
	}
	return b
}

// rowSlots returns every row's non-default slots, in row order, and sets b.start.
func rowSlots[S uint16 | uint32](b *binned) []S {
	var slot []S
	for i := 0; i < b.n; i++ {
		for j := 0; j < b.p; j++ {
			if v := b.col[j*b.n+i]; v != b.def[j] {
				slot = append(slot, S(b.off[j]+int(v)))
			}
		}
		b.start[i+1] = int32(len(slot))
	}
	return slot
}

// fewValues returns the distinct values of vals (unsorted, appended to buf) when there are
// at most nb of them, else nil. It stops at the (nb+1)-th distinct value, so a continuous
// column costs only its first rows.
func fewValues(vals []float64, nb int, buf []float64) []float64 {
	few := buf
	for _, v := range vals {
		if !slices.Contains(few, v) {
			if len(few) == nb {
				return nil
			}
			few = append(few, v)
		}
	}
	return few
}

// histBin is one histogram slot: the sums of the gradients and hessians of a node's rows in
// the bin, and how many rows that is.
type histBin struct {
	g, h float64
	n    int32
}

// histogram fills hist (len off[p], zeroed) with the gradient histogram of the rows idx,
// whose gradient and hessian sums are G and H. The non-default slots are summed row by row
// (idx increasing, so memory is read forwards); each feature's default bin is then the
// totals minus the feature's other bins.
func (b *binned) histogram(hist []histBin, idx []int32, g, h []float64, G, H float64) {
	if b.slot16 != nil {
		accumulate(hist, idx, g, h, b.start, b.slot16)
	} else {
		accumulate(hist, idx, g, h, b.start, b.slot32)
	}
	N := int32(len(idx))
	for j := 0; j < b.p; j++ {
		sg, sh, sn := G, H, N
		d := b.off[j] + int(b.def[j])
		for k := b.off[j]; k < b.off[j+1]; k++ {
			if k != d {
				sg -= hist[k].g
				sh -= hist[k].h
				sn -= hist[k].n
			}
		}
		hist[d] = histBin{sg, sh, sn}
	}
}

// accumulate adds each row's gradient, hessian and a count of one to its non-default slots.
func accumulate[S uint16 | uint32](hist []histBin, idx []int32, g, h []float64, start []int32, slot []S) {
	for _, i := range idx {
		gi, hi := g[i], h[i]
		for _, s := range slot[start[i]:start[i+1]] {
			e := &hist[s]
			e.g += gi
			e.h += hi
			e.n++
		}
	}
}
