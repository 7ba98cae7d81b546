package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/basket"
)

// TestBasketRules: the default demo's baskets have affinities the default basket analysis
// finds (it found 2 pairs of rules when each product had at most one companion), and the rules
// read in product names: a phone case goes with a charger, face cream with serum, nappies
// with baby food.
func TestBasketRules(t *testing.T) {
	d := Generate(Options{Seed: 1, End: testEnd}).Dataset() // Dataset takes the batch over: not the shared one
	res, err := basket.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	rules := res.Table("rules")
	if n := len(rules.Rows); n < 10 {
		t.Fatalf("%d rules, want 10 or more", n)
	}
	found := map[string]bool{}
	for _, r := range rules.Rows {
		found[r[0].(string)+" → "+r[1].(string)] = true
	}
	for _, want := range []string{"保湿面霜 → 精华液", "婴儿纸尿裤 → 宝宝辅食米粉", "无线鼠标 → 机械键盘"} {
		if !found[want] {
			t.Errorf("no rule %s among %d", want, len(rules.Rows))
		}
	}
	for _, r := range rules.Rows {
		if strings.Contains(r[0].(string), "-0") {
			t.Errorf("rule %v shows a code, not a name", r)
			break
		}
	}
}
