package portrait_test

import (
	"fmt"
	"testing"

	"github.com/kexi/kexi/analysis/portrait"
)

// TestSeries: C1 of tiny bought 1000 of shoes in 2024-01 and 800 of bags in 2024-06; the
// timeline runs from the first purchase month to the as-of month with the empty months as 0.
func TestSeries(t *testing.T) {
	res, err := run(t, map[string]string{"customer": "1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range res.Series {
		got[s.Key] = fmt.Sprint(s.Kind, s.X, s.Y)
	}
	want := map[string]string{
		"purchases_by_month": "bar[2024-01 2024-02 2024-03 2024-04 2024-05 2024-06] [{revenue [1000 0 0 0 0 800] currency} {purchases [1 0 0 0 0 1] }]",
		"category_mix":       "pie[shoes bags] [{revenue [1000 800] currency}]",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s", k, got[k], w)
		}
	}
	// C3 bought once in 2023-06: thirteen months, the first 20 and the rest 0.
	res, err = run(t, map[string]string{"customer": "3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Series) == 0 || len(res.Series[0].X) != 13 || res.Series[0].Y[0].Data[0] != 20 {
		t.Errorf("C3 series %+v", res.Series)
	}
}

// TestAdvise: risk together with value picks the call; the reason is always given.
func TestAdvise(t *testing.T) {
	for _, c := range []struct {
		tags portrait.Tags
		want string
	}{
		// At risk and a VIP: call, whatever the segment says.
		{portrait.Tags{Segment: "general_retain", Tier: "vip", Stage: "at_risk", NPS: -1}, "[{retention_call reason_risk_high_value}]"},
		// Churned, important retain (high spend): call, then the win-back offer.
		{portrait.Tags{Segment: "important_retain", Tier: "ordinary", Stage: "churned", NPS: -1},
			"[{retention_call reason_risk_high_value} {winback_offer reason_churned}]"},
		// Important win-back already gets the rep's win-back call: no second call.
		{portrait.Tags{Segment: "important_winback", Tier: "small", Stage: "churned", NPS: -1},
			"[{winback_call reason_important_winback} {winback_offer reason_churned}]"},
		// At risk, small spender: a come-back offer, not a call.
		{portrait.Tags{Segment: "general_winback", Tier: "small", Stage: "at_risk", NPS: -1}, "[{comeback_offer reason_at_risk}]"},
		// At risk after a complaint: service recovery too.
		{portrait.Tags{Segment: "general_winback", Tier: "small", Stage: "at_risk", Complaints90: 1, NPS: -1},
			"[{comeback_offer reason_at_risk} {service_recovery reason_risk_complaint}]"},
		// Active, nothing special: keep in touch.
		{portrait.Tags{Segment: "general_develop", Tier: "ordinary", Stage: "active", NPS: -1}, "[{keep_in_touch reason_default}]"},
	} {
		if got := fmt.Sprint(portrait.Advise(c.tags)); got != c.want {
			t.Errorf("%+v: %s, want %s", c.tags, got, c.want)
		}
	}
}
