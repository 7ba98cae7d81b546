package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/sheet"
)

// maxDemoCustomers bounds --customers: beyond it the batch no longer fits comfortably in memory.
const maxDemoCustomers = 2_000_000

// demoChunk is the most records of one kind imported in one transaction. A default demo
// (about 150,000 records) goes in one transaction; a bigger one is imported kind by kind in
// chunks so the store's transaction stays moderate.
const demoChunk = 200_000

// cmdDemo generates the demo data set into the database, prints what it made and serves it.
func cmdDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "[--db FILE] [--customers N] [--seed S] [--no-serve] [--addr HOST:PORT]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), "database `file` (env KEXI_DB)")
	customers := fs.Int("customers", demo.DefaultCustomers, "number of customers `N`; about 12 orders each")
	seed := fs.Int64("seed", 1, "random `seed`: the same seed (on the same day) gives the same data")
	noServe := fs.Bool("no-serve", false, "generate and import, then exit without serving")
	addr := fs.String("addr", envOr(env, "KEXI_ADDR", defaultAddr), "listen `address` HOST:PORT (env KEXI_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "kexi demo: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *customers < 1 || *customers > maxDemoCustomers {
		return &kexi.Error{Code: kexi.EINVALID, Message: "bad --customers", Problems: []kexi.FieldProblem{{
			Column: "--customers", Value: strconv.Itoa(*customers),
			Reason: fmt.Sprintf("want a whole number from 1 to %d", maxDemoCustomers)}}}
	}

	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	settings, err := st.Settings(ctx)
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	now := time.Now().In(businessZone(settings.TimeZone))
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())

	started := time.Now()
	batch := demo.Generate(demo.Options{Customers: *customers, Seed: *seed, End: end})
	fmt.Fprintf(env.Stderr, "generated %s records in %.1fs; importing into %s …\n",
		thousands(batch.Len()), time.Since(started).Seconds(), *db)
	stats, err := importDemo(ctx, env, st, batch, demoChunk)
	if err != nil {
		return err
	}
	printDemo(env, batch, stats, *customers, *seed, end, *db)
	if *noServe {
		return nil
	}
	trusted, err := parseProxies(envOr(env, "KEXI_TRUSTED_PROXIES", ""))
	if err != nil {
		return err
	}
	future, err := futureYears(env)
	if err != nil {
		return err
	}
	return serveStore(ctx, env, st, *addr, sheet.Limits{}, trusted, future)
}

// businessZone returns the location of the business's time zone. Without the system's zone
// database it falls back to China Standard Time for Asia/Shanghai, UTC otherwise.
func businessZone(name string) *time.Location {
	if name == "" {
		name = kexi.DefaultSettings.TimeZone
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	if name == "Asia/Shanghai" {
		return time.FixedZone("CST", 8*3600)
	}
	return time.UTC
}

// importDemo imports the batch: in one transaction when it has at most chunk records, otherwise
// kind by kind (in the order of kexi.Kinds, so references resolve) in chunks of chunk records. A failure
// part-way leaves the earlier chunks in place; because every record has a fixed external id,
// running the same command again completes the import without duplicating anything.
func importDemo(ctx context.Context, env *Env, st kexi.Store, b *kexi.Batch, chunk int) (kexi.ImportStats, error) {
	if b.Len() <= chunk {
		stats, err := st.Import(ctx, b)
		if err != nil {
			return stats, fmt.Errorf("import demo data: %w", err)
		}
		return stats, nil
	}
	total := kexi.ImportStats{Inserted: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}
	done := 0
	step := func(kind string, part *kexi.Batch) error {
		s, err := st.Import(ctx, part)
		if err != nil {
			return fmt.Errorf("import demo %s (after %s of %s records; run the same command again to finish): %w",
				kind, thousands(done), thousands(b.Len()), err)
		}
		for k, v := range s.Inserted {
			total.Inserted[k] += v
		}
		for k, v := range s.Updated {
			total.Updated[k] += v
		}
		for k, v := range s.Unchanged {
			total.Unchanged[k] += v
		}
		total.Stubs += s.Stubs
		done += part.Len()
		fmt.Fprintf(env.Stderr, "  %-12s %s / %s records\n", kind, thousands(done), thousands(b.Len()))
		return nil
	}
	// The small reference kinds first, in one transaction.
	head := &kexi.Batch{Products: b.Products, Campaigns: b.Campaigns, Competitors: b.Competitors,
		SWOT: b.SWOT, CustomFields: b.CustomFields, Present: b.Present}
	if err := step("reference", head); err != nil {
		return total, err
	}
	type kindSlice struct {
		kind string
		n    int
		cut  func(i, j int) *kexi.Batch
	}
	kinds := []kindSlice{
		{kexi.KindCustomers, len(b.Customers), func(i, j int) *kexi.Batch { return &kexi.Batch{Customers: b.Customers[i:j]} }},
		{kexi.KindOrders, len(b.Orders), func(i, j int) *kexi.Batch { return &kexi.Batch{Orders: b.Orders[i:j]} }},
		{kexi.KindInteractions, len(b.Interactions), func(i, j int) *kexi.Batch { return &kexi.Batch{Interactions: b.Interactions[i:j]} }},
		{kexi.KindEvents, len(b.Events), func(i, j int) *kexi.Batch { return &kexi.Batch{Events: b.Events[i:j]} }},
		{kexi.KindSurveys, len(b.Surveys), func(i, j int) *kexi.Batch { return &kexi.Batch{Surveys: b.Surveys[i:j]} }},
		{kexi.KindLeads, len(b.Leads), func(i, j int) *kexi.Batch { return &kexi.Batch{Leads: b.Leads[i:j]} }},
		{kexi.KindResponses, len(b.Responses), func(i, j int) *kexi.Batch { return &kexi.Batch{Responses: b.Responses[i:j]} }},
	}
	for _, k := range kinds {
		for i := 0; i < k.n; i += chunk {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			part := k.cut(i, min(i+chunk, k.n))
			part.CustomFields = b.CustomFields
			part.Present = b.Present
			if err := step(k.kind, part); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// printDemo prints what the demo made: records per kind with what the import did, the period
// covered and the revenue.
func printDemo(env *Env, b *kexi.Batch, s kexi.ImportStats, customers int, seed int64, end time.Time, db string) {
	w := env.Stdout
	var first, last time.Time
	var revenue, returned float64
	purchases := 0
	for i := range b.Orders {
		o := &b.Orders[i]
		if first.IsZero() || o.OrderedAt.Before(first) {
			first = o.OrderedAt
		}
		if o.OrderedAt.After(last) {
			last = o.OrderedAt
		}
		returned += o.Returned
		if o.IsPurchase() {
			revenue += o.Amount
			purchases++
		}
	}
	fmt.Fprintf(w, "kexi demo: %s customers, seed %d, into %s\n\n", thousands(customers), seed, db)
	counts := map[string]int{
		kexi.KindCustomers: len(b.Customers), kexi.KindProducts: len(b.Products),
		kexi.KindCampaigns: len(b.Campaigns), kexi.KindOrders: len(b.Orders),
		kexi.KindInteractions: len(b.Interactions), kexi.KindEvents: len(b.Events),
		kexi.KindSurveys: len(b.Surveys), kexi.KindLeads: len(b.Leads),
		kexi.KindResponses: len(b.Responses), kexi.KindCompetitors: len(b.Competitors),
		kexi.KindSWOT: len(b.SWOT),
	}
	var rows [][]string
	for _, k := range kexi.Kinds {
		rows = append(rows, []string{k, thousands(counts[k]), thousands(s.Inserted[k]),
			thousands(s.Updated[k]), thousands(s.Unchanged[k])})
	}
	printAligned(w, []string{"kind", "records", "inserted", "updated", "unchanged"}, rows)
	fmt.Fprintln(w)
	if !first.IsZero() {
		fmt.Fprintf(w, "Orders from %s to %s (history ends %s)\n", first.Format("2006-01-02"),
			last.Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	fmt.Fprintf(w, "Revenue %s from %s purchases; %s returned\n", money(revenue), thousands(purchases), money(returned))
	fmt.Fprintf(w, "Customers are owned by the sales reps %s: add users with these logins (role sales) to try role scoping.\n",
		strings.Join(demo.SalesReps(), ", "))
}

// thousands formats n with thousands separators: 1234567 → "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// money formats an amount in yuan with thousands separators and cents: "¥1,234,567.89".
func money(x float64) string {
	cents := int64(x*100 + 0.5)
	return "¥" + thousands(int(cents/100)) + fmt.Sprintf(".%02d", cents%100)
}
