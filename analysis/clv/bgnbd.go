package clv

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// BGNBD is a fitted BG/NBD model (Fader, Hardie & Lee 2005): purchases follow a Poisson
// process with a gamma(r, α) distributed rate; after each purchase the customer drops out with
// a beta(a, b) distributed probability. Times are in the summary's unit.
type BGNBD struct {
	R, Alpha, A, B float64
	Fit
}

// FitBGNBD fits the BG/NBD by maximum likelihood over the distinct (x, t_x, T) rows of the
// customers, in log-parameter space with BFGS and the analytic gradient. Parameters that run
// to zero (Online Retail's a) are reported in Fit.Boundary rather than failing. It returns an
// EINVALID error for an empty or impossible summary and an error when no fit converges.
func FitBGNBD(cs []Customer, o FitOptions) (*BGNBD, error) {
	c, err := newCompact(cs)
	if err != nil {
		return nil, err
	}
	if len(cs) > subsampleAbove && o.warm == nil {
		if sub, err := FitBGNBD(every(cs), o); err == nil {
			o.warm = []float64{math.Log(sub.R), math.Log(sub.Alpha * c.scale), math.Log(sub.A), math.Log(sub.B)}
		}
	}
	return fitBGNBD(c, o)
}

func fitBGNBD(c *compact, o FitOptions) (*BGNBD, error) {
	natural := func(p []float64) []float64 { return []float64{p[0], p[1] / c.scale, p[2], p[3]} }
	starts := [][]float64{{0, 0, 0, 0}, {0, 0, math.Log(0.1), math.Log(3)}}
	f, _, err := fitLog([]string{"r", "alpha", "a", "b"}, c.bgnbdNLL, c.n, starts, o, natural)
	if err != nil {
		return nil, err
	}
	m := &BGNBD{R: f.Params[0], Alpha: f.Params[1], A: f.Params[2], B: f.Params[3], Fit: f}
	m.Rows = len(c.w)
	m.LogLik = m.logLik(c)
	return m, nil
}

// logLik returns the log-likelihood in natural units: the scaled fit's value shifted by the
// Jacobian of the time rescaling (each repeat purchase time density carries one 1/scale).
func (m *BGNBD) logLik(c *compact) float64 {
	th := []float64{math.Log(m.R), math.Log(m.Alpha * c.scale), math.Log(m.A), math.Log(m.B)}
	ll := -c.bgnbdNLL(th, nil) * c.n
	for i, w := range c.wx {
		ll += w * c.xs[i] * math.Log(c.scale)
	}
	return ll
}

// bgnbdNLL returns the mean negative log-likelihood at θ = log(r, α, a, b) (scaled α) and,
// when grad is not nil, its gradient in θ.
//
// Per customer: LL = A₁ + A₂ + log(e^A₃ + [x>0] e^A₄) with
// A₁ = lnΓ(r+x) − lnΓ(r) + r ln α, A₂ = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x),
// A₃ = −(r+x) ln(α+T), A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
func (c *compact) bgnbdNLL(th, grad []float64) float64 {
	r, al, a, b := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])
	nx := len(c.xs)
	lb1 := make([]float64, nx)
	ib1 := make([]float64, nx)
	var ll, gr, gal, ga, gb float64
	lgr, _ := math.Lgamma(r)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	psr, psb, psab := mathext.Digamma(r), mathext.Digamma(b), mathext.Digamma(a+b)
	for k, x := range c.xs {
		w := c.wx[k]
		l1, _ := math.Lgamma(r + x)
		l2, _ := math.Lgamma(b + x)
		l3, _ := math.Lgamma(a + b + x)
		ll += w * (l1 - lgr + r*math.Log(al) + lgab + l2 - lgb - l3)
		if grad != nil {
			pab := mathext.Digamma(a + b + x)
			gr += w * (mathext.Digamma(r+x) - psr + math.Log(al))
			gal += w * r / al
			ga += w * (psab - pab)
			gb += w * (psab + mathext.Digamma(b+x) - psb - pab)
		}
		if x > 0 {
			lb1[k] = math.Log(b + x - 1)
			ib1[k] = 1 / (b + x - 1)
		}
	}
	lT, iT := logsInv(c.ts, al)
	lt, it := logsInv(c.txs, al)
	la := math.Log(a)
	outs := parallel(len(c.w), func(lo, hi int, out []float64) {
		var sl, sr, sal, sa, sb float64
		for i := lo; i < hi; i++ {
			w := c.w[i]
			k := c.ix[i]
			x := c.xs[k]
			rx := r + x
			a3 := -rx * lT[c.it[i]]
			if x == 0 {
				sl += w * a3
				if grad != nil {
					sr -= w * lT[c.it[i]]
					sal -= w * rx * iT[c.it[i]]
				}
				continue
			}
			a4 := la - lb1[k] - rx*lt[c.itx[i]]
			var l, p float64 // p: the weight of the A₄ branch
			if a3 > a4 {
				e := math.Exp(a4 - a3)
				l, p = a3+math.Log1p(e), e/(1+e)
			} else {
				e := math.Exp(a3 - a4)
				l, p = a4+math.Log1p(e), 1/(1+e)
			}
			sl += w * l
			if grad != nil {
				q := 1 - p
				sr -= w * (q*lT[c.it[i]] + p*lt[c.itx[i]])
				sal -= w * rx * (q*iT[c.it[i]] + p*it[c.itx[i]])
				sa += w * p
				sb -= w * p * ib1[k]
			}
		}
		out[0], out[1], out[2], out[3], out[4] = sl, sr, sal, sa, sb
	}, 5)
	for _, o := range outs {
		ll += o[0]
		gr += o[1]
		gal += o[2]
		ga += o[3] / a
		gb += o[4]
	}
	if grad != nil {
		// Chain rule to θ = log p: ∂/∂θ = p ∂/∂p; and minus for the negative mean.
		grad[0] = -gr * r / c.n
		grad[1] = -gal * al / c.n
		grad[2] = -ga * a / c.n
		grad[3] = -gb * b / c.n
	}
	return -ll / c.n
}

// logsInv returns ln(α+v) and 1/(α+v) for each v.
func logsInv(vs []float64, al float64) ([]float64, []float64) {
	l := make([]float64, len(vs))
	inv := make([]float64, len(vs))
	for i, v := range vs {
		l[i] = math.Log(al + v)
		inv[i] = 1 / (al + v)
	}
	return l, inv
}
