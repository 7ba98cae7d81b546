package sheet

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// sameAsRead reads data with Read (and Batch.Dataset) and with ReadTable, and fails unless
// both give the same orders, customers, counts and rejects. It reports whether ReadTable took
// the file.
func sameAsRead(t *testing.T, name string, data []byte, opt Options) bool {
	t.Helper()
	old, oldErr := Read(bytes.NewReader(data), name, opt)
	ids := &CustomerIDs{}
	res, tab, err := ReadTable(bytes.NewReader(data), name, opt, ids)
	if fmt.Sprint(oldErr) != fmt.Sprint(err) {
		t.Fatalf("%s: error %v, Read's %v", name, err, oldErr)
	}
	if oldErr != nil {
		return tab != nil
	}
	if tab == nil {
		return false
	}
	want := old.Batch.Dataset()
	got := &kexi.Dataset{Orders: *tab, Keys: ids.Keys}
	got.Normalize()
	sameTable(t, name, &got.Orders, &want.Orders)
	if !reflect.DeepEqual(got.Keys, want.Keys) && (len(got.Keys.ID) > 0 || len(want.Keys.ID) > 0) {
		t.Errorf("%s: customer keys differ:\n got %v\nwant %v", name, keys(got.Keys), keys(want.Keys))
	}
	for _, f := range []string{"Kind", "Format", "Header", "Columns", "Rows", "Rejected", "Rejects", "Unknown", "Warnings", "Sample", "Currency"} {
		g, w := reflect.ValueOf(res).Elem().FieldByName(f).Interface(), reflect.ValueOf(old).Elem().FieldByName(f).Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: Result.%s = %v, Read's %v", name, f, g, w)
		}
	}
	return true
}

func keys(k kexi.CustomerKeys) []string {
	var out []string
	for i, id := range k.ID {
		out = append(out, fmt.Sprintf("%d:%s", id, k.ExternalID.At(i)))
	}
	return out
}

func sameTable(t *testing.T, name string, got, want *kexi.OrderTable) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%s: %d orders, Read gives %d", name, got.Len(), want.Len())
	}
	if got.Loc.String() != want.Loc.String() {
		t.Errorf("%s: Loc %v, Read gives %v", name, got.Loc, want.Loc)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%s: facets %q, Read gives %q", name, got.Facets, want.Facets)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{{"ID", got.ID, want.ID}, {"CustomerID", got.CustomerID, want.CustomerID}, {"At", got.At, want.At},
		{"Amount", got.Amount, want.Amount}, {"Cost", got.Cost, want.Cost}, {"Shipping", got.Shipping, want.Shipping},
		{"Discount", got.Discount, want.Discount}, {"Returned", got.Returned, want.Returned}, {"Facet", got.Facet, want.Facet}} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: column %s differs", name, c.name)
		}
	}
	if got.LineStart != nil {
		t.Errorf("%s: lines in the table", name)
	}
	for i := range got.Len() {
		if got.ExternalID(i) != want.ExternalID(i) {
			t.Fatalf("%s: order %d has external id %q, Read gives %q", name, i, got.ExternalID(i), want.ExternalID(i))
		}
	}
	for i := range got.Len() {
		if !got.Time(i).Equal(want.Time(i)) || got.Time(i).String() != want.Time(i).String() {
			t.Fatalf("%s: order %d at %v, Read gives %v", name, i, got.Time(i), want.Time(i))
		}
	}
}

// withBlocks runs fn with blocks of n bytes.
func withBlocks(n int, fn func()) {
	old := blockSize
	blockSize = n
	defer func() { blockSize = old }()
	fn()
}

// TestReadTableEdges: rows that test every rule ReadTable shares with Read read the same, in
// blocks small enough to cut the file at every few lines.
func TestReadTableEdges(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	files := map[string]string{
		"plain.csv": "customer_id,date,amount\n1,1997-01-01,29.33\n1,1997-01-18,29.73\n2,1997-01-02,14.96\n",
		"messy.csv": "\ufeff\r\n,,\r\ncustomer,order date,amount,status,channel\r\n" +
			"17850.0,2010-12-01 08:26:00,15.3,paid,web\r\n" +
			"007,2010/12/1 8:26,¥12.5,已取消,shop\r\n" +
			"7,40886.35,1,234.50,,web\r\n" + // "1" and "234.50": a fifth cell, ignored
			",2010-12-02,3,,\r\n" + // no customer
			"8,not a date,3,,\r\n" +
			"9,2010-12-03,abc,,\r\n" +
			"\r\n" +
			",,,,\r\n" +
			"10,2010-12-03T10:00:00+08:00,5,return,\r\n" +
			"'=11,2010-12-04,6,,'@x\r\n" +
			"12,1800-01-01,1,,\r\n" +
			"13,2999-12-31 23:59:59,1,,\r\n" +
			"14,2024-03-10 02:30:00,1,,\r\n" + // in New York, a time that does not exist
			"15,2024-11-03 01:30:00,1,,\r\n" + // in New York, one that is there twice
			"16,2024-02-30,1,,\r\n" +
			"17,2024-06-30 24:00:00,1,,\r\n" +
			"18,20240630,-5,,\r\n" +
			"19,2024-06-30,(12.50),,\r\n" +
			"20,2024-06-30,1.2万,,",
		"offset-first.csv": "customer,date,amount\n5,2024-01-01T00:00:00+08:00,1\n6,2024-01-02,2\n",
		"quoted.csv": "customer,date,amount,city\n1,2024-01-01,1,x\n2,2024-01-02,2,y\n3,2024-01-03,3,\"New\nYork\"\n" +
			"4,2024-01-04,4,\"a,b\"\n5,2024-01-05,5,z\n",
		"ids.csv": "order id,customer,date,amount,paid at\nA1,1,2024-01-01,1,2024-01-01\nA1,1,2024-01-01,1,\n" +
			"A2,2,2024-01-02,2,\nA1,3,2024-01-03,3,2024-01-03\n,4,2024-01-04,4,\n,4,2024-01-04,4,\nA3,,2024-01-05,5,\n" +
			"A3,5,2024-01-05,5,\nA2,6,bad,6,\n",
		"semicolon.csv":  "customer;date;amount\n1;2024-01-01;1,5\n2;2024-01-02;2\n",
		"nocustomer.csv": "order id,date,amount\n1,2024-01-01,1\n2,2024-01-02,2\n",
		"empty.csv":      "customer,date,amount\n",
		"nothing.csv":    "\n\n",
		"lines.csv":      "customer,date,quantity,unit price\n1,2024-01-01,2,3\n",
		"side.csv":       "customer,date,amount,country\n1,2024-01-01,2,UK\n",
		"long.csv":       "customer,date,amount\n1,2024-01-01," + strings.Repeat("9", 300) + "\n2,2024-01-02,1\n",
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(files["messy.csv"]))
	zw.Close()
	files["messy.csv.gz"] = gz.String()
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("客户编号,下单时间,订单金额,订单状态,收货省份\n" +
		"1,2024-01-01 08:00:00,12.5,已完成,上海\n2,2024年1月2日,3,交易关闭,广东省\n1,2024-01-03,坏,,\n")
	if err != nil {
		t.Fatal(err)
	}
	files["gb18030.csv"] = gb
	for _, loc := range []*time.Location{nil, time.UTC, sh, ny} {
		for _, dates := range []kexi.Dates{{}, kexi.DatesUntil(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 5)} {
			for _, n := range []int{7, 64, 1 << 20} {
				for _, rows := range []int{0, 4} {
					for name, text := range files {
						opt := Options{Kind: kexi.KindOrders, SkipInvalid: true, NoItems: true, Location: loc, Dates: dates,
							Limits: Limits{Cell: 200, Line: 250, Rows: rows}}
						withBlocks(n, func() {
							took := sameAsRead(t, fmt.Sprintf("%s (%v, %d-byte blocks, %d rows)", name, loc, n, rows), []byte(text), opt)
							want := name != "lines.csv" && name != "side.csv" && name != "long.csv" && name != "nothing.csv"
							if rows == 4 && (strings.HasPrefix(name, "messy") || name == "ids.csv" || name == "quoted.csv") {
								want = false // over the limit
							}
							if took != want {
								t.Errorf("%s: ReadTable took it: %v, want %v", name, took, want)
							}
						})
					}
				}
			}
		}
	}
}

// TestReadTableRandom: random files made of good and bad cells read the same as with Read, in
// blocks of random sizes.
func TestReadTableRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	custs := []string{"1", "2", "02", "3.0", "C-9", "", " 4 ", "x y"}
	dates := []string{"2024-01-01", "2024-03-10 02:30:00", "2024-03-10 12:00:00", "2023-12-31T23:59:59", "2024/2/3",
		"1/2/2024", "bad", "", "45000.5", "2024-01-01Z", "1999-12-31 23:59:60"}
	amounts := []string{"1", "-2.5", "3e2", "1,234", "x", "", "12%", "£3"}
	for round := range 200 {
		var b strings.Builder
		b.WriteString("customer,date,amount,status\n")
		for range rng.IntN(60) {
			switch rng.IntN(20) {
			case 0:
				b.WriteString("\n")
			case 1:
				b.WriteString(",,,\n")
			default:
				fmt.Fprintf(&b, "%s,%s,%s,%s\n", custs[rng.IntN(len(custs))], dates[rng.IntN(len(dates))],
					amounts[rng.IntN(len(amounts))], []string{"", "paid", "cancelled", "other"}[rng.IntN(4)])
			}
		}
		loc, _ := time.LoadLocation([]string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/London"}[round%4])
		withBlocks(1+rng.IntN(200), func() {
			sameAsRead(t, fmt.Sprintf("round %d", round), []byte(b.String()),
				Options{Kind: kexi.KindOrders, SkipInvalid: true, NoItems: true, Location: loc})
		})
	}
}

// TestReadTableReal: the real order files read the same with ReadTable as with Read.
func TestReadTableReal(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	opt := Options{Kind: kexi.KindOrders, SkipInvalid: true, NoItems: true, Location: sh}
	raw, err := os.ReadFile(refdata.Path(t, "cdnow/CDNOW_master.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var cdnow strings.Builder
	cdnow.WriteString("customer_id,date,amount\n")
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) == 4 && len(f[1]) == 8 && f[1] != "dollar_v" {
			cdnow.WriteString(f[0] + "," + f[1][:4] + "-" + f[1][4:6] + "-" + f[1][6:] + "," + f[3] + "\n")
		}
	}
	if !sameAsRead(t, "cdnow.csv", []byte(cdnow.String()), opt) {
		t.Error("ReadTable did not take the CDNOW file")
	}
	tmall, err := os.ReadFile(refdata.Path(t, "tmall-orders-zh/tmall_order_report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !sameAsRead(t, "tmall_order_report.csv", tmall, opt) {
		t.Error("ReadTable did not take the Tmall file")
	}
	retail, err := os.ReadFile(refdata.Path(t, "online-retail/online_retail.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, noItems := range []bool{true, false} { // lines (quantity and price, no amount): Read's
		o := opt
		o.NoItems = noItems
		if sameAsRead(t, "online_retail.csv.gz", retail, o) {
			t.Error("ReadTable took the Online Retail file, which has lines")
		}
	}
}

// FuzzReadTable: whatever the file, ReadTable reads it as Read does (or leaves it to Read).
//
//	go test ./sheet -run x -fuzz FuzzReadTable -fuzztime 60s
func FuzzReadTable(f *testing.F) {
	f.Add("customer_id,date,amount\n1,1997-01-01,29.33\n1,1997-01-18,29.73\n2,1997-01-02,14.96\n", uint8(16))
	f.Add("order id,customer,date,amount,paid at,status\r\nA1,1,2024-01-01,1,2024-01-01,paid\r\nA1,2,2024-01-01 10:00:00,1,,\r\n,,,\r\n", uint8(5))
	f.Add("customer;date;amount\n\"1\";2024-01-01;\"1,5\"\n2;2024/1/2;¥3\n", uint8(9))
	f.Add("customer,date,amount\n'=1,45000.25,1e3\n2,2024-03-10 02:30:00,(3)\n", uint8(1))
	f.Fuzz(func(t *testing.T, text string, block uint8) {
		ny, _ := time.LoadLocation("America/New_York")
		withBlocks(1+int(block), func() {
			sameAsRead(t, "fuzz.csv", []byte(text), Options{Kind: kexi.KindOrders, SkipInvalid: true, NoItems: true,
				Location: ny, Limits: Limits{Cell: 64, Line: 256, Rows: 50}})
		})
	})
}

// TestHeaderTrimmed checks that Read and ReadTable name the columns alike (headerOf): each
// header cell trimmed of spaces and of a BOM that the decoding left (a file with two).
func TestHeaderTrimmed(t *testing.T) {
	data := "\ufeff\ufeff customer_id , date,amount \n1,2024-01-01,3\n"
	opt := Options{Kind: kexi.KindOrders, SkipInvalid: true}
	want := []string{"customer_id", "date", "amount"}
	res, err := Read(strings.NewReader(data), "h.csv", opt)
	if err != nil || !reflect.DeepEqual(res.Header, want) {
		t.Errorf("Read: header %q, %v; want %q", res.Header, err, want)
	}
	res, tab, err := ReadTable(strings.NewReader(data), "h.csv", opt, &CustomerIDs{})
	if err != nil || tab == nil || !reflect.DeepEqual(res.Header, want) {
		t.Errorf("ReadTable: header %q, table %v, %v; want %q", res.Header, tab != nil, err, want)
	}
}
