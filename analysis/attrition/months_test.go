package attrition

import (
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// TestMonths checks the months of the monthly table and how events fall into them: the
// `months` months up to the as-of date without a period, the period's months with one, and
// events outside them not counted in a month (but in the period's totals).
func TestMonths(t *testing.T) {
	cal := stats.NewCalendar(time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	asOf := day("2024-06-15")
	m := newMonths(cal, analysis.Input{}, asOf, 3)
	if m.m0 != 2024*12+3 || len(m.churns) != 3 {
		t.Fatalf("3 months to 2024-06: m0 %d, %d months", m.m0, len(m.churns))
	}
	m.add(cal, Event{At: day("2024-04-02")})
	m.add(cal, Event{At: day("2024-06-30")})
	m.add(cal, Event{At: day("2024-01-10")}) // before the table
	m.add(cal, Event{At: day("2024-05-01"), Reactivation: true})
	if !slices.Equal(m.churns, []int{1, 0, 1}) || !slices.Equal(m.reacts, []int{0, 1, 0}) || m.churnEvents != 3 || m.reactEvents != 1 {
		t.Errorf("churns %v reacts %v, events %d/%d", m.churns, m.reacts, m.churnEvents, m.reactEvents)
	}
	p := newMonths(cal, analysis.Input{From: day("2023-11-01"), To: day("2024-02-29")}, asOf, 3)
	if p.m0 != 2023*12+10 || len(p.churns) != 4 {
		t.Errorf("period 2023-11 to 2024-02: m0 %d, %d months", p.m0, len(p.churns))
	}
	if z := newMonths(cal, analysis.Input{}, time.Time{}, 12); len(z.churns) != 0 {
		t.Errorf("no dates: %d months", len(z.churns))
	}
}
