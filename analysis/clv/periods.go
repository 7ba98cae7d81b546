package clv

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Period is the length of one purchase opportunity of the BG/BB in calendar months: a donor
// gives once a year or not, a subscriber renews each month or not.
type Period int

// Periods.
const (
	Month   Period = 1
	Quarter Period = 3
	Year    Period = 12
)

// String returns "month", "quarter" or "year".
func (p Period) String() string {
	switch p {
	case Month:
		return "month"
	case Quarter:
		return "quarter"
	}
	return "year"
}

// perZh is the period's Chinese name for a note.
func perZh(p Period) analysis.Arg {
	switch p {
	case Month:
		return analysis.T("per_zh", "month", "月")
	case Quarter:
		return analysis.T("per_zh", "quarter", "季度")
	}
	return analysis.T("per_zh", "year", "年度")
}

// PeriodOptions says how SummarizePeriods cuts time into purchase opportunities.
type PeriodOptions struct {
	Period Period // Year, Quarter or Month; 0 means Year
	// End is the last day of the (calibration) observation, inclusive: the opportunities are
	// the whole periods that end on or before it.
	End int32
	// HoldoutEnd, when after End, makes the whole periods after the calibration up to the last
	// one ending on or before HoldoutEnd a holdout (0: none).
	HoldoutEnd int32
}

// periodOf returns the number of the calendar period (of p months) that day d falls in.
func periodOf(d int32, p Period) int {
	y, m, _ := time.Unix(int64(d)*86400, 0).UTC().Date()
	return (y*12 + int(m) - 1) / int(p)
}

// lastWhole returns the last period (of p months) that ends on or before day d.
func lastWhole(d int32, p Period) int { return periodOf(d+1, p) - 1 }

// SummarizePeriods builds the discrete-time summary the BG/BB reads from a transaction log,
// each calendar period (year, quarter or month) being one purchase opportunity. A customer's
// first purchase opens their first period, which is their start and no opportunity (as in
// Fader, Hardie & Shang's donor cohort); their opportunities are the whole periods after it
// up to the last that ends on or before End: T = n of them, Frequency = x periods with a
// purchase, Recency = t_x the number of the last such opportunity (0 when none). Purchases in
// a period that has not ended by End are not counted (it is no whole opportunity yet), and a
// customer whose first purchase is in such a period is left out. Monetary is the mean value
// of the repeat periods with a positive value, as in Summarize; with a holdout,
// HoldoutFrequency counts the holdout periods with a purchase and HoldoutDuration is the
// number of holdout periods. Customers come out sorted by ID. It returns an EINVALID error for
// a bad period, a HoldoutEnd whose last whole period is not after End's, or a non-finite or
// negative amount.
func SummarizePeriods(p []Purchase, o PeriodOptions) (*Summary, error) {
	if o.Period == 0 {
		o.Period = Year
	}
	if o.Period != Year && o.Period != Quarter && o.Period != Month {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: period must be a year, quarter or month (12, 3 or 1 months), not %d", o.Period)
	}
	end := lastWhole(o.End, o.Period)
	last := end
	s := &Summary{End: o.End}
	if o.HoldoutEnd != 0 {
		last = lastWhole(o.HoldoutEnd, o.Period)
		if last <= end {
			return nil, kexi.Errorf(kexi.EINVALID, "clv: the holdout %s–%s holds no whole %s",
				dayString(o.End+1), dayString(o.HoldoutEnd), o.Period)
		}
		s.HoldoutEnd = o.HoldoutEnd
		s.HoldoutDuration = float64(last - end)
	}
	p = byCustomer(p)
	err := eachCustomer(p, func(run []Purchase) {
		if c, ok := periodsOne(run, o.Period, end, last); ok {
			s.Customers = append(s.Customers, c)
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// periodsOne summarises one customer's purchases (sorted by day) in periods.
func periodsOne(p []Purchase, per Period, end, last int) (Customer, bool) {
	first := periodOf(p[0].Day, per)
	c := Customer{ID: p[0].Customer}
	if first > end {
		return c, false
	}
	c.T = float64(end - first)
	var sum, holdSum float64
	var paid, holdPaid int
	k := 0
	for k < len(p) {
		q := periodOf(p[k].Day, per)
		v := 0.0
		for k < len(p) && periodOf(p[k].Day, per) == q {
			v += p[k].Amount
			k++
		}
		switch {
		case q == first:
		case q <= end:
			c.Frequency++
			c.Recency = float64(q - first)
			if v > 0 {
				sum += v
				paid++
			}
		case q <= last:
			c.HoldoutFrequency++
			if v > 0 {
				holdSum += v
				holdPaid++
			}
		}
	}
	if paid > 0 {
		c.Monetary, c.Paid = sum/float64(paid), float64(paid)
	}
	if holdPaid > 0 {
		c.HoldoutMonetary = holdSum / float64(holdPaid)
	}
	return c, true
}

// Discrete returns the BG/BB as a Model over a summary from SummarizePeriods (time in
// opportunities), so that Predict and Holdout work with it. ExpectedIfAlive(t, x, n) counts
// the whole opportunities in t: (α+x)/(α+β+n) · Σ_{j=1..⌊t⌋} B(γ, δ+n+j)/B(γ, δ+n), which times
// PAlive is Fader, Hardie & Shang's E[X(n, n+m) | x, t_x, n].
func (m *BGBB) Discrete() Model { return discreteBGBB{m} }

type discreteBGBB struct{ m *BGBB }

func (d discreteBGBB) Summary() Fit { return d.m.Fit }

func (d discreteBGBB) PAlive(x, tx, n float64) float64 { return d.m.PAlive(0, x, tx, n) }

func (d discreteBGBB) ExpectedIfAlive(t, x, n float64) float64 {
	m := d.m
	steps := int(math.Floor(t + 1e-9))
	if steps <= 0 {
		return 0
	}
	lg := func(v float64) float64 { l, _ := math.Lgamma(v); return l }
	// B(γ, δ+n+j)/B(γ, δ+n) = Γ(δ+n+j) Γ(γ+δ+n) / (Γ(δ+n) Γ(γ+δ+n+j)).
	base := lg(m.Gamma+m.Delta+n) - lg(m.Delta+n)
	var alive float64
	for j := 1; j <= steps; j++ {
		fj := float64(j)
		alive += math.Exp(base + lg(m.Delta+n+fj) - lg(m.Gamma+m.Delta+n+fj))
	}
	return (m.Alpha + x) / (m.Alpha + m.Beta + n) * alive
}

// runBGBB is Run with model=bgbb: the purchases summarised per calendar period, the BG/BB
// fitted (with Gamma-Gamma on the repeat periods' spend) and the predictions made over the
// whole periods in the horizon.
func runBGBB(in analysis.Input, ps []Purchase, periodName string, so SummaryOptions, months int, discount, penalty float64) (*analysis.Result, error) {
	per := map[string]Period{"year": Year, "quarter": Quarter, "month": Month}[periodName]
	if months < int(per) {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{
			Column: "horizon", Value: fmt.Sprint(months), Reason: fmt.Sprintf("expected at least one whole %s (%d months) with model=bgbb", per, per)}}}
	}
	s, err := SummarizePeriods(ps, PeriodOptions{Period: per, End: so.End, HoldoutEnd: so.HoldoutEnd})
	if err != nil {
		return nil, err
	}
	if len(s.Customers) < 10 {
		return nil, analysis.Refuse(analysis.NewNote("clv_too_few_periods",
			"clv: {n} customers with a first purchase in a {per} that ended by {end}; the models need at least 10",
			"首次购买所在{per_zh}在 {end} 前结束的客户只有 {n} 位；模型至少需要 10 位",
			analysis.V("n", strconv.Itoa(len(s.Customers))), analysis.V("per", per.String()), perZh(per), analysis.V("end", dayString(so.End))))
	}
	fo := FitOptions{Penalty: penalty}
	var bb *BGBB
	gg, ggErr := FitSpendWhile(s.Customers, fo, func() { bb, err = FitBGBB(s.Customers, fo) })
	if err != nil {
		return nil, err
	}
	notes := []analysis.Note{analysis.NewNote("bgbb_periods",
		"BG/BB: one chance to buy per {per}; frequency, recency and age (T) count whole {per}s after the first purchase's, up to the last that ended by {end}",
		"BG/BB 模型：每{per_zh}一次购买机会；购买频次、最近购买和客户年龄 (T) 以{per_zh}为单位，从首次购买所在{per_zh}的下一{per_zh}算起，只计完整的{per_zh}，截至 {end} 前已结束的最后一个{per_zh}",
		analysis.V("per", per.String()), perZh(per), analysis.V("end", dayString(so.End)))}
	gg, notes = usableSpend(gg, ggErr, notes)
	m := bb.Discrete()
	preds, err := Predict(m, gg, s.Customers, PredictOptions{Months: months, Discount: discount, PerMonth: 1 / float64(per)})
	if err != nil {
		return nil, err
	}
	return buildResult(in, s, m, gg, preds, notes, view{unit: per.String() + "s", months: months, discount: discount}), nil
}
