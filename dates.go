package kexi

import (
	"fmt"
	"time"
)

// Earliest and Latest bound every time kexi accepts, on a record or as an analysis date, when
// nothing narrower is known: far enough apart for any customer record, close enough that
// adding a horizon of years to one never overflows what a time can be written as (year 9999).
var (
	Earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
)

// YearsAhead is how far past the present a record's time may lie by default (orders booked
// ahead, campaigns planned for next year).
const YearsAhead = 5

// Dates is the range of times a record may carry. The zero Dates is Earliest to Latest: what a
// caller that does not know the present (an analysis, the store) can check. DatesUntil gives
// the range that the API and imports check, up to a few years past now.
type Dates struct {
	Min, Max time.Time
}

// DatesUntil returns the range from Earliest to yearsAhead years after now (YearsAhead when
// yearsAhead is 0 or less).
func DatesUntil(now time.Time, yearsAhead int) Dates {
	if yearsAhead <= 0 {
		yearsAhead = YearsAhead
	}
	return Dates{Min: Earliest, Max: now.AddDate(yearsAhead, 0, 0)}
}

// Bounds returns the first and last time the range accepts: Min and Max, with Earliest and
// Latest for a zero or wider end.
func (d Dates) Bounds() (time.Time, time.Time) {
	lo, hi := d.Min, d.Max
	if lo.IsZero() || lo.Before(Earliest) {
		lo = Earliest
	}
	if hi.IsZero() || hi.After(Latest) {
		hi = Latest
	}
	return lo, hi
}

// Contains reports whether t is a time the range accepts. The zero time (no time given) is
// accepted: whether a time is required is another rule.
func (d Dates) Contains(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	lo, hi := d.Bounds()
	return !t.Before(lo) && !t.After(hi)
}

// Reason says what the range expects, for an error message: "expected a date from 1900-01-01
// to 2031-12-07".
func (d Dates) Reason() string {
	lo, hi := d.Bounds()
	return fmt.Sprintf("expected a date from %s to %s", lo.Format("2006-01-02"), hi.Format("2006-01-02"))
}

// Problems returns what is wrong with the times of a record (a *Customer, *Order, *Lead …, or
// the record itself): one problem for each time outside the range, naming the field by its
// JSON name. It returns nil for kinds without times of their own.
func (d Dates) Problems(record any) []FieldProblem {
	var out []FieldProblem
	check := func(col string, t time.Time) {
		if !d.Contains(t) {
			out = append(out, FieldProblem{Column: col, Value: t.Format(time.RFC3339), Reason: d.Reason()})
		}
	}
	switch x := record.(type) {
	case *Customer:
		check("birth_date", x.BirthDate)
		check("churned_at", x.ChurnedAt)
	case *Order:
		check("ordered_at", x.OrderedAt)
	case *Interaction:
		check("at", x.At)
	case *WebEvent:
		check("at", x.At)
	case *SurveyResponse:
		check("at", x.At)
	case *Lead:
		check("created_at", x.CreatedAt)
		for i, s := range x.Stages {
			check(fmt.Sprintf("stages[%d].entered_at", i), s.EnteredAt)
		}
	case *Campaign:
		check("start", x.Start)
		check("end", x.End)
	case *CampaignResponse:
		check("at", x.At)
	}
	return out
}
