// Package funnel is analysis A14, the lead funnel (销售漏斗): how many leads reach each stage of
// new → consultation → follow_up → quote → won, the conversion from each stage to the next, the
// time leads spend in each stage and to close, the bottleneck stage, the same by source, owner
// or campaign, and this period against the previous one.
//
// A lead counts as having reached every stage up to the furthest one its history (or current
// stage) shows: a lead whose history skips from new to won has passed consultation, follow_up
// and quote too. Lost is an exit, not a stage: a lead lost after reaching quote counts as
// reaching quote. Stage names other than the five ordered stages and lost are ignored.
//
// The funnel shows only the stages the data records (see Observed): when no lead names
// consultation, follow_up or quote — the Olist leads know only first contact and won — those
// stages are left out rather than filled in with the counts of the stages after them, and the
// bottleneck is named among the stages shown, and only when there are at least two steps.
package funnel

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Stages are the ordered funnel stages.
var Stages = []string{kexi.StageNew, kexi.StageConsultation, kexi.StageFollowUp, kexi.StageQuote, kexi.StageWon}

// won is the index of the won stage in Stages.
const won = 4

// Path is one lead's way through the funnel.
type Path struct {
	// Reached is the index in Stages of the furthest stage reached (0 = new).
	Reached int
	// At holds when the lead entered each stage; zero when the history does not say (a
	// skipped stage). At[0] is the creation time when the history has no "new" entry.
	At   [5]time.Time
	Lost bool
}

// StageIndex returns the index of a stage name in Stages, or -1.
func StageIndex(stage string) int {
	return slices.Index(Stages, stage)
}

// Trace returns the lead's path through the funnel.
func Trace(l *kexi.Lead) Path {
	var p Path
	note := func(stage string, at time.Time) {
		if stage == kexi.StageLost {
			p.Lost = true
			return
		}
		k := StageIndex(stage)
		if k < 0 {
			return
		}
		if k > p.Reached {
			p.Reached = k
		}
		if !at.IsZero() && (p.At[k].IsZero() || at.Before(p.At[k])) {
			p.At[k] = at
		}
	}
	for _, e := range l.Stages {
		note(e.Stage, e.EnteredAt)
	}
	note(l.Stage, time.Time{})
	if !l.CreatedAt.IsZero() && (p.At[0].IsZero() || l.CreatedAt.Before(p.At[0])) {
		p.At[0] = l.CreatedAt
	}
	return p
}

// Days returns the whole calendar days from a's date to b's date (each in its own location),
// so 2018-02-01 00:00 → 2018-02-15 19:58 is 14 days.
func Days(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(math.Round(db.Sub(da).Hours() / 24))
}

// Funnel is the funnel of a group of leads.
type Funnel struct {
	Leads int
	// Reached counts the leads that reached each stage; Lost those lost with that stage as
	// their furthest; Open those still at it (neither won nor lost).
	Reached, Lost, Open [5]int
	// StageDays holds, per stage, the whole days leads spent in it before entering the next
	// stage they have a recorded time for; CloseDays the days from creation to won. Negative
	// spans (a stage entered before the one before it, a data error) count as 0 days.
	StageDays [5][]int
	CloseDays []int
	// Negative counts the spans that were negative and clamped to 0.
	Negative int
}

// Add adds one lead's path to the funnel.
func (f *Funnel) Add(p Path) {
	f.Leads++
	for k := 0; k <= p.Reached; k++ {
		f.Reached[k]++
	}
	switch {
	case p.Reached == won:
	case p.Lost:
		f.Lost[p.Reached]++
	default:
		f.Open[p.Reached]++
	}
	for k := 0; k < won; k++ {
		if p.At[k].IsZero() {
			continue
		}
		for n := k + 1; n <= won; n++ {
			if !p.At[n].IsZero() {
				f.StageDays[k] = append(f.StageDays[k], f.clamp(Days(p.At[k], p.At[n])))
				break
			}
		}
	}
	if p.Reached == won && !p.At[0].IsZero() && !p.At[won].IsZero() {
		f.CloseDays = append(f.CloseDays, f.clamp(Days(p.At[0], p.At[won])))
	}
}

func (f *Funnel) clamp(d int) int {
	if d < 0 {
		f.Negative++
		return 0
	}
	return d
}

// Step returns the conversion from stage k-1 to stage k (k ≥ 1), NaN when no lead reached k-1.
func (f *Funnel) Step(k int) float64 {
	if f.Reached[k-1] == 0 {
		return math.NaN()
	}
	return float64(f.Reached[k]) / float64(f.Reached[k-1])
}

// Conversion returns won leads / leads, NaN with no leads.
func (f *Funnel) Conversion() float64 {
	if f.Leads == 0 {
		return math.NaN()
	}
	return float64(f.Reached[won]) / float64(f.Leads)
}

// StepFrom returns the conversion from stage j to a later stage k, NaN when no lead reached j.
func (f *Funnel) StepFrom(j, k int) float64 {
	if f.Reached[j] == 0 {
		return math.NaN()
	}
	return float64(f.Reached[k]) / float64(f.Reached[j])
}

// Bottleneck returns the stage index k ≥ 1 with the lowest step conversion into it (the
// earliest on ties), or -1 when no step has leads. It takes every stage as observed; see
// BottleneckOf.
func (f *Funnel) Bottleneck() int { return f.BottleneckOf(allStages) }

// BottleneckOf returns the bottleneck among the given stages (indexes into Stages, in order,
// the first being new): the stage k after the first with the lowest conversion from the
// stage before it in the list (the earliest on ties). It returns -1 when the list has fewer
// than two steps, since one step is simply the overall conversion, or when no step has leads.
func (f *Funnel) BottleneckOf(stages []int) int {
	if len(stages) < 3 {
		return -1
	}
	best, bk := math.Inf(1), -1
	for i := 1; i < len(stages); i++ {
		if s := f.StepFrom(stages[i-1], stages[i]); !math.IsNaN(s) && s < best {
			best, bk = s, stages[i]
		}
	}
	return bk
}

var allStages = []int{0, 1, 2, 3, 4}

// Observed returns the indexes (into Stages) of the stages the leads' data records: new,
// and every stage some lead's history or current stage names. A stage no lead names would
// only be filled in from the stages after it, so the funnel leaves it out.
func Observed(leads []kexi.Lead) []int {
	var seen [5]bool
	seen[0] = true
	for i := range leads {
		if k := StageIndex(leads[i].Stage); k >= 0 {
			seen[k] = true
		}
		for _, e := range leads[i].Stages {
			if k := StageIndex(e.Stage); k >= 0 {
				seen[k] = true
			}
		}
	}
	var out []int
	for k, ok := range seen {
		if ok {
			out = append(out, k)
		}
	}
	return out
}

// Median returns the median of whole-day values (the mean of the two middle values for an
// even count), NaN when empty.
func Median(v []int) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// In returns the path with its times in loc, so that Days counts that zone's calendar days
// (nil leaves them as they are).
func (p Path) In(loc *time.Location) Path {
	if loc == nil {
		return p
	}
	for k, at := range p.At {
		if !at.IsZero() {
			p.At[k] = at.In(loc)
		}
	}
	return p
}

// Build returns the funnel of the leads for which keep returns true (nil keeps all), with
// days counted in loc (nil: in each time's own location).
func Build(leads []kexi.Lead, keep func(*kexi.Lead) bool, loc *time.Location) *Funnel {
	f := &Funnel{}
	for i := range leads {
		if keep == nil || keep(&leads[i]) {
			f.Add(Trace(&leads[i]).In(loc))
		}
	}
	return f
}

// Group is one group's funnel.
type Group struct {
	Key    string
	Funnel *Funnel
}

// ByGroup returns the funnels of the kept leads grouped by key (sorted by key; "" for leads
// without one), with days counted in loc as Build does.
func ByGroup(leads []kexi.Lead, keep func(*kexi.Lead) bool, key func(*kexi.Lead) string, loc *time.Location) []Group {
	m := map[string]*Funnel{}
	for i := range leads {
		l := &leads[i]
		if keep != nil && !keep(l) {
			continue
		}
		k := key(l)
		if m[k] == nil {
			m[k] = &Funnel{}
		}
		m[k].Add(Trace(l).In(loc))
	}
	out := make([]Group, 0, len(m))
	for k, f := range m {
		out = append(out, Group{k, f})
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// funnelAnalysis is A14 for the registry.
type funnelAnalysis struct{}

// New returns the lead funnel analysis.
func New() analysis.Analysis { return funnelAnalysis{} }

// Info describes the analysis.
func (funnelAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "funnel",
		Code:    "A14",
		Title:   analysis.Text{En: "Lead funnel", Zh: "销售漏斗"},
		Summary: analysis.Text{En: "Where do leads get stuck on the way from first contact to a won deal?", Zh: "线索在从首次接触到成交的哪个阶段流失最多？"},
		Options: []analysis.Option{
			{Key: "group_by", Default: "source", Type: "choice", Choices: []string{"source", "owner", "campaign"},
				Help: analysis.Text{En: "Compare funnels by lead source, owner or campaign", Zh: "按线索来源、负责人或活动比较漏斗"}},
		},
		Labels: map[string]analysis.Text{
			kexi.StageNew:          {En: "New", Zh: "新建"},
			kexi.StageConsultation: {En: "Consultation", Zh: "咨询"},
			kexi.StageFollowUp:     {En: "Follow-up", Zh: "跟进"},
			kexi.StageQuote:        {En: "Quote", Zh: "报价"},
			kexi.StageWon:          {En: "Won", Zh: "成交"},
			"leads":                {En: "Leads", Zh: "线索数"},
			"won_leads":            {En: "Won", Zh: "成交数"},
			"conversion":           {En: "Overall conversion", Zh: "总转化率"},
			"median_days_to_close": {En: "Median days to close", Zh: "成交天数中位数"},
			"bottleneck":           {En: "Bottleneck stage", Zh: "瓶颈阶段"},
			"bottleneck_rate":      {En: "Bottleneck conversion", Zh: "瓶颈阶段转化率"},
			"previous_leads":       {En: "Leads, previous period", Zh: "上期线索数"},
			"previous_conversion":  {En: "Conversion, previous period", Zh: "上期转化率"},
			"conversion_change":    {En: "Conversion change", Zh: "转化率变化"},
			"stages":               {En: "Funnel stages", Zh: "漏斗阶段"},
			"groups":               {En: "Funnel by group", Zh: "分组漏斗"},
			"stage":                {En: "Stage", Zh: "阶段"},
			"reached":              {En: "Reached", Zh: "到达数"},
			"step_conversion":      {En: "Conversion from previous stage", Zh: "阶段转化率"},
			"cumulative":           {En: "Share of all leads", Zh: "占全部线索"},
			"lost":                 {En: "Lost here", Zh: "在此流失"},
			"open":                 {En: "Still here", Zh: "停留中"},
			"median_days":          {En: "Median days in stage", Zh: "阶段停留天数中位数"},
			"previous_reached":     {En: "Reached, previous period", Zh: "上期到达数"},
			"previous_step":        {En: "Conversion, previous period", Zh: "上期阶段转化率"},
			"group":                {En: "Group", Zh: "分组"},
			"funnel":               {En: "Funnel", Zh: "漏斗"},
			"previous":             {En: "Previous period", Zh: "上期"},
			"conversion_by_group":  {En: "Conversion by group", Zh: "分组转化率"},
		},
		Needs: []string{"leads"},
		Reads: []string{"leads"},
	}
}

// Run computes the funnel of leads created in the period, compared with the leads created in
// the previous period of the same length (when the period has a start, and an end or an as-of
// date after it).
func (a funnelAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	o := analysis.NewOpts(info, in.Options)
	groupBy := o.String("group_by")
	if err := o.Err(); err != nil {
		return nil, err
	}
	leads := in.Data.Leads
	cur := func(l *kexi.Lead) bool { return in.InPeriod(l.CreatedAt) }
	loc := in.Location()
	f := Build(leads, cur, loc)
	prev := previous(leads, in, loc)
	shown := Observed(leads)
	// before[k] is the shown stage before shown stage k: step conversions are from it.
	var before [5]int
	for i := 1; i < len(shown); i++ {
		before[shown[i]] = shown[i-1]
	}
	res := &analysis.Result{Name: info.Name, AsOf: in.AsOf, Summary: figures(f, prev, shown, before)}
	st, fun := stageTable(f, prev, shown, before)
	key := map[string]func(*kexi.Lead) string{
		"source":   func(l *kexi.Lead) string { return l.Source },
		"owner":    func(l *kexi.Lead) string { return l.Owner },
		"campaign": func(l *kexi.Lead) string { return l.Campaign },
	}[groupBy]
	gt, bar := groupTable(ByGroup(leads, cur, key, loc), shown)
	res.Tables = []analysis.Table{st, gt}
	res.Series = []analysis.Series{fun, bar}
	res.Notes = notes(f, shown)
	return res, ctx.Err()
}

// previous returns the funnel of the leads created in the period before the input's, of the
// same length; nil when the period has no start, or no end (nor as-of date) after it.
func previous(leads []kexi.Lead, in analysis.Input, loc *time.Location) *Funnel {
	to := in.To
	if to.IsZero() {
		to = in.AsOf
	}
	if in.From.IsZero() || to.IsZero() || to.Before(in.From) {
		return nil
	}
	pin := analysis.Input{To: in.From.Add(-time.Nanosecond)}
	span := to.Sub(in.From)
	if to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 && to.Nanosecond() == 0 && !in.To.IsZero() {
		span += 24 * time.Hour // To covers its whole day
	}
	pin.From = in.From.Add(-span)
	return Build(leads, func(l *kexi.Lead) bool { return pin.InPeriod(l.CreatedAt) }, loc)
}

// figures returns the summary: the bottleneck among the shown stages, and the previous
// period's funnel when there is one.
func figures(f, prev *Funnel, shown []int, before [5]int) []analysis.Figure {
	out := []analysis.Figure{
		{Key: "leads", Value: float64(f.Leads)},
		{Key: "won_leads", Value: float64(f.Reached[won])},
		{Key: "conversion", Value: f.Conversion(), Unit: "%"},
		{Key: "median_days_to_close", Value: Median(f.CloseDays), Unit: "days"}}
	if b := f.BottleneckOf(shown); b >= 0 {
		out = append(out, analysis.Figure{Key: "bottleneck", Text: Stages[b]},
			analysis.Figure{Key: "bottleneck_rate", Value: f.StepFrom(before[b], b), Unit: "%"})
	}
	if prev != nil {
		out = append(out,
			analysis.Figure{Key: "previous_leads", Value: float64(prev.Leads)},
			analysis.Figure{Key: "previous_conversion", Value: prev.Conversion(), Unit: "%"},
			analysis.Figure{Key: "conversion_change", Value: f.Conversion() - prev.Conversion(), Unit: "%"})
	}
	return out
}

// stageTable is the shown stages of the funnel, with the previous period's beside them.
func stageTable(f, prev *Funnel, shown []int, before [5]int) (analysis.Table, analysis.Series) {
	st := analysis.Table{Key: "stages", Columns: []analysis.Column{{Key: "stage", Type: "label"},
		{Key: "reached", Type: "int"}, {Key: "step_conversion", Type: "percent"}, {Key: "cumulative", Type: "percent"},
		{Key: "lost", Type: "int"}, {Key: "open", Type: "int"}, {Key: "median_days", Type: "float"}}}
	if prev != nil {
		st.Columns = append(st.Columns, analysis.Column{Key: "previous_reached", Type: "int"},
			analysis.Column{Key: "previous_step", Type: "percent"})
	}
	fun := analysis.Series{Key: "funnel", Kind: "funnel"}
	cur5 := make([]float64, len(shown))
	prev5 := make([]float64, len(shown))
	for i, k := range shown {
		s := Stages[k]
		fun.X = append(fun.X, s)
		step := math.NaN()
		if k > 0 {
			step = f.StepFrom(before[k], k)
		}
		cum := math.NaN()
		if f.Leads > 0 {
			cum = float64(f.Reached[k]) / float64(f.Leads)
		}
		md := math.NaN()
		if k < won {
			md = Median(f.StageDays[k])
		}
		row := []any{s, f.Reached[k], step, cum, f.Lost[k], f.Open[k], md}
		if prev != nil {
			ps := math.NaN()
			if k > 0 {
				ps = prev.StepFrom(before[k], k)
			}
			row = append(row, prev.Reached[k], ps)
			prev5[i] = float64(prev.Reached[k])
		}
		st.Rows = append(st.Rows, row)
		cur5[i] = float64(f.Reached[k])
	}
	fun.Y = []analysis.Values{{Key: "reached", Data: cur5}}
	if prev != nil {
		fun.Y = append(fun.Y, analysis.Values{Key: "previous", Data: prev5})
	}
	return st, fun
}

// groupTable is the funnel of each group over the shown stages.
func groupTable(groups []Group, shown []int) (analysis.Table, analysis.Series) {
	gt := analysis.Table{Key: "groups", Columns: []analysis.Column{{Key: "group", Type: "string"},
		{Key: "leads", Type: "int"}}}
	for _, k := range shown[1:] {
		gt.Columns = append(gt.Columns, analysis.Column{Key: Stages[k], Type: "int"})
	}
	gt.Columns = append(gt.Columns, analysis.Column{Key: "conversion", Type: "percent"},
		analysis.Column{Key: "median_days_to_close", Type: "float"}, analysis.Column{Key: "bottleneck", Type: "label"})
	bar := analysis.Series{Key: "conversion_by_group", Kind: "bar"}
	var conv []float64
	for _, g := range groups {
		name := g.Key
		if name == "" {
			name = "(none)"
		}
		row := []any{name, g.Funnel.Leads}
		for _, k := range shown[1:] {
			row = append(row, g.Funnel.Reached[k])
		}
		b := ""
		if k := g.Funnel.BottleneckOf(shown); k >= 0 {
			b = Stages[k]
		}
		row = append(row, g.Funnel.Conversion(), Median(g.Funnel.CloseDays), b)
		gt.Rows = append(gt.Rows, row)
		bar.X = append(bar.X, name)
		conv = append(conv, g.Funnel.Conversion())
	}
	bar.Y = []analysis.Values{{Key: "conversion", Data: conv}}
	return gt, bar
}

// notes explains stages no lead's history names and stage dates that run backwards.
func notes(f *Funnel, shown []int) []analysis.Note {
	var out []analysis.Note
	if len(shown) < len(Stages) {
		var left, have []string
		for k, name := range Stages {
			if slices.Contains(shown, k) {
				have = append(have, name)
			} else {
				left = append(left, name)
			}
		}
		if len(shown) < 3 {
			out = append(out, analysis.NewNote("stages_missing",
				"no lead's history names the stages {left}: they are left out rather than filled in from the stages after them; with only {have} recorded the funnel has one step, so there is no bottleneck stage to name",
				"没有任何线索的记录经过{left}阶段：这些阶段不显示，也不用后面阶段的数据补齐；只记录了{have}，漏斗只有一步，因此指不出瓶颈阶段",
				analysis.Keys("left", left...), analysis.Arg{Name: "have", Keys: have, And: true}))
		} else {
			out = append(out, analysis.NewNote("stages_missing",
				"no lead's history names the stages {left}: they are left out rather than filled in from the stages after them",
				"没有任何线索的记录经过{left}阶段：这些阶段不显示，也不用后面阶段的数据补齐",
				analysis.Keys("left", left...)))
		}
	}
	if f.Negative > 0 {
		out = append(out, analysis.NewNote("stage_dates_backwards",
			"some stage dates run backwards (a stage entered before the one before it); those spans count as 0 days",
			"部分阶段的日期先后颠倒（进入某阶段早于进入上一阶段）：这些间隔按 0 天计算"))
	}
	return out
}
