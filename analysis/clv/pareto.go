package clv

import (
	"math"

	"github.com/kexi/kexi/stats"
)

// ParetoNBD is a fitted Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): Poisson
// purchases with a gamma(r, α) rate and an exponential lifetime with a gamma(s, β) rate.
type ParetoNBD struct {
	R, Alpha, S, Beta float64
	Fit
}

// FitParetoNBD fits the Pareto/NBD by maximum likelihood over the distinct (x, t_x, T) rows,
// in log-parameter space (BFGS, numerical gradient). The likelihood uses Fader & Hardie's
// formulation of A₀ whose ₂F₁ argument |α−β|/(max(α,β)+t) always lies in [0, 1). It returns
// an EINVALID error for an empty or impossible summary and an error when no fit converges.
func FitParetoNBD(cs []Customer, o FitOptions) (*ParetoNBD, error) {
	c, err := newCompact(cs)
	if err != nil {
		return nil, err
	}
	natural := func(p []float64) []float64 { return []float64{p[0], p[1] / c.scale, p[2], p[3] / c.scale} }
	f, _, err := fitLog([]string{"r", "alpha", "s", "beta"}, stats.NumGrad(func(th []float64) float64 {
		return c.paretoNLL(th)
	}), c.n, [][]float64{{0, 0, 0, 0}, {0, 1, 0, 1}}, o, natural)
	if err != nil {
		return nil, err
	}
	m := &ParetoNBD{R: f.Params[0], Alpha: f.Params[1], S: f.Params[2], Beta: f.Params[3], Fit: f}
	m.Rows = len(c.w)
	m.LogLik = -c.paretoNLL([]float64{math.Log(m.R), math.Log(m.Alpha * c.scale), math.Log(m.S), math.Log(m.Beta * c.scale)}) * c.n
	for i, w := range c.wx {
		m.LogLik += w * c.xs[i] * math.Log(c.scale)
	}
	return m, nil
}

// paretoNLL is the mean negative log-likelihood at θ = log(r, α, s, β) (scaled times):
// LL = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β
// + log( (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) A₀ ).
func (c *compact) paretoNLL(th []float64) float64 {
	r, al, s, be := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])
	lgr, _ := math.Lgamma(r)
	a1 := make([]float64, len(c.xs))
	ll := 0.0
	for k, x := range c.xs {
		l, _ := math.Lgamma(r + x)
		a1[k] = l - lgr + r*math.Log(al) + s*math.Log(be)
		ll += c.wx[k] * a1[k]
	}
	p := paretoParams{r, al, s, be}
	outs := parallel(len(c.w), func(lo, hi int, out []float64) {
		sum := 0.0
		for i := lo; i < hi; i++ {
			x, tx, T := c.xs[c.ix[i]], c.txs[c.itx[i]], c.ts[c.it[i]]
			sum += c.w[i] * p.logTail(x, tx, T)
		}
		out[0] = sum
	}, 1)
	for _, o := range outs {
		ll += o[0]
	}
	if math.IsNaN(ll) {
		return math.Inf(1)
	}
	return -ll / c.n
}

type paretoParams struct{ r, al, s, be float64 }

// logTail returns log( (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) A₀ ).
func (p paretoParams) logTail(x, tx, T float64) float64 {
	rsx := p.r + p.s + x
	first := -(p.r+x)*math.Log(p.al+T) - p.s*math.Log(p.be+T)
	return stats.LogAddExp(first, math.Log(p.s)+p.logA0(x, tx, T)-math.Log(rsx))
}

// logA0 returns log A₀ = log( ₂F₁(r+s+x, t; r+s+x+1; z₁)/(m+t_x)^(r+s+x)
// − ₂F₁(r+s+x, t; r+s+x+1; z₂)/(m+T)^(r+s+x) ), with m = max(α, β), z₁ = |α−β|/(m+t_x),
// z₂ = |α−β|/(m+T), t = r+x when α < β and s+1 otherwise (−Inf when t_x = T).
func (p paretoParams) logA0(x, tx, T float64) float64 {
	lo, hi, t := p.be, p.al, p.s+1
	if p.al < p.be {
		lo, hi, t = p.al, p.be, p.r+x
	}
	d := hi - lo
	rsx := p.r + p.s + x
	q1, q2 := hi+tx, hi+T
	l1 := stats.LogHyp2F1(rsx, t, rsx+1, d/q1) - rsx*math.Log(q1)
	l2 := stats.LogHyp2F1(rsx, t, rsx+1, d/q2) - rsx*math.Log(q2)
	if !(l1 > l2) {
		return math.Inf(-1)
	}
	return l1 + math.Log(-math.Expm1(l2-l1))
}

// Summary returns the fit.
func (m *ParetoNBD) Summary() Fit { return m.Fit }

func (m *ParetoNBD) params() paretoParams { return paretoParams{m.R, m.Alpha, m.S, m.Beta} }

// PAlive returns 1 / (1 + s/(r+s+x) (α+T)^(r+x) (β+T)^s A₀).
func (m *ParetoNBD) PAlive(x, tx, T float64) float64 {
	p := m.params()
	l := math.Log(m.S) - math.Log(m.R+m.S+x) + (m.R+x)*math.Log(m.Alpha+T) + m.S*math.Log(m.Beta+T) + p.logA0(x, tx, T)
	return 1 / (1 + math.Exp(l))
}

// ExpectedIfAlive returns (r+x)(β+T)/((α+T)(s−1)) [1 − ((β+T)/(β+T+t))^(s−1)] (its limit
// (r+x)(β+T)/(α+T) ln((β+T+t)/(β+T)) at s = 1).
func (m *ParetoNBD) ExpectedIfAlive(t, x, T float64) float64 {
	k := (m.R + x) * (m.Beta + T) / (m.Alpha + T)
	lr := math.Log((m.Beta + T + t) / (m.Beta + T))
	if math.Abs(m.S-1) < 1e-9 {
		return k * lr
	}
	return k / (m.S - 1) * -math.Expm1(-(m.S-1)*lr)
}
