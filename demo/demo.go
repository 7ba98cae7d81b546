// Package demo generates a deterministic, realistic data set for a Chinese multi-channel retailer
// (云杉优选): customers with Chinese and English names across provinces and cities, individual,
// enterprise and government buyers, orders with line items over three years with the Spring
// Festival dip and the 618, 11.11 and Double-12 peaks, churn and reactivation, service
// interactions, NPS/CSAT/CES surveys that foreshadow churn, web sessions, a lead funnel,
// campaigns with control groups, competitors and a SWOT board.
//
// Generate is pure: the same Options always give the same Batch, and every record carries a
// deterministic external id, so importing the batch twice is an upsert no-op. Stream makes the
// same records block by block of customers, so that a million customers (about 33 million
// records) can be made and imported in bounded memory.
package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/kexi/kexi"
)

// DefaultCustomers is the number of customers Generate makes when Options.Customers is 0.
const DefaultCustomers = 5000

// Years is how many years of history the data covers, ending at Options.End.
const Years = 3

// Options control what Generate makes.
type Options struct {
	// Customers is the number of customers; 0 means DefaultCustomers. There are about twelve
	// orders per customer.
	Customers int
	// Seed selects the data set; the same seed gives the same data.
	Seed int64
	// End is the end of the data: every generated time is before its day (times fall on whole
	// days before End's midnight, in End's location). The zero End means DefaultEnd.
	End time.Time
}

// DefaultEnd is the End used when Options.End is zero: 2026-01-01 in China Standard Time.
// The kexi demo command passes today's date instead.
var DefaultEnd = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Generate returns the demo data set for opts. It is deterministic: the same opts give an
// identical batch. Negative Customers count as 0 (the default).
func Generate(opts Options) *kexi.Batch {
	b := &kexi.Batch{}
	_ = Stream(opts, 0, func(p *kexi.Batch) error {
		appendPart(b, p)
		return nil
	})
	return b
}

// appendPart appends the records of a part Stream emitted to b; the custom fields, which every
// part carries whole, are the part's.
func appendPart(b, p *kexi.Batch) {
	b.Customers = append(b.Customers, p.Customers...)
	b.Products = append(b.Products, p.Products...)
	b.Campaigns = append(b.Campaigns, p.Campaigns...)
	b.Orders = append(b.Orders, p.Orders...)
	b.Interactions = append(b.Interactions, p.Interactions...)
	b.Events = append(b.Events, p.Events...)
	b.Surveys = append(b.Surveys, p.Surveys...)
	b.Leads = append(b.Leads, p.Leads...)
	b.Responses = append(b.Responses, p.Responses...)
	b.Competitors = append(b.Competitors, p.Competitors...)
	b.SWOT = append(b.SWOT, p.SWOT...)
	b.CustomFields = p.CustomFields
}

// gen holds the state of one generation.
type gen struct {
	n     int
	nmain int // customers who are not near-duplicates: [0, nmain)
	seed  int64
	end   time.Time // midnight of End's day
	loc   *time.Location
	days  int         // days of history: day d is start+d, d in [0, days)
	day   []time.Time // midnight of each day
	cny   []bool      // whether the day is in the Spring Festival holiday
	sale  []float64   // shopping-festival factor of each day (1 = ordinary)
	order cumulative  // weights of ordering on each day (season × weekday)
	acq   cumulative  // weights of acquiring a customer on each day (growth × season × campaigns)

	b         *kexi.Batch // the reference data: products, campaigns, custom fields, competitors, SWOT
	cust      []plan      // every customer's plan
	camps     []campPlan
	prodByCat [][]int   // catalogue indexes per category
	prodPick  []*picker // per category: product popularity
	companion [][]int   // catalogue index → the indexes of its companions, likeliest first
	items     []kexi.OrderItem
	catRate   map[string]float64 // return rate per category name
	pages     pages

	stream // the state carried from block to block
}

func newGen(opts Options) *gen {
	n := opts.Customers
	if n <= 0 {
		n = DefaultCustomers
	}
	end := opts.End
	if end.IsZero() {
		end = DefaultEnd
	}
	loc := end.Location()
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, loc)
	start := end.AddDate(-Years, 0, 0)
	g := &gen{n: n, nmain: n - n/100, seed: opts.Seed, end: end, loc: loc, b: &kexi.Batch{}}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		g.day = append(g.day, d)
	}
	g.days = len(g.day)
	g.cny = make([]bool, g.days)
	g.sale = make([]float64, g.days)
	w := make([]float64, g.days)
	for i, d := range g.day {
		s, holiday := season(d)
		g.cny[i] = holiday
		g.sale[i] = festival(d)
		w[i] = s * g.sale[i] * weekday(d)
	}
	g.order = newCumulative(w)
	return g
}

// rng returns the random stream of one part of the generation. Each part has its own stream so
// that changing one part leaves the others' data as it was.
func (g *gen) rng(part uint64) *rand.Rand {
	r, _ := g.rngState(part)
	return r
}

// rngState returns the random stream of one part and its source, whose state can be saved and
// restored to draw the same numbers again.
func (g *gen) rngState(part uint64) (*rand.Rand, *rand.PCG) {
	src := rand.NewPCG(uint64(g.seed), part*0x9E3779B97F4A7C15+0x5851F42D4C957F2D)
	return rand.New(src), src
}

// season returns the seasonal factor of a day apart from the shopping festivals: a mild
// monthly cycle, the 年货 rush before the Spring Festival and the holiday dip after it.
func season(d time.Time) (f float64, holiday bool) {
	monthly := [12]float64{1.0, 0.95, 0.95, 0.95, 1.0, 1.05, 0.9, 0.9, 1.0, 1.0, 1.1, 1.1}
	f = monthly[d.Month()-1]
	md, ok := springFestival[d.Year()]
	if !ok {
		return f, false
	}
	cny := time.Date(d.Year(), time.Month(md[0]), md[1], 0, 0, 0, 0, d.Location())
	delta := int(math.Round(d.Sub(cny).Hours() / 24))
	switch {
	case delta >= -21 && delta < -7:
		f *= 1.3 // 年货: buying for the holiday
	case delta >= -7 && delta < -2:
		f *= 0.6 // logistics slow down
	case delta >= -2 && delta <= 6:
		return f * 0.25, true // the holiday itself
	case delta > 6 && delta <= 14:
		f *= 0.7
	}
	return f, false
}

// festival returns the shopping-festival factor of a day: 618 (June 18), 11.11 (Singles' Day)
// and Double-12, with their pre-sale runs.
func festival(d time.Time) float64 {
	m, day := d.Month(), d.Day()
	switch {
	case m == time.June && day == 18:
		return 3.5
	case m == time.June && (day == 16 || day == 17):
		return 2
	case m == time.June && day < 16:
		return 1.35
	case m == time.June && (day == 19 || day == 20):
		return 1.2
	case m == time.November && day == 11:
		return 5
	case m == time.November && (day == 10 || day == 12):
		return 2
	case m == time.November && day < 10, m == time.October && day >= 20:
		return 1.35
	case m == time.December && day == 12:
		return 2.2
	case m == time.December && (day == 10 || day == 11):
		return 1.4
	}
	return 1
}

// weekday returns the weekly pattern: weekends busier, Mondays quieter.
func weekday(d time.Time) float64 {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return 1.15
	case time.Monday:
		return 0.92
	}
	return 1
}

// cumulative samples days in proportion to their weights.
type cumulative struct {
	c []float64 // c[i] = sum of weights of days < i; len days+1
}

func newCumulative(w []float64) cumulative {
	c := make([]float64, len(w)+1)
	for i, x := range w {
		c[i+1] = c[i] + x
	}
	return cumulative{c}
}

// mass returns the total weight of days [a, b).
func (c cumulative) mass(a, b int) float64 {
	if b <= a {
		return 0
	}
	return c.c[b] - c.c[a]
}

// sample returns a day in [a, b) (b > a) with probability proportional to its weight.
func (c cumulative) sample(r *rand.Rand, a, b int) int {
	lo, hi := c.c[a], c.c[b]
	u := lo + r.Float64()*(hi-lo)
	// The first i in (a, b] with c[i] > u; the day is i-1.
	i := sort.Search(b-a, func(k int) bool { return c.c[a+k+1] > u })
	if i >= b-a {
		i = b - a - 1
	}
	return a + i
}

// weighted is a value with a relative weight.
type weighted struct {
	v string
	w float64
}

// picker draws indexes in proportion to weights.
type picker struct {
	c []float64
}

func newPicker(w []float64) *picker {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return &picker{c}
}

func pickerOf(ws []weighted) *picker {
	w := make([]float64, len(ws))
	for i := range ws {
		w[i] = ws[i].w
	}
	return newPicker(w)
}

func (p *picker) pick(r *rand.Rand) int {
	u := r.Float64() * p.c[len(p.c)-1]
	i := sort.SearchFloat64s(p.c, u)
	for i < len(p.c)-1 && p.c[i] <= u {
		i++
	}
	return i
}

// choice picks one value of ws by weight.
func choice(r *rand.Rand, ws []weighted) string {
	s := 0.0
	for _, x := range ws {
		s += x.w
	}
	u := r.Float64() * s
	for _, x := range ws {
		u -= x.w
		if u < 0 {
			return x.v
		}
	}
	return ws[len(ws)-1].v
}

// poisson draws a Poisson count with mean m (a normal approximation for large means).
func poisson(r *rand.Rand, m float64) int {
	if m <= 0 {
		return 0
	}
	if m > 40 {
		k := int(math.Round(m + math.Sqrt(m)*r.NormFloat64()))
		return max(k, 0)
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// lognormal draws a log-normal value with the median and the log-scale spread sigma.
func lognormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// round2 rounds to cents.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// idBlock makes n fixed-width external ids ("O0000001") from one backing string, so a million
// ids cost one allocation.
type idBlock struct {
	s     string
	width int
}

func newIDBlock(prefix string, n, digits int) idBlock {
	if d := len(strconv.Itoa(n)); d > digits {
		digits = d
	}
	width := len(prefix) + digits
	buf := make([]byte, 0, n*width)
	num := make([]byte, 0, 20)
	for i := 1; i <= n; i++ {
		buf = append(buf, prefix...)
		num = strconv.AppendInt(num[:0], int64(i), 10)
		for k := len(num); k < digits; k++ {
			buf = append(buf, '0')
		}
		buf = append(buf, num...)
	}
	return idBlock{string(buf), width}
}

// id returns the i-th id (0-based; the id's number is i+1).
func (b idBlock) id(i int) string { return b.s[i*b.width : (i+1)*b.width] }

// idOf returns the i-th (0-based) of n ids with the prefix, as newIDBlock(prefix, n, digits)
// numbers them, without making the others.
func idOf(prefix string, i, n, digits int) string {
	if d := len(strconv.Itoa(n)); d > digits {
		digits = d
	}
	num := strconv.Itoa(i + 1)
	buf := make([]byte, 0, len(prefix)+digits)
	buf = append(buf, prefix...)
	for k := len(num); k < digits; k++ {
		buf = append(buf, '0')
	}
	return string(append(buf, num...))
}

// at returns a time on day d at an hour drawn from hours, with random minutes and seconds.
// Days before the history (d < 0) are allowed.
func (g *gen) at(r *rand.Rand, d int, hours *picker) time.Time {
	sec := hours.pick(r)*3600 + r.IntN(3600)
	base := g.day[0].AddDate(0, 0, d)
	if d >= 0 {
		base = g.day[d]
	}
	return base.Add(time.Duration(sec) * time.Second)
}

// dayOf returns the day index of t (clamped to the history).
func (g *gen) dayOf(t time.Time) int {
	d := int(t.Sub(g.day[0]).Hours() / 24)
	return min(max(d, 0), g.days-1)
}
