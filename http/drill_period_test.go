package kexihttp

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
)

// TestCustomersPeriod checks the customer API's period: analysis fields are those of the run
// over the period, as of the end of its last day, as the analysis page and API give them. The
// data end on 2025-03-05, so this_month is 1–5 March 2025 (C3's 1000 of 03-01, C1's 50 of
// 03-05; C2 bought nothing) and last_month February (C2's 200 only).
func TestCustomersPeriod(t *testing.T) {
	f := newFixture(t)
	monetary := func(query string) string {
		p := f.customers(t, "admin", query)
		var got []string
		for _, it := range p.Items {
			got = append(got, fmt.Sprintf("%s=%v", it.ExternalID, it.Analysis["rfm.monetary"]))
		}
		return strings.Join(got, " ")
	}
	for _, tt := range []struct{ query, want string }{
		{"sort=-rfm.monetary", marker + "-C3=1070 C2=200 C1=150"}, // all time, as before
		{"sort=-rfm.monetary&period=this_month", marker + "-C3=1000 C1=50 C2=<nil>"},
		{"sort=-rfm.monetary&period=last_month", "C2=200 C1=<nil> " + marker + "-C3=<nil>"},
		{"sort=-rfm.monetary&period=all", marker + "-C3=1070 C2=200 C1=150"},
		{"sort=-rfm.monetary&period=custom&from=2025-02-01&to=2025-03-01", marker + "-C3=1000 C2=200 C1=<nil>"},
		{"f=rfm.monetary:gt:0&sort=-rfm.monetary&period=last_month", "C2=200"},
	} {
		if got := monetary(tt.query); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.query, got, tt.want)
		}
	}
	// The same run as the analysis API's for the period: every customer's monetary agrees.
	var res analysis.Result
	decode(t, f.do(req{method: "GET", path: "/api/v1/analyses/rfm?period=this_month", as: "admin"}), &res)
	p := f.customers(t, "admin", "col=rfm.monetary&period=this_month")
	compared := 0
	for _, tb := range res.Tables {
		if !tb.PerCustomer {
			continue
		}
		m := -1
		for j, c := range tb.Columns {
			if c.Key == "monetary" {
				m = j
			}
		}
		for _, row := range tb.Rows {
			for _, it := range p.Items {
				if float64(it.ID) == row[0].(float64) {
					compared++
					if fmt.Sprint(it.Analysis["rfm.monetary"]) != fmt.Sprint(row[m]) {
						t.Errorf("%s: list %v, analysis %v", it.ExternalID, it.Analysis["rfm.monetary"], row[m])
					}
				}
			}
		}
		break
	}
	if compared != 2 { // C3 and C1, who bought in March; C2 has no row
		t.Errorf("%d customers compared with the analysis API, want 2", compared)
	}
	// A bad period is a 400 that names it, with or without an analysis field.
	for _, tt := range []struct{ query, want string }{
		{"period=fortnight", "expected all, custom or one of 30d"},
		{"period=fortnight&sort=-rfm.monetary", "fortnight"},
		{"period=30d&from=2025-01-01&col=rfm.r", "give a period or from and to, not both"},
		{"period=custom&from=2025-03-05&to=2025-01-01", "is after to"},
		{"period=30d&as_of=2025-02-30", "as_of"},
	} {
		w := f.do(req{method: "GET", path: "/api/v1/customers?" + tt.query, as: "admin"})
		if w.Code != 400 || !strings.Contains(w.Body.String(), tt.want) || !strings.Contains(w.Body.String(), "period") && tt.want != "as_of" {
			t.Errorf("%s: %d %s, want 400 with %q", tt.query, w.Code, w.Body, tt.want)
		}
	}
	// The export takes it too.
	w := f.do(req{method: "GET", path: "/api/v1/customers/export?format=csv&f=rfm.monetary:gt:0&period=last_month", as: "admin"})
	if w.Code != 200 || strings.Count(strings.TrimSpace(w.Body.String()), "\n") != 1 || !strings.Contains(w.Body.String(), "C2") {
		t.Errorf("export over last_month: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/customers/export?format=csv&period=nope", as: "admin"}); w.Code != 400 {
		t.Errorf("export with a bad period: %d %s", w.Code, w.Body)
	}
}

// TestViewKeepsPeriod checks that a view saved from a list over a period keeps it, so that it
// reopens over the same days counted from the data's latest day.
func TestViewKeepsPeriod(t *testing.T) {
	f := newFixture(t)
	v, err := f.srv.viewFromQuery(url.Values{"period": {"last_month"}, "f": {"rfm.monetary:gt:0"}, "offset": {"50"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Params["period"] != "last_month" || v.Params["offset"] != "" {
		t.Fatalf("view params %v", v.Params)
	}
	if q := viewQuery(v); q.Get("period") != "last_month" {
		t.Errorf("view query %v", q)
	}
	// Reopened, it lists C2 only, as the list did (February: C2's 200).
	p := f.customers(t, "admin", viewQuery(v).Encode())
	if p.Total != 1 || p.Items[0].ExternalID != "C2" {
		t.Errorf("reopened view: %+v", p)
	}
}
