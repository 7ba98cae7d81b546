package clv

import (
	"bufio"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi/internal/refdata"
)

// cdnowSummary reads lifetimes' cdnow_customers_summary_with_transactions.csv
// (ID,x,t_x,T,zbar).
func cdnowSummary(t testing.TB) []Customer {
	t.Helper()
	f, err := os.Open(refdata.Path(t, "cdnow/cdnow_customers_summary_with_transactions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cs []Customer
	for _, r := range recs[1:] {
		v := make([]float64, 5)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i], 64); err != nil {
				t.Fatal(err)
			}
		}
		cs = append(cs, Customer{ID: int64(v[0]), Frequency: v[1], Recency: v[2], T: v[3], Monetary: v[4]})
	}
	return cs
}

// cdnowPurchases reads CDNOW_sample.txt (master id, sample id, YYYYMMDD, CDs, dollars) as
// purchases of the sample ids.
func cdnowPurchases(t testing.TB) []Purchase {
	t.Helper()
	f, err := os.Open(refdata.Path(t, "cdnow/CDNOW_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []Purchase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 {
			continue
		}
		id, _ := strconv.ParseInt(fs[1], 10, 64)
		d, err := time.Parse("20060102", fs[2])
		if err != nil {
			t.Fatal(err)
		}
		amt, _ := strconv.ParseFloat(fs[4], 64)
		ps = append(ps, Purchase{Customer: id, Day: Day(d), Amount: amt})
	}
	return ps
}

func date(s string) int32 {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return Day(d)
}

// near reports whether got agrees with want to 3 significant digits (relative 5e-4 of the
// rounding of want to 3 digits, i.e. |got−want| ≤ half a unit in the 3rd digit).
func near3(got, want float64) bool {
	if want == 0 {
		return math.Abs(got) < 1e-9
	}
	e := math.Floor(math.Log10(math.Abs(want))) - 2
	return math.Abs(got-want) <= 0.5*math.Pow(10, e)
}

func checkParams(t *testing.T, what string, got, want []float64, names []string) {
	t.Helper()
	for i := range want {
		if !near3(got[i], want[i]) {
			t.Errorf("%s %s = %.5g, want %.5g (3 significant digits)", what, names[i], got[i], want[i])
		}
	}
}

func TestCDNOWBGNBD(t *testing.T) {
	cs := cdnowSummary(t)
	m, err := FitBGNBD(cs, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD %+v", m)
	checkParams(t, "BG/NBD", []float64{m.R, m.Alpha, m.A, m.B, m.LogLik},
		[]float64{0.2426, 4.4135, 0.7929, 2.4258, -9582.43}, []string{"r", "alpha", "a", "b", "LL"})
}

func TestCDNOWGammaGamma(t *testing.T) {
	cs := cdnowSummary(t)
	m, err := FitGammaGamma(cs, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GG %+v", m)
	if m.Rows != 946 {
		t.Errorf("Gamma-Gamma fitted %d repeat customers, want 946", m.Rows)
	}
	checkParams(t, "Gamma-Gamma", []float64{m.P, m.Q, m.V, m.LogLik},
		[]float64{6.2488, 3.7446, 15.4477, -4055.92}, []string{"p", "q", "v", "LL"})
}

// TestCDNOWSummary checks Summarize on CDNOW_sample.txt against lifetimes' own summary
// (x, t_x, T to the file's 2 decimals, zbar to its 2 decimals) for all 2,357 customers.
func TestCDNOWSummary(t *testing.T) {
	want := cdnowSummary(t)
	s, err := Summarize(cdnowPurchases(t), SummaryOptions{Unit: Weeks, End: date("1997-09-30"), HoldoutEnd: date("1998-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Customers) != len(want) || len(want) != 2357 {
		t.Fatalf("%d customers, want %d (2357)", len(s.Customers), len(want))
	}
	for i, w := range want {
		g := s.Customers[i]
		r2 := func(v float64) float64 { return math.Round(v*100) / 100 }
		if g.ID != w.ID || g.Frequency != w.Frequency || r2(g.Recency) != w.Recency || r2(g.T) != w.T ||
			math.Abs(g.Monetary-w.Monetary) > 0.005+1e-9 {
			t.Errorf("customer %d: got %+v, want %+v", w.ID, g, w)
		}
	}
	if s.HoldoutDuration != 39 {
		t.Errorf("holdout duration %g weeks, want 273/7 = 39", s.HoldoutDuration)
	}
	actual := 0.0
	for _, c := range s.Customers {
		actual += c.HoldoutFrequency
	}
	if actual != 1882 {
		t.Errorf("holdout repeat purchases %g, want 1882", actual)
	}
}

// TestCDNOWPredictions: customer 1 (x=2, t_x=30.43, T=38.86) expects 1.2259 purchases in the
// next 39 weeks; over the holdout BG/NBD predicts 1,653.4 repeat purchases against 1,882.
func TestCDNOWPredictions(t *testing.T) {
	m, err := FitBGNBD(cdnowSummary(t), FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ExpectedPurchases(m, 39, 2, 30.43, 38.86); math.Abs(got-1.2259) > 0.00005 {
		t.Errorf("customer 1 expected purchases in 39 weeks = %.5f, want 1.2259", got)
	}
	s, err := Summarize(cdnowPurchases(t), SummaryOptions{Unit: Weeks, End: date("1997-09-30"), HoldoutEnd: date("1998-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	h, err := Holdout(m, s, 7)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("holdout %+v", h)
	if h.Actual != 1882 || math.Abs(h.Predicted-1653.4) > 0.05 {
		t.Errorf("holdout predicted %.2f actual %g, want 1653.4 and 1882", h.Predicted, h.Actual)
	}
}

func TestCDNOWParetoNBD(t *testing.T) {
	m, err := FitParetoNBD(cdnowSummary(t), FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Pareto/NBD %+v", m)
	checkParams(t, "Pareto/NBD", []float64{m.R, m.Alpha, m.S, m.Beta, m.LogLik},
		[]float64{0.5533, 10.578, 0.6062, 11.669, -9594.97}, []string{"r", "alpha", "s", "beta", "LL"})
}

func TestCDNOWMBGNBD(t *testing.T) {
	m, err := FitMBGNBD(cdnowSummary(t), FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MBG/NBD %+v", m)
	checkParams(t, "MBG/NBD", []float64{m.R, m.Alpha, m.A, m.B},
		[]float64{0.5248, 6.183, 0.8914, 1.614}, []string{"r", "alpha", "a", "b"})
}

// TestDonationsBGBB fits the BG/BB to the 22 donation patterns (11,104 donors, 6
// opportunities): α=1.2035, β=0.7497, γ=0.6567, δ=2.7834 (Fader, Hardie & Shang 2010).
func TestDonationsBGBB(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "donations/donations.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cs []Customer
	total := 0.0
	for _, r := range recs[1:] {
		v := make([]float64, 4)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i], 64); err != nil {
				t.Fatal(err)
			}
		}
		cs = append(cs, Customer{Frequency: v[0], Recency: v[1], T: v[2], Weight: v[3]})
		total += v[3]
	}
	if len(cs) != 22 || total != 11104 {
		t.Fatalf("%d patterns, %g donors; want 22 and 11104", len(cs), total)
	}
	m, err := FitBGBB(cs, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/BB %+v", m)
	checkParams(t, "BG/BB", []float64{m.Alpha, m.Beta, m.Gamma, m.Delta},
		[]float64{1.2035, 0.7497, 0.6567, 2.7834}, []string{"alpha", "beta", "gamma", "delta"})
	// A donor who gave in all 6 years is almost surely still alive, and one who never gave
	// is less likely alive than one who gave in year 6.
	if p := m.PAlive(0, 6, 6, 6); p < 0.9 {
		t.Errorf("P(alive | 6 of 6) = %g, want > 0.9", p)
	}
	if m.PAlive(0, 0, 0, 6) >= m.PAlive(0, 1, 6, 6) {
		t.Error("P(alive) of a never-donor should be below a donor of year 6")
	}
}

// TestOnlineRetail: daily BG/NBD as of 2011-12-09 on SPEC-cleaned Online Retail with price-0
// lines kept (as in the published fit): r≈0.826, α≈68.89, b≈6.75 with a at its lower
// boundary; Gamma-Gamma on 2,790 repeat customers p≈2.10, q≈3.45, v≈485.6.
func TestOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("Online Retail reference: skipped with -short")
	}
	d := refdata.OnlineRetail(t, refdata.RetailClean{KeepZeroPrice: true})
	ps := make([]Purchase, 0, d.Orders.Len())
	for i := range d.Orders.Len() {
		ps = append(ps, Purchase{Customer: d.Orders.CustomerID[i], Day: Day(d.Orders.Time(i)), Amount: d.Orders.Amount[i]})
	}
	s, err := Summarize(ps, SummaryOptions{Unit: Days, End: date("2011-12-09")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Customers) != 4339 {
		t.Errorf("%d customers, want 4339 (4,338 with a priced purchase + 1 with only price-0 lines)", len(s.Customers))
	}
	m, err := FitBGNBD(s.Customers, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD %+v", m)
	if len(m.Boundary) != 1 || m.Boundary[0] != "a" || m.A > 0.01 || math.IsNaN(m.LogLik) {
		t.Errorf("a = %g, boundary %v: want a at its lower boundary and a finite LL", m.A, m.Boundary)
	}
	checkParams(t, "BG/NBD", []float64{m.R, m.Alpha, m.B}, []float64{0.826, 68.89, 6.75}, []string{"r", "alpha", "b"})
	gg, err := FitGammaGamma(s.Customers, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GG %+v", gg)
	if gg.Rows != 2790 {
		t.Errorf("Gamma-Gamma on %d repeat customers, want 2790", gg.Rows)
	}
	checkParams(t, "Gamma-Gamma", []float64{gg.P, gg.Q, gg.V}, []float64{2.10, 3.45, 485.6}, []string{"p", "q", "v"})
}
