package all_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

// missing lists keys known to have no label yet, by analysis. clv's model parameters are
// shown by their symbols; clv is being moved onto the per-customer summary, and gets its
// labels then (issue #21).
var missing = map[string]map[string]bool{
	"clv": {"r": true, "alpha": true, "a": true, "b": true, "s": true, "beta": true, "gamma": true, "delta": true,
		"gg_p": true, "gg_q": true, "gg_v": true},
}

// dataValued names the series whose value lists are named by the data (a competitor's name),
// not by the analysis, so they have no label.
var dataValued = map[string]bool{"competitors.share_trend": true}

// TestLabels runs every registered analysis on the demo data and on an empty Dataset and
// checks that every key it emits has text in both languages in its Info.Labels: figures,
// tables, columns, the values of "label" columns, series and their value lists, and the keys
// its notes name; and that its title, summary, option help and note texts have both
// languages. One test for all: a new analysis is checked by its line in the registry.
func TestLabels(t *testing.T) {
	data := []*kexi.Dataset{demo.Generate(demo.Options{Customers: 1500, Seed: 5}).Dataset(), {}}
	for _, a := range all.List() {
		info := a.Info()
		t.Run(info.Name, func(t *testing.T) {
			both := func(what string, x analysis.Text) {
				t.Helper()
				if x.En == "" || x.Zh == "" {
					t.Errorf("%s lacks a language: %+v", what, x)
				}
			}
			seen := map[string]bool{}
			check := func(what, key string) {
				t.Helper()
				if seen[what+"\x00"+key] || missing[info.Name][key] {
					return
				}
				seen[what+"\x00"+key] = true
				keys := keysOf(key)
				for _, k := range keys {
					if l, ok := info.Labels[k]; ok && l.En != "" && l.Zh != "" {
						return
					}
				}
				if len(keys) > 0 {
					t.Errorf("%s %q has no label in both languages", what, key)
				}
			}
			both("title", info.Title)
			both("summary", info.Summary)
			for _, o := range info.Options {
				both("help of option "+o.Key, o.Help)
			}
			// The defaults on both Datasets, then each choice of each option on the demo data.
			runs := []map[string]string{{}, {}}
			for _, o := range info.Options {
				for _, c := range o.Choices {
					if c != o.Default {
						runs = append(runs, map[string]string{o.Key: c})
					}
				}
			}
			for i, opts := range runs {
				d := data[0]
				if i == 1 {
					d = data[1]
				}
				if info.Name == "portrait" {
					opts["customer"] = "1"
				}
				res, err := a.Run(context.Background(), analysis.Input{Data: d, Settings: kexi.DefaultSettings, Options: opts})
				if r := (*analysis.Refusal)(nil); errors.As(err, &r) {
					both("refusal "+r.Note.Key, r.Note.Msg) // a refusal is a result too
					continue
				}
				if err != nil {
					if i != 1 {
						t.Errorf("options %v: %v", opts, err)
					}
					continue // an analysis may reject an empty Dataset
				}
				labelled(t, info.Name, res, check, both)
			}
		})
	}
}

// labelled checks the keys of one result.
func labelled(t *testing.T, name string, res *analysis.Result, check func(what, key string), both func(string, analysis.Text)) {
	t.Helper()
	for _, f := range res.Summary {
		check("figure", f.Key)
	}
	for _, tb := range res.Tables {
		check("table", tb.Key)
		for i, c := range tb.Columns {
			check("column", c.Key)
			if c.Type != "label" {
				continue
			}
			for _, r := range tb.Rows {
				if s, _ := r[i].(string); s != "" {
					check("value of "+tb.Key+"."+c.Key, s)
				}
			}
		}
	}
	for _, s := range res.Series {
		check("series", s.Key)
		if dataValued[name+"."+s.Key] {
			continue
		}
		for _, v := range s.Y {
			check("values of series "+s.Key, v.Key)
		}
	}
	for _, n := range res.Notes {
		both(fmt.Sprintf("note %s", n.Key), n.Msg)
		for _, a := range n.Args {
			if a.Msg != nil {
				both(fmt.Sprintf("note %s part %s", n.Key, a.Name), *a.Msg)
			}
			for _, k := range a.Keys {
				check("key in note "+n.Key, k)
			}
		}
	}
}

// keysOf returns the keys a compound value may be labelled by, as the pages translate it (see
// compound in http/i18n.go): the field of a one-hot feature "kind=individual", the base of a
// missing-value flag "age_missing", the field of a share "channel_share.app" or else the key
// it links to ("b.vip"); none for a custom field "custom.积分", which is its own name. Any
// other value is its own key.
func keysOf(key string) []string {
	if strings.HasPrefix(key, "custom.") {
		return nil
	}
	if f, _, ok := strings.Cut(key, "="); ok && f != "" {
		return keysOf(f)
	}
	if base, ok := strings.CutSuffix(key, "_missing"); ok && base != "" {
		return keysOf(base)
	}
	if f, v, ok := strings.Cut(key, "."); ok && f != "" && v != "" {
		return []string{f, v}
	}
	return []string{key}
}
