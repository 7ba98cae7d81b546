package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Objective is a function to minimise. It returns f(x) and, when grad is not nil, stores the
// gradient ∇f(x) in grad. It must not modify x.
type Objective func(x, grad []float64) float64

// Minimum is where Minimize stopped.
type Minimum struct {
	X           []float64
	F           float64
	Evaluations int    // function evaluations
	Status      string // gonum's termination status
}

// Minimize finds a local minimum of f starting from x0 with gonum's BFGS and More–Thuente line
// search. It stops when the largest gradient component is below gradTol or f stops improving
// by more than 1e-12 (absolute) over 20 iterations. When BFGS fails (a line search that cannot
// make progress, usually near a flat boundary) it restarts once with Nelder–Mead from the best
// point and polishes with BFGS again. Non-finite values of f are treated as +Inf, so line
// searches back off from them. It returns an error only when no finite value was found.
func Minimize(f Objective, x0 []float64, gradTol float64) (Minimum, error) {
	evals := 0
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			evals++
			v := f(x, nil)
			if math.IsNaN(v) {
				return math.Inf(1)
			}
			return v
		},
		Grad: func(grad, x []float64) {
			f(x, grad)
			for i, g := range grad {
				if math.IsNaN(g) || math.IsInf(g, 0) {
					grad[i] = 0
				}
			}
		},
	}
	run := func(x []float64, m optimize.Method) (*optimize.Result, error) {
		s := &optimize.Settings{
			GradientThreshold: gradTol,
			Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 20},
			MajorIterations:   2000,
		}
		return optimize.Minimize(p, x, s, m)
	}
	res, err := run(x0, &optimize.BFGS{})
	if err != nil || res == nil || math.IsInf(res.F, 0) {
		start := x0
		if res != nil && !math.IsInf(res.F, 0) {
			start = res.X
		}
		nm, err2 := run(start, &optimize.NelderMead{})
		if err2 == nil || (nm != nil && !math.IsInf(nm.F, 0)) {
			res, err = run(nm.X, &optimize.BFGS{})
			if err != nil || res == nil || res.F > nm.F {
				res, err = nm, nil
			}
		}
	}
	if res == nil || math.IsInf(res.F, 0) || math.IsNaN(res.F) {
		if err == nil {
			err = errors.New("no finite value")
		}
		return Minimum{}, fmt.Errorf("minimize: %w", err)
	}
	return Minimum{X: res.X, F: res.F, Evaluations: evals, Status: res.Status.String()}, nil
}

// NumGrad turns a value-only function into an Objective whose gradient is computed by central
// differences (gonum/diff/fd), for likelihoods without an analytic gradient.
func NumGrad(f func(x []float64) float64) Objective {
	return func(x, grad []float64) float64 {
		if grad != nil {
			fd.Gradient(grad, f, x, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		}
		return f(x)
	}
}

// Hessian returns the Hessian of f at x, by central differences of f's gradient (symmetrised).
func Hessian(f Objective, x []float64) *mat.SymDense {
	n := len(x)
	h := mat.NewSymDense(n, nil)
	xp := make([]float64, n)
	gp := make([]float64, n)
	gm := make([]float64, n)
	rows := make([][]float64, n)
	for i := range n {
		step := 1e-5 * math.Max(1, math.Abs(x[i]))
		copy(xp, x)
		xp[i] = x[i] + step
		f(xp, gp)
		xp[i] = x[i] - step
		f(xp, gm)
		rows[i] = make([]float64, n)
		for j := range n {
			rows[i][j] = (gp[j] - gm[j]) / (2 * step)
		}
	}
	for i := range n {
		for j := i; j < n; j++ {
			h.SetSym(i, j, (rows[i][j]+rows[j][i])/2)
		}
	}
	return h
}

// Newton refines x0, which must already be near a minimum, with Newton steps on the
// finite-difference Hessian of f's gradient and a backtracking line search; each iteration
// costs 1 + 2·len(x) gradient evaluations, and from a good start a few iterations reach the
// precision BFGS needs dozens of evaluations for. It stops when the largest gradient component
// is below gradTol or the Newton decrement gᵀH⁻¹g/2 is below 1e-14, after maxIter iterations, or when the Hessian is not positive definite or
// no step decreases f (the returned Status says which, and X is the best point seen).
func Newton(f Objective, x0 []float64, gradTol float64, maxIter int) Minimum {
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	fx := f(x, g)
	evals := 1
	xt := make([]float64, n)
	for it := 0; it < maxIter; it++ {
		if mat.Norm(mat.NewVecDense(n, g), math.Inf(1)) < gradTol {
			return Minimum{X: x, F: fx, Evaluations: evals, Status: "GradientThreshold"}
		}
		h := Hessian(f, x)
		evals += 2 * n
		var ch mat.Cholesky
		if !ch.Factorize(h) {
			return Minimum{X: x, F: fx, Evaluations: evals, Status: "NotPositiveDefinite"}
		}
		var d mat.VecDense
		if err := ch.SolveVecTo(&d, mat.NewVecDense(n, g)); err != nil {
			return Minimum{X: x, F: fx, Evaluations: evals, Status: "NotPositiveDefinite"}
		}
		// Newton decrement: gᵀH⁻¹g/2 predicts how much f can still fall. Below 1e-14 the
		// point is as good as floating point lets the gradient show (sums over a million terms
		// leave gradient noise near 1e-9).
		if mat.Dot(&d, mat.NewVecDense(n, g)) < 2e-14 {
			return Minimum{X: x, F: fx, Evaluations: evals, Status: "NewtonDecrement"}
		}
		step, improved := 1.0, false
		for range 30 {
			for i := range x {
				xt[i] = x[i] - step*d.AtVec(i)
			}
			ft := f(xt, nil)
			evals++
			if ft <= fx {
				improved = true
				copy(x, xt)
				fx = f(x, g)
				evals++
				break
			}
			step /= 2
		}
		if !improved {
			return Minimum{X: x, F: fx, Evaluations: evals, Status: "NoDecrease"}
		}
	}
	return Minimum{X: x, F: fx, Evaluations: evals, Status: "IterationLimit"}
}
