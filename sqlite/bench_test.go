package sqlite_test

import (
	"context"
	"flag"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/synth"
)

var benchOrders = flag.Int("orders", 1_000_000, "orders in the benchmark data set (customers: a tenth)")

// benchBatch turns a synthetic Dataset (100,000 customers, 1,000,000 orders with about
// 2.5 million lines) into an import Batch of every kind.
func benchBatch(tb testing.TB) (*kexi.Batch, int) {
	b := synth.Batch(synth.Options{Customers: *benchOrders / 10, Orders: *benchOrders, Seed: 1})
	lines := 0
	for i := range b.Orders {
		lines += len(b.Orders[i].Items)
	}
	return b, lines
}

// BenchmarkImport imports 1M orders (and the rest of a synthetic data set) into a new
// database. rows/s counts order lines, the rows of a line-item order file.
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	batch, lines := benchBatch(b)
	b.ReportAllocs()
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		db := open(b, filepath.Join(b.TempDir(), "kexi.db"))
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		st, err := db.Import(ctx, batch)
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if st.Inserted[kexi.KindOrders] != len(batch.Orders) {
			b.Fatalf("inserted %d orders", st.Inserted[kexi.KindOrders])
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	sec := took.Seconds() / float64(b.N)
	b.ReportMetric(float64(lines)/sec, "lines/s")
	b.ReportMetric(float64(len(batch.Orders))/sec, "orders/s")
	b.ReportMetric(float64(batch.Len()+lines)/sec, "rows/s")
}

// BenchmarkReimport imports the same 1M-order batch a second time: every record is unchanged.
func BenchmarkReimport(b *testing.B) {
	ctx := context.Background()
	batch, _ := benchBatch(b)
	db := open(b, filepath.Join(b.TempDir(), "kexi.db"))
	if _, err := db.Import(ctx, batch); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		st, err := db.Import(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if st.Unchanged[kexi.KindOrders] != len(batch.Orders) {
			b.Fatalf("unchanged %d orders", st.Unchanged[kexi.KindOrders])
		}
	}
	b.ReportMetric(float64(batch.Len())/(b.Elapsed().Seconds()/float64(b.N)), "records/s")
}

// peakHeap samples the heap while fn runs and returns the largest size seen.
func peakHeap(fn func()) uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak
}

// BenchmarkLoadDataset loads 100k customers and 1M orders (2.5M lines) with everything else.
func BenchmarkLoadDataset(b *testing.B) {
	batch, _ := benchBatch(b)
	benchLoad(b, batch)
}

// BenchmarkLoadDatasetOrders loads only the 100k customers, the products and the 1M orders
// (2.5M lines) of BenchmarkLoadDataset's data.
func BenchmarkLoadDatasetOrders(b *testing.B) {
	batch, _ := benchBatch(b)
	benchLoad(b, &kexi.Batch{Customers: batch.Customers, Products: batch.Products, Orders: batch.Orders})
}

// benchLoad imports batch into a new database and loads it, reporting the heap's peak during
// each load and what the loaded Dataset holds.
func benchLoad(b *testing.B, batch *kexi.Batch) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "kexi.db")
	db := open(b, path)
	if _, err := db.Import(ctx, batch); err != nil {
		b.Fatal(err)
	}
	batch = nil
	var peak, live uint64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		var d *kexi.Dataset
		p := peakHeap(func() {
			var err error
			if d, err = db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts); err != nil {
				b.Fatal(err)
			}
		})
		b.StopTimer()
		peak = max(peak, p-min(p, before.HeapAlloc))
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		live = after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
		if d.Orders.Len() != *benchOrders || len(d.Customers) != *benchOrders/10 {
			b.Fatalf("loaded %d orders, %d customers", d.Orders.Len(), len(d.Customers))
		}
		runtime.KeepAlive(d)
		d = nil
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(live)/(1<<20), "live-heap-MiB")
}
