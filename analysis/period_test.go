package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestUntilMatchesInPeriod compares Until with InPeriod and an as-of test on times around
// every bound, for open and closed periods, a To at midnight (its whole day counts) and one
// with a time of day.
func TestUntilMatchesInPeriod(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	bounds := []time.Time{{}, d("2024-03-01 00:00:00"), d("2024-03-10 00:00:00"), d("2024-03-10 12:30:00")}
	times := []time.Time{d("2024-02-29 23:59:59"), d("2024-03-01 00:00:00"), d("2024-03-05 08:00:00"),
		d("2024-03-10 00:00:00"), d("2024-03-10 12:30:00"), d("2024-03-10 12:30:01"), d("2024-03-10 23:59:59"),
		d("2024-03-11 00:00:00"), d("2024-03-10 23:59:59").Add(999999999 * time.Nanosecond)}
	for _, from := range bounds {
		for _, to := range bounds {
			for _, until := range bounds {
				in := Input{From: from, To: to}
				keep := in.Until(until)
				for _, x := range times {
					want := in.InPeriod(x) && (until.IsZero() || !x.After(until))
					if got := keep(x); got != want {
						t.Errorf("from %v to %v until %v: %v gives %v, want %v", from, to, until, x, got, want)
					}
				}
			}
		}
	}
	// By hand: To 2024-03-10 (midnight) keeps all of the 10th; until 12:30 that day cuts it.
	in := Input{To: d("2024-03-10 00:00:00")}
	if !in.Until(time.Time{})(d("2024-03-10 23:59:59")) || in.Until(d("2024-03-10 12:30:00"))(d("2024-03-10 12:30:01")) {
		t.Error("To at midnight should keep its whole day, until should cut it")
	}
}

// TestPresetPeriod works out every preset and the period it compares with by hand, seen from
// one instant in Shanghai (already the next day there) and in UTC, on quarter, year and leap
// boundaries, and across a daylight-saving change in New York.
func TestPresetPeriod(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, asOf string
		loc        *time.Location
		want, prev string // "from..to"
	}{
		// 2026-12-06 20:00 UTC is 2026-12-07 04:00 in Shanghai.
		{"30d", "2026-12-06T20:00:00Z", sh, "2026-11-08..2026-12-07", "2026-10-09..2026-11-07"},
		{"30d", "2026-12-06T20:00:00Z", time.UTC, "2026-11-07..2026-12-06", "2026-10-08..2026-11-06"},
		{"90d", "2026-12-06T20:00:00Z", sh, "2026-09-09..2026-12-07", "2026-06-11..2026-09-08"},
		{"365d", "2026-12-06T20:00:00Z", sh, "2025-12-08..2026-12-07", "2024-12-08..2025-12-07"},
		{"this_month", "2026-12-06T20:00:00Z", sh, "2026-12-01..2026-12-07", "2026-11-01..2026-11-07"},
		{"last_month", "2026-12-06T20:00:00Z", sh, "2026-11-01..2026-11-30", "2026-10-01..2026-10-31"},
		// 68 days of Q4 (October 31 + November 30 + 7) against the first 68 of Q3 (July and
		// August have 62 days, so to 6 September).
		{"this_quarter", "2026-12-06T20:00:00Z", sh, "2026-10-01..2026-12-07", "2026-07-01..2026-09-06"},
		{"last_quarter", "2026-12-06T20:00:00Z", sh, "2026-07-01..2026-09-30", "2026-04-01..2026-06-30"},
		{"this_year", "2026-12-06T20:00:00Z", sh, "2026-01-01..2026-12-07", "2025-01-01..2025-12-07"},
		{"last_year", "2026-12-06T20:00:00Z", sh, "2025-01-01..2025-12-31", "2024-01-01..2024-12-31"},
		// The first day of a year: this quarter and year are one day; last quarter is Q4.
		{"this_quarter", "2025-01-01T12:00:00Z", sh, "2025-01-01..2025-01-01", "2024-10-01..2024-10-01"},
		{"last_quarter", "2025-01-01T12:00:00Z", sh, "2024-10-01..2024-12-31", "2024-07-01..2024-09-30"},
		{"this_year", "2025-01-01T12:00:00Z", sh, "2025-01-01..2025-01-01", "2024-01-01..2024-01-01"},
		{"last_year", "2025-01-01T12:00:00Z", sh, "2024-01-01..2024-12-31", "2023-01-01..2023-12-31"},
		// 2024-12-31 23:30 UTC is already 2025 in Shanghai, still 2024 in UTC.
		{"this_year", "2024-12-31T23:30:00Z", time.UTC, "2024-01-01..2024-12-31", "2023-01-01..2023-12-31"},
		{"last_month", "2024-12-31T23:30:00Z", sh, "2024-12-01..2024-12-31", "2024-11-01..2024-11-30"},
		// A whole month compares with the whole month before; part of one is cut at its end.
		{"this_month", "2024-03-31T10:00:00Z", time.UTC, "2024-03-01..2024-03-31", "2024-02-01..2024-02-29"},
		{"last_month", "2024-03-31T10:00:00Z", time.UTC, "2024-02-01..2024-02-29", "2024-01-01..2024-01-31"},
		{"this_month", "2025-03-30T10:00:00Z", time.UTC, "2025-03-01..2025-03-30", "2025-02-01..2025-02-28"},
		{"this_quarter", "2025-03-31T10:00:00Z", sh, "2025-01-01..2025-03-31", "2024-10-01..2024-12-31"},
		// New York moves its clocks on 2025-03-09: 2025-03-10 03:00 UTC is 23:00 on the 9th.
		{"30d", "2025-03-10T03:00:00Z", ny, "2025-02-08..2025-03-09", "2025-01-09..2025-02-07"},
		{"this_month", "2025-03-10T03:00:00Z", ny, "2025-03-01..2025-03-09", "2025-02-01..2025-02-09"},
	} {
		p, err := PresetPeriod("period", c.name, at(c.asOf), c.loc)
		if err != nil {
			t.Errorf("%s as of %s: %v", c.name, c.asOf, err)
			continue
		}
		span := func(p Period) string { return p.From.Format("2006-01-02") + ".." + p.To.Format("2006-01-02") }
		prev := p.Previous()
		if span(p) != c.want || span(prev) != c.prev {
			t.Errorf("%s as of %s in %s: %s, previous %s; want %s, previous %s", c.name, c.asOf, c.loc, span(p), span(prev), c.want, c.prev)
		}
		for _, q := range []Period{p, prev} {
			for _, x := range []time.Time{q.From, q.To} {
				if x.Location() != c.loc || x.Hour() != 0 || x.Minute() != 0 || x.Second() != 0 || x.Nanosecond() != 0 {
					t.Errorf("%s as of %s: %v is not a midnight in %s", c.name, c.asOf, x, c.loc)
				}
			}
		}
		if strings.HasSuffix(c.name, "d") && (prev.Days() != p.Days() || p.Days() != map[string]int{"30d": 30, "90d": 90, "365d": 365}[c.name]) {
			t.Errorf("%s: %d days, previous %d", c.name, p.Days(), prev.Days())
		}
		if e := p.End(); !e.Equal(EndOfDay(p.To, c.loc)) || e.In(c.loc).Day() != p.To.Day() {
			t.Errorf("%s: end %v", c.name, e)
		}
	}
	// A custom period compares with as many days just before it.
	p := Period{Name: "custom", From: time.Date(2025, 2, 10, 0, 0, 0, 0, sh), To: time.Date(2025, 2, 19, 0, 0, 0, 0, sh)}
	if prev := p.Previous(); prev.From.Format("2006-01-02") != "2025-01-31" || prev.To.Format("2006-01-02") != "2025-02-09" || prev.Days() != 10 {
		t.Errorf("custom 2025-02-10..19: previous %v..%v (%d days), want 2025-01-31..2025-02-09", prev.From, prev.To, prev.Days())
	}
	for _, bad := range []string{"", "7d", "next_month", "ALL"} {
		if _, err := PresetPeriod("period", bad, at("2025-01-01T00:00:00Z"), sh); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("period %q: %v, want an invalid error", bad, err)
		}
	}
	if _, err := PresetPeriod("period", "30d", time.Time{}, sh); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("no as-of date: %v, want an invalid error", err)
	}
}

// TestChoosePeriod checks the one reading of a period name that the pages, the API and the
// CLI share: presets counted back from the as-of day (2024-03-30 here), all, custom with its
// days, and the errors, each naming the key.
func TestChoosePeriod(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	asOf := EndOfDay(day("2024-03-30"), time.UTC)
	for _, tt := range []struct {
		name     string
		from, to time.Time
		strict   bool
		want     string // FROM..TO as of ASOF after Apply to an input as of asOf, or the error
	}{
		{"90d", time.Time{}, time.Time{}, true, "2024-01-01..2024-03-30 as of 2024-03-30T23:59:59"},
		{"last_quarter", time.Time{}, time.Time{}, true, "2023-10-01..2023-12-31 as of 2023-12-31T23:59:59"},
		{"all", time.Time{}, time.Time{}, true, "0001-01-01..0001-01-01 as of 2024-03-30T23:59:59"},
		{"custom", day("2024-02-01"), day("2024-02-29"), true, "2024-02-01..2024-02-29 as of 2024-03-30T23:59:59"},
		{"30d", day("2024-02-01"), time.Time{}, false, "2024-03-01..2024-03-30 as of 2024-03-30T23:59:59"}, // a page: the preset wins
		{"30d", day("2024-02-01"), time.Time{}, true, "give a period or from and to, not both"},
		{"all", time.Time{}, day("2024-02-01"), true, "give a period or from and to, not both"},
		{"custom", day("2024-03-02"), day("2024-03-01"), true, "--period: from 2024-03-02 is after to 2024-03-01"},
		{"fortnight", time.Time{}, time.Time{}, true, "expected all, custom or one of 30d"},
	} {
		p, err := ChoosePeriod("--period", tt.name, tt.from, tt.to, asOf, time.UTC, tt.strict)
		var got string
		if err != nil {
			if kexi.ErrorCode(err) != kexi.EINVALID {
				t.Errorf("%s: %v is not EINVALID", tt.name, err)
			}
			got = err.Error()
			if e, ok := err.(*kexi.Error); ok && len(e.Problems) > 0 {
				got = e.Problems[0].Column + ": " + e.Problems[0].Reason
			}
		} else {
			in := Input{AsOf: asOf, From: tt.from, To: tt.to}
			p.Apply(&in)
			got = in.From.Format("2006-01-02") + ".." + in.To.Format("2006-01-02") + " as of " + in.AsOf.Format("2006-01-02T15:04:05")
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("ChoosePeriod(%s, %v, %v, strict %v) = %s, want %s", tt.name, tt.from, tt.to, tt.strict, got, tt.want)
		}
	}
	for _, ok := range append([]string{"all", "custom"}, Periods...) {
		if err := CheckPeriod("period", ok); err != nil {
			t.Errorf("CheckPeriod(%s): %v", ok, err)
		}
	}
}
