package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kexi/kexi"
)

// declareFields declares the membership fields.
func (g *gen) declareFields() {
	levels := make([]string, len(memberLevels))
	for i, l := range memberLevels {
		levels[i] = l.name
	}
	g.b.CustomFields = []kexi.CustomField{
		{Entity: "customer", Name: fieldLevel, Type: kexi.FieldChoice, Choices: levels},
		{Entity: "customer", Name: fieldPoints, Type: kexi.FieldNumber},
		{Entity: "customer", Name: fieldSince, Type: kexi.FieldDate},
	}
}

// customFields fills the membership fields of the individual members among customers [lo, hi):
// the level from lifetime spend, points, and the date the card was opened.
func (g *gen) customFields(lo, hi int) {
	r := g.rFields
	for i := lo; i < hi; i++ {
		p := &g.cust[i]
		c := &g.bc[i-lo]
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

// interactionMix is the mix of contact kinds: of individuals, of unhappy individuals and of
// business accounts.
var (
	interactionIndividual = []weighted{{kexi.Consultation, 40}, {kexi.Communication, 14}, {kexi.AfterSales, 32},
		{kexi.Complaint, 4}, {kexi.Visit, 1}}
	interactionUnhappy = []weighted{{kexi.Consultation, 40}, {kexi.Communication, 14}, {kexi.AfterSales, 32},
		{kexi.Complaint, 21}, {kexi.Visit, 1}}
	interactionBusiness = []weighted{{kexi.Visit, 25}, {kexi.Communication, 30}, {kexi.Consultation, 20},
		{kexi.AfterSales, 20}, {kexi.Complaint, 5}}
)

// contact adds a service or sales contact of kind with customer ci on day d to g.xs.
func (g *gen) contact(r *rand.Rand, ci, d int, kind string) {
	{
		if d < 0 || d >= g.days {
			return
		}
		p := &g.cust[ci]
		c := g.ref(ci)
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
		g.xs = append(g.xs, x)
	}
}

// interactions makes the service and sales contacts of customers [lo, hi) into g.xs:
// consultations around purchases, visits and calls for business accounts, and complaints —
// more of them from unhappy customers and in the months before a customer leaves.
func (g *gen) interactions(lo, hi int) {
	r := g.rInter
	add := func(ci, d int, kind string) { g.contact(r, ci, d, kind) }
	indiv, indivUnhappy, biz := interactionIndividual, interactionUnhappy, interactionBusiness
	g.xs = make([]kexi.Interaction, 0, 4*(hi-lo))
	for ci := lo; ci < hi; ci++ {
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
			last = g.dayOf(g.ord(p.hi - 1).OrderedAt)
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
}

// afterSales adds to g.xs the after-sales contacts that returns[from:to] cause.
func (g *gen) afterSales(from, to int) {
	r := g.rInter
	g.xs = nil
	for _, rt := range g.returned[from:to] {
		if r.Float64() < 0.6 {
			kind := kexi.AfterSales
			if r.Float64() < 0.15 {
				kind = kexi.Complaint
			}
			g.contact(r, rt.customer, g.dayOf(rt.at)+r.IntN(3), kind)
		}
	}
}

// surveys makes NPS, CSAT and CES answers a few days after orders. Scores follow the
// customer's satisfaction, which is lower among customers who later leave, and dip after
// festival rushes when deliveries are slow.
func (g *gen) surveys(lo, hi int) {
	r := g.rSurv
	ss := make([]kexi.SurveyResponse, 0, hi-lo)
	channels := []weighted{{"questionnaire", 50}, {"phone", 20}, {"online_review", 30}}
	for ci := lo; ci < hi; ci++ {
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
			o := g.ord(p.lo + r.IntN(own))
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
	g.ss = ss
}

func clampScore(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

// pages are the web pages of the catalogue: of each product, category and category search.
type pages struct {
	product, category, search map[string]string
}

// setupPages makes the pages of the products in g.b.
func (g *gen) setupPages() {
	g.pages = pages{map[string]string{}, map[string]string{}, map[string]string{}}
	for _, p := range g.b.Products {
		g.pages.product[p.ExternalID] = "/p/" + p.ExternalID
		g.pages.category[p.Category] = "/c/" + p.Category
		g.pages.search[p.Category] = "/search?q=" + p.Category
	}
}

// newSession starts the next web session.
func (g *gen) newSession() {
	g.session++
	g.sid = "sess-" + strconv.Itoa(g.session)
}

// emit adds an event of the session to g.es when t is before the end of the data and returns
// the time of the next.
func (g *gen) emit(cust, anon string, t time.Time, typ, page string, dwell float64) time.Time {
	if !t.Before(g.end) {
		return t
	}
	g.es = append(g.es, kexi.WebEvent{Customer: cust, AnonymousID: anon, At: t, Type: typ, Page: page,
		Dwell: math.Round(dwell), SessionID: g.sid})
	return t.Add(time.Duration(dwell+1+float64(g.rEv.IntN(5))) * time.Second)
}

// events makes web sessions of customers [lo, hi) into g.es: for about a third of the
// customers who buy online, a session before many of their online orders (views, searches, add
// to cart, checkout) and some browsing that led nowhere.
func (g *gen) events(lo, hi int) {
	r := g.rEv
	g.es = make([]kexi.WebEvent, 0, 10*(hi-lo))
	emit := g.emit
	productPage, categoryPage, searchPage := g.pages.product, g.pages.category, g.pages.search
	view := func() float64 { return math.Max(2, lognormal(r, 25, 0.8)) }
	online := func(ch string) bool { return ch == ocOnline || ch == ocApp || ch == ocMiniProgram }
	for ci := lo; ci < hi; ci++ {
		p := &g.cust[ci]
		c := &g.bc[ci-lo]
		if p.kind != kexi.Individual || !online(p.channel) || p.hi == p.lo || r.Float64() >= 0.4 {
			continue
		}
		sessions := 0
		for k := p.lo; k < p.hi && sessions < 30; k++ {
			o := g.ord(k)
			if !online(o.Channel) || r.Float64() >= 0.5 || len(o.Items) == 0 {
				continue
			}
			sessions++
			g.newSession()
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
		last := g.dayOf(g.ord(p.hi - 1).OrderedAt)
		for range poisson(r, 1.5) {
			from := max(p.acq, 0)
			d := from + r.IntN(min(last+60, g.days)-from)
			g.newSession()
			g.browse(r, c.ExternalID, "", g.at(r, d, hourPick[ocOnline]), emit, view, productPage, categoryPage)
		}
	}
}

// visitors makes the sessions of anonymous visitors [from, to) of g.n/2 into g.es.
func (g *gen) visitors(from, to int) {
	r := g.rEv
	g.es = nil
	view := func() float64 { return math.Max(2, lognormal(r, 25, 0.8)) }
	for v := from; v < to; v++ {
		g.newSession()
		anon := "anon-" + strconv.FormatUint(uint64(v)*2654435761%4294967296, 16)
		d := g.acq.sample(r, 0, g.days)
		g.browse(r, "", anon, g.at(r, d, hourPick[ocOnline]), g.emit, view, g.pages.product, g.pages.category)
	}
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
