package clv

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"

	"github.com/kexi/kexi"
)

// ReadPurchasesFile reads a purchases CSV (customer_id,date,amount; an optional header line;
// dates as 2006-01-02 or 20060102; customer ids whole numbers) with a fast path made for large
// files: one read, manual field splitting and parsing, in parallel over GOMAXPROCS chunks of
// lines. It returns an EINVALID error naming the file, row, column, value and what was
// expected for the first bad field.
func ReadPurchasesFile(path string) ([]Purchase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read purchases: %w", err)
	}
	return ParsePurchases(data, path)
}

// ParsePurchases parses purchases CSV bytes (see ReadPurchasesFile); name labels errors.
func ParsePurchases(data []byte, name string) ([]Purchase, error) {
	start := 0
	if len(data) > 0 && (data[0] < '0' || data[0] > '9') { // header
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			start = i + 1
		} else {
			start = len(data)
		}
	}
	body := data[start:]
	w := runtime.GOMAXPROCS(0)
	if len(body) < 1<<20 {
		w = 1
	}
	// Chunk boundaries at line starts.
	bounds := make([]int, w+1)
	bounds[w] = len(body)
	for i := 1; i < w; i++ {
		b := len(body) * i / w
		for b < len(body) && body[b-1] != '\n' {
			b++
		}
		bounds[i] = max(b, bounds[i-1])
	}
	// Count lines per chunk first so that every chunk parses straight into its own window of
	// one output slice (no per-chunk slices to copy together).
	counts := make([]int, w+1)
	var wg sync.WaitGroup
	for c := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunk := body[bounds[c]:bounds[c+1]]
			counts[c+1] = bytes.Count(chunk, []byte{'\n'})
			if len(chunk) > 0 && chunk[len(chunk)-1] != '\n' {
				counts[c+1]++
			}
		}()
	}
	wg.Wait()
	for c := range w {
		counts[c+1] += counts[c]
	}
	out := make([]Purchase, counts[w])
	got := make([]int, w)
	errs := make([]*kexi.FieldProblem, w)
	for c := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[c], errs[c] = parseChunk(body[bounds[c]:bounds[c+1]], out[counts[c]:counts[c+1]])
		}()
	}
	wg.Wait()
	row := 0
	if start > 0 {
		row = 1
	}
	n := 0
	for c := range w {
		if errs[c] != nil {
			p := *errs[c]
			p.File = name
			p.Row += row
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad purchases file", Problems: []kexi.FieldProblem{p}}
		}
		row += counts[c+1] - counts[c]
		// Blank lines leave gaps: close them.
		n += copy(out[n:], out[counts[c]:counts[c]+got[c]])
	}
	return out[:n:n], nil
}

// parseChunk parses whole lines into out (one slot per line) and returns how many purchases
// it stored; Row in a problem is 1-based within the chunk.
func parseChunk(b []byte, out []Purchase) (int, *kexi.FieldProblem) {
	line, n := 0, 0
	for len(b) > 0 {
		line++
		nl := bytes.IndexByte(b, '\n')
		var l []byte
		if nl < 0 {
			l, b = b, nil
		} else {
			l, b = b[:nl], b[nl+1:]
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(l) == 0 {
			continue
		}
		c1 := bytes.IndexByte(l, ',')
		if c1 < 0 {
			return 0, &kexi.FieldProblem{Row: line, Value: string(l), Reason: "expected customer_id,date,amount"}
		}
		rest := l[c1+1:]
		c2 := bytes.IndexByte(rest, ',')
		if c2 < 0 {
			return 0, &kexi.FieldProblem{Row: line, Value: string(l), Reason: "expected customer_id,date,amount"}
		}
		id, ok := parseInt(l[:c1])
		if !ok {
			return 0, &kexi.FieldProblem{Row: line, Column: "customer_id", Value: string(l[:c1]), Reason: "expected a whole number"}
		}
		day, ok := parseDate(rest[:c2])
		if !ok {
			return 0, &kexi.FieldProblem{Row: line, Column: "date", Value: string(rest[:c2]), Reason: "expected a date like 2024-06-30"}
		}
		amt, ok := parseAmount(rest[c2+1:])
		if !ok {
			return 0, &kexi.FieldProblem{Row: line, Column: "amount", Value: string(rest[c2+1:]), Reason: "expected a number ≥ 0"}
		}
		out[n] = Purchase{Customer: id, Day: day, Amount: amt}
		n++
	}
	return n, nil
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseDate parses 2006-01-02 or 20060102 into a day number (days since 1970-01-01).
func parseDate(b []byte) (int32, bool) {
	var y, m, d int
	var ok1, ok2, ok3 bool
	switch {
	case len(b) == 10 && b[4] == '-' && b[7] == '-':
		y, ok1 = digits(b[:4])
		m, ok2 = digits(b[5:7])
		d, ok3 = digits(b[8:])
	case len(b) == 8:
		y, ok1 = digits(b[:4])
		m, ok2 = digits(b[4:6])
		d, ok3 = digits(b[6:])
	default:
		return 0, false
	}
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the day number of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// parseAmount parses a plain decimal ("29.33", "7") exactly as strconv would, falling back to
// strconv.ParseFloat for anything else (exponents, many digits).
func parseAmount(b []byte) (float64, bool) {
	var ip, fp int64
	scale := 1.0
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		ip = ip*10 + int64(b[i]-'0')
	}
	simple := i > 0 && i <= 15
	if simple && i < len(b) && b[i] == '.' {
		j := i + 1
		for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
			fp = fp*10 + int64(b[j]-'0')
			scale *= 10
		}
		simple = j == len(b) && j-i-1 <= 6 && j-1 <= 15
	} else if i != len(b) {
		simple = false
	}
	if simple {
		// ip + fp/scale is exact in float64 arithmetic only when done as one division of an
		// integer below 2^53 by a power of ten, which rounds correctly.
		return float64(ip*int64(scale)+fp) / scale, true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || v < 0 || v != v || v > 1e300 {
		return 0, false
	}
	return v, true
}
