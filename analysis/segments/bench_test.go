package segments

import (
	"context"
	"sync"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/internal/synth"
)

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

// BenchmarkRun segments the synthetic 100k customers / 1M orders on recency, frequency and
// monetary with k chosen over 2..10 (on a 5,000-customer sample).
func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	})
	in := analysis.Input{Data: benchData}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
