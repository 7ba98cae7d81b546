package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/demo"
)

// demoEnv is a clean environment for run: nothing set.
func demoEnv(string) string { return "" }

func TestDemoCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "demo.db")
	args := []string{"demo", "--db", db, "--customers", "300", "--seed", "5", "--no-serve"}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, args, demoEnv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		if strings.Contains(stderr.String(), "not built yet") {
			t.Skipf("the store is not wired into the CLI yet: %s", strings.TrimSpace(stderr.String()))
		}
		t.Fatalf("kexi demo exited %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"300 customers, seed 5", "customers", "orders", "Revenue ¥", "zhang.wei"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: demoEnv}
	st, err := openStore(ctx, env, db)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	// 300 customers: exactly 300 records, 900 leads (3 per customer), the 60-product catalogue,
	// 6 competitors (the business and five rivals), 12 SWOT items; about 12 orders each.
	if len(d.Customers) != 300 || len(d.Leads) != 900 || len(d.Products) != 60 ||
		len(d.Competitors) != 6 || len(d.SWOT) != 12 {
		t.Errorf("loaded %d customers, %d leads, %d products, %d competitors, %d SWOT items; want 300, 900, 60, 6, 12",
			len(d.Customers), len(d.Leads), len(d.Products), len(d.Competitors), len(d.SWOT))
	}
	if d.Orders.Len() < 300*8 || d.Orders.Len() > 300*16 {
		t.Errorf("%d orders for 300 customers, want about 3,600", d.Orders.Len())
	}
	if len(d.Campaigns) < 10 || len(d.Interactions) == 0 || len(d.Surveys) == 0 || len(d.Events) == 0 || len(d.Responses) == 0 {
		t.Errorf("%d campaigns, %d interactions, %d surveys, %d events, %d responses: some kind is missing",
			len(d.Campaigns), len(d.Interactions), len(d.Surveys), len(d.Events), len(d.Responses))
	}
	stubs := 0
	for _, c := range d.Customers {
		if c.Stub {
			stubs++
		}
	}
	if stubs != 0 {
		t.Errorf("%d stub customers: some record names a customer the demo did not make", stubs)
	}
	// The channel codes show under their Chinese names.
	set, err := st.Settings(ctx)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if l, ok := set.Labels.Label("channel", "douyin"); !ok || l != "抖音" {
		t.Errorf("channel douyin is labelled %q (%v), want 抖音", l, ok)
	}
	// A sales rep sees only their own customers.
	own, err := st.LoadDataset(ctx, kexi.Scope{Owner: "zhang.wei"}, kexi.AllParts)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	if len(own.Customers) == 0 || len(own.Customers) >= len(d.Customers)/2 {
		t.Errorf("zhang.wei owns %d of %d customers, want a regional share", len(own.Customers), len(d.Customers))
	}
	v1, err := st.DataVersion(ctx)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Running it again is an upsert that changes nothing.
	stdout.Reset()
	stderr.Reset()
	if code := run(ctx, args, demoEnv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("second kexi demo exited %d\n%s", code, &stderr)
	}
	st, err = openStore(ctx, env, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v2, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2 != v1 {
		t.Errorf("data version %d after the second run, %d before: the same demo should change nothing\n%s", v2, v1, &stdout)
	}
}

// TestImportDemoChunked imports a demo in blocks of 50 customers (the path every demo takes) and
// checks that every record landed once, as Generate makes it, and that a second import changes
// nothing.
func TestImportDemoChunked(t *testing.T) {
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: demoEnv}
	st, err := openStore(ctx, env, filepath.Join(t.TempDir(), "chunked.db"))
	if err != nil {
		if strings.Contains(err.Error(), "not built yet") {
			t.Skipf("the store is not wired into the CLI yet: %v", err)
		}
		t.Fatal(err)
	}
	defer st.Close()
	opts := demo.Options{Customers: 200, Seed: 3}
	b := demo.Generate(opts)
	s, err := importDemo(ctx, env, st, opts, 50)
	if err != nil {
		t.Fatal(err)
	}
	if s.Inserted[kexi.KindOrders] != len(b.Orders) || s.Inserted[kexi.KindCustomers] != 200 ||
		s.Inserted[kexi.KindLeads] != len(b.Leads) || s.Inserted[kexi.KindEvents] != len(b.Events) || s.Stubs != 0 {
		t.Errorf("chunked import inserted %v (stubs %d); batch has %d orders, 200 customers, %d leads, %d events",
			s.Inserted, s.Stubs, len(b.Orders), len(b.Leads), len(b.Events))
	}
	if s.records != b.Len() || s.counts[kexi.KindOrders] != len(b.Orders) || s.counts[kexi.KindEvents] != len(b.Events) {
		t.Errorf("summary counts %d records, %d orders, %d events; Generate makes %d, %d, %d",
			s.records, s.counts[kexi.KindOrders], s.counts[kexi.KindEvents], b.Len(), len(b.Orders), len(b.Events))
	}
	d, err := st.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Orders.Len() != len(b.Orders) || len(d.Responses) != len(b.Responses) || len(d.Surveys) != len(b.Surveys) {
		t.Errorf("loaded %d orders, %d responses, %d surveys; imported %d, %d, %d",
			d.Orders.Len(), len(d.Responses), len(d.Surveys), len(b.Orders), len(b.Responses), len(b.Surveys))
	}
	again, err := importDemo(ctx, env, st, opts, 50)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range again.Inserted {
		if n != 0 || again.Updated[k] != 0 {
			t.Errorf("second import of %s: %d inserted, %d updated; want none", k, n, again.Updated[k])
		}
	}
}

func TestDemoCommandBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"demo", "--customers", "0", "--no-serve"}, "--customers"},
		{[]string{"demo", "--customers", "-5", "--no-serve"}, "--customers"},
		{[]string{"demo", "--customers", "many"}, "invalid value"},
		{[]string{"demo", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		db := filepath.Join(t.TempDir(), "x.db")
		args := append(tt.args, "--db", db)
		if code := run(context.Background(), args, demoEnv, strings.NewReader(""), &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", tt.args, code, &stderr)
		}
		if !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, stderr.String(), tt.want)
		}
	}
}

func TestThousandsAndMoney(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45678, "-45,678"}} {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	// 1234567.891 rounds to 1,234,567.89; 0.005 rounds up to one cent.
	for _, tt := range []struct {
		x    float64
		want string
	}{{1234567.891, "¥1,234,567.89"}, {0.005, "¥0.01"}, {12, "¥12.00"}} {
		if got := money(tt.x); got != tt.want {
			t.Errorf("money(%v) = %q, want %q", tt.x, got, tt.want)
		}
	}
}

// TestDemoKeepsLabels: a demo into a database whose settings already name values leaves
// those names alone.
func TestDemoKeepsLabels(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "demo.db")
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: demoEnv}
	st, err := openStore(ctx, env, db)
	if err != nil {
		t.Fatal(err)
	}
	set, err := st.Settings(ctx)
	if err == nil {
		set.Labels = kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音旗舰店"}}
		err = st.SaveSettings(ctx, set)
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"demo", "--db", db, "--customers", "50", "--seed", "5", "--no-serve"}
	if code := run(ctx, args, demoEnv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("kexi demo exited %d\n%s", code, &stderr)
	}
	if st, err = openStore(ctx, env, db); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if set, err = st.Settings(ctx); err != nil {
		t.Fatal(err)
	}
	if len(set.Labels) != 1 || set.Labels[0].Label != "抖音旗舰店" {
		t.Errorf("labels after the demo: %v, want the one set before", set.Labels)
	}
}
