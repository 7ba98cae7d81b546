package clv

import (
	"math"
	"runtime"
	"sync"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/stats"
)

// Model is a fitted purchase-count model for continuous time (BG/NBD, Pareto/NBD, MBG/NBD).
// In all three the expected purchases of a customer in the next t factor into the probability
// that the customer is still alive times what an alive customer buys:
// E[Y(t) | x, t_x, T] = PAlive(x, t_x, T) · ExpectedIfAlive(t, x, T).
type Model interface {
	// PAlive returns the probability that a customer with x repeat purchases, the last at
	// t_x, observed for T, is still alive at T.
	PAlive(x, tx, T float64) float64
	// ExpectedIfAlive returns the expected purchases in (T, T+t] of such a customer given that
	// it is alive at T (it does not depend on t_x).
	ExpectedIfAlive(t, x, T float64) float64
	// Summary returns the fit: parameter names, estimates, standard errors, log-likelihood.
	Summary() Fit
}

// ExpectedPurchases returns a model's expected purchases in the next t for a customer with
// x repeat purchases, the last at t_x, observed for T (lifetimes'
// conditional_expected_number_of_purchases_up_to_time).
func ExpectedPurchases(m Model, t, x, tx, T float64) float64 {
	return m.PAlive(x, tx, T) * m.ExpectedIfAlive(t, x, T)
}

// Summary returns the fit.
func (m *BGNBD) Summary() Fit { return m.Fit }

// PAlive returns 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x)).
func (m *BGNBD) PAlive(x, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	return 1 / (1 + math.Exp(math.Log(m.A/(m.B+x-1))+(m.R+x)*math.Log((m.Alpha+T)/(m.Alpha+tx))))
}

// ExpectedIfAlive returns (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1;
// t/(α+T+t))].
func (m *BGNBD) ExpectedIfAlive(t, x, T float64) float64 {
	if t <= 0 {
		return 0
	}
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	z := t / (al + T + t)
	lp := (r + x) * math.Log((al+T)/(al+T+t))
	h := hypTimesPow(r+x, b+x, a+b+x-1, z, lp)
	return (a + b + x - 1) / (a - 1) * (1 - h)
}

// hypTimesPow returns e^lp · ₂F₁(a, b; c; z), in logarithms when the function is positive.
func hypTimesPow(a, b, c, z, lp float64) float64 {
	if l := stats.LogHyp2F1(a, b, c, z); !math.IsNaN(l) {
		return math.Exp(l + lp)
	}
	return stats.Hyp2F1(a, b, c, z) * math.Exp(lp)
}

// PredictOptions says what to predict.
type PredictOptions struct {
	Unit Unit // the summary's unit (Days or Weeks; 0 means Weeks)
	// Months is the CLV horizon in months (lifetimes' time, default 12) and Discount the
	// monthly discount rate (default 0.01 only when Months is also 0).
	Months   int
	Discount float64
	// Horizon is the length (in units) for Prediction.Purchases; 0 means the CLV horizon.
	Horizon float64
	// PerMonth is how many model time units make a month, for a model whose time is not Unit
	// (the BG/BB's opportunities: 1/12 for yearly ones); 0 means lifetimes' month in Unit.
	PerMonth float64
}

// monthLength is lifetimes' month in each unit: 30 days or 4.345 weeks.
func monthLength(u Unit) float64 {
	if u == Days {
		return 30
	}
	return 4.345
}

// Prediction is one customer's prediction.
type Prediction struct {
	PAlive    float64 // probability of being alive at the end of the observation
	Purchases float64 // expected purchases in the horizon
	Spend     float64 // expected mean purchase value (Gamma-Gamma), NaN without a spend model
	CLV       float64 // discounted expected revenue over the CLV horizon, NaN without spend
}

// Predict returns each customer's prediction. CLV is lifetimes' customer_lifetime_value: the
// sum over months i = 1..Months of Spend × (expected purchases by month i − by month i−1) /
// (1+Discount)^i, a month being 30 days or 4.345 weeks. gg may be nil (no spend, no CLV).
// Customers with the same (x, T) share the expensive hypergeometric terms, and the work is
// spread over GOMAXPROCS. It returns an EINVALID error for negative months or discount.
func Predict(m Model, gg *GammaGamma, cs []Customer, o PredictOptions) ([]Prediction, error) {
	if o.Unit == 0 {
		o.Unit = Weeks
	}
	if o.Months == 0 && o.Discount == 0 {
		o.Months, o.Discount = 12, 0.01
	}
	if o.Months < 0 || o.Discount < 0 || math.IsNaN(o.Discount) || o.Horizon < 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: months, discount and horizon must be ≥ 0")
	}
	ml := monthLength(o.Unit)
	if o.PerMonth > 0 {
		ml = o.PerMonth
	}
	horizon := o.Horizon
	if horizon == 0 {
		horizon = float64(o.Months) * ml
	}
	// Distinct (x, T) pairs: the CLV discount sum G and the purchases-if-alive for the horizon.
	type key struct{ x, T float64 }
	slot := make(map[key]int32, 1024)
	idx := make([]int32, len(cs))
	var keys []key
	for i := range cs {
		k := key{cs[i].Frequency, cs[i].T}
		s, ok := slot[k]
		if !ok {
			s = int32(len(keys))
			slot[k] = s
			keys = append(keys, k)
		}
		idx[i] = s
	}
	gsum := make([]float64, len(keys))
	hor := make([]float64, len(keys))
	par(len(keys), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			k := keys[j]
			prev, g := 0.0, 0.0
			for i := 1; i <= o.Months; i++ {
				e := m.ExpectedIfAlive(float64(i)*ml, k.x, k.T)
				g += (e - prev) / math.Pow(1+o.Discount, float64(i))
				prev = e
			}
			gsum[j] = g
			if horizon == float64(o.Months)*ml {
				hor[j] = prev
			} else {
				hor[j] = m.ExpectedIfAlive(horizon, k.x, k.T)
			}
		}
	})
	out := make([]Prediction, len(cs))
	par(len(cs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := &cs[i]
			pa := m.PAlive(c.Frequency, c.Recency, c.T)
			p := Prediction{PAlive: pa, Purchases: pa * hor[idx[i]], Spend: math.NaN(), CLV: math.NaN()}
			if gg != nil {
				x := 0.0 // no repeat period with spend: the population mean
				if c.Monetary > 0 {
					x = c.paid()
				}
				p.Spend = gg.ExpectedSpend(x, c.Monetary)
				p.CLV = p.Spend * pa * gsum[idx[i]]
			}
			out[i] = p
		}
	})
	return out, nil
}

// par runs fn over [0, n) split across GOMAXPROCS goroutines when n is large.
func par(n int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < 5000 || w == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for c := range w {
		lo, hi := c*n/w, (c+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// HoldoutRow compares predicted and actual holdout purchases for the customers with one
// calibration frequency (the last row collects Frequency and above).
type HoldoutRow struct {
	Frequency int
	Customers float64
	Actual    float64 // mean actual purchases in the holdout
	Predicted float64 // mean predicted purchases in the holdout
}

// HoldoutReport is a calibration/holdout check of a purchase model.
type HoldoutReport struct {
	Duration            float64 // holdout length in units
	Actual, Predicted   float64 // total repeat purchases in the holdout
	Customers           float64
	ByFrequency         []HoldoutRow
	MeanAbsoluteError   float64 // per customer, |predicted − actual| averaged
	CorrelationOfCounts float64 // Pearson correlation of predicted and actual per customer
}

// Holdout predicts each customer's purchases in the summary's holdout period (its
// HoldoutDuration, the same for everyone as in lifetimes) and compares them with the actual
// HoldoutFrequency, in total and by calibration frequency 0..maxFreq (maxFreq and above pooled).
// It returns an EINVALID error when the summary has no holdout.
func Holdout(m Model, s *Summary, maxFreq int) (*HoldoutReport, error) {
	if s.HoldoutDuration <= 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: the summary has no holdout period")
	}
	if maxFreq < 1 {
		maxFreq = 7
	}
	r := &HoldoutReport{Duration: s.HoldoutDuration, ByFrequency: make([]HoldoutRow, maxFreq+1)}
	for i := range r.ByFrequency {
		r.ByFrequency[i].Frequency = i
	}
	var sp, sa, spp, saa, spa float64
	for i := range s.Customers {
		c := &s.Customers[i]
		w := c.weight()
		p := ExpectedPurchases(m, s.HoldoutDuration, c.Frequency, c.Recency, c.T)
		a := c.HoldoutFrequency
		r.Predicted += w * p
		r.Actual += w * a
		r.Customers += w
		r.MeanAbsoluteError += w * math.Abs(p-a)
		sp, sa, spp, saa, spa = sp+w*p, sa+w*a, spp+w*p*p, saa+w*a*a, spa+w*p*a
		b := &r.ByFrequency[min(int(c.Frequency), maxFreq)]
		b.Customers += w
		b.Actual += w * a
		b.Predicted += w * p
	}
	for i := range r.ByFrequency {
		if b := &r.ByFrequency[i]; b.Customers > 0 {
			b.Actual /= b.Customers
			b.Predicted /= b.Customers
		}
	}
	n := r.Customers
	r.MeanAbsoluteError /= n
	cov := spa/n - sp/n*sa/n
	r.CorrelationOfCounts = cov / math.Sqrt((spp/n-sp/n*sp/n)*(saa/n-sa/n*sa/n))
	return r, nil
}
