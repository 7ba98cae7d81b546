// Package portrait draws one customer's 360° view 客户画像 (A19): attributes, tags and custom
// fields, RFM cell and segments, pyramid tier, lifecycle stage, value and profit, latest
// satisfaction, preferences, a timeline of everything that happened, and next best actions.
//
// It reuses the public functions of packages rfm, pyramid, lifecycle and value, computed over
// the whole Dataset so the customer is scored against everyone else. CLV and churn risk are not
// shown yet: packages clv and churn fit models over the whole Dataset and expose no per-customer
// function that is cheap to call here.
//
// Next best action rules, each with its reason (a customer may get several; see Advise):
//
//	at risk or churned and high value (VIP/major tier or an important segment) → personal call
//	at risk and not high value               → come-back offer
//	important win-back (重要挽留) segment    → win-back call by their rep
//	at risk or churned and a complaint in 90 days → service recovery
//	churned                                  → win-back offer
//	loyal                                    → referral and upsell
//	new                                      → second-order coupon
//	important value (重要价值) segment       → VIP care
//	latest NPS ≤ 6 (detractor)               → follow up on the score
//	prospect                                 → first-order offer
//	none of these                            → keep in touch
package portrait

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/analysis/rfm"
	"github.com/kexi/kexi/analysis/value"
)

// Find returns the index in d.Customers of the customer named by ref: an id, or else an
// external id. It returns -1 when there is none.
func Find(d *kexi.Dataset, ref string) int {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if i, ok := slices.BinarySearchFunc(d.Customers, id, func(c kexi.Customer, id int64) int { return cmp.Compare(c.ID, id) }); ok {
			return i
		}
	}
	for i := range d.Customers {
		if d.Customers[i].ExternalID == ref {
			return i
		}
	}
	return -1
}

// Event is one line of the timeline.
type Event struct {
	At     time.Time
	Kind   string // order, return, interaction, survey, response
	Detail string
	Amount float64
}

// Action is one next best action and why.
type Action struct{ Action, Reason string }

// Actions applies the rule set to a customer's segment, stage, recent complaints and latest NPS
// (negative when unknown).
func Actions(cn8, stage string, complaints90 int, nps float64) []Action {
	var out []Action
	add := func(a, r string) { out = append(out, Action{a, r}) }
	if cn8 == rfm.ImportantWinBack {
		add("winback_call", "reason_important_winback")
	}
	if (stage == lifecycle.AtRisk || stage == lifecycle.Churned) && complaints90 > 0 {
		add("service_recovery", "reason_risk_complaint")
	}
	switch stage {
	case lifecycle.Churned:
		add("winback_offer", "reason_churned")
	case lifecycle.Loyal:
		add("referral_upsell", "reason_loyal")
	case lifecycle.NewCustomer:
		add("second_order_coupon", "reason_new")
	case lifecycle.Prospect:
		add("first_order_offer", "reason_prospect")
	}
	if cn8 == rfm.ImportantValue {
		add("vip_care", "reason_important_value")
	}
	if nps >= 0 && nps <= 6 {
		add("detractor_follow_up", "reason_detractor")
	}
	if len(out) == 0 {
		add("keep_in_touch", "reason_default")
	}
	return out
}

type portraitAnalysis struct{}

// New returns the customer portrait analysis (A19).
func New() analysis.Analysis { return portraitAnalysis{} }

func (portraitAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "portrait",
		Code:    "A19",
		Title:   analysis.Text{En: "Customer portrait", Zh: "客户画像"},
		Summary: analysis.Text{En: "Everything about one customer on one page, and what to do next.", Zh: "一位客户的全景视图,以及下一步该做什么。"},
		Options: []analysis.Option{{Key: "customer", Type: "string",
			Help: analysis.Text{En: "Customer id or external id (required)", Zh: "客户 ID 或外部编号(必填)"}}},
		Labels: labels,
		Needs:  []string{"customers", "orders", "items"},
		Reads:  []string{"customers", "orders", "order_details", "items", "interactions", "surveys", "responses", "events"},
	}
}

func (a portraitAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	o := analysis.NewOpts(a.Info(), in.Options)
	ref := o.String("customer")
	if err := o.Err(); err != nil {
		return nil, err
	}
	bad := func(reason string) error {
		return &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "customer", Value: ref, Reason: reason}}}
	}
	if strings.TrimSpace(ref) == "" {
		return nil, bad("expected a customer id or external id")
	}
	d := in.Data
	ci := Find(d, ref)
	if ci < 0 {
		return nil, bad("no such customer")
	}
	p := &portrait{c: &d.Customers[ci], asOf: in.AsOf}
	// The customer's own orders (a run in the sorted orders).
	p.own = d.Orders.Slice(d.Orders.CustomerOrders(p.c.ID))
	for i := range d.Interactions {
		if d.Interactions[i].CustomerID == p.c.ID {
			p.inter = append(p.inter, d.Interactions[i])
		}
	}
	p.standing(d, in)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.history(d, in.Until(in.AsOf))
	res := &analysis.Result{Name: "portrait", AsOf: p.asOf, Summary: p.figures()}
	res.Tables = []analysis.Table{attributes(p.c), p.actions(), p.preferences(), p.timeline()}
	for _, sr := range []*analysis.Series{purchaseSeries(&p.own, p.asOf), mixSeries(p.catVal)} {
		if sr != nil {
			res.Series = append(res.Series, *sr)
		}
	}
	return res, nil
}

// portrait is one customer seen as of a date: their standing among all customers and their
// history.
type portrait struct {
	c     *kexi.Customer
	asOf  time.Time
	own   kexi.OrderTable    // the customer's orders
	inter []kexi.Interaction // the customer's interactions

	rrow  *rfm.Row // nil: no purchase in the period
	tier  string   // "": no spend in the period
	stage string
	val   value.Row

	nps, csat  float64 // the latest answers, -1 when none
	complaints int     // in the 90 days to the as-of date
	catVal     map[string]float64
	chN        map[string]int
	tl         []Event // oldest first
}

// standing scores the customer against everyone. One pass gives everyone's RFM values; the
// customer's scores and pyramid rank come from counting, without sorting everyone. The
// pyramid ranks customers with spend in the period, which are the RFM rows (same purchases)
// with a Monetary of a cent or more (a customer with only $0 purchases has an RFM row but no
// tier), by Monetary in cents, ties by id.
func (p *portrait) standing(d *kexi.Dataset, in analysis.Input) {
	c, asOf := p.c, p.asOf
	rows := rfm.Values(&d.Orders, asOf, in.Until(time.Time{}))
	if i, ok := slices.BinarySearchFunc(rows, c.ID, func(r rfm.Row, id int64) int { return cmp.Compare(r.CustomerID, id) }); ok {
		one := rfm.ScoreOne(rows, i)
		p.rrow = &one
		p.tier = pyramid.TierOf(len(rows), func(k int) (float64, int64) { return rows[k].Monetary, rows[k].CustomerID },
			one.Monetary, c.ID)
	}
	th := lifecycle.DefaultThresholds(&d.Orders, asOf)
	one := &kexi.Dataset{Customers: []kexi.Customer{*c}, Orders: p.own}
	p.stage = lifecycle.Stages(one, th, asOf)[0][0].Stage
	if v := value.Profits(&p.own, p.inter, in.Until(asOf), in.Settings.CostPerMinute); len(v) > 0 {
		p.val = v[0]
	}
}

// history gathers the customer's satisfaction, complaints, preferences (purchases keep
// accepts, by category and channel) and timeline up to the as-of date.
func (p *portrait) history(d *kexi.Dataset, keep func(time.Time) bool) {
	c, asOf := p.c, p.asOf
	p.nps, p.csat = -1, -1
	for i := range d.Surveys {
		s := &d.Surveys[i]
		if s.CustomerID != c.ID || s.At.After(asOf) {
			continue
		}
		switch s.Kind {
		case kexi.NPS:
			p.nps = s.Score
		case kexi.CSAT:
			p.csat = s.Score
		}
		p.tl = append(p.tl, Event{At: s.At, Kind: "survey", Detail: terms(s.Kind, strconv.FormatFloat(s.Score, 'g', -1, 64), s.Comment), Amount: s.Score})
	}
	for _, x := range p.inter {
		if x.At.After(asOf) {
			continue
		}
		if x.Kind == kexi.Complaint && asOf.Sub(x.At) <= 90*24*time.Hour {
			p.complaints++
		}
		p.tl = append(p.tl, Event{At: x.At, Kind: "interaction", Detail: terms(x.Kind, x.Channel, x.Subject), Amount: x.Minutes})
	}
	p.orders(keep)
	for i := range d.Responses {
		r := &d.Responses[i]
		if r.CustomerID == c.ID && !r.At.After(asOf) {
			p.tl = append(p.tl, Event{At: r.At, Kind: "response", Detail: terms(r.Campaign, r.Kind), Amount: r.Value})
		}
	}
	sort.SliceStable(p.tl, func(i, j int) bool { return p.tl[i].At.Before(p.tl[j].At) })
}

// orders adds the customer's orders and returns to the timeline and their purchases that
// keep accepts to the category and channel preferences.
func (p *portrait) orders(keep func(time.Time) bool) {
	own := &p.own
	p.catVal, p.chN = map[string]float64{}, map[string]int{}
	for i := range own.Len() {
		at := own.Time(i)
		if at.After(p.asOf) {
			continue
		}
		kind := "order"
		amt := own.Amount[i]
		status, channel := own.Status(i), own.Channel(i)
		if status == kexi.StatusReturn {
			kind, amt = "return", own.Returned[i]
		}
		p.tl = append(p.tl, Event{At: at, Kind: kind, Detail: terms(own.ExternalID(i), channel, status), Amount: amt})
		if own.IsPurchase(i) && keep(at) {
			p.chN[channel]++
			lo, hi := own.LineRange(i)
			for j := lo; j < hi; j++ {
				p.catVal[own.Lines.ItemOf(j).Category] += own.Lines.Quantity[j] * own.Lines.UnitPrice[j]
			}
		}
	}
}

// segments returns the customer's RFM segments ("" without purchases).
func (p *portrait) segments() (cn8, rfm10 string) {
	if p.rrow != nil {
		return p.rrow.CN8, p.rrow.RFM10
	}
	return "", ""
}

// figures returns the summary.
func (p *portrait) figures() []analysis.Figure {
	c := p.c
	out := []analysis.Figure{{Key: "customer_id", Value: float64(c.ID)}, {Key: "name", Text: c.Name}}
	if r := p.rrow; r != nil {
		out = append(out,
			analysis.Figure{Key: "recency", Value: float64(r.Recency), Unit: "days"},
			analysis.Figure{Key: "frequency", Value: float64(r.Frequency)},
			analysis.Figure{Key: "monetary", Value: r.Monetary, Unit: "currency"},
			analysis.Figure{Key: "cell", Text: r.Cell()},
			analysis.Figure{Key: "cn8", Text: r.CN8},
			analysis.Figure{Key: "rfm10", Text: r.RFM10})
	}
	if p.tier != "" {
		out = append(out, analysis.Figure{Key: "tier", Text: p.tier})
	}
	out = append(out,
		analysis.Figure{Key: "stage", Text: p.stage},
		analysis.Figure{Key: "revenue", Value: p.val.Revenue, Unit: "currency"},
		analysis.Figure{Key: "profit", Value: p.val.Profit, Unit: "currency"},
		analysis.Figure{Key: "complaints_90d", Value: float64(p.complaints)})
	if p.nps >= 0 {
		out = append(out, analysis.Figure{Key: "latest_nps", Value: p.nps})
	}
	if p.csat >= 0 {
		out = append(out, analysis.Figure{Key: "latest_csat", Value: p.csat})
	}
	return out
}

// attributes lists the customer's fields that are set, then their custom fields by name.
func attributes(c *kexi.Customer) analysis.Table {
	attr := analysis.Table{Key: "attributes", Columns: []analysis.Column{{Key: "attribute", Type: "label"}, {Key: "value", Type: "string"}}}
	addA := func(k, v string) {
		if v != "" {
			attr.Rows = append(attr.Rows, []any{k, v})
		}
	}
	addA("external_id", c.ExternalID)
	addA("name", c.Name)
	addA("kind", string(c.Kind))
	addA("gender", c.Gender)
	if c.Age > 0 {
		addA("age", strconv.Itoa(c.Age))
	}
	addA("income_band", c.IncomeBand)
	addA("occupation", c.Occupation)
	addA("province", c.Province)
	addA("city", c.City)
	addA("channel", c.Channel)
	addA("campaign", c.Campaign)
	addA("owner", c.Owner)
	addA("tags", strings.Join(c.Tags, ", "))
	keys := make([]string, 0, len(c.Custom))
	for k := range c.Custom {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		attr.Rows = append(attr.Rows, []any{"custom_field", k + ": " + c.Custom[k]})
	}
	return attr
}

// actions lists the next best actions.
func (p *portrait) actions() analysis.Table {
	act := analysis.Table{Key: "actions", Columns: []analysis.Column{{Key: "action", Type: "label"}, {Key: "reason", Type: "label"}}}
	cn8, _ := p.segments()
	for _, x := range Advise(Tags{Segment: cn8, Tier: p.tier, Stage: p.stage, Complaints90: p.complaints, NPS: p.nps}) {
		act.Rows = append(act.Rows, []any{x.Action, x.Reason})
	}
	return act
}

// preferences lists the customer's top three categories (by value) and channels (by
// purchases), each with its share.
func (p *portrait) preferences() analysis.Table {
	pref := analysis.Table{Key: "preferences", Columns: []analysis.Column{{Key: "preference", Type: "label"}, {Key: "value", Type: "string"}, {Key: "share", Type: "percent"}}}
	addTop := func(kind string, m map[string]float64) {
		var total float64
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		slices.SortFunc(ks, func(a, b string) int {
			if c := cmp.Compare(m[b], m[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		for _, k := range ks { // in a fixed order: a sum in map order differs in the last bits from run to run
			total += m[k]
		}
		for _, k := range ks[:min(3, len(ks))] {
			pref.Rows = append(pref.Rows, []any{kind, k, m[k] / total})
		}
	}
	addTop("category", p.catVal)
	chv := map[string]float64{}
	for k, v := range p.chN {
		chv[k] = float64(v)
	}
	addTop("channel", chv)
	return pref
}

// timeline lists the customer's events, newest first.
func (p *portrait) timeline() analysis.Table {
	tt := analysis.Table{Key: "timeline", Columns: []analysis.Column{{Key: "at", Type: "date"}, {Key: "event", Type: "label"}, {Key: "detail", Type: "terms"}, {Key: "amount", Type: "float"}}}
	for i := len(p.tl) - 1; i >= 0; i-- {
		e := p.tl[i]
		tt.Rows = append(tt.Rows, []any{e.At, e.Kind, e.Detail, e.Amount})
	}
	return tt
}

// terms joins the parts of an event's detail with " · ", leaving out empty ones: the column type
// "terms" tells a UI to translate each part that is a key (an interaction kind, an order
// status).
func terms(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

var labels = func() map[string]analysis.Text {
	m := map[string]analysis.Text{}
	for _, a := range []analysis.Analysis{rfm.New(), pyramid.New(), lifecycle.New(), value.New()} {
		for k, v := range a.Info().Labels {
			m[k] = v
		}
	}
	for k, v := range map[string]analysis.Text{
		"customer_id": {En: "Customer", Zh: "客户"}, "name": {En: "Name", Zh: "名称"},
		"recency": {En: "Days since last purchase", Zh: "距上次购买(天)"}, "frequency": {En: "Purchases", Zh: "购买次数"},
		"monetary": {En: "Total spend", Zh: "累计消费"}, "cell": {En: "RFM cell", Zh: "RFM 组合"},
		"cn8": {En: "Segment (8 classes)", Zh: "八类分群"}, "rfm10": {En: "Segment (R×F map)", Zh: "R×F 分群"},
		"tier": {En: "Pyramid tier", Zh: "金字塔层级"}, "stage": {En: "Lifecycle stage", Zh: "生命周期阶段"},
		"revenue": {En: "Revenue", Zh: "销售额"}, "profit": {En: "Profit contribution", Zh: "利润贡献"},
		"complaints_90d": {En: "Complaints in 90 days", Zh: "近 90 天投诉"}, "latest_nps": {En: "Latest NPS score", Zh: "最近 NPS 评分"},
		"latest_csat": {En: "Latest CSAT score", Zh: "最近 CSAT 评分"},
		"attributes":  {En: "Attributes", Zh: "基本属性"}, "attribute": {En: "Attribute", Zh: "属性"}, "value": {En: "Value", Zh: "值"},
		"external_id": {En: "External id", Zh: "外部编号"}, "kind": {En: "Kind", Zh: "类型"},
		"age": {En: "Age", Zh: "年龄"}, "channel": {En: "Channel", Zh: "渠道"},
		"campaign": {En: "Acquiring campaign", Zh: "获客活动"}, "tags": {En: "Tags", Zh: "标签"},
		"custom_field": {En: "Custom field", Zh: "自定义字段"},
		"actions":      {En: "Next best actions", Zh: "下一步最佳行动"}, "action": {En: "Action", Zh: "行动"}, "reason": {En: "Why", Zh: "原因"},
		"preferences": {En: "Preferences", Zh: "偏好"}, "preference": {En: "Preference", Zh: "偏好"}, "share": {En: "Share", Zh: "占比"},
		"category": {En: "Category", Zh: "品类"},
		"timeline": {En: "Timeline", Zh: "时间线"}, "at": {En: "When", Zh: "时间"}, "event": {En: "Event", Zh: "事件"},
		"detail": {En: "Detail", Zh: "详情"}, "amount": {En: "Amount", Zh: "金额"},
		"order": {En: "Order", Zh: "订单"}, "return": {En: "Return", Zh: "退货"}, "interaction": {En: "Interaction", Zh: "互动"},
		"survey": {En: "Survey", Zh: "调查"}, "response": {En: "Campaign response", Zh: "活动响应"},
		"winback_call":             {En: "Win-back call by their rep", Zh: "由负责人进行挽留回访"},
		"service_recovery":         {En: "Service recovery: resolve the complaint, then apologise with a gesture", Zh: "服务补救:先解决投诉,再致歉补偿"},
		"winback_offer":            {En: "Win-back offer", Zh: "发送召回优惠"},
		"referral_upsell":          {En: "Ask for a referral; offer an upgrade", Zh: "邀请转介绍,推荐升级产品"},
		"second_order_coupon":      {En: "Second-order coupon", Zh: "发放二次购买优惠券"},
		"first_order_offer":        {En: "First-order offer", Zh: "首单优惠"},
		"vip_care":                 {En: "VIP care: priority service and early access", Zh: "VIP 关怀:优先服务与新品优先体验"},
		"detractor_follow_up":      {En: "Call back about the low score", Zh: "针对低分回访"},
		"keep_in_touch":            {En: "Keep in touch with regular news", Zh: "保持常规联系"},
		"reason_important_winback": {En: "High value but long gone and rarely buys (重要挽留)", Zh: "价值高但久未购买且频次低(重要挽留客户)"},
		"reason_risk_complaint":    {En: "At risk or churned after a recent complaint", Zh: "近期投诉后出现流失风险"},
		"reason_churned":           {En: "No purchase for longer than the churn threshold", Zh: "超过流失阈值未购买"},
		"reason_loyal":             {En: "Loyal: many orders and still active", Zh: "忠诚:多次购买且仍活跃"},
		"reason_new":               {En: "New customer: the second order makes a habit", Zh: "新客:第二单培养习惯"},
		"reason_prospect":          {En: "Has not bought yet", Zh: "尚未购买"},
		"reason_important_value":   {En: "Recent, frequent, high spending (重要价值)", Zh: "最近、频繁、高消费(重要价值客户)"},
		"reason_detractor":         {En: "Latest NPS score is 6 or less", Zh: "最近 NPS 评分不高于 6"},
		"reason_default":           {En: "No special signal", Zh: "无特殊信号"},
	} {
		m[k] = v
	}
	return analysis.WithFields(m, "gender", "income_band", "occupation", "province", "city", "owner")
}()
