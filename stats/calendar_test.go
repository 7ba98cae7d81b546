package stats

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestCalendarFieldsByHand(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	tests := []struct {
		name string
		loc  *time.Location
		at   time.Time
		y    int
		m    time.Month
		wd   time.Weekday
		h    int
	}{
		// 2024-02-29 23:30 UTC is 2024-03-01 07:30 in Shanghai (UTC+8), a Friday.
		{"leap day rolls into March", sh, time.Date(2024, 2, 29, 23, 30, 0, 0, time.UTC), 2024, time.March, time.Friday, 7},
		// 2025-12-31 16:00 UTC is midnight of 2026-01-01 in Shanghai, a Thursday, hour 0.
		{"new year in Shanghai", sh, time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), 2026, time.January, time.Thursday, 0},
		// 1969-12-31 23:59:59 UTC: day −1, a Wednesday, hour 23 (negative Unix seconds).
		{"before 1970", time.UTC, time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), 1969, time.December, time.Wednesday, 23},
		// New York 2024-03-10 06:59 UTC is 01:59 EST; 07:00 UTC is 03:00 EDT (clocks go forward).
		{"before DST", ny, time.Date(2024, 3, 10, 6, 59, 0, 0, time.UTC), 2024, time.March, time.Sunday, 1},
		{"after DST", ny, time.Date(2024, 3, 10, 7, 0, 0, 0, time.UTC), 2024, time.March, time.Sunday, 3},
		// 2000-02-29 exists (divisible by 400): 12:00 UTC, a Tuesday.
		{"year 2000 leap day", time.UTC, time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC), 2000, time.February, time.Tuesday, 12},
	}
	for _, tt := range tests {
		c := NewCalendar(tt.loc)
		y, m, wd, h := c.Fields(tt.at)
		if y != tt.y || m != tt.m || wd != tt.wd || h != tt.h {
			t.Errorf("%s: got %d-%02d %s %dh, want %d-%02d %s %dh", tt.name, y, m, wd, h, tt.y, tt.m, tt.wd, tt.h)
		}
		if got, want := c.Month(tt.at), tt.y*12+int(tt.m)-1; got != want {
			t.Errorf("%s: Month = %d, want %d", tt.name, got, want)
		}
	}
}

// TestCalendarMatchesTime compares the Calendar with time.Time.In on random instants from 1900
// to 2100 in zones with and without daylight saving time, with one Calendar per zone reused
// across instants in random order (so its cached span is hit and missed).
func TestCalendarMatchesTime(t *testing.T) {
	var locs []*time.Location
	for _, name := range []string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skip("no time zone data:", err)
		}
		locs = append(locs, loc)
	}
	locs = append(locs, time.FixedZone("minus-3:30", -(3*3600+1800)))
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, loc := range locs {
		c := NewCalendar(loc)
		for range 50_000 {
			at := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9))
			switch r.IntN(100) {
			case 0: // far outside the month table: computed directly
				at = time.Date(1+r.IntN(9998), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC)
			case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10: // runs of nearby times, as one customer's orders are
				at = at.Add(time.Duration(r.IntN(100)) * time.Hour)
			}
			tl := at.In(loc)
			y, m, wd, h := c.Fields(at)
			if y != tl.Year() || m != tl.Month() || wd != tl.Weekday() || h != tl.Hour() {
				t.Fatalf("%s %v: got %d-%02d %s %dh, want %d-%02d %s %dh", loc, at, y, m, wd, h, tl.Year(), tl.Month(), tl.Weekday(), tl.Hour())
			}
		}
	}
}
