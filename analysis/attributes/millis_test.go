package attributes

import (
	"testing"
	"time"
)

// TestCeilMilli checks that whole-millisecond times compare with ceilMilli(x) as time.Before
// compares them with x, when x is inside a millisecond and when it is not, before 1970 too.
func TestCeilMilli(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, x := range []time.Time{base, base.Add(1), base.Add(-1), base.Add(999_999), base.Add(time.Millisecond - 1),
		time.Date(1960, 5, 1, 0, 0, 0, 500_000, time.UTC), time.Date(1960, 5, 1, 0, 0, 0, 0, time.UTC)} {
		c := ceilMilli(x)
		for d := int64(-3); d <= 3; d++ {
			ms := x.Truncate(time.Millisecond).UnixMilli() + d
			if got, want := ms < c, time.UnixMilli(ms).Before(x); got != want {
				t.Errorf("%v before %v: %v, want %v", time.UnixMilli(ms).UTC(), x, got, want)
			}
		}
	}
}
