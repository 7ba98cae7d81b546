package demo

import (
	"math/rand/v2"
	"sync"

	"github.com/kexi/kexi"
)

// DefaultBlock is the number of customers Stream makes at a time when asked for 0 or fewer:
// with their orders, contacts, surveys and web events about 170,000 records.
const DefaultBlock = 5000

// chunk is the most records Stream passes at a time after the blocks of customers.
const chunk = 200_000

// Stream makes the same data set as Generate and passes it to emit part by part, in an order an
// import can follow: first the products, campaigns, custom fields, competitors and SWOT board;
// then, block by block of customers, the customers with their own orders, contacts, surveys and
// web events; then the orders campaigns caused and the return documents, the contacts returns
// caused, the anonymous visitors' web events, the leads and the campaign responses. Each kind's
// records come in Generate's order. A block has block customers (0: all in one block).
//
// Memory stays bounded by the block, apart from about 650 bytes a customer: its plan, and the
// leads and campaign responses kept to number them (66 MB live at 100,000 customers,
// BenchmarkStream100k). To number every kind as Generate does before its first record is passed
// on, Stream draws the data twice: the first time it only counts. Stream does not reuse what it
// has passed on, so emit may keep it. An error from emit stops the stream and is returned.
func Stream(opts Options, block int, emit func(*kexi.Batch) error) error {
	g := newGen(opts)
	if block <= 0 {
		block = g.n
	}
	g.products()
	g.campaignPlans()
	g.setupCustomers()
	g.setupReturns()
	g.setupPages()
	g.declareFields()
	var wg sync.WaitGroup
	wg.Go(g.competitors)
	wg.Go(g.swot)
	wg.Wait()
	g.inWin = make([]uint32, g.n)
	if len(g.camps) > 32 {
		panic("demo: more than 32 campaigns")
	}

	// The first pass counts what the second numbers, and finds what the campaign responses need.
	g.pass(1, block, nil)
	if err := emit(&kexi.Batch{Products: g.b.Products, Campaigns: g.b.Campaigns, Competitors: g.b.Competitors,
		SWOT: g.b.SWOT, CustomFields: g.b.CustomFields}); err != nil {
		return err
	}
	return g.pass(2, block, emit)
}

// stream is the state carried from block to block.
type stream struct {
	rCust, rOrd, rRet, rFields, rInter, rSurv, rEv, rLead *rand.Rand
	pcgCust, pcgLead                                      *rand.PCG

	cids     idBlock    // customer ids
	provPick *picker    // provinces
	cityPick []*picker  // cities of each province
	ckpt     []rand.PCG // state of the customer stream before each customer
	dayBuf   []int

	// The block being made: its customers and their own orders, the first of them numbered
	// obase among all own orders.
	bc    []kexi.Customer
	bo    []kexi.Order
	obase int
	own   int // own orders made so far
	xs    []kexi.Interaction
	ss    []kexi.SurveyResponse
	es    []kexi.WebEvent

	session int
	sid     string

	inWin     []uint32 // per customer: bit ci when its own orders hold a purchase in campaign ci's window
	resp      []respPlan
	ownStart  []int32 // customer i's purchases among own orders: g.resp[g.ownResp[ownStart[i]:ownStart[i+1]]]
	ownResp   []int32
	extra     []extraOrder
	docs      []kexi.Order // return documents
	returned  []returned   // returns, for after-sales contacts
	leads     []leadPlan
	leadOrder []int32 // leads by creation

	// Counted by the first pass.
	nOrders, nInteractions, nSurveys, nEvents int
}

// pass draws the data once. The first pass (emit nil) counts the records and plans the
// campaign responses; the second numbers the records and passes them to emit.
func (g *gen) pass(n, block int, emit func(*kexi.Batch) error) error {
	g.rCust, g.pcgCust = g.rngState(2)
	g.rOrd = g.rng(3)
	g.rRet = g.rng(5)
	g.rFields = g.rng(7)
	g.rInter = g.rng(8)
	g.rSurv = g.rng(9)
	g.rLead, g.pcgLead = g.rngState(10)
	g.rEv = g.rng(11)
	g.own, g.session = 0, 0
	g.docs, g.returned, g.leads = nil, nil, nil
	var counts struct{ interactions, surveys, events int }
	send := func(b *kexi.Batch) error {
		counts.interactions += len(b.Interactions)
		counts.surveys += len(b.Surveys)
		counts.events += len(b.Events)
		if emit == nil {
			return nil
		}
		b.CustomFields = g.b.CustomFields
		return emit(b)
	}
	var spend []float64
	var ordersOf []int
	for lo := 0; lo < g.n; lo += block {
		hi := min(lo+block, g.n)
		if n == 2 {
			// The plans already count every order, the campaigns' too.
			spend, ordersOf = spend[:0], ordersOf[:0]
			for i := lo; i < hi; i++ {
				spend = append(spend, g.cust[i].spend)
				ordersOf = append(ordersOf, g.cust[i].orders)
			}
		}
		g.customers(lo, hi)
		g.orders(lo, hi)
		if n == 1 {
			g.windows(lo, hi)
		} else {
			for i := lo; i < hi; i++ {
				g.cust[i].spend, g.cust[i].orders = spend[i-lo], ordersOf[i-lo]
			}
			g.fillResponses(lo, hi)
		}
		g.returns(g.bo, func(k int) int { return g.orderOwner(lo, k) })
		// The rest reads what came before and writes its own part, each from its own
		// random stream, so it runs in parallel and stays deterministic.
		var wg sync.WaitGroup
		if n == 2 {
			wg.Go(func() { g.customFields(lo, hi) })
			wg.Go(func() { g.wonLeads(lo, hi) })
		}
		wg.Go(func() { g.interactions(lo, hi) })
		wg.Go(func() { g.surveys(lo, hi) })
		wg.Go(func() { g.events(lo, hi) })
		wg.Wait()
		if n == 2 {
			g.number(g.bo, g.obase, g.nOrders)
			g.numberRest(counts.interactions, counts.surveys, counts.events)
		}
		if err := send(&kexi.Batch{Customers: g.bc, Orders: g.bo, Interactions: g.xs, Surveys: g.ss, Events: g.es}); err != nil {
			return err
		}
		g.bc, g.bo, g.xs, g.ss, g.es = nil, nil, nil, nil, nil
	}
	g.obase = g.own
	if n == 1 {
		g.responses()
		g.nOrders = g.own + len(g.extra)
	}

	// The orders campaigns caused, and the return documents.
	for from := 0; from < len(g.extra); from += chunk {
		to := min(from+chunk, len(g.extra))
		os := make([]kexi.Order, to-from)
		for k := range os {
			os[k] = g.extraOrder(from + k)
		}
		g.returns(os, func(k int) int { return int(g.extra[from+k].customer) })
		if n == 2 {
			g.number(os, g.own+from, g.nOrders)
		}
		if err := send(&kexi.Batch{Orders: os}); err != nil {
			return err
		}
	}
	for from := 0; from < len(g.docs); from += chunk {
		to := min(from+chunk, len(g.docs))
		if n == 2 {
			for k := from; k < to; k++ {
				g.docs[k].ExternalID = idOf("RT", k, len(g.docs), 6)
			}
		}
		if err := send(&kexi.Batch{Orders: g.docs[from:to]}); err != nil {
			return err
		}
	}
	// The contacts returns caused, and anonymous visitors.
	for from := 0; from < len(g.returned); from += chunk {
		g.afterSales(from, min(from+chunk, len(g.returned)))
		if n == 2 {
			g.numberRest(counts.interactions, counts.surveys, counts.events)
		}
		if err := send(&kexi.Batch{Interactions: g.xs}); err != nil {
			return err
		}
		g.xs = nil
	}
	for from := 0; from < g.n/2; from += chunk / 10 {
		g.visitors(from, min(from+chunk/10, g.n/2))
		if n == 2 {
			g.numberRest(counts.interactions, counts.surveys, counts.events)
		}
		if err := send(&kexi.Batch{Events: g.es}); err != nil {
			return err
		}
	}
	g.xs, g.es = nil, nil
	if n == 1 {
		g.nInteractions, g.nSurveys, g.nEvents = counts.interactions, counts.surveys, counts.events
		return nil
	}

	// The leads, numbered in the order they were created, and the campaign responses.
	g.lostLeads()
	for from := 0; from < len(g.leads); from += chunk {
		ls := make([]kexi.Lead, min(from+chunk, len(g.leads))-from)
		for k := range ls {
			ls[k] = g.lead(from + k)
		}
		if err := send(&kexi.Batch{Leads: ls}); err != nil {
			return err
		}
	}
	for from := 0; from < len(g.resp); from += chunk {
		rs := make([]kexi.CampaignResponse, min(from+chunk, len(g.resp))-from)
		for k := range rs {
			rs[k] = g.response(from + k)
		}
		if err := send(&kexi.Batch{Responses: rs}); err != nil {
			return err
		}
	}
	return nil
}

// orderOwner returns the customer of own order k of the block whose first customer is lo.
func (g *gen) orderOwner(lo, k int) int {
	// Customers' orders are contiguous and in customer order: search the block.
	i, j := lo, lo+len(g.bc)
	k += g.obase
	for i < j {
		h := int(uint(i+j) >> 1)
		if g.cust[h].hi <= k {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// number gives orders os, the first numbered from of n, their ids.
func (g *gen) number(os []kexi.Order, from, n int) {
	for k := range os {
		os[k].ExternalID = idOf("O", from+k, n, 7)
	}
}

// numberRest gives the block's contacts, surveys and web events their ids, the first of each
// numbered from x, s and e.
func (g *gen) numberRest(x, s, e int) {
	for k := range g.xs {
		g.xs[k].ExternalID = idOf("IA", x+k, g.nInteractions, 7)
	}
	for k := range g.ss {
		g.ss[k].ExternalID = idOf("SV", s+k, g.nSurveys, 6)
	}
	for k := range g.es {
		g.es[k].ExternalID = idOf("EV", e+k, g.nEvents, 7)
	}
}
