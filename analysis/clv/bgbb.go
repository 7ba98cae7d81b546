package clv

import (
	"math"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/stats"
)

// BGBB is a fitted BG/BB model (Fader, Hardie & Shang 2010) for discrete purchase
// opportunities: while alive a customer buys at each opportunity with a beta(α, β) distributed
// probability and drops out before each with a beta(γ, δ) distributed probability. For this
// model a Customer's Frequency is x (purchases in n opportunities), Recency is t_x (the
// opportunity of the last purchase, 0 when none) and T is n; all whole numbers.
type BGBB struct {
	Alpha, Beta, Gamma, Delta float64
	Fit
}

type bgbbRow struct{ x, tx, n, w float64 }

// FitBGBB fits the BG/BB by maximum likelihood over the distinct (x, t_x, n) rows (weights
// count), in log-parameter space (BFGS, numerical gradient). It returns an EINVALID error for
// rows that are not whole numbers with x ≤ t_x ≤ n (and t_x = 0 exactly when x = 0) and an
// error when no fit converges.
func FitBGBB(cs []Customer, o FitOptions) (*BGBB, error) {
	if len(cs) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: no customers to fit")
	}
	group := map[[3]float64]int{}
	var rows []bgbbRow
	n := 0.0
	for i := range cs {
		c := &cs[i]
		x, tx, T := c.Frequency, c.Recency, c.T
		whole := x == math.Trunc(x) && tx == math.Trunc(tx) && T == math.Trunc(T)
		if !whole || x < 0 || x > tx || tx > T || (x == 0) != (tx == 0) || c.Weight < 0 {
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: "clv: impossible BG/BB row",
				Problems: []kexi.FieldProblem{{Row: i + 1, Column: "frequency/recency/periods",
					Reason: "expected whole numbers with frequency ≤ recency ≤ periods, recency 0 only without purchases"}}}
		}
		k := [3]float64{x, tx, T}
		j, ok := group[k]
		if !ok {
			j = len(rows)
			group[k] = j
			rows = append(rows, bgbbRow{x: x, tx: tx, n: T})
		}
		rows[j].w += c.weight()
		n += c.weight()
	}
	nll := func(th []float64) float64 {
		al, be, ga, de := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])
		ll := 0.0
		for _, r := range rows {
			ll += r.w * bgbbLogLik(al, be, ga, de, r.x, r.tx, r.n)
		}
		if math.IsNaN(ll) {
			return math.Inf(1)
		}
		return -ll / n
	}
	f, _, err := fitLog([]string{"alpha", "beta", "gamma", "delta"}, stats.NumGrad(nll), n,
		[][]float64{{0, 0, 0, 0}, {1, 0, 0, 1}}, o, func(p []float64) []float64 { return p })
	if err != nil {
		return nil, err
	}
	m := &BGBB{Alpha: f.Params[0], Beta: f.Params[1], Gamma: f.Params[2], Delta: f.Params[3], Fit: f}
	m.Rows = len(rows)
	m.LogLik = -nll([]float64{math.Log(m.Alpha), math.Log(m.Beta), math.Log(m.Gamma), math.Log(m.Delta)}) * n
	return m, nil
}

// bgbbLogLik is one customer's log-likelihood:
// L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
// + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ).
func bgbbLogLik(al, be, ga, de, x, tx, n float64) float64 {
	lab, lgd := stats.LogBeta(al, be), stats.LogBeta(ga, de)
	l := stats.LogBeta(al+x, be+n-x) - lab + stats.LogBeta(ga, de+n) - lgd
	for i := 0.0; i < n-tx; i++ {
		l = stats.LogAddExp(l, stats.LogBeta(al+x, be+tx-x+i)-lab+stats.LogBeta(ga+1, de+tx+i)-lgd)
	}
	return l
}

// PAlive returns the probability that a customer with x purchases, the last at opportunity
// t_x, of n, is alive at opportunity n+m (m = 0: now): B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+m)/B(γ,δ)
// / L(α, β, γ, δ | x, t_x, n).
func (m *BGBB) PAlive(future, x, tx, n float64) float64 {
	l := stats.LogBeta(m.Alpha+x, m.Beta+n-x) - stats.LogBeta(m.Alpha, m.Beta) +
		stats.LogBeta(m.Gamma, m.Delta+n+future) - stats.LogBeta(m.Gamma, m.Delta)
	return math.Exp(l - bgbbLogLik(m.Alpha, m.Beta, m.Gamma, m.Delta, x, tx, n))
}

// ExpectedPurchases returns the expected purchases in the next `future` opportunities:
// 1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ) ·
// [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+m)/Γ(γ+δ+n+m)]  (Fader, Hardie & Shang 2010, eq. 13).
func (m *BGBB) ExpectedPurchases(future, x, tx, n float64) float64 {
	al, be, ga, de := m.Alpha, m.Beta, m.Gamma, m.Delta
	lg := func(v float64) float64 { l, _ := math.Lgamma(v); return l }
	p1 := math.Exp(stats.LogBeta(al+x+1, be+n-x) - stats.LogBeta(al, be) - bgbbLogLik(al, be, ga, de, x, tx, n))
	p3 := de / (ga - 1) * math.Exp(lg(ga+de)-lg(1+de))
	p4 := math.Exp(lg(1+de+n) - lg(ga+de+n))
	p5 := math.Exp(lg(1+de+n+future) - lg(ga+de+n+future))
	return p1 * p3 * (p4 - p5)
}

// Summary returns the fit.
func (m *BGBB) Summary() Fit { return m.Fit }
