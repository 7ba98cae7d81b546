package analysis

import (
	"testing"
	"time"
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
