package all_test

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/synth"
)

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

// bigData is the 100k-customer, 1M-order synthetic Dataset, built once per test binary.
func bigData(b *testing.B) *kexi.Dataset {
	b.Helper()
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	})
	return benchData
}

// descriptive lists the registered analyses except the models (A8 CLV, A9 churn prediction).
func descriptive() []analysis.Analysis {
	var out []analysis.Analysis
	for _, a := range all.List() {
		if c := a.Info().Code; c != "A8" && c != "A9" {
			out = append(out, a)
		}
	}
	return out
}

// BenchmarkDescriptive runs every descriptive analysis once per iteration on 1M orders and
// 100k customers (target: ≤ 1 s per iteration, ≤ 1 GiB peak heap). It reports the peak heap
// seen by a sampler while the analyses run (peak-heap-MiB) and each analysis's own time in
// its sub-benchmark.
func BenchmarkDescriptive(b *testing.B) {
	d := bigData(b)
	list := descriptive()
	ctx := context.Background()
	// The as-of date is found once, as the CLI and API do after loading the Dataset.
	in := analysis.Input{Data: d, AsOf: d.LastOrderAt(), Settings: kexi.DefaultSettings}
	b.Run("all", func(b *testing.B) {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop, peak := sampleHeap()
		b.ReportAllocs()
		cpu0 := cpuTime()
		b.ResetTimer()
		for b.Loop() {
			for _, a := range list {
				if _, err := a.Run(ctx, inputFor(a, in)); err != nil {
					b.Fatalf("%s: %v", a.Info().Name, err)
				}
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		stop()
		b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(base.HeapAlloc)/(1<<20), "dataset-heap-MiB")
		b.ReportMetric(float64(len(list)), "analyses")
	})
	for _, a := range list {
		b.Run(a.Info().Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Run(ctx, inputFor(a, in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// inputFor gives analyses with a required option a value: the portrait needs a customer.
func inputFor(a analysis.Analysis, in analysis.Input) analysis.Input {
	if a.Info().Name == "portrait" {
		in.Options = map[string]string{"customer": "1"}
	}
	return in
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

// sampleHeap polls HeapAlloc every 2 ms until stop is called and records the largest value.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > *peak {
				*peak = m.HeapAlloc
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}
