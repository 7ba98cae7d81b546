package attributes_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attributes"
	"github.com/kexi/kexi/internal/synth"
)

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

// BenchmarkRun runs the analysis on the synthetic 100k customers / 1M orders, as of the last
// order (the default 12 months against the 12 before): by kind (the default) crossed with
// province; by age band; by tag; and by a custom choice field crossed with city.
func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	})
	for _, bc := range []struct {
		name string
		opts map[string]string
	}{
		{"default", nil},
		{"age_band", map[string]string{"by": "age_band"}},
		{"tag", map[string]string{"by": "tag"}},
		{"custom_by_city", map[string]string{"by": "level", "across": "city", "region": "city"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := analysis.Input{Data: benchData, AsOf: benchData.LastOrderAt(), Options: bc.opts}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := attributes.New().Run(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
