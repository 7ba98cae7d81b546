package demo

import (
	"runtime"
	"testing"
)

// BenchmarkGenerate100k generates the benchmark-size data set: 100,000 customers, about 1.2
// million orders. It reports the orders made and the heap in use after generation.
func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		batch := Generate(Options{Customers: 100_000, Seed: 1})
		b.ReportMetric(float64(len(batch.Orders)), "orders")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	}
}
