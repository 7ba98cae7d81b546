package churn

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Base feature names, in column order. Customer-level numeric custom fields follow as
// "custom.NAME", channel shares as "channel_share.CH", one-hot columns as "FIELD=VALUE".
const (
	FRecency      = "recency_days"
	FFrequency    = "frequency"
	FMonetary     = "monetary"
	FAOV          = "aov"
	FTenure       = "tenure_days"
	FSpend90      = "spend_90d"
	FTrend        = "trend_90d"
	FReturnShare  = "return_share"
	FInteractions = "interactions"
	FMinutes      = "interaction_minutes"
	FComplaints   = "complaints"
	FNPS          = "nps_latest"
	FCSAT         = "csat_latest"
	FAge          = "age"
	FIncome       = "income"
)

var baseNames = []string{FRecency, FFrequency, FMonetary, FAOV, FTenure, FSpend90, FTrend,
	FReturnShare, FInteractions, FMinutes, FComplaints, FNPS, FCSAT, FAge, FIncome}

// maxLevels is the most one-hot columns one categorical field gets: its most frequent values;
// the rest share an "other" column. Text fields with more distinct values than maxText are
// free text (names, notes) and are left out.
const (
	maxLevels = 10
	maxText   = 30
)

// Frame is a raw feature matrix: one row per customer (IDs), named columns, NaN where a value
// is missing, and the churn label of each row when the frame is for training.
type Frame struct {
	IDs    []int64
	Names  []string
	M      Matrix
	Labels []bool
}

// catField is a categorical field: how to read it from a customer and its one-hot levels.
type catField struct {
	name   string
	get    func(c *kexi.Customer) string
	levels []string // most frequent first
	other  bool     // values outside levels exist → an "other" column
	col    int      // first column
}

// Builder computes features for a Dataset as of any cut-off. It learns, from all customers
// and without looking at labels, which custom fields are numeric, the one-hot levels of
// categorical fields, and the channels and categories worth a column.
type Builder struct {
	d         *kexi.Dataset
	idx       map[int64]int
	runs      [][2]int // per customer position: [start, end) in d.Orders
	names     []string
	numCustom []string // numeric custom fields, columns after the base ones
	dates     map[string]bool
	channels  []string
	cats      []catField
	topCat    []string // product categories with a top_category column
	colChan   int
	colCustom int
}

// NewBuilder prepares a feature builder for d (which must be normalised).
func NewBuilder(d *kexi.Dataset) *Builder {
	b := &Builder{d: d, idx: d.CustomerIndex(), runs: make([][2]int, len(d.Customers)), dates: map[string]bool{}}
	b.orders()
	customCats := b.customFields()
	b.cats = append([]catField{
		{name: "kind", get: func(c *kexi.Customer) string { return string(c.Kind) }},
		{name: "gender", get: func(c *kexi.Customer) string { return c.Gender }},
		{name: "province", get: func(c *kexi.Customer) string { return c.Province }},
		{name: "channel", get: func(c *kexi.Customer) string { return c.Channel }},
	}, customCats...)
	for k := range b.cats {
		cnt := map[string]int{}
		for i := range d.Customers {
			if v := b.cats[k].get(&d.Customers[i]); v != "" {
				cnt[v]++
			}
		}
		b.cats[k].levels, b.cats[k].other = topLevels(cnt, maxLevels)
	}
	b.columns()
	return b
}

// orders finds each customer's run of orders and the most frequent order channels and
// product categories.
func (b *Builder) orders() {
	for i := range b.runs {
		b.runs[i] = [2]int{-1, -1}
	}
	chCount := map[string]int{}
	catCount := map[string]int{}
	t := &b.d.Orders
	t.Runs(func(cid int64, lo, hi int) {
		if pos, ok := b.idx[cid]; ok && cid != 0 {
			b.runs[pos] = [2]int{lo, hi}
		}
		for k := lo; k < hi; k++ {
			if ch := t.Channel(k); ch != "" {
				chCount[ch]++
			}
			llo, lhi := t.LineRange(k)
			for j := llo; j < lhi; j++ {
				if c := t.Lines.ItemOf(j).Category; c != "" {
					catCount[c]++
				}
			}
		}
	})
	b.channels, _ = topLevels(chCount, maxLevels)
	b.topCat, _ = topLevels(catCount, maxLevels)
}

// customFields sorts the customers' custom fields into numbers (declared types first, else
// numeric when every non-empty value parses), dates and categories (few distinct values),
// and returns the categorical ones.
func (b *Builder) customFields() []catField {
	d := b.d
	declared := map[string]kexi.FieldType{}
	for _, f := range d.CustomFields {
		if f.Entity == "customer" {
			declared[f.Name] = f.Type
		}
	}
	custom := seenCustom(d.Customers)
	var customNames []string
	for k := range custom {
		customNames = append(customNames, k)
	}
	for k := range declared {
		if custom[k] == nil {
			customNames = append(customNames, k)
		}
	}
	slices.Sort(customNames)
	customNames = slices.Compact(customNames)
	var customCats []catField
	for _, k := range customNames {
		s := custom[k]
		if s == nil {
			continue // declared but never filled
		}
		t, ok := declared[k]
		switch {
		case ok && t == kexi.FieldNumber, !ok && s.numeric:
			b.numCustom = append(b.numCustom, k)
		case ok && t == kexi.FieldDate:
			b.numCustom = append(b.numCustom, k)
			b.dates[k] = true
		case len(s.values) <= maxText:
			key := k
			customCats = append(customCats, catField{name: "custom." + k,
				get: func(c *kexi.Customer) string { return strings.TrimSpace(c.Custom[key]) }})
		}
	}
	return customCats
}

// seen is what the customers hold in one custom field: whether every non-empty value is a
// number, and the counts of the values (up to just over maxText of them).
type seen struct {
	numeric bool
	values  map[string]int
}

// seenCustom returns what the customers hold in each custom field.
func seenCustom(cs []kexi.Customer) map[string]*seen {
	custom := map[string]*seen{}
	for i := range cs {
		for k, v := range cs[i].Custom {
			s := custom[k]
			if s == nil {
				s = &seen{numeric: true, values: map[string]int{}}
				custom[k] = s
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				s.numeric = false
			}
			if len(s.values) <= maxText {
				s.values[v]++
			}
		}
	}
	return custom
}

// columns names the feature columns: the base ones, the channel shares, the numeric custom
// fields, the top categories and each categorical field's levels.
func (b *Builder) columns() {
	b.names = slices.Clone(baseNames)
	b.colChan = len(b.names)
	for _, ch := range b.channels {
		b.names = append(b.names, "channel_share."+ch)
	}
	b.colCustom = len(b.names)
	for _, k := range b.numCustom {
		b.names = append(b.names, "custom."+k)
	}
	for _, c := range b.topCat {
		b.names = append(b.names, "top_category="+c)
	}
	for k := range b.cats {
		b.cats[k].col = len(b.names)
		for _, l := range b.cats[k].levels {
			b.names = append(b.names, b.cats[k].name+"="+l)
		}
		if b.cats[k].other {
			b.names = append(b.names, b.cats[k].name+"=(other)")
		}
	}
}

// topLevels returns up to n values by descending count (ties by value) and whether more
// values exist.
func topLevels(cnt map[string]int, n int) ([]string, bool) {
	vals := make([]string, 0, len(cnt))
	for v := range cnt {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b string) int {
		if c := cmp.Compare(cnt[b], cnt[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(vals) > n {
		return vals[:n], true
	}
	return vals, false
}

// Names returns the raw column names.
func (b *Builder) Names() []string { return b.names }

// HasPurchase reports whether the customer at position pos has a purchase at or before t.
func (b *Builder) HasPurchase(pos int, t time.Time) bool {
	r := b.runs[pos]
	if r[0] < 0 {
		return false
	}
	o, at := &b.d.Orders, t.UnixMilli() // order times are whole milliseconds
	for k := r[0]; k < r[1]; k++ {
		if o.At[k] > at {
			return false
		}
		if o.IsPurchase(k) {
			return true
		}
	}
	return false
}

// PurchasedIn reports whether the customer at position pos has a purchase in (from, to].
func (b *Builder) PurchasedIn(pos int, from, to time.Time) bool {
	r := b.runs[pos]
	if r[0] < 0 {
		return false
	}
	o, f, t := &b.d.Orders, from.UnixMilli(), to.UnixMilli() // order times are whole milliseconds
	for k := r[0]; k < r[1]; k++ {
		if o.At[k] > f && o.At[k] <= t && o.IsPurchase(k) {
			return true
		}
	}
	return false
}

const day = 24 * time.Hour

// Frame returns the raw features as of cutoff for the customers at positions rows (indexes
// into Dataset.Customers). Only data at or before cutoff is used.
func (b *Builder) Frame(cutoff time.Time, rows []int) *Frame {
	d := b.d
	p := len(b.names)
	f := &Frame{IDs: make([]int64, len(rows)), Names: b.names,
		M: Matrix{Rows: len(rows), Cols: p, X: make([]float64, len(rows)*p)}}
	rowOf := make([]int32, len(d.Customers))
	for i := range rowOf {
		rowOf[i] = -1
	}
	for r, pos := range rows {
		rowOf[pos] = int32(r)
		f.IDs[r] = d.Customers[pos].ID
	}
	sc := &sums{catSpend: make([]float64, len(b.topCat)), chanN: make([]float64, len(b.channels))}
	for r, pos := range rows {
		b.sum(sc, pos, cutoff)
		b.fill(f.M.Row(r), &d.Customers[pos], sc, cutoff)
	}
	b.activity(f, rowOf, cutoff)
	return f
}

// sums is one customer's purchases up to a cut-off: how many, those with a positive amount,
// their total, the returns, the spend in the last 90 days and the 90 before, the first and
// last purchase, the purchases by channel and the item value by top category.
type sums struct {
	n, paid, money, returned, last90, prev90 float64
	first, last                              time.Time
	catSpend, chanN                          []float64
}

// sum sums the purchases of the customer at position pos up to cutoff into s.
func (b *Builder) sum(s *sums, pos int, cutoff time.Time) {
	catSpend, chanN := s.catSpend, s.chanN
	*s = sums{catSpend: catSpend, chanN: chanN}
	clear(catSpend)
	clear(chanN)
	run := b.runs[pos]
	if run[0] < 0 {
		return
	}
	// Order times are whole milliseconds: t.After(x) ⇔ At > x.UnixMilli().
	ot := &b.d.Orders
	cut, d90, d180 := cutoff.UnixMilli(), cutoff.Add(-90*day).UnixMilli(), cutoff.Add(-180*day).UnixMilli()
	lastK := -1
	for k := run[0]; k < run[1]; k++ {
		at := ot.At[k]
		if at > cut {
			break
		}
		s.returned += ot.Returned[k]
		if !ot.IsPurchase(k) {
			continue
		}
		amount := ot.Amount[k]
		s.n++
		if amount > 0 { // a $0 purchase counts in frequency, not in the AOV
			s.paid++
		}
		s.money += amount
		if s.first.IsZero() {
			s.first = ot.Time(k)
		}
		lastK = k
		if at > d90 {
			s.last90 += amount
		} else if at > d180 {
			s.prev90 += amount
		}
		if j := slices.Index(b.channels, ot.Channel(k)); j >= 0 {
			chanN[j]++
		}
		lo, hi := ot.LineRange(k)
		for l := lo; l < hi; l++ {
			if j := slices.Index(b.topCat, ot.Lines.ItemOf(l).Category); j >= 0 {
				catSpend[j] += ot.Lines.Quantity[l] * ot.Lines.UnitPrice[l]
			}
		}
	}
	if lastK >= 0 {
		s.last = ot.Time(lastK)
	}
}

// fill writes customer c's features as of cutoff into their row x, from their purchases s
// and their record.
func (b *Builder) fill(x []float64, c *kexi.Customer, s *sums, cutoff time.Time) {
	nan := math.NaN()
	x[0], x[1], x[2], x[3], x[4] = nan, s.n, s.money, nan, nan
	if s.n > 0 {
		x[0] = cutoff.Sub(s.last).Hours() / 24
		x[3] = 0
		if s.paid > 0 {
			x[3] = s.money / s.paid
		}
	}
	start := s.first
	if !c.CreatedAt.IsZero() && !c.CreatedAt.After(cutoff) && (start.IsZero() || c.CreatedAt.Before(start)) {
		start = c.CreatedAt
	}
	if !start.IsZero() {
		x[4] = cutoff.Sub(start).Hours() / 24
	}
	x[5] = s.last90
	if s.last90+s.prev90 > 0 {
		x[6] = (s.last90 - s.prev90) / (s.last90 + s.prev90)
	}
	if s.money > 0 {
		x[7] = s.returned / s.money
	}
	x[11], x[12] = nan, nan
	x[13], x[14] = nan, nan
	if c.Age > 0 {
		x[13] = float64(c.Age)
	}
	if c.Income > 0 {
		x[14] = c.Income
	}
	if s.n > 0 {
		for j := range s.chanN {
			x[b.colChan+j] = s.chanN[j] / s.n
		}
	}
	b.custom(x, c, cutoff)
	if best, j := maxIndex(s.catSpend); best > 0 {
		x[b.colCustom+len(b.numCustom)+j] = 1
	}
	for k := range b.cats {
		cf := &b.cats[k]
		v := cf.get(c)
		if v == "" {
			continue
		}
		if j := slices.Index(cf.levels, v); j >= 0 {
			x[cf.col+j] = 1
		} else if cf.other {
			x[cf.col+len(cf.levels)] = 1
		}
	}
}

// custom writes customer c's numeric custom fields into x: numbers as they are, dates as days
// before cutoff, NaN when empty or not readable.
func (b *Builder) custom(x []float64, c *kexi.Customer, cutoff time.Time) {
	for j, k := range b.numCustom {
		x[b.colCustom+j] = math.NaN()
		v := strings.TrimSpace(c.Custom[k])
		if v == "" {
			continue
		}
		if b.dates[k] {
			if t, err := time.Parse("2006-01-02", v); err == nil {
				x[b.colCustom+j] = cutoff.Sub(t).Hours() / 24
			}
		} else if fv, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(fv, 0) {
			x[b.colCustom+j] = fv
		}
	}
}

// activity adds the interactions and the latest survey answers at or before the cut-off
// (both slices are in time order) to the rows (rowOf: by position in Dataset.Customers, -1
// for none).
func (b *Builder) activity(f *Frame, rowOf []int32, cutoff time.Time) {
	d := b.d
	for k := range d.Interactions {
		it := &d.Interactions[k]
		if it.At.After(cutoff) {
			break
		}
		pos, ok := b.idx[it.CustomerID]
		if !ok || rowOf[pos] < 0 {
			continue
		}
		x := f.M.Row(int(rowOf[pos]))
		x[8]++
		x[9] += it.Minutes
		if it.Kind == kexi.Complaint {
			x[10]++
		}
	}
	for k := range d.Surveys {
		s := &d.Surveys[k]
		if s.At.After(cutoff) {
			break
		}
		pos, ok := b.idx[s.CustomerID]
		if !ok || rowOf[pos] < 0 {
			continue
		}
		x := f.M.Row(int(rowOf[pos]))
		switch s.Kind { // later responses overwrite earlier ones: the latest wins
		case kexi.NPS:
			x[11] = s.Score
		case kexi.CSAT:
			x[12] = s.Score
		}
	}
}

func maxIndex(v []float64) (float64, int) {
	best, at := 0.0, -1
	for j, x := range v {
		if x > best {
			best, at = x, j
		}
	}
	return best, at
}

// Encoder turns raw frames into model matrices the same way for training and prediction:
// a missing value becomes the training mean plus a 1 in a "NAME_missing" indicator column;
// columns constant in training are dropped; every kept column is standardised with the
// training mean and standard deviation.
type Encoder struct {
	Names []string // output column names
	src   []int    // raw column of each output column; −1−j for the missing indicator of raw column j
	fill  []float64
	mean  []float64
	sd    []float64
}

// FitEncoder learns an Encoder from a training frame.
func FitEncoder(f *Frame) *Encoder {
	e := &Encoder{}
	n, p := f.M.Rows, f.M.Cols
	e.fill = make([]float64, p)
	for j := 0; j < p; j++ {
		var s float64
		var cnt, miss int
		for i := 0; i < n; i++ {
			v := f.M.X[i*p+j]
			if math.IsNaN(v) {
				miss++
				continue
			}
			s += v
			cnt++
		}
		if cnt > 0 {
			e.fill[j] = s / float64(cnt)
		}
		if cnt > 0 {
			e.addColumn(f, j, f.Names[j])
		}
		if miss > 0 && cnt > 0 {
			e.addColumn(f, -1-j, f.Names[j]+"_missing")
		}
	}
	return e
}

// addColumn adds output column src (see Encoder.src) unless it is constant in f.
func (e *Encoder) addColumn(f *Frame, src int, name string) {
	n := f.M.Rows
	var s, ss float64
	for i := 0; i < n; i++ {
		v := e.value(f.M.Row(i), src)
		s += v
		ss += v * v
	}
	if n == 0 {
		return
	}
	m := s / float64(n)
	v := ss/float64(n) - m*m
	if v <= 1e-12*math.Max(1, m*m) {
		return
	}
	e.src = append(e.src, src)
	e.Names = append(e.Names, name)
	e.mean = append(e.mean, m)
	e.sd = append(e.sd, math.Sqrt(v))
}

func (e *Encoder) value(row []float64, src int) float64 {
	if src < 0 {
		if math.IsNaN(row[-1-src]) {
			return 1
		}
		return 0
	}
	if v := row[src]; !math.IsNaN(v) {
		return v
	}
	return e.fill[src]
}

// Transform returns the standardised model matrix of f.
func (e *Encoder) Transform(f *Frame) *Matrix {
	p := len(e.src)
	m := &Matrix{Rows: f.M.Rows, Cols: p, X: make([]float64, f.M.Rows*p)}
	for i := 0; i < f.M.Rows; i++ {
		row := f.M.Row(i)
		out := m.Row(i)
		for k, src := range e.src {
			out[k] = (e.value(row, src) - e.mean[k]) / e.sd[k]
		}
	}
	return m
}

// Raw returns the unstandardised value of output column k for a raw row (for showing a
// customer's value of a driver).
func (e *Encoder) Raw(row []float64, k int) float64 { return e.value(row, e.src[k]) }
