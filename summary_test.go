package kexi

import (
	"reflect"
	"testing"
	"time"
)

// dayNo returns the day number of the date y-m-d (days since 1970-01-01).
func dayNo(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// TestSummarize works one customer's purchases out by hand: two purchases on one day make one
// purchase day whose value is their sum; a return, a cancelled order and an order after Until
// do not count; a $0 day counts in Days but not in RepeatValue; a purchase exactly at Until
// counts.
func TestSummarize(t *testing.T) {
	utc := func(d, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, time.UTC) }
	until := utc(20, 12)
	orders := NewOrderTable(
		Order{ID: 1, CustomerID: 7, OrderedAt: utc(1, 9), Amount: 10, Status: StatusCompleted},
		Order{ID: 2, CustomerID: 7, OrderedAt: utc(1, 15), Amount: 5.5, Status: StatusCompleted}, // same day: one day worth 15.5
		Order{ID: 3, CustomerID: 7, OrderedAt: utc(3, 10), Amount: 0, Status: StatusCompleted},   // a $0 day
		Order{ID: 4, CustomerID: 7, OrderedAt: utc(4, 10), Amount: 8, Status: StatusReturn},      // not a purchase
		Order{ID: 5, CustomerID: 7, OrderedAt: utc(5, 10), Amount: 9, Status: StatusCancelled},   // not a purchase
		Order{ID: 6, CustomerID: 7, OrderedAt: utc(8, 10), Amount: 20, Status: StatusPending},
		Order{ID: 7, CustomerID: 7, OrderedAt: utc(8, 11), Amount: 1.25},
		Order{ID: 8, CustomerID: 7, OrderedAt: until, Amount: 4},                         // exactly at Until: counts
		Order{ID: 9, CustomerID: 7, OrderedAt: until.Add(time.Millisecond), Amount: 100}, // after it
		Order{ID: 10, CustomerID: 8, OrderedAt: utc(2, 10), Amount: 0},
		Order{ID: 11, CustomerID: 9, OrderedAt: utc(2, 10), Amount: -3}, // a negative amount: not a purchase
	)
	got := Summarize(&orders, Window{Until: until})
	want := []CustomerSummary{
		{CustomerID: 7, Purchases: 6, Revenue: 10 + 5.5 + 0 + 20 + 1.25 + 4,
			First: utc(1, 9).UnixMilli(), Last: until.UnixMilli(),
			Days: 4, FirstDay: dayNo(2024, 3, 1), LastDay: dayNo(2024, 3, 20),
			RepeatValue: 21.25 + 4, RepeatPaid: 2},
		{CustomerID: 8, Purchases: 1, First: utc(2, 10).UnixMilli(), Last: utc(2, 10).UnixMilli(),
			Days: 1, FirstDay: dayNo(2024, 3, 2), LastDay: dayNo(2024, 3, 2)},
	}
	if !reflect.DeepEqual(got.Customers, want) {
		t.Errorf("Summarize:\n got %+v\nwant %+v", got.Customers, want)
	}
	// From cuts the first day off: the $0 day on the 3rd is then the first day.
	got = Summarize(&orders, Window{From: utc(2, 0), Until: until})
	if c := got.Customers[0]; c.Purchases != 4 || c.Days != 3 || c.FirstDay != dayNo(2024, 3, 3) ||
		c.RepeatValue != 21.25+4 || c.RepeatPaid != 2 || c.Revenue != 25.25 {
		t.Errorf("from the 2nd: %+v", c)
	}
	if c := Summarize(&orders, Window{}).Customers[0]; c.Purchases != 7 || c.Revenue != 140.75 {
		t.Errorf("open window: %+v, want 7 purchases worth 140.75", c)
	}
}

// TestSummarizeZone: purchase days (and so months) are counted in the window's time zone.
// 2024-01-31 20:00 UTC is 2024-02-01 04:00 in Shanghai: in UTC the customer buys on two days
// (31 Jan and 1 Feb), in Shanghai on one (1 Feb), with a $0 purchase in between.
func TestSummarizeZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	orders := NewOrderTable(
		Order{ID: 1, CustomerID: 1, OrderedAt: time.Date(2024, 1, 31, 20, 0, 0, 0, time.UTC), Amount: 3},
		Order{ID: 2, CustomerID: 1, OrderedAt: time.Date(2024, 2, 1, 2, 0, 0, 0, time.UTC), Amount: 4},
	)
	u := Summarize(&orders, Window{}).Customers[0]
	if u.Days != 2 || u.FirstDay != dayNo(2024, 1, 31) || u.LastDay != dayNo(2024, 2, 1) || u.RepeatValue != 4 || u.RepeatPaid != 1 {
		t.Errorf("UTC: %+v", u)
	}
	s := Summarize(&orders, Window{Loc: sh}).Customers[0]
	if s.Days != 1 || s.FirstDay != dayNo(2024, 2, 1) || s.LastDay != dayNo(2024, 2, 1) || s.RepeatValue != 0 || s.RepeatPaid != 0 || s.Revenue != 7 {
		t.Errorf("Shanghai: %+v", s)
	}
	// A Until at the end of 31 January in Shanghai (16:00 UTC) keeps neither purchase.
	end := time.Date(2024, 1, 31, 23, 59, 59, 999999999, sh)
	if c := Summarize(&orders, Window{Until: end, Loc: sh}).Customers; len(c) != 0 {
		t.Errorf("until 31 Jan in Shanghai: %+v, want nobody", c)
	}
}

// TestWindowBounds: the ends compare in whole milliseconds; a From inside a millisecond
// starts at the next one.
func TestWindowBounds(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	from, until := Window{From: at.Add(500 * time.Microsecond), Until: at.Add(2*time.Millisecond - 1)}.Bounds()
	if from != at.UnixMilli()+1 || until != at.UnixMilli()+1 {
		t.Errorf("bounds %d %d, want both %d", from, until, at.UnixMilli()+1)
	}
	if !(Window{Loc: time.UTC}).Equal(Window{}) || (Window{Until: at}).Equal(Window{}) {
		t.Error("Equal")
	}
}
