package churn

import (
	"fmt"
	"math"
	"slices"

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
	if x.Rows == 0 || len(y) != x.Rows {
		return nil, fmt.Errorf("fit logistic regression: %d rows, %d labels", x.Rows, len(y))
	}
	return fitLogitRows(x, y, allRows(x.Rows), lambda)
}

// logitLearner returns a learner of logistic regressions on rows of x.
func logitLearner(x *Matrix, y []bool, lambda float64) learner {
	return func(rows []int32) (Model, error) {
		if len(rows) == 0 {
			return nil, fmt.Errorf("fit logistic regression: no rows")
		}
		return fitLogitRows(x, y, rows, lambda)
	}
}

// fitLogitRows is FitLogit on the rows of x (and y) listed in rows.
func fitLogitRows(x *Matrix, y []bool, rows []int32, lambda float64) (*Logit, error) {
	p := x.Cols
	obj := &logitObjective{x: x, y: y, rows: rows, lambda: lambda}
	// L-BFGS asks for the objective and then the gradient at the same point: one pass over
	// the rows computes both, and the gradient is kept for the request that follows.
	at := make([]float64, p+1) // where cached was computed
	cached := make([]float64, p+1)
	valid := false
	prob := optimize.Problem{
		Func: func(params []float64) float64 {
			f := obj.eval(params, cached)
			copy(at, params)
			valid = true
			return f
		},
		Grad: func(grad, params []float64) {
			if valid && slices.Equal(at, params) {
				copy(grad, cached)
				return
			}
			obj.eval(params, grad)
		},
	}
	init := make([]float64, p+1)
	init[p] = baseLogOdds(y, rows) // start the intercept at the log-odds of the base rate
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

// baseLogOdds returns the log-odds of the positive rows, 0 when all or none are positive.
func baseLogOdds(y []bool, rows []int32) float64 {
	n, pos := len(rows), 0
	for _, i := range rows {
		if y[i] {
			pos++
		}
	}
	if pos > 0 && pos < n {
		return math.Log(float64(pos) / float64(n-pos))
	}
	return 0
}

// logitObjective is the L2-penalised mean log loss of a logistic regression on some rows of
// x and y.
type logitObjective struct {
	x      *Matrix
	y      []bool
	rows   []int32
	lambda float64
}

// eval computes the objective and its gradient (into grad). params = (W, B).
// Rows are taken four at a time: their four dot products are independent chains the CPU
// overlaps, and each gradient entry is loaded once per four rows. Every sum is still
// taken in row order and, within a row, in column order, so the result is the same as
// one row at a time.
func (o *logitObjective) eval(params, grad []float64) float64 {
	x, y, rows, lambda := o.x, o.y, o.rows, o.lambda
	n, p := len(rows), x.Cols
	inv := 1 / float64(n)
	w, b := params[:p], params[p]
	var f float64
	clear(grad)
	g := grad[:len(w)]
	k := 0
	for ; k+4 <= n; k += 4 {
		i0, i1, i2, i3 := int(rows[k]), int(rows[k+1]), int(rows[k+2]), int(rows[k+3])
		x0, x1, x2, x3 := x.X[i0*p:i0*p+p], x.X[i1*p:i1*p+p], x.X[i2*p:i2*p+p], x.X[i3*p:i3*p+p]
		x0, x1, x2, x3 = x0[:len(w)], x1[:len(w)], x2[:len(w)], x3[:len(w)] // no bounds checks below
		s0, s1, s2, s3 := b, b, b, b
		for j, wj := range w {
			s0 += wj * x0[j]
			s1 += wj * x1[j]
			s2 += wj * x2[j]
			s3 += wj * x3[j]
		}
		r0 := logLoss(s0, y[i0], &f)
		r1 := logLoss(s1, y[i1], &f)
		r2 := logLoss(s2, y[i2], &f)
		r3 := logLoss(s3, y[i3], &f)
		for j := range w {
			g[j] = g[j] + r0*x0[j] + r1*x1[j] + r2*x2[j] + r3*x3[j]
		}
		grad[p] = grad[p] + r0 + r1 + r2 + r3
	}
	for ; k < n; k++ {
		i := int(rows[k])
		row := x.X[i*p : i*p+p]
		s := b
		for j, v := range row {
			s += w[j] * v
		}
		r := logLoss(s, y[i], &f)
		for j, v := range row {
			g[j] += r * v
		}
		grad[p] += r
	}
	var pen float64
	for j := 0; j < p; j++ {
		pen += w[j] * w[j]
		grad[j] = (grad[j] + lambda*w[j]) * inv
	}
	grad[p] *= inv
	return (f + lambda/2*pen) * inv
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

// logLoss adds one row's term log(1 + e^s) − y·s of the negative log-likelihood to *f
// (without overflow) and returns the row's residual σ(s) − y, both from one exponential.
func logLoss(s float64, churned bool, f *float64) float64 {
	var r float64
	if s > 0 {
		e := math.Exp(-s)
		*f += s + math.Log1p(e)
		r = 1 / (1 + e)
	} else {
		e := math.Exp(s)
		*f += math.Log1p(e)
		r = e / (1 + e)
	}
	if churned {
		*f -= s
		r--
	}
	return r
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}
