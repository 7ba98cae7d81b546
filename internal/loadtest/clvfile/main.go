// Command clvfile writes the synthetic CLV transactions file of issue #15: customers simulated
// from the BG/NBD and Gamma-Gamma fits on CDNOW (r 0.2426, α 4.4135, a 0.7929, b 2.4258 per
// week; p 6.2488, q 3.7446, v 15.4477), one CSV row per purchase: customer_id,date,amount.
//
// As in CDNOW, each customer makes a first purchase on a day of the first 12 weeks of 1997
// and is watched until 1998-06-30. A customer buys at rate λ ~ Gamma(r, α) a week while alive
// and, after each repeat purchase, leaves with probability p ~ Beta(a, b); each purchase spends
// z ~ Gamma(p, ν) with ν ~ Gamma(q, v) per customer. A million customers give about 2.8M rows.
//
//	go run ./internal/loadtest/clvfile -customers 1000000 -seed 1 > /tmp/clv/clv1m.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

func main() {
	n := flag.Int("customers", 1_000_000, "customers to simulate")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	src := rand.NewPCG(*seed, 0x6b657869)
	rng := rand.New(src)
	lambda := distuv.Gamma{Alpha: 0.2426, Beta: 4.4135, Src: src}
	drop := distuv.Beta{Alpha: 0.7929, Beta: 2.4258, Src: src}
	nu := distuv.Gamma{Alpha: 3.7446, Beta: 15.4477, Src: src}
	start := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)
	const weeks = 78.0 + 2.0/7 // 1997-01-01 to 1998-06-30
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	w.WriteString("customer_id,date,amount\n")
	var line []byte
	for c := 1; c <= *n; c++ {
		l, p := lambda.Rand(), drop.Rand()
		spend := distuv.Gamma{Alpha: 6.2488, Beta: nu.Rand(), Src: src}
		t := float64(rng.IntN(84)) / 7 // the first purchase: a day of the first 12 weeks
		repeat := false
		for {
			day := start.AddDate(0, 0, int(t*7))
			line = strconv.AppendInt(line[:0], int64(c), 10)
			line = append(line, ',')
			line = day.AppendFormat(line, "2006-01-02")
			line = append(line, ',')
			line = strconv.AppendFloat(line, float64(int64(spend.Rand()*100+0.5))/100, 'f', 2, 64)
			line = append(line, '\n')
			w.Write(line)
			if repeat && rng.Float64() < p {
				break // left after this repeat purchase (the model's first purchase is not one)
			}
			repeat = true
			t += rng.ExpFloat64() / l
			if t >= weeks {
				break
			}
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "clvfile:", err)
		os.Exit(1)
	}
}
