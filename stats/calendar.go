package stats

import (
	"math"
	"time"
)

// Calendar turns instants into calendar fields (year, month, weekday, hour) in one time zone.
// It remembers the zone's UTC offset and the span in which that offset holds, so converting
// the many instants of a Dataset costs arithmetic instead of a zone lookup each (time.Time.In
// and then Date, Weekday and Hour each look the zone up again). The zero Calendar is not
// usable; make one with NewCalendar. A Calendar is not safe for concurrent use.
type Calendar struct {
	loc    *time.Location
	lo, hi int64 // the cached offset holds for Unix seconds in [lo, hi)
	off    int64 // seconds east of UTC
	// months[d−day0] is the month number (year×12 + month − 1) of day d (days since
	// 1970-01-01): a table over the days seen so far, so a month costs a lookup.
	day0   int64
	months []int32
}

// maxTableDays bounds the month table (about 300 years); days outside it are computed.
const maxTableDays = 110_000

// NewCalendar returns a Calendar for loc (nil means UTC).
func NewCalendar(loc *time.Location) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	return &Calendar{loc: loc, lo: 1, hi: 0} // empty span: the first call looks the zone up
}

// local returns the Unix seconds of t shifted by the zone's offset at t.
func (c *Calendar) local(t time.Time) int64 {
	sec := t.Unix()
	if sec < c.lo || sec >= c.hi {
		tl := t.In(c.loc)
		_, off := tl.Zone()
		start, end := tl.ZoneBounds()
		c.off, c.lo, c.hi = int64(off), math.MinInt64, math.MaxInt64
		if !start.IsZero() {
			c.lo = start.Unix()
		}
		if !end.IsZero() {
			c.hi = end.Unix()
		}
	}
	return sec + c.off
}

// Fields returns the year, month, weekday and hour of t in the Calendar's zone: the same as
// t.In(loc).Date(), Weekday() and Hour().
func (c *Calendar) Fields(t time.Time) (year int, month time.Month, weekday time.Weekday, hour int) {
	s := c.local(t)
	days := floorDiv(s, 86400)
	m := int64(c.month(days))
	return int(floorDiv(m, 12)), time.Month(mod(m, 12) + 1), time.Weekday(mod(days+4, 7)), int((s - days*86400) / 3600) // 1970-01-01 was a Thursday
}

// Month returns the month of t in the Calendar's zone as year×12 + month − 1, a number that
// grows by one per calendar month.
func (c *Calendar) Month(t time.Time) int {
	return c.month(floorDiv(c.local(t), 86400))
}

// month returns the month number of a day, from the table when it covers the day.
func (c *Calendar) month(day int64) int {
	if i := day - c.day0; i >= 0 && i < int64(len(c.months)) {
		return int(c.months[i])
	}
	lo, hi := day, day+1 // grow the table to cover the day, with some room either side
	if len(c.months) > 0 {
		lo, hi = min(lo, c.day0), max(hi, c.day0+int64(len(c.months)))
	}
	lo, hi = lo-366, hi+366
	if hi-lo > maxTableDays {
		y, m, _ := civil(day)
		return y*12 + int(m) - 1
	}
	months := make([]int32, hi-lo)
	for i := range months {
		y, m, _ := civil(lo + int64(i))
		months[i] = int32(y*12 + int(m) - 1)
	}
	c.day0, c.months = lo, months
	return int(c.months[day-lo])
}

// civil returns the proleptic Gregorian date of a day number (days since 1970-01-01), by
// Howard Hinnant's days-to-civil algorithm (eras of 400 years starting on 1 March).
func civil(days int64) (int, time.Month, int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // day of era, 0…146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era, 0…399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from 1 March, 0…365
	mp := (5*doy + 2) / 153                                // month from March, 0…11
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func mod(a, b int64) int64 { return a - floorDiv(a, b)*b }
