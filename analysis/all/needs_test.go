package all_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/synth"
)

// TestNeedsItems checks what Info.Needs says about order lines: an analysis that does not list
// "items" gives the same result on the data with every order's lines taken away. (kexi analyze
// --orders then leaves the lines out of memory for it.)
func TestNeedsItems(t *testing.T) {
	d := synth.Dataset(synth.Options{Customers: 2000, Orders: 20000, Seed: 3})
	bare := *d
	bare.Orders = slices.Clone(d.Orders)
	for i := range bare.Orders {
		bare.Orders[i].Items = nil
	}
	ctx := context.Background()
	at := d.LastOrderAt()
	checked := 0
	for _, a := range all.List() {
		info := a.Info()
		if slices.Contains(info.Needs, "items") {
			continue
		}
		run := func(d *kexi.Dataset) string {
			res, err := a.Run(ctx, inputFor(a, analysis.Input{Data: d, AsOf: at, Settings: kexi.DefaultSettings}))
			if err != nil {
				t.Fatalf("%s: %v", info.Name, err)
			}
			return fmt.Sprintf("%+v", res)
		}
		if run(d) != run(&bare) {
			t.Errorf("%s reads order lines: add \"items\" to its Info.Needs", info.Name)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("every analysis needs order lines")
	}
}

// TestParallelRuns runs every analysis at once on one Dataset, as the server's warm-up and
// kexi analyze do, and checks that each result is the one it gives alone: analyses only read
// the Dataset. (Run with -race to see them not write it.)
func TestParallelRuns(t *testing.T) {
	d := synth.Dataset(synth.Options{Customers: 1000, Orders: 8000, Seed: 4})
	list := all.List()
	ctx := context.Background()
	in := analysis.Input{Data: d, AsOf: d.LastOrderAt(), Settings: kexi.DefaultSettings}
	alone := make([]string, len(list))
	for i, a := range list {
		res, err := a.Run(ctx, inputFor(a, in))
		if err != nil {
			t.Fatalf("%s: %v", a.Info().Name, err)
		}
		alone[i] = fmt.Sprintf("%+v", res)
	}
	together := make([]string, len(list))
	analysis.Each(list, len(list), func(i int, a analysis.Analysis) {
		if res, err := a.Run(ctx, inputFor(a, in)); err == nil {
			together[i] = fmt.Sprintf("%+v", res)
		}
	})
	for i := range list {
		if together[i] != alone[i] {
			t.Errorf("%s gives another result when run beside the others", list[i].Info().Name)
		}
	}
}
