package clv

import (
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/kexi/kexi"
)

// GammaGamma is a fitted Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"):
// a customer's purchase values are gamma(p, ν) with ν ~ gamma(q, γ) across customers. V is γ.
type GammaGamma struct {
	P, Q, V float64
	Fit
}

// FitGammaGamma fits the Gamma-Gamma model by maximum likelihood on the customers with
// x > 0 and a positive Monetary (mean repeat value), in log-parameter space with the analytic
// gradient. A customer's x here is Paid, the repeat periods with a positive value that
// Monetary averages ($0 periods are no draw from a gamma). Weights count. It returns an
// EINVALID error when fewer than two such customers exist.
func FitGammaGamma(cs []Customer, o FitOptions) (*GammaGamma, error) {
	nrep := 0
	for i := range cs {
		if cs[i].Frequency > 0 && cs[i].Monetary > 0 {
			nrep++
		}
	}
	xs, ms, ws := make([]float64, 0, nrep), make([]float64, 0, nrep), make([]float64, 0, nrep)
	sum := 0.0
	for i := range cs {
		if cs[i].Frequency > 0 && cs[i].Monetary > 0 {
			xs = append(xs, cs[i].paid())
			ms = append(ms, cs[i].Monetary)
			ws = append(ws, cs[i].weight())
			sum += cs[i].weight() * cs[i].Monetary
		}
	}
	if len(xs) < 2 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: Gamma-Gamma needs at least 2 repeat customers with spend, got %d", len(xs))
	}
	g := newGG(xs, ms, ws)
	// Money is rescaled by the mean spend for conditioning; γ scales with it.
	scale := g.n / sum
	for i := range g.lm {
		g.lm[i] += math.Log(scale)
		g.m[i] *= scale
	}
	natural := func(p []float64) []float64 { return []float64{p[0], p[1], p[2] / scale} }
	if len(xs) > subsampleAbove && o.warm == nil {
		rep := make([]Customer, 0, nrep)
		for i := range cs {
			if cs[i].Frequency > 0 && cs[i].Monetary > 0 {
				rep = append(rep, cs[i])
			}
		}
		if sub, err := FitGammaGamma(every(rep), o); err == nil {
			o.warm = []float64{math.Log(sub.P), math.Log(sub.Q), math.Log(sub.V * scale)}
		}
	}
	f, _, err := fitLog([]string{"p", "q", "v"}, g.nll, g.n, [][]float64{{0, 0, 0}, {1, 1, 1}}, o, natural)
	if err != nil {
		return nil, err
	}
	m := &GammaGamma{P: f.Params[0], Q: f.Params[1], V: f.Params[2], Fit: f}
	m.Rows = len(xs)
	// The log-likelihood in money units: the density of m̄ carries a 1/scale per customer.
	m.LogLik = -g.nll([]float64{math.Log(m.P), math.Log(m.Q), math.Log(m.V * scale)}, nil)*g.n + g.n*math.Log(scale)
	return m, nil
}

// FitSpendWhile fits the Gamma-Gamma spend model to cs on a second goroutine while fit runs
// (a purchase-model fit: those only read cs, as FitGammaGamma does), and returns the spend
// model and its error once both are done. The two fits are independent, so on two cores the
// pair takes about as long as the slower one.
func FitSpendWhile(cs []Customer, o FitOptions, fit func()) (*GammaGamma, error) {
	var gg *GammaGamma
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		gg, err = FitGammaGamma(cs, o)
	}()
	fit()
	<-done
	return gg, err
}

type ggData struct {
	x, m, lm, lx, w []float64
	xs              []float64 // distinct x
	ix              []int32   // per row: index into xs
	n               float64
}

func newGG(xs, ms, ws []float64) *ggData {
	g := &ggData{x: xs, m: append([]float64(nil), ms...), w: ws,
		lm: make([]float64, len(xs)), lx: make([]float64, len(xs))}
	idx := map[float64]int32{}
	g.ix = make([]int32, len(xs))
	for i := range xs {
		k, ok := idx[xs[i]]
		if !ok {
			k = int32(len(g.xs))
			idx[xs[i]] = k
			g.xs = append(g.xs, xs[i])
		}
		g.ix[i] = k
		g.lm[i] = math.Log(ms[i])
		g.lx[i] = math.Log(xs[i])
		g.n += ws[i]
	}
	return g
}

// nll returns the mean negative log-likelihood at θ = log(p, q, γ) and its gradient. Per
// customer with x repeat purchases of mean m:
// LL = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + x m).
func (g *ggData) nll(th, grad []float64) float64 {
	p, q, v := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2])
	lgq, _ := math.Lgamma(q)
	psq := mathext.Digamma(q)
	lv := math.Log(v)
	// lnΓ(px+q) − lnΓ(px) − lnΓ(q) and the digammas depend on x only.
	lg := make([]float64, len(g.xs))
	ps1 := make([]float64, len(g.xs))
	ps2 := make([]float64, len(g.xs))
	for k, x := range g.xs {
		a, _ := math.Lgamma(p*x + q)
		b, _ := math.Lgamma(p * x)
		lg[k] = a - b - lgq
		if grad != nil {
			ps1[k], ps2[k] = mathext.Digamma(p*x+q), mathext.Digamma(p*x)
		}
	}
	outs := parallel(len(g.x), func(lo, hi int, out []float64) {
		var ll, gp, gq, gv float64
		for i := lo; i < hi; i++ {
			x, w, k := g.x[i], g.w[i], g.ix[i]
			px := p * x
			lvm := math.Log(v + x*g.m[i])
			ll += w * (lg[k] + q*lv + (px-1)*g.lm[i] + px*g.lx[i] - (px+q)*lvm)
			if grad != nil {
				gp += w * x * (ps1[k] - ps2[k] + g.lm[i] + g.lx[i] - lvm)
				gq += w * (ps1[k] - psq + lv - lvm)
				gv += w * (q/v - (px+q)/(v+x*g.m[i]))
			}
		}
		out[0], out[1], out[2], out[3] = ll, gp, gq, gv
	}, 4)
	var ll, gp, gq, gv float64
	for _, o := range outs {
		ll, gp, gq, gv = ll+o[0], gp+o[1], gq+o[2], gv+o[3]
	}
	if grad != nil {
		grad[0] = -gp * p / g.n
		grad[1] = -gq * q / g.n
		grad[2] = -gv * v / g.n
	}
	return -ll / g.n
}

// ExpectedSpend returns the expected mean purchase value of a customer with x repeat
// purchases of mean m (lifetimes' conditional_expected_average_profit): a weighted mean of the
// population mean pγ/(q−1) and the customer's own mean, with weight px/(px+q−1).
func (m *GammaGamma) ExpectedSpend(x, mean float64) float64 {
	w := m.P * x / (m.P*x + m.Q - 1)
	return (1-w)*m.V*m.P/(m.Q-1) + w*mean
}
