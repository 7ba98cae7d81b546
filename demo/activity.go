package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kexi/kexi"
)

// customFields declares the membership fields and fills them for individual members: the
// level from lifetime spend, points, and the date the card was opened.
func (g *gen) customFields() {
	levels := make([]string, len(memberLevels))
	for i, l := range memberLevels {
		levels[i] = l.name
	}
	g.b.CustomFields = []kexi.CustomField{
		{Entity: "customer", Name: fieldLevel, Type: kexi.FieldChoice, Choices: levels},
		{Entity: "customer", Name: fieldPoints, Type: kexi.FieldNumber},
		{Entity: "customer", Name: fieldSince, Type: kexi.FieldDate},
	}
	r := g.rng(7)
	for i := range g.cust {
		p := &g.cust[i]
		c := &g.b.Customers[i]
		if p.kind != kexi.Individual || p.orders == 0 || r.Float64() >= 0.85 {
			continue
		}
		level := memberLevels[0].name
		for _, l := range memberLevels {
			if p.spend >= l.spend {
				level = l.name
			}
		}
		points := math.Floor(p.spend * (1 - 0.6*r.Float64()))
		c.Custom = map[string]string{
			fieldLevel:  level,
			fieldPoints: strconv.FormatFloat(points, 'f', -1, 64),
			fieldSince:  c.CreatedAt.Format("2006-01-02"),
		}
	}
}

// serviceHours is when the service desk and the sales reps are in contact with customers.
var serviceHours = newPicker([]float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 5, 7, 7, 4, 5, 7, 7, 6, 5, 3, 2, 2, 1.5, 1, 0})

// interactions makes service and sales contacts: consultations around purchases, after-sales
// contacts after returns, visits and calls for business accounts, and complaints — more of
// them from unhappy customers and in the months before a customer leaves.
func (g *gen) interactions() {
	r := g.rng(8)
	xs := make([]kexi.Interaction, 0, 4*g.n)
	add := func(ci, d int, kind string) {
		if d < 0 || d >= g.days {
			return
		}
		p := &g.cust[ci]
		c := &g.b.Customers[ci]
		x := kexi.Interaction{Customer: c.ExternalID, At: g.at(r, d, serviceHours), Kind: kind}
		x.Channel = choice(r, interactionChannels[kind])
		subs := interactionSubjects[kind]
		x.Subject = subs[r.IntN(len(subs))]
		m := lognormal(r, interactionMinutes[kind], 0.5)
		if p.kind != kexi.Individual && kind == kexi.Visit {
			m *= 1.5
		}
		x.Minutes = math.Max(1, math.Round(m))
		switch {
		case kind == kexi.Visit || kind == kexi.Communication:
			x.Rep = c.Owner
			if x.Rep == "" {
				x.Rep = salesReps[r.IntN(6)]
			}
		default:
			x.Rep = serviceAgents[r.IntN(len(serviceAgents))]
		}
		if r.Float64() < 0.3 {
			x.Notes = []string{"已解决", "已升级至主管", "客户满意", "待跟进", "已发优惠券安抚", "已安排回访"}[r.IntN(6)]
		}
		xs = append(xs, x)
	}
	indiv := []weighted{{kexi.Consultation, 40}, {kexi.Communication, 14}, {kexi.AfterSales, 32},
		{kexi.Complaint, 4}, {kexi.Visit, 1}}
	indivUnhappy := []weighted{{kexi.Consultation, 40}, {kexi.Communication, 14}, {kexi.AfterSales, 32},
		{kexi.Complaint, 21}, {kexi.Visit, 1}}
	biz := []weighted{{kexi.Visit, 25}, {kexi.Communication, 30}, {kexi.Consultation, 20},
		{kexi.AfterSales, 20}, {kexi.Complaint, 5}}
	for ci := range g.cust {
		p := &g.cust[ci]
		if p.beh == duplicate && p.acq < 0 {
			continue
		}
		own := p.hi - p.lo
		var m float64
		ws := indiv
		switch {
		case p.kind != kexi.Individual:
			m = 3 + 0.25*float64(min(own, 120))
			ws = biz
		default:
			m = 0.8 + 0.12*float64(min(own, 120))
			if p.sat < 0.5 {
				ws = indivUnhappy
			}
		}
		last := p.acq
		if own > 0 {
			last = g.dayOf(g.b.Orders[p.hi-1].OrderedAt)
		}
		from, to := max(p.acq-10, 0), min(last+30, g.days)
		for range poisson(r, m) {
			add(ci, from+r.IntN(to-from), choice(r, ws))
		}
		// Complaints in the months before leaving.
		if p.churned(g.days) && r.Float64() < 0.6 {
			end := p.churn
			if p.back >= 0 {
				end = p.backEnd
			}
			for range 1 + r.IntN(2) {
				add(ci, max(end-1-r.IntN(75), p.acq, 0), kexi.Complaint)
			}
		}
	}
	for _, rt := range g.returned {
		if r.Float64() < 0.6 {
			kind := kexi.AfterSales
			if r.Float64() < 0.15 {
				kind = kexi.Complaint
			}
			add(rt.customer, g.dayOf(rt.at)+r.IntN(3), kind)
		}
	}
	ids := newIDBlock("IA", len(xs), 7)
	for k := range xs {
		xs[k].ExternalID = ids.id(k)
	}
	g.b.Interactions = xs
}

// surveys makes NPS, CSAT and CES answers a few days after orders. Scores follow the
// customer's satisfaction, which is lower among customers who later leave, and dip after
// festival rushes when deliveries are slow.
func (g *gen) surveys() {
	r := g.rng(9)
	ss := make([]kexi.SurveyResponse, 0, g.n)
	channels := []weighted{{"questionnaire", 50}, {"phone", 20}, {"online_review", 30}}
	for ci := range g.cust {
		p := &g.cust[ci]
		own := p.hi - p.lo
		if own == 0 {
			continue
		}
		prob := 0.4
		switch {
		case p.kind != kexi.Individual:
			prob = 0.5
		case p.beh == heavy || p.beh == whale:
			prob = 0.6
		}
		if r.Float64() >= prob {
			continue
		}
		n := min(1+poisson(r, 0.25+0.02*float64(own)), 8)
		for range n {
			o := &g.b.Orders[p.lo+r.IntN(own)]
			od := g.dayOf(o.OrderedAt)
			d := od + 2 + r.IntN(10)
			if d >= g.days {
				continue
			}
			s := p.sat + 0.08*r.NormFloat64()
			if g.sale[od] >= 2 {
				s -= 0.05
			}
			resp := kexi.SurveyResponse{Customer: o.Customer, At: g.at(r, d, serviceHours),
				Channel: choice(r, channels)}
			var tone float64 // 0 bad … 1 good
			switch u := r.Float64(); {
			case u < 0.5:
				resp.Kind = kexi.NPS
				resp.Score = clampScore(math.Round(3+8*s+1.2*r.NormFloat64()), 0, 10)
				tone = resp.Score / 10
			case u < 0.85:
				resp.Kind = kexi.CSAT
				resp.Score = clampScore(math.Round(1.4+4*s+0.6*r.NormFloat64()), 1, 5)
				tone = (resp.Score - 1) / 4
			default:
				resp.Kind = kexi.CES
				resp.Score = clampScore(math.Round(1+6*s+0.8*r.NormFloat64()), 1, 7)
				tone = (resp.Score - 1) / 6
			}
			if r.Float64() < 0.45 {
				var list []string
				switch {
				case tone >= 0.75:
					list = commentsGood
				case tone >= 0.5:
					list = commentsMixed
				default:
					list = commentsBad
				}
				resp.Comment = list[r.IntN(len(list))]
			}
			ss = append(ss, resp)
		}
	}
	ids := newIDBlock("SV", len(ss), 6)
	for k := range ss {
		ss[k].ExternalID = ids.id(k)
	}
	g.b.Surveys = ss
}

func clampScore(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

// events makes web sessions: for about a third of the customers who buy online, a session
// before many of their online orders (views, searches, add to cart, checkout) and some
// browsing that led nowhere; and sessions of anonymous visitors.
func (g *gen) events() {
	r := g.rng(11)
	es := make([]kexi.WebEvent, 0, 10*g.n)
	session := 0
	var sid string
	newSession := func() {
		session++
		sid = "sess-" + strconv.Itoa(session)
	}
	emit := func(cust, anon string, t time.Time, typ, page string, dwell float64) time.Time {
		if !t.Before(g.end) {
			return t
		}
		es = append(es, kexi.WebEvent{Customer: cust, AnonymousID: anon, At: t, Type: typ, Page: page,
			Dwell: math.Round(dwell), SessionID: sid})
		return t.Add(time.Duration(dwell+1+float64(r.IntN(5))) * time.Second)
	}
	productPage := map[string]string{}
	categoryPage := map[string]string{}
	searchPage := map[string]string{}
	for _, p := range g.b.Products {
		productPage[p.ExternalID] = "/p/" + p.ExternalID
		categoryPage[p.Category] = "/c/" + p.Category
		searchPage[p.Category] = "/search?q=" + p.Category
	}
	view := func() float64 { return math.Max(2, lognormal(r, 25, 0.8)) }
	online := func(ch string) bool { return ch == ocOnline || ch == ocApp || ch == ocMiniProgram }
	for ci := range g.cust {
		p := &g.cust[ci]
		c := &g.b.Customers[ci]
		if p.kind != kexi.Individual || !online(p.channel) || p.hi == p.lo || r.Float64() >= 0.4 {
			continue
		}
		sessions := 0
		for k := p.lo; k < p.hi && sessions < 30; k++ {
			o := &g.b.Orders[k]
			if !online(o.Channel) || r.Float64() >= 0.5 || len(o.Items) == 0 {
				continue
			}
			sessions++
			newSession()
			// Walk backwards from the checkout to find the session's start.
			n := 1 + len(o.Items) + 1
			t := o.OrderedAt.Add(-time.Duration(n*45+r.IntN(300)) * time.Second)
			if r.Float64() < 0.5 {
				t = emit(c.ExternalID, "", t, "page_view", "/", view())
			}
			if r.Float64() < 0.5 {
				t = emit(c.ExternalID, "", t, "search", searchPage[o.Items[0].Category], math.Max(2, lognormal(r, 8, 0.5)))
			}
			for _, it := range o.Items {
				t = emit(c.ExternalID, "", t, "page_view", productPage[it.SKU], view())
				t = emit(c.ExternalID, "", t, "add_to_cart", productPage[it.SKU], math.Max(1, lognormal(r, 3, 0.4)))
			}
			if t.After(o.OrderedAt) {
				t = o.OrderedAt.Add(-30 * time.Second)
			}
			emit(c.ExternalID, "", t, "checkout", "/checkout", math.Max(5, lognormal(r, 40, 0.4)))
		}
		// Browsing that led nowhere.
		last := g.dayOf(g.b.Orders[p.hi-1].OrderedAt)
		for range poisson(r, 1.5) {
			from := max(p.acq, 0)
			d := from + r.IntN(min(last+60, g.days)-from)
			newSession()
			g.browse(r, c.ExternalID, "", g.at(r, d, hourPick[ocOnline]), emit, view, productPage, categoryPage)
		}
	}
	for v := range g.n / 2 {
		newSession()
		anon := "anon-" + strconv.FormatUint(uint64(v)*2654435761%4294967296, 16)
		d := g.acq.sample(r, 0, g.days)
		g.browse(r, "", anon, g.at(r, d, hourPick[ocOnline]), emit, view, productPage, categoryPage)
	}
	ids := newIDBlock("EV", len(es), 7)
	for k := range es {
		es[k].ExternalID = ids.id(k)
	}
	g.b.Events = es
}

// browse emits a browsing session: a few product views, sometimes an add to cart.
func (g *gen) browse(r *rand.Rand, cust, anon string, t time.Time,
	emit func(cust, anon string, t time.Time, typ, page string, dwell float64) time.Time, view func() float64,
	productPage, categoryPage map[string]string) {
	t = emit(cust, anon, t, "page_view", "/", view())
	for range 1 + r.IntN(4) {
		p := &g.b.Products[r.IntN(len(g.b.Products))]
		if r.Float64() < 0.3 {
			t = emit(cust, anon, t, "page_view", categoryPage[p.Category], view())
		}
		t = emit(cust, anon, t, "page_view", productPage[p.ExternalID], view())
		if r.Float64() < 0.2 {
			t = emit(cust, anon, t, "add_to_cart", productPage[p.ExternalID], math.Max(1, lognormal(r, 3, 0.4)))
		}
	}
}
