package rfm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/rfm"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func buy(id, cid int64, at string, amount float64) kexi.Order {
	return kexi.Order{ID: id, CustomerID: cid, OrderedAt: day(at), Amount: amount, Status: kexi.StatusCompleted}
}

// tiny is the hand-worked data set; as-of 2024-06-30 00:00.
//
//	C1: 06-01 300, 06-20 200, 06-29 100   → R 1,   F 3, M 600
//	C2: 06-25 50                          → R 5,   F 1, M 50
//	C3: 03-02 1000, 04-01 1000            → R 90 (Apr 30 + May 31 + Jun 29), F 2, M 2000
//	C4: 01-01 20; a return 02-01; a cancelled 500 on 06-29 → R 181 (31+29+31+30+31+29), F 1, M 20
//	C5: only a return                     → not scored
//	C6: 06-10 80; 07-05 999 after as-of   → R 20,  F 1, M 80
//	customer 0: an anonymous order        → skipped
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{}
	for i := int64(1); i <= 6; i++ {
		d.Customers = append(d.Customers, kexi.Customer{ID: i})
	}
	ret := kexi.Order{ID: 8, CustomerID: 4, OrderedAt: day("2024-02-01"), Returned: 20, Status: kexi.StatusReturn}
	canc := kexi.Order{ID: 9, CustomerID: 4, OrderedAt: day("2024-06-29"), Amount: 500, Status: kexi.StatusCancelled}
	ret5 := kexi.Order{ID: 10, CustomerID: 5, OrderedAt: day("2024-05-01"), Returned: 70, Status: kexi.StatusReturn}
	d.Orders = kexi.NewOrderTable(
		buy(20, 0, "2024-06-01", 5000),
		buy(1, 1, "2024-06-01", 300), buy(2, 1, "2024-06-20", 200), buy(3, 1, "2024-06-29", 100),
		buy(4, 2, "2024-06-25", 50),
		buy(5, 3, "2024-03-02", 1000), buy(6, 3, "2024-04-01", 1000),
		buy(7, 4, "2024-01-01", 20), ret, canc,
		ret5,
		buy(11, 6, "2024-06-10", 80), buy(12, 6, "2024-07-05", 999),
	)
	d.Normalize()
	return d
}

func TestScoreHandWorked(t *testing.T) {
	rows := rfm.Score(&tiny().Orders, day("2024-06-30"), nil)
	// R is scored on −recency: C4 −181 (pos 0) → 1, C3 −90 → 2, C6 −20 → 3, C2 −5 → 4, C1 −1 → 5.
	// F values 3,1,2,1,1: the three 1s share positions 0–2, mid-rank 1 → 1+⌊5·1.5/5⌋ = 2;
	//   C3's 2 at position 3 → 1+⌊3.5⌋ = 4; C1's 3 → 5.
	// M 600,50,2000,20,80: C4 → 1, C2 → 2, C6 → 3, C1 → 4, C3 → 5.
	// Means: recency 297/5 = 59.4, F 8/5 = 1.6, M 2750/5 = 550.
	//   C1: R 1 < 59.4 high, F 3 high, M 600 high   → important value
	//   C2: R high, F low, M 50 low                 → general develop
	//   C3: R 90 low, F 2 high, M 2000 high          → important retain
	//   C4: all low                                 → general win back
	//   C6: R 20 high, F low, M low                 → general develop
	// rfm10: C1 R5F5 champions, C2 R4F2 potential loyalists, C3 R2F4 at risk, C4 R1F2
	// hibernating, C6 R3F2 about to sleep.
	want := []rfm.Row{
		{CustomerID: 1, Last: day("2024-06-29"), Recency: 1, Frequency: 3, Monetary: 600, R: 5, F: 5, M: 4, CN8: rfm.ImportantValue, RFM10: rfm.Champions},
		{CustomerID: 2, Last: day("2024-06-25"), Recency: 5, Frequency: 1, Monetary: 50, R: 4, F: 2, M: 2, CN8: rfm.GeneralDevelop, RFM10: rfm.PotentialLoyalists},
		{CustomerID: 3, Last: day("2024-04-01"), Recency: 90, Frequency: 2, Monetary: 2000, R: 2, F: 4, M: 5, CN8: rfm.ImportantRetain, RFM10: rfm.AtRisk},
		{CustomerID: 4, Last: day("2024-01-01"), Recency: 181, Frequency: 1, Monetary: 20, R: 1, F: 2, M: 1, CN8: rfm.GeneralWinBack, RFM10: rfm.Hibernating},
		{CustomerID: 6, Last: day("2024-06-10"), Recency: 20, Frequency: 1, Monetary: 80, R: 3, F: 2, M: 3, CN8: rfm.GeneralDevelop, RFM10: rfm.AboutToSleep},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}
	if c := rows[2].Cell(); c != "245" {
		t.Errorf("C3 cell %q, want 245", c)
	}
}

func TestScorePeriod(t *testing.T) {
	// From 2024-04-01 drops C3's March order and C4's only purchase: C3 F 1, M 1000; C4 gone.
	in := analysis.Input{From: day("2024-04-01")}
	rows := rfm.Score(&tiny().Orders, day("2024-06-30"), in.InPeriod)
	if len(rows) != 4 {
		t.Fatalf("got %d rows, want 4", len(rows))
	}
	if r := rows[2]; r.CustomerID != 3 || r.Frequency != 1 || r.Monetary != 1000 {
		t.Errorf("C3 in period: %+v", r)
	}
}

func TestQuintiles(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want []int
	}{
		// 1 value: p 0 → 1+⌊5·0.5/1⌋ = 3.
		{"one customer", []float64{7}, []int{3}},
		// 10 distinct: (p+½)/2 → 0.25,0.75 → 1; 1.25,1.75 → 2; … two per quintile.
		{"ten distinct", []float64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, []int{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}},
		// All equal: mid-rank 4.5 → 1+⌊5·5/10⌋ = 3 for everyone.
		{"all tied", []float64{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, []int{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}},
		// Tie across the 2/3 boundary: the two 2s hold positions 1 and 2, mid-rank 1.5 →
		// 1+⌊5·2/5⌋ = 3 for both (ordinal ranks would have given 2 and 3).
		{"tie at boundary", []float64{1, 2, 2, 3, 4}, []int{1, 3, 3, 4, 5}},
		// Two values: p 0 → 1+⌊1.25⌋ = 2, p 1 → 1+⌊3.75⌋ = 4.
		{"two", []float64{5, 1}, []int{4, 2}},
		{"empty", nil, []int{}},
	}
	for _, tt := range tests {
		got := rfm.Quintiles(tt.in)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Quintiles(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCN8MeanTies(t *testing.T) {
	// Two customers with equal F (mean 1) and equal M (mean 10): equal-to-mean counts as low.
	// Recency 3 and 5 (mean 4): the first is high (recent), the second low.
	rows := []rfm.Row{{CustomerID: 1, Recency: 3, Frequency: 1, Monetary: 10}, {CustomerID: 2, Recency: 5, Frequency: 1, Monetary: 10}}
	rfm.Assign(rows)
	if rows[0].CN8 != rfm.GeneralDevelop || rows[1].CN8 != rfm.GeneralWinBack {
		t.Errorf("got %s, %s; want general_develop, general_winback", rows[0].CN8, rows[1].CN8)
	}
}

func TestRFM10Grid(t *testing.T) {
	// grid[r-1][f-1] is the standard R×F map (R 1 = longest ago).
	grid := [5][5]string{
		{rfm.Hibernating, rfm.Hibernating, rfm.AtRisk, rfm.AtRisk, rfm.CantLose},
		{rfm.Hibernating, rfm.Hibernating, rfm.AtRisk, rfm.AtRisk, rfm.CantLose},
		{rfm.AboutToSleep, rfm.AboutToSleep, rfm.NeedAttention, rfm.Loyal, rfm.Loyal},
		{rfm.Promising, rfm.PotentialLoyalists, rfm.PotentialLoyalists, rfm.Loyal, rfm.Loyal},
		{rfm.NewCustomers, rfm.PotentialLoyalists, rfm.PotentialLoyalists, rfm.Champions, rfm.Champions},
	}
	// Build 25 rows whose scores hit every (R, F) cell: 5 distinct recencies × 5 distinct
	// frequencies, each combination once, so each value occupies 5 positions of 25 and its
	// mid-rank lands in its own quintile.
	var rows []rfm.Row
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			rows = append(rows, rfm.Row{CustomerID: int64(len(rows) + 1), Recency: 100 - 10*r, Frequency: f, Monetary: 1})
		}
	}
	rfm.Assign(rows)
	for i, row := range rows {
		r, f := i/5+1, i%5+1
		if row.R != r || row.F != f {
			t.Fatalf("row %d: scores R%d F%d, want R%d F%d", i, row.R, row.F, r, f)
		}
		if row.RFM10 != grid[r-1][f-1] {
			t.Errorf("R%d F%d: %s, want %s", r, f, row.RFM10, grid[r-1][f-1])
		}
	}
}

func TestRun(t *testing.T) {
	a := rfm.New()
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-06-30"), Options: map[string]string{"scheme": "rfm10"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("customers"); f.Value != 5 {
		t.Errorf("customers %v, want 5", f.Value)
	}
	if f, _ := res.Figure("revenue"); f.Value != 2750 {
		t.Errorf("revenue %v, want 2750", f.Value)
	}
	seg := res.Table("segments")
	if len(seg.Rows) != 10 {
		t.Fatalf("rfm10 segments: %d rows, want 10", len(seg.Rows))
	}
	// Champions is C1 alone: 1 customer, 1/5 of customers, 600 revenue = 600/2750.
	if r := seg.Rows[0]; r[0] != rfm.Champions || r[1] != 1 || r[2] != 0.2 || r[3] != 600.0 || r[4] != 600.0/2750 {
		t.Errorf("champions row %v", r)
	}
	var cells float64
	for _, c := range res.Series[0].Cells {
		cells += c[2]
	}
	if cells != 5 {
		t.Errorf("heat map counts %v customers, want 5", cells)
	}
	checkLabels(t, a.Info(), res)

	// as_of 2024-06-29 (end of day): C1's last purchase is 06-29 → recency 0; C2..C6 unchanged
	// except that the as-of moves one day earlier; C1's cancelled/after-as-of orders stay out.
	res, err = a.Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-06-30"), Options: map[string]string{"as_of": "2024-06-29"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Tables[0].Rows[0][1]; got != 0 {
		t.Errorf("C1 recency as of 06-29: %v, want 0", got)
	}
}

func TestRunBadOptions(t *testing.T) {
	for _, opts := range []map[string]string{{"scheme": "cn9"}, {"as_of": "30/06/2024"}, {"colour": "red"}} {
		_, err := rfm.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("options %v: error %v, want EINVALID", opts, err)
		}
	}
}

func TestRunEmpty(t *testing.T) {
	res, err := rfm.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("customers"); f.Value != 0 || len(res.Tables[0].Rows) != 0 {
		t.Errorf("empty data: %+v", res)
	}
}

// checkLabels fails for any figure, table, column, series or categorical value without a label.
func checkLabels(t *testing.T, info analysis.Info, res *analysis.Result) {
	t.Helper()
	need := func(k string) {
		if _, ok := info.Labels[k]; !ok {
			t.Errorf("no label for %q", k)
		}
	}
	for _, f := range res.Summary {
		need(f.Key)
	}
	for _, tb := range res.Tables {
		need(tb.Key)
		for j, c := range tb.Columns {
			need(c.Key)
			if c.Type == "label" {
				for _, r := range tb.Rows {
					need(r[j].(string))
				}
			}
		}
	}
	for _, s := range res.Series {
		need(s.Key)
		for _, x := range s.X {
			need(x)
		}
		for _, y := range s.YCats {
			need(y)
		}
		for _, v := range s.Y {
			need(v.Key)
		}
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable([]kexi.Order{
		{ID: 1, CustomerID: 1, OrderedAt: day("2024-06-28"), Amount: 900, Status: kexi.StatusCompleted},
		{ID: 2, CustomerID: 1, OrderedAt: day("2024-06-29"), Amount: 500, Status: kexi.StatusCompleted},
		{ID: 3, CustomerID: 2, OrderedAt: day("2024-01-15"), Amount: 40, Status: kexi.StatusCompleted},
	}...)}
	for _, r := range rfm.Score(&d.Orders, day("2024-06-30"), nil) {
		fmt.Println(r.CustomerID, r.Recency, r.Frequency, r.Monetary, r.Cell(), r.CN8, r.RFM10)
	}
	// Output:
	// 1 1 2 1400 444 important_value loyal
	// 2 167 1 40 222 general_winback hibernating
}
