package clv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/kexi/kexi/internal/refdata"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

func cdnowDataset(t *testing.T) *kexi.Dataset {
	d := &kexi.Dataset{}
	for i, p := range cdnowPurchases(t) {
		// The 8 zero-value rows (free CDs) stay $0: they are purchases (kexi.OrderTable.IsPurchase).
		d.Orders.Append(&kexi.Order{ID: int64(i + 1), CustomerID: p.Customer, OrderedAt: time.Unix(int64(p.Day)*86400, 0).UTC(), Amount: p.Amount, Status: kexi.StatusCompleted})
	}
	d.Normalize()
	return d
}

// TestRunCDNOW runs the analysis on the CDNOW transactions with the 1997-09-30 holdout split:
// the holdout has 1,882 actual repeat purchases and the BG/NBD fit matches the published
// parameters.
func TestRunCDNOW(t *testing.T) {
	d := cdnowDataset(t)
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC),
		Options: map[string]string{"holdout": "1997-09-30"}})
	if err != nil {
		t.Fatal(err)
	}
	fig := func(k string) float64 { return figure(t, res, k) }
	if fig("customers") != 2357 || fig("holdout_actual") != 1882 {
		t.Errorf("customers %g holdout actual %g, want 2357 and 1882", fig("customers"), fig("holdout_actual"))
	}
	checkParams(t, "run", []float64{fig("r"), fig("alpha"), fig("a"), fig("b"), fig("gg_p"), fig("gg_q"), fig("gg_v")},
		[]float64{0.2426, 4.4135, 0.7929, 2.4258, 6.2488, 3.7446, 15.4477}, []string{"r", "alpha", "a", "b", "p", "q", "v"})
	if p := fig("holdout_predicted"); math.Abs(p-1653.4) > 2 {
		t.Errorf("holdout predicted %g, want ≈1653.4", p)
	}
	tb := res.Table("customers")
	if tb == nil || len(tb.Rows) != 2357 {
		t.Fatalf("customers table missing or wrong")
	}
	// The table leads with the top customers by CLV.
	var row []any
	for i, r := range tb.Rows {
		if i > 0 && r[8].(float64) > tb.Rows[i-1][8].(float64) {
			t.Fatalf("row %d: CLV %v above the row before's %v: not ranked by CLV", i, r[8], tb.Rows[i-1][8])
		}
		if r[0] == int64(1) {
			row = r
		}
	}
	// Customer 1: x=2, 39-week-ish horizon is not the default (12 months = 52.14 weeks), so
	// check internal consistency instead: CLV = spend × P(alive) × discounted purchases > 0.
	if pa := row[5].(float64); pa <= 0 || pa > 1 {
		t.Errorf("customer 1 P(alive) %g", pa)
	}
	if clv := row[8].(float64); clv <= 0 || clv > row[7].(float64)*row[6].(float64) {
		t.Errorf("customer 1 CLV %g must be positive and below spend × purchases (discounting)", clv)
	}
	// Deterministic.
	res2, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC),
		Options: map[string]string{"holdout": "1997-09-30"}})
	if err != nil {
		t.Fatal(err)
	}
	f1, _ := res.Figure("total_clv")
	f2, _ := res2.Figure("total_clv")
	if f1.Value != f2.Value {
		t.Errorf("total CLV differs between runs: %v vs %v", f1.Value, f2.Value)
	}
}

func TestRunBadOptions(t *testing.T) {
	d := &kexi.Dataset{}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		d.Orders.Append(&kexi.Order{ID: int64(i), CustomerID: int64(i % 12), OrderedAt: at.AddDate(0, 0, i*3), Amount: 10})
	}
	d.Normalize()
	for _, opts := range []map[string]string{
		{"model": "nope"}, {"unit": "years"}, {"horizon": "0"}, {"discount": "-0.1"},
		{"holdout": "2030-01-01"}, {"holdout": "soon"}, {"colour": "red"},
		{"model": "bgbb", "bgbb_period": "week"}, {"model": "bgbb", "horizon": "6"}, // no whole year in 6 months
	} {
		_, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: at.AddDate(0, 3, 0), Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("options %v: got %v, want an invalid error", opts, err)
		}
	}
	_, err := New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}, AsOf: at})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("no orders: got %v, want an invalid error", err)
	}
}

// cdnowLog reads a CDNOW transaction log as the CLI would import it: one completed order per
// row, $0 rows (free CDs) included. The sample (5 columns) is keyed by its sample id, the
// master file (4 columns, a header) by its customer id.
func cdnowLog(t *testing.T, rel string) *kexi.Dataset {
	t.Helper()
	f, err := os.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := &kexi.Dataset{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 5 {
			fs = fs[1:]
		}
		if len(fs) != 4 || fs[0] == "customer_id" {
			continue
		}
		id, err1 := strconv.ParseInt(fs[0], 10, 64)
		at, err2 := time.Parse("20060102", fs[1])
		amt, err3 := strconv.ParseFloat(fs[3], 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("%s: %q: %v", rel, sc.Text(), err)
		}
		d.Orders.Append(&kexi.Order{ID: int64(d.Orders.Len() + 1), CustomerID: id, OrderedAt: at, Amount: amt, Status: kexi.StatusCompleted})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	d.Normalize()
	return d
}

// sig4 rounds v to 4 significant digits.
func sig4(v float64) float64 {
	if v == 0 {
		return 0
	}
	e := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*e) / e
}

// TestRunCDNOWZeroAmounts runs the analysis with its defaults on the raw CDNOW logs as of
// 1997-09-30 (the papers' 39-week calibration). The $0 rows are purchases: the sample has
// 2,357 customers (8 of them first bought a free CD) and the published BG/NBD fit r = 0.2426,
// α = 4.414, a = 0.7929, b = 2.426 (to 4 significant digits); the master file has all 23,570
// customers and r = 0.2516, α = 4.789, a = 0.7234, b = 2.161. Dropping the $0 rows gave 2,349
// customers and r = 0.2439, and 23,500 on the master file.
//
// The master file's values are not published; they were checked apart from kexi: the BG/NBD
// log-likelihood (Fader, Hardie and Lee 2005, eq. 6) written in plain Python over x = repeat
// purchase days, t_x and T in days/7 to 1997-09-30, maximised by Nelder–Mead on the log
// parameters, gives r = 0.251624, α = 4.78894, a = 0.723434, b = 2.16109 (LL −95368.44), and
// on the sample r = 0.242594, α = 4.41360, a = 0.792922, b = 2.42591.
//
// The fifth digits published for the sample (α = 4.4135, b = 2.4258; TestCDNOWBGNBD) come
// from the summary with t_x and T rounded to 2 decimals of a week; on the exact days/7 of the
// log the maximum is α = 4.41360, b = 2.42591, the log-likelihood differing by under 1e-6.
func TestRunCDNOWZeroAmounts(t *testing.T) {
	asOf := time.Date(1997, 9, 30, 23, 59, 59, 0, time.UTC)
	for _, c := range []struct {
		file      string
		customers float64
		want      []float64 // r, α, a, b to 4 significant digits
	}{
		{"cdnow/CDNOW_sample.txt", 2357, []float64{0.2426, 4.414, 0.7929, 2.426}},
		{"cdnow/CDNOW_master.txt", 23570, []float64{0.2516, 4.789, 0.7234, 2.161}},
	} {
		t.Run(c.file, func(t *testing.T) {
			res, err := New().Run(context.Background(), analysis.Input{Data: cdnowLog(t, c.file), AsOf: asOf})
			if err != nil {
				t.Fatal(err)
			}
			fig := func(k string) float64 { return figure(t, res, k) }
			if got := fig("customers"); got != c.customers {
				t.Errorf("%g customers, want %g", got, c.customers)
			}
			for i, k := range []string{"r", "alpha", "a", "b"} {
				if got := fig(k); sig4(got) != c.want[i] {
					t.Errorf("%s = %.6g, want %.4g (4 significant digits)", k, got, c.want[i])
				}
			}
		})
	}
}

// donationsLog expands the donations summary (x, t_x, n = 6, donors) into a transaction log:
// every donor gives on 1995-03-01 (the cohort's first gift) and then in x of the years
// 1996–2001, the last in 1995 + t_x and the others in the years just before it, each gift
// worth 10 + (donor mod 7) × 5 dollars on 1 June.
func donationsLog(t *testing.T) *kexi.Dataset {
	t.Helper()
	recs := refdata.CSV(t, "donations/donations.csv")
	d := &kexi.Dataset{}
	donor := int64(0)
	for _, r := range recs[1:] {
		var v [4]int
		for i := range v {
			f, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatal(err)
			}
			v[i] = int(f)
		}
		x, tx, n, w := v[0], v[1], v[2], v[3]
		if n != 6 {
			t.Fatalf("pattern %v: want 6 opportunities", r)
		}
		for range w {
			donor++
			amt := 10 + float64(donor%7)*5
			add := func(at time.Time) {
				d.Orders.Append(&kexi.Order{ID: int64(d.Orders.Len() + 1), CustomerID: donor, OrderedAt: at, Amount: amt, Status: kexi.StatusCompleted})
			}
			add(time.Date(1995, 3, 1, 0, 0, 0, 0, time.UTC))
			for k := range x {
				add(time.Date(1995+tx-(x-1)+k, 6, 1, 0, 0, 0, 0, time.UTC))
			}
		}
	}
	d.Normalize()
	return d
}

// TestRunBGBBDonations: model=bgbb with bgbb_period=year on the donations expanded into a log of
// 11,104 donors and their gifts, as of 2001-12-31, gives the fit of the published summary:
// α = 1.2035, β = 0.7497, γ = 0.6567, δ = 2.7834 (TestDonationsBGBB).
func TestRunBGBBDonations(t *testing.T) {
	d := donationsLog(t)
	res, err := New().Run(context.Background(), analysis.Input{Data: d, AsOf: time.Date(2001, 12, 31, 23, 59, 59, 0, time.UTC),
		Options: map[string]string{"model": "bgbb", "bgbb_period": "year"}})
	if err != nil {
		t.Fatal(err)
	}
	fig := func(k string) float64 { return figure(t, res, k) }
	if fig("customers") != 11104 {
		t.Errorf("%g donors, want 11104", fig("customers"))
	}
	for i, k := range []string{"alpha", "beta", "gamma", "delta"} {
		if w := []float64{1.2035, 0.7497, 0.6567, 2.7834}[i]; !nearDecimals(fig(k), w, 4) {
			t.Errorf("%s = %.6f, want %.4f", k, fig(k), w)
		}
	}
	// A donor who gave in all 6 years: P(alive) > 0.9; the table holds every donor.
	tb := res.Table("customers")
	if tb == nil || len(tb.Rows) != 11104 {
		t.Fatal("customers table missing or short")
	}
	for _, r := range tb.Rows {
		if r[1] == int64(6) && r[5].(float64) < 0.9 {
			t.Fatalf("donor %v gave in all 6 years: P(alive) %v", r[0], r[5])
		}
	}
}

// nearDecimals reports whether got rounds to want at the given number of decimals.
func nearDecimals(got, want float64, decimals int) bool {
	return math.Abs(got-want) <= 0.5*math.Pow(10, -float64(decimals))
}

// TestHeadlineAndDetails: the result leads with revenue over the horizon, the share still
// active and purchases; the fit and the parameters are details (模型详情); the horizon and the
// time unit are figures the labels name, so T and recency carry their unit.
func TestHeadlineAndDetails(t *testing.T) {
	res, err := New().Run(context.Background(), analysis.Input{Data: cdnowDataset(t), AsOf: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC),
		Options: map[string]string{"horizon": "24", "unit": "days"}})
	if err != nil {
		t.Fatal(err)
	}
	var head, detail []string
	for _, f := range res.Summary {
		if f.Detail {
			detail = append(detail, f.Key)
		} else {
			head = append(head, f.Key)
		}
	}
	if fmt.Sprint(head) != "[total_clv mean_p_alive expected_purchases customers repeat_customers]" ||
		fmt.Sprint(detail) != "[horizon discount time_unit log_likelihood r alpha a b gg_p gg_q gg_v]" {
		t.Errorf("headline %v details %v", head, detail)
	}
	if f, _ := res.Figure("horizon"); f.Value != 24 || f.Unit != "months" {
		t.Errorf("horizon %+v", f)
	}
	if f, _ := res.Figure("time_unit"); f.Text != "days" {
		t.Errorf("time unit %+v", f)
	}
	info := New().Info()
	vals := res.FigureValues(func(k string) string { return info.Labels[k].Zh }, func(x float64) string { return fmt.Sprint(x) })
	for key, want := range map[string]string{"total_clv": "预测未来 24 个月收入", "recency": "最近购买间隔(天)", "t": "客户年龄 T(天)"} {
		if got := analysis.Fill(info.Labels[key].Zh, vals); got != want {
			t.Errorf("%s reads %q, want %q", key, got, want)
		}
	}
	for _, k := range head {
		if h := info.Labels["help."+k]; h.En == "" || h.Zh == "" {
			t.Errorf("headline %s has no definition", k)
		}
	}
}

// figure returns the value of res's figure k, failing the test when there is none.
func figure(t *testing.T, res *analysis.Result, k string) float64 {
	t.Helper()
	f, ok := res.Figure(k)
	if !ok {
		t.Fatalf("no figure %q", k)
	}
	return f.Value
}
