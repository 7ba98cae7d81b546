package portrait_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/portrait"
	"github.com/kexi/kexi/analysis/pyramid"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// tiny, as of 2024-06-30, 1 per service minute:
//
//	C1 (C001): 01-10 1000 shoes online, 06-20 800 bags store; a 10-minute complaint 06-25;
//	           NPS 5 on 06-26; a campaign response 03-01.
//	C2: 06-01 50. C3: 2023-06-01 20.
//
// RFM (n 3): recency 10, 29, 395 → C1 R 5; F 2,1,1 → C1 5; M → C1 5; above every mean →
// important value, R5 F5 champions. Pyramid Cutoffs(3) = 1,1,1 → C1 VIP.
// Lifecycle thresholds: the only gap is C1's 162 days → new/at-risk/churn 162; purchases
// 1,1,2 → P75 1.5 → loyal 2. C1: 10 days since, first 172 days ago, last gap 162 (not > 162),
// 2 orders → loyal. Profit 1800 − 10 = 1790.
// Actions: loyal → referral/upsell; important value → VIP care; NPS 5 → detractor follow-up
// (the complaint does not trigger service recovery: C1 is not at risk).
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1, ExternalID: "C001", Name: "王芳", Province: "浙江", Tags: []string{"vip"}, Custom: map[string]string{"level": "gold"}},
			{ID: 2, ExternalID: "C002"}, {ID: 3, ExternalID: "C003"}},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, ExternalID: "O1", CustomerID: 1, OrderedAt: day("2024-01-10"), Amount: 1000, Channel: "online", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{{Category: "shoes", Quantity: 1, UnitPrice: 1000}}},
			kexi.Order{ID: 2, ExternalID: "O2", CustomerID: 1, OrderedAt: day("2024-06-20"), Amount: 800, Channel: "store", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{{Category: "bags", Quantity: 1, UnitPrice: 800}}},
			kexi.Order{ID: 3, CustomerID: 2, OrderedAt: day("2024-06-01"), Amount: 50, Status: kexi.StatusCompleted},
			kexi.Order{ID: 4, CustomerID: 3, OrderedAt: day("2023-06-01"), Amount: 20, Status: kexi.StatusCompleted},
		),
		Interactions: []kexi.Interaction{{ID: 1, CustomerID: 1, At: day("2024-06-25"), Kind: kexi.Complaint, Minutes: 10}},
		Surveys:      []kexi.SurveyResponse{{ID: 1, CustomerID: 1, At: day("2024-06-26"), Kind: kexi.NPS, Score: 5}},
		Responses:    []kexi.CampaignResponse{{ID: 1, CustomerID: 1, Campaign: "K1", At: day("2024-03-01"), Kind: "purchased"}},
	}
	d.Normalize()
	return d
}

func run(t *testing.T, opts map[string]string) (*analysis.Result, error) {
	t.Helper()
	return portrait.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-06-30"),
		Settings: kexi.Settings{CostPerMinute: 1}, Options: opts})
}

func TestRun(t *testing.T) {
	for _, ref := range []string{"1", "C001"} {
		res, err := run(t, map[string]string{"customer": ref})
		if err != nil {
			t.Fatal(err)
		}
		text := map[string]string{"cell": "555", "cn8": "important_value", "rfm10": "champions", "tier": "vip", "stage": "loyal", "name": "王芳"}
		for k, v := range text {
			if f, _ := res.Figure(k); f.Text != v {
				t.Errorf("%s: %s = %q, want %q", ref, k, f.Text, v)
			}
		}
		nums := map[string]float64{"recency": 10, "frequency": 2, "monetary": 1800, "revenue": 1800, "profit": 1790, "complaints_90d": 1, "latest_nps": 5}
		for k, v := range nums {
			if f, _ := res.Figure(k); f.Value != v {
				t.Errorf("%s: %s = %v, want %v", ref, k, f.Value, v)
			}
		}
		if got := fmt.Sprint(res.Table("actions").Rows); got != "[[referral_upsell reason_loyal] [vip_care reason_important_value] [detractor_follow_up reason_detractor]]" {
			t.Errorf("actions %s", got)
		}
		tl := res.Table("timeline").Rows
		if len(tl) != 5 || tl[0][1] != "survey" || tl[1][1] != "interaction" || tl[2][1] != "order" || tl[3][1] != "response" || tl[4][1] != "order" {
			t.Errorf("timeline %v", tl)
		}
		pref := res.Table("preferences").Rows
		if len(pref) != 4 || pref[0][1] != "shoes" || math.Abs(pref[0][2].(float64)-1000.0/1800) > 1e-12 || pref[2][1] != "online" || pref[2][2] != 0.5 {
			t.Errorf("preferences %v", pref)
		}
		lab := portrait.New().Info().Labels
		for _, tb := range res.Tables {
			for j, c := range tb.Columns {
				if _, ok := lab[c.Key]; !ok {
					t.Errorf("no label %q", c.Key)
				}
				if c.Type == "label" {
					for _, r := range tb.Rows {
						if _, ok := lab[r[j].(string)]; !ok {
							t.Errorf("no label %q", r[j])
						}
					}
				}
			}
		}
		for _, f := range res.Summary {
			if _, ok := lab[f.Key]; !ok {
				t.Errorf("no label %q", f.Key)
			}
			if f.Text != "" && f.Key != "name" && f.Key != "cell" {
				if _, ok := lab[f.Text]; !ok {
					t.Errorf("no label for value %q", f.Text)
				}
			}
		}
	}
}

func TestRunBadCustomer(t *testing.T) {
	for _, opts := range []map[string]string{nil, {"customer": ""}, {"customer": "C999"}, {"customer": "42"}} {
		if _, err := run(t, opts); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v, want EINVALID", opts, err)
		}
	}
}

func TestRunProspect(t *testing.T) {
	d := tiny()
	d.Customers = append(d.Customers, kexi.Customer{ID: 4, ExternalID: "C004"})
	res, err := portrait.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-06-30"), Options: map[string]string{"customer": "C004"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("stage"); f.Text != "prospect" {
		t.Errorf("stage %q", f.Text)
	}
	if got := fmt.Sprint(res.Table("actions").Rows); got != "[[first_order_offer reason_prospect]]" {
		t.Errorf("actions %s", got)
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		cn8, stage string
		complaints int
		nps        float64
		want       string
	}{
		{"important_winback", "at_risk", 2, -1, "[{winback_call reason_important_winback} {service_recovery reason_risk_complaint}]"},
		{"general_winback", "churned", 0, 9, "[{winback_offer reason_churned}]"},
		{"general_develop", "new", 0, -1, "[{second_order_coupon reason_new}]"},
		{"general_value", "active", 0, 7, "[{keep_in_touch reason_default}]"},
		{"general_value", "active", 0, 6, "[{detractor_follow_up reason_detractor}]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(portrait.Actions(tt.cn8, tt.stage, tt.complaints, tt.nps)); got != tt.want {
			t.Errorf("%+v: %s", tt, got)
		}
	}
}

func Example() {
	for _, a := range portrait.Actions("important_winback", "at_risk", 1, 3) {
		fmt.Println(a.Action)
	}
	// Output:
	// winback_call
	// service_recovery
	// detractor_follow_up
}

// TestTierAsPyramid: the portrait's tier is the pyramid's. 97 customers whose only purchase is
// a $0 gift have RFM rows but no spend, so the pyramid ranks 4 customers (Cutoffs(4) = 1, 1, 1):
// C1 VIP, the rest small — not major, as ranking 101 customers would make C2. C2 (50, 0.1 and
// 0.2: a float sum of 50.300000000000004) and C4 (50.3 in one order) tie to the cent; C2 ranks
// first by id.
func TestTierAsPyramid(t *testing.T) {
	d := tiny()
	d.Customers = append(d.Customers, kexi.Customer{ID: 4, ExternalID: "C004"})
	d.Orders.Append(&kexi.Order{ID: 5, CustomerID: 2, OrderedAt: day("2024-06-02"), Amount: 0.1})
	d.Orders.Append(&kexi.Order{ID: 6, CustomerID: 2, OrderedAt: day("2024-06-03"), Amount: 0.2})
	d.Orders.Append(&kexi.Order{ID: 7, CustomerID: 4, OrderedAt: day("2024-06-03"), Amount: 50.3})
	for i := range 97 {
		id := int64(10 + i)
		d.Customers = append(d.Customers, kexi.Customer{ID: id})
		d.Orders.Append(&kexi.Order{ID: 100 + id, CustomerID: id, OrderedAt: day("2024-05-01")})
	}
	d.Normalize()
	want := map[string]string{"1": "vip", "2": "small", "3": "small", "4": "small", "10": ""}
	ranked := map[int64]int{}
	for _, r := range pyramid.Tiers(&d.Orders, nil) {
		ranked[r.CustomerID] = r.Rank
	}
	if len(ranked) != 4 || ranked[2] != 2 || ranked[4] != 3 {
		t.Fatalf("pyramid ranks %v, want 4 customers with C2 2nd and C4 3rd", ranked)
	}
	for ref, tier := range want {
		res, err := portrait.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-06-30"), Options: map[string]string{"customer": ref}})
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := res.Figure("tier"); f.Text != tier {
			t.Errorf("customer %s: tier %q, want %q", ref, f.Text, tier)
		}
	}
}
