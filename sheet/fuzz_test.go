package sheet

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// The seed corpora are in testdata/fuzz/Fuzz*; the f.Add calls add the obvious cases.

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2011-12-09", "2011-12-09 08:26:00", "2011/12/9 8:26", "12/9/2011 08:26 PM",
		"2011年12月9日 8时26分", "20111209", "40886.35", "2011-12-09T08:26:00+08:00", "2011-12-09 08:26:00.123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Year() < 1 || d.Year() > 9999 {
			t.Fatalf("ParseDate(%q) = %v: year out of range", s, d)
		}
		// what formatTime writes parses back to the same instant
		back, err := ParseDate(formatTime(d))
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v; formatted %q reads back as %v, %v", s, d, formatTime(d), back, err)
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1,234.5", "¥12", "(3.5)", "12%", "1.2万", "１２３", "-0", "1e308", "€-7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			t.Fatalf("ParseNumber(%q) = %v", s, n)
		}
		back, err := ParseNumber(formatNumber(n))
		if err != nil || back != n {
			t.Fatalf("ParseNumber(%q) = %v; formatted %q reads back as %v, %v", s, n, formatNumber(n), back, err)
		}
	})
}

func FuzzHeaderMap(f *testing.F) {
	f.Add("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country")
	f.Add("订单编号,总金额,买家实际支付金额,收货地址 ,订单创建时间,订单付款时间 ,退款金额")
	f.Add("customerID,gender,SeniorCitizen,Churn")
	f.Add("custom.plan,Customer ID,custom.")
	f.Fuzz(func(t *testing.T, header string) {
		cells := bytes.Split([]byte(header), []byte(","))
		h := make([]string, len(cells))
		for i, c := range cells {
			h[i] = string(c)
		}
		k := detectKind(h, nil)
		for _, name := range kindNames() {
			for _, c := range h {
				tgt, how := mapColumn(kinds[name], c, nil)
				if how == mapField && tgt.f == nil || how == mapCustom && tgt.custom == "" {
					t.Fatalf("%s: header %q mapped to nothing", name, c)
				}
			}
		}
		if k != nil && kinds[k.name] != k {
			t.Fatalf("detectKind returned an unregistered kind")
		}
	})
}

// readAll runs a file through Read with each option set and checks invariants.
func readAll(t *testing.T, data []byte) {
	for _, opt := range []Options{{}, {SkipInvalid: true, Anonymous: true}, {SkipUnknown: true}} {
		res, err := Read(bytes.NewReader(data), "fuzz.csv", opt)
		if res == nil {
			t.Fatal("nil result")
		}
		if err != nil {
			if kexi.ErrorCode(err) != kexi.EINVALID {
				t.Fatalf("error %v: want EINVALID", err)
			}
			if res.Batch.Len() != 0 {
				t.Fatalf("error %v with %d records in the batch", err, res.Batch.Len())
			}
			continue
		}
		for _, rj := range res.Rejects {
			if rj.Row < 1 || rj.Reason == "" {
				t.Fatalf("reject %+v without row or reason", rj)
			}
		}
		if res.Rejected > res.Rows {
			t.Fatalf("rejected %d of %d rows", res.Rejected, res.Rows)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("customer id,name,age\nC1,Ann,30\nC2,Bob,x\n"))
	f.Add([]byte("order id,customer id,date,sku,quantity,unit price\nO1,C1,2024-01-01,P1,2,3.5\nO1,C2,2024-01-01,P2,-1,1\n"))
	f.Add([]byte("\"age\";\"job\";\"y\"\n58;\"management\";\"no\"\n"))
	f.Add([]byte("lead id,deal stage,engage date,close date\nL1,Won,2017-01-01,2017-02-01\nL2,,,2017-01-01\n"))
	f.Add([]byte("\xef\xbb\xbf客户编号,客户名称\nC1,张三\n"))
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, data) })
}

func FuzzReadXLSX(f *testing.F) {
	for _, kind := range []string{kexi.KindCustomers, kexi.KindOrders, kexi.KindLeads} {
		var buf bytes.Buffer
		if err := WriteIn(&buf, kind, XLSX, "zh", time.UTC, sample()[kind]); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, data) })
}
