package all_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/internal/synth"
)

// TestReads checks what Info.Reads says: every analysis gives the same result on a Dataset of
// only the parts it declares (kexi.Dataset.Only) as on the whole Dataset, on the demo data
// (every part present) and on the synthetic data. kexi analyze and the server load only those
// parts, so a part read but not declared would change a result.
func TestReads(t *testing.T) {
	data := map[string]*kexi.Dataset{
		"demo":  demo.Generate(demo.Options{Customers: 1500, Seed: 5}).Dataset(),
		"synth": synth.Dataset(synth.Options{Customers: 2000, Orders: 20000, Seed: 3}),
	}
	ctx := context.Background()
	for name, d := range data {
		for _, a := range all.List() {
			info := a.Info()
			if len(info.Reads) == 0 {
				t.Errorf("%s does not declare what it reads (Info.Reads)", info.Name)
				continue
			}
			run := func(d *kexi.Dataset) string {
				in := inputFor(a, analysis.Input{Data: d, Settings: kexi.DefaultSettings})
				res, err := a.Run(ctx, in)
				if err != nil {
					return "error: " + err.Error()
				}
				return fmt.Sprintf("%+v", res)
			}
			full := run(d)
			if strings.HasPrefix(full, "error: ") { // both runs failing alike would prove nothing
				t.Errorf("%s on %s: %s", info.Name, name, full)
				continue
			}
			if only := run(d.Only(analysis.Parts(a))); full != only {
				t.Errorf("%s on %s: another result on only the parts it reads %v: it reads more", info.Name, name, info.Reads)
			}
		}
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
