package churn

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/kexi/kexi/stats"
)

// Folds assigns each row to one of k folds, stratified by label: the positives and the
// negatives are each shuffled with the seed and dealt round-robin, so every fold has (to
// within one row) the same churn rate. It returns the fold of every row.
func Folds(y []bool, k int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x63687572))
	fold := make([]int, len(y))
	for _, class := range []bool{true, false} {
		var rows []int
		for i, v := range y {
			if v == class {
				rows = append(rows, i)
			}
		}
		r.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for n, i := range rows {
			fold[i] = n % k
		}
	}
	return fold
}

// Fitter fits a model to a training matrix.
type Fitter func(x *Matrix, y []bool) (Model, error)

// CVResult is the outcome of a cross-validation: the out-of-fold probability of every row
// (each predicted by the model that did not see it), the AUC of each fold and of all
// out-of-fold probabilities pooled, and precision among the top share of rows.
type CVResult struct {
	OOF       []float64
	FoldAUC   []float64
	AUC       float64 // mean of the fold AUCs
	PooledAUC float64
	Precision float64 // share of churners among the top TopShare of rows by OOF probability
	TopShare  float64
	BaseRate  float64
}

// CrossValidate runs stratified k-fold cross-validation of fit on (x, y): for each fold, fit
// on the other folds and predict probabilities for this one. AUC is computed from the
// predicted probabilities (never from thresholded labels). Folds are fitted concurrently; the
// result does not depend on the order they finish in. It returns an error when a class has
// fewer than k rows or a fit fails.
func CrossValidate(x *Matrix, y []bool, k int, seed uint64, top float64, fit Fitter) (*CVResult, error) {
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if k < 2 || pos < k || len(y)-pos < k {
		return nil, fmt.Errorf("cross-validation: %d churned and %d retained rows are too few for %d folds", pos, len(y)-pos, k)
	}
	fold := Folds(y, k, seed)
	res := &CVResult{OOF: make([]float64, len(y)), FoldAUC: make([]float64, k), TopShare: top,
		BaseRate: float64(pos) / float64(len(y))}
	errs := make([]error, k)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for f := 0; f < k; f++ {
		wg.Add(1)
		go func(f int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var train, test []int
			for i := range y {
				if fold[i] == f {
					test = append(test, i)
				} else {
					train = append(train, i)
				}
			}
			xt, yt := x.subset(train, y)
			m, err := fit(xt, yt)
			if err != nil {
				errs[f] = err
				return
			}
			ps := make([]float64, len(test))
			ys := make([]bool, len(test))
			for n, i := range test {
				ps[n] = m.Prob(x.Row(i))
				ys[n] = y[i]
				res.OOF[i] = ps[n]
			}
			res.FoldAUC[f] = stats.AUC(ps, ys)
		}(f)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, a := range res.FoldAUC {
		res.AUC += a / float64(k)
	}
	res.PooledAUC = stats.AUC(res.OOF, y)
	kTop := int(float64(len(y))*top + 0.5)
	res.Precision = stats.PrecisionAtK(res.OOF, y, kTop)
	return res, nil
}
