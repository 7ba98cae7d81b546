package analysis

import (
	"errors"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestEndOfDay: the last instant of the local day, also on the days clocks change.
func TestEndOfDay(t *testing.T) {
	sh, err1 := time.LoadLocation("Asia/Shanghai")
	ny, err2 := time.LoadLocation("America/New_York")
	if err1 != nil || err2 != nil {
		t.Skip("no zone database")
	}
	for _, c := range []struct {
		in   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2011, 12, 9, 12, 50, 0, 0, time.UTC), sh, "2011-12-09T15:59:59.999999999Z"},
		{time.Date(2011, 12, 9, 16, 0, 0, 0, time.UTC), sh, "2011-12-10T15:59:59.999999999Z"}, // already the 10th there
		{time.Date(2011, 12, 9, 12, 50, 0, 0, time.UTC), time.UTC, "2011-12-09T23:59:59.999999999Z"},
		{time.Date(2024, 3, 10, 12, 0, 0, 0, ny), ny, "2024-03-11T03:59:59.999999999Z"}, // a 23-hour day
		{time.Date(2024, 11, 3, 12, 0, 0, 0, ny), ny, "2024-11-04T04:59:59.999999999Z"}, // a 25-hour day
	} {
		if got := EndOfDay(c.in, c.loc).UTC().Format(time.RFC3339Nano); got != c.want {
			t.Errorf("EndOfDay(%v, %v) = %s, want %s", c.in, c.loc, got, c.want)
		}
	}
	if !EndOfDay(time.Time{}, sh).IsZero() {
		t.Error("the zero time should stay zero")
	}
}

// TestDefaultsAsOf: the default as-of is the end of the last order's day in the business's
// zone; without orders, of the latest other record; with no times, zero. A legacy record
// dated after kexi.Latest is passed over.
func TestDefaultsAsOf(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	orders := &kexi.Dataset{Orders: kexi.NewOrderTable(kexi.Order{ID: 1, OrderedAt: at("2011-12-09T04:50:00Z")},
		kexi.Order{ID: 2, OrderedAt: at("9999-12-31T23:59:59Z")})}
	surveys := &kexi.Dataset{Surveys: []kexi.SurveyResponse{{ID: 1, At: at("2024-06-30T20:00:00Z")}}}
	for _, c := range []struct {
		d    *kexi.Dataset
		tz   string
		want string
	}{
		{orders, "Asia/Shanghai", "2011-12-09T15:59:59.999999999Z"},
		{orders, "", "2011-12-09T23:59:59.999999999Z"},
		{surveys, "Asia/Shanghai", "2024-07-01T15:59:59.999999999Z"},
		{&kexi.Dataset{Customers: []kexi.Customer{{ID: 1}}}, "Asia/Shanghai", ""},
	} {
		in := Defaults(Input{Data: c.d, Settings: kexi.Settings{TimeZone: c.tz}})
		got := ""
		if !in.AsOf.IsZero() {
			got = in.AsOf.UTC().Format(time.RFC3339Nano)
		}
		if got != c.want {
			t.Errorf("%s: as of %q, want %q", c.tz, got, c.want)
		}
	}
}

// TestDatesChecked: ParseDay, Opts.DateIn and Check refuse dates outside the range with an
// EINVALID error naming the field.
func TestDatesChecked(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"9999-12-31", "2032-01-01", "1899-12-31", "2024-02-30", "x"} {
		_, err := ParseDay("as_of", s, time.UTC, kexi.DatesUntil(now, 5))
		var e *kexi.Error
		if !errors.As(err, &e) || e.Code != kexi.EINVALID || e.Problems[0].Column != "as_of" {
			t.Errorf("ParseDay(%q): %v", s, err)
		}
	}
	if d, err := ParseDay("as_of", "2031-12-06", time.UTC, kexi.DatesUntil(now, 5)); err != nil || d.Day() != 6 {
		t.Errorf("2031-12-06: %v %v", d, err)
	}
	o := NewOpts(Info{Name: "x", Options: []Option{{Key: "holdout", Type: "date"}}}, map[string]string{"holdout": "9999-12-31"})
	if o.DateIn("holdout", time.UTC); o.Err() == nil {
		t.Error("an option dated 9999-12-31 was accepted")
	}
	in := Input{Data: &kexi.Dataset{}, AsOf: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
	if err := Check(in); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("Check as of 9999: %v", err)
	}
}

// TestSetDays: the three days are read in the zone, the as-of date becomes the end of its day,
// an empty text leaves its date unset, and an error names the key as the caller gave it.
func TestSetDays(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no Europe/London zone on this system:", err)
	}
	var in Input
	if err := in.SetDays("2011-12-09", "2011-01-01", "", [3]string{"as_of", "from", "to"}, london, kexi.Dates{}); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2011, 12, 9, 23, 59, 59, 999999999, london); !in.AsOf.Equal(want) {
		t.Errorf("as-of %v, want %v", in.AsOf, want)
	}
	if want := time.Date(2011, 1, 1, 0, 0, 0, 0, london); !in.From.Equal(want) || !in.To.IsZero() {
		t.Errorf("from %v to %v, want %v and no to", in.From, in.To, want)
	}
	in = Input{}
	if err := in.SetDays("", "", "", [3]string{"as_of", "from", "to"}, london, kexi.Dates{}); err != nil || !in.AsOf.IsZero() {
		t.Errorf("no days: as-of %v, %v", in.AsOf, err)
	}
	err = in.SetDays("", "", "2011-13-01", [3]string{"--as-of", "--from", "--to"}, london, kexi.Dates{})
	if e, ok := err.(*kexi.Error); !ok || len(e.Problems) != 1 || e.Problems[0].Column != "--to" {
		t.Errorf("bad --to: %v", err)
	}
}
