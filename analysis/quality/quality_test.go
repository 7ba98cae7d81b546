package quality_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/quality"
	"github.com/kexi/kexi/internal/synth"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestChecks(t *testing.T) {
	for p, ok := range map[string]bool{"13800138000": true, "138 0013 8000": true, "+86 138-0013-8000": true, "8613800138000": true,
		"12800138000": false, "1380013800": false, "+442071234567": true, "+0123456789": false, "12345": false, "abc": false} {
		if quality.ValidPhone(p) != ok {
			t.Errorf("ValidPhone(%q) = %v", p, !ok)
		}
	}
	for e, ok := range map[string]bool{"a@b.cn": true, "zhang.wei@example.com.cn": true, "bad@": false, "a@b": false, "a b@c.com": false, "@c.com": false, "a@@c.com": false} {
		if quality.ValidEmail(e) != ok {
			t.Errorf("ValidEmail(%q) = %v", e, !ok)
		}
	}
	if k := quality.PhoneKey("+86 138-0013-8000"); k != "13800138000" {
		t.Errorf("PhoneKey %q", k)
	}
	// kitten → sitting: 3 edits over 7 runes → 1 − 3/7. 张伟 → 张玮: 1 edit of 2 → 0.5.
	for _, c := range []struct {
		a, b string
		want float64
	}{{"kitten", "sitting", 1 - 3.0/7}, {"张伟", "张玮", 0.5}, {"", "", 1}, {"abc", "", 0}, {"王小明", "王晓明", 1 - 1.0/3}} {
		if s := quality.Similarity(c.a, c.b); math.Abs(s-c.want) > 1e-12 {
			t.Errorf("Similarity(%q, %q) = %v, want %v", c.a, c.b, s, c.want)
		}
	}
	// Born 1990-07-01: 33 on 2024-06-30 (a leap year, so day-of-year would say 34), 34 a day later.
	if a := quality.Age(&kexi.Customer{BirthDate: day("1990-07-01")}, day("2024-06-30")); a != 33 {
		t.Errorf("age %d", a)
	}
	if a := quality.Age(&kexi.Customer{BirthDate: day("1990-07-01")}, day("2024-07-01")); a != 34 {
		t.Errorf("age %d", a)
	}
}

// tiny, as of 2024-06-30, stale after 365 days (before 2023-07-01):
//
//	c1 张伟 广州: everything filled and valid, ordered 2024-06-01 → score 100.
//	c2 "张 伟" 广州, phone +86 13800138000 (c1's number), email "bad@", no gender, age,
//	   channel or owner, created 2024-02-01 → missing ×4 (−20), invalid email (−15), duplicate
//	   of c1 by phone and by name (−20 once) → 45.
//	c3 Li Na 北京, phone 12345, no email, born 1890-05-01 (age 134), created and updated
//	   2020-01-01; order 2022-01-01 with amount −5 and no channel; interaction 2030-01-01
//	   (future, not activity); CSAT answer 0 → missing email (−5), invalid phone, age,
//	   negative amount, future date, score out of range (−15 each = −75), stale (last
//	   activity 2022-01-01, −10) → 10.
//	anonymous order 2024-06-02, store.
//
// Customer mean (100+45+10)/3 = 51.667. Orders: c1 100; c3 100 − 5 (no channel) − 25
// (negative) = 70; anonymous 100 − 10 = 90 → mean 86.667. Overall (51.667+86.667)/2 = 69.167.
// Invalid values: phone, email, age, negative, future, score = 6.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{
			{ID: 1, Name: "张伟", Phone: "138 0013 8000", Email: "zw@example.com", Gender: "male", Age: 30, Province: "广东", City: "广州",
				Channel: "wechat", Owner: "li", CreatedAt: day("2024-01-01")},
			{ID: 2, Name: "张 伟", Phone: "+86 13800138000", Email: "bad@", Province: "广东", City: "广州", CreatedAt: day("2024-02-01")},
			{ID: 3, Name: "Li Na", Phone: "12345", BirthDate: day("1890-05-01"), Gender: "female", Province: "北京", City: "北京",
				Channel: "search", Owner: "wang", CreatedAt: day("2020-01-01"), UpdatedAt: day("2020-01-01")},
		},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: day("2024-06-01"), Amount: 100, Channel: "online"},
			kexi.Order{ID: 2, CustomerID: 3, OrderedAt: day("2022-01-01"), Amount: -5},
			kexi.Order{ID: 3, OrderedAt: day("2024-06-02"), Amount: 50, Channel: "store"},
		),
		Interactions: []kexi.Interaction{{ID: 1, CustomerID: 3, At: day("2030-01-01"), Kind: kexi.Visit}},
		Surveys:      []kexi.SurveyResponse{{ID: 1, CustomerID: 3, At: day("2024-01-01"), Kind: kexi.CSAT, Score: 0}},
	}
	d.Normalize()
	return d
}

func TestRunByHand(t *testing.T) {
	res, err := quality.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"score": (155.0/3 + 260.0/3) / 2, "customer_score": 155.0 / 3, "order_score": 260.0 / 3,
		"customers_with_problems": 2, "invalid_values": 6, "likely_duplicates": 1, "stale_customers": 1}
	for k, v := range want {
		if f, ok := res.Figure(k); !ok || math.Abs(f.Value-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	per := res.Table("per_customer").Rows
	if len(per) != 2 || per[0][0] != int64(3) || per[0][2] != 10.0 || per[1][0] != int64(2) || per[1][2] != 45.0 {
		t.Fatalf("per customer %v", per)
	}
	if per[1][3] != "missing_gender, missing_age, missing_channel, missing_owner, invalid_email, duplicate_name, duplicate_phone" {
		t.Errorf("customer 2 problems %q", per[1][3])
	}
	comp := map[string]float64{}
	for _, r := range res.Table("completeness").Rows {
		comp[r[0].(string)+"."+r[1].(string)] = r[4].(float64)
	}
	for k, v := range map[string]float64{"customer.name": 1, "customer.email": 2.0 / 3, "customer.age": 2.0 / 3, "customer.owner": 2.0 / 3,
		"order.customer": 2.0 / 3, "order.amount": 1, "order.channel": 2.0 / 3} {
		if math.Abs(comp[k]-v) > 1e-12 {
			t.Errorf("completeness %s = %v, want %v", k, comp[k], v)
		}
	}
	dups := res.Table("duplicates").Rows
	if len(dups) != 2 || dups[0][0] != int64(2) || dups[0][1] != int64(1) || dups[0][2] != "duplicate_name" || dups[1][2] != "duplicate_phone" {
		t.Errorf("duplicates %v", dups)
	}
}

func TestDuplicatesWindow(t *testing.T) {
	// In city A, with window 1 only sorted neighbours are compared: "wang xiaoming"(1) vs "wang xiaoming."(2) → same key, similarity 1;
	// "wang xiaominh"(3) sorts after both: compared with 2 only (window 1): 1 − 1/12 = 0.9167.
	// A different city (4) is never compared.
	cs := []kexi.Customer{{ID: 1, Name: "Wang Xiaoming", City: "A"}, {ID: 2, Name: "wang xiaoming.", City: "A"},
		{ID: 3, Name: "Wang Xiaominh", City: "A"}, {ID: 4, Name: "Wang Xiaoming", City: "B"}}
	ds := quality.Duplicates(cs, 0.9, 1)
	if len(ds) != 2 || ds[0].ID != 2 || ds[0].Of != 1 || ds[0].Similarity != 1 || ds[1].ID != 3 || ds[1].Of != 2 || math.Abs(ds[1].Similarity-(1-1.0/12)) > 1e-12 {
		t.Errorf("duplicates %+v", ds)
	}
	// Names that differ in their digits are numbered records, never duplicates, even though
	// "customer10000" and "customer10001" are 1 − 1/13 = 0.923 similar.
	if ds := quality.Duplicates([]kexi.Customer{{ID: 1, Name: "Customer 10000"}, {ID: 2, Name: "Customer 10001"}}, 0.9, 5); len(ds) != 0 {
		t.Errorf("numbered names: %+v", ds)
	}
	// Threshold 0.95 drops the fuzzy one.
	if ds := quality.Duplicates(cs, 0.95, 1); len(ds) != 1 {
		t.Errorf("threshold 0.95: %+v", ds)
	}
}

func TestEdgeCases(t *testing.T) {
	res, err := quality.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("score"); !math.IsNaN(f.Value) {
		t.Errorf("empty score %v", f.Value)
	}
	// One customer, no orders, no as-of: nothing is future and nothing is stale; all nine
	// fields missing → 100 − 45 = 55.
	res, _ = quality.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{Customers: []kexi.Customer{{ID: 7}}}})
	if f, _ := res.Figure("score"); f.Value != 55 {
		t.Errorf("one empty customer: %v", f.Value)
	}
	for _, o := range []map[string]string{{"stale_days": "0"}, {"name_threshold": "1.5"}, {"window": "x"}} {
		if _, err := quality.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: o}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v", o, err)
		}
	}
}

func Example() {
	res, _ := quality.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-06-30")})
	for _, r := range res.Tables[0].Rows {
		fmt.Printf("customer %d: %.0f\n", r[0], r[2])
	}
	// Output:
	// customer 3: 10
	// customer 2: 45
}

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() { benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1}) })
	in := analysis.Input{Data: benchData, AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := quality.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFutureEndOfDay: as of a day means through its end (analysis.EndOfDay), also on a day of
// 25 hours: in London the clocks go back on 26 October 2025, and an order at 23:30 that evening
// is not in the future as of that day. (The limit was the as-of midnight plus 24 hours, 23:00,
// before.)
func TestFutureEndOfDay(t *testing.T) {
	lon, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1, Name: "A"}},
		Orders: kexi.NewOrderTable(kexi.Order{ID: 1, CustomerID: 1, OrderedAt: time.Date(2025, 10, 26, 23, 30, 0, 0, lon), Amount: 10})}
	d.Normalize()
	res, err := quality.New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(2025, 10, 26, 0, 0, 0, 0, lon)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range res.Tables {
		for _, row := range tb.Rows {
			for _, v := range row {
				if v == "future_date" {
					t.Errorf("%s: %v: the order at 23:30 on the as-of day is taken for a future date", tb.Key, row)
				}
			}
		}
	}
}
