package analysis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Request is a run of an analysis as a person asks for it, in words: the as-of, from and to
// days (2006-01-02 in the business's time zone; empty: not given), a period (all, custom or
// one of Periods; empty: not given) and option values. The command line fills it from its
// flags, the server from a query; both read it with Days, Choose and OptionsFor, so that the
// same words mean the same run everywhere.
type Request struct {
	AsOf, From, To, Period string
	Options                map[string]string
	// Names are how the caller's user writes as-of, from, to and period, for errors: "--as-of"
	// on the command line, "as_of" in a URL.
	Names [4]string
}

// Days sets in's AsOf, From and To from the request's days (Input.SetDays: as of a day means
// through its end, EndOfDay). Errors are EINVALID and name the day as the user wrote it.
func (r Request) Days(in *Input, loc *time.Location, dates kexi.Dates) error {
	return in.SetDays(strings.TrimSpace(r.AsOf), strings.TrimSpace(r.From), strings.TrimSpace(r.To),
		[3]string{r.Names[0], r.Names[1], r.Names[2]}, loc, dates)
}

// CheckPeriod returns an EINVALID error when the request names a period that is none of all,
// custom and Periods (CheckPeriod); an empty period is fine.
func (r Request) CheckPeriod() error {
	if p := strings.TrimSpace(r.Period); p != "" {
		return CheckPeriod(r.Names[3], p)
	}
	return nil
}

// OptionsFor returns the request's values of the options info declares, trimmed; a value that is
// empty or the option's default is left out, so that a run has the same options however it
// was asked (and caches as one). Undeclared keys are left out too: see Unknown.
func (r Request) OptionsFor(info Info) map[string]string {
	m := map[string]string{}
	for _, o := range info.Options {
		if v := strings.TrimSpace(r.Options[o.Key]); v != "" && v != o.Default {
			m[o.Key] = v
		}
	}
	return m
}

// Unknown returns the first of keys (in order) that none of infos declares as an option, or
// "".
func Unknown(keys []string, infos ...Info) string {
	for _, k := range keys {
		known := false
		for _, info := range infos {
			for _, o := range info.Options {
				known = known || o.Key == k
			}
		}
		if !known {
			return k
		}
	}
	return ""
}

// Choice is the period a request asks for, worked out (Request.Choose).
type Choice struct {
	Name string // "all", "custom" or a preset of Periods
	P    Period // the days; zero for "all" (and the open end of a custom period)
	Prev Period // the period it compares with; zero when there is none
	// AsOf is the end of the day the presets count back from: the request's as-of, else the
	// default (the end of the last order's day; zero without any data).
	AsOf      time.Time
	AsOfGiven bool
	Default   bool // nothing asked: the caller's default
}

// Choose reads the request's period with its days, as the web pages, the API and the command
// line take it. def is the period when none is named and no from or to is given ("all" on
// analysis pages, "365d" on the dashboard); a from or to without a period is "custom".
// defAsOf gives the default as-of instant (the end of the last order's day) when the request
// has none; presets count back from it, or from now when there is no data (a zero now: a
// preset without data is an error). With strict set (the API, the CLI) a preset or all beside
// from or to is an error, else (pages) the period wins. Errors are EINVALID and name the
// period as the user wrote it.
func (r Request) Choose(def string, strict bool, loc *time.Location, dates kexi.Dates,
	defAsOf func() (time.Time, error), now time.Time) (Choice, error) {
	var in Input
	if err := r.Days(&in, loc, dates); err != nil {
		return Choice{}, err
	}
	c := Choice{Name: strings.TrimSpace(r.Period), AsOf: in.AsOf, AsOfGiven: !in.AsOf.IsZero()}
	dated := !in.From.IsZero() || !in.To.IsZero()
	switch {
	case c.Name == "" && dated:
		c.Name = "custom"
	case c.Name == "":
		c.Name, c.Default = def, true
	}
	key := r.Names[3]
	if err := CheckPeriod(key, c.Name); err != nil {
		return c, err
	}
	if c.AsOf.IsZero() {
		t, err := defAsOf()
		if err != nil {
			return c, err
		}
		c.AsOf = t
	}
	from := c.AsOf
	if from.IsZero() { // no data at all: count back from today
		from = now
	}
	p, err := ChoosePeriod(key, c.Name, in.From, in.To, from, loc, strict)
	if err != nil {
		return c, err
	}
	switch c.Name {
	case "all":
	case "custom":
		c.P = p
		if !p.From.IsZero() && !p.To.IsZero() {
			c.Prev = c.P.Previous()
		}
	default:
		c.P, c.Prev = p, p.Previous()
	}
	return c, nil
}

// Compares reports whether the choice has a previous period to compare with.
func (c Choice) Compares() bool { return !c.Prev.From.IsZero() }

// Preset reports whether the choice is a preset period with its days worked out.
func (c Choice) Preset() bool {
	return c.Name != "all" && c.Name != "custom" && !c.P.From.IsZero()
}

// Apply sets in's dates to a preset period: its days, as of the end of its last day. "all"
// drops from and to (a page lets the period win over them); custom leaves in as Days read it.
func (c Choice) Apply(in *Input) {
	switch {
	case c.Preset():
		in.From, in.To, in.AsOf = c.P.From, c.P.To, c.P.End()
	case c.Name == "all":
		in.From, in.To = time.Time{}, time.Time{}
	}
}

// Previous returns the input of the comparison run: in over the previous period, as of the
// day as far before in's as-of day (the default as-of day when in has none) as the previous
// period's last day is before the period's.
func (c Choice) Previous(in Input, loc *time.Location) Input {
	out := in
	out.From, out.To = c.Prev.From, c.Prev.To
	asOf := in.AsOf
	if asOf.IsZero() {
		asOf = c.AsOf
	}
	back := Period{From: c.Prev.To, To: c.P.To}.Days() - 1
	a := asOf.In(loc)
	out.AsOf = EndOfDay(time.Date(a.Year(), a.Month(), a.Day()-back, 12, 0, 0, 0, loc), loc)
	return out
}

// Run runs a on in, the one way the command line and the server run an analysis: in gets its
// defaults (Defaults: the as-of date, the options map) and is checked (Check) once, here. A
// run that returns neither a result nor an error is an error.
func Run(ctx context.Context, a Analysis, in Input) (*Result, error) {
	in = Defaults(in)
	if err := Check(in); err != nil {
		return nil, err
	}
	r, err := a.Run(ctx, in)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("analysis %s returned no result", a.Info().Name)
	}
	return r, nil
}
