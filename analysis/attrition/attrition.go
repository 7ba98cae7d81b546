// Package attrition is analysis A10, churn analysis 流失分析: how many customers are active,
// at risk and churned as of a date; where the churned ones left (the lifecycle stage they were
// in at their last purchase, their pyramid tier) and where lost leads dropped out of the
// funnel; why (lost reasons, customers' own churn reasons, complaints in the days before they
// left, their satisfaction against the customers who stayed); how many churned customers came
// back; a month-by-month count of churns and reactivations; and a ranked win-back list.
//
// States, as of the as-of date T (see Members): churned and at risk come from the lifecycle
// analysis A4 (lifecycle.Stages with lifecycle.DefaultThresholds, so both analyses agree on
// who is churned), plus customers with the explicit churn flag (Customer.Churned, ChurnedAt
// unset or at or before T) even when they have no purchase. Active is everyone else who has
// bought. In a customer table without orders (subscription data) every record counts: flagged
// ones as churned, the rest as active. Inactive = at risk + churned; churn rate = churned ÷
// customers.
//
// Reactivation: a customer is reactivated when they came back at least once after churning
// (a purchase after a gap of more than churn_days, or after a dated churn flag); ever churned
// = reactivated or churned now; reactivation rate = reactivated ÷ ever churned.
//
// Where and why, over the customers churned at T, compared with the retained (active and at
// risk) customers:
//
//	stage before churn  lifecycle stage at the last purchase (new, active, loyal, reactivated),
//	                    or no_purchase for a flagged customer who never bought
//	tier                the pyramid tier (A2's ranking) by spend up to T; a churned customer's
//	                    spend stopped when they left, so it is the tier they reached while active
//	revenue lost        each churned customer's purchases in the 12 months up to their last one
//	complaints          complaints in the complaint_days before the churn date (before T for
//	                    the retained, and for churned customers whose only sign is an undated
//	                    flag); complaint rate = share of the group with at least one
//	satisfaction        each customer's latest valid NPS and CSAT answer at or before the same
//	                    date; means of those answers, NPS (% promoters − % detractors) and CSAT
//	                    (share of 4–5) as package satisfaction defines them
//	churn reasons       a customer field (reason_field, default custom.churn_reason) of the
//	                    churned customers
//	lost leads          leads whose stage at T is lost, with the loss dated in the period: by
//	                    the furthest funnel stage they reached (funnel.Trace) and LostReason
//
// The period bounds only the events: churns and reactivations in the period (figures and the
// monthly table) and lost leads. With no period start the monthly table shows the `months`
// months up to T.
//
// Win-back list: the churned customers by priority, highest first (ties: lifetime spend, then
// id), the first `top` of them. Priority = the spend in the 12 months before they left ×
// ½^(days since their last purchase ÷ churn_days): the yearly revenue at stake, halved for
// every churn_days the customer has been gone (see Priority).
//
// Undefined means (no answers in a group) are left out of the summary and are empty cells in
// tables, so results never hold NaN; rates with nothing to count are 0.
package attrition

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/funnel"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/analysis/satisfaction"
	"github.com/kexi/kexi/stats"
)

// Label keys for values that are not lifecycle stages or pyramid tiers.
const (
	Retained   = "retained"    // active or at risk: the comparison group for the churned
	NoPurchase = "no_purchase" // a customer without purchases (no stage, no tier)
	NoReason   = "(none)"      // a lost lead or churned customer without a reason
)

// maxSubjects caps the complaint subjects listed.
const maxSubjects = 20

// headline lists the figures a page shows first (4–8 of them); the rest are details.
var headline = map[string]bool{"customers": true, "active": true, "at_risk": true, "churned": true,
	"churn_rate": true, "reactivation_rate": true, "revenue_lost": true, "lost_leads": true}

// attritionAnalysis is A10 for the registry.
type attritionAnalysis struct{}

// New returns the churn analysis.
func New() analysis.Analysis { return attritionAnalysis{} }

// Info describes the analysis.
func (attritionAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "attrition",
		Code:    "A10",
		Title:   analysis.Text{En: "Churn analysis", Zh: "流失分析"},
		Summary: analysis.Text{En: "Who left, from where and why, who came back, and whom to win back first.", Zh: "哪些客户流失了、从哪里流失、为什么流失、谁回来了,以及先挽回谁。"},
		Options: []analysis.Option{
			{Key: "churn_days", Default: "0", Type: "int",
				Help: analysis.Text{En: "Days without a purchase before a customer counts as churned (0 = from the data, as the lifecycle analysis: 90th percentile gap)", Zh: "多少天未购买视为流失(0 = 按数据,与生命周期分析相同:订单间隔 90 分位)"}},
			{Key: "at_risk_days", Default: "0", Type: "int",
				Help: analysis.Text{En: "Days without a purchase before at risk (0 = from the data: 75th percentile gap, at most churn_days)", Zh: "多少天未购买视为有风险(0 = 按数据:订单间隔 75 分位,不超过流失天数)"}},
			{Key: "complaint_days", Default: "90", Type: "int",
				Help: analysis.Text{En: "Complaints in this many days before churning count as complaints before churn", Zh: "流失前多少天内的投诉计为流失前投诉"}},
			{Key: "top", Default: "100", Type: "int",
				Help: analysis.Text{En: "Customers in the win-back list (0 = all churned customers)", Zh: "挽回名单的客户数(0 = 全部流失客户)"}},
			{Key: "months", Default: "12", Type: "int",
				Help: analysis.Text{En: "Months in the monthly table when the period has no start (1–120)", Zh: "未设起始日期时按月表显示的月数(1–120)"}},
			{Key: "reason_field", Default: "custom.churn_reason", Type: "string",
				Help: analysis.Text{En: "Customer field holding why a customer left: custom.NAME, or a custom field's name", Zh: "记录客户流失原因的字段:custom.字段名,或自定义字段名"}},
		},
		Labels: labels(),
		Needs:  []string{"orders", "customers", "interactions", "surveys", "leads"},
		Reads:  []string{"orders", "customers", "interactions", "surveys", "leads"},
	}
}

// options are the parsed options.
type options struct {
	churnDays, atRiskDays      int // 0: from the data
	complaintDays, top, months int
	reasonField                string
	th                         lifecycle.Thresholds // the thresholds used, set by thresholds
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	op := options{
		churnDays: o.Int("churn_days"), atRiskDays: o.Int("at_risk_days"),
		complaintDays: o.Int("complaint_days"), top: o.Int("top"), months: o.Int("months"),
		reasonField: strings.TrimSpace(o.String("reason_field")),
	}
	if err := o.Err(); err != nil {
		return op, err
	}
	var probs []kexi.FieldProblem
	bad := func(key string, v int, reason string) {
		probs = append(probs, kexi.FieldProblem{Column: key, Value: fmt.Sprint(v), Reason: reason})
	}
	if op.churnDays < 0 {
		bad("churn_days", op.churnDays, "expected 0 (from the data) or more")
	}
	if op.atRiskDays < 0 {
		bad("at_risk_days", op.atRiskDays, "expected 0 (from the data) or more")
	}
	if op.churnDays > 0 && op.atRiskDays > op.churnDays {
		bad("at_risk_days", op.atRiskDays, fmt.Sprintf("expected at most churn_days (%d)", op.churnDays))
	}
	if op.complaintDays < 1 {
		bad("complaint_days", op.complaintDays, "expected 1 or more")
	}
	if op.top < 0 {
		bad("top", op.top, "expected 0 (all) or more")
	}
	if op.months < 1 || op.months > 120 {
		bad("months", op.months, "expected 1 to 120")
	}
	if len(probs) > 0 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: probs}
	}
	return op, nil
}

// thresholds returns the lifecycle thresholds with the options' overrides: a churn_days below
// the data's at-risk threshold lowers that to churn_days; an explicit at_risk_days above the
// data's churn threshold is an error.
func (op *options) thresholds(orders *kexi.OrderTable, asOf time.Time) error {
	th := lifecycle.DefaultThresholds(orders, asOf)
	if op.churnDays > 0 {
		th.ChurnDays = op.churnDays
	}
	if op.atRiskDays > 0 {
		th.AtRiskDays = op.atRiskDays
		if th.AtRiskDays > th.ChurnDays {
			return &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "at_risk_days",
				Value: fmt.Sprint(op.atRiskDays), Reason: fmt.Sprintf("expected at most churn_days (%d from the data)", th.ChurnDays)}}}
		}
	}
	th.AtRiskDays = min(th.AtRiskDays, th.ChurnDays)
	op.th = th
	return nil
}

// reason returns a customer's value of the reason field ("" when unknown).
func reason(c *kexi.Customer, field string) string {
	if c == nil || field == "" {
		return ""
	}
	// As c.Field("custom." + name), without building the name for each customer.
	return strings.TrimSpace(c.Custom[strings.TrimPrefix(field, "custom.")])
}

// LostAt returns when a lead was lost, when its stage at asOf is lost: the time of the last
// stage entry at or before asOf when that entry is lost; for a lead whose current stage is
// lost but whose history records no loss, its UpdatedAt (else CreatedAt) when at or before
// asOf.
func LostAt(l *kexi.Lead, asOf time.Time) (time.Time, bool) {
	var at time.Time
	stage, recorded := "", false
	for _, e := range l.Stages {
		if e.Stage == kexi.StageLost {
			recorded = true
		}
		if !e.EnteredAt.After(asOf) {
			stage, at = e.Stage, e.EnteredAt
		}
	}
	if stage == kexi.StageLost {
		return at, true
	}
	if l.Stage == kexi.StageLost && !recorded {
		at = l.UpdatedAt
		if at.IsZero() {
			at = l.CreatedAt
		}
		if !at.IsZero() && !at.After(asOf) {
			return at, true
		}
	}
	return time.Time{}, false
}

// latestDate returns the latest date in the data other than orders, for an input without an
// as-of date (no orders): churn flags, interactions, surveys and leads.
func latestDate(d *kexi.Dataset) time.Time {
	var t time.Time
	later := func(x time.Time) {
		if x.After(t) {
			t = x
		}
	}
	for i := range d.Customers {
		later(d.Customers[i].ChurnedAt)
	}
	if n := len(d.Interactions); n > 0 {
		later(d.Interactions[n-1].At)
	}
	if n := len(d.Surveys); n > 0 {
		later(d.Surveys[n-1].At)
	}
	for i := range d.Leads {
		later(d.Leads[i].CreatedAt)
		for _, e := range d.Leads[i].Stages {
			later(e.EnteredAt)
		}
	}
	return t
}

// group sums one comparison group (churned or retained).
type group struct {
	customers, withComplaint, complaints int
	score                                satisfaction.Score
	npsSum, csatSum                      float64
	npsN, csatN                          int
}

// counter counts string keys.
type counter struct {
	n     map[string]int
	value map[string]float64
	total int
}

func newCounter() *counter { return &counter{n: map[string]int{}, value: map[string]float64{}} }

func (c *counter) add(k string, v float64) {
	if k == "" {
		k = NoReason
	}
	c.n[k]++
	c.value[k] += v
	c.total++
}

// keys returns the keys by count, highest first, ties by key.
func (c *counter) keys() []string {
	ks := slices.Sorted(maps.Keys(c.n))
	slices.SortStableFunc(ks, func(a, b string) int { return cmp.Compare(c.n[b], c.n[a]) })
	return ks
}

// orNil returns v, or nil (an empty cell) when v is NaN.
func orNil(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// Run computes the churn analysis as of in.AsOf.
func (a attritionAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	op, err := parse(info, in)
	if err != nil {
		return nil, err
	}
	asOf := in.AsOf
	if asOf.IsZero() {
		asOf = latestDate(in.Data)
	}
	if err := op.thresholds(&in.Data.Orders, asOf); err != nil {
		return nil, err
	}
	r, err := compute(ctx, in, asOf, op)
	if err != nil {
		return nil, err
	}
	return r.result(info.Name, op), ctx.Err()
}

// stageCount is the churned customers whose stage before churn was one stage.
type stageCount struct {
	n    int
	lost float64
}

// tierCount is one pyramid tier's customers, churned customers and their revenue lost.
type tierCount struct {
	customers, churned int
	lost               float64
}

// leadCount is the lost leads that reached one funnel stage, and their value.
type leadCount struct {
	n     int
	value float64
}

// lost is one churned member: its index, stage before churn and win-back priority.
type lost struct {
	i        int32
	stage    string
	priority float64
}

// months counts events by month: month m0+k in counts[k] (months as year×12 + month−1).
type months struct {
	m0                    int
	churns, reacts, leads []int
	churnEvents           int // churns in the period
	reactEvents           int // reactivations in the period
}

// report is the churn analysis computed: every number the Result shows, by member and in total.
type report struct {
	asOf    time.Time
	th      lifecycle.Thresholds
	noOrder bool // the Dataset has no orders
	members []Member
	// tier holds each member's tier as a position in tierKeys.
	tier                       []uint8
	nState                     [3]int // active, at risk, churned
	reactivated, ever, undated int
	months                     months

	// Each member's complaints before the reference date and latest NPS and CSAT (NaN: none).
	complaints []int32
	nps, csat  []float64
	subjects   *counter // complaint subjects of the churned

	groups      [2]group // churned, retained
	byStage     []stageCount
	byTier      []tierCount
	reasons     *counter
	winback     []lost // the churned by priority, highest first
	revenueLost float64

	lostStage []leadCount // by funnel.Stages
	lostLeads int
	lostValue float64
	lostWhy   *counter
}

// tierKeys are the tiers a member can have: the pyramid's, then no_purchase.
var tierKeys = append(slices.Clone(pyramid.Names), NoPurchase)

// stageKeys are the stages before churn.
var stageKeys = []string{lifecycle.NewCustomer, lifecycle.Active, lifecycle.Loyal, lifecycle.Reactivated, NoPurchase}

// compute runs the analysis on in.Data as of asOf with the thresholds in op.th.
func compute(ctx context.Context, in analysis.Input, asOf time.Time, op options) (*report, error) {
	d := in.Data
	r := &report{asOf: asOf, th: op.th, noOrder: d.Orders.Len() == 0}
	keep := in.Until(asOf)
	cal := stats.NewCalendar(in.Location())
	r.months = newMonths(cal, in, asOf, op.months)
	r.members = Members(d, op.th, asOf, func(e Event) {
		if keep(e.At) {
			r.months.add(cal, e)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.census()
	r.signals(d, op.complaintDays)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.compare(op.reasonField)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.leads(d, keep, cal)
	r.rank(op.top)
	return r, nil
}

// newMonths returns the months of the monthly table: from the period's start (or n months
// back from asOf) to the period's end or asOf; none without dates.
func newMonths(cal *stats.Calendar, in analysis.Input, asOf time.Time, n int) months {
	var m0, m1 int
	if !asOf.IsZero() {
		m1 = cal.Month(asOf)
		if !in.To.IsZero() && in.To.Before(asOf) {
			m1 = cal.Month(in.To)
		}
		m0 = m1 - n + 1
		if !in.From.IsZero() {
			m0 = cal.Month(in.From)
		}
	} else {
		m0 = 1 // no dates at all: no months
	}
	k := max(0, m1-m0+1)
	return months{m0: m0, churns: make([]int, k), reacts: make([]int, k), leads: make([]int, k)}
}

// bucket counts at in counts when its month is in the table.
func (m *months) bucket(cal *stats.Calendar, at time.Time, counts []int) {
	if k := cal.Month(at) - m.m0; k >= 0 && k < len(counts) {
		counts[k]++
	}
}

// add counts a churn or reactivation in the period.
func (m *months) add(cal *stats.Calendar, e Event) {
	if e.Reactivation {
		m.reactEvents++
		m.bucket(cal, e.At, m.reacts)
	} else {
		m.churnEvents++
		m.bucket(cal, e.At, m.churns)
	}
}

// census counts the members' states and reactivations and ranks the spenders into tiers.
func (r *report) census() {
	members := r.members
	spenders := make([]int32, 0, len(members))
	for i := range members {
		m := &members[i]
		switch m.State {
		case Active:
			r.nState[0]++
		case AtRisk:
			r.nState[1]++
		case Churned:
			r.nState[2]++
			if m.ChurnedAt.IsZero() {
				r.undated++
			}
		}
		if m.Reactivated {
			r.reactivated++
		}
		if m.Reactivated || m.State == Churned {
			r.ever++
		}
		if m.Spend > 0 {
			spenders = append(spenders, int32(i))
		}
	}
	// Tiers as positions in tierKeys, one byte per member rather than a string.
	r.tier = make([]uint8, len(members))
	for i := range r.tier {
		r.tier[i] = uint8(len(tierKeys) - 1)
	}
	placed := pyramid.Place(len(spenders), func(k int) (float64, int64) {
		m := &members[spenders[k]]
		return m.Spend, m.CustomerID
	})
	for k, i := range spenders {
		r.tier[i] = uint8(slices.Index(tierKeys, placed[k]))
	}
}

// ref returns member i's reference date: their churn date, or the as-of date.
func (r *report) ref(i int) time.Time {
	if m := &r.members[i]; m.State == Churned && !m.ChurnedAt.IsZero() {
		return m.ChurnedAt
	}
	return r.asOf
}

// signals collects each member's complaints in the complaintDays before their reference date
// (and the churned members' complaint subjects) and their latest valid NPS and CSAT answers
// at or before it.
func (r *report) signals(d *kexi.Dataset, complaintDays int) {
	members := r.members
	ids := make([]int64, len(members))
	for i := range members {
		ids[i] = members[i].CustomerID
	}
	find := analysis.Positions(ids)
	window := time.Duration(complaintDays) * 24 * time.Hour
	r.complaints = make([]int32, len(members))
	r.subjects = newCounter()
	for i := range d.Interactions {
		x := &d.Interactions[i]
		if x.Kind != kexi.Complaint || x.CustomerID == 0 {
			continue
		}
		k := find(x.CustomerID)
		if k < 0 {
			continue
		}
		if ref := r.ref(k); x.At.After(ref) || !x.At.After(ref.Add(-window)) {
			continue
		}
		r.complaints[k]++
		if members[k].State == Churned {
			r.subjects.add(strings.TrimSpace(x.Subject), 0)
		}
	}
	// Surveys are in time order, so the last one kept is the latest.
	r.nps, r.csat = make([]float64, len(members)), make([]float64, len(members))
	for i := range r.nps {
		r.nps[i], r.csat[i] = math.NaN(), math.NaN()
	}
	for i := range d.Surveys {
		s := &d.Surveys[i]
		if s.CustomerID == 0 || (s.Kind != kexi.NPS && s.Kind != kexi.CSAT) || !kexi.ValidScore(s.Kind, s.Score) {
			continue
		}
		k := find(s.CustomerID)
		if k < 0 || s.At.After(r.ref(k)) {
			continue
		}
		if s.Kind == kexi.NPS {
			r.nps[k] = s.Score
		} else {
			r.csat[k] = s.Score
		}
	}
}

// compare sums the churned against the retained, and where the churned left from (stage,
// tier) and why (reasonField).
func (r *report) compare(reasonField string) {
	r.byStage = make([]stageCount, len(stageKeys))
	r.byTier = make([]tierCount, len(tierKeys))
	r.reasons = newCounter()
	r.winback = make([]lost, 0, r.nState[2])
	for i := range r.members {
		m := &r.members[i]
		g := &r.groups[1]
		if m.State == Churned {
			g = &r.groups[0]
		}
		g.customers++
		if r.complaints[i] > 0 {
			g.withComplaint++
			g.complaints += int(r.complaints[i])
		}
		if !math.IsNaN(r.nps[i]) {
			g.score.Add(kexi.NPS, r.nps[i])
			g.npsSum += r.nps[i]
			g.npsN++
		}
		if !math.IsNaN(r.csat[i]) {
			g.score.Add(kexi.CSAT, r.csat[i])
			g.csatSum += r.csat[i]
			g.csatN++
		}
		ti := r.tier[i]
		r.byTier[ti].customers++
		if m.State != Churned {
			continue
		}
		r.byTier[ti].churned++
		r.byTier[ti].lost += m.Annual
		st := m.Before
		r.winback = append(r.winback, lost{int32(i), st, Priority(m.Annual, days(r.asOf.Sub(m.Last)), r.th.ChurnDays)})
		if si := slices.Index(stageKeys, st); si >= 0 {
			r.byStage[si].n++
			r.byStage[si].lost += m.Annual
		}
		r.revenueLost += m.Annual
		r.reasons.add(reason(m.Customer, reasonField), m.Annual)
	}
}

// leads counts the leads lost in the period (keep) by the furthest funnel stage they reached,
// their reasons and months.
func (r *report) leads(d *kexi.Dataset, keep func(time.Time) bool, cal *stats.Calendar) {
	r.lostStage = make([]leadCount, len(funnel.Stages))
	r.lostWhy = newCounter()
	for i := range d.Leads {
		l := &d.Leads[i]
		at, ok := LostAt(l, r.asOf)
		if !ok || !keep(at) {
			continue
		}
		r.lostLeads++
		r.lostValue += l.Value
		p := funnel.Trace(l)
		r.lostStage[p.Reached].n++
		r.lostStage[p.Reached].value += l.Value
		r.lostWhy.add(strings.TrimSpace(l.LostReason), l.Value)
		r.months.bucket(cal, at, r.months.leads)
	}
}

// rank sorts the churned by win-back priority (ties: lifetime spend, then id) and keeps the
// first top (0: all).
func (r *report) rank(top int) {
	members := r.members
	slices.SortFunc(r.winback, func(a, b lost) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		if c := cmp.Compare(members[b.i].Spend, members[a.i].Spend); c != 0 {
			return c
		}
		return cmp.Compare(members[a.i].CustomerID, members[b.i].CustomerID)
	})
	if top > 0 && len(r.winback) > top {
		r.winback = r.winback[:top]
	}
}

// result turns the report into the Result.
func (r *report) result(name string, op options) *analysis.Result {
	res := &analysis.Result{Name: name, AsOf: r.asOf}
	res.Summary = r.figures(op.complaintDays)
	status, pie := r.status()
	stT, stS := r.stages()
	tiT, tiS := r.tiers()
	llT, llS := r.lostFunnel()
	lrT := countTable("lost_reasons", "reason", r.lostWhy, "value", 0)
	lrS := analysis.Series{Key: "lost_reasons", Kind: "pie", Y: []analysis.Values{{Key: "lost_leads"}}}
	for _, row := range lrT.Rows {
		lrS.X = append(lrS.X, row[0].(string))
		lrS.Y[0].Data = append(lrS.Y[0].Data, float64(row[1].(int)))
	}
	crT := countTable("churn_reasons", "reason", r.reasons, "revenue_lost", 0)
	sbT := countTable("complaint_subjects", "subject", r.subjects, "", maxSubjects)
	cpT, saT := r.groupTables()
	moT, line := r.monthly()
	res.Tables = []analysis.Table{r.membersTable(), r.winbackTable(op.reasonField), status, stT, tiT, llT, lrT, crT, cpT, sbT, saT, moT}
	res.Series = []analysis.Series{pie, stS, tiS, llS, lrS, line}
	res.Notes = r.notes()
	return res
}

// winbackTable lists the churned by priority.
func (r *report) winbackTable(reasonField string) analysis.Table {
	win := analysis.Table{Key: "winback", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "name", Type: "string"}, {Key: "owner", Type: "string"},
		{Key: "stage_before", Type: "label"}, {Key: "tier", Type: "label"}, {Key: "churned_at", Type: "date"},
		{Key: "last_order", Type: "date"}, {Key: "days_since", Type: "int"}, {Key: "orders", Type: "int"},
		{Key: "lifetime_spend", Type: "currency"}, {Key: "annual_spend", Type: "currency"},
		{Key: "complaints", Type: "int"}, {Key: "last_nps", Type: "float"}, {Key: "last_csat", Type: "float"},
		{Key: "reason", Type: "string"}, {Key: "priority", Type: "float"}}}
	win.Rows = analysis.Rows(len(r.winback), len(win.Columns))
	for k, x := range r.winback {
		i := x.i
		m := &r.members[i]
		var name, owner string
		if m.Customer != nil {
			name, owner = m.Customer.Name, m.Customer.Owner
		}
		var churnedAt, last, since any
		if !m.ChurnedAt.IsZero() {
			churnedAt = m.ChurnedAt
		}
		if m.Orders > 0 {
			last, since = m.Last, days(r.asOf.Sub(m.Last))
		}
		row := win.Rows[k]
		row[0], row[1], row[2], row[3], row[4], row[5] = m.CustomerID, name, owner, x.stage, tierKeys[r.tier[i]], churnedAt
		row[6], row[7], row[8], row[9], row[10] = last, since, m.Orders, m.Spend, m.Annual
		row[11], row[12], row[13], row[14], row[15] = int(r.complaints[i]), orNil(r.nps[i]), orNil(r.csat[i]), reason(m.Customer, reasonField), x.priority
	}
	return win
}

// membersTable is every customer's state, the table the figures and charts drill down to
// (NAME.COLUMN fields attrition.state, attrition.tier, …): the win-back list holds only the
// first top of the churned.
func (r *report) membersTable() analysis.Table {
	all := analysis.Table{Key: "members", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "state", Type: "label"}, {Key: "tier", Type: "label"},
		{Key: "stage_before", Type: "label"}, {Key: "reactivated", Type: "int"}}}
	all.Rows = analysis.Rows(len(r.members), len(all.Columns))
	for i := range r.members {
		m := &r.members[i]
		var before any
		if m.State == Churned {
			before = m.Before
		}
		back := 0
		if m.Reactivated {
			back = 1
		}
		row := all.Rows[i]
		row[0], row[1], row[2], row[3], row[4] = m.CustomerID, m.State, tierKeys[r.tier[i]], before, back
	}
	return all
}

// figures returns the summary. The headline figures are the few in headline; the others
// (counts behind the rates, comparisons the tables show, the settings used) are details. The
// states and the reactivated drill down to the members table; not ever churned (no column),
// lost leads (leads, not customers) or the months (events).
func (r *report) figures(complaintDays int) []analysis.Figure {
	var out []analysis.Figure
	fig := func(key string, v float64, unit string) {
		out = append(out, analysis.Figure{Key: key, Value: v, Unit: unit, Detail: !headline[key]})
	}
	customers := float64(len(r.members))
	nState := r.nState
	fig("customers", customers, "")
	fig("active", float64(nState[0]), "")
	fig("at_risk", float64(nState[1]), "")
	fig("inactive", float64(nState[1]+nState[2]), "")
	fig("churned", float64(nState[2]), "")
	fig("churn_rate", analysis.Frac(float64(nState[2]), customers), "%")
	fig("ever_churned", float64(r.ever), "")
	fig("reactivated", float64(r.reactivated), "")
	fig("reactivation_rate", analysis.Frac(float64(r.reactivated), float64(r.ever)), "%")
	fig("churned_in_period", float64(r.months.churnEvents), "")
	fig("reactivated_in_period", float64(r.months.reactEvents), "")
	fig("revenue_lost", r.revenueLost, "currency")
	fig("lost_leads", float64(r.lostLeads), "")
	fig("lost_lead_value", r.lostValue, "currency")
	ch, rt := &r.groups[0], &r.groups[1]
	fig("complaint_rate_churned", analysis.Frac(float64(ch.withComplaint), float64(ch.customers)), "%")
	fig("complaint_rate_retained", analysis.Frac(float64(rt.withComplaint), float64(rt.customers)), "%")
	for _, x := range []struct {
		key string
		sum float64
		n   int
	}{{"mean_nps_churned", ch.npsSum, ch.npsN}, {"mean_nps_retained", rt.npsSum, rt.npsN},
		{"mean_csat_churned", ch.csatSum, ch.csatN}, {"mean_csat_retained", rt.csatSum, rt.csatN}} {
		if x.n > 0 {
			fig(x.key, x.sum/float64(x.n), "")
		}
	}
	fig("churn_days", float64(r.th.ChurnDays), "days")
	fig("at_risk_days", float64(r.th.AtRiskDays), "days")
	fig("complaint_days", float64(complaintDays), "days")
	drills := map[string]analysis.Drill{"customers": analysis.Everyone("customer_id"),
		"active": {Column: "state", Value: Active}, "at_risk": {Column: "state", Value: AtRisk},
		"inactive": {Column: "state", Op: "in", Value: AtRisk + "," + Churned},
		"churned":  {Column: "state", Value: Churned}, "reactivated": {Column: "reactivated", Value: "1"}}
	for i := range out {
		out[i].Drill = drills[out[i].Key]
	}
	return out
}

// status is the customers by state.
func (r *report) status() (analysis.Table, analysis.Series) {
	customers := float64(len(r.members))
	status := analysis.Table{Key: "status", Columns: []analysis.Column{{Key: "state", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "share", Type: "percent"}}, Drill: analysis.Drill{Column: "state", Key: "state"}}
	pie := analysis.Series{Key: "status_share", Kind: "pie", X: States, Y: []analysis.Values{{Key: "customers"}},
		Drill: analysis.Drill{Column: "state"}}
	for k, s := range States {
		status.Rows = append(status.Rows, []any{s, r.nState[k], analysis.Frac(float64(r.nState[k]), customers)})
		pie.Y[0].Data = append(pie.Y[0].Data, float64(r.nState[k]))
	}
	return status, pie
}

// stages is the churned by their stage before churn.
func (r *report) stages() (analysis.Table, analysis.Series) {
	stT := analysis.Table{Key: "churned_by_stage", Columns: []analysis.Column{{Key: "stage_before", Type: "label"},
		{Key: "churned", Type: "int"}, {Key: "share", Type: "percent"}, {Key: "revenue_lost", Type: "currency"}},
		Drill: analysis.Drill{Column: "stage_before", Key: "stage_before"}}
	stS := analysis.Series{Key: "churned_by_stage", Kind: "bar", X: stageKeys, Y: []analysis.Values{{Key: "churned"}},
		Drill: analysis.Drill{Column: "stage_before"}}
	for k, s := range stageKeys {
		b := r.byStage[k]
		stT.Rows = append(stT.Rows, []any{s, b.n, analysis.Frac(float64(b.n), float64(r.nState[2])), b.lost})
		stS.Y[0].Data = append(stS.Y[0].Data, float64(b.n))
	}
	return stT, stS
}

// tiers is the churn by pyramid tier. Each row drills down to its customers, not its churned
// (a row links once).
func (r *report) tiers() (analysis.Table, analysis.Series) {
	tiT := analysis.Table{Key: "churned_by_tier", Columns: []analysis.Column{{Key: "tier", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "churned", Type: "int"}, {Key: "churn_rate", Type: "percent"},
		{Key: "share", Type: "percent"}, {Key: "revenue_lost", Type: "currency"}}}
	tiT.Drill = analysis.Drill{Column: "tier", Key: "tier", Count: "customers"}
	tiS := analysis.Series{Key: "churn_rate_by_tier", Kind: "bar", X: tierKeys, Y: []analysis.Values{{Key: "churn_rate"}}}
	for k, s := range tierKeys {
		b := &r.byTier[k]
		rate := analysis.Frac(float64(b.churned), float64(b.customers))
		tiT.Rows = append(tiT.Rows, []any{s, b.customers, b.churned, rate, analysis.Frac(float64(b.churned), float64(r.nState[2])), b.lost})
		tiS.Y[0].Data = append(tiS.Y[0].Data, rate)
	}
	return tiT, tiS
}

// lostFunnel is the lost leads by the furthest stage they reached.
func (r *report) lostFunnel() (analysis.Table, analysis.Series) {
	llT := analysis.Table{Key: "lost_leads_by_stage", Columns: []analysis.Column{{Key: "stage", Type: "label"},
		{Key: "lost_leads", Type: "int"}, {Key: "share", Type: "percent"}, {Key: "value", Type: "currency"}}}
	llS := analysis.Series{Key: "lost_leads_funnel", Kind: "funnel", Y: []analysis.Values{{Key: "lost_leads"}}}
	for k, s := range funnel.Stages {
		x := r.lostStage[k]
		if s == kexi.StageWon && x.n == 0 {
			continue // a lead lost after it was won is a data error; shown only when present
		}
		llT.Rows = append(llT.Rows, []any{s, x.n, analysis.Frac(float64(x.n), float64(r.lostLeads)), x.value})
		llS.X = append(llS.X, s)
		llS.Y[0].Data = append(llS.Y[0].Data, float64(x.n))
	}
	return llT, llS
}

// countTable lists a counter's keys by count (the first limit of them; 0: all) with their
// share and, when value names a column, their summed value.
func countTable(key, col string, c *counter, value string, limit int) analysis.Table {
	tb := analysis.Table{Key: key, Columns: []analysis.Column{{Key: col, Type: "string"}, {Key: "count", Type: "int"}, {Key: "share", Type: "percent"}}}
	if value != "" {
		tb.Columns = append(tb.Columns, analysis.Column{Key: value, Type: "currency"})
	}
	for k, name := range c.keys() {
		if limit > 0 && k == limit {
			break
		}
		row := []any{name, c.n[name], analysis.Frac(float64(c.n[name]), float64(c.total))}
		if value != "" {
			row = append(row, c.value[name])
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// groupTables compares the churned and the retained: complaints before churn, satisfaction.
func (r *report) groupTables() (analysis.Table, analysis.Table) {
	cpT := analysis.Table{Key: "complaints_before_churn", Columns: []analysis.Column{{Key: "group", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "with_complaint", Type: "int"}, {Key: "complaint_rate", Type: "percent"},
		{Key: "complaints", Type: "int"}, {Key: "complaints_per_customer", Type: "float"}}}
	saT := analysis.Table{Key: "satisfaction", Columns: []analysis.Column{{Key: "group", Type: "label"},
		{Key: "nps_responses", Type: "int"}, {Key: "mean_nps", Type: "float"}, {Key: "nps", Type: "float"},
		{Key: "csat_responses", Type: "int"}, {Key: "mean_csat", Type: "float"}, {Key: "csat", Type: "percent"}}}
	mean := func(sum float64, n int) any {
		if n == 0 {
			return nil
		}
		return sum / float64(n)
	}
	for k, key := range []string{Churned, Retained} {
		g := &r.groups[k]
		cpT.Rows = append(cpT.Rows, []any{key, g.customers, g.withComplaint, analysis.Frac(float64(g.withComplaint), float64(g.customers)),
			g.complaints, analysis.Frac(float64(g.complaints), float64(g.customers))})
		saT.Rows = append(saT.Rows, []any{key, g.npsN, mean(g.npsSum, g.npsN), orNil(g.score.NPSValue()),
			g.csatN, mean(g.csatSum, g.csatN), orNil(g.score.CSATValue())})
	}
	return cpT, saT
}

// monthly is the churns, reactivations and lost leads by month.
func (r *report) monthly() (analysis.Table, analysis.Series) {
	mo := &r.months
	moT := analysis.Table{Key: "months", Columns: []analysis.Column{{Key: "month", Type: "string"},
		{Key: "churned", Type: "int"}, {Key: "reactivated", Type: "int"}, {Key: "lost_leads", Type: "int"}}}
	line := analysis.Series{Key: "monthly", Kind: "line", Y: []analysis.Values{{Key: "churned"}, {Key: "reactivated"}}}
	for k := range mo.churns {
		mk := mo.m0 + k
		name := fmt.Sprintf("%04d-%02d", mk/12, mk%12+1)
		moT.Rows = append(moT.Rows, []any{name, mo.churns[k], mo.reacts[k], mo.leads[k]})
		line.X = append(line.X, name)
		line.Y[0].Data = append(line.Y[0].Data, float64(mo.churns[k]))
		line.Y[1].Data = append(line.Y[1].Data, float64(mo.reacts[k]))
	}
	return moT, line
}

// notes explains an empty result, data without orders and churn flags without dates.
func (r *report) notes() []analysis.Note {
	var out []analysis.Note
	customers := len(r.members)
	if customers == 0 {
		out = append(out, analysis.NewNote("no_customers", "no customers with purchases or a churn flag as of the date",
			"截至分析日期，没有客户有购买记录或流失标记"))
	}
	if r.noOrder && customers > 0 {
		out = append(out, analysis.NewNote("no_orders", "no orders: every customer record counts as a customer, and the churn flag decides who churned",
			"没有订单数据：每条客户记录都算作一位客户，是否流失以流失标记为准"))
	}
	if r.undated > 0 {
		out = append(out, analysis.NewNote("undated_churn",
			"{n} churned customers have a churn flag without a date: they are not in the monthly table, and their complaints and answers are taken up to the as-of date",
			"{n} 位已流失客户有流失标记但没有流失日期：他们不计入按月统计表，其投诉和调查回答统计到分析日期为止",
			analysis.V("n", strconv.Itoa(r.undated))))
	}
	return out
}
