package funnel_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/funnel"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/internal/synth"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func lead(id int64, src string, final string, hist ...string) kexi.Lead {
	// hist alternates stage, date.
	l := kexi.Lead{ID: id, Source: src, Owner: "o", Stage: final}
	for i := 0; i+1 < len(hist); i += 2 {
		l.Stages = append(l.Stages, kexi.StageEntry{Stage: hist[i], EnteredAt: day(hist[i+1])})
	}
	l.CreatedAt = l.Stages[0].EnteredAt
	return l
}

// tiny is five leads:
//
//	1 web: new 01-01, consultation 01-03, follow_up 01-06, quote 01-10, won 01-20
//	2 web: new 01-01, consultation 01-05, lost 01-07           (reached consultation)
//	3 ads: new 01-02, won 01-12                                 (skips: passes all stages)
//	4 ads: new 01-02, consultation 01-04, follow_up 01-09      (open at follow_up)
//	5 ads: new 01-03, lost 01-04                                (lost at new)
//
// Reached: new 5, consultation 4 (1,2,3,4), follow_up 3 (1,3,4), quote 2 (1,3), won 2 (1,3).
// Steps: 4/5 = 0.8, 3/4 = 0.75, 2/3 = 0.6667, 2/2 = 1 → bottleneck quote (0.6667).
// Overall conversion 2/5 = 0.4. Close days: lead 1 19, lead 3 10 → median 14.5.
// Days in new: lead 1 2 (to consultation), lead 2 4, lead 3 10 (to won, the next stage with a
// date), lead 4 2 → sorted 2 2 4 10 → median 3. Consultation: lead 1 3, lead 4 5 → 4.
// Follow-up: lead 1 4. Quote: lead 1 10.
// Lost at new 1 (lead 5), lost at consultation 1 (lead 2); open at follow_up 1 (lead 4).
func tiny() []kexi.Lead {
	return []kexi.Lead{
		lead(1, "web", "won", "new", "2024-01-01", "consultation", "2024-01-03", "follow_up", "2024-01-06", "quote", "2024-01-10", "won", "2024-01-20"),
		lead(2, "web", "lost", "new", "2024-01-01", "consultation", "2024-01-05", "lost", "2024-01-07"),
		lead(3, "ads", "won", "new", "2024-01-02", "won", "2024-01-12"),
		lead(4, "ads", "follow_up", "new", "2024-01-02", "consultation", "2024-01-04", "follow_up", "2024-01-09"),
		lead(5, "ads", "lost", "new", "2024-01-03", "lost", "2024-01-04"),
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }

func TestBuildByHand(t *testing.T) {
	f := funnel.Build(tiny(), nil, nil)
	if f.Reached != [5]int{5, 4, 3, 2, 2} {
		t.Fatalf("reached %v", f.Reached)
	}
	if f.Lost != [5]int{1, 1, 0, 0, 0} || f.Open != [5]int{0, 0, 1, 0, 0} {
		t.Fatalf("lost %v open %v", f.Lost, f.Open)
	}
	for k, want := range []float64{0, 0.8, 0.75, 2.0 / 3, 1} {
		if k > 0 && !near(f.Step(k), want) {
			t.Errorf("step %d = %v, want %v", k, f.Step(k), want)
		}
	}
	if !near(f.Conversion(), 0.4) {
		t.Errorf("conversion %v", f.Conversion())
	}
	if b := f.Bottleneck(); b != 3 {
		t.Errorf("bottleneck %d, want 3 (quote)", b)
	}
	if m := funnel.Median(f.CloseDays); m != 14.5 {
		t.Errorf("median close %v, want 14.5", m)
	}
	for k, want := range []float64{3, 4, 4, 10} {
		if m := funnel.Median(f.StageDays[k]); m != want {
			t.Errorf("median days in %s = %v, want %v", funnel.Stages[k], m, want)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	// No leads: NaN conversion, no bottleneck.
	f := funnel.Build(nil, nil, nil)
	if !math.IsNaN(f.Conversion()) || f.Bottleneck() != -1 || !math.IsNaN(funnel.Median(f.CloseDays)) {
		t.Errorf("empty funnel: %v %v", f.Conversion(), f.Bottleneck())
	}
	// One lead with no history, current stage quote: reached quote; unknown stage ignored.
	l := kexi.Lead{ID: 1, Stage: "quote", CreatedAt: day("2024-03-01"),
		Stages: []kexi.StageEntry{{Stage: "weird", EnteredAt: day("2024-03-02")}}}
	p := funnel.Trace(&l)
	if p.Reached != 3 || p.Lost || !p.At[0].Equal(day("2024-03-01")) {
		t.Errorf("trace %+v", p)
	}
	// Won before created (olist has one such lead): -2 days clamps to 0 and is counted.
	w := lead(2, "x", "won", "new", "2024-03-05", "won", "2024-03-03")
	f = funnel.Build([]kexi.Lead{w}, nil, nil)
	if len(f.CloseDays) != 1 || f.CloseDays[0] != 0 || f.Negative != 2 {
		t.Errorf("close %v negative %d", f.CloseDays, f.Negative)
	}
	// Ties in the bottleneck: the earliest stage wins. 2 leads, one lost at new, one won:
	// steps 0.5, 1, 1, 1 → consultation.
	f = funnel.Build([]kexi.Lead{lead(1, "", "lost", "new", "2024-01-01"), lead(2, "", "won", "new", "2024-01-01", "won", "2024-01-02")}, nil, nil)
	if f.Bottleneck() != 1 {
		t.Errorf("bottleneck %d", f.Bottleneck())
	}
	if funnel.Days(time.Date(2018, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 2, 15, 19, 58, 0, 0, time.UTC)) != 14 {
		t.Error("Days")
	}
}

func TestRunPeriods(t *testing.T) {
	// Period 2024-01-02..2024-01-03 (2 days, To inclusive) holds leads 3, 4, 5; the previous
	// period 2023-12-31..2024-01-01 holds leads 1 and 2.
	// Current: 3 leads, 1 won → 1/3; previous: 2 leads, 1 won → 1/2; change −1/6.
	d := &kexi.Dataset{Leads: tiny()}
	res, err := funnel.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-02-01"),
		From: day("2024-01-02"), To: day("2024-01-03")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"leads": 3, "won_leads": 1, "conversion": 1.0 / 3, "previous_leads": 2,
		"previous_conversion": 0.5, "conversion_change": 1.0/3 - 0.5, "median_days_to_close": 10}
	for k, v := range want {
		if f, ok := res.Figure(k); !ok || !near(f.Value, v) {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	// By source: ads only (web leads are outside the period): 3 leads, 1 won.
	g := res.Table("groups")
	if len(g.Rows) != 1 || g.Rows[0][0] != "ads" || g.Rows[0][1] != 3 {
		t.Errorf("groups %v", g.Rows)
	}
	if _, err := funnel.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{"group_by": "x"}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("bad option: %v", err)
	}
}

// olist builds the 8,000 Olist MQLs: created (stage new) at first_contact_date, won at won_date
// for the 842 closed deals, source = origin.
func olist(t *testing.T) []kexi.Lead {
	read := func(name string) [][]string {
		f, err := os.Open(refdata.Path(t, "olist-marketing-funnel/"+name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs[1:]
	}
	wonAt := map[string]time.Time{}
	for _, r := range read("olist_closed_deals_dataset.csv") {
		at, err := time.Parse("2006-01-02 15:04:05", r[4])
		if err != nil {
			t.Fatal(err)
		}
		wonAt[r[0]] = at
	}
	var leads []kexi.Lead
	for i, r := range read("olist_marketing_qualified_leads_dataset.csv") {
		created := day(r[1])
		l := kexi.Lead{ID: int64(i + 1), ExternalID: r[0], Source: r[3], Stage: kexi.StageNew, CreatedAt: created,
			Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: created}}}
		if w, ok := wonAt[r[0]]; ok {
			l.Stage = kexi.StageWon
			l.Stages = append(l.Stages, kexi.StageEntry{Stage: kexi.StageWon, EnteredAt: w})
		}
		leads = append(leads, l)
	}
	return leads
}

// TestOlist reproduces SPEC's Olist numbers. "Median 14 days" is the median of whole calendar
// days between first_contact_date and the date part of won_date (842 values; the 421st and
// 422nd are both 14). The exact elapsed time has median 14.65 days, so flooring it also
// gives 14; one deal is won 2 days before its first contact (counted as 0).
func TestOlist(t *testing.T) {
	d := &kexi.Dataset{Leads: olist(t)}
	d.Normalize()
	res, err := funnel.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2018-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	fig := func(k string) float64 { f, _ := res.Figure(k); return f.Value }
	if fig("leads") != 8000 || fig("won_leads") != 842 || math.Abs(fig("conversion")-0.1052) > 0.00005 {
		t.Errorf("leads %v won %v conversion %v", fig("leads"), fig("won_leads"), fig("conversion"))
	}
	if fig("median_days_to_close") != 14 {
		t.Errorf("median days to close %v, want 14", fig("median_days_to_close"))
	}
	got := map[string]float64{}
	for _, r := range res.Table("groups").Rows {
		got[r[0].(string)] = r[len(r)-3].(float64)
	}
	if math.Abs(got["paid_search"]-0.1230) > 0.00005 || math.Abs(got["social"]-0.0556) > 0.00005 {
		t.Errorf("paid_search %v social %v", got["paid_search"], got["social"])
	}
}

func Example() {
	d := &kexi.Dataset{Leads: tiny()}
	res, _ := funnel.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-02-01")})
	for _, r := range res.Tables[0].Rows {
		fmt.Printf("%-12s %d %.2f\n", r[0], r[1], r[3])
	}
	b, _ := res.Figure("bottleneck")
	fmt.Println("bottleneck:", b.Text)
	// Output:
	// new          5 1.00
	// consultation 4 0.80
	// follow_up    3 0.60
	// quote        2 0.40
	// won          2 0.40
	// bottleneck: quote
}

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() { benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1}) })
	in := analysis.Input{Data: benchData, AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := funnel.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDaysInZone: days to close are counted in the business's calendar. A lead created at
// 2024-01-01 20:00 UTC and won at 2024-01-02 01:00 UTC closes after 1 day in UTC, but on the
// same day (04:00 → 09:00 on 2 January) in Shanghai.
func TestDaysInZone(t *testing.T) {
	created := time.Date(2024, 1, 1, 20, 0, 0, 0, time.UTC)
	l := kexi.Lead{ID: 1, Stage: "won", CreatedAt: created, Stages: []kexi.StageEntry{
		{Stage: "new", EnteredAt: created}, {Stage: "won", EnteredAt: created.Add(5 * time.Hour)}}}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no Asia/Shanghai zone on this system:", err)
	}
	for _, c := range []struct {
		loc  *time.Location
		want int
	}{{time.UTC, 1}, {sh, 0}} {
		f := funnel.Build([]kexi.Lead{l}, nil, c.loc)
		if len(f.CloseDays) != 1 || f.CloseDays[0] != c.want {
			t.Errorf("%v: close days %v, want [%d]", c.loc, f.CloseDays, c.want)
		}
	}
}
