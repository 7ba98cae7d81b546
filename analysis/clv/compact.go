package clv

import (
	"math"
	"runtime"
	"sync"

	"github.com/kexi/kexi"
)

// compact holds the distinct (x, t_x, T) rows of a summary with their weights, and the
// distinct values of each coordinate, so that a likelihood evaluation computes each
// log-gamma once per distinct x and each log once per distinct t_x or T, and then one cheap
// term per distinct row. Times are multiplied by scale (10 / max T) for conditioning.
type compact struct {
	xs, txs, ts  []float64 // distinct x, scaled t_x and scaled T values
	ix, itx, it  []int32   // per distinct row: index into xs, txs, ts
	w            []float64 // per distinct row: weight
	wx           []float64 // per distinct x: total weight
	n            float64   // total weight
	scale        float64
	maxT         float64
	maxX         float64
	repeatWeight float64 // weight of rows with x > 0
}

// newCompact groups the customers' (x, t_x, T) rows. It returns an EINVALID error when a row is
// impossible (x < 0 or not whole, t_x < 0, T < t_x, or x > 0 with t_x = 0).
func newCompact(cs []Customer) (*compact, error) {
	if len(cs) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: no customers to fit")
	}
	c := &compact{}
	xIdx := map[float64]int32{}
	txIdx := map[float64]int32{}
	tIdx := map[float64]int32{}
	idx := func(m map[float64]int32, vals *[]float64, v float64) int32 {
		if i, ok := m[v]; ok {
			return i
		}
		i := int32(len(*vals))
		m[v] = i
		*vals = append(*vals, v)
		return i
	}
	keys := make([]uint64, len(cs))
	wts := make([]float64, len(cs))
	for k := range cs {
		r := &cs[k]
		if r.Frequency < 0 || r.Frequency != math.Trunc(r.Frequency) || r.Recency < 0 || r.T < r.Recency ||
			math.IsNaN(r.T) || math.IsInf(r.T, 0) || r.Weight < 0 {
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: "clv: impossible customer summary",
				Problems: []kexi.FieldProblem{{Row: k + 1, Column: "frequency/recency/T",
					Reason: "expected whole frequency ≥ 0 and 0 ≤ recency ≤ T"}}}
		}
		a := uint64(idx(xIdx, &c.xs, r.Frequency))
		b := uint64(idx(txIdx, &c.txs, r.Recency))
		d := uint64(idx(tIdx, &c.ts, r.T))
		keys[k] = a<<42 | b<<21 | d
		wts[k] = r.weight()
		c.maxT = math.Max(c.maxT, r.T)
		c.maxX = math.Max(c.maxX, r.Frequency)
	}
	if len(c.txs) >= 1<<21 || len(c.ts) >= 1<<21 {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: too many distinct recency or age values")
	}
	order := sortKeys(keys)
	for _, k := range order {
		key := keys[k]
		if n := len(c.w); n > 0 && uint64(c.ix[n-1])<<42|uint64(c.itx[n-1])<<21|uint64(c.it[n-1]) == key {
			c.w[n-1] += wts[k]
			continue
		}
		c.ix = append(c.ix, int32(key>>42))
		c.itx = append(c.itx, int32(key>>21&(1<<21-1)))
		c.it = append(c.it, int32(key&(1<<21-1)))
		c.w = append(c.w, wts[k])
	}
	c.wx = make([]float64, len(c.xs))
	for i, w := range c.w {
		c.wx[c.ix[i]] += w
		c.n += w
		if c.xs[c.ix[i]] > 0 {
			c.repeatWeight += w
		}
	}
	c.scale = 1
	if c.maxT > 0 {
		c.scale = 10 / c.maxT
	}
	for i := range c.txs {
		c.txs[i] *= c.scale
	}
	for i := range c.ts {
		c.ts[i] *= c.scale
	}
	return c, nil
}

// sortKeys returns the permutation that sorts keys (an LSD radix sort, 16 bits a pass).
func sortKeys(keys []uint64) []int32 {
	n := len(keys)
	a := make([]int32, n)
	b := make([]int32, n)
	for i := range a {
		a[i] = int32(i)
	}
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		same := true
		first := (keys[a[0]] >> shift) & 0xffff
		for _, i := range a {
			v := (keys[i] >> shift) & 0xffff
			count[v]++
			if v != first {
				same = false
			}
		}
		if same {
			continue
		}
		sum := 0
		for v := range count {
			sum, count[v] = sum+count[v], sum
		}
		for _, i := range a {
			v := (keys[i] >> shift) & 0xffff
			b[count[v]] = i
			count[v]++
		}
		a, b = b, a
	}
	return a
}

// parallel runs fn over [0, n) in up to GOMAXPROCS chunks when n is large, and returns the
// chunks' partial results for the caller to add up.
func parallel(n int, fn func(lo, hi int, out []float64), width int) [][]float64 {
	chunks := 1
	if n >= 20000 {
		chunks = min(runtime.GOMAXPROCS(0), n/10000)
	}
	outs := make([][]float64, chunks)
	var wg sync.WaitGroup
	for c := range chunks {
		outs[c] = make([]float64, width)
		lo, hi := c*n/chunks, (c+1)*n/chunks
		if c == chunks-1 {
			fn(lo, hi, outs[c])
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi, outs[c])
		}()
	}
	wg.Wait()
	return outs
}
