// Package stats holds the numerics that more than one analysis needs: special functions,
// optimisers, quantiles, AUC and clustering helpers. It is pure: no I/O, no kexi types.
package stats

import "math"

// Hyp2F1 returns the Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 (the range
// the buy-till-you-die models need). It returns NaN outside that range, when c is a
// non-positive integer, or when the value does not fit a float64 (use LogHyp2F1 then).
func Hyp2F1(a, b, c, z float64) float64 {
	l, s := logHyp2F1(a, b, c, z)
	if math.IsNaN(l) || math.IsInf(l, 1) {
		return math.NaN()
	}
	return s * math.Exp(l)
}

// LogHyp2F1 returns log ₂F₁(a, b; c; z) for 0 ≤ z < 1, or NaN when the value is not positive
// or cannot be computed (z outside [0, 1), c a non-positive integer).
//
// The method is chosen to stay accurate where ₂F₁ is awkward:
//   - c−a−b < 0: Euler's transformation ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a,c−b;c;z), done in
//     logarithms, so that large parameters (the Pareto/NBD has a = r+s+x) do not overflow;
//   - z > 0.9 and c−a−b not an integer: the 1−z transformation (Abramowitz & Stegun 15.3.6),
//     whose two series in 1−z converge fast where the series in z would need thousands of
//     terms;
//   - otherwise the power series, summed until a term no longer changes the sum.
func LogHyp2F1(a, b, c, z float64) float64 {
	l, s := logHyp2F1(a, b, c, z)
	if s <= 0 {
		return math.NaN()
	}
	return l
}

const hypMaxTerms = 5_000_000

// logHyp2F1 returns log|₂F₁| and its sign.
func logHyp2F1(a, b, c, z float64) (float64, float64) {
	if math.IsNaN(a+b+c+z) || z < 0 || z >= 1 || isNonPosInt(c) {
		return math.NaN(), 0
	}
	if z == 0 {
		return 0, 1
	}
	d := c - a - b
	if z > 0.9 && math.Abs(d-math.Round(d)) > 1e-9 {
		if l, s, ok := oneMinusZ(a, b, c, z); ok {
			return l, s
		}
	}
	if d < 0 {
		l, s := logSeries(c-a, c-b, c, z)
		return l + d*math.Log1p(-z), s
	}
	return logSeries(a, b, c, z)
}

// logSeries sums the power series Σ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ, returning log|sum| and its sign.
// Terms are rescaled when they grow large so that the sum does not overflow.
func logSeries(a, b, c, z float64) (float64, float64) {
	sum, term, scale := 1.0, 1.0, 0.0
	for n := 0.0; n < hypMaxTerms; n++ {
		term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
		sum += term
		if term == 0 || (math.Abs(term) <= 1e-17*math.Abs(sum) && n > math.Abs(a*b/c)) {
			break
		}
		if math.Abs(sum) > 1e250 {
			sum *= 1e-250
			term *= 1e-250
			scale += 250 * math.Ln10
		}
	}
	if sum == 0 {
		return math.Inf(-1), 0
	}
	return math.Log(math.Abs(sum)) + scale, math.Copysign(1, sum)
}

// oneMinusZ evaluates A&S 15.3.6:
//
//	₂F₁(a,b;c;z) = Γ(c)Γ(d)/(Γ(c−a)Γ(c−b)) ₂F₁(a,b;1−d;1−z)
//	             + (1−z)^d Γ(c)Γ(−d)/(Γ(a)Γ(b)) ₂F₁(c−a,c−b;1+d;1−z),  d = c−a−b.
func oneMinusZ(a, b, c, z float64) (float64, float64, bool) {
	d := c - a - b
	w := 1 - z
	l1, s1 := lgammaRatio([]float64{c, d}, []float64{c - a, c - b})
	l2, s2 := lgammaRatio([]float64{c, -d}, []float64{a, b})
	if math.IsNaN(l1) || math.IsNaN(l2) {
		return 0, 0, false
	}
	f1, t1 := logSeries(a, b, 1-d, w)
	f2, t2 := logSeries(c-a, c-b, 1+d, w)
	x, sx := l1+f1, s1*t1
	y, sy := l2+f2+d*math.Log(w), s2*t2
	return logAddSigned(x, sx, y, sy)
}

// lgammaRatio returns log|Π Γ(num)/Π Γ(den)| and its sign; a pole in den makes the ratio 0
// (sign 0), a pole in num makes it NaN.
func lgammaRatio(num, den []float64) (float64, float64) {
	l, s := 0.0, 1.0
	for _, v := range num {
		if isNonPosInt(v) {
			return math.NaN(), 0
		}
		g, sg := math.Lgamma(v)
		l += g
		s *= float64(sg)
	}
	for _, v := range den {
		if isNonPosInt(v) {
			return math.Inf(-1), 0
		}
		g, sg := math.Lgamma(v)
		l -= g
		s *= float64(sg)
	}
	return l, s
}

// logAddSigned returns log|sx·eˣ + sy·eʸ| and its sign.
func logAddSigned(x, sx, y, sy float64) (float64, float64, bool) {
	if sx == 0 {
		return y, sy, sy != 0
	}
	if sy == 0 {
		return x, sx, true
	}
	if y > x {
		x, sx, y, sy = y, sy, x, sx
	}
	r := sy * sx * math.Exp(y-x)
	if r <= -1+1e-12 { // total cancellation: leave it to another method
		return 0, 0, false
	}
	return x + math.Log1p(r), sx, true
}

func isNonPosInt(x float64) bool { return x <= 0 && x == math.Trunc(x) }

// LogBeta returns log B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a+b) for a, b > 0.
func LogBeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// LogAddExp returns log(exp(x) + exp(y)) without overflow.
func LogAddExp(x, y float64) float64 {
	if math.IsInf(x, -1) {
		return y
	}
	if math.IsInf(y, -1) {
		return x
	}
	if x > y {
		return x + math.Log1p(math.Exp(y-x))
	}
	return y + math.Log1p(math.Exp(x-y))
}
