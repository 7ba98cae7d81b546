// Package synth makes large synthetic Datasets quickly, for benchmarks: 100k customers and 1M
// orders in about a second. It is not realistic (package demo is); it only has the shapes and
// the spread the analyses need: skewed order counts and amounts, several channels, provinces
// and categories, returns, interactions, surveys, leads with stage histories, campaigns with
// control groups, and web events.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kexi/kexi"
)

// Options sizes the Dataset. Zero values get defaults: 10,000 customers, 10 orders each,
// ending 2025-12-31.
type Options struct {
	Customers int
	Orders    int
	Seed      uint64
	End       time.Time
}

var (
	provinces  = []string{"广东", "江苏", "山东", "浙江", "河南", "四川", "上海", "北京", "湖北", "福建"}
	cities     = []string{"广州", "南京", "济南", "杭州", "郑州", "成都", "上海", "北京", "武汉", "福州"}
	channels   = []string{"online", "store", "app", "phone", "mini_program"}
	acq        = []string{"search_ads", "wechat", "douyin", "referral", "offline", "trade_show"}
	categories = []string{"apparel", "shoes", "beauty", "home", "food", "electronics", "sports", "books"}
	owners     = []string{"zhang.wei", "li.na", "wang.fang", "liu.yang", "chen.jie", "yang.li"}
	kinds      = []string{kexi.Consultation, kexi.Communication, kexi.Visit, kexi.AfterSales, kexi.Complaint}
	stages     = []string{kexi.StageNew, kexi.StageConsultation, kexi.StageFollowUp, kexi.StageQuote}
	reasons    = []string{"price", "competitor", "no_budget", "no_response"}
	comments   = []string{"物流太慢", "客服态度很好", "价格偏贵", "质量不错", ""}
)

// Dataset returns a normalised synthetic Dataset.
func Dataset(o Options) *kexi.Dataset {
	d, orders := generate(o)
	d.Orders = kexi.NewOrderTable(orders...)
	d.Normalize()
	return d
}

// Batch returns the records of Dataset(o) as an import Batch, with their ids.
func Batch(o Options) *kexi.Batch {
	d, orders := generate(o)
	return &kexi.Batch{Customers: d.Customers, Products: d.Products, Campaigns: d.Campaigns, Orders: orders,
		Interactions: d.Interactions, Events: d.Events, Surveys: d.Surveys, Leads: d.Leads, Responses: d.Responses}
}

// generate makes everything but the Dataset's order rows: the orders are returned as Orders.
func generate(o Options) (*kexi.Dataset, []kexi.Order) {
	if o.Customers <= 0 {
		o.Customers = 10_000
	}
	if o.Orders <= 0 {
		o.Orders = o.Customers * 10
	}
	if o.End.IsZero() {
		o.End = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6b657869))
	start := o.End.AddDate(-3, 0, 0)
	span := o.End.Sub(start)
	d := &kexi.Dataset{}

	// Products.
	for i := 0; i < 80; i++ {
		price := 10 + r.Float64()*490
		d.Products = append(d.Products, kexi.Product{ID: int64(i + 1), ExternalID: fmt.Sprintf("P%03d", i+1),
			Name: fmt.Sprintf("Product %d", i+1), Category: categories[i%len(categories)], Price: round2(price),
			Cost: round2(price * (0.4 + 0.4*r.Float64()))})
	}
	// Campaigns.
	for i := 0; i < 12; i++ {
		s := start.Add(time.Duration(r.Int64N(int64(span))))
		d.Campaigns = append(d.Campaigns, kexi.Campaign{ID: int64(i + 1), ExternalID: fmt.Sprintf("K%02d", i+1),
			Name: fmt.Sprintf("Campaign %d", i+1), Channel: acq[i%len(acq)], Start: s, End: s.AddDate(0, 0, 30),
			Cost: float64(10_000 + r.IntN(90_000))})
	}
	// Customers: first purchase time and a Pareto-ish activity weight.
	d.Customers = make([]kexi.Customer, o.Customers)
	firsts := make([]time.Time, o.Customers)
	weights := make([]float64, o.Customers)
	var wsum float64
	for i := range d.Customers {
		p := r.IntN(len(provinces))
		first := start.Add(time.Duration(r.Int64N(int64(span))))
		firsts[i] = first
		w := math.Pow(r.Float64()+1e-9, -0.7) // heavy tail
		weights[i] = w
		wsum += w
		kind := kexi.Individual
		if r.IntN(10) == 0 {
			kind = kexi.Enterprise
		}
		d.Customers[i] = kexi.Customer{ID: int64(i + 1), ExternalID: fmt.Sprintf("C%07d", i+1),
			Name: fmt.Sprintf("客户%d", i+1), Kind: kind, Gender: []string{"male", "female"}[r.IntN(2)],
			Age: 18 + r.IntN(60), Province: provinces[p], City: cities[p], Channel: acq[r.IntN(len(acq))],
			Campaign: d.Campaigns[r.IntN(len(d.Campaigns))].ExternalID, Owner: owners[r.IntN(len(owners))],
			Phone: fmt.Sprintf("13%09d", r.IntN(1_000_000_000)), Email: fmt.Sprintf("c%d@example.com", i+1),
			Custom:    map[string]string{"level": []string{"gold", "silver", "bronze"}[r.IntN(3)]},
			CreatedAt: first, UpdatedAt: first}
	}
	// Orders: each customer gets at least one; the rest are spread by weight.
	counts := make([]int, o.Customers)
	left := o.Orders - o.Customers
	for i := range counts {
		counts[i] = 1
		if left > 0 {
			counts[i] += int(float64(left) * weights[i] / wsum)
		}
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	for i := 0; total < o.Orders; i = (i + 1) % o.Customers {
		counts[i]++
		total++
	}
	orders := make([]kexi.Order, 0, o.Orders)
	items := make([]kexi.OrderItem, 0, o.Orders*5/2)
	itemStart := make([]int, 0, o.Orders+1)
	var oid int64
	var times []time.Time
	for i := range d.Customers {
		c := &d.Customers[i]
		left := o.End.Sub(firsts[i])
		times = times[:0]
		for k := 0; k < counts[i]; k++ {
			at := firsts[i]
			if k > 0 {
				at = firsts[i].Add(time.Duration(r.Int64N(int64(left) + 1)))
			}
			times = append(times, at.Truncate(time.Millisecond)) // as stores keep times
		}
		slices.SortFunc(times, time.Time.Compare)
		for _, at := range times {
			oid++
			itemStart = append(itemStart, len(items))
			n := 1 + r.IntN(4)
			var amount, cost float64
			for j := 0; j < n; j++ {
				p := &d.Products[r.IntN(len(d.Products))]
				q := float64(1 + r.IntN(3))
				items = append(items, kexi.OrderItem{ProductID: p.ID, SKU: p.ExternalID, Name: p.Name,
					Category: p.Category, Quantity: q, UnitPrice: p.Price, UnitCost: p.Cost})
				amount += q * p.Price
				cost += q * p.Cost
			}
			ord := kexi.Order{ID: oid, ExternalID: fmt.Sprintf("O%08d", oid), CustomerID: c.ID, Customer: c.ExternalID,
				OrderedAt: at, Amount: round2(amount), Cost: round2(cost), Shipping: float64(r.IntN(20)),
				Channel: channels[r.IntN(len(channels))], Status: kexi.StatusCompleted, Province: c.Province, City: c.City}
			if r.IntN(25) == 0 {
				ord.Returned = round2(amount * r.Float64())
			}
			if r.IntN(10) == 0 {
				ord.Discount = round2(amount * 0.1)
			}
			orders = append(orders, ord)
		}
	}
	itemStart = append(itemStart, len(items))
	for i := range orders {
		orders[i].Items = items[itemStart[i]:itemStart[i+1]:itemStart[i+1]]
	}
	// Interactions, surveys, responses, events: about one per 10 orders each.
	n := o.Orders / 10
	for i := 0; i < n; i++ {
		c := &d.Customers[r.IntN(len(d.Customers))]
		at := firsts[c.ID-1].Add(time.Duration(r.Int64N(int64(o.End.Sub(firsts[c.ID-1])) + 1)))
		d.Interactions = append(d.Interactions, kexi.Interaction{ID: int64(i + 1), ExternalID: fmt.Sprintf("I%08d", i+1),
			CustomerID: c.ID, Customer: c.ExternalID, At: at, Kind: kinds[r.IntN(len(kinds))],
			Channel: "phone", Minutes: float64(1 + r.IntN(60)), Rep: c.Owner})
		kind, score := kexi.NPS, float64(r.IntN(11))
		if i%2 == 1 {
			kind, score = kexi.CSAT, float64(1+r.IntN(5))
		}
		d.Surveys = append(d.Surveys, kexi.SurveyResponse{ID: int64(i + 1), ExternalID: fmt.Sprintf("S%08d", i+1),
			CustomerID: c.ID, Customer: c.ExternalID, At: at, Kind: kind, Score: score, Channel: "questionnaire",
			Comment: comments[r.IntN(len(comments))]})
		camp := &d.Campaigns[r.IntN(len(d.Campaigns))]
		resp := []string{"purchased", "clicked", "none"}[r.IntN(3)]
		d.Responses = append(d.Responses, kexi.CampaignResponse{ID: int64(i + 1), ExternalID: fmt.Sprintf("R%08d", i+1),
			CampaignID: camp.ID, Campaign: camp.ExternalID, CustomerID: c.ID, Customer: c.ExternalID, At: camp.Start,
			Kind: resp, Control: r.IntN(10) == 0})
		d.Events = append(d.Events, kexi.WebEvent{ID: int64(i + 1), ExternalID: fmt.Sprintf("E%08d", i+1),
			CustomerID: c.ID, Customer: c.ExternalID, At: at, Type: []string{"page_view", "search", "add_to_cart", "checkout"}[r.IntN(4)],
			Page: "/p", Dwell: float64(r.IntN(300)), SessionID: fmt.Sprintf("s%d", i/4)})
	}
	// Leads: one per 5 customers, walking the stages with drop-off.
	for i := 0; i < o.Customers/5; i++ {
		at := start.Add(time.Duration(r.Int64N(int64(span))))
		l := kexi.Lead{ID: int64(i + 1), ExternalID: fmt.Sprintf("L%07d", i+1), Name: fmt.Sprintf("线索%d", i+1),
			Source: acq[r.IntN(len(acq))], Campaign: d.Campaigns[r.IntN(len(d.Campaigns))].ExternalID,
			Owner: owners[r.IntN(len(owners))], CreatedAt: at, Value: float64(1000 + r.IntN(50_000))}
		for _, s := range stages {
			l.Stages = append(l.Stages, kexi.StageEntry{Stage: s, EnteredAt: at})
			l.Stage = s
			at = at.Add(time.Duration(1+r.IntN(20)) * 24 * time.Hour)
			if r.IntN(4) == 0 {
				break
			}
		}
		if r.IntN(3) == 0 {
			l.Stage = kexi.StageWon
		} else {
			l.Stage = kexi.StageLost
			l.LostReason = reasons[r.IntN(len(reasons))]
		}
		l.Stages = append(l.Stages, kexi.StageEntry{Stage: l.Stage, EnteredAt: at})
		d.Leads = append(d.Leads, l)
	}
	return d, orders
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
