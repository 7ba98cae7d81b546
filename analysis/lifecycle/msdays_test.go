package lifecycle

import (
	"testing"
	"time"
)

// TestMsDays checks msDays against days(t.Sub(u)) on order times, including gaps too long for
// a Duration, where Sub saturates.
func TestMsDays(t *testing.T) {
	u := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []time.Time{
		u, u.Add(time.Millisecond), u.Add(-time.Millisecond), u.Add(24*time.Hour - time.Millisecond),
		u.Add(24 * time.Hour), u.AddDate(0, 0, -3).Add(7 * time.Millisecond),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC),
		u.Add(290 * 365 * 24 * time.Hour),
	} {
		for _, p := range [][2]time.Time{{v, u}, {u, v}} {
			if got, want := msDays(p[0].UnixMilli()-p[1].UnixMilli()), days(p[0].Sub(p[1])); got != want {
				t.Errorf("%v − %v: %d days, want %d", p[0], p[1], got, want)
			}
		}
	}
}
