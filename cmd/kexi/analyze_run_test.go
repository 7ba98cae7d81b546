package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/render"
)

// TestWriteJSONAsEncoder checks that writing each result's compact JSON, indented one at a
// time, gives the bytes a json.Encoder with SetIndent("", "  ") gives for the whole: one
// result alone, or an array of them; with HTML characters, non-finite numbers, times, nulls
// and empty lists.
func TestWriteJSONAsEncoder(t *testing.T) {
	at := time.Date(2024, 3, 31, 23, 59, 59, 0, time.UTC)
	results := []*analysis.Result{
		{Name: "a", AsOf: at, Summary: []analysis.Figure{{Key: "x", Value: 1.5}, {Key: "nan", Value: math.NaN()}},
			Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "c"}},
				Rows: [][]any{{"<b>&amp;</b>", 1.0, nil, at, math.Inf(1)}, {}}}}},
		{Name: "b", Tables: []analysis.Table{}, Notes: []analysis.Note{analysis.NewNote("n", "<note> \u2028 \"quoted\"", "客析")}},
		{Name: "c", Series: []analysis.Series{{Key: "s", X: []string{"1"}, Y: []analysis.Values{{Key: "y", Data: []float64{math.NaN(), 2}}}}}},
	}
	for n := 1; n <= len(results); n++ {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if n == 1 {
			if err := enc.Encode(render.Finite(results[0])); err != nil {
				t.Fatal(err)
			}
		} else {
			js := make([]any, n)
			for i := range js {
				js[i] = render.Finite(results[i])
			}
			if err := enc.Encode(js); err != nil {
				t.Fatal(err)
			}
		}
		compact := make([][]byte, n)
		for i := range compact {
			var err error
			if compact[i], err = render.JSON(results[i]); err != nil {
				t.Fatal(err)
			}
		}
		var got bytes.Buffer
		if err := render.JSONList(&got, compact); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d results:\ngot  %q\nwant %q", n, got.String(), want.String())
		}
	}
}

// TestRunEachAsAlone runs every analysis at once through runEach, which gives each only the
// parts it reads and lets parts go as their readers start, and checks that each result is the
// one the analysis gives alone on the whole Dataset.
func TestRunEachAsAlone(t *testing.T) {
	d := demo.Generate(demo.Options{Customers: 600, Seed: 3}).Dataset()
	as := all.List()
	in := analysis.Input{Options: map[string]string{}, Settings: kexi.DefaultSettings}
	ctx := context.Background()
	want := make([]string, len(as))
	for i, a := range as {
		ain := in
		ain.Data = d
		r, err := a.Run(ctx, ain)
		want[i] = fmt.Sprintf("%+v %v", r, err)
	}
	got := make([]string, len(as))
	runEach(ctx, as, d.Only(kexi.AllParts), nil, func(int) analysis.Input { return in }, func(i int, r *analysis.Result, _ *kexi.Dataset, err error) {
		got[i] = fmt.Sprintf("%+v %v", r, err)
	})
	for i, a := range as {
		if got[i] != want[i] {
			t.Errorf("%s: another result when run with the others", a.Info().Name)
			s1, s2 := got[i], want[i]
			for k := range min(len(s1), len(s2)) {
				if s1[k] != s2[k] {
					t.Logf("at %d: got %q\nwant %q", k, s1[max(0, k-100):min(len(s1), k+60)], s2[max(0, k-100):min(len(s2), k+60)])
					break
				}
			}
		}
	}
	// The rarest part's readers start first: of the 19 that issue #15 times, behaviour is the
	// one reader of the web events (and comes before the one reader of the products).
	var parts []kexi.Parts
	names := strings.Fields("rfm pyramid tier_migration lifecycle behaviour loyalty value clv churn attrition " +
		"attributes segments satisfaction acquisition funnel campaigns basket competitors quality")
	for _, n := range names {
		parts = append(parts, analysis.Parts(all.Get(n)))
	}
	if first := names[startOrder(parts)[0]]; first != "behaviour" {
		t.Errorf("first to start: %s, want behaviour", first)
	}
}

// TestMemProfile checks that KEXI_MEMPROFILE makes kexi analyze write a heap profile (a
// gzipped protocol buffer, what go tool pprof reads).
func TestMemProfile(t *testing.T) {
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(orders, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "mem.prof")
	memProfiled = false
	defer func() { memProfiled = false }()
	getenv := func(k string) string {
		if k == "KEXI_MEMPROFILE" {
			return prof
		}
		return ""
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"analyze", "rfm", "pyramid", "--orders", orders, "--format", "json"},
		getenv, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatalf("no profile: %v", err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("the profile is not gzipped: % x", b[:min(len(b), 8)])
	}
}
