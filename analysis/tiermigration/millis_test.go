package tiermigration

import (
	"testing"
	"time"
)

// TestPeriodMillis checks that the millisecond bounds compare whole-millisecond order times
// exactly as Period.In does, with bounds inside a millisecond (EndOfDay's .999999999), on one
// and in other zones.
func TestPeriodMillis(t *testing.T) {
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	cst := time.FixedZone("CST", 8*3600)
	for _, p := range []Period{
		{base, base.Add(time.Hour)},
		{base.Add(1), base.Add(time.Hour - 1)},
		{base.Add(-1), base.Add(time.Hour + 1)},
		{base.Add(time.Millisecond - 1), base.Add(2*time.Millisecond + 999_999)},
		{base.In(cst).Add(500_000), base.In(cst).Add(time.Hour + 500_000)},
		{time.Time{}, base},
	} {
		lo, hi := p.millis()
		for _, at := range []time.Time{p.From, p.To} {
			for d := -3; d <= 3; d++ {
				ms := at.Truncate(time.Millisecond).Add(time.Duration(d) * time.Millisecond).UnixMilli()
				want := p.In(time.UnixMilli(ms))
				if got := lo <= ms && ms <= hi; got != want {
					t.Errorf("%v–%v: %v in %v, want %v", p.From, p.To, time.UnixMilli(ms).UTC(), got, want)
				}
			}
		}
	}
}
