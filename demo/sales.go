package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/kexi/kexi"
)

// campPlan is one campaign as the generator sees it.
type campPlan struct {
	id, name, channel, segment string
	start, end                 int     // first and last day
	cost                       float64 // yuan
	reach                      float64 // share of eligible customers targeted
	uplift                     float64 // extra purchase probability for the treated
}

// Target segments of campaigns.
const (
	segAll      = "全部会员"
	segActive   = "活跃客户"
	segBusiness = "企业客户"
)

// fits reports whether a customer of the kind can be acquired by the campaign.
func (c *campPlan) fits(k kexi.CustomerKind) bool {
	if c.segment == segBusiness {
		return k != kexi.Individual
	}
	return true
}

// campaignPlans lays out four campaigns a year — 年货节 on WeChat, 618 on Douyin, an autumn
// trade show for businesses and 11.11 on search ads — keeping those that ended before End.
func (g *gen) campaignPlans() {
	r := g.rng(4)
	scale := float64(g.n) / DefaultCustomers
	type tmpl struct {
		name, channel, segment string
		from, to               func(y int) time.Time
		cost, reach, uplift    float64
	}
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, g.loc) }
	tmpls := []tmpl{
		{"年货节", chWeChat, segAll,
			func(y int) time.Time { return springFestivalDate(y, g.loc).AddDate(0, 0, -28) },
			func(y int) time.Time { return springFestivalDate(y, g.loc).AddDate(0, 0, -8) },
			60000, 0.35, 0.10},
		{"618年中大促", chDouyin, segActive,
			func(y int) time.Time { return date(y, time.June, 1) },
			func(y int) time.Time { return date(y, time.June, 18) },
			120000, 0.4, 0.12},
		{"秋季企业采购展会", chTradeShow, segBusiness,
			func(y int) time.Time { return date(y, time.September, 12) },
			func(y int) time.Time { return date(y, time.September, 14) },
			90000, 0.8, 0.15},
		{"双11狂欢节", chSearchAds, segAll,
			func(y int) time.Time { return date(y, time.October, 20) },
			func(y int) time.Time { return date(y, time.November, 11) },
			200000, 0.35, 0.10},
	}
	type dated struct {
		t    tmpl
		y    int
		a, b int
	}
	var all []dated
	for y := g.day[0].Year(); y <= g.end.Year(); y++ {
		for _, t := range tmpls {
			a, b := t.from(y), t.to(y)
			if a.Before(g.day[0]) || !b.Before(g.end) {
				continue
			}
			all = append(all, dated{t, y, g.dayOf(a), g.dayOf(b)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].a < all[j].a })
	for i, x := range all {
		g.camps = append(g.camps, campPlan{
			id:      fmt.Sprintf("CP%02d", i+1),
			name:    fmt.Sprintf("%d %s", x.y, x.t.name),
			channel: x.t.channel, segment: x.t.segment,
			start: x.a, end: x.b,
			cost:  math.Round(x.t.cost*scale*(0.85+0.3*r.Float64())/100) * 100,
			reach: x.t.reach, uplift: x.t.uplift,
		})
	}
	for _, c := range g.camps {
		g.b.Campaigns = append(g.b.Campaigns, kexi.Campaign{
			ExternalID: c.id, Name: c.name, Channel: c.channel,
			Start: g.day[c.start], End: g.day[c.end], Cost: c.cost, TargetSegment: c.segment,
		})
	}
}

// springFestivalDate returns the date of the Spring Festival in year y (February 1 for a year
// the table does not know).
func springFestivalDate(y int, loc *time.Location) time.Time {
	md, ok := springFestival[y]
	if !ok {
		md = [2]int{2, 1}
	}
	return time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, loc)
}

// campaignOn returns the index of a campaign running on day d (or in the week after it ended),
// or -1.
func (g *gen) campaignOn(d int) int {
	for i := range g.camps {
		if d >= g.camps[i].start && d <= g.camps[i].end+7 {
			return i
		}
	}
	return -1
}

// respPlan is a campaign response kept between the passes: the customer, the campaign, and
// what happened. A purchase among the customer's own orders (own) gets its value and time when
// those orders are made again.
type respPlan struct {
	at       time.Time
	value    float64
	customer int32
	camp     uint8
	kind     uint8 // index in respKinds
	control  bool
	own      bool
}

// respKinds are the kinds of response, as respPlan.kind numbers them (kindNone …).
var respKinds = [...]string{kindNone: respNone, kindPurchase: respPurchase, kindClick: respClick,
	kindUnsubscribe: respUnsubscribe}

// The kinds of response, as respPlan.kind numbers them.
const (
	kindNone uint8 = iota
	kindPurchase
	kindClick
	kindUnsubscribe
)

// windows records, for customers [lo, hi) whose own orders are in g.bo, the campaigns during
// which each made a purchase (bit ci of g.inWin).
func (g *gen) windows(lo, hi int) {
	for i := lo; i < hi; i++ {
		var bits uint32
		for ci := range g.camps {
			if g.orderIn(i, g.camps[ci].start, g.camps[ci].end) >= 0 {
				bits |= 1 << ci
			}
		}
		g.inWin[i] = bits
	}
}

// responses records each campaign's targeted customers and how they responded. A tenth of
// the targeted are held out as a control group: they buy only as they would have anyway, while
// the treated also buy because of the campaign (an extra order), click or unsubscribe. It runs
// once every customer's own orders are known (g.inWin); the extra orders are kept as the state
// of the stream that makes them, and counted in the customers' spend.
func (g *gen) responses() {
	r, src := g.rngState(6)
	g.resp = make([]respPlan, 0, 2*g.n+1024)
	for ci := range g.camps {
		cp := &g.camps[ci]
		for i := range g.cust {
			p := &g.cust[i]
			if p.beh == duplicate || p.acq >= cp.start {
				continue
			}
			switch cp.segment {
			case segBusiness:
				if p.kind == kexi.Individual {
					continue
				}
			case segActive:
				if p.beh == oneTime || p.churn < cp.start-30 && (p.back < 0 || p.back > cp.start) {
					continue
				}
			}
			if r.Float64() >= cp.reach {
				continue
			}
			control := r.Float64() < 0.1
			resp := respPlan{customer: int32(i), camp: uint8(ci), control: control, at: g.day[cp.start].Add(10 * time.Hour)}
			if g.inWin[i]&(1<<ci) != 0 {
				resp.kind, resp.own = kindPurchase, true
			} else if !control {
				switch u := r.Float64(); {
				case u < cp.uplift:
					d := g.order.sample(r, cp.start, cp.end+1)
					g.extra = append(g.extra, extraOrder{customer: int32(i), day: int32(d), src: *src})
					c := g.ref(i)
					o := g.order1(r, p, &c, d, time.Time{})
					resp.kind, resp.value, resp.at = kindPurchase, o.Amount, o.OrderedAt
				case u < cp.uplift+0.2:
					resp.kind = kindClick
					resp.at = g.at(r, g.order.sample(r, cp.start, cp.end+1), hourPick[ocOnline])
				case u < cp.uplift+0.22:
					resp.kind = kindUnsubscribe
				}
			}
			g.resp = append(g.resp, resp)
		}
	}
	// Index the purchases among own orders by customer, to fill them in block by block.
	g.ownStart = make([]int32, g.n+1)
	for k := range g.resp {
		if g.resp[k].own {
			g.ownStart[g.resp[k].customer+1]++
		}
	}
	for i := range g.n {
		g.ownStart[i+1] += g.ownStart[i]
	}
	g.ownResp = make([]int32, g.ownStart[g.n])
	next := slices.Clone(g.ownStart[:g.n])
	for k := range g.resp {
		if c := g.resp[k].customer; g.resp[k].own {
			g.ownResp[next[c]] = int32(k)
			next[c]++
		}
	}
}

// fillResponses gives the purchases among own orders of customers [lo, hi) (in g.bo) their
// value and time.
func (g *gen) fillResponses(lo, hi int) {
	for i := lo; i < hi; i++ {
		for _, k := range g.ownResp[g.ownStart[i]:g.ownStart[i+1]] {
			rp := &g.resp[k]
			cp := &g.camps[rp.camp]
			o := g.ord(g.orderIn(i, cp.start, cp.end))
			rp.value, rp.at = o.Amount, o.OrderedAt
		}
	}
}

// response returns campaign response k of n.
func (g *gen) response(k int) kexi.CampaignResponse {
	rp := &g.resp[k]
	return kexi.CampaignResponse{ExternalID: idOf("CR", k, len(g.resp), 7), Campaign: g.camps[rp.camp].id,
		Customer: g.cids.id(int(rp.customer)), Control: rp.control, Kind: respKinds[rp.kind],
		Value: rp.value, At: rp.at}
}

// extraOrder makes campaign order k again.
func (g *gen) extraOrder(k int) kexi.Order {
	x := &g.extra[k]
	src := x.src
	p := g.cust[x.customer] // a copy: the order is already in the customer's spend
	c := g.ref(int(x.customer))
	return g.order1(rand.New(&src), &p, &c, int(x.day), time.Time{})
}

// orderIn returns the index of customer ci's first purchase on days [a, b] among its own
// orders (in g.bo), or -1.
func (g *gen) orderIn(ci, a, b int) int {
	p := &g.cust[ci]
	os := g.bo[p.lo-g.obase : p.hi-g.obase]
	from := g.day[a]
	to := g.day[b].AddDate(0, 0, 1)
	k := sort.Search(len(os), func(k int) bool { return !os[k].OrderedAt.Before(from) })
	for ; k < len(os) && os[k].OrderedAt.Before(to); k++ {
		if os[k].IsPurchase() {
			return p.lo + k
		}
	}
	return -1
}

// leadPlan is a lead kept until every lead is known, to number them in the order they were
// created: when it was created, and the state of the stream that makes it again. A won lead
// names its customer and the value of the customer's first order.
type leadPlan struct {
	created  int64 // Unix nanoseconds
	src      rand.PCG
	first    float64
	customer int32 // -1: a lead that did not convert
}

// leadStages are the stages of a won lead, in order.
var leadStages = []string{kexi.StageNew, kexi.StageConsultation, kexi.StageFollowUp, kexi.StageQuote, kexi.StageWon}

// wonLeads makes the sales funnel's won leads of customers [lo, hi): a won lead for most
// business customers and for many individuals who came through paid or social channels (won
// just before their first order).
func (g *gen) wonLeads(lo, hi int) {
	r, src := g.rLead, g.pcgLead
	for i := lo; i < hi; i++ {
		p := &g.cust[i]
		c := &g.bc[i-lo]
		if p.beh == duplicate || p.acq < 0 {
			continue // the CRM's lead records begin with the history
		}
		prob := 0.08
		switch {
		case p.kind != kexi.Individual:
			prob = 0.9
		case c.Channel != chOrganic && c.Channel != chStore:
			prob = 0.45
		}
		if r.Float64() >= prob {
			continue
		}
		lp := leadPlan{src: *src, first: g.ord(p.lo).Amount, customer: int32(i)}
		l := g.wonLead(r, c, p, lp.first)
		lp.created = l.CreatedAt.UnixNano()
		g.leads = append(g.leads, lp)
	}
}

// wonLead makes the won lead of the customer with record c and plan p.
func (g *gen) wonLead(r *rand.Rand, c *kexi.Customer, p *plan, first float64) kexi.Lead {
	biz := p.kind != kexi.Individual
	won := p.acqTime.Add(-time.Duration(1+r.IntN(36)) * time.Hour)
	dwell := stageDwell(biz)
	entries := make([]kexi.StageEntry, len(leadStages))
	t := won
	for k := len(leadStages) - 1; k >= 0; k-- {
		entries[k] = kexi.StageEntry{Stage: leadStages[k], EnteredAt: t}
		if k > 0 {
			t = t.Add(-time.Duration(r.ExpFloat64() * dwell[k-1] * float64(24*time.Hour)))
		}
	}
	l := kexi.Lead{Name: c.Name, Source: c.Channel, Campaign: c.Campaign, Owner: c.Owner,
		Stage: kexi.StageWon, Stages: entries, Value: round2(first), Customer: c.ExternalID, Province: c.Province,
		CreatedAt: entries[0].EnteredAt}
	if biz {
		l.Company = c.Name
		l.Name = contactName(r)
		l.Value = round2(first * (1 + r.Float64()))
	}
	return l
}

// lostLeads makes the leads that did not convert, so that there are about three leads in all
// per customer, the rest lost along the way or still open.
func (g *gen) lostLeads() {
	r, src := g.rLead, g.pcgLead
	for range 3*g.n - len(g.leads) {
		lp := leadPlan{src: *src, customer: -1}
		lp.created = g.lostLead(r).CreatedAt.UnixNano()
		g.leads = append(g.leads, lp)
	}
	// Number the leads in the order they were created.
	g.leadOrder = make([]int32, len(g.leads))
	for k := range g.leadOrder {
		g.leadOrder[k] = int32(k)
	}
	slices.SortStableFunc(g.leadOrder, func(a, b int32) int { return cmp.Compare(g.leads[a].created, g.leads[b].created) })
}

// lead returns the k-th lead in the order they were created.
func (g *gen) lead(k int) kexi.Lead {
	lp := &g.leads[g.leadOrder[k]]
	src := lp.src
	r := rand.New(&src)
	var l kexi.Lead
	if lp.customer >= 0 {
		c := g.customerAt(int(lp.customer))
		l = g.wonLead(r, &c, &g.cust[lp.customer], lp.first)
	} else {
		l = g.lostLead(r)
	}
	l.ExternalID = idOf("LD", k, len(g.leads), 6)
	return l
}

// regionPick draws a province by its weight.
var regionPick = func() *picker {
	w := make([]float64, len(provinces))
	for i, p := range provinces {
		w[i] = p.weight
	}
	return newPicker(w)
}()

// leadAdvance is the chance of moving on from new, consultation and follow-up: getting from
// follow-up to a quote is the bottleneck. leadSourceFactor scales it by source.
var (
	leadAdvance      = [3]float64{0.72, 0.55, 0.22}
	leadSourceFactor = map[string]float64{chReferral: 1.2, chTradeShow: 1.1, chDouyin: 0.8, chXiaohongshu: 0.85}
)

// lostLead makes a lead that did not convert (yet).
func (g *gen) lostLead(r *rand.Rand) kexi.Lead {
	d := g.acq.sample(r, 0, g.days)
	src := choice(r, leadSources)
	biz := src == chTradeShow || r.Float64() < 0.25
	l := kexi.Lead{Source: src, Name: contactName(r)}
	if ci := g.campaignOn(d); ci >= 0 && g.camps[ci].channel == src && r.Float64() < 0.7 {
		l.Campaign = g.camps[ci].id
	}
	prov := provinces[regionPick.pick(r)]
	l.Province = prov.name
	if biz {
		l.Company, _ = companyName(r, prov.cities[0].name)
		l.Value = round2(lognormal(r, 40000, 0.8))
	} else {
		l.Value = round2(lognormal(r, 1500, 0.7))
	}
	if r.Float64() < 0.85 {
		reps := regionReps[prov.region]
		l.Owner = reps[r.IntN(len(reps))]
		if biz && r.Float64() < 0.5 {
			l.Owner = salesReps[6+r.IntN(2)]
		}
	}
	dwell := stageDwell(biz)
	t := g.at(r, d, officePick)
	l.Stages = []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: t}}
	f := leadSourceFactor[src]
	if f == 0 {
		f = 1
	}
	for k := 0; ; k++ {
		t = t.Add(time.Duration(r.ExpFloat64() * dwell[min(k, 3)] * float64(24*time.Hour)))
		if !t.Before(g.end) {
			break // still open
		}
		if k < 3 && r.Float64() < min(leadAdvance[k]*f, 0.95) {
			l.Stages = append(l.Stages, kexi.StageEntry{Stage: leadStages[k+1], EnteredAt: t})
			continue
		}
		l.Stages = append(l.Stages, kexi.StageEntry{Stage: kexi.StageLost, EnteredAt: t})
		l.LostReason = lostReason(r, k)
		break
	}
	l.Stage = l.Stages[len(l.Stages)-1].Stage
	l.CreatedAt = l.Stages[0].EnteredAt
	return l
}

// stageDwell returns the mean days spent in new, consultation, follow-up and quote.
func stageDwell(biz bool) [4]float64 {
	if biz {
		return [4]float64{1, 4, 6, 8}
	}
	return [4]float64{0.5, 1.5, 2.5, 3}
}

// lostReason draws why a lead was lost at stage k (0 new … 3 quote).
func lostReason(r *rand.Rand, k int) string {
	var ws []weighted
	switch k {
	case 0, 1:
		ws = []weighted{{lostNoResponse, 50}, {lostChange, 25}, {lostBudget, 25}}
	case 2:
		ws = []weighted{{lostNoResponse, 20}, {lostBudget, 30}, {lostChange, 20}, {lostCompetitor, 30}}
	default:
		ws = []weighted{{lostPrice, 45}, {lostCompetitor, 35}, {lostBudget, 10}, {lostChange, 10}}
	}
	return choice(r, ws)
}

// contactName returns a Chinese person's name.
func contactName(r *rand.Rand) string {
	sur := surnames[surnamePick.pick(r)]
	if r.Float64() < 0.5 {
		return sur.han + givenMale[malePick.pick(r)].han
	}
	return sur.han + givenFemale[femalePick.pick(r)].han
}
