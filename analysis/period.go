package analysis

import (
	"slices"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Until returns a test of whether a time lies in the input's period (InPeriod) and at or
// before until, with the bounds worked out once. Loops over a million orders use it instead of
// calling InPeriod, which copies the whole Input on every call. A zero until leaves that end
// open.
func (in Input) Until(until time.Time) func(time.Time) bool {
	from, to := in.From, in.To
	if !to.IsZero() && to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 && to.Nanosecond() == 0 {
		to = EndOfDay(to, to.Location())
	}
	switch {
	case from.IsZero() && to.IsZero() && until.IsZero():
		return func(time.Time) bool { return true }
	case from.IsZero() && to.IsZero():
		return func(t time.Time) bool { return !t.After(until) }
	}
	return func(t time.Time) bool {
		return (until.IsZero() || !t.After(until)) && (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
	}
}

// Periods are the names of the preset periods, in the order a picker lists them: the last
// 30, 90 and 365 days, and this and last month, quarter and year. "all" (no bounds) and
// "custom" (from and to as given) are the two other choices a caller offers.
var Periods = []string{"30d", "90d", "365d", "this_month", "last_month", "this_quarter",
	"last_quarter", "this_year", "last_year"}

// Period is a stretch of whole days in a time zone, the way Input.From and Input.To hold one:
// From is the midnight that starts its first day and To the midnight that starts its last day
// (an Input's To at midnight covers its whole day). Name is a preset of Periods, or "custom".
type Period struct {
	Name     string
	From, To time.Time
}

// Days returns how many days the period holds (To's day counts).
func (p Period) Days() int { return dayNumber(p.To) - dayNumber(p.From) + 1 }

// End returns the last instant of the period: the end of To's day (EndOfDay).
func (p Period) End() time.Time { return EndOfDay(p.To, p.To.Location()) }

// dayNumber counts days from 1970-01-01 to t's date in its own location, whatever the
// length of the days in between (a daylight-saving day has 23 or 25 hours).
func dayNumber(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// day returns the midnight starting the date y-m-d in loc (days and months out of range
// normalised as time.Date does).
func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// months is the length in calendar months of a preset cut on months (0 for the others).
func months(name string) int {
	switch name {
	case "this_month", "last_month":
		return 1
	case "this_quarter", "last_quarter":
		return 3
	case "this_year", "last_year":
		return 12
	}
	return 0
}

// unknownPeriod is the error for a period name that is none of all, custom and Periods.
func unknownPeriod(key, name string) error {
	return &kexi.Error{Code: kexi.EINVALID, Message: "unknown period", Problems: []kexi.FieldProblem{
		{Column: key, Value: name, Reason: "expected all, custom or one of " + strings.Join(Periods, ", ")}}}
}

// CheckPeriod returns an EINVALID error naming key when name is none of "all", "custom" and
// Periods, which is the one list of period names the pages' picker, the API's period and the
// CLI's --period take.
func CheckPeriod(key, name string) error {
	if name == "all" || name == "custom" || slices.Contains(Periods, name) {
		return nil
	}
	return unknownPeriod(key, name)
}

// ChoosePeriod reads a period as the web pages, the API and the CLI take it: name "all" (no
// bounds: a zero Period named all), "custom" (the days from and to as given, either end may be
// open) or a preset of Periods counted back from the day of asOf in loc (PresetPeriod). from
// and to are the days given beside the name (midnights, as Input.SetDays reads them); with
// strict set (the API, the CLI) a preset or all beside them is an error, else (pages) the name
// wins. Errors are EINVALID and name key: an unknown name, a preset with from or to, a custom
// period whose from is after its to, and a preset without asOf.
func ChoosePeriod(key, name string, from, to, asOf time.Time, loc *time.Location, strict bool) (Period, error) {
	if err := CheckPeriod(key, name); err != nil {
		return Period{}, err
	}
	if name == "custom" {
		if !from.IsZero() && !to.IsZero() && from.After(to) {
			return Period{}, kexi.Errorf(kexi.EINVALID, "%s: from %s is after to %s", key, from.Format("2006-01-02"), to.Format("2006-01-02"))
		}
		return Period{Name: name, From: from, To: to}, nil
	}
	if strict && (!from.IsZero() || !to.IsZero()) {
		return Period{}, &kexi.Error{Code: kexi.EINVALID, Message: "invalid " + key, Problems: []kexi.FieldProblem{
			{Column: key, Value: name, Reason: "give a period or from and to, not both"}}}
	}
	if name == "all" {
		return Period{Name: name}, nil
	}
	return PresetPeriod(key, name, asOf, loc)
}

// Apply sets in's dates to the period: a preset's days as of the end of its last day; all
// drops From and To; a custom period's days are From and To.
func (p Period) Apply(in *Input) {
	switch p.Name {
	case "all":
		in.From, in.To = time.Time{}, time.Time{}
	case "custom":
		in.From, in.To = p.From, p.To
	default:
		in.From, in.To, in.AsOf = p.From, p.To, p.End()
	}
}

// PresetPeriod returns the preset period name seen from the day of asOf in loc (nil: UTC):
// "30d", "90d" and "365d" end on that day; "this_month", "this_quarter" and "this_year" run
// from the start of its month, quarter or year to that day; "last_month", "last_quarter" and
// "last_year" are the whole calendar month, quarter or year before. It returns an EINVALID
// error naming key for any other name, and for a zero asOf.
func PresetPeriod(key, name string, asOf time.Time, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	if asOf.IsZero() {
		return Period{}, kexi.Errorf(kexi.EINVALID, "period %s: there is no data to count back from", name)
	}
	a := asOf.In(loc)
	today := day(a.Year(), a.Month(), a.Day(), loc)
	p := Period{Name: name, To: today}
	switch name {
	case "30d", "90d", "365d":
		n := map[string]int{"30d": 30, "90d": 90, "365d": 365}[name]
		p.From = today.AddDate(0, 0, 1-n)
		return p, nil
	}
	m := months(name)
	if m == 0 {
		return Period{}, unknownPeriod(key, name)
	}
	// The first month of the unit holding today: January, the quarter's first month, or today's month.
	first := time.Month(1 + (int(a.Month())-1)/m*m)
	p.From = day(a.Year(), first, 1, loc)
	if strings.HasPrefix(name, "last_") {
		p.To = p.From.AddDate(0, 0, -1)
		p.From = p.From.AddDate(0, -m, 0)
	}
	return p, nil
}

// Previous returns the period a comparison looks back to: for a period cut on months
// (this_month …, last_year) the same stretch of the calendar month, quarter or year before
// (the whole unit when p is whole; this month to the 7th compares with the 1st to the 7th of
// last month, to the 31st with the whole of a 30-day month); for any other the days just
// before p, as many as p holds.
func (p Period) Previous() Period {
	loc := p.From.Location()
	m := months(p.Name)
	if m == 0 {
		n := p.Days()
		to := p.From.AddDate(0, 0, -1)
		return Period{Name: p.Name, From: to.AddDate(0, 0, 1-n), To: to}
	}
	from := p.From.AddDate(0, -m, 0)
	last := p.From.AddDate(0, 0, -1) // the last day of the unit before
	end := day(p.From.Year(), p.From.Month()+time.Month(m), 1, loc).AddDate(0, 0, -1)
	to := day(from.Year(), from.Month(), from.Day()+dayNumber(p.To)-dayNumber(p.From), loc)
	if !p.To.Before(end) || to.After(last) {
		to = last
	}
	return Period{Name: p.Name, From: from, To: to}
}
