package analysis

import "testing"

func TestFill(t *testing.T) {
	vals := map[string]string{"horizon": "12", "time_unit": "周"}
	for _, c := range []struct{ in, want string }{
		{"预测未来 {horizon} 个月收入", "预测未来 12 个月收入"},
		{"最近购买间隔({time_unit})", "最近购买间隔(周)"},
		{"Recency ({missing})", "Recency"},
		{"客户年龄 T（{missing}）", "客户年龄 T"},
		{"next {missing} months", "next months"},
		{"no placeholder", "no placeholder"},
		{"unclosed {horizon", "unclosed {horizon"},
	} {
		if got := Fill(c.in, vals); got != c.want {
			t.Errorf("Fill(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Fill("Age T ({time_unit})", nil); got != "Age T" {
		t.Errorf("without values: %q", got)
	}
}
