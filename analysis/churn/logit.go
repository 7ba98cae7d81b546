package churn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// Logit is an L2-regularised logistic regression: P(churn | x) = σ(B + W·x). Features are
// expected standardised, so the size of W[j] says how strongly feature j moves the log-odds
// per standard deviation.
type Logit struct {
	W []float64
	B float64
}

// FitLogit fits a logistic regression to the rows of x and labels y by minimising the
// penalised negative log-likelihood
//
//	Σᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + λ/2 ‖W‖²,   zᵢ = B + W·xᵢ
//
// (the intercept B is not penalised) with gonum's L-BFGS and the analytic gradient
// Σᵢ (σ(zᵢ) − yᵢ) xᵢ + λW. The objective is scaled by 1/n so that the gradient threshold does
// not depend on the number of rows. It returns an error when x is empty or the optimiser fails.
func FitLogit(x *Matrix, y []bool, lambda float64) (*Logit, error) {
	n, p := x.Rows, x.Cols
	if n == 0 || len(y) != n {
		return nil, fmt.Errorf("fit logistic regression: %d rows, %d labels", n, len(y))
	}
	inv := 1 / float64(n)
	z := make([]float64, n)
	// eval computes the objective and, when grad is non-nil, its gradient. params = (W, B).
	eval := func(params, grad []float64) float64 {
		w, b := params[:p], params[p]
		var f float64
		if grad != nil {
			for j := range grad {
				grad[j] = 0
			}
		}
		for i := 0; i < n; i++ {
			row := x.X[i*p : (i+1)*p]
			s := b
			for j, v := range row {
				s += w[j] * v
			}
			z[i] = s
			// log(1+e^s) computed without overflow.
			if s > 0 {
				f += s + math.Log1p(math.Exp(-s))
			} else {
				f += math.Log1p(math.Exp(s))
			}
			if y[i] {
				f -= s
			}
			if grad != nil {
				r := sigmoid(s)
				if y[i] {
					r--
				}
				for j, v := range row {
					grad[j] += r * v
				}
				grad[p] += r
			}
		}
		var pen float64
		for j := 0; j < p; j++ {
			pen += w[j] * w[j]
			if grad != nil {
				grad[j] = (grad[j] + lambda*w[j]) * inv
			}
		}
		if grad != nil {
			grad[p] *= inv
		}
		return (f + lambda/2*pen) * inv
	}
	prob := optimize.Problem{
		Func: func(params []float64) float64 { return eval(params, nil) },
		Grad: func(grad, params []float64) { eval(params, grad) },
	}
	init := make([]float64, p+1)
	// Start the intercept at the log-odds of the base rate.
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if pos > 0 && pos < n {
		init[p] = math.Log(float64(pos) / float64(n-pos))
	}
	res, err := optimize.Minimize(prob, init, &optimize.Settings{
		GradientThreshold: 1e-7,
		MajorIterations:   2000,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 50},
	}, &optimize.LBFGS{})
	// A line search that cannot improve any more near the optimum ends with an error but a
	// usable location; only a missing or non-finite result is a failure.
	if res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, fmt.Errorf("fit logistic regression: %w", err)
	}
	w := make([]float64, p)
	copy(w, res.X[:p])
	return &Logit{W: w, B: res.X[p]}, nil
}

// Prob returns σ(B + W·x).
func (m *Logit) Prob(x []float64) float64 {
	s := m.B
	for j, v := range x {
		s += m.W[j] * v
	}
	return sigmoid(s)
}

// Contrib sets c[j] += W[j]·x[j] (coefficient × standardised value) and returns B.
func (m *Logit) Contrib(x []float64, c []float64) float64 {
	for j, v := range x {
		c[j] += m.W[j] * v
	}
	return m.B
}

// Importance returns |W[j]| / Σ|W|: on standardised features, the share of the log-odds
// swing per standard deviation.
func (m *Logit) Importance() []float64 {
	out := make([]float64, len(m.W))
	var s float64
	for j, w := range m.W {
		out[j] = math.Abs(w)
		s += out[j]
	}
	if s > 0 {
		for j := range out {
			out[j] /= s
		}
	}
	return out
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}
