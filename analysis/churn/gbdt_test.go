package churn

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi/internal/synth"
)

func TestBinsHandWorked(t *testing.T) {
	// Column 0 has three distinct values (≤ 4 bins): one bin per value, cut halfway.
	// Column 1 has eight (> 4): quantile cuts at sorted[k·8/4] = sorted[2], [4], [6] = 3, 5, 7,
	// so 1–3 → bin 0, 4–5 → 1, 6–7 → 2, 8 → 3.
	// Column 2 has three values, the middle one most often: its default bin is 1.
	x := &Matrix{Rows: 8, Cols: 3, X: []float64{
		1, 1, 0,
		1, 2, 0,
		2, 3, 0,
		5, 4, 1,
		1, 5, 1,
		2, 6, 1,
		1, 7, 1,
		5, 8, 2,
	}}
	b := binMatrix(x, 4)
	wantCuts := [][]float64{{1.5, 3.5}, {3, 5, 7}, {0.5, 1.5}}
	if !reflect.DeepEqual(b.cuts, wantCuts) {
		t.Errorf("cuts %v, want %v", b.cuts, wantCuts)
	}
	wantCol := [][]uint8{{0, 0, 1, 2, 0, 1, 0, 2}, {0, 0, 0, 1, 1, 2, 2, 3}, {0, 0, 0, 1, 1, 1, 1, 2}}
	for j, want := range wantCol {
		if got := b.col[j*8 : j*8+8]; !slices.Equal(got, want) {
			t.Errorf("column %d bins %v, want %v", j, got, want)
		}
	}
	// Slots: column 0 → 0–2, column 1 → 3–6, column 2 → 7–9. Default (most frequent) bins:
	// 0 (four rows), 0 (three rows), 1 (four rows).
	if !slices.Equal(b.off, []int{0, 3, 7, 10}) || !slices.Equal(b.def, []uint8{0, 0, 1}) {
		t.Errorf("off %v def %v, want [0 3 7 10] [0 0 1]", b.off, b.def)
	}
	// Each row lists its slots outside the default bins.
	want := [][]uint16{{7}, {7}, {1, 7}, {2, 4}, {4}, {1, 5}, {5}, {2, 6, 9}}
	for i, w := range want {
		if got := b.slot16[b.start[i]:b.start[i+1]]; !slices.Equal(got, w) {
			t.Errorf("row %d slots %v, want %v", i, got, w)
		}
	}
	// bin(v) ≤ b exactly when v ≤ cuts[b]: the thresholds the trees predict with.
	for j := 0; j < 3; j++ {
		for i := 0; i < 8; i++ {
			v := x.X[i*3+j]
			for k, c := range b.cuts[j] {
				if (int(b.col[j*8+i]) <= k) != (v <= c) {
					t.Errorf("column %d row %d: bin %d, value %v, cut %d at %v", j, i, b.col[j*8+i], v, k, c)
				}
			}
		}
	}
	// Repeated values collapse quantile cuts: 0 0 0 0 0 1 2 3 4 in 4 bins cuts at sorted[2],
	// sorted[4] (both 0, one cut) and sorted[6] = 2.
	b = binMatrix(&Matrix{Rows: 9, Cols: 1, X: []float64{0, 0, 0, 0, 0, 1, 2, 3, 4}}, 4)
	if !slices.Equal(b.cuts[0], []float64{0, 2}) || !slices.Equal(b.col, []uint8{0, 0, 0, 0, 0, 1, 1, 2, 2}) {
		t.Errorf("repeated values: cuts %v bins %v, want [0 2] [0 0 0 0 0 1 1 2 2]", b.cuts[0], b.col)
	}
}

// splitData is six rows worked by hand: gradients g = 4, −1, 1, −1, −1, −2 (G = 0), hessians
// 1 (H = 6), λ = 1, so the parent term is 0 and a cut with G_L on the left of n_L rows gains
// G_L²/(n_L+1) + G_L²/(6−n_L+1).
//
// Feature 0 is 1…6 (one bin per value); cutting after the first n_L rows leaves G_L = 4, 3, 4,
// 3, 2: gains 32/3, 4.8, 8, 4.8, 8/3. Feature 1 is 0 for rows 0 and 2, else 1: G_L = 5 on
// two rows, gain 25/3 + 25/5 = 40/3, the best of all. Its default bin is 1 (four rows), so
// its histogram's bin 1 is the node's totals minus bin 0.
func splitData() (*binned, []float64, []float64) {
	x := &Matrix{Rows: 6, Cols: 2, X: []float64{1, 0, 2, 1, 3, 0, 4, 1, 5, 1, 6, 1}}
	return binMatrix(x, 64), []float64{4, -1, 1, -1, -1, -2}, []float64{1, 1, 1, 1, 1, 1}
}

func TestHistogramHandWorked(t *testing.T) {
	bd, g, h := splitData()
	if bd.def[1] != 1 {
		t.Fatalf("feature 1 default bin %d, want 1", bd.def[1])
	}
	hist := make([]histBin, bd.off[bd.p])
	bd.histogram(hist, allRows(6), g, h, 0, 6)
	want := []histBin{{4, 1, 1}, {-1, 1, 1}, {1, 1, 1}, {-1, 1, 1}, {-1, 1, 1}, {-2, 1, 1}, // feature 0
		{5, 2, 2}, {-5, 4, 4}} // feature 1: rows 0, 2 and the rest
	if !slices.Equal(hist, want) {
		t.Errorf("histogram %v, want %v", hist, want)
	}
	// Rows 1, 3, 4 (G = −3, H = 3): feature 1's default bin holds all three.
	hist = make([]histBin, bd.off[bd.p])
	bd.histogram(hist, []int32{1, 3, 4}, g, h, -3, 3)
	if got := hist[bd.off[1]:]; !slices.Equal(got, []histBin{{0, 0, 0}, {-3, 3, 3}}) {
		t.Errorf("rows 1, 3, 4: feature 1 histogram %v", got)
	}
}

func TestBestSplitHandWorked(t *testing.T) {
	bd, g, h := splitData()
	hist := make([]histBin, bd.off[bd.p])
	bd.histogram(hist, allRows(6), g, h, 0, 6)
	for _, c := range []struct {
		minLeaf   int32
		f, b      int
		gain, gl  float64
		reasoning string
	}{
		{1, 1, 0, 40.0 / 3, 5, "feature 1's two rows"},
		{2, 1, 0, 40.0 / 3, 5, "two rows are enough"},
		{3, 0, 2, 8, 4, "feature 1's cut leaves two rows; feature 0 can only cut 3 | 3"},
		{4, -1, 0, 0, 0, "no cut leaves four rows on both sides"},
	} {
		sp := bestSplit(bd, hist, 0, 6, 6, c.minLeaf, 1)
		if sp.f != c.f || sp.b != c.b || math.Abs(sp.gain-c.gain) > 1e-12 || sp.gl != c.gl {
			t.Errorf("min leaf %d: split %+v, want feature %d bin %d gain %v G_L %v (%s)", c.minLeaf, sp, c.f, c.b, c.gain, c.gl, c.reasoning)
		}
	}
	// Without feature 1, the unconstrained best is feature 0 after its first row (32/3).
	hist0 := hist[:bd.off[1]]
	one := &binned{p: 1, off: bd.off[:2], def: bd.def[:1]}
	if sp := bestSplit(one, hist0, 0, 6, 6, 1, 1); sp.f != 0 || sp.b != 0 || math.Abs(sp.gain-32.0/3) > 1e-12 {
		t.Errorf("feature 0 alone: %+v, want bin 0 gain 32/3", sp)
	}
}

// TestGBDTDeterministic checks that the trees do not depend on scheduling: the same data give
// the same trees fitted alone or through the learner (bins cut once), and the same
// cross-validation on every run with folds fitted concurrently.
func TestGBDTDeterministic(t *testing.T) {
	d := synth.Dataset(synth.Options{Customers: 3000, Orders: 30000, Seed: 3})
	bl := NewBuilder(d)
	asOf := d.LastOrderAt()
	cut := asOf.Add(-90 * 24 * time.Hour)
	var rows []int
	var y []bool
	for i := range d.Customers {
		if bl.HasPurchase(i, cut) {
			rows = append(rows, i)
			y = append(y, !bl.PurchasedIn(i, cut, asOf))
		}
	}
	f := bl.Frame(cut, rows)
	x := FitEncoder(f).Transform(f)
	a, err := FitGBDT(x, y, GBDTParams{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := gbdtLearner(x, y, GBDTParams{})(allRows(x.Rows))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("FitGBDT and the learner on all rows grow different trees")
	}
	var first *CVResult
	for run := 0; run < 2; run++ {
		cv, err := newCV(x, y, 5, 7, 0.1, gbdtLearner(x, y, GBDTParams{}))
		if err != nil {
			t.Fatal(err)
		}
		parallel(5, cv.fold)
		res, err := cv.result()
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
			t.Logf("%d rows × %d features: fold AUCs %.4f", x.Rows, x.Cols, res.FoldAUC)
			continue
		}
		if !reflect.DeepEqual(res, first) {
			t.Fatalf("run %d: cross-validation differs from the first run", run)
		}
	}
}

// TestTopDrivers checks the no-allocation top-n selection against a stable sort, with ties,
// values at the 1e-9 floor and n = 0.
func TestTopDrivers(t *testing.T) {
	ref := func(c []float64, n int) []int {
		var idx []int
		for k, v := range c {
			if v > 1e-9 {
				idx = append(idx, k)
			}
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(c[b], c[a]) })
		return idx[:min(n, len(idx))]
	}
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		c := make([]float64, r.IntN(12))
		for k := range c {
			c[k] = float64(r.IntN(7)-3) / 2 // many ties
			if r.IntN(9) == 0 {
				c[k] = 1e-9
			}
		}
		n := r.IntN(5)
		var got []int
		for _, d := range topDrivers(c, n, func(k int) Driver { return Driver{Value: float64(k)} }) {
			got = append(got, int(d.Value))
		}
		if want := ref(c, n); !slices.Equal(got, want) {
			t.Fatalf("c %v n %d: %v, want %v", c, n, got, want)
		}
	}
}
