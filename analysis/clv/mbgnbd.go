package clv

import (
	"math"

	"github.com/kexi/kexi/stats"
)

// MBGNBD is a fitted modified BG/NBD model (Batislam, Denizel & Filiztekin 2007): as the
// BG/NBD, but a customer may also drop out right after the first purchase, so customers with
// no repeat purchases are not certainly alive.
type MBGNBD struct {
	R, Alpha, A, B float64
	Fit
}

// FitMBGNBD fits the MBG/NBD by maximum likelihood over the distinct (x, t_x, T) rows, in
// log-parameter space (BFGS, numerical gradient). It returns an EINVALID error for an empty or
// impossible summary and an error when no fit converges.
func FitMBGNBD(cs []Customer, o FitOptions) (*MBGNBD, error) {
	c, err := newCompact(cs)
	if err != nil {
		return nil, err
	}
	natural := func(p []float64) []float64 { return []float64{p[0], p[1] / c.scale, p[2], p[3]} }
	f, _, err := fitLog([]string{"r", "alpha", "a", "b"}, stats.NumGrad(c.mbgnbdNLL), c.n,
		[][]float64{{0, 0, 0, 0}, {0, 0, math.Log(0.1), math.Log(3)}}, o, natural)
	if err != nil {
		return nil, err
	}
	m := &MBGNBD{R: f.Params[0], Alpha: f.Params[1], A: f.Params[2], B: f.Params[3], Fit: f}
	m.Rows = len(c.w)
	m.LogLik = -c.mbgnbdNLL([]float64{math.Log(m.R), math.Log(m.Alpha * c.scale), math.Log(m.A), math.Log(m.B)}) * c.n
	for i, w := range c.wx {
		m.LogLik += w * c.xs[i] * math.Log(c.scale)
	}
	return m, nil
}

// mbgnbdNLL is the mean negative log-likelihood at θ = log(r, α, a, b) (scaled α):
// LL = lnΓ(r+x) − lnΓ(r) + r ln α + lnΓ(a+b) + lnΓ(b+x+1) − lnΓ(b) − lnΓ(a+b+x+1)
// − (r+x) ln(α+T) + log(1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)).
func (c *compact) mbgnbdNLL(th []float64) float64 {
	r, al, a, b := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])
	lgr, _ := math.Lgamma(r)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	lab := make([]float64, len(c.xs))
	ll := 0.0
	for k, x := range c.xs {
		l1, _ := math.Lgamma(r + x)
		l2, _ := math.Lgamma(b + x + 1)
		l3, _ := math.Lgamma(a + b + x + 1)
		ll += c.wx[k] * (l1 - lgr + r*math.Log(al) + lgab + l2 - lgb - l3)
		lab[k] = math.Log(a) - math.Log(b+x)
	}
	lT, _ := logsInv(c.ts, al)
	lt, _ := logsInv(c.txs, al)
	outs := parallel(len(c.w), func(lo, hi int, out []float64) {
		sum := 0.0
		for i := lo; i < hi; i++ {
			k := c.ix[i]
			rx := r + c.xs[k]
			a3 := -rx * lT[c.it[i]]
			a4 := lab[k] + rx*(lT[c.it[i]]-lt[c.itx[i]])
			sum += c.w[i] * (a3 + stats.LogAddExp(a4, 0))
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

// Summary returns the fit.
func (m *MBGNBD) Summary() Fit { return m.Fit }

// PAlive returns 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)).
func (m *MBGNBD) PAlive(x, tx, T float64) float64 {
	return 1 / (1 + math.Exp(math.Log(m.A/(m.B+x))+(m.R+x)*math.Log((m.Alpha+T)/(m.Alpha+tx))))
}

// ExpectedIfAlive returns (a+b+x)/(a−1) [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x;
// t/(α+T+t))].
func (m *MBGNBD) ExpectedIfAlive(t, x, T float64) float64 {
	if t <= 0 {
		return 0
	}
	z := t / (m.Alpha + T + t)
	lp := (m.R + x) * math.Log((m.Alpha+T)/(m.Alpha+T+t))
	h := hypTimesPow(m.R+x, m.B+x+1, m.A+m.B+x, z, lp)
	return (m.A + m.B + x) / (m.A - 1) * (1 - h)
}
