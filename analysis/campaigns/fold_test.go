package campaigns

import (
	"testing"
	"time"
)

// TestAddMembersAndKeyCustomers works out by hand how records fold into members and responders
// into key customers: ids in order, the earliest time kept (the first record on a tie),
// control and response each true when any record says so.
func TestAddMembersAndKeyCustomers(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	x, y := &camp{key: "x"}, &camp{key: "y"}
	// Customer 5 in x: a non-response on the 3rd, a response on the 4th, a control record on
	// the 2nd. Customer −1 in x: one response. Customer 5 in y: responses on the 9th and 7th.
	addMembers([]record{
		{id: 5, at: day(3), cp: x},
		{id: 5, at: day(9), cp: y, positive: true},
		{id: 5, at: day(4), cp: x, positive: true},
		{id: -1, at: day(6), cp: x, positive: true},
		{id: 5, at: day(2), cp: x, control: true},
		{id: 5, at: day(7), cp: y, positive: true},
	})
	want := []member{{id: -1, responded: true, first: day(6), firstResp: day(6)},
		{id: 5, control: true, responded: true, first: day(2), firstResp: day(4)}}
	if len(x.members) != 2 || x.members[0] != want[0] || x.members[1] != want[1] {
		t.Errorf("x members %+v, want %+v", x.members, want)
	}
	if m := y.members; len(m) != 1 || m[0] != (member{id: 5, responded: true, first: day(7), firstResp: day(7)}) {
		t.Errorf("y members %+v", m)
	}
	// A tie of instants keeps the first one seen: the campaign order of the responders.
	shanghai := time.FixedZone("CST", 8*3600)
	keys := keyCustomers([]responder{{5, day(4)}, {-1, day(6)}, {5, day(4).In(shanghai)}, {5, day(3)}, {7, day(8)}})
	if len(keys) != 3 || keys[0] != (key{id: -1, campaigns: 1, first: day(6)}) || keys[1] != (key{id: 5, campaigns: 3, first: day(3)}) ||
		keys[2] != (key{id: 7, campaigns: 1, first: day(8)}) {
		t.Errorf("keys %+v", keys)
	}
	tie := keyCustomers([]responder{{5, day(4)}, {5, day(4).In(shanghai)}})
	if tie[0].first.Location() != time.UTC {
		t.Errorf("tie kept %v, want the first seen", tie[0].first)
	}
}
