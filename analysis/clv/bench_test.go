package clv

import (
	"runtime"
	"testing"
)

// simPurchases returns the purchases of 1M simulated customers (CDNOW BG/NBD and Gamma-Gamma,
// births over 1997 Q1, observed to 1998-06-30).
func simPurchases() []Purchase {
	var ps []Purchase
	Simulate(SimOptions{Customers: 1_000_000, Seed: 1, Start: date("1997-01-01")}, func(p Purchase) { ps = append(ps, p) })
	return ps
}

// BenchmarkPipeline1M times the CLV models on 1M simulated customers: summarise (weeks, as of 1998-06-30), fit BG/NBD and Gamma-Gamma, predict P(alive), expected
// purchases, spend and 12-month CLV for every customer.
func BenchmarkPipeline1M(b *testing.B) {
	all := simPurchases()
	tx := len(all)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		ps := append([]Purchase(nil), all...) // byCustomer may sort it in place
		s, err := Summarize(ps, SummaryOptions{Unit: Weeks, End: date("1998-06-30")})
		if err != nil {
			b.Fatal(err)
		}
		var m *BGNBD
		gg, ggErr := FitSpendWhile(s.Customers, FitOptions{}, func() { m, err = FitBGNBD(s.Customers, FitOptions{}) })
		if err != nil {
			b.Fatal(err)
		}
		if ggErr != nil {
			b.Fatal(ggErr)
		}
		preds, err := Predict(m, gg, s.Customers, PredictOptions{Unit: Weeks, Months: 12, Discount: 0.01})
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapSys)
		if len(preds) != 1_000_000 {
			b.Fatalf("%d predictions", len(preds))
		}
		b.ReportMetric(float64(len(s.Customers)), "customers")
		b.ReportMetric(m.R, "r")
		b.ReportMetric(m.Alpha, "alpha")
		b.ReportMetric(m.A, "a")
		b.ReportMetric(m.B, "b")
		b.ReportMetric(gg.P, "p")
		b.ReportMetric(gg.Q, "q")
		b.ReportMetric(gg.V, "v")
	}
	b.ReportMetric(float64(tx), "transactions")
	b.ReportMetric(float64(peak)/(1<<20), "heapsys-MiB")
}
