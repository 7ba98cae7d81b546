package satisfaction_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/satisfaction"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/internal/synth"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }

// tiny: customers 1 (individual, 广东, wechat), 2 (enterprise, 北京, search), 3 (individual,
// 广东, wechat, flagged churned), 4 (no answers). Orders: 1 on 01-10 and 03-01, 2 on 01-05.
// Answers:
//
//	s1 c1 01-15 NPS 10 questionnaire "物流很快，客服态度好"       → 物流 很快 客服 态度
//	s2 c2 01-20 NPS 3  phone "价格太贵, shipping was slow"      → 价格 贵 shipping slow (negative)
//	s3 c3 02-10 NPS 8  online_review
//	s4 c1 02-15 CSAT 5
//	s5 c2 02-20 CSAT 2 "质量不满意"                             → 质量 不满意 (negative)
//	s6 c3 02-25 CES 6
//	s7 c1 03-05 NPS 12 (out of range: not counted)
//	s8 —  03-06 NPS 9  "Great service, the price is fair"      → great service price fair
//
// NPS answers 10, 3, 8, 9: promoters 2, passives 1, detractors 1 → NPS = 100×(2−1)/4 = 25.
// CSAT 5, 2 → 1/2 = 0.5. CES mean 6. Valid responses 7, invalid 1.
// By month: 2024-01 NPS (1−1)/2 = 0; 2024-02 NPS 0 (one passive), CSAT 0.5, CES 6; 2024-03 NPS 100.
// By kind: individual NPS 10, 8 → 50, CSAT 1, CES 6; enterprise NPS −100, CSAT 0; (none) NPS 100.
// Complaints: 物流 ×2, 质量 ×1 of 3.
// Churn (as of 2024-03-01, churn_days 30): c1's latest NPS (promoter, 01-15): no purchase in
// (01-15, 02-14] → churned. c1's CSAT (satisfied, 02-15): bought 03-01 → not churned.
// c2's NPS (detractor, 01-20): no purchase by 02-19 → churned; c2's CSAT (dissatisfied, 02-20):
// window runs to 03-21, after as-of, no purchase yet → undecided, left out. c3 passive, flagged →
// churned. Rates: promoter 1/1, passive 1/1, detractor 1/1, satisfied 0/1.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{
			{ID: 1, Kind: kexi.Individual, Province: "广东", Channel: "wechat", Custom: map[string]string{"level": "gold"}},
			{ID: 2, Kind: kexi.Enterprise, Province: "北京", Channel: "search"},
			{ID: 3, Kind: kexi.Individual, Province: "广东", Channel: "wechat", Churned: true},
			{ID: 4},
		},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-10"), Amount: 100},
			kexi.Order{ID: 2, CustomerID: 1, OrderedAt: day("2024-03-01"), Amount: 50},
			kexi.Order{ID: 3, CustomerID: 2, OrderedAt: day("2024-01-05"), Amount: 500},
		),
		Surveys: []kexi.SurveyResponse{
			{ID: 1, CustomerID: 1, At: day("2024-01-15"), Kind: kexi.NPS, Score: 10, Channel: "questionnaire", Comment: "物流很快，客服态度好"},
			{ID: 2, CustomerID: 2, At: day("2024-01-20"), Kind: kexi.NPS, Score: 3, Channel: "phone", Comment: "价格太贵, shipping was slow"},
			{ID: 3, CustomerID: 3, At: day("2024-02-10"), Kind: kexi.NPS, Score: 8, Channel: "online_review"},
			{ID: 4, CustomerID: 1, At: day("2024-02-15"), Kind: kexi.CSAT, Score: 5, Channel: "questionnaire"},
			{ID: 5, CustomerID: 2, At: day("2024-02-20"), Kind: kexi.CSAT, Score: 2, Channel: "phone", Comment: "质量不满意"},
			{ID: 6, CustomerID: 3, At: day("2024-02-25"), Kind: kexi.CES, Score: 6, Channel: "phone"},
			{ID: 7, CustomerID: 1, At: day("2024-03-05"), Kind: kexi.NPS, Score: 12},
			{ID: 8, At: day("2024-03-06"), Kind: kexi.NPS, Score: 9, Comment: "Great service, the price is fair"},
		},
		Interactions: []kexi.Interaction{
			{ID: 1, CustomerID: 1, At: day("2024-02-01"), Kind: kexi.Complaint, Subject: "物流", Channel: "phone"},
			{ID: 2, CustomerID: 2, At: day("2024-02-02"), Kind: kexi.Complaint, Subject: "物流", Channel: "wechat"},
			{ID: 3, CustomerID: 2, At: day("2024-02-03"), Kind: kexi.Complaint, Subject: "质量", Channel: "phone"},
			{ID: 4, CustomerID: 1, At: day("2024-02-04"), Kind: kexi.Consultation, Subject: "物流"},
		},
	}
	d.Normalize()
	return d
}

func run(t *testing.T, d *kexi.Dataset, in analysis.Input) *analysis.Result {
	t.Helper()
	in.Data = d
	res, err := satisfaction.New().Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rowsBy(tb *analysis.Table, keyCols int) map[string][]any {
	m := map[string][]any{}
	for _, r := range tb.Rows {
		k := ""
		for i := 0; i < keyCols; i++ {
			k += fmt.Sprint(r[i]) + "/"
		}
		m[k] = r
	}
	return m
}

func TestRunByHand(t *testing.T) {
	res := run(t, tiny(), analysis.Input{Options: map[string]string{"churn_days": "30", "group_by": "custom.level"}})
	want := map[string]float64{"responses": 7, "nps": 25, "promoters": 0.5, "passives": 0.25, "detractors": 0.25,
		"csat": 0.5, "ces": 6, "invalid_scores": 1, "complaints": 3, "churn_promoters": 1, "churn_detractors": 1}
	for k, v := range want {
		if f, ok := res.Figure(k); !ok || !near(f.Value, v) {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	months := rowsBy(res.Table("months"), 1)
	for m, nps := range map[string]float64{"2024-01": 0, "2024-02": 0, "2024-03": 100} {
		if r := months[m+"/"]; r == nil || !near(r[2].(float64), nps) {
			t.Errorf("month %s: %v, want NPS %v", m, r, nps)
		}
	}
	if r := months["2024-02/"]; !near(r[5].(float64), 0.5) || !near(r[6].(float64), 6) {
		t.Errorf("2024-02 %v", r)
	}
	seg := rowsBy(res.Table("segments"), 2)
	for _, k := range []string{"kind/individual/", "kind/enterprise/", "kind/(none)/", "custom.level/gold/", "tier/vip/", "tier/small/", "tier/no_purchase/"} {
		if seg[k] == nil {
			t.Errorf("segment %s missing: %v", k, res.Table("segments").Rows)
		}
	}
	if r := seg["kind/individual/"]; !near(r[3].(float64), 50) || !near(r[6].(float64), 1) || !near(r[7].(float64), 6) {
		t.Errorf("individual %v", r)
	}
	if r := seg["kind/enterprise/"]; !near(r[3].(float64), -100) || !near(r[6].(float64), 0) {
		t.Errorf("enterprise %v", r)
	}
	// The pyramid's tiers (Cutoffs(2) = 1, 1, 1): customer 2 (500) is VIP (NPS 3 → −100, CSAT 2
	// → 0), customer 1 (150) small (NPS 10 → 100; CSAT 5 → 1); customer 3 and the anonymous
	// answer are "no_purchase" (NPS 8 and 9 → (1−0)/2 = 50; CES 6).
	if r := seg["tier/vip/"]; r == nil || !near(r[3].(float64), -100) || !near(r[6].(float64), 0) {
		t.Errorf("tier vip %v", r)
	}
	if r := seg["tier/small/"]; r == nil || !near(r[3].(float64), 100) || !near(r[6].(float64), 1) {
		t.Errorf("tier small %v", r)
	}
	if r := seg["tier/no_purchase/"]; !near(r[3].(float64), 50) || !near(r[7].(float64), 6) {
		t.Errorf("tier no_purchase %v", r)
	}
	if r := seg["custom.level/gold/"]; !near(r[3].(float64), 100) || !near(r[6].(float64), 1) {
		t.Errorf("custom %v", r)
	}
	comp := res.Table("complaints").Rows
	if len(comp) != 2 || comp[0][0] != "物流" || comp[0][1] != 2 || !near(comp[0][2].(float64), 2.0/3) {
		t.Errorf("complaints %v", comp)
	}
	kw := rowsBy(res.Table("keywords"), 1)
	for k, neg := range map[string]float64{"物流": 0, "很快": 0, "客服": 0, "态度": 0, "价格": 1, "贵": 1, "shipping": 1,
		"slow": 1, "质量": 1, "不满意": 1, "great": 0, "service": 0, "price": 0, "fair": 0} {
		if r := kw[k+"/"]; r == nil || r[1] != 1 || !near(r[2].(float64), neg) {
			t.Errorf("keyword %s: %v", k, r)
		}
	}
	if len(kw) != 14 {
		t.Errorf("%d keywords: %v", len(kw), kw)
	}
	ch := rowsBy(res.Table("churn"), 2)
	for k, w := range map[string][2]int{"nps/promoter/": {1, 1}, "nps/passive/": {1, 1}, "nps/detractor/": {1, 1}, "csat/satisfied/": {1, 0}} {
		if r := ch[k]; r == nil || r[2] != w[0] || r[3] != w[1] {
			t.Errorf("churn %s: %v", k, r)
		}
	}
	if len(ch) != 4 {
		t.Errorf("churn rows %v", ch)
	}
	per := rowsBy(res.Table("per_customer"), 1)
	if r := per["1/"]; r[4] != "promoter" || r[5] != "false" || !near(r[1].(float64), 10) {
		t.Errorf("customer 1 %v", r)
	}
	if r := per["2/"]; r[5] != "" {
		t.Errorf("customer 2 churn should be undecided: %v", r)
	}
	if r := per["3/"]; r[5] != "true" {
		t.Errorf("customer 3 %v", r)
	}
	if s := res.Series[0]; s.Key != "nps_distribution" || !slices.Equal(s.Y[0].Data, []float64{0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1}) {
		t.Errorf("nps distribution %v", s)
	}
	// The trend holds NPS points and the CSAT share: the share says it is a percent, so that
	// it is drawn on its own 0–100 % axis rather than flat at 0 on the NPS axis.
	for _, s := range res.Series {
		if s.Key == "trend" && (len(s.Y) != 2 || s.Y[0].Key != "nps" || s.Y[0].Unit != "" || s.Y[1].Key != "csat" || s.Y[1].Unit != "percent") {
			t.Errorf("trend values: %+v", s.Y)
		}
	}
}

func TestPeriodAndEdges(t *testing.T) {
	// February only: NPS 8 (passive) → 0; CSAT 5, 2 → 0.5; complaints 3.
	res := run(t, tiny(), analysis.Input{From: day("2024-02-01"), To: day("2024-02-29")})
	if f, _ := res.Figure("nps"); f.Value != 0 {
		t.Errorf("february NPS %v", f.Value)
	}
	if f, _ := res.Figure("responses"); f.Value != 4 {
		t.Errorf("february responses %v", f.Value)
	}
	// An empty period: NaN scores, no rows, no panic.
	res = run(t, tiny(), analysis.Input{From: day("2030-01-01")})
	if f, _ := res.Figure("nps"); !math.IsNaN(f.Value) {
		t.Errorf("empty NPS %v", f.Value)
	}
	// Bad options.
	for _, o := range []map[string]string{{"group_by": "shoe_size"}, {"churn_days": "-1"}, {"top": "x"}} {
		if _, err := satisfaction.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: o}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v", o, err)
		}
	}
}

func TestKeywords(t *testing.T) {
	for in, want := range map[string][]string{
		"物流太慢，包装破损":                {"物流", "太慢", "包装", "破损"},
		"不满意！客服不满意":                {"不满意", "客服"},
		"It's OK; delivery 2 days": {"ok", "delivery", "days"},
		"":                         nil,
	} {
		if got := satisfaction.Keywords(in); !slices.Equal(got, want) {
			t.Errorf("Keywords(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTiersAsPyramid: satisfaction's tiers are the pyramid's. Seven buyers: Cutoffs(7) = 1, 1,
// 2, so customer 1 is VIP and the second is ordinary (rounding 1 %, 5 % and 20 % of 7 to the
// nearest made customer 1 ordinary and nobody VIP). Customers 3 (0.3) and 5 (0.1 + 0.2, a float
// sum of 0.30000000000000004) tie to the cent for second place: 3 ranks first by id. Customer
// 8's $0 gift is no spend.
func TestTiersAsPyramid(t *testing.T) {
	d := &kexi.Dataset{}
	for i, a := range []float64{900, 0.2, 0.3, 0.1, 0.1, 0.05, 0.02} {
		d.Orders.Append(&kexi.Order{ID: int64(i + 1), CustomerID: int64(i + 1), Amount: a})
	}
	d.Orders.Append(&kexi.Order{ID: 20, CustomerID: 5, Amount: 0.2})
	d.Orders.Append(&kexi.Order{ID: 21, CustomerID: 8})
	d.Normalize()
	tr := satisfaction.Tiers(d, nil)
	want := map[int64]string{1: "vip", 3: "ordinary", 5: "small", 2: "small", 4: "small", 6: "small", 7: "small"}
	if len(tr) != 7 {
		t.Errorf("%d customers tiered, want 7: %v", len(tr), tr)
	}
	for id, w := range want {
		if tr[id] != w {
			t.Errorf("customer %d: %q, want %q", id, tr[id], w)
		}
	}
}

func TestTiers(t *testing.T) {
	// 100 buyers spending their id (customer 50 spends 99 too, tying with 99: lower id first).
	// Cutoffs 1, 5, 20: VIP = 100; major = the next 4 by spend: 99, 50 (tie, id 50 < 99 → 50
	// first), 98, 97 — so 96 is ordinary; ordinary = ranks 5..19.
	d := &kexi.Dataset{}
	for i := 1; i <= 100; i++ {
		a := float64(i)
		if i == 50 {
			a = 99
		}
		d.Orders.Append(&kexi.Order{ID: int64(i), CustomerID: int64(i), Amount: a})
	}
	tr := satisfaction.Tiers(d, nil)
	for id, want := range map[int64]string{100: "vip", 99: "major", 50: "major", 97: "major", 96: "ordinary", 82: "ordinary", 81: "small", 1: "small"} {
		if tr[id] != want {
			t.Errorf("customer %d: %s, want %s", id, tr[id], want)
		}
	}
}

// TestTelco checks CSAT on the IBM telco status table: Satisfaction Score 1..5 counts 922, 518,
// 2,665, 1,789, 1,149 → (1789+1149)/7043 = 0.41715. Churn Value flags churners: scores 1–2 all
// churned (1440/1440), 3: 429/2665 = 0.16098, 4–5: 0/2938.
func TestTelco(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "telco-churn/Telco_customer_churn_status.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	at := day("2024-09-30") // the file is Q3; it has no dates
	d := &kexi.Dataset{}
	for i, r := range recs[1:] {
		score, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			t.Fatal(err)
		}
		id := int64(i + 1)
		d.Customers = append(d.Customers, kexi.Customer{ID: id, ExternalID: r[1], Churned: r[7] == "1"})
		d.Surveys = append(d.Surveys, kexi.SurveyResponse{ID: id, CustomerID: id, At: at, Kind: kexi.CSAT, Score: score})
	}
	d.Normalize()
	res := run(t, d, analysis.Input{})
	if c, _ := res.Figure("csat"); math.Abs(c.Value-0.41715) > 0.000005 {
		t.Errorf("CSAT %.5f, want 0.41715", c.Value)
	}
	ch := rowsBy(res.Table("churn"), 2)
	for k, w := range map[string][2]int{"csat/dissatisfied/": {1440, 1440}, "csat/neutral/": {2665, 429}, "csat/satisfied/": {2938, 0}} {
		if r := ch[k]; r == nil || r[2] != w[0] || r[3] != w[1] {
			t.Errorf("%s: %v, want %v", k, r, w)
		}
	}
}

func Example() {
	res, _ := satisfaction.New().Run(context.Background(), analysis.Input{Data: tiny()})
	for _, k := range []string{"nps", "csat", "ces"} {
		f, _ := res.Figure(k)
		fmt.Printf("%s %.2f\n", k, f.Value)
	}
	// Output:
	// nps 25.00
	// csat 0.50
	// ces 6.00
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
		if _, err := satisfaction.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
