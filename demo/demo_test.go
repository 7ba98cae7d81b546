package demo

import (
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

var cst = time.FixedZone("CST", 8*3600)

// testEnd is a fixed end of data for the tests: 2025-07-01 in China.
var testEnd = time.Date(2025, 7, 1, 0, 0, 0, 0, cst)

var (
	defaultOnce  sync.Once
	defaultBatch *kexi.Batch
)

// defaultData is the default-size data set (5,000 customers), made once for the tests.
func defaultData(t *testing.T) *kexi.Batch {
	t.Helper()
	defaultOnce.Do(func() { defaultBatch = Generate(Options{Seed: 1, End: testEnd}) })
	return defaultBatch
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(Options{Customers: 600, Seed: 7, End: testEnd})
	b := Generate(Options{Customers: 600, Seed: 7, End: testEnd})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two batches with the same options differ")
	}
	c := Generate(Options{Customers: 600, Seed: 8, End: testEnd})
	if reflect.DeepEqual(a.Customers, c.Customers) || reflect.DeepEqual(a.Orders, c.Orders) {
		t.Fatal("seeds 7 and 8 gave the same data")
	}
	// Same external ids for the fixed-size kinds, whatever the seed.
	if a.Customers[0].ExternalID != "C000001" || c.Customers[599].ExternalID != "C000600" {
		t.Errorf("customer ids %s … %s, want C000001 … C000600", a.Customers[0].ExternalID, c.Customers[599].ExternalID)
	}
}

func TestGenerateDefaults(t *testing.T) {
	b := Generate(Options{Customers: -3, Seed: 1, End: testEnd})
	if len(b.Customers) != DefaultCustomers {
		t.Errorf("negative Customers gave %d customers, want the default %d", len(b.Customers), DefaultCustomers)
	}
	z := Generate(Options{Customers: 200})
	for _, o := range z.Orders {
		if !o.OrderedAt.Before(DefaultEnd) {
			t.Fatalf("zero End: order %s at %v, not before DefaultEnd %v", o.ExternalID, o.OrderedAt, DefaultEnd)
		}
	}
}

func TestTotals(t *testing.T) {
	b := defaultData(t)
	n := len(b.Customers)
	if n != DefaultCustomers {
		t.Fatalf("%d customers, want %d", n, DefaultCustomers)
	}
	purchases := map[string]int{}
	var count int
	for i := range b.Orders {
		if b.Orders[i].IsPurchase() {
			purchases[b.Orders[i].Customer]++
			count++
		}
	}
	perCustomer := float64(count) / float64(n)
	t.Logf("%d purchases (%.2f per customer), %d orders in all", count, perCustomer, len(b.Orders))
	if perCustomer < 10 || perCustomer > 14 {
		t.Errorf("%.2f purchases per customer (%d), want about 12", perCustomer, count)
	}
	var one, most int
	for _, k := range purchases {
		if k == 1 {
			one++
		}
		most = max(most, k)
	}
	if share := float64(one) / float64(len(purchases)); share < 0.28 || share > 0.45 {
		t.Errorf("one-time buyers are %.1f%% of buyers, want about 35%%", 100*share)
	}
	if most < 200 {
		t.Errorf("the biggest customer placed %d orders, want a VIP with hundreds", most)
	}
	kinds := map[kexi.CustomerKind]int{}
	for _, c := range b.Customers {
		kinds[c.Kind]++
	}
	within := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.3f, want %.3f ± %.3f", what, got, want, tol)
		}
	}
	within("individual share", float64(kinds[kexi.Individual])/float64(n), 0.80, 0.03)
	within("enterprise share", float64(kinds[kexi.Enterprise])/float64(n), 0.15, 0.03)
	within("government share", float64(kinds[kexi.Government])/float64(n), 0.05, 0.02)
	if len(b.Leads) != 3*n {
		t.Errorf("%d leads, want 3 per customer (%d)", len(b.Leads), 3*n)
	}
	if len(b.Products) != len(catalogue) || len(b.Products) < 55 {
		t.Errorf("%d products, want the %d of the catalogue", len(b.Products), len(catalogue))
	}
	// History 2022-07-01 … 2025-06-30: campaigns that ended inside it: 618 ×3 (2022 started
	// before the history: no, June 2022 is before July 2022 — so 2023, 2024, 2025 = 3), trade
	// show ×3 (2022, 2023, 2024), 11.11 ×3 (2022, 2023, 2024), 年货节 ×3 (2023, 2024, 2025).
	if len(b.Campaigns) != 12 {
		t.Errorf("%d campaigns, want 12", len(b.Campaigns))
	}
	if len(b.Events) < 25_000 || len(b.Events) > 80_000 {
		t.Errorf("%d web events, want about 50,000", len(b.Events))
	}
	if len(b.Interactions) < 2*n || len(b.Surveys) < n/3 || len(b.Responses) < n {
		t.Errorf("%d interactions, %d surveys, %d responses: too few", len(b.Interactions), len(b.Surveys), len(b.Responses))
	}
	self := 0
	for _, c := range b.Competitors {
		if c.Self {
			self++
		}
	}
	if len(b.Competitors) != 6 || self != 1 {
		t.Errorf("%d competitors with %d marked Self, want 6 with 1", len(b.Competitors), self)
	}
	swot := map[string]int{}
	for _, s := range b.SWOT {
		swot[s.Kind]++
	}
	if len(b.SWOT) != 12 || swot["S"] == 0 || swot["W"] == 0 || swot["O"] == 0 || swot["T"] == 0 {
		t.Errorf("SWOT %v, want 12 items of all four kinds", swot)
	}
	owners := map[string]bool{}
	for _, c := range b.Customers {
		owners[c.Owner] = true
	}
	for _, rep := range salesReps {
		if !owners[rep] {
			t.Errorf("sales rep %s owns no customer", rep)
		}
	}
}

func TestInvariants(t *testing.T) {
	b := defaultData(t)
	start := testEnd.AddDate(-Years, 0, 0)
	inHistory := func(what, id string, at time.Time) {
		t.Helper()
		if !at.Before(testEnd) {
			t.Fatalf("%s %s at %v: not before End %v", what, id, at, testEnd)
		}
	}
	unique := func(what string, ids []string) {
		t.Helper()
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || seen[id] {
				t.Fatalf("%s external id %q empty or repeated", what, id)
			}
			seen[id] = true
		}
	}
	cust := map[string]bool{}
	var ids []string
	for _, c := range b.Customers {
		cust[c.ExternalID] = true
		ids = append(ids, c.ExternalID)
		if c.Name == "" || c.Kind == "" || c.Province == "" || c.City == "" {
			t.Fatalf("customer %s lacks name, kind or place: %+v", c.ExternalID, c)
		}
	}
	unique("customer", ids)
	prod := map[string]kexi.Product{}
	ids = ids[:0]
	for _, p := range b.Products {
		prod[p.ExternalID] = p
		ids = append(ids, p.ExternalID)
		if !(p.Cost > 0 && p.Cost < p.Price) {
			t.Errorf("product %s: cost %v not below price %v", p.ExternalID, p.Cost, p.Price)
		}
	}
	unique("product", ids)

	ids = ids[:0]
	for i := range b.Orders {
		o := &b.Orders[i]
		ids = append(ids, o.ExternalID)
		if !cust[o.Customer] {
			t.Fatalf("order %s names unknown customer %q", o.ExternalID, o.Customer)
		}
		inHistory("order", o.ExternalID, o.OrderedAt)
		if o.OrderedAt.Before(start) {
			t.Fatalf("order %s at %v, before the history starts (%v)", o.ExternalID, o.OrderedAt, start)
		}
		for _, x := range []float64{o.Amount, o.Cost, o.Shipping, o.Discount, o.Returned} {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				t.Fatalf("order %s has a bad amount: %+v", o.ExternalID, *o)
			}
		}
		if o.Status == kexi.StatusReturn {
			if o.Amount != 0 || o.Returned <= 0 || len(o.Items) != 0 {
				t.Fatalf("return document %s: %+v", o.ExternalID, *o)
			}
			continue
		}
		var sub, cost float64
		for _, it := range o.Items {
			p, ok := prod[it.SKU]
			if !ok || p.Name != it.Name || p.Category != it.Category || p.Price != it.UnitPrice || it.Quantity <= 0 {
				t.Fatalf("order %s: item %+v does not match its product %+v", o.ExternalID, it, p)
			}
			sub += it.Quantity * it.UnitPrice
			cost += it.Quantity * it.UnitCost
		}
		if len(o.Items) == 0 || math.Abs(o.Amount-(sub-o.Discount)) > 0.011 || math.Abs(o.Cost-cost) > 0.011 {
			t.Fatalf("order %s: amount %v, cost %v; items give %v − discount %v, cost %v", o.ExternalID, o.Amount, o.Cost, sub, o.Discount, cost)
		}
		if o.Returned > o.Amount+0.001 {
			t.Fatalf("order %s: returned %v more than its amount %v", o.ExternalID, o.Returned, o.Amount)
		}
	}
	unique("order", ids)

	ids = ids[:0]
	for _, x := range b.Interactions {
		ids = append(ids, x.ExternalID)
		inHistory("interaction", x.ExternalID, x.At)
		if !cust[x.Customer] || x.Minutes < 1 || x.Rep == "" || interactionSubjects[x.Kind] == nil {
			t.Fatalf("interaction %+v", x)
		}
	}
	unique("interaction", ids)

	ids = ids[:0]
	ranges := map[string][2]float64{kexi.NPS: {0, 10}, kexi.CSAT: {1, 5}, kexi.CES: {1, 7}}
	for _, s := range b.Surveys {
		ids = append(ids, s.ExternalID)
		inHistory("survey", s.ExternalID, s.At)
		rg, ok := ranges[s.Kind]
		if !ok || !cust[s.Customer] || s.Score < rg[0] || s.Score > rg[1] || s.Score != math.Trunc(s.Score) {
			t.Fatalf("survey %+v out of range", s)
		}
	}
	unique("survey", ids)

	ids = ids[:0]
	for _, e := range b.Events {
		ids = append(ids, e.ExternalID)
		inHistory("event", e.ExternalID, e.At)
		if (e.Customer == "") == (e.AnonymousID == "") || e.Customer != "" && !cust[e.Customer] || e.SessionID == "" || e.Dwell < 0 {
			t.Fatalf("event %+v", e)
		}
	}
	unique("event", ids)

	camp := map[string]kexi.Campaign{}
	ids = ids[:0]
	for _, c := range b.Campaigns {
		camp[c.ExternalID] = c
		ids = append(ids, c.ExternalID)
		inHistory("campaign end", c.ExternalID, c.End)
		if c.Start.Before(start) || c.End.Before(c.Start) || c.Cost <= 0 {
			t.Fatalf("campaign %+v", c)
		}
	}
	unique("campaign", ids)
	for _, c := range b.Customers {
		if c.Campaign != "" && camp[c.Campaign].Channel != c.Channel {
			t.Fatalf("customer %s acquired by campaign %s in channel %s, but the campaign runs on %s", c.ExternalID, c.Campaign, c.Channel, camp[c.Campaign].Channel)
		}
	}
	ids = ids[:0]
	for _, r := range b.Responses {
		ids = append(ids, r.ExternalID)
		inHistory("response", r.ExternalID, r.At)
		if _, ok := camp[r.Campaign]; !ok || !cust[r.Customer] {
			t.Fatalf("response %+v names an unknown campaign or customer", r)
		}
		if (r.Kind == respPurchase) != (r.Value > 0) {
			t.Fatalf("response %+v: value and kind disagree", r)
		}
	}
	unique("response", ids)

	ids = ids[:0]
	order := map[string]int{kexi.StageNew: 0, kexi.StageConsultation: 1, kexi.StageFollowUp: 2, kexi.StageQuote: 3, kexi.StageWon: 4, kexi.StageLost: 4}
	for _, l := range b.Leads {
		ids = append(ids, l.ExternalID)
		if len(l.Stages) == 0 || l.Stages[0].Stage != kexi.StageNew || l.Stage != l.Stages[len(l.Stages)-1].Stage || !l.CreatedAt.Equal(l.Stages[0].EnteredAt) {
			t.Fatalf("lead %s: stage %s, history %v", l.ExternalID, l.Stage, l.Stages)
		}
		for k := 1; k < len(l.Stages); k++ {
			if l.Stages[k].EnteredAt.Before(l.Stages[k-1].EnteredAt) || order[l.Stages[k].Stage] != order[l.Stages[k-1].Stage]+1 && l.Stages[k].Stage != kexi.StageLost {
				t.Fatalf("lead %s: stages out of order: %v", l.ExternalID, l.Stages)
			}
		}
		inHistory("lead stage", l.ExternalID, l.Stages[len(l.Stages)-1].EnteredAt)
		switch l.Stage {
		case kexi.StageWon:
			if !cust[l.Customer] || l.LostReason != "" {
				t.Fatalf("won lead %+v", l)
			}
		case kexi.StageLost:
			if l.LostReason == "" || l.Customer != "" {
				t.Fatalf("lost lead %+v", l)
			}
		}
	}
	unique("lead", ids)

	// Market shares of one period and region add up to 1.
	sums := map[string]float64{}
	for _, c := range b.Competitors {
		for _, s := range c.Shares {
			sums[s.Period+"/"+s.Region] += s.Share
		}
	}
	if len(sums) == 0 {
		t.Fatal("no market shares")
	}
	for k, s := range sums {
		if math.Abs(s-1) > 1e-9 {
			t.Errorf("market shares of %s add up to %v", k, s)
		}
	}

	// Custom fields are declared and hold values of their type.
	fields := map[string]kexi.CustomField{}
	for _, f := range b.CustomFields {
		fields[f.Name] = f
	}
	members := 0
	for _, c := range b.Customers {
		for name, v := range c.Custom {
			f, ok := fields[name]
			if !ok {
				t.Fatalf("customer %s: undeclared custom field %q", c.ExternalID, name)
			}
			switch f.Type {
			case kexi.FieldNumber:
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					t.Fatalf("customer %s: %s = %q is not a number", c.ExternalID, name, v)
				}
			case kexi.FieldDate:
				if _, err := time.Parse("2006-01-02", v); err != nil {
					t.Fatalf("customer %s: %s = %q is not a date", c.ExternalID, name, v)
				}
			case kexi.FieldChoice:
				found := false
				for _, ch := range f.Choices {
					found = found || ch == v
				}
				if !found {
					t.Fatalf("customer %s: %s = %q is not one of %v", c.ExternalID, name, v, f.Choices)
				}
			}
		}
		if c.Custom[fieldLevel] != "" {
			members++
		}
	}
	if members < len(b.Customers)/2 {
		t.Errorf("%d members with a level, want most individuals", members)
	}
}

// TestDataQualityFindings checks that the data-quality analysis has something to find: a few
// malformed phones and e-mails, missing ones, and near-duplicates sharing a phone.
func TestDataQualityFindings(t *testing.T) {
	b := defaultData(t)
	phoneRE := regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	emailRE := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z.]+$`)
	var badPhones, noPhone, badEmails, noEmail int
	byPhone := map[string]int{}
	for _, c := range b.Customers {
		switch {
		case c.Phone == "":
			noPhone++
		case !phoneRE.MatchString(c.Phone):
			badPhones++
		default:
			byPhone[c.Phone]++
		}
		switch {
		case c.Email == "":
			noEmail++
		case !emailRE.MatchString(c.Email):
			badEmails++
		}
	}
	shared := 0
	for _, k := range byPhone {
		if k > 1 {
			shared++
		}
	}
	n := len(b.Customers)
	if badPhones == 0 || badPhones > n/20 || badEmails == 0 || badEmails > n/20 {
		t.Errorf("%d malformed phones, %d malformed e-mails: want a few (under 5%%)", badPhones, badEmails)
	}
	if noPhone == 0 || noEmail < n/5 {
		t.Errorf("%d without phone, %d without e-mail: want some missing", noPhone, noEmail)
	}
	if shared < n/200 {
		t.Errorf("%d phones shared by near-duplicates, want about %d", shared, n/100)
	}
}

// TestSeasonality checks the Spring Festival dip and the 618 and 11.11 peaks in the orders per
// day of the default data set (history 2022-07-01 … 2025-06-30).
func TestSeasonality(t *testing.T) {
	b := defaultData(t)
	perDay := map[string]int{}
	for _, o := range b.Orders {
		perDay[o.OrderedAt.In(cst).Format("2006-01-02")]++
	}
	mean := func(from string, days int) float64 {
		d, _ := time.ParseInLocation("2006-01-02", from, cst)
		s := 0
		for k := range days {
			s += perDay[d.AddDate(0, 0, k).Format("2006-01-02")]
		}
		return float64(s) / float64(days)
	}
	year := mean("2024-07-01", 365)
	// Spring Festival 2024 was on February 10: the holiday week is far below an ordinary day.
	if cny := mean("2024-02-08", 7); cny > 0.5*year {
		t.Errorf("Spring Festival 2024 week: %.1f orders a day, ordinary %.1f: want a dip", cny, year)
	}
	if d := mean("2024-11-11", 1); d < 3*year {
		t.Errorf("11.11 2024: %.0f orders, ordinary day %.1f: want a peak", d, year)
	}
	if d := mean("2024-06-18", 1); d < 2*year {
		t.Errorf("618 2024: %.0f orders, ordinary day %.1f: want a peak", d, year)
	}
}

// TestSignals checks the relations the analyses should find: customers who left had lower NPS
// and complained more; the control group bought less than the treated.
func TestSignals(t *testing.T) {
	b := defaultData(t)
	last := map[string]time.Time{}
	count := map[string]int{}
	for _, o := range b.Orders {
		if o.IsPurchase() {
			count[o.Customer]++
			if o.OrderedAt.After(last[o.Customer]) {
				last[o.Customer] = o.OrderedAt
			}
		}
	}
	// Repeat buyers whose last order is more than 270 days before the end have left.
	cut := testEnd.AddDate(0, 0, -270)
	left := func(c string) bool { return count[c] >= 2 && last[c].Before(cut) }
	stay := func(c string) bool { return count[c] >= 2 && !last[c].Before(cut) }
	var npsLeft, npsStay []float64
	for _, s := range b.Surveys {
		if s.Kind != kexi.NPS {
			continue
		}
		switch {
		case left(s.Customer):
			npsLeft = append(npsLeft, s.Score)
		case stay(s.Customer):
			npsStay = append(npsStay, s.Score)
		}
	}
	if len(npsLeft) < 50 || len(npsStay) < 50 {
		t.Fatalf("%d NPS answers from leavers, %d from stayers: too few to compare", len(npsLeft), len(npsStay))
	}
	t.Logf("NPS leavers %.1f (%d answers), stayers %.1f (%d)", nps(npsLeft), len(npsLeft), nps(npsStay), len(npsStay))
	if nl, ns := nps(npsLeft), nps(npsStay); nl > ns-15 {
		t.Errorf("NPS of leavers %.1f, of stayers %.1f: want leavers well below", nl, ns)
	}
	if n := nps(append(npsLeft, npsStay...)); n < 0 || n > 60 {
		t.Errorf("overall NPS %.1f, want a plausible retailer's (0 … 60)", n)
	}
	complaints := map[string]int{}
	for _, x := range b.Interactions {
		if x.Kind == kexi.Complaint {
			complaints[x.Customer]++
		}
	}
	var cl, nl, cs, ns float64
	for c := range count {
		switch {
		case left(c):
			cl += float64(complaints[c])
			nl++
		case stay(c):
			cs += float64(complaints[c])
			ns++
		}
	}
	t.Logf("complaints per leaver %.2f, per stayer %.2f", cl/nl, cs/ns)
	if cl/nl < 1.5*cs/ns {
		t.Errorf("complaints per leaver %.2f, per stayer %.2f: want leavers to complain more", cl/nl, cs/ns)
	}
	var treated, treatedBuy, control, controlBuy float64
	for _, r := range b.Responses {
		buy := 0.0
		if r.Kind == respPurchase {
			buy = 1
		}
		if r.Control {
			control++
			controlBuy += buy
		} else {
			treated++
			treatedBuy += buy
		}
	}
	if share := control / (control + treated); share < 0.08 || share > 0.12 {
		t.Errorf("control group is %.1f%% of the targeted, want about 10%%", 100*share)
	}
	t.Logf("purchase rate treated %.3f, control %.3f", treatedBuy/treated, controlBuy/control)
	if tr, cr := treatedBuy/treated, controlBuy/control; tr-cr < 0.03 {
		t.Errorf("purchase rate treated %.3f, control %.3f: want a clear positive uplift", tr, cr)
	}
	won := 0
	for _, l := range b.Leads {
		if l.Stage == kexi.StageWon {
			won++
		}
	}
	t.Logf("lead conversion %.3f", float64(won)/float64(len(b.Leads)))
	if rate := float64(won) / float64(len(b.Leads)); rate < 0.06 || rate > 0.25 {
		t.Errorf("lead conversion %.3f, want 6–25%%", rate)
	}
}

// nps is % promoters (9–10) − % detractors (0–6).
func nps(scores []float64) float64 {
	var p, d float64
	for _, s := range scores {
		switch {
		case s >= 9:
			p++
		case s <= 6:
			d++
		}
	}
	return 100 * (p - d) / float64(len(scores))
}

func TestSeasonAndFestival(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		date     string
		season   float64 // monthly factor × Spring Festival factor
		holiday  bool
		festival float64
	}{
		// 2024-02-10 is the Spring Festival: February 0.95 × holiday 0.25.
		{"2024-02-10", 0.95 * 0.25, true, 1},
		// Two days before it (delta −2) is already the holiday.
		{"2024-02-08", 0.95 * 0.25, true, 1},
		// 2024-01-25 is 16 days before: the 年货 rush, January 1.0 × 1.3.
		{"2024-01-25", 1.0 * 1.3, false, 1},
		// 2024-02-20 is 10 days after: 0.95 × 0.7.
		{"2024-02-20", 0.95 * 0.7, false, 1},
		// An ordinary day in May; in 2040 the table does not know the Spring Festival.
		{"2024-05-07", 1.0, false, 1},
		{"2040-02-01", 0.95, false, 1},
		// The festivals (November 1.1, June 1.05, December 1.1).
		{"2025-11-11", 1.1, false, 5},
		{"2025-11-10", 1.1, false, 2},
		{"2025-06-18", 1.05, false, 3.5},
		{"2025-06-05", 1.05, false, 1.35},
		{"2025-12-12", 1.1, false, 2.2},
		{"2025-10-25", 1.0, false, 1.35},
	}
	for _, tt := range tests {
		s, h := season(day(tt.date))
		if math.Abs(s-tt.season) > 1e-12 || h != tt.holiday {
			t.Errorf("season(%s) = %v, %v; want %v, %v", tt.date, s, h, tt.season, tt.holiday)
		}
		if f := festival(day(tt.date)); f != tt.festival {
			t.Errorf("festival(%s) = %v, want %v", tt.date, f, tt.festival)
		}
	}
}

func TestCumulative(t *testing.T) {
	// Weights 1, 0, 3: day 1 is never drawn; day 2 three times as often as day 0.
	c := newCumulative([]float64{1, 0, 3})
	if got := c.mass(0, 3); got != 4 {
		t.Errorf("mass(0,3) = %v, want 4", got)
	}
	if got := c.mass(1, 3); got != 3 {
		t.Errorf("mass(1,3) = %v, want 3", got)
	}
	if got := c.mass(2, 2); got != 0 {
		t.Errorf("mass(2,2) = %v, want 0", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var hits [3]int
	for range 40_000 {
		hits[c.sample(r, 0, 3)]++
	}
	// Expected 10,000 / 0 / 30,000; a binomial sd is about 87.
	if hits[1] != 0 || math.Abs(float64(hits[0])-10_000) > 500 || math.Abs(float64(hits[2])-30_000) > 500 {
		t.Errorf("sample hits %v, want about [10000 0 30000]", hits)
	}
	for range 1000 {
		if d := c.sample(r, 1, 3); d != 2 {
			t.Fatalf("sample(1,3) = %d, want 2 (day 1 weighs nothing)", d)
		}
	}
}

func TestPicker(t *testing.T) {
	p := newPicker([]float64{0, 2, 0, 2})
	r := rand.New(rand.NewPCG(3, 4))
	var hits [4]int
	for range 10_000 {
		hits[p.pick(r)]++
	}
	if hits[0] != 0 || hits[2] != 0 || hits[1] < 4700 || hits[3] < 4700 {
		t.Errorf("pick hits %v, want about [0 5000 0 5000]", hits)
	}
}

func TestIDBlock(t *testing.T) {
	b := newIDBlock("O", 12, 3)
	if b.id(0) != "O001" || b.id(11) != "O012" {
		t.Errorf("ids %s, %s; want O001, O012", b.id(0), b.id(11))
	}
	w := newIDBlock("C", 1234, 3) // more ids than the digits hold: the width grows
	if w.id(0) != "C0001" || w.id(1233) != "C1234" {
		t.Errorf("ids %s, %s; want C0001, C1234", w.id(0), w.id(1233))
	}
	if e := newIDBlock("X", 0, 6); e.s != "" {
		t.Errorf("empty block holds %q", e.s)
	}
}

func TestPoisson(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, m := range []float64{0.5, 3, 80} {
		s := 0
		const n = 20_000
		for range n {
			s += poisson(r, m)
		}
		// The mean of n draws has sd sqrt(m/n): 0.005, 0.012, 0.063.
		if got := float64(s) / n; math.Abs(got-m) > 6*math.Sqrt(m/n) {
			t.Errorf("poisson mean %v over %d draws, want %v", got, n, m)
		}
	}
	if poisson(r, 0) != 0 || poisson(r, -1) != 0 {
		t.Error("poisson of a non-positive mean is not 0")
	}
}

func TestContactFormats(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	phoneRE := regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	for range 1000 {
		if m := mobile(r); !phoneRE.MatchString(m) {
			t.Fatalf("mobile() = %q, not a valid-looking mobile number", m)
		}
		if m := badPhone(r); phoneRE.MatchString(m) {
			t.Fatalf("badPhone() = %q looks valid", m)
		}
	}
	tests := []struct{ in, want string }{
		{"上海华信贸易有限公司", "上海华信贸易公司"},
		{"杭州市教育局", "杭州市教育局办公室"},
		{"David Chen", "david chen"},
	}
	for _, tt := range tests {
		if got := nameVariant(r, tt.in, false); got != tt.want {
			t.Errorf("nameVariant(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for range 100 {
		v := nameVariant(r, "张伟", false)
		if v == "张伟" || []rune(v)[0] != '张' {
			t.Fatalf("nameVariant(张伟) = %q", v)
		}
	}
}
