package sheet

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	cst := time.FixedZone("", 8*3600)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2011-12-09", utc(2011, 12, 9, 0, 0, 0, 0)},
		{"2011-12-09 08:26:00", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011-12-09T08:26:00", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011-12-09T08:26:00Z", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011-12-09 08:26", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011-12-09 08:26:00.5", utc(2011, 12, 9, 8, 26, 0, 500_000_000)},
		{"2011-12-09T08:26:00+08:00", time.Date(2011, 12, 9, 8, 26, 0, 0, cst)},
		{"2011/12/9 8:26", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011/12/9", utc(2011, 12, 9, 0, 0, 0, 0)},
		{"2011.12.9 8:26:05", utc(2011, 12, 9, 8, 26, 5, 0)},
		// year last: US month/day when both could be a month …
		{"12/9/2011 08:26", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"1/2/2011", utc(2011, 1, 2, 0, 0, 0, 0)},
		// … day first when the first number cannot be a month.
		{"25/12/2011", utc(2011, 12, 25, 0, 0, 0, 0)},
		{"12/9/2011 8:26 PM", utc(2011, 12, 9, 20, 26, 0, 0)},
		{"12/9/2011 12:05 AM", utc(2011, 12, 9, 0, 5, 0, 0)},
		{"2011年12月9日", utc(2011, 12, 9, 0, 0, 0, 0)},
		{"2011年12月9日 8时26分", utc(2011, 12, 9, 8, 26, 0, 0)},
		{"2011年12月9日 下午3:05", utc(2011, 12, 9, 15, 5, 0, 0)},
		{"20111209", utc(2011, 12, 9, 0, 0, 0, 0)},
		// Excel serials: 40886 days after 1899-12-30 is 2011-12-09 (40,000 days is
		// 2009-07-06; + 886 days = 2011-12-09); 0.35 of a day is 8 h 24 min.
		{"40886", utc(2011, 12, 9, 0, 0, 0, 0)},
		{"40886.35", utc(2011, 12, 9, 8, 24, 0, 0)},
		{"61", utc(1900, 3, 1, 0, 0, 0, 0)},
		{"  2020-02-29  ", utc(2020, 2, 29, 0, 0, 0, 0)},
	} {
		got, err := ParseDate(c.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseDate(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "2011-13-01", "2011-02-30", "2019-02-29", "13/13/2011",
		"2011-12-09 25:00", "2011-12-09x", "0", "3000000", "12/9/11", "2011-12", "2011年13月1日",
		"２０１１", "2011-12-09 13:00 PM"} {
		if got, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", bad, got)
		}
	}
	if _, err := ParseDate("soon"); err == nil || err.Error() != errDate.Error() {
		t.Errorf("error text = %v, want one saying what was expected", err)
	}
}

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"0", 0},
		{"42", 42},
		{"-3.5", -3.5},
		{"1e3", 1000},
		{".5", 0.5},
		{"1,234,567.89", 1234567.89},
		{"¥12.50", 12.5},
		{"￥1,000", 1000},
		{"£3.20", 3.2},
		{"$ 5", 5},
		{"€-7", -7},
		{"-$7", -7},
		{"12元", 12},
		{"12.5%", 0.125},
		{"(12.50)", -12.5},
		{"１２３．５", 123.5},
		{"1.2万", 12000},
		{"3亿", 3e8},
		{"+8", 8},
		{" 29.85 ", 29.85},
	} {
		got, err := ParseNumber(c.in)
		if err != nil {
			t.Errorf("ParseNumber(%q): %v", c.in, err)
			continue
		}
		if d := got - c.want; d > 1e-9 || d < -1e-9 {
			t.Errorf("ParseNumber(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "1,5", "12,34.5", "NaN", "Inf", "-", "1.2.3", "0x10", "1_000",
		"1e", "$", "%", "1e400", "--1"} {
		if got, err := ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"Yes": true, "no": false, "TRUE": true, "0": false, "1": true, "是": true, "否": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseBool("maybe"); err == nil {
		t.Error("ParseBool(maybe): want an error")
	}
}

func TestNormHeaderAndSlug(t *testing.T) {
	for in, want := range map[string]string{"Customer ID": "customerid", "customer_id": "customerid",
		"CustomerID": "customerid", "收货地址 ": "收货地址", "Annual Income (k$)": "annualincomek"} {
		if got := normHeader(in); got != want {
			t.Errorf("normHeader(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"Spending Score (1-100)": "spending_score_1_100", "SeniorCitizen": "seniorcitizen",
		"总金额": "总金额", " Churn  Reason ": "churn_reason"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"17850.0": "17850", "17850": "17850", "A1.0": "A1.0", "1.50": "1.50", ".0": ".0"} {
		if got := wholeID(in); got != want {
			t.Errorf("wholeID(%q) = %q, want %q", in, got, want)
		}
	}
}
