package kexi

import (
	"testing"
	"time"
)

func TestCustomerField(t *testing.T) {
	c := &Customer{Kind: Enterprise, Province: "广东", Campaign: "c618", IncomeBand: "high",
		Custom: map[string]string{"plan": "gold"}}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"kind", "enterprise", true}, {"province", "广东", true}, {"campaign", "c618", true},
		{"income_band", "high", true}, {"custom.plan", "gold", true}, {"custom.none", "", true},
		{"gender", "", true}, {"plan", "", false}, {"income", "", false},
	} {
		if got, ok := c.Field(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("Field(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCustomerAgeAt(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	born := &Customer{BirthDate: day("1990-07-01")}
	for _, tc := range []struct {
		c    *Customer
		at   string
		want int
		ok   bool
	}{
		{born, "2024-06-30", 33, true},                                             // the day before the 34th birthday
		{born, "2024-07-01", 34, true},                                             // the birthday itself
		{&Customer{Age: 40, BirthDate: day("2000-01-01")}, "2024-07-01", 40, true}, // Age wins
		{&Customer{BirthDate: day("2030-01-01")}, "2024-07-01", -6, true},          // not checked for sense
		{&Customer{}, "2024-07-01", 0, false},
	} {
		if got, ok := tc.c.AgeAt(day(tc.at)); got != tc.want || ok != tc.ok {
			t.Errorf("AgeAt(%s) of %v = %d, %v; want %d, %v", tc.at, tc.c.BirthDate.Format("2006-01-02"), got, ok, tc.want, tc.ok)
		}
	}
}
