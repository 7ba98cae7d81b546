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
	d := in.Data
	asOf := in.AsOf
	if asOf.IsZero() {
		asOf = latestDate(d)
	}
	if err := op.thresholds(&d.Orders, asOf); err != nil {
		return nil, err
	}
	th := op.th
	keep := in.Until(asOf)
	// Months as year×12 + month−1 in the business's time zone.
	cal := stats.NewCalendar(in.Location())
	// The months of the monthly table: from the period's start (or `months` back from T) to
	// the period's end or T.
	var m0, m1 int
	if !asOf.IsZero() {
		m1 = cal.Month(asOf)
		if !in.To.IsZero() && in.To.Before(asOf) {
			m1 = cal.Month(in.To)
		}
		m0 = m1 - op.months + 1
		if !in.From.IsZero() {
			m0 = cal.Month(in.From)
		}
	} else {
		m0 = 1 // no dates at all: no months
	}
	nMonths := max(0, m1-m0+1)
	churnsBy, reactBy, lostBy := make([]int, nMonths), make([]int, nMonths), make([]int, nMonths)
	churnEvents, reactEvents := 0, 0
	bucket := func(at time.Time, counts []int) {
		if k := cal.Month(at) - m0; k >= 0 && k < nMonths {
			counts[k]++
		}
	}
	members := Members(d, th, asOf, func(e Event) {
		if !keep(e.At) {
			return
		}
		if e.Reactivation {
			reactEvents++
			bucket(e.At, reactBy)
		} else {
			churnEvents++
			bucket(e.At, churnsBy)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// States, tiers and each member's reference date (churn date, or T).
	var nState [3]int
	reactivated, ever := 0, 0
	ids := make([]int64, len(members))
	spenders := make([]int32, 0, len(members))
	undated := 0
	for i := range members {
		m := &members[i]
		ids[i] = m.CustomerID
		switch m.State {
		case Active:
			nState[0]++
		case AtRisk:
			nState[1]++
		case Churned:
			nState[2]++
			if m.ChurnedAt.IsZero() {
				undated++
			}
		}
		if m.Reactivated {
			reactivated++
		}
		if m.Reactivated || m.State == Churned {
			ever++
		}
		if m.Spend > 0 {
			spenders = append(spenders, int32(i))
		}
	}
	// Tiers as positions in tierKeys, one byte per member rather than a string.
	tierKeys := append(slices.Clone(pyramid.Names), NoPurchase)
	tier := make([]uint8, len(members))
	for i := range tier {
		tier[i] = uint8(len(tierKeys) - 1)
	}
	placed := pyramid.Place(len(spenders), func(k int) (float64, int64) {
		m := &members[spenders[k]]
		return m.Spend, m.CustomerID
	})
	for k, i := range spenders {
		tier[i] = uint8(slices.Index(tierKeys, placed[k]))
	}
	find := analysis.Positions(ids)
	isChurned := func(i int) bool { return members[i].State == Churned }
	// ref returns member i's reference date: their churn date, or T. It is read from the
	// member rather than kept in a slice of times.
	ref := func(i int) time.Time {
		if m := &members[i]; m.State == Churned && !m.ChurnedAt.IsZero() {
			return m.ChurnedAt
		}
		return asOf
	}

	// Complaints in the window before each member's reference date.
	window := time.Duration(op.complaintDays) * 24 * time.Hour
	complaints := make([]int32, len(members))
	subjects := newCounter()
	for i := range d.Interactions {
		x := &d.Interactions[i]
		if x.Kind != kexi.Complaint || x.CustomerID == 0 {
			continue
		}
		k := find(x.CustomerID)
		if k < 0 {
			continue
		}
		if r := ref(k); x.At.After(r) || !x.At.After(r.Add(-window)) {
			continue
		}
		complaints[k]++
		if isChurned(k) {
			subj := strings.TrimSpace(x.Subject)
			subjects.add(subj, 0)
		}
	}
	// Latest valid NPS and CSAT answers at or before the reference date (surveys are in time
	// order, so the last one kept is the latest).
	nps, csat := make([]float64, len(members)), make([]float64, len(members))
	for i := range nps {
		nps[i], csat[i] = math.NaN(), math.NaN()
	}
	for i := range d.Surveys {
		s := &d.Surveys[i]
		if s.CustomerID == 0 || (s.Kind != kexi.NPS && s.Kind != kexi.CSAT) || !satisfaction.Valid(s.Kind, s.Score) {
			continue
		}
		k := find(s.CustomerID)
		if k < 0 || s.At.After(ref(k)) {
			continue
		}
		if s.Kind == kexi.NPS {
			nps[k] = s.Score
		} else {
			csat[k] = s.Score
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Churned against retained; where and why.
	var groups [2]group // churned, retained
	stageKeys := []string{lifecycle.NewCustomer, lifecycle.Active, lifecycle.Loyal, lifecycle.Reactivated, NoPurchase}
	byStage := make([]struct {
		n    int
		lost float64
	}, len(stageKeys))
	byTier := make([]struct {
		customers, churned int
		lost               float64
	}, len(tierKeys))
	reasons := newCounter()
	// lost is one churned member: its index, stage before churn and win-back priority.
	type lost struct {
		i        int32
		stage    string
		priority float64
	}
	churned := make([]lost, 0, nState[2])
	revenueLost := 0.0
	for i := range members {
		m := &members[i]
		g := &groups[1]
		if m.State == Churned {
			g = &groups[0]
		}
		g.customers++
		if complaints[i] > 0 {
			g.withComplaint++
			g.complaints += int(complaints[i])
		}
		if !math.IsNaN(nps[i]) {
			g.score.Add(kexi.NPS, nps[i])
			g.npsSum += nps[i]
			g.npsN++
		}
		if !math.IsNaN(csat[i]) {
			g.score.Add(kexi.CSAT, csat[i])
			g.csatSum += csat[i]
			g.csatN++
		}
		ti := tier[i]
		byTier[ti].customers++
		if m.State != Churned {
			continue
		}
		byTier[ti].churned++
		byTier[ti].lost += m.Annual
		st := m.Before
		churned = append(churned, lost{int32(i), st, Priority(m.Annual, days(asOf.Sub(m.Last)), th.ChurnDays)})
		if si := slices.Index(stageKeys, st); si >= 0 {
			byStage[si].n++
			byStage[si].lost += m.Annual
		}
		revenueLost += m.Annual
		reasons.add(reason(m.Customer, op.reasonField), m.Annual)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Lost leads.
	lostStage := make([]struct {
		n     int
		value float64
	}, len(funnel.Stages))
	lostReasons := newCounter()
	lostLeads, lostValue := 0, 0.0
	for i := range d.Leads {
		l := &d.Leads[i]
		at, ok := LostAt(l, asOf)
		if !ok || !keep(at) {
			continue
		}
		lostLeads++
		lostValue += l.Value
		p := funnel.Trace(l)
		lostStage[p.Reached].n++
		lostStage[p.Reached].value += l.Value
		lostReasons.add(strings.TrimSpace(l.LostReason), l.Value)
		bucket(at, lostBy)
	}

	// The win-back list.
	slices.SortFunc(churned, func(a, b lost) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		if c := cmp.Compare(members[b.i].Spend, members[a.i].Spend); c != 0 {
			return c
		}
		return cmp.Compare(members[a.i].CustomerID, members[b.i].CustomerID)
	})
	list := churned
	if op.top > 0 && len(list) > op.top {
		list = list[:op.top]
	}
	win := analysis.Table{Key: "winback", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "name", Type: "string"}, {Key: "owner", Type: "string"},
		{Key: "stage_before", Type: "label"}, {Key: "tier", Type: "label"}, {Key: "churned_at", Type: "date"},
		{Key: "last_order", Type: "date"}, {Key: "days_since", Type: "int"}, {Key: "orders", Type: "int"},
		{Key: "lifetime_spend", Type: "currency"}, {Key: "annual_spend", Type: "currency"},
		{Key: "complaints", Type: "int"}, {Key: "last_nps", Type: "float"}, {Key: "last_csat", Type: "float"},
		{Key: "reason", Type: "string"}, {Key: "priority", Type: "float"}}}
	win.Rows = analysis.Rows(len(list), len(win.Columns))
	for k, x := range list {
		i := x.i
		m := &members[i]
		var name, owner string
		if m.Customer != nil {
			name, owner = m.Customer.Name, m.Customer.Owner
		}
		var churnedAt, last, since any
		if !m.ChurnedAt.IsZero() {
			churnedAt = m.ChurnedAt
		}
		if m.Orders > 0 {
			last, since = m.Last, days(asOf.Sub(m.Last))
		}
		row := win.Rows[k]
		row[0], row[1], row[2], row[3], row[4], row[5] = m.CustomerID, name, owner, x.stage, tierKeys[tier[i]], churnedAt
		row[6], row[7], row[8], row[9], row[10] = last, since, m.Orders, m.Spend, m.Annual
		row[11], row[12], row[13], row[14], row[15] = int(complaints[i]), orNil(nps[i]), orNil(csat[i]), reason(m.Customer, op.reasonField), x.priority
	}

	// Every customer's state, the table the figures and charts drill down to (NAME.COLUMN
	// fields attrition.state, attrition.tier, …): the win-back list holds only the first top of
	// the churned.
	all := analysis.Table{Key: "members", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "state", Type: "label"}, {Key: "tier", Type: "label"},
		{Key: "stage_before", Type: "label"}, {Key: "reactivated", Type: "int"}}}
	all.Rows = analysis.Rows(len(members), len(all.Columns))
	for i := range members {
		m := &members[i]
		var before any
		if m.State == Churned {
			before = m.Before
		}
		back := 0
		if m.Reactivated {
			back = 1
		}
		row := all.Rows[i]
		row[0], row[1], row[2], row[3], row[4] = m.CustomerID, m.State, tierKeys[tier[i]], before, back
	}

	customers := len(members)
	res := &analysis.Result{Name: info.Name, AsOf: asOf}
	// The headline figures are the few in headline; the others (counts behind the rates,
	// comparisons the tables show, the settings used) are details.
	fig := func(key string, v float64, unit string) {
		res.Summary = append(res.Summary, analysis.Figure{Key: key, Value: v, Unit: unit, Detail: !headline[key]})
	}
	fig("customers", float64(customers), "")
	fig("active", float64(nState[0]), "")
	fig("at_risk", float64(nState[1]), "")
	fig("inactive", float64(nState[1]+nState[2]), "")
	fig("churned", float64(nState[2]), "")
	fig("churn_rate", analysis.Frac(float64(nState[2]), float64(customers)), "%")
	fig("ever_churned", float64(ever), "")
	fig("reactivated", float64(reactivated), "")
	fig("reactivation_rate", analysis.Frac(float64(reactivated), float64(ever)), "%")
	fig("churned_in_period", float64(churnEvents), "")
	fig("reactivated_in_period", float64(reactEvents), "")
	fig("revenue_lost", revenueLost, "currency")
	fig("lost_leads", float64(lostLeads), "")
	fig("lost_lead_value", lostValue, "currency")
	ch, rt := &groups[0], &groups[1]
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
	fig("churn_days", float64(th.ChurnDays), "days")
	fig("at_risk_days", float64(th.AtRiskDays), "days")
	fig("complaint_days", float64(op.complaintDays), "days")

	status := analysis.Table{Key: "status", Columns: []analysis.Column{{Key: "state", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "share", Type: "percent"}}}
	pie := analysis.Series{Key: "status_share", Kind: "pie", X: States, Y: []analysis.Values{{Key: "customers"}}}
	for k, s := range States {
		status.Rows = append(status.Rows, []any{s, nState[k], analysis.Frac(float64(nState[k]), float64(customers))})
		pie.Y[0].Data = append(pie.Y[0].Data, float64(nState[k]))
	}

	stT := analysis.Table{Key: "churned_by_stage", Columns: []analysis.Column{{Key: "stage_before", Type: "label"},
		{Key: "churned", Type: "int"}, {Key: "share", Type: "percent"}, {Key: "revenue_lost", Type: "currency"}}}
	stS := analysis.Series{Key: "churned_by_stage", Kind: "bar", X: stageKeys, Y: []analysis.Values{{Key: "churned"}}}
	for k, s := range stageKeys {
		stT.Rows = append(stT.Rows, []any{s, byStage[k].n, analysis.Frac(float64(byStage[k].n), float64(nState[2])), byStage[k].lost})
		stS.Y[0].Data = append(stS.Y[0].Data, float64(byStage[k].n))
	}
	// The states, the churned by stage, the reactivated and each tier's customers (its row's
	// customers column) drill down to the members table. Not a tier's churned (the row links
	// once, to its customers) or churn rate, ever churned (no column), lost leads (leads, not
	// customers) or the months (events).
	drills := map[string]analysis.Drill{"customers": analysis.Everyone("customer_id"),
		"active": {Column: "state", Value: Active}, "at_risk": {Column: "state", Value: AtRisk},
		"inactive": {Column: "state", Op: "in", Value: AtRisk + "," + Churned},
		"churned":  {Column: "state", Value: Churned}, "reactivated": {Column: "reactivated", Value: "1"}}
	for i := range res.Summary {
		res.Summary[i].Drill = drills[res.Summary[i].Key]
	}
	pie.Drill = analysis.Drill{Column: "state"}
	status.Drill = analysis.Drill{Column: "state", Key: "state"}
	stT.Drill = analysis.Drill{Column: "stage_before", Key: "stage_before"}
	stS.Drill = analysis.Drill{Column: "stage_before"}
	tiT := analysis.Table{Key: "churned_by_tier", Columns: []analysis.Column{{Key: "tier", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "churned", Type: "int"}, {Key: "churn_rate", Type: "percent"},
		{Key: "share", Type: "percent"}, {Key: "revenue_lost", Type: "currency"}}}
	tiT.Drill = analysis.Drill{Column: "tier", Key: "tier", Count: "customers"}
	tiS := analysis.Series{Key: "churn_rate_by_tier", Kind: "bar", X: tierKeys, Y: []analysis.Values{{Key: "churn_rate"}}}
	for k, s := range tierKeys {
		b := &byTier[k]
		rate := analysis.Frac(float64(b.churned), float64(b.customers))
		tiT.Rows = append(tiT.Rows, []any{s, b.customers, b.churned, rate, analysis.Frac(float64(b.churned), float64(nState[2])), b.lost})
		tiS.Y[0].Data = append(tiS.Y[0].Data, rate)
	}

	llT := analysis.Table{Key: "lost_leads_by_stage", Columns: []analysis.Column{{Key: "stage", Type: "label"},
		{Key: "lost_leads", Type: "int"}, {Key: "share", Type: "percent"}, {Key: "value", Type: "currency"}}}
	llS := analysis.Series{Key: "lost_leads_funnel", Kind: "funnel", Y: []analysis.Values{{Key: "lost_leads"}}}
	for k, s := range funnel.Stages {
		x := lostStage[k]
		if s == kexi.StageWon && x.n == 0 {
			continue // a lead lost after it was won is a data error; shown only when present
		}
		llT.Rows = append(llT.Rows, []any{s, x.n, analysis.Frac(float64(x.n), float64(lostLeads)), x.value})
		llS.X = append(llS.X, s)
		llS.Y[0].Data = append(llS.Y[0].Data, float64(x.n))
	}

	countTable := func(key, col string, c *counter, value string, limit int) analysis.Table {
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
	lrT := countTable("lost_reasons", "reason", lostReasons, "value", 0)
	lrS := analysis.Series{Key: "lost_reasons", Kind: "pie", Y: []analysis.Values{{Key: "lost_leads"}}}
	for _, r := range lrT.Rows {
		lrS.X = append(lrS.X, r[0].(string))
		lrS.Y[0].Data = append(lrS.Y[0].Data, float64(r[1].(int)))
	}
	crT := countTable("churn_reasons", "reason", reasons, "revenue_lost", 0)
	sbT := countTable("complaint_subjects", "subject", subjects, "", maxSubjects)

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
		g := &groups[k]
		cpT.Rows = append(cpT.Rows, []any{key, g.customers, g.withComplaint, analysis.Frac(float64(g.withComplaint), float64(g.customers)),
			g.complaints, analysis.Frac(float64(g.complaints), float64(g.customers))})
		saT.Rows = append(saT.Rows, []any{key, g.npsN, mean(g.npsSum, g.npsN), orNil(g.score.NPSValue()),
			g.csatN, mean(g.csatSum, g.csatN), orNil(g.score.CSATValue())})
	}

	moT := analysis.Table{Key: "months", Columns: []analysis.Column{{Key: "month", Type: "string"},
		{Key: "churned", Type: "int"}, {Key: "reactivated", Type: "int"}, {Key: "lost_leads", Type: "int"}}}
	line := analysis.Series{Key: "monthly", Kind: "line", Y: []analysis.Values{{Key: "churned"}, {Key: "reactivated"}}}
	for k := range nMonths {
		mk := m0 + k
		name := fmt.Sprintf("%04d-%02d", mk/12, mk%12+1)
		moT.Rows = append(moT.Rows, []any{name, churnsBy[k], reactBy[k], lostBy[k]})
		line.X = append(line.X, name)
		line.Y[0].Data = append(line.Y[0].Data, float64(churnsBy[k]))
		line.Y[1].Data = append(line.Y[1].Data, float64(reactBy[k]))
	}

	res.Tables = []analysis.Table{all, win, status, stT, tiT, llT, lrT, crT, cpT, sbT, saT, moT}
	res.Series = []analysis.Series{pie, stS, tiS, llS, lrS, line}
	if customers == 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_customers", "no customers with purchases or a churn flag as of the date",
			"截至分析日期，没有客户有购买记录或流失标记"))
	}
	if d.Orders.Len() == 0 && customers > 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_orders", "no orders: every customer record counts as a customer, and the churn flag decides who churned",
			"没有订单数据：每条客户记录都算作一位客户，是否流失以流失标记为准"))
	}
	if undated > 0 {
		res.Notes = append(res.Notes, analysis.NewNote("undated_churn",
			"{n} churned customers have a churn flag without a date: they are not in the monthly table, and their complaints and answers are taken up to the as-of date",
			"{n} 位已流失客户有流失标记但没有流失日期：他们不计入按月统计表，其投诉和调查回答统计到分析日期为止",
			analysis.V("n", strconv.Itoa(undated))))
	}
	return res, ctx.Err()
}
