package analysis

import (
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Location returns the business's time zone (in.Settings.TimeZone) for calendar buckets such as
// days, months, weekdays and hours, and for the default as-of date. It returns UTC when the
// setting is empty (the zero Settings: a Dataset built in UTC is analysed in UTC) or names no
// zone this system knows, so an analysis never fails on it.
func (in Input) Location() *time.Location {
	if in.Settings.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(in.Settings.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// EndOfDay returns the last instant of t's day in loc: the next midnight there less one
// nanosecond. "As of 2011-12-09" means EndOfDay of that day, and so does the default as-of date
// (the last order's day). A nil loc means UTC; the zero time stays zero.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// ParseDay reads a day written 2006-01-02 as its first instant (midnight) in loc; the as-of,
// from and to dates of the CLI, the API and the pages all go through it. It returns an
// EINVALID error naming key when s is no such date or the day lies outside dates.
func ParseDay(key, s string, loc *time.Location, dates kexi.Dates) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, &kexi.Error{Code: kexi.EINVALID, Message: "bad date",
			Problems: []kexi.FieldProblem{{Column: key, Value: s, Reason: "expected a date like 2024-06-30"}}}
	}
	if !dates.Contains(t) {
		return time.Time{}, &kexi.Error{Code: kexi.EINVALID, Message: "bad date",
			Problems: []kexi.FieldProblem{{Column: key, Value: s, Reason: dates.Reason()}}}
	}
	return t, nil
}

// SetDays sets in.AsOf, in.From and in.To from days written 2006-01-02 (an empty text leaves
// its date unset) through ParseDay, and makes the as-of date the end of its day. keys names
// the three in errors, as the caller's user wrote them ("--as-of" or "as_of").
func (in *Input) SetDays(asOf, from, to string, keys [3]string, loc *time.Location, dates kexi.Dates) error {
	for i, d := range []struct {
		v string
		t *time.Time
	}{{asOf, &in.AsOf}, {from, &in.From}, {to, &in.To}} {
		if d.v == "" {
			continue
		}
		t, err := ParseDay(keys[i], d.v, loc, dates)
		if err != nil {
			return err
		}
		*d.t = t
	}
	in.AsOf = EndOfDay(in.AsOf, loc)
	return nil
}
