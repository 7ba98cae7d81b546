package analysis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestRequestDays: the command line and a URL write the same days the same way; as of a day
// is the last instant of that day in the business's zone (EndOfDay), from and to are
// midnights, and errors name the day as the user wrote it.
func TestRequestDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, names := range [][4]string{{"--as-of", "--from", "--to", "--period"}, {"as_of", "from", "to", "period"}} {
		r := Request{AsOf: " 2025-03-05 ", From: "2025-01-01", To: "2025-02-28", Names: names}
		var in Input
		if err := r.Days(&in, sh, kexi.Dates{}); err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2025, 3, 6, 0, 0, 0, 0, sh).Add(-time.Nanosecond); !in.AsOf.Equal(want) {
			t.Errorf("as of %v, want %v", in.AsOf, want)
		}
		if !in.From.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, sh)) || !in.To.Equal(time.Date(2025, 2, 28, 0, 0, 0, 0, sh)) {
			t.Errorf("from %v to %v", in.From, in.To)
		}
		r.From = "2025-13-01"
		err := r.Days(&in, sh, kexi.Dates{})
		var e *kexi.Error
		if !errors.As(err, &e) || e.Code != kexi.EINVALID || len(e.Problems) != 1 || e.Problems[0].Column != names[1] {
			t.Errorf("%v: bad from gives %v", names, err)
		}
		r = Request{Period: "fortnight", Names: names}
		if err := r.CheckPeriod(); !errors.As(err, &e) || e.Problems[0].Column != names[3] {
			t.Errorf("%v: bad period gives %v", names, err)
		}
	}
}

// TestRequestChoose: a preset counts back from the request's as-of day, else the default; a
// preset beside from and to is an error when strict and wins otherwise; from and to without a
// period are custom; nothing asked is the caller's default.
func TestRequestChoose(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	names := [4]string{"--as-of", "--from", "--to", "--period"}
	def := func() (time.Time, error) { return EndOfDay(time.Date(2025, 3, 5, 9, 0, 0, 0, sh), sh), nil }
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, sh) }
	for _, c := range []struct {
		r        Request
		def      string
		strict   bool
		name     string
		from, to time.Time
		asOf     time.Time
		err      string
	}{
		{r: Request{Period: "30d"}, def: "all", name: "30d", from: day(2, 4), to: day(3, 5), asOf: day(3, 6).Add(-time.Nanosecond)},
		{r: Request{Period: "30d", AsOf: "2025-01-31"}, def: "all", name: "30d", from: day(1, 2), to: day(1, 31), asOf: day(2, 1).Add(-time.Nanosecond)},
		{r: Request{Period: "last_month"}, def: "all", name: "last_month", from: day(2, 1), to: day(2, 28), asOf: day(3, 1).Add(-time.Nanosecond)},
		{r: Request{From: "2025-01-10", To: "2025-01-20"}, def: "all", name: "custom", from: day(1, 10), to: day(1, 20)},
		{r: Request{}, def: "365d", name: "365d", from: day(3, 6).AddDate(-1, 0, 0), to: day(3, 5), asOf: day(3, 6).Add(-time.Nanosecond)},
		{r: Request{}, def: "all", name: "all"},
		{r: Request{Period: "30d", From: "2025-01-10"}, def: "all", strict: true, err: "give a period or from and to, not both"},
		{r: Request{Period: "30d", From: "2025-01-10"}, def: "all", name: "30d", from: day(2, 4), to: day(3, 5), asOf: day(3, 6).Add(-time.Nanosecond)},
		{r: Request{Period: "custom", From: "2025-02-10", To: "2025-01-20"}, def: "all", strict: true, err: "after"},
	} {
		c.r.Names = names
		ch, err := c.r.Choose(c.def, c.strict, sh, kexi.Dates{}, def, time.Time{})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error()+kexi.ErrorMessage(err)+problems(err), c.err) {
				t.Errorf("%+v: error %v, want %q", c.r, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", c.r, err)
			continue
		}
		in := Input{From: day(1, 1), To: day(1, 2)}
		if c.name == "custom" {
			in = Input{From: ch.P.From, To: ch.P.To}
		}
		ch.Apply(&in)
		if ch.Name != c.name || !in.From.Equal(c.from) || !in.To.Equal(c.to) || !c.asOf.IsZero() && !in.AsOf.Equal(c.asOf) {
			t.Errorf("%+v: %s %v–%v as of %v, want %s %v–%v as of %v", c.r, ch.Name, in.From, in.To, in.AsOf, c.name, c.from, c.to, c.asOf)
		}
	}
	// Without data, a preset counts back from now, and is an error without it.
	r := Request{Period: "30d", Names: names}
	none := func() (time.Time, error) { return time.Time{}, nil }
	if _, err := r.Choose("all", true, sh, kexi.Dates{}, none, time.Time{}); err == nil {
		t.Error("a preset without data and without now: no error")
	}
	ch, err := r.Choose("all", true, sh, kexi.Dates{}, none, day(3, 5).Add(10*time.Hour))
	if err != nil || !ch.P.To.Equal(day(3, 5)) {
		t.Errorf("a preset without data counts back from now: %+v %v", ch, err)
	}
}

func problems(err error) string {
	var e *kexi.Error
	if !errors.As(err, &e) {
		return ""
	}
	var s []string
	for _, p := range e.Problems {
		s = append(s, p.Reason)
	}
	return strings.Join(s, "; ")
}

// TestRequestOptions: an analysis gets the options it declares, trimmed, without empty values
// and values equal to the default; Unknown names the first key that no analysis declares.
func TestRequestOptions(t *testing.T) {
	a := Info{Name: "a", Options: []Option{{Key: "k", Default: "10"}, {Key: "m"}}}
	b := Info{Name: "b", Options: []Option{{Key: "n"}}}
	r := Request{Options: map[string]string{"k": " 10 ", "m": " x ", "n": "", "z": "1"}}
	got := r.OptionsFor(a)
	if len(got) != 1 || got["m"] != "x" {
		t.Errorf("options for a: %v", got)
	}
	if k := Unknown([]string{"k", "n", "z"}, a, b); k != "z" {
		t.Errorf("unknown %q, want z", k)
	}
	if k := Unknown([]string{"k", "n"}, a, b); k != "" {
		t.Errorf("unknown %q, want none", k)
	}
}

// spy is an analysis that keeps the Input it ran on.
type spy struct {
	got  []Input
	none bool
}

func (s *spy) Info() Info { return Info{Name: "spy"} }
func (s *spy) Run(_ context.Context, in Input) (*Result, error) {
	s.got = append(s.got, in)
	if s.none {
		return nil, nil
	}
	return &Result{Name: "spy", AsOf: in.AsOf}, nil
}

// TestRun: Run gives the analysis its defaults (the as-of date from the data, an options map)
// and checks the input before it runs, once; a run without a result is an error.
func TestRun(t *testing.T) {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(kexi.Order{ID: 1, CustomerID: 1, OrderedAt: time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC), Amount: 5})}
	s := &spy{}
	r, err := Run(context.Background(), s, Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
	if len(s.got) != 1 || !s.got[0].AsOf.Equal(want) || s.got[0].Options == nil || !r.AsOf.Equal(want) {
		t.Errorf("ran on %+v", s.got)
	}
	s = &spy{}
	_, err = Run(context.Background(), s, Input{Data: d, From: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if kexi.ErrorCode(err) != kexi.EINVALID || len(s.got) != 0 {
		t.Errorf("from after to: %v, ran %d times", err, len(s.got))
	}
	if _, err := Run(context.Background(), &spy{none: true}, Input{Data: d}); err == nil || !strings.Contains(err.Error(), "spy returned no result") {
		t.Errorf("no result: %v", err)
	}
}
