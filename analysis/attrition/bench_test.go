package attrition_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/internal/synth"
)

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

// bigData is the 100k-customer, 1M-order synthetic Dataset of the registry's benchmarks,
// built once per test binary.
func bigData() *kexi.Dataset {
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	})
	return benchData
}

// BenchmarkRun runs the analysis on 1M orders and 100k customers, as of the last order (the
// descriptive set's budget is 1 s for all of them together).
func BenchmarkRun(b *testing.B) {
	d := bigData()
	in := analysis.Input{Data: d, AsOf: d.LastOrderAt(), Settings: kexi.DefaultSettings}
	a := attrition.New()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMembers times the per-customer pass alone (lifecycle stages and churn histories).
func BenchmarkMembers(b *testing.B) {
	d := bigData()
	asOf := d.LastOrderAt()
	th := lifecycle.DefaultThresholds(&d.Orders, asOf)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		attrition.Members(d, th, asOf, nil)
	}
}
