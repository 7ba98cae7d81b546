package all_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/internal/synth"
)

// TestOnSummary runs every analysis that says it can run on a summary (Info.OnSummary) twice:
// on the orders, and as the CLI runs it on a store that loads summaries, on a Dataset of its
// SummaryReads without the orders but with the summary of its SummaryWindow. The results must
// be the same to the last bit, on generated data and on Online Retail, with the period, an
// as-of date and the business's time zone varied.
func TestOnSummary(t *testing.T) {
	onSummary(t, map[string]*kexi.Dataset{
		"demo":  demo.Generate(demo.Options{Customers: 1500, Seed: 5}).Dataset(),
		"synth": synth.Dataset(synth.Options{Customers: 2000, Orders: 20000, Seed: 3}),
	})
}

// TestOnSummaryOnlineRetail is TestOnSummary on the Online Retail file (its $0 orders kept).
func TestOnSummaryOnlineRetail(t *testing.T) {
	onSummary(t, map[string]*kexi.Dataset{"online-retail": refdata.OnlineRetail(t, refdata.RetailClean{KeepZeroPrice: true})})
}

func onSummary(t *testing.T, data map[string]*kexi.Dataset) {
	ctx := context.Background()
	moved := 0
	for _, a := range all.List() {
		info := a.Info()
		if !info.OnSummary {
			continue
		}
		moved++
		sr, ok := a.(analysis.SummaryRunner)
		if !ok {
			t.Errorf("%s: Info.OnSummary without SummaryWindow", info.Name)
			continue
		}
		for _, p := range info.SummaryReads {
			if !slices.Contains(info.Reads, p) || p == "orders" {
				t.Errorf("%s: SummaryReads %v is not Reads %v less the orders", info.Name, info.SummaryReads, info.Reads)
			}
		}
		parts, _ := analysis.SummaryParts(a)
		for name, d := range data {
			last := d.LastOrderAt()
			for _, c := range []struct {
				name string
				in   analysis.Input
			}{
				{"default", analysis.Input{}},
				{"period", analysis.Input{From: last.AddDate(0, -7, 0).Truncate(24 * time.Hour), To: last.AddDate(0, -1, 0).Truncate(24 * time.Hour)}},
				{"as of", analysis.Input{AsOf: analysis.EndOfDay(last.AddDate(0, -2, -3), time.UTC)}},
				{"Shanghai", analysis.Input{Settings: kexi.Settings{TimeZone: "Asia/Shanghai"}}},
				{"options", analysis.Input{Options: map[string]string{"as_of": last.AddDate(0, -3, 0).Format("2006-01-02"),
					"unit": "days", "model": "pareto"}}},
			} {
				in := inputFor(a, c.in)
				in.Options = optionsOf(info, c.in.Options)
				run := func(d *kexi.Dataset) string {
					in := in
					in.Data = d
					res, err := a.Run(ctx, in)
					if err != nil {
						return "error: " + err.Error()
					}
					return fmt.Sprintf("%+v", res)
				}
				full := run(d)
				e := d.Only(parts)
				in.Data = e
				w, ok := sr.SummaryWindow(analysis.Defaults(in))
				if !ok {
					t.Errorf("%s on %s, %s: SummaryWindow says no", info.Name, name, c.name)
					continue
				}
				e.Summary = kexi.Summarize(&d.Orders, w)
				if got := run(e); got != full {
					t.Errorf("%s on %s, %s: another result on the summary\n got %.300s\nwant %.300s", info.Name, name, c.name, got, full)
				}
			}
		}
	}
	if moved == 0 {
		t.Error("no analysis runs on a summary")
	}
}

// optionsOf returns the options of opts that the analysis declares.
func optionsOf(info analysis.Info, opts map[string]string) map[string]string {
	m := map[string]string{}
	for _, o := range info.Options {
		if v, ok := opts[o.Key]; ok {
			m[o.Key] = v
		}
	}
	return m
}
