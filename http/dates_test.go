package kexihttp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestDateRange: a sales user could create an order dated 9999-12-31 (201); afterwards the
// default as-of was 9999-12-31, behaviour answered 500 (a time JSON cannot hold) and churn 400.
// Now record times outside 1900-01-01 .. now + 5 years are refused, as are such analysis dates,
// and every analysis still answers.
func TestDateRange(t *testing.T) {
	f := newFixture(t)
	o1 := fmt.Sprint(f.alice[kexi.KindOrders])
	for _, c := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"an order in 9999", req{method: "POST", path: "/api/v1/orders", as: "alice",
			body: map[string]any{"external_id": "Y1", "customer": "C1", "ordered_at": "9999-12-31T23:59:59Z", "amount": 5}}, 400, `"column":"ordered_at"`},
		{"an order in 1899", req{method: "POST", path: "/api/v1/orders", as: "admin",
			body: map[string]any{"external_id": "Y2", "customer": "C1", "ordered_at": "1899-12-31T00:00:00Z", "amount": 5}}, 400, "expected a date from 1900-01-01"},
		{"patched into 9999", req{method: "PATCH", path: "/api/v1/orders/" + o1, as: "alice",
			body: map[string]any{"ordered_at": "9999-12-31T23:59:59Z"}}, 400, `"column":"ordered_at"`},
		{"a lead stage in 9999", req{method: "POST", path: "/api/v1/leads", as: "admin",
			body: map[string]any{"external_id": "Y3", "stage": "new", "stages": []any{map[string]any{"stage": "new", "entered_at": "9999-01-01T00:00:00Z"}}}}, 400, `"column":"stages[0].entered_at"`},
		{"an order in 2025 is fine", req{method: "POST", path: "/api/v1/orders", as: "alice",
			body: map[string]any{"external_id": "Y4", "customer": "C1", "ordered_at": "2025-03-06T10:00:00+08:00", "amount": 5}}, 201, `"external_id":"Y4"`},
		// The range ends kexi.YearsAhead (5) years after now: four years ahead is in it, six not.
		{"an order in four years is fine", req{method: "POST", path: "/api/v1/orders", as: "alice",
			body: map[string]any{"external_id": "Y5", "customer": "C1", "ordered_at": time.Now().AddDate(4, 0, 0).UTC().Format(time.RFC3339), "amount": 5}}, 201, `"external_id":"Y5"`},
		{"an order in six years", req{method: "POST", path: "/api/v1/orders", as: "alice",
			body: map[string]any{"external_id": "Y6", "customer": "C1", "ordered_at": time.Now().AddDate(6, 0, 0).UTC().Format(time.RFC3339), "amount": 5}}, 400, `"column":"ordered_at"`},
		{"as of 9999", req{method: "GET", path: "/api/v1/analyses/behaviour?as_of=9999-12-31", as: "admin"}, 400, `"column":"as_of"`},
		{"churn as of 9999", req{method: "GET", path: "/api/v1/analyses/churn?as_of=9999-12-31", as: "admin"}, 400, `"column":"as_of"`},
		{"from 1000", req{method: "GET", path: "/api/v1/analyses/rfm?from=1000-01-01", as: "admin"}, 400, `"column":"from"`},
		{"a clv option in 9999", req{method: "GET", path: "/api/v1/analyses/clv?holdout=9999-01-01", as: "admin"}, 400, `"column":"holdout"`},
		{"behaviour answers", req{method: "GET", path: "/api/v1/analyses/behaviour", as: "admin"}, 200, `"name":"behaviour"`},
	} {
		w := f.do(c.r)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %d %.400s, want %d with %s", c.name, w.Code, w.Body, c.status, c.want)
		}
	}
	// Nothing dated 9999 landed.
	if os, _, _ := f.st.FindOrders(context.Background(), kexi.Filter{Limit: -1}); len(os) == 0 {
		t.Fatal("no orders")
	} else {
		for _, o := range os {
			if o.OrderedAt.Year() > 3000 || o.OrderedAt.Year() < 1900 {
				t.Errorf("order %s dated %v", o.ExternalID, o.OrderedAt)
			}
		}
	}
}

// TestImportZone: the web import reads times without an offset in the business's time zone
// (the settings': Asia/Shanghai by default), so Tmall's 2020-02-20 23:59:54 is 15:59:54 UTC
// and shows as 23:59 on the 20th, not 07:59 on the 21st. A time with an offset keeps it.
func TestImportZone(t *testing.T) {
	f := newFixture(t)
	csv := "external_id,customer,ordered_at,amount\nZ1,C1,2020-02-20 23:59:54,21\nZ2,C1,2020-02-20T23:59:54Z,21\nZ3,C1,2020-02-20,21\n"
	w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("z.csv", []byte(csv), map[string]string{"kind": "orders"})})
	if w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	want := map[string]string{"Z1": "2020-02-20T15:59:54Z", "Z2": "2020-02-20T23:59:54Z", "Z3": "2020-02-19T16:00:00Z"}
	for id, at := range want {
		os, _, err := f.st.FindOrders(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: id}}})
		if err != nil || len(os) != 1 {
			t.Fatalf("%s: %v %v", id, os, err)
		}
		if got := os[0].OrderedAt.UTC().Format("2006-01-02T15:04:05Z"); got != at {
			t.Errorf("%s ordered at %s, want %s", id, got, at)
		}
	}
	// The export writes the same wall-clock times back.
	w = f.do(req{method: "GET", path: "/api/v1/orders/export?format=csv&f=" + "external_id:eq:Z1", as: "admin"})
	if !strings.Contains(w.Body.String(), "2020-02-20 23:59:54") {
		t.Errorf("export: %d %.400s", w.Code, w.Body)
	}
}

// TestZoneSettingKeysCache: the analyses and the dashboard are cut in the settings' time zone,
// so changing it gives new results, not the ones cached for the old zone.
func TestZoneSettingKeysCache(t *testing.T) {
	f := newFixture(t)
	asOf := func() string {
		w := f.do(req{method: "GET", path: "/api/v1/analyses/rfm", as: "admin"})
		var r struct {
			AsOf string `json:"as_of"`
		}
		decode(t, w, &r)
		return r.AsOf
	}
	if a := asOf(); !strings.HasSuffix(a, "T23:59:59.999999999+08:00") {
		t.Errorf("as of %s, want the end of the day in Shanghai", a)
	}
	w := f.do(req{method: "PUT", path: "/api/v1/settings", as: "admin",
		body: map[string]any{"currency": "CNY", "time_zone": "Europe/London", "cost_per_minute": 1, "lang": "en"}})
	if w.Code != 200 {
		t.Fatalf("settings: %d %s", w.Code, w.Body)
	}
	if a := asOf(); !strings.HasSuffix(a, "T23:59:59.999999999Z") {
		t.Errorf("as of %s after the zone became Europe/London", a)
	}
}
