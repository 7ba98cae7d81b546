package demo

import "testing"

// TestLabelsCoverChannels: every channel and lead source the demo writes has a Chinese name in
// Labels, so that a demo database shows 抖音 rather than douyin (issue #20 §2: the demo data uses
// the names a Chinese business would use); and the labels pass the settings' check.
func TestLabelsCoverChannels(t *testing.T) {
	ls := Labels()
	if err := ls.Check(); err != nil {
		t.Fatal(err)
	}
	b := Generate(Options{Customers: 600, Seed: 3})
	seen := map[[2]string]bool{}
	use := func(field, v string) {
		if v != "" {
			seen[[2]string{field, v}] = true
		}
	}
	for _, c := range b.Customers {
		use("channel", c.Channel)
	}
	for _, o := range b.Orders {
		use("channel", o.Channel)
	}
	for _, x := range b.Interactions {
		use("channel", x.Channel)
	}
	for _, s := range b.Surveys {
		use("channel", s.Channel)
	}
	for _, c := range b.Campaigns {
		use("channel", c.Channel)
	}
	for _, l := range b.Leads {
		use("source", l.Source)
	}
	if len(seen) < 10 {
		t.Fatalf("only %d channel values in the demo: %v", len(seen), seen)
	}
	for k := range seen {
		if _, ok := ls.Label(k[0], k[1]); !ok {
			t.Errorf("%s %q has no label", k[0], k[1])
		}
	}
}
