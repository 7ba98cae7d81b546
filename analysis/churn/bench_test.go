package churn

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/internal/synth"
)

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
	benchX    *Matrix
	benchY    []bool
)

// benchSetup builds the synthetic Dataset (100k customers, 1M orders) and its horizon-label
// training matrix once per test binary.
func benchSetup(b *testing.B) {
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
		bl := NewBuilder(benchData)
		asOf := benchData.LastOrderAt()
		cut := asOf.AddDate(0, 0, -90)
		var rows []int
		for i := range benchData.Customers {
			if bl.HasPurchase(i, cut) {
				rows = append(rows, i)
				benchY = append(benchY, !bl.PurchasedIn(i, cut, asOf))
			}
		}
		f := bl.Frame(cut, rows)
		benchX = FitEncoder(f).Transform(f)
	})
}

// cv5 runs a 5-fold cross-validation of the learner as Predict does.
func cv5(b *testing.B, fit learner) {
	cv, err := newCV(benchX, benchY, 5, 1, 0.1, fit)
	if err != nil {
		b.Fatal(err)
	}
	parallel(5, cv.fold)
	if _, err := cv.result(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCV5 is 5-fold training of both models on the synthetic customers (target ≤ 10 s).
func BenchmarkCV5(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		cv5(b, logitLearner(benchX, benchY, 1))
		cv5(b, gbdtLearner(benchX, benchY, GBDTParams{}))
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	// Reported after the loop: ResetTimer and b.Loop clear metrics reported before them.
	b.ReportMetric(float64(benchX.Rows), "rows")
	b.ReportMetric(float64(benchX.Cols), "features")
}

// BenchmarkLogitCV5 and BenchmarkGBDTCV5 time each model's 5-fold training alone.
func BenchmarkLogitCV5(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		cv5(b, logitLearner(benchX, benchY, 1))
	}
}

func BenchmarkGBDTCV5(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		cv5(b, gbdtLearner(benchX, benchY, GBDTParams{}))
	}
}

// BenchmarkBins is cutting the benchmark matrix into bins, once per Predict.
func BenchmarkBins(b *testing.B) {
	benchSetup(b)
	b.ResetTimer()
	for b.Loop() {
		binMatrix(benchX, 64)
	}
}

// BenchmarkRun is the whole analysis: features, 5-fold CV of both models, final fits, the
// scored risk list. It reports the peak heap.
func BenchmarkRun(b *testing.B) {
	benchSetup(b)
	in := analysis.Input{Data: benchData}
	b.ResetTimer()
	var ms runtime.MemStats
	for b.Loop() {
		if _, err := New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}

// cpuTime returns the process's user + system CPU time: on a shared machine it shows the work
// done when wall time is inflated by other processes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHistogram is one root histogram of the benchmark matrix (all rows).
func BenchmarkHistogram(b *testing.B) {
	benchSetup(b)
	bd := binMatrix(benchX, 64)
	g, h := make([]float64, bd.n), make([]float64, bd.n)
	for i := range g {
		g[i], h[i] = float64(i%7)/7-0.5, 0.2
	}
	idx := allRows(bd.n)
	hist := make([]histBin, bd.off[bd.p])
	for b.Loop() {
		clear(hist)
		bd.histogram(hist, idx, g, h, 0, 0)
	}
}
