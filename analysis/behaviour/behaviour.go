// Package behaviour describes purchase behaviour 行为分析 (A5): how often and how much customers
// buy, average order value, channel mix, when they buy (weekday × hour), the monthly seasonality
// index with peak and off seasons (旺季/淡季), where sales come from (province, city), each
// customer's category preference, purchase cycle and expected next order, and web behaviour.
//
// Only purchases (kexi.OrderTable.IsPurchase) and web events in the period and at or before the
// as-of time count; a $0 purchase (a free gift) counts as an order, but average order values
// divide revenue by the purchases with a positive amount only (kexi.OrderTable.IsPaid). Calendar
// fields (weekday, hour, month) are taken in the business's time zone.
// An order's region is its shipping province and city, else its customer's.
//
// Seasonality index of calendar month m: the mean revenue of m over the years in which m is
// observed, divided by the mean revenue of all observed months. Observed months run from the
// month of the first purchase to the month of the as-of time, leaving out that last month when
// the as-of time is before its last day (a partial month would look like a slump). Index ≥ 1.2
// is peak season 旺季, ≤ 0.8 off season 淡季.
//
// Category preference is a customer's top category by item value (quantity × unit price) and
// its share of their item value. Purchase cycle is the median of the whole days between a
// customer's consecutive purchases; the expected next order is the last purchase plus the
// cycle, and the customer is overdue when that date is before the as-of time.
//
// Web behaviour counts events by type, sessions (distinct session ids), visitors (distinct
// customers or anonymous ids) and identified visitors who purchased in the period. Visitor
// conversion (访客购买转化率) is those buyers over all visitors, the last step of the web
// funnel (visitors → viewed → added to cart → purchased) over its first; the share of
// identified (signed-in) visitors who bought is a figure of its own, since only they can be
// matched to orders.
package behaviour

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// Season thresholds of the seasonality index.
const (
	PeakIndex = 1.2
	OffIndex  = 0.8
)

// Season keys.
const (
	Peak   = "peak"
	Off    = "off"
	Normal = "normal"
)

// Season returns the season of a seasonality index.
func Season(index float64) string {
	switch {
	case index >= PeakIndex:
		return Peak
	case index <= OffIndex:
		return Off
	}
	return Normal
}

// SeasonalIndex returns the seasonality index of each calendar month (index 0 = January) from
// revenue per observed month: rev[k] is the revenue of the k-th month starting at first (a year
// and month). Months never observed get NaN.
func SeasonalIndex(first time.Time, rev []float64) [12]float64 {
	var sum [12]float64
	var n [12]int
	var total float64
	m0 := int(first.Month()) - 1
	for k, r := range rev {
		sum[(m0+k)%12] += r
		n[(m0+k)%12]++
		total += r
	}
	var out [12]float64
	mean := total / float64(len(rev))
	for m := range out {
		if n[m] == 0 || mean == 0 {
			out[m] = math.NaN()
			continue
		}
		out[m] = sum[m] / float64(n[m]) / mean
	}
	return out
}

// Preference is a customer's top category.
type Preference struct {
	Category string
	Share    float64 // of the customer's item value
}

// Row is one customer's purchase behaviour.
type Row struct {
	CustomerID   int64
	Orders       int
	Paid         int // purchases with a positive amount: the average order value divides by them
	Revenue      float64
	Top          Preference
	MainChannel  string
	Last         time.Time
	Cycle        float64   // median whole days between purchases; NaN with one purchase
	ExpectedNext time.Time // zero with one purchase

	top, channel int32 // indices of Top.Category and MainChannel in scan's interners (−1: none)
}

// interner numbers strings, remembering the last hit (orders of one customer often repeat it).
// byKey remembers the string last seen with a small numeric key (an item's product id), so
// that the category of a product costs a slice lookup and a string comparison, not a hash.
type interner struct {
	idx   map[string]int
	names []string
	last  string
	lastI int
	byKey []keyed
}

type keyed struct {
	s  string
	id int // id+1; 0 = not set
}

// maxKey bounds the keys byKey remembers.
const maxKey = 1 << 16

func newInterner() *interner { return &interner{idx: map[string]int{}, lastI: -1} }

func (in *interner) id(s string) int {
	if in.lastI >= 0 && s == in.last {
		return in.lastI
	}
	if len(in.names) <= 8 { // a few names: comparing beats hashing
		for i, n := range in.names {
			if n == s {
				in.last, in.lastI = s, i
				return i
			}
		}
	}
	i, ok := in.idx[s]
	if !ok {
		i = len(in.names)
		in.idx[s] = i
		in.names = append(in.names, s)
	}
	in.last, in.lastI = s, i
	return i
}

// idKey is id(s) for a string that usually comes with the same key.
func (in *interner) idKey(key int64, s string) int {
	if key <= 0 || key >= maxKey {
		return in.id(s)
	}
	if int(key) < len(in.byKey) {
		if k := &in.byKey[key]; k.id > 0 && k.s == s {
			return k.id - 1
		}
	} else {
		in.byKey = append(in.byKey, make([]keyed, int(key)+1-len(in.byKey))...)
	}
	i := in.id(s)
	in.byKey[key] = keyed{s, i + 1}
	return i
}

type agg struct {
	orders  int
	paid    int // orders with a positive amount
	revenue float64
}

// profile is everything one pass over the orders collects.
type profile struct {
	rows          []Row
	orders        int
	paid          int // orders with a positive amount: averages of money divide by them
	revenue       float64
	channels      *interner
	chAgg         []agg
	provinces     *interner
	cities        *interner
	provAgg       []agg
	cityAgg       map[[2]int]*agg
	heat          [7][24]float64
	monthRev      []float64
	firstMonth    time.Time
	amounts       []int // order amount histogram over edges
	freq          []float64
	buyers        []int64 // customer ids with a purchase, ascending
	overdue       int
	cycles        []float64
	categoryTotal map[string]float64
	categories    []string // category names by Row.top
}

// edges of the order amount histogram: a 1-2-5 series.
var edges = func() []float64 {
	var e []float64
	for p := 1.0; p < 1e9; p *= 10 {
		e = append(e, p, 2*p, 5*p)
	}
	return e
}()

// scan makes one pass over the orders. Monthly revenue is summed per month counted back from
// the as-of month (the first purchase month is only known at the end) and laid out from the
// first purchase month afterwards.
func scan(d *kexi.Dataset, keep func(time.Time) bool, loc *time.Location, asOf time.Time) *profile {
	p := &profile{channels: newInterner(), provinces: newInterner(), cities: newInterner(), cityAgg: map[[2]int]*agg{},
		amounts: make([]int, len(edges)+1), freq: make([]float64, len(freqBins)), categoryTotal: map[string]float64{}}
	p.rows = make([]Row, 0, len(d.Customers))
	p.buyers = make([]int64, 0, len(d.Customers))
	s := &scanner{p: p, cal: stats.NewCalendar(loc), cats: newInterner(), cityKey: [2]int{-1, -1}, cs: d.Customers}
	s.mAsOf = s.cal.Month(asOf)
	o := &d.Orders
	n := o.Len()
	for i := 0; i < n; {
		cid := o.CustomerID[i]
		s.begin(cid)
		r := Row{CustomerID: cid}
		var itemTotal float64
		for ; i < n && o.CustomerID[i] == cid; i++ {
			if !o.IsPurchase(i) {
				continue
			}
			if at := o.Time(i); keep(at) {
				s.order(o, i, at, &r, &itemTotal)
			}
		}
		s.end(&r, itemTotal, asOf)
	}
	p.categories = s.cats.names
	for k, v := range s.catTotal {
		if s.catSeen[k] {
			p.categoryTotal[s.cats.names[k]] = v
		}
	}
	if !s.first.IsZero() {
		p.months(s.first, s.back, s.mAsOf, loc, asOf)
	}
	return p
}

// scanner is scan's state: totals over all customers, and scratch space reused from one
// customer to the next.
type scanner struct {
	p     *profile
	cal   *stats.Calendar
	mAsOf int // the as-of month, as year×12 + month−1
	first time.Time
	back  []float64 // back[k] = revenue of the k-th month before the as-of month

	cats     *interner
	catTotal []float64 // item value by category
	catSeen  []bool    // a counted customer bought in the category
	city     *agg      // the last city's sums, and its key
	cityKey  [2]int

	// The customer's: value by category (and the categories touched), orders by channel (and
	// the channels touched), days between purchases.
	catVal    []float64
	touched   []int
	chCount   []int
	chTouched []int
	gaps      []float64

	cs    []kexi.Customer // the customers, by id: looked up for orders without a province
	ci    int
	cust  *kexi.Customer
	found bool // cust looked up
	cid   int64
}

// begin starts customer cid.
func (s *scanner) begin(cid int64) {
	s.touched, s.chTouched, s.gaps = s.touched[:0], s.chTouched[:0], s.gaps[:0]
	s.cid, s.cust, s.found = cid, nil, false
}

// order counts purchase i, at at, into the totals and r, and its item value into itemTotal.
func (s *scanner) order(o *kexi.OrderTable, i int, at time.Time, r *Row, itemTotal *float64) {
	p := s.p
	if s.first.IsZero() || at.Before(s.first) {
		s.first = at
	}
	amount := o.Amount[i]
	f := &o.Facets[o.Facet[i]]
	paid := 0
	if amount > 0 { // a $0 purchase counts as an order, not in averages of money
		paid = 1
	}
	p.orders++
	p.paid += paid
	p.revenue += amount
	y, mo, wd, h := s.cal.Fields(at)
	p.heat[wd][h]++
	if k := s.mAsOf - (y*12 + int(mo) - 1); k >= 0 {
		for len(s.back) <= k {
			s.back = append(s.back, 0)
		}
		s.back[k] += amount
	}
	b, _ := slices.BinarySearch(edges, amount)
	p.amounts[b]++
	c := p.channels.id(f.Channel)
	for len(p.chAgg) <= c {
		p.chAgg = append(p.chAgg, agg{})
		s.chCount = append(s.chCount, 0)
	}
	p.chAgg[c].orders++
	p.chAgg[c].paid += paid
	p.chAgg[c].revenue += amount
	if s.chCount[c] == 0 {
		s.chTouched = append(s.chTouched, c)
	}
	s.chCount[c]++
	s.region(f, amount)
	s.lines(o, i, itemTotal)
	if r.Orders > 0 {
		s.gaps = append(s.gaps, float64(int(at.Sub(r.Last)/(24*time.Hour))))
	}
	r.Orders++
	r.Paid += paid
	r.Revenue += amount
	r.Last = at
}

// region counts an order's amount to its province and city: the order's, else the
// customer's.
func (s *scanner) region(f *kexi.Facets, amount float64) {
	p := s.p
	prov, ct := f.Province, f.City
	if prov == "" && !s.found {
		for s.ci < len(s.cs) && s.cs[s.ci].ID < s.cid {
			s.ci++
		}
		if s.ci < len(s.cs) && s.cs[s.ci].ID == s.cid {
			s.cust = &s.cs[s.ci]
		}
		s.found = true
	}
	if prov == "" && s.cust != nil {
		prov, ct = s.cust.Province, s.cust.City
	}
	pi, cti := p.provinces.id(prov), p.cities.id(ct)
	for len(p.provAgg) <= pi {
		p.provAgg = append(p.provAgg, agg{})
	}
	p.provAgg[pi].orders++
	p.provAgg[pi].revenue += amount
	if k := [2]int{pi, cti}; k != s.cityKey {
		s.city = p.cityAgg[k]
		if s.city == nil {
			s.city = &agg{}
			p.cityAgg[k] = s.city
		}
		s.cityKey = k
	}
	s.city.orders++
	s.city.revenue += amount
}

// lines counts order i's lines to the customer's categories and adds their value, line by
// line, to total.
func (s *scanner) lines(o *kexi.OrderTable, i int, total *float64) {
	lo, hi := o.LineRange(i)
	for j := lo; j < hi; j++ {
		it := o.Lines.ItemOf(j)
		k := s.cats.idKey(it.ProductID, it.Category)
		for len(s.catVal) <= k {
			s.catVal = append(s.catVal, 0)
			s.catTotal = append(s.catTotal, 0)
			s.catSeen = append(s.catSeen, false)
		}
		if s.catVal[k] == 0 {
			s.touched = append(s.touched, k)
		}
		v := o.Lines.Quantity[j] * o.Lines.UnitPrice[j]
		s.catVal[k] += v
		*total += v
	}
}

// end finishes the customer's row r (itemTotal their item value): their top category, main
// channel and purchase cycle; a customer without a counted purchase, or the orders without
// one, make no row.
func (s *scanner) end(r *Row, itemTotal float64, asOf time.Time) {
	p := s.p
	if r.Orders == 0 || s.cid == 0 {
		for _, k := range s.touched {
			s.catVal[k] = 0
		}
		for _, c := range s.chTouched {
			s.chCount[c] = 0
		}
		return
	}
	s.top(r, itemTotal)
	bc := -1
	for _, c := range s.chTouched {
		if bc < 0 || s.chCount[c] > s.chCount[bc] || (s.chCount[c] == s.chCount[bc] && p.channels.names[c] < p.channels.names[bc]) {
			bc = c
		}
	}
	r.MainChannel, r.channel = p.channels.names[bc], int32(bc)
	for _, c := range s.chTouched {
		s.chCount[c] = 0
	}
	r.Cycle = math.NaN()
	if len(s.gaps) > 0 {
		r.Cycle = median(s.gaps)
		r.ExpectedNext = r.Last.Add(time.Duration(r.Cycle * float64(24*time.Hour)))
		p.cycles = append(p.cycles, r.Cycle)
		if r.ExpectedNext.Before(asOf) {
			p.overdue++
		}
	}
	p.freq[freqBin(r.Orders)]++
	p.buyers = append(p.buyers, s.cid)
	p.rows = append(p.rows, *r)
}

// top sets r's top category (most item value, ties by name) and adds the customer's
// categories to the totals.
func (s *scanner) top(r *Row, itemTotal float64) {
	r.top = -1
	best := -1
	for _, k := range s.touched {
		s.catTotal[k] += s.catVal[k]
		s.catSeen[k] = true
		if best < 0 || s.catVal[k] > s.catVal[best] || (s.catVal[k] == s.catVal[best] && s.cats.names[k] < s.cats.names[best]) {
			best = k
		}
	}
	if best >= 0 && itemTotal > 0 {
		r.Top = Preference{Category: s.cats.names[best], Share: s.catVal[best] / itemTotal}
		r.top = int32(best)
	}
	for _, k := range s.touched {
		s.catVal[k] = 0
	}
}

// months lays out the monthly revenue (back, counted back from the as-of month mAsOf) from
// the first purchase month to the last whole month before asOf (the as-of month itself when
// it is the first).
func (p *profile) months(first time.Time, back []float64, mAsOf int, loc *time.Location, asOf time.Time) {
	fl := first.In(loc)
	p.firstMonth = time.Date(fl.Year(), fl.Month(), 1, 0, 0, 0, 0, loc)
	m0 := fl.Year()*12 + int(fl.Month()) - 1
	al := asOf.In(loc)
	mEnd := mAsOf
	if al.AddDate(0, 0, 1).Month() == al.Month() && mEnd > m0 { // as-of before the month's last day
		mEnd--
	}
	p.monthRev = make([]float64, max(mEnd-m0+1, 1))
	for k := range p.monthRev {
		if b := mAsOf - (m0 + k); b >= 0 && b < len(back) {
			p.monthRev[k] = back[b]
		}
	}
}

// Customers returns each customer's purchase behaviour (customers with a counted purchase, in
// id order). Purchases count when keep (nil = all) accepts their time; loc is the time zone for
// calendar fields; asOf decides who is overdue.
func Customers(d *kexi.Dataset, keep func(time.Time) bool, loc *time.Location, asOf time.Time) []Row {
	if keep == nil {
		keep = func(time.Time) bool { return true }
	}
	return scan(d, keep, loc, asOf).rows
}

// Web sums web behaviour.
type Web struct {
	Events, Sessions, Visitors  int
	Identified, Converted       int // identified visitors; those of them who purchased
	DwellSeconds                float64
	ByType                      map[string]int
	ViewedVisitors, CartVisitor int // visitors with a page view; with an add_to_cart
}

// WebBehaviour sums events accepted by keep (nil = all); buyers are the ids of customers who
// purchased, ascending.
func WebBehaviour(events []kexi.WebEvent, keep func(time.Time) bool, buyers []int64) Web {
	w := Web{ByType: map[string]int{}}
	v := w.collect(events, keep)
	// Sessions and anonymous visitors: distinct strings, found by sorting their hashes.
	seed := maphash.MakeSeed()
	hash := func(s string) uint64 { return maphash.String(seed, s) }
	_, w.Sessions = distinct(len(v.sessions), func(k int) string { return v.sessions[k] }, hash)
	group, visitors := distinct(len(v.anon), func(k int) string { return events[v.anon[k].i].AnonymousID }, hash)
	flags := make([]uint8, visitors)
	for k, g := range group {
		flags[g] |= v.anon[k].flags
	}
	for _, f := range flags {
		w.count(f)
	}
	identified := w.identified(v.ids, v.idFlags, buyers)
	w.Visitors, w.Identified = visitors+identified, identified
	return w
}

// Visitor flags: a page view, an add to cart.
const (
	viewed = 1
	cart   = 2
)

// visit is an anonymous visitor's event: its index (the visitor's anonymous id) and flags.
type visit struct {
	i     int32
	flags uint8
}

// visits is what the events say about visitors: the session ids, the anonymous visits, and
// the customer ids of identified events with their flags.
type visits struct {
	sessions []string
	anon     []visit
	ids      []int64
	idFlags  []uint8
}

// collect counts the events keep accepts (by type, dwell time) and returns their visits.
func (w *Web) collect(events []kexi.WebEvent, keep func(time.Time) bool) visits {
	v := visits{sessions: make([]string, 0, len(events)), ids: make([]int64, 0, len(events)), idFlags: make([]uint8, 0, len(events))}
	types := newInterner()
	var typeCount []int
	for i := range events {
		e := &events[i]
		if keep != nil && !keep(e.At) {
			continue
		}
		w.Events++
		t := types.id(e.Type)
		for len(typeCount) <= t {
			typeCount = append(typeCount, 0)
		}
		typeCount[t]++
		w.DwellSeconds += e.Dwell
		if e.SessionID != "" {
			v.sessions = append(v.sessions, e.SessionID)
		}
		var f uint8
		if e.Type == "page_view" {
			f |= viewed
		}
		if e.Type == "add_to_cart" {
			f |= cart
		}
		switch {
		case e.CustomerID != 0:
			v.ids = append(v.ids, e.CustomerID)
			v.idFlags = append(v.idFlags, f)
		case e.AnonymousID != "":
			v.anon = append(v.anon, visit{int32(i), f})
		}
	}
	for t, n := range typeCount {
		w.ByType[types.names[t]] = n
	}
	return v
}

// count counts a visitor with flags f.
func (w *Web) count(f uint8) {
	if f&viewed != 0 {
		w.ViewedVisitors++
	}
	if f&cart != 0 {
		w.CartVisitor++
	}
}

// identified counts the identified visitors (distinct ids, in id order) and those who
// purchased, and returns how many there are.
func (w *Web) identified(ids []int64, idFlags []uint8, buyers []int64) int {
	keys := make([]uint64, len(ids))
	for k, id := range ids {
		keys[k] = stats.IntKey(id)
	}
	order := stats.RadixOrder(keys)
	identified := 0
	for a := 0; a < len(order); {
		id := ids[order[a]]
		var f uint8
		for ; a < len(order) && ids[order[a]] == id; a++ {
			f |= idFlags[order[a]]
		}
		identified++
		w.count(f)
		if _, ok := slices.BinarySearch(buyers, id); ok {
			w.Converted++
		}
	}
	return identified
}

// distinct numbers the distinct strings among at(0…n−1): group[k] is the number of at(k)'s
// string, and groups is how many there are. It sorts 64-bit hashes of the strings (hash) (a radix
// sort, no string comparisons) and compares strings only within a run of equal hashes, so the
// numbering is exact even if two strings share a hash. Hashing each string once beats a map
// when the strings are spread over memory, as the ids of time-sorted events are.
func distinct(n int, at func(k int) string, hash func(string) uint64) (group []int32, groups int) {
	keys := make([]uint64, n)
	for k := range keys {
		keys[k] = hash(at(k))
	}
	order := stats.RadixOrder(keys)
	group = make([]int32, n)
	var reps []int32 // the first index of each group in the current run
	for a := 0; a < n; {
		b := a + 1
		for b < n && keys[order[b]] == keys[order[a]] {
			b++
		}
		reps = reps[:0]
		first := groups
		for _, k := range order[a:b] {
			s := at(int(k))
			g := 0
			for g < len(reps) && at(int(reps[g])) != s {
				g++
			}
			if g == len(reps) {
				reps = append(reps, k)
				groups++
			}
			group[k] = int32(first + g)
		}
		a = b
	}
	return group, groups
}

var freqBins = []string{"1", "2", "3", "4", "5", "6-10", "11-20", "21+"}

// freqEdges are the edges of freqBins on the orders column for the drill-down: 1, 2, …, 6,
// 11, 21 and the most orders of any customer (at least 21), the last bin's upper edge.
func freqEdges(rows []Row) []float64 {
	most := 21
	for i := range rows {
		most = max(most, rows[i].Orders)
	}
	return []float64{1, 2, 3, 4, 5, 6, 11, 21, float64(most)}
}

func freqBin(n int) int {
	switch {
	case n <= 5:
		return n - 1
	case n <= 10:
		return 5
	case n <= 20:
		return 6
	}
	return 7
}

type behaviourAnalysis struct{}

// New returns the purchase behaviour analysis (A5).
func New() analysis.Analysis { return behaviourAnalysis{} }

func (behaviourAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "behaviour",
		Code:    "A5",
		Title:   analysis.Text{En: "Purchase behaviour", Zh: "消费行为分析"},
		Summary: analysis.Text{En: "How often, how much, when, where and what customers buy, and when they will buy next.", Zh: "客户多久买一次、买多少、何时何地买什么,以及下次何时购买。"},
		Labels:  labels,
		Needs:   []string{"orders", "items", "events"},
		Reads:   []string{"orders", "order_details", "items", "events"},
	}
}

func (a behaviourAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	if err := analysis.NewOpts(a.Info(), in.Options).Err(); err != nil {
		return nil, err
	}
	asOf := in.AsOf
	keep := in.Until(asOf)
	p := scan(in.Data, keep, in.Location(), asOf)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	web := WebBehaviour(in.Data.Events, keep, p.buyers)
	res := &analysis.Result{Name: "behaviour", AsOf: asOf, Summary: p.figures(&web)}
	if p.orders == 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_purchases", "no purchases in the period", "所选期间内没有购买记录"))
	}
	ch, chPie := p.channelTable()
	pv, pvBar := p.provinceTable()
	se, seLine := p.seasonality()
	res.Tables = []analysis.Table{p.customerTable(asOf), ch, pv, p.cityTable(), se, p.categoryTable(), web.typeTable()}
	res.Series = []analysis.Series{p.frequency(), p.amountChart(), chPie, p.heatmap(), seLine, pvBar, web.funnel()}
	return res, nil
}

// figures returns the summary.
func (p *profile) figures(web *Web) []analysis.Figure {
	n := float64(len(p.rows))
	var buyerOrders int
	for i := range p.rows {
		buyerOrders += p.rows[i].Orders
	}
	return []analysis.Figure{
		{Key: "customers", Value: n, Drill: analysis.Everyone("customer_id")},
		{Key: "orders", Value: float64(p.orders)},
		{Key: "revenue", Value: p.revenue, Unit: "currency"},
		{Key: "aov", Value: analysis.Frac(p.revenue, float64(p.paid)), Unit: "currency"},
		{Key: "orders_per_customer", Value: analysis.Frac(float64(buyerOrders), n)},
		{Key: "median_cycle_days", Value: stats.Median(p.cycles), Unit: "days"},
		{Key: "overdue_customers", Value: float64(p.overdue), Drill: analysis.Drill{Column: "due", Value: "overdue"}},
		{Key: "web_events", Value: float64(web.Events)},
		{Key: "sessions", Value: float64(web.Sessions)},
		{Key: "visitors", Value: float64(web.Visitors)},
		{Key: "page_views", Value: float64(web.ByType["page_view"])},
		{Key: "clicks", Value: float64(web.ByType["click"])},
		{Key: "mean_dwell_seconds", Value: analysis.Frac(web.DwellSeconds, float64(web.Events))},
		{Key: "visitor_conversion", Value: analysis.Frac(float64(web.Converted), float64(web.Visitors)), Unit: "%"},
		{Key: "identified_visitors", Value: float64(web.Identified)},
		{Key: "identified_conversion", Value: analysis.Frac(float64(web.Converted), float64(web.Identified)), Unit: "%"},
	}
}

// customerTable is each buyer's behaviour; a buyer is overdue when their expected next
// purchase is before asOf (as scan counts them).
func (p *profile) customerTable(asOf time.Time) analysis.Table {
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "orders", Type: "int"}, {Key: "revenue", Type: "currency"},
		{Key: "aov", Type: "currency"}, {Key: "top_category", Type: "string"}, {Key: "top_category_share", Type: "percent"},
		{Key: "main_channel", Type: "string"}, {Key: "last_order", Type: "date"}, {Key: "cycle_days", Type: "float"},
		{Key: "expected_next", Type: "date"}, {Key: "due", Type: "label"}}}
	// Rows cut from one array; category and channel names boxed once each.
	cust.Rows = analysis.Rows(len(p.rows), len(cust.Columns))
	catBox, chBox := boxAll(p.categories), boxAll(p.channels.names)
	noCat := any("")
	for i := range p.rows {
		r := &p.rows[i]
		var cyc, next, due any
		if !math.IsNaN(r.Cycle) {
			cyc, next, due = r.Cycle, r.ExpectedNext, "not_due"
			if r.ExpectedNext.Before(asOf) {
				due = "overdue"
			}
		}
		top := noCat
		if r.top >= 0 {
			top = catBox[r.top]
		}
		row := cust.Rows[i]
		row[0], row[1], row[2], row[3], row[4] = r.CustomerID, r.Orders, r.Revenue, analysis.Frac(r.Revenue, float64(r.Paid)), top
		row[5], row[6], row[7], row[8], row[9], row[10] = r.Top.Share, chBox[r.channel], r.Last, cyc, next, due
	}
	return cust
}

// channelTable is the sales by channel, by revenue.
func (p *profile) channelTable() (analysis.Table, analysis.Series) {
	ch := analysis.Table{Key: "channels", Columns: []analysis.Column{{Key: "channel", Type: "string"}, {Key: "orders", Type: "int"},
		{Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"}, {Key: "aov", Type: "currency"}}}
	chPie := analysis.Series{Key: "channel_mix", Kind: "pie", Y: []analysis.Values{{Key: "revenue"}}}
	for _, i := range byRevenue(p.chAgg, p.channels.names) {
		a := p.chAgg[i]
		ch.Rows = append(ch.Rows, []any{p.channels.names[i], a.orders, a.revenue, analysis.Frac(a.revenue, p.revenue), analysis.Frac(a.revenue, float64(a.paid))})
		chPie.X = append(chPie.X, p.channels.names[i])
		chPie.Y[0].Data = append(chPie.Y[0].Data, a.revenue)
	}
	return ch, chPie
}

// provinceTable is the sales by province, by revenue.
func (p *profile) provinceTable() (analysis.Table, analysis.Series) {
	pv := analysis.Table{Key: "provinces", Columns: []analysis.Column{{Key: "province", Type: "string"}, {Key: "orders", Type: "int"},
		{Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"}}}
	pvBar := analysis.Series{Key: "province_sales", Kind: "bar", Y: []analysis.Values{{Key: "revenue"}}}
	for _, i := range byRevenue(p.provAgg, p.provinces.names) {
		a := p.provAgg[i]
		pv.Rows = append(pv.Rows, []any{p.provinces.names[i], a.orders, a.revenue, analysis.Frac(a.revenue, p.revenue)})
		pvBar.X = append(pvBar.X, p.provinces.names[i])
		pvBar.Y[0].Data = append(pvBar.Y[0].Data, a.revenue)
	}
	return pv, pvBar
}

// cityTable is the sales by province and city, by revenue, then names.
func (p *profile) cityTable() analysis.Table {
	ct := analysis.Table{Key: "cities", Columns: []analysis.Column{{Key: "province", Type: "string"}, {Key: "city", Type: "string"},
		{Key: "orders", Type: "int"}, {Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"}}}
	keys := make([][2]int, 0, len(p.cityAgg))
	for k := range p.cityAgg {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if c := cmp.Compare(p.cityAgg[b].revenue, p.cityAgg[a].revenue); c != 0 {
			return c
		}
		if c := cmp.Compare(p.provinces.names[a[0]], p.provinces.names[b[0]]); c != 0 {
			return c
		}
		return cmp.Compare(p.cities.names[a[1]], p.cities.names[b[1]])
	})
	for _, k := range keys {
		a := p.cityAgg[k]
		ct.Rows = append(ct.Rows, []any{p.provinces.names[k[0]], p.cities.names[k[1]], a.orders, a.revenue, analysis.Frac(a.revenue, p.revenue)})
	}
	return ct
}

// seasonality is each calendar month's seasonal index (SeasonalIndex) and season.
func (p *profile) seasonality() (analysis.Table, analysis.Series) {
	se := analysis.Table{Key: "seasonality", Columns: []analysis.Column{{Key: "month", Type: "int"}, {Key: "mean_revenue", Type: "currency"},
		{Key: "index", Type: "float"}, {Key: "season", Type: "label"}}}
	seLine := analysis.Series{Key: "seasonality_index", Kind: "line", Y: []analysis.Values{{Key: "index"}}}
	if p.orders == 0 {
		return se, seLine
	}
	idx := SeasonalIndex(p.firstMonth, p.monthRev)
	var total float64
	for _, r := range p.monthRev {
		total += r
	}
	mean := total / float64(len(p.monthRev))
	for m := range 12 {
		if math.IsNaN(idx[m]) {
			continue
		}
		se.Rows = append(se.Rows, []any{m + 1, idx[m] * mean, idx[m], Season(idx[m])})
		seLine.X = append(seLine.X, monthKeys[m])
		seLine.Y[0].Data = append(seLine.Y[0].Data, idx[m])
	}
	return se, seLine
}

// categoryTable is the item value by category (highest first, ties by name) and how many
// buyers have it as their top category.
func (p *profile) categoryTable() analysis.Table {
	cat := analysis.Table{Key: "categories", Columns: []analysis.Column{{Key: "category", Type: "string"}, {Key: "item_value", Type: "currency"}, {Key: "top_customers", Type: "int"}},
		Drill: analysis.Drill{Column: "top_category", Key: "category"}} // top_customers: those whose top category it is
	tops := map[string]int{}
	for i := range p.rows {
		tops[p.rows[i].Top.Category]++
	}
	cnames := make([]string, 0, len(p.categoryTotal))
	for c := range p.categoryTotal {
		cnames = append(cnames, c)
	}
	slices.SortFunc(cnames, func(a, b string) int {
		if c := cmp.Compare(p.categoryTotal[b], p.categoryTotal[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, c := range cnames {
		cat.Rows = append(cat.Rows, []any{c, p.categoryTotal[c], tops[c]})
	}
	return cat
}

// typeTable is the web events by type.
func (web *Web) typeTable() analysis.Table {
	wt := analysis.Table{Key: "web_events_by_type", Columns: []analysis.Column{{Key: "event_type", Type: "string"}, {Key: "events", Type: "int"}}}
	types := make([]string, 0, len(web.ByType))
	for k := range web.ByType {
		types = append(types, k)
	}
	slices.Sort(types)
	for _, k := range types {
		wt.Rows = append(wt.Rows, []any{k, web.ByType[k]})
	}
	return wt
}

// funnel is the web visitors who viewed, added to a cart and purchased.
func (web *Web) funnel() analysis.Series {
	return analysis.Series{Key: "web_funnel", Kind: "funnel", X: []string{"visitors", "viewed", "added_to_cart", "purchased"},
		Y: []analysis.Values{{Key: "visitors", Data: []float64{float64(web.Visitors), float64(web.ViewedVisitors), float64(web.CartVisitor), float64(web.Converted)}}}}
}

// heatmap is the purchases by weekday and hour.
func (p *profile) heatmap() analysis.Series {
	heat := analysis.Series{Key: "weekday_hour", Kind: "heatmap", X: hourKeys, YCats: weekdayKeys}
	for wd := range 7 {
		for h := range 24 {
			heat.Cells = append(heat.Cells, [3]float64{float64(h), float64(wd), p.heat[wd][h]})
		}
	}
	return heat
}

// frequency is the buyers by their number of orders.
func (p *profile) frequency() analysis.Series {
	return analysis.Series{Key: "orders_per_customer", Kind: "histogram", X: freqBins, Y: []analysis.Values{{Key: "customers", Data: p.freq}},
		Drill: analysis.Drill{Column: "orders", Edges: freqEdges(p.rows)}}
}

// amountChart is the orders by amount, from the lowest bin with orders to the highest.
func (p *profile) amountChart() analysis.Series {
	amt := analysis.Series{Key: "order_amounts", Kind: "histogram", Y: []analysis.Values{{Key: "orders"}}}
	lo, hi := -1, -1
	for b, c := range p.amounts {
		if c > 0 {
			if lo < 0 {
				lo = b
			}
			hi = b
		}
	}
	for b := lo; b >= 0 && b <= hi; b++ {
		amt.X = append(amt.X, amountBin(b))
		amt.Y[0].Data = append(amt.Y[0].Data, float64(p.amounts[b]))
	}
	return amt
}

// boxAll returns the strings boxed for table cells.
func boxAll(s []string) []any {
	b := make([]any, len(s))
	for i, v := range s {
		b[i] = v
	}
	return b
}

func byRevenue(a []agg, names []string) []int {
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int {
		if c := cmp.Compare(a[y].revenue, a[x].revenue); c != 0 {
			return c
		}
		return cmp.Compare(names[x], names[y])
	})
	return idx
}

func amountBin(b int) string {
	f := func(x float64) string { return fmt.Sprintf("%g", x) }
	switch {
	case b == 0:
		return "≤" + f(edges[0])
	case b == len(edges):
		return ">" + f(edges[len(edges)-1])
	}
	return f(edges[b-1]) + "-" + f(edges[b])
}

var (
	monthKeys   = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	weekdayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	hourKeys    = func() []string {
		h := make([]string, 24)
		for i := range h {
			h[i] = fmt.Sprintf("%02d", i)
		}
		return h
	}()
)

var labels = func() map[string]analysis.Text {
	m := map[string]analysis.Text{
		"customers":             {En: "Customers", Zh: "客户数"},
		"orders":                {En: "Orders", Zh: "订单数"},
		"revenue":               {En: "Revenue", Zh: "销售额"},
		"aov":                   {En: "Average order value", Zh: "客单价"},
		"orders_per_customer":   {En: "Orders per customer", Zh: "人均订单数"},
		"median_cycle_days":     {En: "Median purchase cycle (days)", Zh: "购买周期中位数(天)"},
		"overdue_customers":     {En: "Customers past their expected next order", Zh: "已过预计下次购买日的客户"},
		"web_events":            {En: "Web events", Zh: "网站行为数"},
		"sessions":              {En: "Sessions", Zh: "会话数"},
		"visitors":              {En: "Visitors", Zh: "访客数"},
		"page_views":            {En: "Page views", Zh: "浏览量"},
		"clicks":                {En: "Clicks", Zh: "点击数"},
		"mean_dwell_seconds":    {En: "Mean dwell per event (s)", Zh: "平均停留时长(秒)"},
		"visitor_conversion":    {En: "Visitor purchase conversion", Zh: "访客购买转化率"},
		"identified_visitors":   {En: "Identified visitors", Zh: "已识别访客数"},
		"identified_conversion": {En: "Identified visitors who bought", Zh: "已识别访客中购买的比例"},
		"customer_id":           {En: "Customer", Zh: "客户"},
		"top_category":          {En: "Top category", Zh: "偏好品类"},
		"top_category_share":    {En: "Top category share", Zh: "偏好品类占比"},
		"main_channel":          {En: "Main channel", Zh: "主要渠道"},
		"last_order":            {En: "Last order", Zh: "末单日期"},
		"cycle_days":            {En: "Purchase cycle (days)", Zh: "购买周期(天)"},
		"expected_next":         {En: "Expected next order", Zh: "预计下次购买"},
		"due":                   {En: "Next order", Zh: "下次购买"},
		"overdue":               {En: "Overdue", Zh: "已逾期"},
		"not_due":               {En: "Not yet due", Zh: "未到期"},
		"channels":              {En: "Channels", Zh: "渠道"},
		"channel":               {En: "Channel", Zh: "渠道"},
		"revenue_share":         {En: "Share of revenue", Zh: "销售额占比"},
		"provinces":             {En: "Sales by province", Zh: "各省销售"},
		"cities":                {En: "Sales by city", Zh: "各城市销售"},
		"seasonality":           {En: "Seasonality", Zh: "季节性"},
		"month":                 {En: "Month", Zh: "月份"},
		"mean_revenue":          {En: "Mean revenue", Zh: "月均销售额"},
		"index":                 {En: "Seasonality index", Zh: "季节指数"},
		"season":                {En: "Season", Zh: "季节"},
		"categories":            {En: "Categories", Zh: "品类"},
		"category":              {En: "Category", Zh: "品类"},
		"item_value":            {En: "Item value", Zh: "商品金额"},
		"top_customers":         {En: "Customers preferring it", Zh: "偏好该品类的客户数"},
		"web_events_by_type":    {En: "Web events by type", Zh: "各类网站行为"},
		"event_type":            {En: "Event type", Zh: "行为类型"},
		"events":                {En: "Events", Zh: "次数"},
		"order_amounts":         {En: "Order amounts", Zh: "订单金额分布"},
		"channel_mix":           {En: "Channel mix", Zh: "渠道构成"},
		"weekday_hour":          {En: "Orders by weekday and hour", Zh: "星期 × 时段订单分布"},
		"seasonality_index":     {En: "Seasonality index by month", Zh: "月度季节指数"},
		"province_sales":        {En: "Revenue by province", Zh: "各省销售额"},
		"web_funnel":            {En: "Web funnel", Zh: "网站转化漏斗"},
		"viewed":                {En: "Viewed a page", Zh: "浏览页面"},
		"added_to_cart":         {En: "Added to cart", Zh: "加入购物车"},
		"purchased":             {En: "Purchased", Zh: "下单购买"},
		Peak:                    {En: "Peak season", Zh: "旺季"},
		Off:                     {En: "Off season", Zh: "淡季"},
		Normal:                  {En: "Normal", Zh: "平季"},
	}
	en := []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	for i, k := range monthKeys {
		m[k] = analysis.Text{En: en[i], Zh: fmt.Sprintf("%d月", i+1)}
	}
	wen := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	wzh := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	for i, k := range weekdayKeys {
		m[k] = analysis.Text{En: wen[i], Zh: wzh[i]}
	}
	return analysis.WithFields(m, "province", "city")
}()

// median is stats.Median for the few gaps of one customer: an insertion sort in place beats a
// general sort's set-up on a handful of values.
func median(x []float64) float64 {
	if len(x) == 0 || len(x) > 16 {
		return stats.Median(x)
	}
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}
