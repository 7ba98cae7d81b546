package sheet

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestParseDateIn: a time without an offset, a date alone, a compact date and an Excel serial
// are wall-clock times in the business's zone; Z and offsets keep theirs.
func TestParseDateIn(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no zone database")
	}
	for _, c := range []struct{ in, want string }{
		{"2020-02-20 23:59:54", "2020-02-20T15:59:54Z"},
		{"2020-02-20T23:59:54", "2020-02-20T15:59:54Z"},
		{"2020/2/20 23:59", "2020-02-20T15:59:00Z"},
		{"2020年2月20日 下午11:59", "2020-02-20T15:59:00Z"},
		{"2020-02-20", "2020-02-19T16:00:00Z"},
		{"20200220", "2020-02-19T16:00:00Z"},
		{"43881.5", "2020-02-20T04:00:00Z"}, // Excel: noon of 2020-02-20
		{"2020-02-20T23:59:54Z", "2020-02-20T23:59:54Z"},
		{"2020-02-20 23:59:54+01:00", "2020-02-20T22:59:54Z"},
	} {
		got, err := ParseDateIn(c.in, sh)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339); s != c.want {
			t.Errorf("ParseDateIn(%q, Shanghai) = %s, want %s", c.in, s, c.want)
		}
	}
}

// TestReadZoneAndRange: Read reads naive times in Options.Location, refuses times outside
// Options.Dates naming row and column, and what WriteIn writes in the same zone reads back as
// the same instants.
func TestReadZoneAndRange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone database")
	}
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	opt := Options{Location: ny, Dates: kexi.DatesUntil(now, 5), SkipInvalid: true}
	in := "order_id,customer_id,order_date,amount\n1,A,2024-03-10 01:30:00,1\n2,A,2024-03-10 12:00:00,2\n3,B,9999-12-31 23:59:59,3\n4,B,2032-01-01,4\n5,B,1899-12-31,5\n"
	res, err := Read(strings.NewReader(in), "o.csv", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Batch.Orders) != 2 || res.Rejected != 3 {
		t.Fatalf("%d orders, %d rejected: %v", len(res.Batch.Orders), res.Rejected, res.Rejects)
	}
	rows := map[int]bool{}
	for _, r := range res.Rejects {
		if r.Column == "order_date" && strings.Contains(r.Reason, "expected a date from 1900-01-01 to 2031-12-07") &&
			r.ReasonIn("zh") == "日期应在 1900-01-01 到 2031-12-07 之间" {
			rows[r.Row] = true
		}
	}
	if !rows[3] || !rows[4] || !rows[5] {
		t.Errorf("rejects %v", res.Rejects)
	}
	// The zero Dates stops at kexi.Latest, the last instant before 3000-01-01 UTC.
	late, err := Read(strings.NewReader("order_id,customer_id,order_date,amount\n1,A,3000-01-01,1\n"), "o.csv", Options{SkipInvalid: true})
	if err != nil || len(late.Rejects) == 0 || late.Rejects[0].ReasonIn("zh") != "日期应在 1900-01-01 到 2999-12-31 之间" {
		t.Errorf("3000-01-01 with the zero Dates: %v %+v", err, late.Rejects)
	}
	// 01:30 is EST (−5), 12:00 after the spring change is EDT (−4).
	if a, b := res.Batch.Orders[0].OrderedAt.UTC(), res.Batch.Orders[1].OrderedAt.UTC(); !a.Equal(time.Date(2024, 3, 10, 6, 30, 0, 0, time.UTC)) ||
		!b.Equal(time.Date(2024, 3, 10, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("read %v and %v", a, b)
	}
	var buf bytes.Buffer
	if err := WriteIn(&buf, kexi.KindOrders, CSV, "en", ny, res.Batch.Orders); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2024-03-10 01:30:00") || !strings.Contains(buf.String(), "2024-03-10 12:00:00") {
		t.Errorf("written:\n%s", buf.String())
	}
	back, err := Read(&buf, "back.csv", Options{Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	for i := range back.Batch.Orders {
		if !back.Batch.Orders[i].OrderedAt.Equal(res.Batch.Orders[i].OrderedAt) {
			t.Errorf("order %d: %v read back as %v", i, res.Batch.Orders[i].OrderedAt, back.Batch.Orders[i].OrderedAt)
		}
	}
}
