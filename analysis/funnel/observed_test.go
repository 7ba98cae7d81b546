package funnel_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/funnel"
)

// TestUnrecordedStage: in tiny() without lead 1's quote entry no lead names quote. Quote is
// left out, and the bottleneck is found among the stages recorded: new 5 → consultation 4
// (0.8) → follow_up 3 (0.75) → won 2 (2/3) → won. Counting quote as reached by the two won
// leads made it the bottleneck (2/3, then 2/2 into won), a stage no lead was seen in.
func TestUnrecordedStage(t *testing.T) {
	leads := tiny()
	l := &leads[0]
	l.Stages = slices.DeleteFunc(l.Stages, func(e kexi.StageEntry) bool { return e.Stage == kexi.StageQuote })
	if got := funnel.Observed(leads); !slices.Equal(got, []int{0, 1, 2, 4}) {
		t.Fatalf("observed %v, want [0 1 2 4]", got)
	}
	res, err := funnel.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{Leads: leads}, AsOf: day("2024-02-01")})
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	var steps []float64
	for _, r := range res.Table("stages").Rows {
		stages = append(stages, r[0].(string))
		steps = append(steps, r[2].(float64))
	}
	if !slices.Equal(stages, []string{"new", "consultation", "follow_up", "won"}) {
		t.Errorf("stages %v, want new, consultation, follow_up, won", stages)
	}
	for i, want := range []float64{math.NaN(), 0.8, 0.75, 2.0 / 3} {
		if !near(steps[i], want) {
			t.Errorf("step into %s = %v, want %v", stages[i], steps[i], want)
		}
	}
	if b, _ := res.Figure("bottleneck"); b.Text != kexi.StageWon {
		t.Errorf("bottleneck %q, want won", b.Text)
	}
	if b, _ := res.Figure("bottleneck_rate"); !near(b.Value, 2.0/3) {
		t.Errorf("bottleneck rate %v, want 2/3", b.Value)
	}
	if x := res.Series[0].X; !slices.Equal(x, stages) {
		t.Errorf("funnel chart stages %v", x)
	}
	for _, c := range res.Table("groups").Columns {
		if c.Key == kexi.StageQuote {
			t.Error("the groups table has a quote column")
		}
	}
	if n := strings.Join(analysis.NoteTexts(res.Notes, "en", nil), "\n"); !strings.Contains(n, "quote") {
		t.Errorf("notes do not name the stage left out: %q", n)
	}
}

// TestOlistStages: the Olist leads record first contact and won only. The funnel shows those
// two stages (8,000 → 842, 10.52 %), not consultation, follow-up and quote filled in with 842
// each, and names no bottleneck ("consultation" was named).
func TestOlistStages(t *testing.T) {
	d := &kexi.Dataset{Leads: olist(t)}
	d.Normalize()
	res, err := funnel.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2018-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	rows := res.Table("stages").Rows
	if len(rows) != 2 || rows[0][0] != "new" || rows[1][0] != "won" || rows[0][1] != 8000 || rows[1][1] != 842 ||
		math.Abs(rows[1][2].(float64)-0.1052) > 0.00005 {
		t.Errorf("stages %v, want new 8000 and won 842 (10.52 %%)", rows)
	}
	if b, ok := res.Figure("bottleneck"); ok {
		t.Errorf("bottleneck %q named with one step", b.Text)
	}
	for _, r := range res.Table("groups").Rows {
		if b := r[len(r)-1]; b != "" {
			t.Errorf("group %v: bottleneck %q", r[0], b)
		}
	}
	if n := strings.Join(analysis.NoteTexts(res.Notes, "en", nil), "\n"); !strings.Contains(n, "consultation, follow_up, quote") || !strings.Contains(n, "no bottleneck") {
		t.Errorf("notes %q", n)
	}
}
