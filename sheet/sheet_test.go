package sheet

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func read(t *testing.T, name, data string, opt Options) *Result {
	t.Helper()
	res, err := Read(strings.NewReader(data), name, opt)
	if err != nil {
		t.Fatalf("Read %s: %v", name, err)
	}
	return res
}

func TestReadEncodingsAndDelimiters(t *testing.T) {
	const zh = "客户编号,客户名称,性别,年龄,省份,城市\nC1,张三,男,30,广东省,深圳\nC2,李四,女,41,北京,北京\n"
	want := []kexi.Customer{
		{ExternalID: "C1", Name: "张三", Gender: "male", Age: 30, Province: "广东省", City: "深圳"},
		{ExternalID: "C2", Name: "李四", Gender: "female", Age: 41, Province: "北京", City: "北京"},
	}
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(zh)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(gbk))
	zw.Close()
	for _, c := range []struct {
		name, data, enc, delim string
	}{
		{"utf8.csv", zh, "utf-8", ","},
		{"bom.csv", "\ufeff" + zh, "utf-8-bom", ","},
		{"gbk.csv", gbk, "gb18030", ","},
		{"gbk.csv.gz", gz.String(), "gb18030", ","},
		{"semi.csv", strings.ReplaceAll(zh, ",", ";"), "utf-8", ";"},
		{"tab.tsv", strings.ReplaceAll(zh, ",", "\t"), "utf-8", "\t"},
		{"crlf.csv", strings.ReplaceAll(zh, "\n", "\r\n"), "utf-8", ","},
		{"quoted.csv", `"客户编号";"客户名称";"性别";"年龄";"省份";"城市"` + "\n" + `"C1";"张三";"男";30;"广东省";"深圳"` + "\n\n" + `"C2";"李四";"女";41;"北京";"北京"`, "utf-8", ";"},
	} {
		res := read(t, c.name, c.data, Options{})
		if res.Kind != kexi.KindCustomers || res.Format.Encoding != c.enc || res.Format.Delimiter != c.delim {
			t.Errorf("%s: kind %s format %+v", c.name, res.Kind, res.Format)
		}
		if !reflect.DeepEqual(res.Batch.Customers, want) {
			t.Errorf("%s: customers\n%+v\nwant\n%+v", c.name, res.Batch.Customers, want)
		}
		if c.name == "gbk.csv.gz" && !res.Format.Gzip {
			t.Errorf("%s: gzip not detected", c.name)
		}
	}
}

// NoItems leaves lines and products out when the file has order amounts, and keeps them
// when the amounts are the lines' sums.
func TestReadNoItems(t *testing.T) {
	const withAmount = `order_id,customer_id,order_date,amount,product,quantity,price
A1,C1,2024-01-02,12.50,P1,1,10
A1,C1,2024-01-02,12.50,P2,1,2.5
A2,C2,2024-01-03,4,P1,2,2
`
	b := read(t, "o.csv", withAmount, Options{NoItems: true}).Batch
	if len(b.Orders) != 2 || b.Orders[0].Amount != 12.5 || b.Orders[1].Customer != "C2" {
		t.Fatalf("orders %+v", b.Orders)
	}
	for _, o := range b.Orders {
		if len(o.Items) != 0 {
			t.Errorf("order %s kept %d lines", o.ExternalID, len(o.Items))
		}
	}
	if len(b.Products) != 0 || slices.Contains(b.Present[kexi.KindOrders], "items") {
		t.Errorf("products %+v, present %v: want none and no items", b.Products, b.Present[kexi.KindOrders])
	}
	if full := read(t, "o.csv", withAmount, Options{}).Batch; len(full.Orders[0].Items) != 2 || len(full.Products) != 2 {
		t.Errorf("without NoItems: %d lines, %d products", len(full.Orders[0].Items), len(full.Products))
	}
	// No amount column: A1 = 1 × 10 + 1 × 2.5 = 12.5, from its lines, which stay.
	const noAmount = `order_id,customer_id,order_date,product,quantity,price
A1,C1,2024-01-02,P1,1,10
A1,C1,2024-01-02,P2,1,2.5
`
	b = read(t, "o.csv", noAmount, Options{NoItems: true}).Batch
	if len(b.Orders) != 1 || b.Orders[0].Amount != 12.5 || len(b.Orders[0].Items) != 2 {
		t.Errorf("without an amount column: %+v", b.Orders)
	}
}

// Three lines of one invoice and one of another, with a cancellation: amounts by hand.
func TestReadOrdersGroupsLines(t *testing.T) {
	const data = `Order ID,Customer ID,Order Date,SKU,Description,Quantity,Unit Price,Country
A1,17850.0,2011-12-09 08:26,P1,Mug,6,2.55,United Kingdom
A1,17850.0,2011-12-09 08:26,P2,,2,"1,000.10",United Kingdom
C9,17850.0,12/10/2011 9:00,P1,Mug,-1,2.55,United Kingdom
A1,17850.0,2011-12-09 08:26,P2,Plate,1,0.5,United Kingdom
`
	res := read(t, "orders.csv", data, Options{})
	b := res.Batch
	if len(b.Orders) != 2 {
		t.Fatalf("orders %d, want 2", len(b.Orders))
	}
	a1, c9 := b.Orders[0], b.Orders[1]
	// A1: 6 × 2.55 + 2 × 1000.10 + 1 × 0.5 = 15.30 + 2000.20 + 0.50 = 2016.00
	if a1.ExternalID != "A1" || a1.Customer != "17850" || len(a1.Items) != 3 || a1.Amount != 2016 || a1.Status != "" {
		t.Errorf("A1 = %+v, want 3 lines worth 2016.00 for customer 17850", a1)
	}
	// C9: -1 × 2.55 = -2.55 → a return of 2.55 with no amount, 10 December (US month/day).
	if c9.Status != kexi.StatusReturn || c9.Returned != 2.55 || c9.Amount != 0 ||
		!c9.OrderedAt.Equal(time.Date(2011, 12, 10, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("C9 = %+v, want a return of 2.55 on 2011-12-10", c9)
	}
	// P2 has no description on its first line: the first one seen (Plate) names it.
	wantP := []kexi.Product{{ExternalID: "P1", Name: "Mug"}, {ExternalID: "P2", Name: "Plate"}}
	if !reflect.DeepEqual(b.Products, wantP) {
		t.Errorf("products %+v, want %+v", b.Products, wantP)
	}
	if len(b.Customers) != 1 || b.Customers[0].Country != "United Kingdom" {
		t.Errorf("customers %+v, want 17850 with its country", b.Customers)
	}
	if got := b.Present[kexi.KindCustomers]; !reflect.DeepEqual(got, []string{"country", "external_id"}) {
		t.Errorf("customer present %v", got)
	}
}

func TestReadRejects(t *testing.T) {
	const data = "customer id,name,age,birth date\nC1,Ann,30,1990-01-02\nC2,Bob,thirty,1990-13-01\n,Cy,20,\nC1,Dup,1,\n"
	_, err := Read(strings.NewReader(data), "c.csv", Options{})
	var e *kexi.Error
	if !errors.As(err, &e) || e.Code != kexi.EINVALID {
		t.Fatalf("err %v, want EINVALID", err)
	}
	want := []kexi.FieldProblem{
		{File: "c.csv", Row: 2, Column: "age", Value: "thirty", Reason: errNumber.Error()},
		{File: "c.csv", Row: 2, Column: "birth date", Value: "1990-13-01", Reason: errDate.Error()},
		{File: "c.csv", Row: 3, Column: "customer id", Reason: "no customer id"},
		{File: "c.csv", Row: 4, Column: "customer id", Value: "C1", Reason: "duplicate id: row 1 has it too"},
	}
	if !reflect.DeepEqual(e.Problems, want) {
		t.Errorf("problems\n%+v\nwant\n%+v", e.Problems, want)
	}
	if !strings.Contains(e.Error(), "3 of 4 rows are invalid") {
		t.Errorf("message %q", e.Error())
	}

	res := read(t, "c.csv", data, Options{SkipInvalid: true})
	if len(res.Batch.Customers) != 1 || res.Batch.Customers[0].Name != "Ann" || res.Rejected != 3 {
		t.Errorf("kept %+v rejected %d", res.Batch.Customers, res.Rejected)
	}
	var buf bytes.Buffer
	if err := WriteRejects(&buf, res); err != nil {
		t.Fatal(err)
	}
	wantCSV := "file,row,column,value,reason,cells…\n" +
		"c.csv,0,,,header,customer id,name,age,birth date\n" +
		"c.csv,2,age,thirty,\"" + errNumber.Error() + "\",C2,Bob,thirty,1990-13-01\n" +
		"c.csv,2,birth date,1990-13-01,\"" + errDate.Error() + "\",C2,Bob,thirty,1990-13-01\n" +
		"c.csv,3,customer id,,no customer id,,Cy,20,\n" +
		"c.csv,4,customer id,C1,duplicate id: row 1 has it too,C1,Dup,1,\n"
	if buf.String() != wantCSV {
		t.Errorf("rejects file\n%s\nwant\n%s", buf.String(), wantCSV)
	}
}

func TestReadBadFiles(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"empty.csv", "", "the file is empty"},
		{"blank.csv", "\n\n", "the file is empty"},
		{"what.csv", "foo,bar\n1,2\n", "cannot tell what kind of records"},
		{"bin.csv", "\x00\x01\x02\xff\xfe", "binary"},
		{"bad.gz", "\x1f\x8b\x00", "gzip"},
		{"bad.xlsx", "PK\x03\x04garbage", "XLSX"},
	} {
		_, err := Read(strings.NewReader(c.data), c.name, Options{})
		if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want EINVALID mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := Read(strings.NewReader("a\n1\n"), "x.csv", Options{Kind: "widgets"}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestMapping(t *testing.T) {
	for _, src := range []string{
		`{"kind": "orders", "columns": {"Beleg": "external_id", "Kunde": "customer", "Datum": "ordered_at", "Summe": "amount", "Intern": "-"}, "custom_fields": {"Segment": "segment"}}`,
		"kind: orders\ncolumns:\n  Beleg: external_id\n  Kunde: customer\n  Datum: ordered_at\n  Summe: amount\n  Intern: '-'\ncustom_fields:\n  Segment: segment\n",
	} {
		m, err := ParseMapping([]byte(src), "map")
		if err != nil {
			t.Fatal(err)
		}
		// a European decimal comma is an error, not fifteen
		_, err = Read(strings.NewReader("Beleg,Kunde,Datum,Summe,Intern,Segment\nB1,K1,2011-12-09,\"1,5\",x,gold\n"), "o.csv", Options{Mapping: m})
		if err == nil || !strings.Contains(err.Error(), `column "Summe": value "1,5"`) {
			t.Errorf("1,5: %v", err)
		}
		res, err := Read(strings.NewReader("Beleg,Kunde,Datum,Summe,Intern,Segment\nB1,K1,2011-12-09,\"1,500\",x,gold\n"), "o.csv", Options{Mapping: m})
		if err != nil {
			t.Fatal(err)
		}
		o := res.Batch.Orders[0]
		if o.ExternalID != "B1" || o.Customer != "K1" || o.Amount != 1500 || len(res.Batch.Customers) != 1 ||
			res.Batch.Customers[0].Custom["segment"] != "gold" {
			t.Errorf("order %+v customers %+v", o, res.Batch.Customers)
		}
	}
	if _, err := ParseMapping([]byte(`{"kind": "orders", "columns": {"X": "colour"}}`), "m.json"); kexi.ErrorCode(err) != kexi.EINVALID ||
		!strings.Contains(err.Error(), "colour") {
		t.Errorf("bad field: %v", err)
	}
	if _, err := ParseMapping([]byte(`{"kind": "widgets"}`), "m.json"); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := ParseMapping([]byte(`{"colums": {}}`), "m.json"); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("misspelt key: %v", err)
	}
}

func TestUnknownColumns(t *testing.T) {
	const data = "customer id,name,Plan,Renewal,Seats\nC1,Ann,gold,2024-06-30,3\nC2,Bob,,2024/7/1,1.5\n"
	res := read(t, "c.csv", data, Options{SkipUnknown: true})
	if !reflect.DeepEqual(res.Unknown, []string{"Plan", "Renewal", "Seats"}) || len(res.Warnings) != 1 || res.Batch.Customers[0].Custom != nil ||
		len(res.Custom) != 0 || !strings.Contains(res.Warnings[0], "--skip-unknown") {
		t.Errorf("unknown %v warnings %v custom %v", res.Unknown, res.Warnings, res.Batch.Customers[0].Custom)
	}
	// By default unknown columns are kept as typed custom fields, and listed.
	res = read(t, "c.csv", data, Options{})
	if len(res.Unknown) != 0 || len(res.Warnings) != 0 {
		t.Errorf("default: unknown %v warnings %v", res.Unknown, res.Warnings)
	}
	wantC := []Custom{{Header: "Plan", Entity: "customer", Name: "plan", Type: kexi.FieldText, Guessed: true},
		{Header: "Renewal", Entity: "customer", Name: "renewal", Type: kexi.FieldDate, Guessed: true},
		{Header: "Seats", Entity: "customer", Name: "seats", Type: kexi.FieldNumber, Guessed: true}}
	if !reflect.DeepEqual(res.Custom, wantC) {
		t.Errorf("custom columns %+v, want %+v", res.Custom, wantC)
	}
	wantF := []kexi.CustomField{{Entity: "customer", Name: "plan", Type: kexi.FieldText},
		{Entity: "customer", Name: "renewal", Type: kexi.FieldDate}, {Entity: "customer", Name: "seats", Type: kexi.FieldNumber}}
	if !reflect.DeepEqual(res.Batch.CustomFields, wantF) {
		t.Errorf("fields %+v", res.Batch.CustomFields)
	}
	if c := res.Batch.Customers[1].Custom; !reflect.DeepEqual(c, map[string]string{"renewal": "2024-07-01", "seats": "1.5"}) {
		t.Errorf("custom %v", c)
	}
}

func TestLeadStages(t *testing.T) {
	const data = "opportunity_id,deal_stage,engage_date,close_date,first contact date\n" +
		"L1,Won,2017-01-05,2017-02-01,2017-01-01\nL2,Engaging,2017-01-05,,\nL3,Prospecting,,,\nL4,Lost,,2017-03-01,\n"
	res := read(t, "l.csv", data, Options{})
	d := func(m, day int) time.Time { return time.Date(2017, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	want := map[string][]kexi.StageEntry{
		"L1": {{Stage: "new", EnteredAt: d(1, 1)}, {Stage: "follow_up", EnteredAt: d(1, 5)}, {Stage: "won", EnteredAt: d(2, 1)}},
		"L2": {{Stage: "follow_up", EnteredAt: d(1, 5)}},
		"L3": nil,
		"L4": {{Stage: "lost", EnteredAt: d(3, 1)}},
	}
	stage := map[string]string{"L1": "won", "L2": "follow_up", "L3": "new", "L4": "lost"}
	for _, l := range res.Batch.Leads {
		if !reflect.DeepEqual(l.Stages, want[l.ExternalID]) || l.Stage != stage[l.ExternalID] {
			t.Errorf("%s: stage %s %+v, want %s %+v", l.ExternalID, l.Stage, l.Stages, stage[l.ExternalID], want[l.ExternalID])
		}
	}
	_, err := Read(strings.NewReader("lead id,close date\nL1,2017-01-01\n"), "l.csv", Options{Kind: "leads"})
	if err == nil || !strings.Contains(err.Error(), "close date needs a stage") {
		t.Errorf("close date without stage: %v", err)
	}
}

func TestSurveyScoreRange(t *testing.T) {
	_, err := Read(strings.NewReader("customer id,nps\nC1,11\n"), "s.csv", Options{Kind: "surveys", At: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "expected a NPS score from 0 to 10") {
		t.Errorf("nps 11: %v", err)
	}
	res := read(t, "s.csv", "customer id,nps,date\nC1,0,2024-01-01\nC2,10,2024-01-02\n", Options{})
	if res.Kind != kexi.KindSurveys || res.Batch.Surveys[0].Kind != kexi.NPS || res.Batch.Surveys[1].Score != 10 {
		t.Errorf("surveys %+v", res.Batch.Surveys)
	}
	// no id column: ids from the file name and row, the same on every import
	if res.Batch.Surveys[1].ExternalID != "s-2" {
		t.Errorf("generated id %q, want s-2", res.Batch.Surveys[1].ExternalID)
	}
}

func TestAnonymousOrders(t *testing.T) {
	const data = "order id,customer id,date,amount\nO1,C1,2024-01-01,5\nO2,,2024-01-02,7\n"
	if _, err := Read(strings.NewReader(data), "o.csv", Options{}); err == nil || !strings.Contains(err.Error(), "no customer") {
		t.Errorf("err %v, want no customer", err)
	}
	res := read(t, "o.csv", data, Options{Anonymous: true})
	if len(res.Batch.Orders) != 2 || res.Batch.Orders[1].Customer != "" {
		t.Errorf("orders %+v", res.Batch.Orders)
	}
}

// TestReadReservesFromSize reads a file long enough for Read to extrapolate its size and make
// room (after estimateAt rows), and checks nothing is lost or reordered compared with a reader
// whose size is unknown.
func TestReadReservesFromSize(t *testing.T) {
	data := orderCSV(3*estimateAt + 5)
	sized, err := Read(bytes.NewReader(data), "orders.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Read(io.MultiReader(bytes.NewReader(data)), "orders.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Two lines per order: 3×16384+5 lines make 24579 orders, the last with one line.
	if n := len(sized.Batch.Orders); n != 24579 || len(plain.Batch.Orders) != n {
		t.Fatalf("orders: %d with size, %d without; want 24579", n, len(plain.Batch.Orders))
	}
	// The room made once: the estimate errs low by what the buffers read ahead (under 70 KiB
	// of the 1 MiB read by row 16384) and high by its 10 % margin and by the early rows being
	// shorter (the ids grow), so it lands within a quarter above 24579 (26051 today). Growing
	// by doubling instead, with no estimate or after one too low, ends at 256, 768, 1792, …,
	// 32512 = 1.32 × 24579 or beyond.
	if c := cap(sized.Batch.Orders); c > 24579*5/4 {
		t.Errorf("capacity %d: the orders were not reserved from the estimate", c)
	}
	for i := range sized.Batch.Orders {
		a, b := &sized.Batch.Orders[i], &plain.Batch.Orders[i]
		if a.ExternalID != b.ExternalID || len(a.Items) != len(b.Items) || a.Amount != b.Amount {
			t.Fatalf("order %d differs: %+v vs %+v", i, a, b)
		}
	}
}

// TestOrderLinesChunks reads orders with one to three lines each, some of whose lines come
// apart (another order's line between), across several line chunks, and checks every order
// has exactly its own lines, in file order.
func TestOrderLinesChunks(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("order_id,customer_id,order_date,product,quantity,price\n")
	want := map[string][]string{}
	line := func(o, sku int) {
		fmt.Fprintf(&buf, "O%d,C%d,2024-01-02,SKU%d,1,2\n", o, o%50, sku)
		want[fmt.Sprintf("O%d", o)] = append(want[fmt.Sprintf("O%d", o)], fmt.Sprintf("SKU%d", sku))
	}
	sku := 0
	for o := 0; o < 5000; o++ {
		for l := 0; l <= o%3; l++ {
			line(o, sku)
			sku++
		}
		if o%7 == 3 {
			line(o-1, sku) // a late line of the previous order
			sku++
		}
	}
	res, err := Read(bytes.NewReader(buf.Bytes()), "orders.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Batch.Orders) != 5000 {
		t.Fatalf("%d orders, want 5000", len(res.Batch.Orders))
	}
	for _, o := range res.Batch.Orders {
		var got []string
		for _, it := range o.Items {
			got = append(got, it.SKU)
		}
		if strings.Join(got, " ") != strings.Join(want[o.ExternalID], " ") {
			t.Fatalf("order %s has lines %v, want %v", o.ExternalID, got, want[o.ExternalID])
		}
	}
}
