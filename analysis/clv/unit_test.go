package clv

import (
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestSummarizeByHand: customer 7 buys on days 0, 0, 7, 14, 21 (values 10, 5, 20, 0, 30) and
// on days 30 and 32 (holdout, values 8 and 0); customer 3 buys once on day 14; customer 5 gets
// one free item on day 21; customer 9 first buys after the calibration end. Calibration ends
// on day 28, holdout on day 35; unit weeks.
// Customer 7: purchase days {0, 7, 14, 21} → x = 3, t_x = 21/7 = 3, T = 28/7 = 4; monetary =
// mean(20, 30) = 25 over Paid = 2 days (day 0's 15 is the first purchase, day 14's $0 counts
// as a purchase but adds no spend); holdout 2 days, mean positive value 8.
// Customer 3: x = 0, t_x = 0, T = (28−14)/7 = 2, monetary 0. Customer 5: x = 0, T = 1.
func TestSummarizeByHand(t *testing.T) {
	ps := []Purchase{
		{7, 21, 30}, {3, 14, 4}, {7, 0, 10}, {7, 14, 0}, {7, 0, 5}, {5, 21, 0}, {7, 7, 20}, {7, 30, 8}, {7, 32, 0}, {9, 29, 1},
	}
	s, err := Summarize(ps, SummaryOptions{Unit: Weeks, End: 28, HoldoutEnd: 35})
	if err != nil {
		t.Fatal(err)
	}
	want := []Customer{
		{ID: 3, Frequency: 0, Recency: 0, T: 2},
		{ID: 5, Frequency: 0, Recency: 0, T: 1},
		{ID: 7, Frequency: 3, Recency: 3, T: 4, Monetary: 25, Paid: 2, HoldoutFrequency: 2, HoldoutMonetary: 8},
	}
	if len(s.Customers) != 3 || s.Customers[0] != want[0] || s.Customers[1] != want[1] || s.Customers[2] != want[2] {
		t.Errorf("got %+v, want %+v", s.Customers, want)
	}
	if s.HoldoutDuration != 1 {
		t.Errorf("holdout duration %g, want 7/7 = 1", s.HoldoutDuration)
	}
	if _, err := Summarize(ps, SummaryOptions{Unit: 3, End: 28}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unit 3: %v", err)
	}
	if _, err := Summarize([]Purchase{{1, 1, math.NaN()}}, SummaryOptions{End: 28}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("NaN amount: %v", err)
	}
}

// TestBGNBDByHand checks the closed forms at r=1, α=1, a=2, b=3 (a=1 is singular in the
// expectation) for a customer x=1, t_x=1, T=2:
// P(alive) = 1/(1 + a/(b+x−1)·((α+T)/(α+t_x))^(r+x)) = 1/(1 + 2/3·(3/2)²) = 1/(1+1.5) = 0.4.
// LL = ln Γ(2) − ln Γ(1) + 0 + ln Γ(5) + ln Γ(4) − ln Γ(3) − ln Γ(6) + log(3^−2 + e^{A₄}),
// A₄ = ln 2 − ln 3 − 2 ln 2 = ln(1/6): ln(24·6/(2·120)) + ln(1/9 + 1/6) = ln(0.6) + ln(5/18)
// = ln(1/6).
func TestBGNBDByHand(t *testing.T) {
	m := &BGNBD{R: 1, Alpha: 1, A: 2, B: 3}
	if got := m.PAlive(1, 1, 2); math.Abs(got-0.4) > 1e-15 {
		t.Errorf("P(alive) = %g, want 0.4", got)
	}
	c, err := newCompact([]Customer{{Frequency: 1, Recency: 1, T: 2}})
	if err != nil {
		t.Fatal(err)
	}
	// Scale: 10/max T = 5, so α is 5 in scaled units and the LL shifts by x ln 5.
	ll := -c.bgnbdNLL([]float64{0, math.Log(5), math.Log(2), math.Log(3)}, nil) + math.Log(5)
	if math.Abs(ll-math.Log(1.0/6)) > 1e-12 {
		t.Errorf("LL = %.15g, want ln(1/6) = %.15g", ll, math.Log(1.0/6))
	}
	// Analytic gradient against central differences.
	th := []float64{0.1, 0.3, -0.2, 0.4}
	g := make([]float64, 4)
	c.bgnbdNLL(th, g)
	for i := range th {
		h := 1e-6
		tp := append([]float64(nil), th...)
		tm := append([]float64(nil), th...)
		tp[i] += h
		tm[i] -= h
		num := (c.bgnbdNLL(tp, nil) - c.bgnbdNLL(tm, nil)) / (2 * h)
		if math.Abs(num-g[i]) > 1e-7 {
			t.Errorf("gradient %d: analytic %g, numerical %g", i, g[i], num)
		}
	}
}

// TestGammaGammaByHand: with p=1, q=2, γ=1, a customer with x=1 and mean 1 has
// LL = ln Γ(3) − ln Γ(1) − ln Γ(2) + 2 ln 1 + 0·ln 1 + 1·ln 1 − 3 ln 2 = ln 2 − 3 ln 2 = −2 ln 2,
// and expected spend = (1−w)·pγ/(q−1) + w·m with w = px/(px+q−1) = 1/2: ½·1 + ½·1 = 1; for
// mean 3: ½·1 + ½·3 = 2.
func TestGammaGammaByHand(t *testing.T) {
	g := newGG([]float64{1}, []float64{1}, []float64{1})
	if got := -g.nll([]float64{0, math.Log(2), 0}, nil); math.Abs(got+2*math.Ln2) > 1e-14 {
		t.Errorf("LL = %g, want −2 ln 2", got)
	}
	m := &GammaGamma{P: 1, Q: 2, V: 1}
	if got := m.ExpectedSpend(1, 3); math.Abs(got-2) > 1e-15 {
		t.Errorf("expected spend %g, want 2", got)
	}
	gr := make([]float64, 3)
	th := []float64{0.2, 0.5, -0.1}
	g.nll(th, gr)
	for i := range th {
		tp := append([]float64(nil), th...)
		tm := append([]float64(nil), th...)
		tp[i] += 1e-6
		tm[i] -= 1e-6
		if num := (g.nll(tp, nil) - g.nll(tm, nil)) / 2e-6; math.Abs(num-gr[i]) > 1e-7 {
			t.Errorf("gradient %d: analytic %g, numerical %g", i, gr[i], num)
		}
	}
}

// TestCLVByHand: with a toy model whose alive customers buy exactly 1 per
// month (ExpectedIfAlive = t/30 days) and P(alive) = ½, spend 10 and discount 0.1 over 2
// months: CLV = 10·½·(1/1.1 + 1/1.21) = 5·(0.909090… + 0.826446…) = 8.677686….
func TestCLVByHand(t *testing.T) {
	gg := &GammaGamma{P: 1, Q: 2, V: 10} // x=0 → spend = pγ/(q−1) = 10
	preds, err := Predict(toyModel{}, gg, []Customer{{Frequency: 0, T: 5}}, PredictOptions{Unit: Days, Months: 2, Discount: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	want := 5 * (1/1.1 + 1/1.21)
	p := preds[0]
	if math.Abs(p.CLV-want) > 1e-12 || p.Spend != 10 || p.PAlive != 0.5 || math.Abs(p.Purchases-1) > 1e-15 {
		t.Errorf("got %+v, want CLV %g, spend 10, P(alive) 0.5, purchases 1 (½·2)", p, want)
	}
}

type toyModel struct{}

func (toyModel) PAlive(x, tx, T float64) float64         { return 0.5 }
func (toyModel) ExpectedIfAlive(t, x, T float64) float64 { return t / 30 }
func (toyModel) Summary() Fit                            { return Fit{} }

// TestGammaGammaPaid: Gamma-Gamma reads a customer's x as the repeat periods with spend
// (Paid), not Frequency: a customer with 3 repeat days of which one was $0 and a mean of 25
// over the other 2 fits exactly as one with 2 repeat days of mean 25.
func TestGammaGammaPaid(t *testing.T) {
	var paid, plain []Customer
	for i := range 40 {
		x, m := float64(1+i%4), 10+float64(i%7)*3
		plain = append(plain, Customer{ID: int64(i), Frequency: x, Monetary: m})
		c := plain[i]
		if i%3 == 0 {
			c.Frequency, c.Paid = x+1, x // one more repeat day, at $0
		}
		paid = append(paid, c)
	}
	a, err := FitGammaGamma(plain, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitGammaGamma(paid, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.P != b.P || a.Q != b.Q || a.V != b.V || a.LogLik != b.LogLik {
		t.Errorf("with $0 repeat days p, q, v = %g %g %g; without %g %g %g", b.P, b.Q, b.V, a.P, a.Q, a.V)
	}
}

// TestSummarizePeriodsByHand, quarters, calibration to 2024-06-30 (whole quarters up to Q2
// 2024), holdout to 2024-11-15 (Q3 whole, Q4 not):
// customer 1 first buys 2023-02-10 (Q1 2023, its start) and again 2023-03-30 (same quarter:
// not an opportunity), 2023-08-01 (Q3: opportunity 2, 20), a $0 gift 2024-01-05 (Q1 2024:
// opportunity 4), 2024-09-09 (Q3 2024: holdout, 8) and 2024-10-01 (Q4: not whole, ignored):
// n = 5, x = 2, t_x = 4, monetary 20 over 1 paid period, holdout 1 period worth 8.
// Customer 2 first buys 2024-05-01 (Q2 2024): n = 0. Customer 3 first buys in Q3 2024: out.
func TestSummarizePeriodsByHand(t *testing.T) {
	d := func(s string) int32 {
		at, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return Day(at)
	}
	ps := []Purchase{{1, d("2023-02-10"), 5}, {1, d("2023-03-30"), 7}, {1, d("2023-08-01"), 20}, {1, d("2024-01-05"), 0},
		{1, d("2024-09-09"), 8}, {1, d("2024-10-01"), 3}, {2, d("2024-05-01"), 9}, {3, d("2024-07-01"), 4}}
	s, err := SummarizePeriods(ps, PeriodOptions{Period: Quarter, End: d("2024-06-30"), HoldoutEnd: d("2024-11-15")})
	if err != nil {
		t.Fatal(err)
	}
	want := []Customer{{ID: 1, Frequency: 2, Recency: 4, T: 5, Monetary: 20, Paid: 1, HoldoutFrequency: 1, HoldoutMonetary: 8}, {ID: 2}}
	if len(s.Customers) != 2 || s.Customers[0] != want[0] || s.Customers[1] != want[1] || s.HoldoutDuration != 1 {
		t.Errorf("got %+v holdout %g, want %+v and 1 quarter", s.Customers, s.HoldoutDuration, want)
	}
	// As of 2024-06-29 Q2 is not whole: the last opportunity is Q1 2024 and customer 2 is out.
	s, err = SummarizePeriods(ps, PeriodOptions{Period: Quarter, End: d("2024-06-29")})
	if err != nil || len(s.Customers) != 1 || s.Customers[0].T != 4 || s.Customers[0].Frequency != 2 {
		t.Errorf("as of 06-29: %+v, %v", s, err)
	}
	if _, err := SummarizePeriods(ps, PeriodOptions{Period: 5, End: d("2024-06-30")}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("period 5: %v", err)
	}
	if _, err := SummarizePeriods(ps, PeriodOptions{Period: Quarter, End: d("2024-06-30"), HoldoutEnd: d("2024-09-29")}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("a holdout without a whole quarter: %v", err)
	}
}

// TestDiscreteBGBB: the Model view of a BG/BB predicts what BGBB.ExpectedPurchases (Fader,
// Hardie & Shang's eq. 13) does, for whole opportunities, and nothing for less than one.
func TestDiscreteBGBB(t *testing.T) {
	m := &BGBB{Alpha: 1.2035, Beta: 0.7497, Gamma: 0.6567, Delta: 2.7834}
	d := m.Discrete()
	for _, c := range [][3]float64{{0, 0, 6}, {3, 5, 6}, {6, 6, 6}, {1, 1, 2}} {
		for _, f := range []float64{1, 5, 12} {
			got := ExpectedPurchases(d, f, c[0], c[1], c[2])
			want := m.ExpectedPurchases(f, c[0], c[1], c[2])
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Errorf("x=%g t_x=%g n=%g, %g ahead: %g, want %g", c[0], c[1], c[2], f, got, want)
			}
		}
	}
	if e := d.ExpectedIfAlive(0.9, 3, 6); e != 0 {
		t.Errorf("under one opportunity: %g", e)
	}
}

// TestHistogramRoundEdges: bins have round edges (1, 2 or 5 × 10^k) that cover the values,
// at most the number asked for, and count every value once.
func TestHistogramRoundEdges(t *testing.T) {
	for _, c := range []struct {
		vs    []float64
		bins  int
		first string
		last  string
		n     int
	}{
		// The demo's CLV: 9.001e-20 to 12,970 in 20 bins was "9.001e-20–648.5" ….
		{[]float64{9.001e-20, 3, 648, 5000, 12970}, 20, "0–1000", "12000–13000", 13},
		{[]float64{0, 0.25, 0.999, 1}, 10, "0.0–0.1", "0.9–1.0", 10},
		{[]float64{0.12, 0.34}, 10, "0.10–0.15", "0.30–0.35", 5},
		{[]float64{-7, 7}, 4, "-10–-5", "5–10", 4},
		{[]float64{5, 5, 5}, 20, "5.0–5.5", "5.0–5.5", 1},
	} {
		s := histogram("h", "x", c.vs, c.bins, 0)
		var total float64
		for _, x := range s.Y[0].Data {
			total += x
		}
		if len(s.X) != c.n || s.X[0] != c.first || s.X[len(s.X)-1] != c.last || total != float64(len(c.vs)) || len(s.X) > c.bins {
			t.Errorf("%v in %d bins: %d bins %q … %q holding %g, want %d bins %q … %q holding %d",
				c.vs, c.bins, len(s.X), s.X[0], s.X[len(s.X)-1], total, c.n, c.first, c.last, len(c.vs))
		}
	}
}

// TestHistogramTail: with a tail of 1 %, the bins stop at the 99th percentile and the last
// bin holds the rest: 100 customers worth 0–99 and one worth 10,000 make ten bins of 10 and
// "≥ 100" rather than 20 bins of 500 with all but one customer in the first.
func TestHistogramTail(t *testing.T) {
	var vs []float64
	for i := range 100 {
		vs = append(vs, float64(i))
	}
	vs = append(vs, 10000)
	s := histogram("h", "x", vs, 20, 0.01)
	if len(s.X) != 11 || s.X[0] != "0–10" || s.X[9] != "90–100" || s.X[10] != "≥ 100" ||
		s.Y[0].Data[0] != 10 || s.Y[0].Data[9] != 10 || s.Y[0].Data[10] != 1 {
		t.Errorf("bins %q counts %v", s.X, s.Y[0].Data)
	}
	// No long tail: no extra bin.
	if s := histogram("h", "x", vs[:100], 20, 0.01); s.X[len(s.X)-1] == "≥ 100" || len(s.X) > 20 {
		t.Errorf("without a tail: %q", s.X)
	}
}

// TestHistogramDrill: each bin of a histogram drills down to the values between its edges
// ([lower, upper), the last bin [lower, upper]), and holds exactly as many of them as it
// counts, in the long tail's "≥" bin and at the float edges 0.1 + 0.2 and 0.3 too.
func TestHistogramDrill(t *testing.T) {
	var tail []float64
	for i := range 100 {
		tail = append(tail, float64(i))
	}
	tail = append(tail, 10000)
	for _, c := range []struct {
		vs   []float64
		bins int
		tail float64
	}{
		{[]float64{9.001e-20, 3, 648, 5000, 12970}, 20, 0},
		{[]float64{0, 0.1, 0.1 + 0.2, 0.3, 0.7, 0.999, 1}, 10, 0},
		{[]float64{0.12, 0.34, 0.35000000000000003}, 10, 0},
		{[]float64{5, 5, 5}, 20, 0},
		{tail, 20, 0.01},
	} {
		s := histogram("h", "x", c.vs, c.bins, c.tail)
		e := s.Drill.Edges
		if s.Drill.Column != "x" || len(e) != len(s.X)+1 {
			t.Errorf("%v: drill %+v for %d bins", c.vs, s.Drill, len(s.X))
			continue
		}
		for i := range s.X {
			n := 0
			for _, v := range c.vs {
				if v >= e[i] && (v < e[i+1] || i == len(s.X)-1 && v <= e[i+1]) {
					n++
				}
			}
			if float64(n) != s.Y[0].Data[i] {
				t.Errorf("%v: bin %s [%g, %g] holds %d values, counts %g", c.vs, s.X[i], e[i], e[i+1], n, s.Y[0].Data[i])
			}
		}
	}
}
