package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/render"
	"github.com/kexi/kexi/sheet"
	"github.com/kexi/kexi/sqlite"
)

// maxDemoCustomers bounds --customers. The demo is made and imported block by block, but keeps
// about 650 bytes of every customer, and 1M customers (33M records) took 650 s of CPU.
const maxDemoCustomers = 2_000_000

// cmdDemo generates the demo data set into the database, prints what it made and serves it.
func cmdDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "[--db FILE|URL] [--customers N] [--seed S] [--no-serve] [--addr HOST:PORT]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
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

	// It serves the demo afterwards, with serve's pool of read connections (see serveReaders).
	st, err := openStoreWith(ctx, env, *db, sqlite.Options{Readers: serveReaders})
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

	fmt.Fprintf(env.Stderr, "making %s demo customers and importing them into %s …\n", thousands(*customers), displayDB(*db))
	sum, err := importDemo(ctx, env, st, demo.Options{Customers: *customers, Seed: *seed, End: end}, demo.DefaultBlock)
	if err != nil {
		return err
	}
	// The demo's channel codes show under the names a Chinese business uses (douyin as 抖音),
	// unless the settings already name some values.
	if len(settings.Labels) == 0 {
		if settings, err = st.Settings(ctx); err != nil {
			return fmt.Errorf("read settings: %w", err)
		}
		if len(settings.Labels) == 0 {
			settings.Labels = demo.Labels()
			if err := st.SaveSettings(ctx, settings); err != nil {
				return fmt.Errorf("save settings: %w", err)
			}
		}
	}
	printDemo(env, sum, *customers, *seed, end, displayDB(*db))
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

// demoSummary is what the demo made and what the import did.
type demoSummary struct {
	kexi.ImportStats
	records     int
	counts      map[string]int // records per kind
	first, last time.Time      // of the orders
	revenue     float64
	returned    float64
	purchases   int
}

// add counts the part b.
func (s *demoSummary) add(b *kexi.Batch) {
	s.records += b.Len()
	for k, n := range b.Counts() {
		s.counts[k] += n
	}
	for i := range b.Orders {
		o := &b.Orders[i]
		if s.first.IsZero() || o.OrderedAt.Before(s.first) {
			s.first = o.OrderedAt
		}
		if o.OrderedAt.After(s.last) {
			s.last = o.OrderedAt
		}
		s.returned += o.Returned
		if o.IsPurchase() {
			s.revenue += o.Amount
			s.purchases++
		}
	}
}

// importDemo makes the demo data set block by block of block customers and imports the parts
// as they come, so memory stays bounded by a block (and what the store keeps of the records it
// wrote) whatever the number of customers. The parts follow kexi's reference order (customers
// before their orders). A store that can (the SQLite store) takes them all in one transaction,
// which reads each table's external ids once rather than once a part; otherwise each part is a
// transaction, and since every record has a fixed external id, running the same command again
// after a failure completes the import without duplicating anything.
func importDemo(ctx context.Context, env *Env, st kexi.Store, opts demo.Options, block int) (demoSummary, error) {
	sum := demoSummary{counts: map[string]int{},
		ImportStats: kexi.ImportStats{Inserted: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}}
	started := time.Now()
	shown := started
	progress := func(b *kexi.Batch) {
		sum.add(b)
		if now := time.Now(); now.Sub(shown) >= 5*time.Second {
			shown = now
			fmt.Fprintf(env.Stderr, "  %s records (%s customers, %s orders) in %.0fs\n", thousands(sum.records),
				thousands(sum.counts[kexi.KindCustomers]), thousands(sum.counts[kexi.KindOrders]), now.Sub(started).Seconds())
		}
	}
	var err error
	if si, ok := st.(streamImporter); ok {
		var s kexi.ImportStats
		s, err = si.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
			return demo.Stream(opts, block, func(b *kexi.Batch) error {
				if err := put(b); err != nil {
					return err
				}
				progress(b)
				return nil
			})
		})
		if err != nil {
			return sum, fmt.Errorf("import demo data: %w", err)
		}
		sum.ImportStats = s
	} else {
		err = demo.Stream(opts, block, func(b *kexi.Batch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			s, err := st.Import(ctx, b)
			if err != nil {
				return fmt.Errorf("import demo data (after %s records; run the same command again to finish): %w",
					thousands(sum.records), err)
			}
			for k, v := range s.Inserted {
				sum.Inserted[k] += v
			}
			for k, v := range s.Updated {
				sum.Updated[k] += v
			}
			for k, v := range s.Unchanged {
				sum.Unchanged[k] += v
			}
			sum.Stubs += s.Stubs
			progress(b)
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	fmt.Fprintf(env.Stderr, "  %s records in %.1fs\n", thousands(sum.records), time.Since(started).Seconds())
	return sum, nil
}

// printDemo prints what the demo made: records per kind with what the import did, the period
// covered and the revenue.
func printDemo(env *Env, s demoSummary, customers int, seed int64, end time.Time, db string) {
	w := env.Stdout
	fmt.Fprintf(w, "kexi demo: %s customers, seed %d, into %s\n\n", thousands(customers), seed, db)
	var rows [][]string
	for _, k := range kexi.Kinds {
		rows = append(rows, []string{k, thousands(s.counts[k]), thousands(s.Inserted[k]),
			thousands(s.Updated[k]), thousands(s.Unchanged[k])})
	}
	render.Aligned(w, []string{"kind", "records", "inserted", "updated", "unchanged"}, rows)
	fmt.Fprintln(w)
	if !s.first.IsZero() {
		fmt.Fprintf(w, "Orders from %s to %s (history ends %s)\n", s.first.Format("2006-01-02"),
			s.last.Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	fmt.Fprintf(w, "Revenue %s from %s purchases; %s returned\n", money(s.revenue), thousands(s.purchases), money(s.returned))
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
