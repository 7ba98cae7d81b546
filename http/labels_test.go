package kexihttp

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi"
)

// TestValueLabels: an administrator names the channel wechat 微信 and the plan gold 金卡 on
// the settings page; the customer table, the filter row, the portrait, an analysis table and
// the exports show the names, filtering 渠道 = 微信 finds the wechat customers, and the API
// reads and writes the table (issue #20 §2).
func TestValueLabels(t *testing.T) {
	f := newFixture(t)
	zh := map[string]string{"Accept-Language": "zh-CN"}
	get := func(path string) string {
		t.Helper()
		w := f.do(req{method: "GET", path: path, as: "admin", via: "session", header: zh})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	form := url.Values{"field": {"channel", "custom.plan", "channel"}, "value": {"wechat", "gold", ""}, "label": {"微信", "金卡", ""}}
	if w := f.do(req{method: "POST", path: "/settings/labels", as: "ana", via: "session", body: form.Encode()}); w.Code != 403 {
		t.Errorf("an analyst saved value labels: %d", w.Code)
	}
	if w := f.do(req{method: "POST", path: "/settings/labels", as: "admin", via: "session", body: form.Encode()}); w.Code != 303 {
		t.Fatalf("save labels: %d %s", w.Code, w.Body.String())
	}
	f.srv.forgetSettings()

	// The API reads them; the settings page lists them.
	w := f.do(req{method: "GET", path: "/api/v1/settings", as: "ana"})
	var st kexi.Settings
	json.Unmarshal(w.Body.Bytes(), &st)
	if len(st.Labels) != 2 || st.Labels[0] != (kexi.ValueLabel{Field: "channel", Value: "wechat", Label: "微信"}) {
		t.Fatalf("labels %+v", st.Labels)
	}
	if page := get("/settings"); !strings.Contains(page, `value="微信"`) || !strings.Contains(page, `id="labels"`) {
		t.Errorf("the settings page does not list the labels")
	}

	// The customer table shows the names; its filter finds the customers by name.
	count := regexp.MustCompile(`data-total="(\d+)"`)
	total := func(body string) int {
		m := count.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no count")
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	list := get("/customers?col=name&col=channel&col=custom.plan")
	tbody := regexp.MustCompile(`(?s)<tbody>.*</tbody>`).FindString(list)
	if !strings.Contains(tbody, "微信") || strings.Contains(tbody, "wechat") || !strings.Contains(tbody, "金卡") || !strings.Contains(tbody, "search_ads") {
		t.Errorf("customer table: %s", tbody)
	}
	byName := get("/customers?f=" + url.QueryEscape("channel:eq:微信"))
	if n := total(byName); n != 2 {
		t.Errorf("渠道 = 微信 finds %d customers, want 2 (C1 and C3)", n)
	}
	if !strings.Contains(byName, `class="cv" value="微信"`) {
		t.Errorf("the filter row does not show the name")
	}
	if n := total(get("/customers?f=" + url.QueryEscape("channel:eq:wechat"))); n != 2 {
		t.Errorf("渠道 = wechat finds %d customers, want 2", n)
	}
	if n := total(get("/customers?f=" + url.QueryEscape("channel:ne:微信"))); n != 1 {
		t.Errorf("渠道 ≠ 微信 finds %d customers, want 1 (C2)", n)
	}
	if n := total(get("/customers?f=" + url.QueryEscape("custom.plan:in:金卡,silver"))); n != 3 {
		t.Errorf("plan in 金卡,silver finds %d customers, want 3", n)
	}
	w = f.do(req{method: "GET", path: "/api/v1/customers?f=" + url.QueryEscape("channel:eq:微信"), as: "ana"})
	var lp struct {
		Total int `json:"total"`
		Items []struct {
			Channel string `json:"channel"`
		} `json:"items"`
	}
	json.Unmarshal(w.Body.Bytes(), &lp)
	if lp.Total != 2 || len(lp.Items) != 2 || lp.Items[0].Channel != "wechat" {
		t.Errorf("API filter by name: %d %+v (the JSON keeps the value)", lp.Total, lp.Items)
	}
	// Campaigns have a channel too.
	if n := total(get("/data/campaigns?f=" + url.QueryEscape("channel:eq:微信"))); n != 1 {
		t.Errorf("campaigns by 微信: %d, want 1", n)
	}

	// Exports write the names.
	for _, p := range []string{"/data/customers/export?format=csv", "/api/v1/customers/export?format=csv&f=" + url.QueryEscape("channel:eq:微信")} {
		w := f.do(req{method: "GET", path: p, as: "admin", via: "session", header: zh})
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "微信") || strings.Contains(body, "wechat") || !strings.Contains(body, "金卡") {
			t.Errorf("%s: %d\n%s", p, w.Code, body)
		}
	}
	// The records in the store keep their values.
	cs, _, _ := f.st.FindCustomers(t.Context(), kexi.Filter{Where: []kexi.Cond{{Field: "channel", Op: kexi.Eq, Value: "wechat"}}})
	if len(cs) != 2 || cs[0].Custom["plan"] != "gold" {
		t.Errorf("stored records changed: %d", len(cs))
	}

	// The portrait and an analysis table show the names.
	if p := get("/customers/" + strconv.FormatInt(f.alice[kexi.KindCustomers], 10)); !strings.Contains(p, "<dd>微信</dd>") || !strings.Contains(p, "<dd>金卡</dd>") {
		t.Errorf("portrait profile without the names")
	}
	acq := get("/analyses/acquisition")
	if !regexp.MustCompile(`(?s)<table.*<td[^>]*>微信</td>`).MatchString(acq) {
		t.Errorf("acquisition's table by channel without the name")
	}
	if !strings.Contains(acq, `&#34;x&#34;:[&#34;微信&#34;`) && !strings.Contains(acq, `&#34;微信&#34;`) {
		t.Errorf("acquisition's chart by channel without the name")
	}
	// So does the analysis table's export.
	if w := f.do(req{method: "GET", path: "/analyses/acquisition/export?table=channels&format=csv", as: "admin", via: "session", header: zh}); w.Code != 200 ||
		!strings.Contains(w.Body.String(), "微信") || strings.Contains(w.Body.String(), "wechat") {
		t.Errorf("acquisition's channels export: %d\n%s", w.Code, w.Body.String())
	}

	// The main settings form keeps the labels; PUT without labels keeps them; bad labels are 400.
	if w := f.do(req{method: "POST", path: "/settings", as: "admin", via: "session",
		body: "currency=CNY&time_zone=Asia%2FShanghai&cost_per_minute=1&lang=zh"}); w.Code != 303 {
		t.Fatalf("save settings: %d", w.Code)
	}
	if w := f.do(req{method: "PUT", path: "/api/v1/settings", as: "admin", body: map[string]any{"cost_per_minute": 2}}); w.Code != 200 {
		t.Fatalf("PUT settings: %d %s", w.Code, w.Body.String())
	}
	f.srv.forgetSettings()
	if st, _ := f.st.Settings(t.Context()); len(st.Labels) != 2 || st.CostPerMinute != 2 {
		t.Errorf("labels lost by saving the other settings: %+v", st)
	}
	for _, bad := range []map[string]any{
		{"labels": []map[string]string{{"field": "chanel", "value": "x", "label": "y"}}},
		{"labels": []map[string]string{{"field": "channel", "value": "x", "label": ""}}},
		{"labels": []map[string]string{{"field": "channel", "value": "x", "label": "y"}, {"field": "channel", "value": "x", "label": "z"}}},
	} {
		if w := f.do(req{method: "PUT", path: "/api/v1/settings", as: "admin", body: bad}); w.Code != 400 || !strings.Contains(w.Body.String(), "problems") {
			t.Errorf("%v: %d %s", bad, w.Code, w.Body.String())
		}
	}
	if w := f.do(req{method: "PUT", path: "/api/v1/settings", as: "ana", body: map[string]any{"labels": []any{}}}); w.Code != 403 {
		t.Errorf("an analyst changed the labels: %d", w.Code)
	}
	if w := f.do(req{method: "PUT", path: "/api/v1/settings", as: "admin", body: map[string]any{"labels": []any{}}}); w.Code != 200 {
		t.Errorf("clear labels: %d", w.Code)
	}
	f.srv.forgetSettings()
	if list := get("/customers?col=name&col=channel"); !strings.Contains(list, "wechat") {
		t.Errorf("without labels the values show as imported")
	}
}
