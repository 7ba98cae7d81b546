package churn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

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

// learner fits a model to some rows of one matrix (indexes, increasing), whose labels it
// knows. It may prepare the matrix once for all the fits (the trees bin it), so it must be
// safe to call concurrently.
type learner func(rows []int32) (Model, error)

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

// cvRun is one cross-validation under way: fold(f) fits and scores fold f, in any order or
// concurrently; result gathers them.
type cvRun struct {
	x      *Matrix
	y      []bool
	k      int
	foldOf []int
	fit    learner
	res    *CVResult
	errs   []error
}

// newCV prepares a stratified k-fold cross-validation of fit on (x, y): for each fold, fit
// on the other folds and predict probabilities for this one. AUC is computed from the
// predicted probabilities (never from thresholded labels); the result does not depend on the
// order the folds finish in. It returns an error when a class has fewer than k rows.
func newCV(x *Matrix, y []bool, k int, seed uint64, top float64, fit learner) (*cvRun, error) {
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if k < 2 || pos < k || len(y)-pos < k {
		return nil, fmt.Errorf("cross-validation: %d churned and %d retained rows are too few for %d folds", pos, len(y)-pos, k)
	}
	return &cvRun{x: x, y: y, k: k, foldOf: Folds(y, k, seed), fit: fit, errs: make([]error, k),
		res: &CVResult{OOF: make([]float64, len(y)), FoldAUC: make([]float64, k), TopShare: top,
			BaseRate: float64(pos) / float64(len(y))}}, nil
}

// fold fits the model on every fold but f and scores fold f.
func (c *cvRun) fold(f int) {
	var train []int32
	var test []int
	for i := range c.y {
		if c.foldOf[i] == f {
			test = append(test, i)
		} else {
			train = append(train, int32(i))
		}
	}
	m, err := c.fit(train)
	if err != nil {
		c.errs[f] = err
		return
	}
	ps := make([]float64, len(test))
	ys := make([]bool, len(test))
	for n, i := range test {
		ps[n] = m.Prob(c.x.Row(i))
		ys[n] = c.y[i]
		c.res.OOF[i] = ps[n]
	}
	c.res.FoldAUC[f] = stats.AUC(ps, ys)
}

// result returns the cross-validation's outcome once every fold is done, or the first fold's
// error.
func (c *cvRun) result() (*CVResult, error) {
	for _, err := range c.errs {
		if err != nil {
			return nil, err
		}
	}
	res := c.res
	for _, a := range res.FoldAUC {
		res.AUC += a / float64(c.k)
	}
	res.PooledAUC = stats.AUC(res.OOF, c.y)
	kTop := int(float64(len(c.y))*res.TopShare + 0.5)
	res.Precision = stats.PrecisionAtK(res.OOF, c.y, kTop)
	return res, nil
}

// parallel runs job(0) … job(n−1) on GOMAXPROCS goroutines, taking jobs in that order, and
// returns when all are done.
func parallel(n int, job func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				job(i)
			}
		})
	}
	wg.Wait()
}
