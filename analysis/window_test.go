package analysis

import (
	"github.com/kexi/kexi"
	"testing"
	"time"
)

// TestWindow: Input.Window(until) keeps, in whole milliseconds, exactly the times Until(until)
// keeps, for every mix of open and set ends, a To at midnight (its whole day) or not.
func TestWindow(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	d := func(day, h int) time.Time { return time.Date(2024, 5, day, h, 0, 0, 0, sh) }
	var zero time.Time
	var times []time.Time
	for day := 8; day <= 22; day++ {
		for _, h := range []int{0, 12} {
			for _, delta := range []time.Duration{-time.Millisecond, 0, time.Millisecond} {
				times = append(times, d(day, h).Add(delta))
			}
		}
	}
	for _, from := range []time.Time{zero, d(10, 0)} {
		for _, to := range []time.Time{zero, d(20, 0), d(20, 12)} {
			for _, until := range []time.Time{zero, EndOfDay(d(15, 0), sh), d(21, 12), d(9, 12)} {
				in := Input{From: from, To: to, Settings: kexi.Settings{TimeZone: "Asia/Shanghai"}}
				keep := in.Until(until)
				w := in.Window(until)
				lo, hi := w.Bounds()
				if w.Loc.String() != "Asia/Shanghai" {
					t.Errorf("window's zone %v", w.Loc)
				}
				for _, at := range times {
					ms := at.UnixMilli()
					if got, want := lo <= ms && ms <= hi, keep(at); got != want {
						t.Errorf("from %v to %v until %v: %v in the window %v, Until says %v", from, to, until, at, got, want)
					}
				}
			}
		}
	}
}
