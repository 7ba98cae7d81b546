// Package campaigns is analysis A15, campaign and cross analysis (活动与交叉分析): what kinds of
// response each campaign drew, response rates by segment, the uplift over the control group
// with its significance (effectiveness evaluation 效能评估), the key customers who respond
// repeatedly or buy after responding, and how the responder groups of different campaigns
// overlap.
//
// Definitions. A campaign's members are the distinct customers with a response record for it;
// members with Control set are the control group, the rest are targeted. A member responded
// when any of their records has a positive kind: every kind except the negative ones (option
// negative, default auto: see Negative). A campaign with a control group whose every member
// "responded" gets a note, as that usually means a no-response kind the rule does not know.
// Uplift (option metric): with metric=response, targeted response rate − control response
// rate; with metric=purchase, the share of members who bought (kexi.OrderTable.IsPurchase) between the
// campaign's start (or the member's first record) and its end (or start) plus window_days.
// Significance is the two-sided p-value of the pooled two-proportion z-test. Key customers are
// targeted responders who responded to at least min_campaigns campaigns or bought after their
// first response, ranked by revenue after that response. Overlap between campaigns X and Y
// compares their targeted responders: count of both, Jaccard = |X∩Y|/|X∪Y|, lift =
// P(X∧Y)/(P(X)·P(Y)) with probabilities over all customers in the Dataset.
package campaigns

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// ZTest returns the z statistic and two-sided p-value of the pooled two-proportion test of
// x1/n1 against x2/n2 (NaN when either group is empty or the pooled rate is 0 or 1).
func ZTest(x1, n1, x2, n2 int) (z, p float64) {
	if n1 == 0 || n2 == 0 {
		return math.NaN(), math.NaN()
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	pool := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return math.NaN(), math.NaN()
	}
	z = (p1 - p2) / se
	return z, 2 * distuv.UnitNormal.Survival(math.Abs(z))
}

// Overlap compares two sorted sets of customer ids over a universe of n customers.
func Overlap(x, y []int64, n int) (both int, jaccard, lift float64) {
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			both++
			i++
			j++
		}
	}
	union := len(x) + len(y) - both
	jaccard, lift = math.NaN(), math.NaN()
	if union > 0 {
		jaccard = float64(both) / float64(union)
	}
	if len(x) > 0 && len(y) > 0 && n > 0 {
		lift = float64(both) * float64(n) / (float64(len(x)) * float64(len(y)))
	}
	return both, jaccard, lift
}

// negativeWords are response kinds that mean no response or a refusal, in English and Chinese,
// after normalising (see norm).
var negativeWords = map[string]bool{
	"": true, "no": true, "none": true, "n/a": true, "na": true, "null": true, "nil": true, "0": true, "false": true,
	"no response": true, "noresponse": true, "not responded": true, "non response": true, "nonresponse": true,
	"no reply": true, "not replied": true, "no answer": true, "unanswered": true, "not interested": true,
	"ignored": true, "ignore": true, "unsubscribed": true, "unsubscribe": true, "unsub": true,
	"opt out": true, "opted out": true, "optout": true, "declined": true, "decline": true, "rejected": true,
	"reject": true, "refused": true, "refuse": true, "bounced": true, "bounce": true, "undelivered": true,
	"unopened": true, "not opened": true, "unread": true, "not read": true, "no show": true, "noshow": true,
	"complained": true, "spam": true, "failed": true, "invalid": true,
	"否": true, "无": true, "空": true, "拒绝": true, "退订": true, "取消订阅": true, "忽略": true, "退信": true,
	"投诉": true, "屏蔽": true, "拉黑": true, "失败": true, "无效": true, "发送失败": true,
}

// negativePrefixes mark a kind as negative by its start: 无 (none), 未 (not yet), 没 (not), 不
// (not), 拒 (refuse) in Chinese, "no "/"not "/"non " in English. Kinds such as 无响应, 未响应,
// 未回复, 没有回应, 不感兴趣, 拒收, "not opened" are negative without being listed.
var negativePrefixes = []string{"无", "未", "没", "不", "拒", "no ", "not ", "non "}

// norm lower-cases a kind, trims it and turns runs of spaces, underscores and hyphens into one
// space, so "No_Response", "no-response" and " no response " are one word.
func norm(kind string) string {
	f := strings.FieldsFunc(strings.ToLower(kind), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\t' || r == '\u3000'
	})
	return strings.Join(f, " ")
}

// Negative returns a classifier of response kinds for the negative option: a comma-separated
// list of kinds that are not a response, where the word auto stands for the built-in rule (a
// fixed list of negative words in English and Chinese — no response, ignored, unsubscribed,
// declined, bounced, 无, 否, 拒绝, 退订, 忽略 … — plus any kind that starts with 无, 未, 没, 不,
// 拒, "no ", "not " or "non "). Kinds are compared after norm.
func Negative(option string) func(kind string) bool {
	auto := false
	extra := map[string]bool{}
	for _, k := range strings.Split(option, ",") {
		k = norm(k)
		if k == "auto" {
			auto = true
			continue
		}
		extra[k] = true
	}
	return func(kind string) bool {
		k := norm(kind)
		if extra[k] {
			return true
		}
		if !auto {
			return false
		}
		if negativeWords[k] {
			return true
		}
		for _, p := range negativePrefixes {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	}
}

// member is one customer's part in one campaign.
type member struct {
	id        int64
	control   bool
	responded bool
	first     time.Time // first record
	firstResp time.Time // first positive record
}

type camp struct {
	c       *kexi.Campaign
	key     string
	members []member          // by id
	records int               // records for members: at least len(members)
	kinds   map[string][2]int // kind → targeted, control record counts
}

// responder is a targeted member who responded: their id and first positive record.
type responder struct {
	id    int64
	first time.Time
}

// key is a customer who responded to campaigns as a targeted member.
type key struct {
	id        int64
	campaigns int       // campaigns responded to
	first     time.Time // first response to any of them
	hasOrders bool
}

// keyCustomers folds responders into one key per customer, by id. A stable radix sort on the id
// keeps each customer's hits in campaign order, so the first response of equal times is the
// one of the earliest campaign, as folding them one by one in that order gives.
func keyCustomers(hits []responder) []key {
	ids := make([]uint64, len(hits))
	for i := range hits {
		ids[i] = stats.IntKey(hits[i].id)
	}
	keys := make([]key, 0, len(hits))
	for _, i := range stats.RadixOrder(ids) {
		h := &hits[i]
		if len(keys) == 0 || keys[len(keys)-1].id != h.id {
			keys = append(keys, key{id: h.id, first: h.first})
		}
		k := &keys[len(keys)-1]
		k.campaigns++
		if h.first.Before(k.first) {
			k.first = h.first
		}
	}
	return keys
}

// record is one response counted for a campaign's members.
type record struct {
	id                int64
	at                time.Time
	cp                *camp
	control, positive bool
}

// addMembers folds the records into their campaigns' members, each campaign's members in id
// order. The records are ordered by id with a stable radix sort, so a customer's records are
// folded in response order (first seen wins a tie of times), as a map per campaign would,
// without a map entry and a pointer per member.
func addMembers(recs []record) {
	keys := make([]uint64, len(recs))
	for i := range recs {
		keys[i] = stats.IntKey(recs[i].id)
		recs[i].cp.records++
	}
	for i := range recs {
		if cp := recs[i].cp; cp.members == nil {
			cp.members = make([]member, 0, cp.records)
		}
	}
	for _, i := range stats.RadixOrder(keys) {
		r := &recs[i]
		ms := r.cp.members
		if len(ms) == 0 || ms[len(ms)-1].id != r.id {
			r.cp.members = append(ms, member{id: r.id, first: r.at})
		}
		m := &r.cp.members[len(r.cp.members)-1]
		m.control = m.control || r.control
		if r.at.Before(m.first) {
			m.first = r.at
		}
		if r.positive {
			if !m.responded || r.at.Before(m.firstResp) {
				m.firstResp = r.at
			}
			m.responded = true
		}
	}
}

// campaignsAnalysis is A15 for the registry.
type campaignsAnalysis struct{}

// New returns the campaign analysis.
func New() analysis.Analysis { return campaignsAnalysis{} }

// Info describes the analysis.
func (campaignsAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "campaigns",
		Code:    "A15",
		Title:   analysis.Text{En: "Campaigns and cross analysis", Zh: "活动与交叉分析"},
		Summary: analysis.Text{En: "Which campaigns worked, for whom, better than doing nothing, and who are the customers who keep responding?", Zh: "哪些活动有效、对谁有效、比不做更好吗？哪些客户持续响应？"},
		Options: []analysis.Option{
			{Key: "group_by", Default: "province", Type: "string", Help: analysis.Text{En: "Customer field for response rates: kind, gender, province, city, channel, owner, occupation, education, income_band, country or custom.NAME", Zh: "响应率分组字段：kind、gender、province、city、channel、owner、occupation、education、income_band、country 或 custom.字段名"}},
			{Key: "metric", Default: "response", Type: "choice", Choices: []string{"response", "purchase"}, Help: analysis.Text{En: "Uplift on the response rate or on the purchase rate in the campaign window", Zh: "按响应率或活动期内购买率计算提升"}},
			{Key: "window_days", Default: "30", Type: "int", Help: analysis.Text{En: "Days after a campaign's end that still count as its window", Zh: "活动结束后仍计入活动窗口的天数"}},
			{Key: "min_campaigns", Default: "2", Type: "int", Help: analysis.Text{En: "A customer who responded to this many campaigns is a key customer", Zh: "响应过这么多次活动的客户即为重点客户"}},
			{Key: "negative", Default: "auto", Type: "string", Help: analysis.Text{En: "Response kinds that are not a response, comma separated; auto is the built-in list (no response, ignored, unsubscribed, declined, 无响应, 未响应, 拒绝, 退订 …, and kinds starting with 无/未/没/不/拒 or no/not/non)", Zh: "不算响应的回应类型，逗号分隔；auto 为内置规则（no response、ignored、unsubscribed、declined、无响应、未响应、拒绝、退订等，以及以 无/未/没/不/拒 或 no/not/non 开头的类型）"}},
		},
		Labels: map[string]analysis.Text{
			"campaigns": {En: "Campaigns", Zh: "活动数"}, "members": {En: "Targeted", Zh: "目标客户"}, "responders": {En: "Responders", Zh: "响应客户"},
			"response_rate": {En: "Response rate", Zh: "响应率"}, "control_members": {En: "Control group", Zh: "对照组"}, "control_responders": {En: "Control responders", Zh: "对照组响应"},
			"control_rate": {En: "Control rate", Zh: "对照组比率"}, "target_rate": {En: "Targeted rate", Zh: "目标组比率"}, "uplift": {En: "Uplift", Zh: "提升"},
			"z": {En: "z", Zh: "z 值"}, "p_value": {En: "p-value", Zh: "p 值"}, "significant": {En: "Significant (p < 0.05)", Zh: "显著（p < 0.05）"},
			"campaign": {En: "Campaign", Zh: "活动"}, "kind": {En: "Response kind", Zh: "回应类型"}, "targeted": {En: "Targeted records", Zh: "目标组记录"},
			"control": {En: "Control records", Zh: "对照组记录"}, "share": {En: "Share", Zh: "占比"}, "patterns": {En: "Response patterns", Zh: "回应模式"},
			"segments": {En: "Response rate by segment", Zh: "分群响应率"}, "segment": {En: "Segment", Zh: "分群"}, "key_customers": {En: "Key customers", Zh: "重点客户"},
			"customer": {En: "Customer", Zh: "客户"}, "campaigns_responded": {En: "Campaigns responded to", Zh: "响应活动数"}, "first_response": {En: "First response", Zh: "首次响应"},
			"revenue_after": {En: "Revenue after responding", Zh: "响应后收入"}, "orders_after": {En: "Orders after responding", Zh: "响应后订单"},
			"overlap": {En: "Overlap between campaigns", Zh: "活动交叉"}, "campaign_x": {En: "Campaign X", Zh: "活动 X"}, "campaign_y": {En: "Campaign Y", Zh: "活动 Y"},
			"both": {En: "Responded to both", Zh: "共同响应"}, "jaccard": {En: "Jaccard", Zh: "杰卡德系数"}, "lift": {En: "Lift", Zh: "提升度"},
			"response_rates": {En: "Response rate, targeted vs control", Zh: "目标组与对照组响应率"}, "uplift_by_campaign": {En: "Uplift by campaign", Zh: "各活动提升"},
			"overlap_lift": {En: "Lift between campaigns' responders", Zh: "活动响应者交叉提升度"}, "response_kinds": {En: "Response kinds", Zh: "回应类型分布"},
			"key_customer_count": {En: "Key customers", Zh: "重点客户数"},
			"responded_to":       {En: "Responded to", Zh: "响应的活动"}, "responder_campaigns": {En: "Each responder's campaigns", Zh: "响应客户及其响应的活动"}, "(none)": {En: "(none)", Zh: "（无）"}, "true": {En: "Yes", Zh: "是"}, "false": {En: "No", Zh: "否"},
		},
		Needs: []string{"campaigns", "responses", "customers"},
		Reads: []string{"campaigns", "responses", "customers", "orders"},
	}
}

// options are the parsed options.
type options struct {
	groupBy, metric          string
	windowDays, minCampaigns int
	negative                 func(kind string) bool
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	op := options{groupBy: strings.TrimSpace(o.String("group_by")), metric: o.String("metric"),
		windowDays: o.Int("window_days"), minCampaigns: o.Int("min_campaigns"), negative: Negative(o.String("negative"))}
	if err := o.Err(); err != nil {
		return op, err
	}
	if _, ok := (&kexi.Customer{}).Field(op.groupBy); !ok {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "group_by", Value: op.groupBy,
			Reason: "expected kind, gender, province, city, channel, owner, occupation, education, income_band, country or custom.NAME"}}}
	}
	if op.windowDays < 0 || op.minCampaigns < 1 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "window_days/min_campaigns",
			Reason: "expected window_days ≥ 0 and min_campaigns ≥ 1"}}}
	}
	return op, nil
}

// Run computes the campaign analysis over the responses in the period.
func (a campaignsAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
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
	camps := collect(d, in.Until(time.Time{}), op.negative)
	tallies, hits := tally(camps, op, segmentOf(d.Customers, op.groupBy), purchased(&d.Orders, in.AsOf))
	keys := keyCustomers(hits)
	kr := keyRows(keys, &d.Orders, in.AsOf, op.minCampaigns)
	universe := len(d.Customers)
	if universe == 0 {
		universe = len(keys)
	}
	return result(info.Name, in.AsOf, op.metric, camps, tallies, keys, kr, universe), ctx.Err()
}

// collect returns the campaigns with response records in the period (inPeriod), sorted by
// key, with their members: the campaigns of the Dataset, and one per unknown campaign name
// the responses give. A record counts as a response unless negative says its kind is not one.
func collect(d *kexi.Dataset, inPeriod func(time.Time) bool, negative func(string) bool) []*camp {
	byID := map[int64]*camp{}
	byExt := map[string]*camp{}
	var camps []*camp
	for i := range d.Campaigns {
		c := &d.Campaigns[i]
		name := c.Name
		if name == "" {
			name = c.ExternalID
		}
		cp := &camp{c: c, key: name, kinds: map[string][2]int{}}
		camps = append(camps, cp)
		byID[c.ID] = cp
		if c.ExternalID != "" {
			byExt[c.ExternalID] = cp
		}
	}
	isNegative := map[string]bool{} // by the raw kind: negative after trimming and lower-casing
	records := make([]record, 0, len(d.Responses))
	for i := range d.Responses {
		r := &d.Responses[i]
		cp := byID[r.CampaignID]
		if cp == nil {
			cp = byExt[r.Campaign]
		}
		if cp == nil {
			key := r.Campaign
			if key == "" {
				key = "(none)"
			}
			cp = &camp{c: &kexi.Campaign{Name: key}, key: key, kinds: map[string][2]int{}}
			camps = append(camps, cp)
			byExt[r.Campaign] = cp
		}
		at := r.At
		if at.IsZero() {
			at = cp.c.Start
		}
		if !at.IsZero() && !inPeriod(at) {
			continue
		}
		kc := cp.kinds[r.Kind]
		if r.Control {
			kc[1]++
		} else {
			kc[0]++
		}
		cp.kinds[r.Kind] = kc
		if r.CustomerID == 0 {
			continue
		}
		neg, ok := isNegative[r.Kind]
		if !ok {
			neg = negative(r.Kind)
			isNegative[r.Kind] = neg
		}
		records = append(records, record{id: r.CustomerID, at: at, cp: cp, control: r.Control, positive: !neg})
	}
	addMembers(records)
	camps = slices.DeleteFunc(camps, func(c *camp) bool { return len(c.kinds) == 0 })
	slices.SortStableFunc(camps, func(a, b *camp) int { return cmp.Compare(a.key, b.key) })
	return camps
}

// segmentOf returns a customer's value of the field ("(none)" when unknown or not a
// customer). The values are read in one pass in customer order rather than once per campaign
// member in response order, and customers are found through a compact copy of the ids.
func segmentOf(customers []kexi.Customer, field string) func(id int64) string {
	cids := make([]int64, len(customers))
	group := make([]string, len(customers))
	for i := range customers {
		cids[i] = customers[i].ID
		group[i], _ = customers[i].Field(field)
	}
	find := analysis.Positions(cids)
	return func(id int64) string {
		var v string
		if i := find(id); i >= 0 {
			v = group[i]
		}
		if v == "" {
			v = "(none)"
		}
		return v
	}
}

// purchased returns whether a customer made a purchase from from to to (inclusive), not after
// asOf.
func purchased(ot *kexi.OrderTable, asOf time.Time) func(id int64, from, to time.Time) bool {
	return func(id int64, from, to time.Time) bool {
		lo, hi := ot.CustomerOrders(id)
		for i := lo; i < hi; i++ {
			if !ot.IsPurchase(i) {
				continue
			}
			if at := ot.Time(i); !at.Before(from) && !at.After(to) && !at.After(asOf) {
				return true
			}
		}
		return false
	}
}

// counts is one campaign's members and hits: targeted n (x responded, pn hit the metric),
// control nc (xc responded, pc hit), the targeted by segment (members, responders) and the
// targeted responders' ids, ascending.
type counts struct {
	n, x, pn, nc, xc, pc int
	segs                 map[string][2]int
	responders           []int64
}

// tally counts each campaign's members and returns those counts and every targeted
// responder (campaign by campaign, in id order). A hit is a response, or with the purchase
// metric a purchase in the campaign's window: its start to its end plus windowDays (a member's
// first record when the campaign has no dates), a window ending at midnight taking in that
// whole day.
func tally(camps []*camp, op options, segment func(int64) string, bought func(int64, time.Time, time.Time) bool) ([]counts, []responder) {
	out := make([]counts, len(camps))
	total := 0
	for ci, cp := range camps {
		n := 0
		for i := range cp.members {
			if m := &cp.members[i]; m.responded && !m.control {
				n++
			}
		}
		out[ci].responders = make([]int64, 0, n)
		total += n
	}
	hits := make([]responder, 0, total)
	for ci, cp := range camps {
		c := &out[ci]
		c.segs = map[string][2]int{}
		start, end := cp.c.Start, cp.c.End
		if end.IsZero() {
			end = start
		}
		for i := range cp.members {
			m := &cp.members[i]
			id := m.id
			hit := m.responded
			if op.metric == "purchase" {
				from, to := start, end
				if from.IsZero() {
					from, to = m.first, m.first
				}
				to = to.AddDate(0, 0, op.windowDays)
				if to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 {
					to = analysis.EndOfDay(to, to.Location())
				}
				hit = bought(id, from, to)
			}
			if m.control {
				c.nc++
				if m.responded {
					c.xc++
				}
				if hit {
					c.pc++
				}
				continue
			}
			c.n++
			if m.responded {
				c.x++
				c.responders = append(c.responders, id)
				hits = append(hits, responder{id, m.firstResp})
			}
			if hit {
				c.pn++
			}
			v := segment(id)
			s := c.segs[v]
			s[0]++
			if m.responded {
				s[1]++
			}
			c.segs[v] = s
		}
	}
	return out, hits
}

// keyRow is a key customer with their purchases from their first response to the as-of date.
type keyRow struct {
	k       *key
	orders  int
	revenue float64
}

// keyRows returns the key customers: responders to at least minCampaigns campaigns or with a
// purchase since their first response, by that revenue, then campaigns (highest first), then
// id. It marks the keys with orders.
func keyRows(keys []key, ot *kexi.OrderTable, asOf time.Time, minCampaigns int) []keyRow {
	kr := make([]keyRow, 0, len(keys))
	// One merge pass: responders by id against the orders, both sorted by customer id.
	ki := 0
	ot.Runs(func(cid int64, lo, hi int) {
		for ki < len(keys) && keys[ki].id < cid {
			ki++
		}
		if ki == len(keys) || keys[ki].id != cid {
			return
		}
		k := &keys[ki]
		k.hasOrders = true
		var n int
		var rev float64
		for i := lo; i < hi; i++ {
			if !ot.IsPurchase(i) {
				continue
			}
			if at := ot.Time(i); !at.Before(k.first) && !at.After(asOf) {
				n++
				rev += ot.Amount[i]
			}
		}
		if k.campaigns >= minCampaigns || n > 0 {
			kr = append(kr, keyRow{k, n, rev})
		}
		ki++
	})
	// Responders without any order can still be key customers by the campaign count.
	for i := range keys {
		if k := &keys[i]; k.campaigns >= minCampaigns && !k.hasOrders {
			kr = append(kr, keyRow{k, 0, 0})
		}
	}
	slices.SortFunc(kr, func(a, b keyRow) int {
		if c := cmp.Compare(b.revenue, a.revenue); c != 0 {
			return c
		}
		if c := cmp.Compare(b.k.campaigns, a.k.campaigns); c != 0 {
			return c
		}
		return cmp.Compare(a.k.id, b.k.id)
	})
	return kr
}

// rate is a/b, NaN when b is 0.
func rate(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// result turns the counts into the Result.
func result(name string, asOf time.Time, metric string, camps []*camp, tallies []counts, keys []key, kr []keyRow, universe int) *analysis.Result {
	res := &analysis.Result{Name: name, AsOf: asOf}
	up, seg, rates, upS, notes := uplift(camps, tallies)
	res.Notes = notes
	pat, pie := patterns(camps)
	kt := keyTable(kr)
	rt2, drillable := responderTable(camps, tallies, keys)
	up.Drill = analysis.Drill{Column: "responded_to", Key: "campaign", Count: "responders", Values: drillable}
	if metric == "response" { // the targeted rate is then the responders' share
		rates.Drill = analysis.Drill{Column: "responded_to", Values: drillable, Y: "target_rate"}
	}
	ov, heat := overlap(camps, tallies, drillable, universe)
	var totalMembers, totalResp int
	for _, c := range tallies {
		totalMembers += c.n
		totalResp += c.x
	}
	overall := math.NaN()
	if totalMembers > 0 {
		overall = float64(totalResp) / float64(totalMembers)
	}
	res.Summary = []analysis.Figure{{Key: "campaigns", Value: float64(len(camps))}, {Key: "members", Value: float64(totalMembers)},
		{Key: "responders", Value: float64(totalResp)}, {Key: "response_rate", Value: overall, Unit: "%"},
		{Key: "key_customer_count", Value: float64(len(kt.Rows)), Drill: analysis.Everyone("customer")}}
	res.Tables = []analysis.Table{up, pat, seg, kt, ov, rt2}
	res.Series = []analysis.Series{rates, upS, heat, pie}
	return res
}

// uplift is each campaign's rates, targeted against control, with the two-proportion test,
// and its response rate by segment; a note for each campaign whose whole control group counts
// as responding.
func uplift(camps []*camp, tallies []counts) (up, seg analysis.Table, rates, upS analysis.Series, notes []analysis.Note) {
	up = analysis.Table{Key: "campaigns", Columns: []analysis.Column{{Key: "campaign", Type: "string"}, {Key: "members", Type: "int"},
		{Key: "responders", Type: "int"}, {Key: "response_rate", Type: "percent"}, {Key: "control_members", Type: "int"},
		{Key: "control_responders", Type: "int"}, {Key: "control_rate", Type: "percent"}, {Key: "target_rate", Type: "percent"},
		{Key: "uplift", Type: "percent"}, {Key: "z", Type: "float"}, {Key: "p_value", Type: "float"}, {Key: "significant", Type: "label"}}}
	seg = analysis.Table{Key: "segments", Columns: []analysis.Column{{Key: "campaign", Type: "string"}, {Key: "segment", Type: "string"},
		{Key: "members", Type: "int"}, {Key: "responders", Type: "int"}, {Key: "response_rate", Type: "percent"}}}
	rates = analysis.Series{Key: "response_rates", Kind: "bar"}
	upS = analysis.Series{Key: "uplift_by_campaign", Kind: "bar"}
	var rt, rc, uv []float64
	for ci, cp := range camps {
		c := &tallies[ci]
		z, p := ZTest(c.pn, c.n, c.pc, c.nc)
		sig := ""
		if !math.IsNaN(p) {
			sig = "false"
			if p < 0.05 {
				sig = "true"
			}
		}
		if c.nc > 0 && c.xc == c.nc {
			notes = append(notes, analysis.NewNote("control_all_respond",
				"campaign {campaign}: every control-group member counts as responding; if one of its response kinds means no response, name it in the negative option",
				"活动“{campaign}”的对照组成员全部被算作有响应：如果其中某种回应类型其实表示没有响应，请把它填入“视为未响应的类型”选项",
				analysis.V("campaign", cp.key)))
		}
		up.Rows = append(up.Rows, []any{cp.key, c.n, c.x, rate(c.x, c.n), c.nc, c.xc, rate(c.pc, c.nc), rate(c.pn, c.n), rate(c.pn, c.n) - rate(c.pc, c.nc), z, p, sig})
		rates.X = append(rates.X, cp.key)
		upS.X = append(upS.X, cp.key)
		rt = append(rt, rate(c.pn, c.n))
		rc = append(rc, rate(c.pc, c.nc))
		uv = append(uv, rate(c.pn, c.n)-rate(c.pc, c.nc))
		for _, sv := range slices.Sorted(maps.Keys(c.segs)) {
			s := c.segs[sv]
			seg.Rows = append(seg.Rows, []any{cp.key, sv, s[0], s[1], rate(s[1], s[0])})
		}
	}
	rates.Y = []analysis.Values{{Key: "target_rate", Data: rt}, {Key: "control_rate", Data: rc}}
	upS.Y = []analysis.Values{{Key: "uplift", Data: uv}}
	return up, seg, rates, upS, notes
}

// patterns is each campaign's records by response kind, and all the targeted records by kind.
func patterns(camps []*camp) (analysis.Table, analysis.Series) {
	pat := analysis.Table{Key: "patterns", Columns: []analysis.Column{{Key: "campaign", Type: "string"}, {Key: "kind", Type: "string"},
		{Key: "targeted", Type: "int"}, {Key: "control", Type: "int"}, {Key: "share", Type: "percent"}}}
	kindsAll := map[string]int{}
	for _, cp := range camps {
		var kinds []string
		var recs int
		for k, v := range cp.kinds {
			kinds = append(kinds, k)
			recs += v[0]
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			v := cp.kinds[k]
			share := math.NaN()
			if recs > 0 {
				share = float64(v[0]) / float64(recs)
			}
			name := k
			if name == "" {
				name = "(none)"
			}
			pat.Rows = append(pat.Rows, []any{cp.key, name, v[0], v[1], share})
			kindsAll[name] += v[0]
		}
	}
	pie := analysis.Series{Key: "response_kinds", Kind: "pie"}
	var pv []float64
	for _, k := range slices.Sorted(maps.Keys(kindsAll)) {
		pie.X = append(pie.X, k)
		pv = append(pv, float64(kindsAll[k]))
	}
	pie.Y = []analysis.Values{{Key: "targeted", Data: pv}}
	return pat, pie
}

// keyTable lists the key customers.
func keyTable(kr []keyRow) analysis.Table {
	kt := analysis.Table{Key: "key_customers", PerCustomer: true, Columns: []analysis.Column{{Key: "customer", Type: "int"},
		{Key: "campaigns_responded", Type: "int"}, {Key: "first_response", Type: "date"}, {Key: "orders_after", Type: "int"},
		{Key: "revenue_after", Type: "currency"}}}
	kt.Rows = analysis.Rows(len(kr), len(kt.Columns))
	for i, r := range kr {
		var first any = r.k.first
		if r.k.first.IsZero() {
			first = nil
		}
		row := kt.Rows[i]
		row[0], row[1], row[2], row[3], row[4] = r.k.id, r.k.campaigns, first, r.orders, r.revenue
	}
	return kt
}

// responderTable lists each targeted responder and the campaigns they responded to (in
// campaign order), the per-customer table a campaign's responders drill down by: responded_to
// lists X for each of X's responders. It returns the campaigns' drill-down values: a campaign
// whose name holds ", " (the list's separator) cannot be told apart in the list and does not
// drill down ("").
func responderTable(camps []*camp, tallies []counts, keys []key) (analysis.Table, []string) {
	rt := analysis.Table{Key: "responder_campaigns", PerCustomer: true, Columns: []analysis.Column{{Key: "customer", Type: "int"},
		{Key: "responded_to", Type: "terms"}}}
	// Most responders answered one campaign: their cell is the campaign's key, boxed once per
	// campaign; the lists of the others are built in campaign order.
	first := make([]int32, len(keys)) // by the position in keys (id order): the first campaign
	lists := map[int][]byte{}         // the lists of those who responded to several
	at := func(id int64) int {
		i, _ := slices.BinarySearchFunc(keys, id, func(k key, id int64) int { return cmp.Compare(k.id, id) })
		return i
	}
	drillable := make([]string, len(camps))
	boxed := make([]any, len(camps))
	for ci, cp := range camps {
		boxed[ci] = cp.key
		if !strings.Contains(cp.key, ", ") {
			drillable[ci] = cp.key
		}
		for _, id := range tallies[ci].responders {
			i := at(id)
			switch {
			case keys[i].campaigns == 1:
				first[i] = int32(ci)
			case lists[i] == nil:
				lists[i] = append(make([]byte, 0, 2*len(cp.key)+2), cp.key...)
			default:
				lists[i] = append(append(lists[i], ", "...), cp.key...)
			}
		}
	}
	rt.Rows = analysis.Rows(len(keys), len(rt.Columns))
	for i := range keys {
		rt.Rows[i][0] = keys[i].id
		if l, ok := lists[i]; ok {
			rt.Rows[i][1] = string(l)
		} else {
			rt.Rows[i][1] = boxed[first[i]]
		}
	}
	return rt, drillable
}

// overlap compares every two campaigns' responders over a universe of customers.
func overlap(camps []*camp, tallies []counts, drillable []string, universe int) (analysis.Table, analysis.Series) {
	ov := analysis.Table{Key: "overlap", Columns: []analysis.Column{{Key: "campaign_x", Type: "string"}, {Key: "campaign_y", Type: "string"},
		{Key: "both", Type: "int"}, {Key: "jaccard", Type: "float"}, {Key: "lift", Type: "float"}}}
	// Both X's and Y's responders: a cell and a row drill on responded_to twice.
	heat := analysis.Series{Key: "overlap_lift", Kind: "heatmap",
		Drill: analysis.Drill{Column: "responded_to", YColumn: "responded_to", Values: drillable, YValues: drillable}}
	ov.Drill = analysis.Drill{Column: "responded_to", Key: "campaign_x", YColumn: "responded_to", Count: "both"}
	for i, cp := range camps {
		heat.X = append(heat.X, cp.key)
		heat.YCats = append(heat.YCats, cp.key)
		for j := i + 1; j < len(camps); j++ {
			both, jac, lift := Overlap(tallies[i].responders, tallies[j].responders, universe)
			ov.Rows = append(ov.Rows, []any{cp.key, camps[j].key, both, jac, lift})
			ov.Drill.Values = append(ov.Drill.Values, drillable[i])
			ov.Drill.YValues = append(ov.Drill.YValues, drillable[j])
			heat.Cells = append(heat.Cells, [3]float64{float64(i), float64(j), lift}, [3]float64{float64(j), float64(i), lift})
		}
	}
	return ov, heat
}
