package analysis

import "time"

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
