package clv

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/stats"
)

// FitOptions tunes a maximum-likelihood fit. The zero value is lifetimes' default: no penalty.
type FitOptions struct {
	// Penalty is an L2 penalty λ: the fit minimises −LL/N + λ·Σ θ² over the model's parameters
	// θ in their natural units (lifetimes' penalizer_coef).
	Penalty float64

	// warm, when set, is a starting point (log-parameters, fitted scale) already near the
	// optimum — a fit on a subsample — to be refined with Newton steps.
	warm []float64
}

// subsampleAbove is the number of customers above which a fit first runs on an evenly spaced
// subsample of about subsampleSize customers and then refines that on all of them.
const (
	subsampleAbove = 200_000
	subsampleSize  = 40_000
)

// every returns every k-th customer (k chosen for about subsampleSize), the first included.
func every(cs []Customer) []Customer {
	k := len(cs) / subsampleSize
	out := make([]Customer, 0, len(cs)/k+1)
	for i := 0; i < len(cs); i += k {
		out = append(out, cs[i])
	}
	return out
}

// Fit is what a maximum-likelihood fit reports besides the parameters.
type Fit struct {
	Names  []string  // parameter names in the model's order
	Params []float64 // estimates
	// SE are standard errors from the observed information (the inverse Hessian of −LL);
	// NaN for a parameter that ran all the way to 0 (the others are then conditional on it).
	SE        []float64
	LogLik    float64 // log-likelihood at the estimates (without the penalty)
	Customers float64 // customers (total weight) fitted
	Rows      int     // distinct rows the likelihood was evaluated on
	// Boundary names the parameters at their lower boundary: the likelihood-ratio test does
	// not reject the parameter being 0 (taking it to 0 costs less than 1.92 in log-likelihood).
	// Their estimate is where the optimiser stopped on the flat likelihood.
	Boundary []string
	Status   string // optimiser's stopping reason
	// Evaluations counts likelihood evaluations over all starts (gradients included).
	Evaluations int
}

// logLower is the log of a parameter value that counts as 0 (e^−18 ≈ 1.5e-8).
const logLower = -18

// fitLog minimises an objective over log-parameters from the starting points, keeps the best,
// and fills Fit: parameters (exp of θ), boundary flags, standard errors from the Hessian of
// the total negative log-likelihood in log space (delta method: SE(p) = p·SE(log p)).
// nll returns the mean negative log-likelihood (and gradient) without penalty; scale maps the
// fitted parameters back to natural units.
func fitLog(names []string, nll stats.Objective, n float64, starts [][]float64, o FitOptions,
	natural func(p []float64) []float64) (Fit, []float64, error) {
	if o.Penalty < 0 || math.IsNaN(o.Penalty) {
		return Fit{}, nil, kexi.Errorf(kexi.EINVALID, "clv: penalty must be ≥ 0, not %g", o.Penalty)
	}
	k := len(names)
	obj := func(th, grad []float64) float64 {
		f := nll(th, grad)
		if o.Penalty > 0 {
			p := natural(expAll(th))
			for i := range th {
				f += o.Penalty * p[i] * p[i]
				if grad != nil {
					grad[i] += 2 * o.Penalty * p[i] * p[i] // d(p²)/dθ = 2p² for p ∝ e^θ
				}
			}
		}
		// Keep the optimiser out of the numerically meaningless far region.
		for i := range th {
			if th[i] < logLower-12 || th[i] > 30 {
				return math.Inf(1)
			}
		}
		return f
	}
	var best *stats.Minimum
	var lastErr error
	evals := 0
	if o.warm != nil {
		m := stats.Newton(obj, o.warm, 1e-9, 20)
		evals += m.Evaluations
		if m.Status == "GradientThreshold" || m.Status == "NewtonDecrement" {
			best = &m
		} else {
			starts = append([][]float64{m.X}, starts...)
		}
	}
	for _, s := range starts {
		if best != nil && best.Status != "" && best.Status != "IterationLimit" && best.Status != "NotPositiveDefinite" && best.Status != "NoDecrease" {
			break // converged: the further starts are only for when this one fails
		}
		m, err := stats.Minimize(obj, s, 1e-9)
		evals += m.Evaluations
		if err != nil {
			lastErr = err
			continue
		}
		if best == nil || m.F < best.F {
			best = &m
		}
	}
	if best == nil {
		return Fit{}, nil, fmt.Errorf("clv: fit did not converge: %w", lastErr)
	}
	th := best.X
	f := Fit{Names: names, Params: natural(expAll(th)), Customers: n, Status: best.Status,
		SE: make([]float64, k), Evaluations: evals}
	// A parameter is at its lower boundary when the data cannot tell it from 0: setting it to
	// (nearly) 0 lowers the log-likelihood by less than 1.92, so the likelihood-ratio test
	// (χ², 1 df, 5 %) does not reject 0. The optimiser stops wherever the likelihood goes flat
	// (a = 0.0034 on Online Retail, 0.12 above a = 0), so the value itself is not the test.
	base := nll(th, nil) * n
	free := []int{}
	for i := range th {
		t2 := append([]float64(nil), th...)
		t2[i] = logLower - 2
		if th[i] < logLower || nll(t2, nil)*n-base < 1.92 {
			f.Boundary = append(f.Boundary, names[i])
		}
		if th[i] < logLower {
			f.SE[i] = math.NaN()
			continue
		}
		free = append(free, i)
	}
	// Standard errors over the free parameters.
	h := stats.Hessian(func(x, g []float64) float64 {
		full := append([]float64(nil), th...)
		for j, i := range free {
			full[i] = x[j]
		}
		gf := make([]float64, k)
		v := nll(full, gf)
		for j, i := range free {
			g[j] = gf[i] * n
		}
		return v * n
	}, pick(th, free))
	var cov mat.Dense
	if err := cov.Inverse(h); err == nil {
		for j, i := range free {
			v := cov.At(j, j)
			if v > 0 {
				f.SE[i] = f.Params[i] * math.Sqrt(v)
			} else {
				f.SE[i] = math.NaN()
			}
		}
	} else {
		for _, i := range free {
			f.SE[i] = math.NaN()
		}
	}
	return f, th, nil
}

func expAll(th []float64) []float64 {
	p := make([]float64, len(th))
	for i, v := range th {
		p[i] = math.Exp(v)
	}
	return p
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for j, i := range idx {
		out[j] = v[i]
	}
	return out
}
