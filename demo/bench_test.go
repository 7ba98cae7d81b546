package demo

import (
	"runtime"
	"testing"

	"github.com/kexi/kexi"
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

// BenchmarkStream100k streams the benchmark-size data set in blocks of DefaultBlock customers
// and drops each part, as kexi demo does once a part is imported. It reports the records made
// and the heap in use (live and total, after a collection) when the last part comes, which holds
// the plans kept for every customer.
func BenchmarkStream100k(b *testing.B) {
	for b.Loop() {
		records := 0
		var ms runtime.MemStats
		err := Stream(Options{Customers: 100_000, Seed: 1}, DefaultBlock, func(p *kexi.Batch) error {
			records += p.Len()
			if len(p.Responses) > 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(records), "records")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	}
}
