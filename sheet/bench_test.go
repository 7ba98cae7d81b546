package sheet

import (
	"bytes"
	"fmt"
	"math/rand"
	"runtime"
	"syscall"
	"testing"
	"time"
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
