package analysis

import "time"

// Location returns the business's time zone (in.Settings.TimeZone) for calendar buckets such as
// months, weekdays and hours. It returns UTC when the setting is empty or names no zone this
// system knows, so an analysis never fails on it.
func (in Input) Location() *time.Location {
	if in.Settings.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(in.Settings.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
