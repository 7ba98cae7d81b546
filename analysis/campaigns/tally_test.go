package campaigns

import (
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestTally counts one campaign's members by hand: targeted 1, 2, 3 (1 and 3 responded),
// control 4 (responded) and 5; segments by id parity. With the purchase metric a hit is a
// purchase in the window, here bought only by 2 and 5.
func TestTally(t *testing.T) {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cp := &camp{c: &kexi.Campaign{Start: day}, key: "spring", members: []member{
		{id: 1, responded: true, firstResp: day}, {id: 2}, {id: 3, responded: true, firstResp: day.Add(time.Hour)},
		{id: 4, control: true, responded: true}, {id: 5, control: true}}}
	seg := func(id int64) string { return []string{"even", "odd"}[id%2] }
	bought := func(id int64, from, to time.Time) bool { return id == 2 || id == 5 }
	c, hits := tally([]*camp{cp}, options{metric: "response"}, seg, bought)
	got := c[0]
	if got.n != 3 || got.x != 2 || got.pn != 2 || got.nc != 2 || got.xc != 1 || got.pc != 1 {
		t.Errorf("response: %+v", got)
	}
	if !slices.Equal(got.responders, []int64{1, 3}) || len(hits) != 2 || hits[1] != (responder{3, day.Add(time.Hour)}) {
		t.Errorf("responders %v, hits %v", got.responders, hits)
	}
	if got.segs["odd"] != [2]int{2, 2} || got.segs["even"] != [2]int{1, 0} {
		t.Errorf("segments %v", got.segs)
	}
	c, _ = tally([]*camp{cp}, options{metric: "purchase"}, seg, bought)
	if got := c[0]; got.pn != 1 || got.pc != 1 || got.x != 2 {
		t.Errorf("purchase: %+v", got)
	}
}
