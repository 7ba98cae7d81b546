package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// products makes the catalogue: about 60 products in 8 categories, each with its SKU, price and
// a cost that gives the category's margin give or take a fifth.
func (g *gen) products() {
	r := g.rng(1)
	g.prodByCat = make([][]int, len(categories))
	byName := map[string]int{}
	seq := make([]int, len(categories))
	for i, s := range catalogue {
		cat := categories[s.cat]
		seq[s.cat]++
		margin := cat.margin * (0.8 + 0.4*r.Float64())
		g.b.Products = append(g.b.Products, kexi.Product{
			ExternalID: fmt.Sprintf("%s-%03d", cat.code, seq[s.cat]),
			Name:       s.name,
			Category:   cat.name,
			Price:      s.price,
			Cost:       round2(s.price * (1 - margin)),
		})
		g.prodByCat[s.cat] = append(g.prodByCat[s.cat], i)
		byName[s.name] = i
	}
	g.companion = make([][]int, len(catalogue))
	for i, s := range catalogue {
		for _, c := range strings.Split(s.companions, "|") {
			if c != "" {
				j, ok := byName[c]
				if !ok {
					panic("demo: companion " + c + " of " + s.name + " is not in the catalogue")
				}
				g.companion[i] = append(g.companion[i], j)
			}
		}
	}
	// Cheaper products sell more often.
	g.prodPick = make([]*picker, len(categories))
	for c, idx := range g.prodByCat {
		w := make([]float64, len(idx))
		for k, i := range idx {
			w[k] = (0.5 + r.Float64()) / math.Sqrt(catalogue[i].price)
		}
		g.prodPick[c] = newPicker(w)
	}
}

// companionOdds are the chances that an order with a product also holds its first, second
// and further companions.
var companionOdds = []float64{0.45, 0.3, 0.2}

// orders makes the own orders of customers [lo, hi) into g.bo: the first on the acquisition
// day, then a Poisson number in the active span(s), placed by the seasonal day weights.
func (g *gen) orders(lo, hi int) {
	r := g.rOrd
	g.obase = g.own
	g.bo = make([]kexi.Order, 0, (hi-lo)*13)
	year := g.order.mass(0, g.days) / float64(g.days) * 365 // weight of an average year
	days := g.dayBuf
	for i := lo; i < hi; i++ {
		p := &g.cust[i]
		p.lo = g.obase + len(g.bo)
		if p.beh == duplicate {
			p.hi = p.lo
			continue
		}
		days = days[:0]
		if p.acq >= 0 {
			days = append(days, p.acq)
		}
		span := func(a, b int) {
			if b <= a {
				return
			}
			k := poisson(r, p.rate*g.order.mass(a, b)/year)
			if k > 2000 {
				k = 2000
			}
			for range k {
				days = append(days, g.order.sample(r, a, b))
			}
		}
		if p.beh != oneTime {
			span(max(p.acq+1, 0), p.churn)
			if p.back >= 0 {
				days = append(days, p.back)
				span(p.back+1, p.backEnd)
			}
		}
		if len(days) == 0 {
			// An existing customer who would have placed no order in the history: one.
			days = append(days, g.order.sample(r, 0, max(p.churn, 1)))
		}
		slices.Sort(days)
		c := &g.bc[i-lo]
		for k, d := range days {
			var t time.Time
			if k == 0 && p.acq >= 0 {
				t = p.acqTime
			}
			g.bo = append(g.bo, g.order1(r, p, c, d, t))
		}
		p.hi = g.obase + len(g.bo)
	}
	g.dayBuf = days
	g.own += len(g.bo)
}

// ord returns own order k (a global index) of the block being made.
func (g *gen) ord(k int) *kexi.Order { return &g.bo[k-g.obase] }

// order1 makes one order of the customer with plan p and record c on day d (at t when t is not
// zero). Only c's ExternalID, Province and City are read.
func (g *gen) order1(r *rand.Rand, p *plan, c *kexi.Customer, d int, t time.Time) kexi.Order {
	biz := p.kind != kexi.Individual
	ch := p.channel
	if r.Float64() < 0.2 {
		if biz {
			ch = choice(r, orderChannelBusiness)
		} else {
			ch = choice(r, orderChannelIndividual)
		}
	}
	if t.IsZero() {
		if biz {
			// Businesses buy on working days.
			switch g.day[d].Weekday() {
			case time.Saturday:
				d = max(d-1, 0)
			case time.Sunday:
				d = max(d-2, 0)
			}
		}
		t = g.at(r, d, g.hoursFor(p, ch))
	}

	// Line items: favourite categories mostly, and companions now and then.
	n := 1
	switch u := r.Float64(); {
	case u < 0.55:
	case u < 0.80:
		n = 2
	case u < 0.92:
		n = 3
	default:
		n = 4 + r.IntN(3)
	}
	if cap(g.items)-len(g.items) < 16 {
		g.items = make([]kexi.OrderItem, 0, 1<<16)
	}
	first := len(g.items)
	add := func(pi int, qty float64) {
		sku := g.b.Products[pi].ExternalID
		for _, it := range g.items[first:] {
			if it.SKU == sku {
				return
			}
		}
		pr := &g.b.Products[pi]
		g.items = append(g.items, kexi.OrderItem{SKU: sku, Name: pr.Name, Category: pr.Category,
			Quantity: qty, UnitPrice: pr.Price, UnitCost: pr.Cost})
	}
	for range n {
		cat := p.favs.pick(r)
		if r.Float64() < 0.2 {
			cat = r.IntN(len(categories))
		}
		if len(g.prodByCat[cat]) == 0 {
			continue
		}
		pi := g.prodByCat[cat][g.prodPick[cat].pick(r)]
		qty := 1.0
		switch {
		case biz:
			qty = float64(1 + poisson(r, categories[cat].bulk*(0.3+r.Float64())))
		case cat == 5 || cat == 6: // food and household goods come by the few
			qty = float64(1 + poisson(r, 0.8))
		case r.Float64() < 0.1:
			qty = 2
		}
		add(pi, qty)
		for k, cp := range g.companion[pi] {
			if r.Float64() < companionOdds[min(k, len(companionOdds)-1)] {
				add(cp, qty)
			}
		}
	}
	items := g.items[first:len(g.items):len(g.items)]

	var sub, cost float64
	for _, it := range items {
		sub += it.Quantity * it.UnitPrice
		cost += it.Quantity * it.UnitCost
	}
	// Discounts: deep on festival days, coupons otherwise, negotiated for businesses.
	rate := 0.0
	s := g.sale[d]
	switch u := r.Float64(); {
	case biz:
		if u < 0.6 {
			rate = 0.03 + 0.09*r.Float64()
		}
	case s >= 2:
		if u < 0.75 {
			rate = 0.08 + 0.12*r.Float64()
		}
	case s > 1:
		if u < 0.45 {
			rate = 0.05 + 0.07*r.Float64()
		}
	default:
		if u < 0.22 {
			rate = 0.03 + 0.07*r.Float64()
		}
	}
	discount := round2(sub * rate)
	ship := 0.0
	if ch != ocStore {
		ship = 6 + 0.8*float64(len(items)) + 6*r.Float64()
		for _, it := range items {
			if it.Category == categories[2].name && it.UnitPrice >= 1000 {
				ship += 50 // large appliances
			}
		}
		if biz {
			ship *= 2
		}
	}
	status := kexi.StatusCompleted
	switch u := r.Float64(); {
	case u < 0.015:
		status = kexi.StatusCancelled
	case d >= g.days-3 && u < 0.4:
		status = kexi.StatusPending
	}
	amount := round2(sub - discount)
	if status != kexi.StatusCancelled {
		p.spend += amount
	}
	p.orders++
	return kexi.Order{
		Customer:  c.ExternalID,
		OrderedAt: t,
		Amount:    amount,
		Cost:      round2(cost),
		Shipping:  round2(ship),
		Discount:  discount,
		Channel:   ch,
		Status:    status,
		Province:  c.Province,
		City:      c.City,
		Items:     items,
	}
}

// setupReturns prepares the return rate of each category.
func (g *gen) setupReturns() {
	g.catRate = map[string]float64{}
	for _, c := range categories {
		g.catRate[c.name] = c.returnRate
	}
}

// returns marks some orders as (partly) returned: apparel most often, and customers who are
// unhappy more often. Most returns are recorded on the order; some as a separate return
// document (退货单) a few days later, kept in g.docs. os are orders of the customers owner(k)
// in the order they are numbered: each customer's own orders, then the campaigns' orders.
func (g *gen) returns(os []kexi.Order, owner func(k int) int) {
	r := g.rRet
	for k := range os {
		o := &os[k]
		if o.Status != kexi.StatusCompleted {
			continue
		}
		pr := 0.0
		for _, it := range o.Items {
			pr = max(pr, g.catRate[it.Category])
		}
		ci := owner(k)
		if g.cust[ci].sat < 0.5 {
			pr *= 1.5
		}
		if r.Float64() >= pr {
			continue
		}
		value := o.Amount
		if len(o.Items) > 1 || r.Float64() < 0.3 {
			it := o.Items[r.IntN(len(o.Items))]
			value = round2(min(it.UnitPrice*(1-o.Discount/(o.Amount+o.Discount)), o.Amount))
		}
		at := o.OrderedAt.Add(time.Duration(3*24+r.IntN(11*24)) * time.Hour)
		if r.Float64() < 0.15 && at.Before(g.end) {
			g.docs = append(g.docs, kexi.Order{Customer: o.Customer, OrderedAt: at, Returned: value,
				Channel: o.Channel, Status: kexi.StatusReturn, Province: o.Province, City: o.City})
			g.returned = append(g.returned, returned{customer: ci, at: at})
			continue
		}
		o.Returned = value
		g.returned = append(g.returned, returned{customer: ci, at: at})
	}
}

// returned is a return, for the after-sales contacts it causes.
type returned struct {
	customer int
	at       time.Time
}

// extraOrder is an order a campaign caused, beyond the customer's own orders: made again by
// order1 from the state its stream had.
type extraOrder struct {
	customer, day int32
	src           rand.PCG
}
