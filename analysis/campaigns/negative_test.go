package campaigns_test

import (
	"context"
	"testing"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/campaigns"
	"github.com/kexi/kexi/demo"
)

// TestNegativeWords checks the built-in rule on the response kinds met in real exports, in
// English and Chinese, and that an explicit list replaces it unless it names auto.
func TestNegativeWords(t *testing.T) {
	auto := campaigns.Negative("auto")
	for _, k := range []string{"", "无响应", "未响应", "未回复", "没有回应", "不感兴趣", "拒绝", "拒收", "退订", "忽略", "无",
		"否", "no response", "No_Response", "no-reply", " NOT RESPONDED ", "ignored", "unsubscribed", "Declined",
		"bounced", "opted out", "none", "not opened"} {
		if !auto(k) {
			t.Errorf("auto: %q should be negative", k)
		}
	}
	for _, k := range []string{"购买", "点击", "打开", "回复", "到店", "注册", "purchase", "clicked", "opened", "replied",
		"visit", "signed up", "notable"} {
		if auto(k) {
			t.Errorf("auto: %q should be positive", k)
		}
	}
	own := campaigns.Negative("skip, 已读")
	if !own("Skip") || !own("已读") || own("无响应") {
		t.Error(`an explicit list without auto should hold exactly its words`)
	}
	both := campaigns.Negative("auto,已读")
	if !both("已读") || !both("无响应") || both("购买") {
		t.Error(`"auto,已读" should add 已读 to the built-in rule`)
	}
}

// TestDemoControlGroups runs the analysis on the demo data, whose responses are 购买, 点击,
// 无响应 and 退订 and whose control groups are never contacted: a control member responds only
// by buying in the campaign window anyway. So each campaign's control responders are its
// control 购买 records, its targeted responders its targeted 购买 and 点击 records (one record
// per member), and no campaign's control group responds to the last member.
func TestDemoControlGroups(t *testing.T) {
	d := demo.Generate(demo.Options{Customers: 1500, Seed: 1}).Dataset()
	res, err := campaigns.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ buyT, clickT, buyC, recT, recC int }
	by := map[string]*counts{}
	for _, r := range res.Table("patterns").Rows {
		c := by[r[0].(string)]
		if c == nil {
			c = &counts{}
			by[r[0].(string)] = c
		}
		nt, nc := r[2].(int), r[3].(int)
		c.recT += nt
		c.recC += nc
		switch r[1].(string) {
		case "购买":
			c.buyT, c.buyC = c.buyT+nt, c.buyC+nc
		case "点击":
			c.clickT += nt
		case "无响应", "退订":
		default:
			t.Errorf("unexpected demo response kind %q", r[1])
		}
	}
	camps := res.Table("campaigns").Rows
	if len(camps) == 0 {
		t.Fatal("no campaigns")
	}
	var members, responders int
	for _, r := range camps {
		name := r[0].(string)
		c := by[name]
		n, x, nc, xc := r[1].(int), r[2].(int), r[4].(int), r[5].(int)
		if n != c.recT || nc != c.recC {
			t.Fatalf("%s: %d targeted, %d control members; want one per record: %d, %d", name, n, nc, c.recT, c.recC)
		}
		if x != c.buyT+c.clickT {
			t.Errorf("%s: %d targeted responders, want 购买 %d + 点击 %d", name, x, c.buyT, c.clickT)
		}
		if xc != c.buyC {
			t.Errorf("%s: %d control responders, want the %d control 购买 records", name, xc, c.buyC)
		}
		if nc > 0 && xc == nc {
			t.Errorf("%s: the whole control group (%d) counts as responding", name, nc)
		}
		if u := r[8].(float64); !(u > 0) {
			t.Errorf("%s: uplift %v, want > 0 (the demo's campaigns all work)", name, u)
		}
		members += n
		responders += x
	}
	f, _ := res.Figure("response_rate")
	if want := float64(responders) / float64(members); f.Value != want || !(f.Value < 0.7) {
		t.Errorf("overall response rate %v, want %v (< 70%%)", f.Value, want)
	}
	if len(res.Notes) != 0 {
		t.Errorf("notes %q, want none", res.Notes)
	}
}
