package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// tzHelp is the help of every --tz flag.
const tzHelp = "business time `zone` (IANA name): times without an offset are local time there, and days, months and hours are cut in it (env KEXI_TZ; default: the database's setting, else Asia/Shanghai)"

// zoneOf returns the business's time zone: the --tz flag, else KEXI_TZ, else saved (the
// database's Settings.TimeZone; "" without a database), else Asia/Shanghai. A name the system
// does not know is an EINVALID error.
func zoneOf(env *Env, flag, saved string) (*time.Location, error) {
	name, from := strings.TrimSpace(flag), "--tz"
	if name == "" {
		name, from = strings.TrimSpace(env.Getenv("KEXI_TZ")), "KEXI_TZ"
	}
	if name == "" {
		return businessZone(saved), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "unknown time zone", Problems: []kexi.FieldProblem{
			{Column: from, Value: name, Reason: "expected an IANA time zone such as Asia/Shanghai or Europe/London"}}}
	}
	return loc, nil
}

// futureYears returns how many years past now a record's time may lie: KEXI_FUTURE_YEARS, or
// kexi.YearsAhead.
func futureYears(env *Env) (int, error) {
	v := strings.TrimSpace(env.Getenv("KEXI_FUTURE_YEARS"))
	if v == "" {
		return kexi.YearsAhead, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, &kexi.Error{Code: kexi.EINVALID, Message: "bad KEXI_FUTURE_YEARS", Problems: []kexi.FieldProblem{
			{Column: "KEXI_FUTURE_YEARS", Value: v, Reason: "expected a whole number of years from 1 to 100"}}}
	}
	return n, nil
}

// recordDates returns the range a record's times (and an analysis date) must lie in:
// kexi.Earliest to futureYears years after now.
func recordDates(env *Env, now time.Time) (kexi.Dates, error) {
	years, err := futureYears(env)
	if err != nil {
		return kexi.Dates{}, err
	}
	return kexi.DatesUntil(now, years), nil
}
