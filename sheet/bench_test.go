package sheet

import (
	"bytes"
	"fmt"
	"math/rand"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// orderCSV generates n order lines, two lines per order: order id, customer id, date, amount,
// channel, product, quantity, price.
func orderCSV(n int) []byte {
	rng := rand.New(rand.NewSource(1))
	var buf bytes.Buffer
	buf.Grow(n * 70)
	buf.WriteString("order_id,customer_id,order_date,amount,channel,product,quantity,price\n")
	channels := []string{"online", "store", "app", "phone"}
	for i := 0; i < n; i++ {
		o := i / 2
		q := 1 + rng.Intn(5)
		p := float64(100+rng.Intn(9900)) / 100
		fmt.Fprintf(&buf, "O%d,C%d,2024-%02d-%02d %02d:%02d:%02d,%.2f,%s,SKU%d,%d,%.2f\n",
			o, (o*7919)%100_000, 1+o%12, 1+o%28, o%24, o%60, i%60, float64(q)*p*2, channels[o%4], rng.Intn(5000), q, p)
	}
	return buf.Bytes()
}

// BenchmarkReadOrdersCSV parses 1M generated order lines into a batch.
//
//	go test ./sheet -run '^$' -bench ReadOrdersCSV -benchmem -benchtime 3x
func BenchmarkReadOrdersCSV(b *testing.B) {
	const n = 1_000_000
	data := orderCSV(n)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0 := cpuTime()
	var peak uint64
	for i := 0; i < b.N; i++ {
		res, err := Read(bytes.NewReader(data), "orders.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Batch.Orders) != n/2 {
			b.Fatalf("%d orders", len(res.Batch.Orders))
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// The wall clock suffers when other processes share the machine; CPU time does less.
	b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
}

// clvCSV generates n rows of customer_id,date,amount, about three per customer, in customer
// order: the shape of the synthetic CLV file (internal/loadtest/clvfile).
func clvCSV(n int) []byte {
	rng := rand.New(rand.NewSource(1))
	var buf bytes.Buffer
	buf.Grow(n * 24)
	buf.WriteString("customer_id,date,amount\n")
	for i := 0; i < n; i++ {
		day := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(545))
		fmt.Fprintf(&buf, "%d,%s,%.2f\n", 1+i/3, day.Format("2006-01-02"), float64(100+rng.Intn(9900))/100)
	}
	return buf.Bytes()
}

// BenchmarkReadTable reads 1M rows of customer_id,date,amount into the analysis table:
// ReadTable, and Read followed by Batch.Dataset as before it.
//
//	go test ./sheet -run '^$' -bench ReadTable -benchmem -benchtime 3x
func BenchmarkReadTable(b *testing.B) {
	const n = 1_000_000
	data := clvCSV(n)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	opt := Options{Kind: kexi.KindOrders, SkipInvalid: true, NoItems: true, Location: loc}
	for _, way := range []string{"ReadTable", "Read"} {
		b.Run(way, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				var orders int
				if way == "Read" {
					res, err := Read(bytes.NewReader(data), "clv.csv", opt)
					if err != nil {
						b.Fatal(err)
					}
					orders = res.Batch.Dataset().Orders.Len()
				} else {
					ids := &CustomerIDs{}
					_, t, err := ReadTable(bytes.NewReader(data), "clv.csv", opt, ids)
					if err != nil || t == nil {
						b.Fatal(err, t == nil)
					}
					d := &kexi.Dataset{Orders: *t, Keys: ids.Keys}
					d.Normalize()
					orders = d.Orders.Len()
				}
				if orders != n {
					b.Fatalf("%d orders", orders)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
		})
	}
}
