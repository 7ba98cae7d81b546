package attributes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attributes"
	"github.com/kexi/kexi/internal/refdata"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		t, err = time.Parse("2006-01-02 15:04", s)
	}
	if err != nil {
		panic(err)
	}
	return t
}

func buy(id, cid int64, at string, amount float64) kexi.Order {
	return kexi.Order{ID: id, CustomerID: cid, OrderedAt: day(at), Amount: amount, Status: kexi.StatusCompleted}
}

// seven is seven customers, run as of 2025-07-01 over 2025-01-01 … 2025-06-30: six whole
// months, so the previous period is 2024-07-01 … 2024-12-31.
//
//	id kind        gender age             province city  income tags        plan      seats
//	1  individual  female 24              广东     广州  30     vip, new    gold      5
//	2  individual  male   25              广东     深圳  50     vip         silver    10
//	3  individual  female 34              江苏     南京  –      –           gold      10
//	4  enterprise  –      55 (born 1970-07-01: 55 on the as-of day)  江苏 南京  80  –  –  20
//	5  enterprise  –      54              –        –     80     new         platinum  abc
//	6  –           male   –               上海     上海  band "high" " " (blank) –  –
//	7  individual  female 35              广东     广州  –      vip, vip    bronze    40
//
// Orders (period P = 2025-01-01 … 06-30, previous Q = 2024-07-01 … 12-31):
//
//	C1: 02-01 100, 03-01 50 (P: 2 orders, 150); 2024-10-01 60 (Q); 2024-05-01 999 (before Q: out).
//	C2: 04-01 200 (P); 05-01 500 cancelled (out); 2024-12-31 100 (Q); 2024-06-30 23:59 7 (out).
//	C3: 2025-01-01 00:00 80 (P: its first instant); 2025-07-01 1000 (after the To day: out).
//	C4: 06-15 400 (P); 06-20 a return of 50 (returns 50).
//	C5: 2024-08-01 120 (Q only).
//	C6: 03-10 a return of 30: only returns.
//	C7: no orders. Customer 0 (anonymous): 03-01 777, nobody's.
//
// Per customer (P revenue, P orders, Q revenue, returns): C1 150 2 60 0; C2 200 1 100 0;
// C3 80 1 0 0; C4 400 1 0 50; C5 0 0 120 0; C6 0 0 0 30; C7 0 0 0 0.
// Totals: 7 customers, 4 buyers (C1–C4), revenue 830, previous 280, growth 550/280.
func seven() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{
			{ID: 1, Kind: kexi.Individual, Gender: "female", Age: 24, Province: "广东", City: "广州", Income: 30,
				Tags: []string{"vip", "new"}, Custom: map[string]string{"plan": "gold", "seats": "5"}},
			{ID: 2, Kind: kexi.Individual, Gender: "male", Age: 25, Province: "广东", City: "深圳", Income: 50,
				Tags: []string{"vip"}, Custom: map[string]string{"plan": "silver", "seats": "10"}},
			{ID: 3, Kind: kexi.Individual, Gender: "female", Age: 34, Province: "江苏", City: "南京",
				Custom: map[string]string{"plan": "gold", "seats": "10"}},
			{ID: 4, Kind: kexi.Enterprise, BirthDate: day("1970-07-01"), Province: "江苏", City: "南京", Income: 80,
				Custom: map[string]string{"seats": "20"}},
			{ID: 5, Kind: kexi.Enterprise, Age: 54, Income: 80, Tags: []string{"new"},
				Custom: map[string]string{"plan": "platinum", "seats": "abc"}},
			{ID: 6, Gender: "male", Province: "上海", City: "上海", IncomeBand: "high", Tags: []string{" "}},
			{ID: 7, Kind: kexi.Individual, Gender: "female", Age: 35, Province: "广东", City: "广州",
				Tags: []string{"vip", "vip"}, Custom: map[string]string{"plan": "bronze", "seats": "40"}},
		},
		Orders: kexi.NewOrderTable([]kexi.Order{
			buy(1, 1, "2025-02-01", 100), buy(2, 1, "2025-03-01", 50), buy(3, 1, "2024-10-01", 60), buy(4, 1, "2024-05-01", 999),
			buy(5, 2, "2025-04-01", 200), {ID: 6, CustomerID: 2, OrderedAt: day("2025-05-01"), Amount: 500, Status: kexi.StatusCancelled},
			buy(7, 2, "2024-12-31", 100), buy(8, 2, "2024-06-30 23:59", 7),
			buy(9, 3, "2025-01-01", 80), buy(10, 3, "2025-07-01", 1000),
			buy(11, 4, "2025-06-15", 400), {ID: 12, CustomerID: 4, OrderedAt: day("2025-06-20"), Returned: 50, Status: kexi.StatusReturn},
			buy(13, 5, "2024-08-01", 120),
			{ID: 14, CustomerID: 6, OrderedAt: day("2025-03-10"), Returned: 30, Status: kexi.StatusReturn},
			buy(15, 0, "2025-03-01", 777),
		}...),
		CustomFields: []kexi.CustomField{
			{Entity: "customer", Name: "plan", Type: kexi.FieldChoice, Choices: []string{"gold", "silver", "bronze"}},
			{Entity: "customer", Name: "seats", Type: kexi.FieldNumber},
		},
	}
	d.Normalize()
	return d
}

func run(t *testing.T, d *kexi.Dataset, opts map[string]string) *analysis.Result {
	t.Helper()
	res, err := attributes.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2025-07-01"),
		From: day("2025-01-01"), To: day("2025-06-30"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// col returns the values of a table's column.
func col(tb *analysis.Table, key string) []any {
	i := slices.IndexFunc(tb.Columns, func(c analysis.Column) bool { return c.Key == key })
	if i < 0 {
		panic("no column " + key)
	}
	out := make([]any, len(tb.Rows))
	for r, row := range tb.Rows {
		out[r] = row[i]
	}
	return out
}

// row returns a table row as a map by column key, for the first row whose first cells are
// the given values.
func row(t *testing.T, tb *analysis.Table, first ...any) map[string]any {
	t.Helper()
	for _, r := range tb.Rows {
		if reflect.DeepEqual(r[:len(first)], first) {
			m := map[string]any{}
			for i, c := range tb.Columns {
				m[c.Key] = r[i]
			}
			return m
		}
	}
	t.Fatalf("%s: no row %v", tb.Key, first)
	return nil
}

func near(a any, want float64) bool {
	f, ok := a.(float64)
	return ok && math.Abs(f-want) < 1e-9
}

func figure(t *testing.T, res *analysis.Result, key string) analysis.Figure {
	t.Helper()
	f, ok := res.Figure(key)
	if !ok {
		t.Fatalf("no figure %q", key)
	}
	return f
}

func TestPeriodOf(t *testing.T) {
	for _, tt := range []struct {
		name             string
		in               analysis.Input
		start, end, prev string
	}{
		// No period: the 12 months to the as-of time, against the 12 months before.
		{"default", analysis.Input{AsOf: day("2025-06-30 12:00")}, "2024-06-30 12:00", "2025-06-30 12:00", "2023-06-30 12:00"},
		// Six whole months (the To day ends before the as-of time): the six months before.
		{"half year", analysis.Input{AsOf: day("2025-12-31"), From: day("2025-01-01"), To: day("2025-06-30")},
			"2025-01-01 00:00", "2025-06-30 23:59", "2024-07-01 00:00"},
		// February: one month, so January (31 days, not 28).
		{"one month", analysis.Input{AsOf: day("2025-12-31"), From: day("2025-02-01"), To: day("2025-02-28")},
			"2025-02-01 00:00", "2025-02-28 23:59", "2025-01-01 00:00"},
		// Ten days, Jan 10 … 19: the ten days Dec 31 … Jan 9.
		{"ten days", analysis.Input{AsOf: day("2025-12-31"), From: day("2025-01-10"), To: day("2025-01-19")},
			"2025-01-10 00:00", "2025-01-19 23:59", "2024-12-31 00:00"},
		// From Jan 1 to the as-of time Mar 15 12:00: 31 + 28 + 14 days 12 h = 73.5 days, so
		// the previous period starts 73.5 days before Jan 1: Nov 1 is 61 days before, then
		// 12.5 days more → Oct 19 12:00.
		{"to as-of", analysis.Input{AsOf: day("2025-03-15 12:00"), From: day("2025-01-01")},
			"2025-01-01 00:00", "2025-03-15 12:00", "2024-10-19 12:00"},
		// To after the as-of time: the as-of time ends the period.
		{"as-of first", analysis.Input{AsOf: day("2025-06-10"), To: day("2025-06-30")}, "2024-06-10 00:00", "2025-06-10 00:00", "2023-06-10 00:00"},
	} {
		p := attributes.PeriodOf(tt.in)
		f := func(t time.Time) string { return t.Format("2006-01-02 15:04") }
		if f(p.Start) != tt.start || f(p.End) != tt.end || f(p.PrevStart) != tt.prev {
			t.Errorf("%s: start %s end %s prev %s; want %s %s %s", tt.name, f(p.Start), f(p.End), f(p.PrevStart), tt.start, tt.end, tt.prev)
		}
	}
}

func TestAgeBands(t *testing.T) {
	e := attributes.DefaultAgeEdges
	names := attributes.AgeBands(e)
	if want := []string{"<25", "25–34", "35–44", "45–54", "55+"}; !slices.Equal(names, want) {
		t.Errorf("bands %v, want %v", names, want)
	}
	// Each edge opens its band: 24 is the last age below 25, 25 the first of 25–34.
	for age, want := range map[int]string{1: "<25", 24: "<25", 25: "25–34", 34: "25–34", 35: "35–44", 44: "35–44",
		45: "45–54", 54: "45–54", 55: "55+", 99: "55+"} {
		if got := names[attributes.AgeBand(age, e)]; got != want {
			t.Errorf("age %d in %s, want %s", age, got, want)
		}
	}
	// Born 1970-07-01: 54 the day before the 55th birthday, 55 on it.
	c := &kexi.Customer{BirthDate: day("1970-07-01")}
	if a, b := attributes.Age(c, day("2025-06-30")), attributes.Age(c, day("2025-07-01")); a != 54 || b != 55 {
		t.Errorf("ages %d %d, want 54 55", a, b)
	}
	if a := attributes.Age(&kexi.Customer{Age: 40, BirthDate: day("2000-01-01")}, day("2025-07-01")); a != 40 {
		t.Errorf("Age wins over BirthDate: %d", a)
	}
	if a := attributes.Age(&kexi.Customer{BirthDate: day("2026-01-01")}, day("2025-07-01")); a != 0 {
		t.Errorf("born after the as-of date: %d, want 0 (unknown)", a)
	}
}

func TestQuantileBands(t *testing.T) {
	// n = 5 known values 5, 10, 10, 20, 40; k = 4: 5 has r = 0 → band 0; 10 has r = 1 →
	// ⌊4/5⌋ = 0; 20 has r = 3 → ⌊12/5⌋ = 2; 40 has r = 4 → ⌊16/5⌋ = 3. Band 1 is empty, so
	// the bands are 5–10, 20, 40.
	v := []float64{10, 5, math.NaN(), 40, 10, 20}
	band, names := attributes.QuantileBands(v, 4)
	if !slices.Equal(band, []int32{0, 0, -1, 2, 0, 1}) || !slices.Equal(names, []string{"5–10", "20", "40"}) {
		t.Errorf("k=4: bands %v names %v", band, names)
	}
	// k = 2: 20 has ⌊6/5⌋ = 1, 40 ⌊8/5⌋ = 1 → 5–10 and 20–40.
	band, names = attributes.QuantileBands(v, 2)
	if !slices.Equal(band, []int32{0, 0, -1, 1, 0, 1}) || !slices.Equal(names, []string{"5–10", "20–40"}) {
		t.Errorf("k=2: bands %v names %v", band, names)
	}
	band, names = attributes.QuantileBands([]float64{math.NaN()}, 4)
	if !slices.Equal(band, []int32{-1}) || names != nil {
		t.Errorf("all unknown: %v %v", band, names)
	}
}

func TestGroupsByKind(t *testing.T) {
	res := run(t, seven(), nil) // by auto: two kinds → kind; across auto → province
	if f := figure(t, res, "attribute"); f.Text != "kind" {
		t.Errorf("attribute %q, want kind", f.Text)
	}
	if f := figure(t, res, "across_attribute"); f.Text != "province" {
		t.Errorf("across %q, want province", f.Text)
	}
	g := res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"individual", "enterprise", attributes.Unknown}) {
		t.Fatalf("groups %v", got)
	}
	// individual: C1 C2 C3 C7 → 4 of 7; buyers C1 C2 C3; orders 2+1+1; revenue 150+200+80 =
	// 430, previous 60+100 = 160 → growth 270/160 = 1.6875; repeat 1 (C1) of 3 buyers; ages
	// 24 25 34 35 → 29.5; incomes 30 50 (C3, C7 unknown) → 40.
	ind := row(t, g, "individual")
	want := map[string]any{"customers": 4, "buyers": 3, "orders": 4, "revenue": 430.0, "previous_revenue": 160.0, "returns": 0.0}
	for k, v := range want {
		if ind[k] != v {
			t.Errorf("individual %s = %v, want %v", k, ind[k], v)
		}
	}
	for k, v := range map[string]float64{"share": 4.0 / 7, "buyer_rate": 0.75, "revenue_share": 430.0 / 830,
		"revenue_per_customer": 107.5, "aov": 107.5, "repeat_rate": 1.0 / 3, "growth": 1.6875, "mean_age": 29.5, "mean_income": 40} {
		if !near(ind[k], v) {
			t.Errorf("individual %s = %v, want %v", k, ind[k], v)
		}
	}
	// enterprise: C4 C5; buyer C4 (one order, 400, a return of 50); previous 120 (C5) →
	// growth 280/120; ages 55 (born 1970-07-01, as of 2025-07-01) and 54 → 54.5.
	ent := row(t, g, "enterprise")
	if ent["customers"] != 2 || ent["buyers"] != 1 || ent["returns"] != 50.0 || !near(ent["growth"], 280.0/120) ||
		!near(ent["aov"], 400) || !near(ent["repeat_rate"], 0) || !near(ent["mean_age"], 54.5) || !near(ent["mean_income"], 80) {
		t.Errorf("enterprise %v", ent)
	}
	// unknown: C6, only a return of 30 — no buyer, no order: AOV, repeat rate, growth, mean
	// age and income are empty, not 0 and not NaN.
	unk := row(t, g, attributes.Unknown)
	if unk["customers"] != 1 || unk["buyers"] != 0 || unk["revenue"] != 0.0 || unk["returns"] != 30.0 ||
		unk["aov"] != nil || unk["repeat_rate"] != nil || unk["growth"] != nil || unk["mean_age"] != nil || unk["mean_income"] != nil {
		t.Errorf("unknown %v", unk)
	}
	// Figures: 830 against 280; largest group individual 4/7; best revenue per customer
	// enterprise 400/2 = 200 (individual 107.5); unknown 1/7.
	for k, v := range map[string]float64{"customers": 7, "group_count": 3, "buyers": 4, "revenue": 830, "previous_revenue": 280,
		"revenue_growth": 550.0 / 280, "largest_group_share": 4.0 / 7, "unknown_share": 1.0 / 7,
		"best_group_revenue_per_customer": 200, "revenue_per_customer": 830.0 / 7} {
		if f := figure(t, res, k); math.Abs(f.Value-v) > 1e-9 {
			t.Errorf("figure %s = %v, want %v", k, f.Value, v)
		}
	}
	if figure(t, res, "largest_group").Text != "individual" || figure(t, res, "best_group").Text != "enterprise" {
		t.Errorf("largest %q best %q", figure(t, res, "largest_group").Text, figure(t, res, "best_group").Text)
	}
	if figure(t, res, "period").Text != "2025-01-01 – 2025-06-30" || figure(t, res, "previous_period").Text != "2024-07-01 – 2024-12-31" {
		t.Errorf("period figures %v", res.Summary)
	}
	// Series follow the table.
	s := res.Series[0]
	if s.Key != "customers_by_group" || !slices.Equal(s.Y[0].Data, []float64{4, 2, 1}) {
		t.Errorf("customers bar %+v", s)
	}
	if s := res.Series[1]; s.Key != "revenue_by_group" || s.Kind != "pie" || !slices.Equal(s.Y[0].Data, []float64{430, 400, 0}) {
		t.Errorf("revenue pie %+v", s)
	}
}

func TestCrossTable(t *testing.T) {
	res := run(t, seven(), map[string]string{"by": "kind", "across": "province"})
	ct := res.Table("cross")
	// Provinces: 广东 C1 C2 C7 (3), 江苏 C3 C4 (2), 上海 C6 (1), unknown C5 (1): 3 × 4 cells.
	if len(ct.Rows) != 12 {
		t.Fatalf("%d cells, want 12", len(ct.Rows))
	}
	// individual × 广东: C1 C2 C7, 3 of the group's 4; TGI (3/4)/(3/7)·100 = 175; revenue
	// 150 + 200 of the group's 430.
	r := row(t, ct, "individual", "广东")
	if r["customers"] != 3 || !near(r["row_share"], 0.75) || !near(r["tgi"], 175) || r["revenue"] != 350.0 || !near(r["revenue_row_share"], 350.0/430) {
		t.Errorf("individual × 广东 %v", r)
	}
	// individual × 江苏: C3, 1/4; TGI (1/4)/(2/7)·100 = 87.5.
	if r := row(t, ct, "individual", "江苏"); r["customers"] != 1 || !near(r["tgi"], 87.5) || r["revenue"] != 80.0 {
		t.Errorf("individual × 江苏 %v", r)
	}
	// enterprise × unknown province: C5, 1/2; TGI (1/2)/(1/7)·100 = 350; no revenue.
	if r := row(t, ct, "enterprise", attributes.Unknown); r["customers"] != 1 || !near(r["tgi"], 350) || !near(r["revenue_row_share"], 0) {
		t.Errorf("enterprise × unknown %v", r)
	}
	// unknown kind × 上海: C6, the whole group, whose revenue is 0: revenue row share empty.
	if r := row(t, ct, attributes.Unknown, "上海"); r["customers"] != 1 || !near(r["tgi"], 700) || r["revenue_row_share"] != nil {
		t.Errorf("unknown × 上海 %v", r)
	}
	if r := row(t, ct, "individual", "上海"); r["customers"] != 0 || !near(r["tgi"], 0) {
		t.Errorf("empty cell %v", r)
	}
	var heat *analysis.Series
	for i := range res.Series {
		if res.Series[i].Key == "cross_heatmap" {
			heat = &res.Series[i]
		}
	}
	if heat == nil || heat.Kind != "heatmap" || !slices.Equal(heat.X, []string{"广东", "江苏", "上海", attributes.Unknown}) ||
		!slices.Equal(heat.YCats, []string{"individual", "enterprise", attributes.Unknown}) || len(heat.Cells) != 12 {
		t.Fatalf("heatmap %+v", heat)
	}
	// Cell [x, y, customers]: 江苏 is x 1, enterprise y 1 → C4.
	if !slices.Contains(heat.Cells, [3]float64{1, 1, 1}) || !slices.Contains(heat.Cells, [3]float64{0, 0, 3}) {
		t.Errorf("heat cells %v", heat.Cells)
	}
	// No cross table: the table is empty and there is no heat map.
	res = run(t, seven(), map[string]string{"across": "none"})
	if len(res.Table("cross").Rows) != 0 || len(res.Series) != 3 {
		t.Errorf("across none: %d cross rows, %d series", len(res.Table("cross").Rows), len(res.Series))
	}
	if _, ok := res.Figure("across_attribute"); ok {
		t.Error("across none still names an across attribute")
	}
}

func TestMarketSegments(t *testing.T) {
	res := run(t, seven(), map[string]string{"by": "kind"})
	st := res.Table("market_segments")
	// Province × kind, by revenue: 江苏·enterprise (C4) 400; 广东·individual (C1 C2 C7) 350;
	// 江苏·individual (C3) 80; then two of revenue 0 and 1 customer each, in region order
	// (广东, 江苏, 上海, unknown): 上海·unknown (C6), unknown·enterprise (C5).
	want := [][]any{{1, "江苏", "enterprise"}, {2, "广东", "individual"}, {3, "江苏", "individual"}, {4, "上海", attributes.Unknown}, {5, attributes.Unknown, "enterprise"}}
	if len(st.Rows) != len(want) {
		t.Fatalf("%d segments, want %d: %v", len(st.Rows), len(want), st.Rows)
	}
	for i, w := range want {
		if !reflect.DeepEqual(st.Rows[i][:3], w) {
			t.Errorf("segment %d: %v, want %v", i+1, st.Rows[i][:3], w)
		}
	}
	// 广东·individual: 3 customers (3/7), 2 buyers, 350 of 830, previous 60 + 100 = 160 →
	// growth 190/160 = 1.1875.
	r := row(t, st, 2)
	if r["customers"] != 3 || r["buyers"] != 2 || r["revenue"] != 350.0 || r["previous_revenue"] != 160.0 ||
		!near(r["growth"], 1.1875) || !near(r["share"], 3.0/7) || !near(r["revenue_share"], 350.0/830) || !near(r["revenue_per_customer"], 350.0/3) {
		t.Errorf("广东·individual %v", r)
	}
	// 江苏·enterprise: nothing in the previous period → growth empty.
	if r := row(t, st, 1); r["growth"] != nil || r["previous_revenue"] != 0.0 {
		t.Errorf("江苏·enterprise %v", r)
	}
	// unknown·enterprise: C5 bought 120 only before → growth −100 %.
	if r := row(t, st, 5); !near(r["growth"], -1) {
		t.Errorf("unknown·enterprise %v", r)
	}
	bar := res.Series[len(res.Series)-1]
	if bar.Key != "market_segment_revenue" || !slices.Equal(bar.X, []string{"江苏 · enterprise", "广东 · individual", "江苏 · individual"}) ||
		!slices.Equal(bar.Y[0].Data, []float64{400, 350, 80}) {
		t.Errorf("segment bar %+v", bar)
	}
	// At the country level: no customer has a country → one region, unknown.
	res = run(t, seven(), map[string]string{"by": "gender", "region": "country"})
	for _, r := range res.Table("market_segments").Rows {
		if r[1] != attributes.Unknown {
			t.Errorf("country region %v", r)
		}
	}
}

func TestAgeBandGroups(t *testing.T) {
	res := run(t, seven(), map[string]string{"by": "age_band", "across": "none"})
	g := res.Table("groups")
	// C1 24 → <25; C2 25, C3 34 → 25–34; C7 35 → 35–44; C5 54 → 45–54; C4 55 on the as-of day
	// → 55+; C6 unknown. Bands keep their order.
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"<25", "25–34", "35–44", "45–54", "55+", attributes.Unknown}) {
		t.Fatalf("bands %v", got)
	}
	if got := col(g, "customers"); !reflect.DeepEqual(got, []any{1, 2, 1, 1, 1, 1}) {
		t.Errorf("customers %v", got)
	}
	// 25–34: C2 200 + C3 80.
	if got := col(g, "revenue"); !reflect.DeepEqual(got, []any{150.0, 280.0, 0.0, 0.0, 400.0, 0.0}) {
		t.Errorf("revenue %v", got)
	}
	// Edges 30,50: <30 C1 C2 (24, 25), 30–49 C3 C7 (34, 35), 50+ C4 C5 (55, 54), unknown C6.
	res = run(t, seven(), map[string]string{"by": "age_band", "age_edges": "30, 50"})
	if got := col(res.Table("groups"), "customers"); !reflect.DeepEqual(got, []any{2, 2, 2, 1}) {
		t.Errorf("edges 30,50: %v", got)
	}
	// By region, the cross table is by age band.
	res = run(t, seven(), map[string]string{"by": "province"})
	if f := figure(t, res, "across_attribute"); f.Text != "age_band" {
		t.Errorf("across for province %q", f.Text)
	}
}

func TestCustomFields(t *testing.T) {
	// Choice plan: declared gold, silver, bronze first, in that order (bronze even though it is
	// smaller than nothing else), then platinum (not declared); C4 and C6 have none.
	// gold C1 C3 → 150 + 80; silver C2 200; bronze C7 0; platinum C5 0; unknown C4 C6 400.
	res := run(t, seven(), map[string]string{"by": "custom:plan", "across": "none"})
	g := res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"gold", "silver", "bronze", "platinum", attributes.Unknown}) {
		t.Fatalf("plan groups %v", got)
	}
	if got := col(g, "customers"); !reflect.DeepEqual(got, []any{2, 1, 1, 1, 2}) {
		t.Errorf("plan customers %v", got)
	}
	if got := col(g, "revenue"); !reflect.DeepEqual(got, []any{230.0, 200.0, 0.0, 0.0, 400.0}) {
		t.Errorf("plan revenue %v", got)
	}
	if f := figure(t, res, "attribute"); f.Text != "custom.plan" {
		t.Errorf("attribute %q", f.Text)
	}
	// The bare name works too.
	if res := run(t, seven(), map[string]string{"by": "plan"}); figure(t, res, "attribute").Text != "custom.plan" {
		t.Error("by=plan is not the custom field")
	}
	// Number seats in 4 quantile bands (see TestQuantileBands): 5–10 C1 C2 C3 (150 + 200 + 80),
	// 20 C4 (400), 40 C7; C5 "abc" and C6 (none) unknown.
	res = run(t, seven(), map[string]string{"by": "seats", "across": "none"})
	g = res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"5–10", "20", "40", attributes.Unknown}) {
		t.Fatalf("seats groups %v", got)
	}
	if got := col(g, "customers"); !reflect.DeepEqual(got, []any{3, 1, 1, 2}) {
		t.Errorf("seats customers %v", got)
	}
	if got := col(g, "revenue"); !reflect.DeepEqual(got, []any{430.0, 400.0, 0.0, 0.0}) {
		t.Errorf("seats revenue %v", got)
	}
	res = run(t, seven(), map[string]string{"by": "seats", "bands": "2"})
	if got := col(res.Table("groups"), "group"); !reflect.DeepEqual(got, []any{"5–10", "20–40", attributes.Unknown}) {
		t.Errorf("seats in 2 bands %v", got)
	}
}

func TestIncomeAndTags(t *testing.T) {
	// income_band: C6's given band "high" first; the others' incomes 30 (C1), 50 (C2), 80 (C4
	// C5) in quartiles: r = 0, 1, 2 of n = 4 → bands 0, 1, 2: "30", "50", "80"; C3 and C7
	// have neither.
	res := run(t, seven(), map[string]string{"by": "income_band", "across": "none"})
	g := res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"high", "30", "50", "80", attributes.Unknown}) {
		t.Fatalf("income bands %v", got)
	}
	if got := col(g, "customers"); !reflect.DeepEqual(got, []any{1, 1, 1, 2, 2}) {
		t.Errorf("income band customers %v", got)
	}
	// Tags: vip C1 C2 C7 (350); new C1 C5 (150); C3, C4, C6 (blank tag) unknown (480). C7's
	// repeated vip counts once.
	res = run(t, seven(), map[string]string{"by": "tag", "across": "none"})
	g = res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"vip", "new", attributes.Unknown}) {
		t.Fatalf("tags %v", got)
	}
	if got := col(g, "customers"); !reflect.DeepEqual(got, []any{3, 2, 3}) {
		t.Errorf("tag customers %v", got)
	}
	if got := col(g, "revenue"); !reflect.DeepEqual(got, []any{350.0, 150.0, 480.0}) {
		t.Errorf("tag revenue %v", got)
	}
	// top 1: vip, then new folds into other (C1 and C5), unknown stays apart.
	res = run(t, seven(), map[string]string{"by": "tag", "top": "1"})
	if got := col(res.Table("groups"), "customers"); !reflect.DeepEqual(got, []any{3, 2, 3}) ||
		!reflect.DeepEqual(col(res.Table("groups"), "group"), []any{"vip", attributes.Other, attributes.Unknown}) {
		t.Errorf("tags top 1: %v", res.Table("groups").Rows)
	}
	if f := figure(t, res, "customers"); f.Value != 7 {
		t.Errorf("customers %v: a customer in two groups counts once", f.Value)
	}
}

func TestTopFoldsIntoOther(t *testing.T) {
	// Cities: 南京 C3 C4 (2), 广州 C1 C7 (2), 上海 C6 (1), 深圳 C2 (1), C5 none. Ties go by
	// value (南 U+5357 before 广 U+5E7F; 上 U+4E0A before 深 U+6DF1). top 2 keeps 南京 and
	// 广州; 上海 and 深圳 fold into other (C6 0 + C2 200).
	res := run(t, seven(), map[string]string{"by": "city", "top": "2"})
	g := res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"南京", "广州", attributes.Other, attributes.Unknown}) {
		t.Fatalf("cities %v", got)
	}
	if got := col(g, "revenue"); !reflect.DeepEqual(got, []any{480.0, 150.0, 200.0, 0.0}) {
		t.Errorf("city revenue %v", got)
	}
	res = run(t, seven(), map[string]string{"by": "city", "top": "0"})
	if got := col(res.Table("groups"), "group"); !reflect.DeepEqual(got, []any{"南京", "广州", "上海", "深圳", attributes.Unknown}) {
		t.Errorf("top 0: %v", got)
	}
}

func TestOneCustomer(t *testing.T) {
	// One customer, one purchase of 100: as of it, in the default 12 months; nothing before.
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1, Gender: "female"}},
		Orders: kexi.NewOrderTable(buy(1, 1, "2025-03-01", 100))}
	res, err := attributes.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	if figure(t, res, "attribute").Text != "gender" || figure(t, res, "largest_group").Text != "female" ||
		figure(t, res, "largest_group_share").Value != 1 || figure(t, res, "best_group_revenue_per_customer").Value != 100 {
		t.Errorf("figures %v", res.Summary)
	}
	if _, ok := res.Figure("revenue_growth"); ok {
		t.Error("growth with no previous revenue")
	}
	if p, q := figure(t, res, "period").Text, figure(t, res, "previous_period").Text; p != "2024-03-02 – 2025-03-01" || q != "2023-03-02 – 2024-03-01" {
		t.Errorf("default period %s, previous %s", p, q)
	}
	r := row(t, res.Table("groups"), "female")
	if r["customers"] != 1 || r["revenue"] != 100.0 || !near(r["aov"], 100) || !near(r["repeat_rate"], 0) || r["growth"] != nil {
		t.Errorf("row %v", r)
	}
	// A free gift ($0) on 2025-02-01 makes the customer a repeat buyer with 2 orders; the
	// average order value is over the paid one, still 100.
	d.Orders = kexi.NewOrderTable(buy(2, 1, "2025-02-01", 0), buy(1, 1, "2025-03-01", 100))
	res, err = attributes.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	r = row(t, res.Table("groups"), "female")
	if r["orders"] != 2 || r["revenue"] != 100.0 || !near(r["aov"], 100) || !near(r["repeat_rate"], 1) {
		t.Errorf("with a $0 purchase: %v", r)
	}
	// The same customer with only a return.
	d.Orders = kexi.NewOrderTable([]kexi.Order{{ID: 1, CustomerID: 1, OrderedAt: day("2025-03-01"), Returned: 40, Status: kexi.StatusReturn}}...)
	res, err = attributes.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	r = row(t, res.Table("groups"), "female")
	if r["customers"] != 1 || r["buyers"] != 0 || r["revenue"] != 0.0 || r["returns"] != 40.0 || r["aov"] != nil || r["repeat_rate"] != nil {
		t.Errorf("returns only: %v", r)
	}
	if _, ok := res.Figure("best_group"); ok {
		t.Error("a best group without revenue")
	}
}

// TestEmptyPeriod runs over a quarter without orders: every figure and cell is a number or
// empty — never NaN — and the result encodes as JSON.
func TestEmptyPeriod(t *testing.T) {
	for _, in := range []analysis.Input{
		{Data: seven(), AsOf: day("2025-07-01"), From: day("2023-01-01"), To: day("2023-03-31")},
		{Data: seven(), AsOf: day("2025-07-01"), From: day("2026-01-01")}, // starts after the as-of date
		{Data: &kexi.Dataset{}}, // nothing at all
	} {
		res, err := attributes.New().Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := res.Figure("revenue"); f.Value != 0 {
			t.Errorf("revenue %v", f.Value)
		}
		if _, ok := res.Figure("revenue_growth"); ok {
			t.Error("growth of nothing over nothing")
		}
		if _, err := json.Marshal(res); err != nil {
			t.Errorf("JSON: %v", err)
		}
		for _, f := range res.Summary {
			if math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
				t.Errorf("figure %s = %v", f.Key, f.Value)
			}
		}
		for _, tb := range res.Tables {
			for _, r := range tb.Rows {
				for _, v := range r {
					if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
						t.Errorf("%s row %v", tb.Key, r)
					}
				}
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, tt := range []struct {
		opts       map[string]string
		column     string
		reasonHas  []string
		reasonLack string
	}{
		{map[string]string{"by": "colour"}, "by", []string{"auto", "kind", "age_band", "tag", "custom.plan", "custom.seats"}, "none"},
		{map[string]string{"by": "custom:colour"}, "by", []string{"custom.plan"}, ""},
		{map[string]string{"across": "colour"}, "across", []string{"none", "province", "custom.seats"}, ""},
		{map[string]string{"region": "state"}, "region", []string{"province, city, country"}, ""},
		{map[string]string{"top": "-1"}, "top", nil, ""},
		{map[string]string{"top": "ten"}, "top", nil, ""},
		{map[string]string{"bands": "1"}, "bands", nil, ""},
		{map[string]string{"age_edges": "30,20"}, "age_edges", nil, ""},
		{map[string]string{"colour": "red"}, "colour", nil, ""},
	} {
		_, err := attributes.New().Run(context.Background(), analysis.Input{Data: seven(), Options: tt.opts})
		var e *kexi.Error
		if kexi.ErrorCode(err) != kexi.EINVALID || !errorAs(err, &e) || len(e.Problems) != 1 || e.Problems[0].Column != tt.column {
			t.Errorf("%v: %v, want EINVALID naming %s", tt.opts, err, tt.column)
			continue
		}
		for _, s := range tt.reasonHas {
			if !strings.Contains(e.Problems[0].Reason, s) {
				t.Errorf("%v: reason %q lacks %q", tt.opts, e.Problems[0].Reason, s)
			}
		}
		if tt.reasonLack != "" && strings.Contains(e.Problems[0].Reason, tt.reasonLack) {
			t.Errorf("%v: reason %q offers %q", tt.opts, e.Problems[0].Reason, tt.reasonLack)
		}
	}
}

func errorAs(err error, e **kexi.Error) bool {
	x, ok := err.(*kexi.Error)
	*e = x
	return ok
}

// TestLabels checks that every figure, table, column, series and series value key, every
// option and choice, and every fixed group (unknown, other, the default age bands) has text
// in both languages, whatever the attribute.
func TestLabels(t *testing.T) {
	a := attributes.New()
	info := a.Info()
	check := func(what, key string) {
		if l, ok := info.Labels[key]; !ok || l.En == "" || l.Zh == "" {
			t.Errorf("%s %q has no label in both languages", what, key)
		}
	}
	for _, o := range info.Options {
		check("option", o.Key)
		for _, c := range o.Choices {
			check("choice", c)
		}
	}
	for _, k := range append([]string{"auto", "none", attributes.Unknown, attributes.Other}, append(attributes.Attributes, attributes.AgeBands(attributes.DefaultAgeEdges)...)...) {
		check("value", k)
	}
	for _, by := range append([]string{"auto", "custom:plan", "seats"}, attributes.Attributes...) {
		res := run(t, seven(), map[string]string{"by": by, "top": "1"})
		for _, f := range res.Summary {
			check("figure", f.Key)
		}
		for _, tb := range res.Tables {
			check("table", tb.Key)
			for _, c := range tb.Columns {
				check("column", c.Key)
				if c.Type == "label" {
					t.Errorf("%s.%s: a label column, but the groups are data", tb.Key, c.Key)
				}
			}
		}
		for _, s := range res.Series {
			check("series", s.Key)
			for _, v := range s.Y {
				check("series values", v.Key)
			}
		}
	}
}

// TestCustomersOutOfOrder checks that customers not sorted by id (a Dataset not normalised)
// get the same numbers: orders are then matched to customers by id, not by merging.
func TestCustomersOutOfOrder(t *testing.T) {
	want, _ := json.Marshal(run(t, seven(), map[string]string{"by": "gender"}).Table("groups"))
	d := seven()
	slices.Reverse(d.Customers)
	got, _ := json.Marshal(run(t, d, map[string]string{"by": "gender"}).Table("groups"))
	if string(got) != string(want) {
		t.Errorf("reversed customers:\n%s\nwant\n%s", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := json.Marshal(run(t, seven(), map[string]string{"by": "tag", "across": "city"}))
	for range 5 {
		b, _ := json.Marshal(run(t, seven(), map[string]string{"by": "tag", "across": "city"}))
		if string(a) != string(b) {
			t.Fatal("two runs differ")
		}
	}
}

// TestMallCustomers checks the groups of the 200 Mall Customers against the file, counted
// independently (the file has CRLF line ends; column 2 is "Genre", 3 age, 4 income k$):
//
//	awk -F, 'NR>1{n[$2]++; s[$2]+=$4} END{for(g in n) printf "%s %d %.6f\n", g, n[g], s[g]/n[g]}' Mall_Customers.csv
//	→ Female 112 59.250000, Male 88 62.227273 (5476/88)
//	awk -F, 'NR>1{a=$3+0; b=(a<25)?"<25":(a<35)?"25-34":(a<45)?"35-44":(a<55)?"45-54":"55+"; n[b]++} END{for(b in n) print b, n[b]}' Mall_Customers.csv
//	→ <25 35, 25-34 54, 35-44 42, 45-54 39, 55+ 30
//
// SOURCE.md gives Female 112 / Male 88 and the mean income 60.56 of all 200.
func TestMallCustomers(t *testing.T) {
	recs := refdata.CSV(t, "mall-customers/Mall_Customers.csv")
	d := &kexi.Dataset{}
	for _, r := range recs[1:] {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		age, _ := strconv.Atoi(r[2])
		inc, _ := strconv.ParseFloat(r[3], 64)
		d.Customers = append(d.Customers, kexi.Customer{ID: id, Gender: r[1], Age: age, Income: inc})
	}
	d.Normalize()
	res, err := attributes.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	if figure(t, res, "attribute").Text != "gender" {
		t.Errorf("auto attribute %q, want gender", figure(t, res, "attribute").Text)
	}
	g := res.Table("groups")
	if got := col(g, "group"); !reflect.DeepEqual(got, []any{"Female", "Male"}) {
		t.Fatalf("groups %v", got)
	}
	fem, male := row(t, g, "Female"), row(t, g, "Male")
	if fem["customers"] != 112 || male["customers"] != 88 {
		t.Errorf("Female %v Male %v, want 112 and 88", fem["customers"], male["customers"])
	}
	if !near(fem["mean_income"], 59.25) || !near(male["mean_income"], 5476.0/88) {
		t.Errorf("mean income Female %v Male %v, want 59.25 and 62.227273", fem["mean_income"], male["mean_income"])
	}
	// The overall mean income, 60.56, is the groups' weighted mean.
	all := (fem["mean_income"].(float64)*112 + male["mean_income"].(float64)*88) / 200
	if math.Round(all*100) != 6056 {
		t.Errorf("overall mean income %.4f, want 60.56", all)
	}
	if f := figure(t, res, "largest_group_share"); math.Abs(f.Value-0.56) > 1e-12 {
		t.Errorf("largest group share %v, want 112/200", f.Value)
	}
	res, err = attributes.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{"by": "age_band"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := col(res.Table("groups"), "customers"); !reflect.DeepEqual(got, []any{35, 54, 42, 39, 30}) {
		t.Errorf("age bands %v, want 35 54 42 39 30", got)
	}
}

func Example() {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{
			{ID: 1, Gender: "female", Province: "广东"}, {ID: 2, Gender: "male", Province: "广东"},
			{ID: 3, Gender: "female", Province: "江苏"}, {ID: 4},
		},
		Orders: kexi.NewOrderTable(buy(1, 1, "2025-05-01", 300), buy(2, 2, "2025-05-02", 100), buy(3, 3, "2025-05-03", 200), buy(4, 3, "2024-05-02", 100)),
	}
	res, _ := attributes.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{"by": "gender"}})
	for _, r := range res.Table("groups").Rows {
		fmt.Println(r[0], r[1], r[6], r[12])
	}
	for _, r := range res.Table("market_segments").Rows {
		fmt.Println(r[0], r[1], r[2], r[6])
	}
	// Output:
	// female 2 500 4
	// male 1 100 <nil>
	// unknown 1 0 <nil>
	// 1 广东 female 300
	// 2 江苏 female 200
	// 3 广东 male 100
	// 4 unknown unknown 0
}

// TestCustomFieldName: a custom field is custom.NAME here as everywhere else in kexi (the
// customer list, segments' features, satisfaction's and campaigns' group_by), and the result
// names it so, which the pages and the CLI show as the field's own name (issue #21 item 5);
// custom:NAME, the old spelling, still works.
func TestCustomFieldName(t *testing.T) {
	for _, by := range []string{"custom.plan", "custom:plan", "plan"} {
		res := run(t, seven(), map[string]string{"by": by, "across": "none"})
		if f := figure(t, res, "attribute"); f.Text != "custom.plan" {
			t.Errorf("by=%s: attribute %q, want custom.plan", by, f.Text)
		}
	}
	_, err := attributes.New().Run(context.Background(), analysis.Input{Data: seven(), Options: map[string]string{"by": "colour"}})
	if err == nil || !strings.Contains(fmt.Sprint(err.(*kexi.Error).Problems), "custom.plan") {
		t.Errorf("a bad attribute lists the custom fields as custom.NAME: %v", err)
	}
}
