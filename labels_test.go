package kexi_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/kexi/kexi"
)

func TestValueLabelsResolve(t *testing.T) {
	ls := kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}, {Field: "channel", Value: "Douyin", Label: "抖音"},
		{Field: "channel", Value: "wechat", Label: "微信"}, {Field: "source", Value: "a,b", Label: "AB"}}
	for _, c := range []struct{ in, want string }{
		{"channel eq 抖音", "[{channel in 抖音,douyin,Douyin}]"},
		{"channel  抖音", "[{channel in 抖音,douyin,Douyin}]"}, // no operator means eq
		{"channel ne 抖音", "[{channel ne 抖音} {channel ne douyin} {channel ne Douyin}]"},
		{"channel in 微信,抖音", "[{channel in 微信,wechat,抖音,douyin,Douyin}]"},
		{"channel eq douyin", "[{channel eq douyin}]"},   // a value is still a value
		{"channel contains 抖", "[{channel contains 抖}]"}, // only eq, ne and in read labels
		{"province eq 抖音", "[{province eq 抖音}]"},         // another field
		{"source eq AB", "[{source eq AB}]"},             // a value with a comma cannot go in a list
	} {
		var f, op, v string
		fmt.Sscanf(c.in, "%s %s %s", &f, &op, &v)
		if v == "" {
			op, v = "", op
		}
		got := fmt.Sprint(ls.Resolve([]kexi.Cond{{Field: f, Op: kexi.Op(op), Value: v}}))
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.in, got, c.want)
		}
	}
	if l, ok := ls.Label("channel", "wechat"); !ok || l != "微信" {
		t.Errorf("label %q %v", l, ok)
	}
	if l, ok := ls.Label("channel", "app"); ok || l != "app" {
		t.Errorf("unlabelled %q %v", l, ok)
	}
}

func TestValueLabelsCheck(t *testing.T) {
	if err := (kexi.ValueLabels{{Field: "custom.会员等级", Value: "g1", Label: "金卡"}, {Field: "channel", Value: "g1", Label: "x"}}).Check(); err != nil {
		t.Fatal(err)
	}
	err := kexi.ValueLabels{{Field: "Channel", Value: "x", Label: "y"}, {Field: "channel", Value: " ", Label: "y"},
		{Field: "channel", Value: "x", Label: ""}, {Field: "channel", Value: "x", Label: "z"}}.Check()
	var e *kexi.Error
	if kexi.ErrorCode(err) != kexi.EINVALID || !errors.As(err, &e) {
		t.Fatalf("err %v", err)
	}
	// One problem per entry: 1 a field name in capitals, 2 a blank value, 3 an empty label,
	// 4 the value x of channel that entry 3 labels already (entry 1's field is another one).
	var got []string
	for _, p := range e.Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Row, p.Column))
	}
	if want := []string{"1 field", "2 value", "3 label", "4 value"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v: %v", got, want, e.Problems)
	}
}

// TestRelabel: Relabel shows labelled values, custom fields too, in copies, leaving the records
// (which may be cached) and the unlabelled values as they were; without labels it returns
// the slice itself.
func TestRelabel(t *testing.T) {
	ls := kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}, {Field: "custom.tier", Value: "gold", Label: "金卡"}}
	recs := []*kexi.Customer{{Name: "douyin", Channel: "douyin", Custom: map[string]string{"tier": "gold", "note": "gold"}},
		nil, {Name: "b", Channel: "wechat"}}
	got, ok := ls.Relabel(recs).([]*kexi.Customer)
	if !ok || len(got) != 3 {
		t.Fatalf("Relabel gave %#v", ls.Relabel(recs))
	}
	if c := got[0]; c == recs[0] || c.Channel != "抖音" || c.Name != "douyin" || c.Custom["tier"] != "金卡" || c.Custom["note"] != "gold" {
		t.Errorf("labelled copy %+v", c)
	}
	if got[1] != nil || got[2].Channel != "wechat" {
		t.Errorf("nil and unlabelled records: %+v, %+v", got[1], got[2])
	}
	if c := recs[0]; c.Channel != "douyin" || c.Custom["tier"] != "gold" {
		t.Errorf("the record itself changed: %+v", c)
	}
	if same := kexi.ValueLabels(nil).Relabel(recs).([]*kexi.Customer); &same[0] != &recs[0] {
		t.Errorf("without labels Relabel copied the slice")
	}
}
