package kexi

import (
	"math"
	"time"
)

// Window says which orders a Summary counts: the purchases (OrderTable.IsPurchase: not a
// return, not cancelled, an amount of 0 or more) ordered From <= at <= Until, a zero From or
// Until leaving that end open, compared in whole milliseconds as the stores keep times. Loc
// (nil: UTC) is the time zone purchase days are counted in.
type Window struct {
	From, Until time.Time
	Loc         *time.Location
}

// Equal reports whether w and v count the same orders in the same time zone.
func (w Window) Equal(v Window) bool {
	return w.From.Equal(v.From) && w.Until.Equal(v.Until) && locName(w.Loc) == locName(v.Loc)
}

func locName(l *time.Location) string {
	if l == nil {
		return "UTC"
	}
	return l.String()
}

// Bounds returns the window's ends in Unix milliseconds: an order at ms counts when from <= ms
// <= until. Open ends are math.MinInt64 and math.MaxInt64.
func (w Window) Bounds() (from, until int64) {
	from, until = math.MinInt64, math.MaxInt64
	if !w.From.IsZero() {
		from = w.From.UnixMilli() // rounds down; an order at a whole millisecond before From is out
		if w.From.Nanosecond()%int(time.Millisecond) != 0 {
			from++
		}
	}
	if !w.Until.IsZero() {
		until = w.Until.UnixMilli() // rounds down: 23:59:59.999999999 takes 23:59:59.999
	}
	return from, until
}

// Summary is the per-customer summary of the orders in a Window: what the customer-level
// analyses (rfm, pyramid, clv) need of the orders, one row per customer, so that a database can
// compute it where the orders are and hand over one row per customer instead of every order.
type Summary struct {
	Window Window
	// Customers holds one row per customer with a purchase in the window, sorted by id. The
	// anonymous orders (customer id 0) make a row of their own, id 0.
	Customers []CustomerSummary
}

// CustomerSummary is one customer's purchases in a Window. Times are Unix milliseconds; days
// are calendar days in the window's Loc, numbered from 1970-01-01 (as clv.Day numbers them).
//
// In SQL it is one query grouped by customer id, over an inner grouping by (customer, day),
// the two joined on customer id only. For PostgreSQL, with ordered_at in Unix milliseconds
// (with a timestamptz, day is (ordered_at AT TIME ZONE $tz)::date - date '1970-01-01'), $tz
// the name of Loc and $from, $until the window's Bounds:
//
//	WITH p AS (
//		SELECT coalesce(customer_id, 0) AS customer_id, id, ordered_at AS at, amount,
//		       (to_timestamp(ordered_at / 1000.0) AT TIME ZONE $tz)::date - date '1970-01-01' AS day
//		FROM orders
//		WHERE amount >= 0 AND amount <> 'NaN' AND status NOT IN ('return', 'cancelled')
//		  AND ordered_at BETWEEN $from AND $until
//	), d AS (
//		SELECT customer_id, day, sum(amount ORDER BY at, id) AS value,
//		       row_number() OVER (PARTITION BY customer_id ORDER BY day) AS k
//		FROM p GROUP BY customer_id, day
//	), c AS (
//		SELECT customer_id, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
//		       coalesce(sum(value ORDER BY day) FILTER (WHERE k > 1 AND value > 0), 0) AS repeat_value,
//		       count(*) FILTER (WHERE k > 1 AND value > 0) AS repeat_paid
//		FROM d GROUP BY customer_id
//	)
//	SELECT p.customer_id, count(*), sum(p.amount ORDER BY p.at, p.id), min(p.at), max(p.at),
//	       min(c.days), min(c.first_day), min(c.last_day), min(c.repeat_value), min(c.repeat_paid)
//	FROM p JOIN c USING (customer_id)
//	GROUP BY p.customer_id ORDER BY p.customer_id
//
// (coalesce: anonymous orders make the row of customer 0, and join). Every sum must be an
// ordered aggregate, sum(x ORDER BY at, id) and the days' values in day order: Summarize adds
// in (At, ID) order, and a float sum in another order differs in its last bits (686 of Online
// Retail's 4,339 customers' revenue, summed unordered over a shuffled table). With the ORDER BY,
// PostgreSQL 15 gave exactly Summarize's rows on Online Retail and the demo data, in UTC and in
// Asia/Shanghai, with and without a closed window. ("amount <> 'NaN'": PostgreSQL puts NaN
// above every number.)
type CustomerSummary struct {
	CustomerID int64
	// Purchases is how many purchases the customer made in the window; Revenue their Amount
	// summed in (At, ID) order.
	Purchases int64
	Revenue   float64
	// First and Last are the times of the first and the last purchase.
	First, Last int64
	// Days is how many distinct days the customer purchased on, FirstDay and LastDay the first
	// and last of them. A day's value is the Amount of its purchases summed in (At, ID) order.
	Days              int64
	FirstDay, LastDay int32
	// RepeatValue is the sum, in day order, of the values of the purchase days after the first
	// whose value is above 0, and RepeatPaid how many such days there are: Gamma-Gamma's mean
	// spend is RepeatValue / RepeatPaid. A $0 day counts in Days but not here.
	RepeatValue float64
	RepeatPaid  int64
}

// Summarize returns the per-customer summary of the purchases in t within w. t must be in
// Dataset order (by CustomerID, At, ID), as a Dataset's Orders are; every sum adds in that
// order (see CustomerSummary for the SQL that gives the same bits).
func Summarize(t *OrderTable, w Window) *Summary {
	s := &Summary{Window: w}
	from, until := w.Bounds()
	days := dayCounter{loc: w.Loc}
	if days.loc == nil {
		days.loc = time.UTC
	}
	n := 0
	t.Runs(func(int64, int, int) { n++ })
	s.Customers = make([]CustomerSummary, 0, n)
	t.Runs(func(cid int64, lo, hi int) {
		c := CustomerSummary{CustomerID: cid}
		var val float64 // the value of the current day, c.LastDay
		flush := func() {
			if c.Days > 1 && val > 0 {
				c.RepeatValue += val
				c.RepeatPaid++
			}
		}
		for i := lo; i < hi; i++ {
			at := t.At[i]
			if at < from || at > until || !t.IsPurchase(i) {
				continue
			}
			a := t.Amount[i]
			d := days.of(at)
			if c.Purchases == 0 {
				c.First, c.FirstDay, c.LastDay, c.Days = at, d, d, 1
			} else if d != c.LastDay {
				flush()
				c.LastDay, val = d, 0
				c.Days++
			}
			c.Purchases++
			c.Revenue += a
			c.Last = at
			val += a
		}
		if c.Purchases == 0 {
			return
		}
		flush()
		s.Customers = append(s.Customers, c)
	})
	return s
}

// dayCounter numbers the calendar days of Unix millisecond times in loc, reusing the offset
// of the zone period (between two changes of the clocks) the last time fell in.
type dayCounter struct {
	loc        *time.Location
	lo, hi     int64 // the cached zone period, Unix seconds [lo, hi)
	offset     int64 // its offset from UTC in seconds
	haveOffset bool
}

// of returns the day number of the time ms (Unix milliseconds) in the counter's location:
// days since 1970-01-01 of its local date.
func (c *dayCounter) of(ms int64) int32 {
	sec := floorDiv(ms, 1000)
	if !c.haveOffset || sec < c.lo || sec >= c.hi {
		t := time.Unix(sec, 0).In(c.loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		c.lo, c.hi = math.MinInt64, int64(math.MaxInt64)
		if !start.IsZero() {
			c.lo = start.Unix()
		}
		if !end.IsZero() {
			c.hi = end.Unix()
		}
		c.offset, c.haveOffset = int64(off), true
	}
	return int32(floorDiv(sec+c.offset, 86400))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// SummaryOf returns the summary of d's orders in w: d.Summary when it was loaded for w (a
// load that left the orders out), else Summarize of d.Orders. A Dataset loaded with a summary
// instead of its orders has no orders to summarise for another window: the caller loads the
// window the analysis asks for (analysis.SummaryRunner), and TestOnSummary checks that each
// analysis asks for the window it reads.
func (d *Dataset) SummaryOf(w Window) *Summary {
	if d.Summary != nil && d.Summary.Window.Equal(w) {
		return d.Summary
	}
	return Summarize(&d.Orders, w)
}
