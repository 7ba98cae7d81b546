package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/render"
	"github.com/kexi/kexi/sqlite"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func cmdAnalyze(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "analyze", "NAME... [--db FILE | --orders FILE.csv [--customers FILE.csv]] [flags]")
	db := fs.String("db", "", "embedded database `file`, or a PostgreSQL URL postgres://USER@HOST/DB (env KEXI_DB; default "+defaultDB+")")
	orders := fs.String("orders", "", "analyse this CSV/XLSX of transactions directly, without a database")
	customers := fs.String("customers", "", "with --orders: a CSV/XLSX of customers")
	asOf := fs.String("as-of", "", "as-of `date`, meaning the end of that day in the business time zone (default: the end of the last order's day)")
	tz := fs.String("tz", "", tzHelp)
	from := fs.String("from", "", "period start `date`")
	to := fs.String("to", "", "period end `date` (inclusive)")
	period := fs.String("period", "", "a period as the web pages' picker has it: all, "+strings.Join(analysis.Periods, ", ")+
		" or custom (--from and --to); a preset counts back from the as-of day (--as-of, default the last order's day), runs as of the end of its last day and is not given with --from or --to")
	format := fs.String("format", "table", "output format: table, json, csv or xlsx")
	lang := fs.String("lang", "", "language of labels: en or zh (env KEXI_LANG; default en)")
	out := fs.String("out", "", "write to this `file` instead of standard output")
	rows := fs.Int("rows", 20, "table format: rows to show per table (0 = all)")
	list := fs.Bool("list", false, "list every analysis with what it answers")
	var opts multiFlag
	fs.Var(&opts, "option", "analysis option `key=value` (repeatable; see --list)")
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	l := *lang
	if l == "" {
		l = envOr(env, "KEXI_LANG", "en")
	}
	if *list {
		return listAnalyses(env.Stdout, l)
	}
	names := fs.Args()
	if len(names) == 0 {
		fmt.Fprintln(env.Stderr, "kexi analyze: name at least one analysis (kexi analyze --list shows them)")
		return errUsage
	}
	var as []analysis.Analysis
	for _, n := range names {
		a := all.Get(n)
		if a == nil {
			return kexi.Errorf(kexi.EINVALID, "no analysis called %q (kexi analyze --list shows them)", n)
		}
		as = append(as, a)
	}
	switch *format {
	case "table", "json", "csv", "xlsx":
	default:
		return kexi.Errorf(kexi.EINVALID, "--format %q: expected table, json, csv or xlsx", *format)
	}
	if *format == "csv" && len(as) > 1 {
		return kexi.Errorf(kexi.EINVALID, "--format csv prints one analysis's main table: name one analysis")
	}
	if *format == "xlsx" && *out == "" {
		return kexi.Errorf(kexi.EINVALID, "--format xlsx needs --out FILE.xlsx")
	}
	// The days, the period and the options as the user wrote them: one analysis.Request, read
	// as the server reads a query.
	req := analysis.Request{AsOf: *asOf, From: *from, To: *to, Period: *period, Options: map[string]string{},
		Names: [4]string{"--as-of", "--from", "--to", "--period"}}
	if err := req.CheckPeriod(); err != nil {
		return err
	}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return kexi.Errorf(kexi.EINVALID, "--option %q: expected key=value", o)
		}
		req.Options[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	infos := make([]analysis.Info, len(as))
	for i, a := range as {
		infos[i] = a.Info()
	}
	// With one analysis, it names an option it does not have; with several, options are per
	// analysis and one that none has is a mistake.
	if len(as) > 1 {
		if k := analysis.Unknown(slices.Sorted(maps.Keys(req.Options)), infos...); k != "" {
			return kexi.Errorf(kexi.EINVALID, "--option %s: none of the named analyses has that option", k)
		}
	}
	in := analysis.Input{Options: req.Options, Settings: kexi.DefaultSettings}
	var err error
	dates, err := recordDates(env, time.Now())
	if err != nil {
		return err
	}
	// The dates are read once the time zone is known (from the database's settings with --db).
	days := func() error { return req.Days(&in, in.Location(), dates) }

	input := func(i int) analysis.Input {
		ain := in
		if len(as) > 1 {
			ain.Options = req.OptionsFor(infos[i])
		}
		return ain
	}

	// Load the data: straight from files, or from the database. From a store that computes
	// per-customer summaries (kexi.SummaryLoader), analyses that all run on one (rfm, pyramid,
	// clv) get the summary instead of the orders: the Dataset is loaded without them, and its
	// LastOrder gives the as-of date the summary's window ends on.
	var summaries []*kexi.Summary
	if *orders != "" || *customers != "" {
		if *db != "" {
			return kexi.Errorf(kexi.EINVALID, "give either --db or --orders/--customers, not both")
		}
		loc, err := zoneOf(env, *tz, "")
		if err != nil {
			return err
		}
		in.Settings.TimeZone = loc.String()
		if err := days(); err != nil {
			return err
		}
		// Order lines (and customer records) are kept in memory only when a named analysis
		// reads them.
		in.Data, err = datasetFromFiles(ctx, env, *orders, *customers, analysis.Parts(as...), loc, dates)
		if err != nil {
			return err
		}
		if err := applyPeriod(&in, req, dates); err != nil {
			return err
		}
	} else {
		path := *db
		if path == "" {
			path = envOr(env, "KEXI_DB", defaultDB)
		}
		if _, err := os.Stat(path); err != nil && !isPostgres(path) {
			return kexi.Errorf(kexi.EINVALID, "database %s not found: run 'kexi import' or 'kexi demo' first, or give --orders FILE.csv", path)
		}
		// The store is read once and closed before the analyses run; its file is read rather
		// than mapped, since mapped pages would count in the resident memory meanwhile.
		st, err := openStoreWith(ctx, env, path, sqlite.Options{NoMmap: true})
		if err != nil {
			return err
		}
		defer st.Close()
		if in.Settings, err = st.Settings(ctx); err != nil {
			return fmt.Errorf("read settings: %w", err)
		}
		loc, err := zoneOf(env, *tz, in.Settings.TimeZone)
		if err != nil {
			return err
		}
		in.Settings.TimeZone = loc.String()
		if err := days(); err != nil {
			return err
		}
		parts := analysis.Parts(as...)
		sl, onSummary := st.(kexi.SummaryLoader)
		if sp, ok := analysis.SummaryParts(as...); ok && onSummary {
			parts = sp
		} else {
			onSummary = false
		}
		if in.Data, err = st.LoadDataset(ctx, kexi.Scope{}, parts); err != nil {
			return fmt.Errorf("load dataset: %w", err)
		}
		if err := applyPeriod(&in, req, dates); err != nil {
			return err
		}
		if onSummary {
			if summaries, err = summariesFor(ctx, sl, as, input, in.Data); err != nil {
				return err
			}
			if summaries == nil { // an option needs the orders after all (clv's holdout, the BG/BB)
				if in.Data, err = st.LoadDataset(ctx, kexi.Scope{}, analysis.Parts(as...)); err != nil {
					return fmt.Errorf("load dataset: %w", err)
				}
			}
		}
		if err := st.Close(); err != nil { // its page caches are not needed any more
			return fmt.Errorf("close %s: %w", path, err)
		}
	}

	// Run every analysis, as many at once as there are cores; options are per analysis, so
	// only pass each the ones it declares when several are named. For JSON and tables each
	// result is rendered as soon as it is ready and then let go: per-customer tables are rows
	// of boxed values, and holding all 19 results until the end cost hundreds of MB at 100k
	// customers. The rendered bytes are written once every analysis has succeeded, so that a
	// failure still writes nothing.
	keep := *format == "csv" || *format == "xlsx"
	results := make([]*analysis.Result, len(as))
	rendered := make([][]byte, len(as))
	errs := make([]error, len(as))
	data := in.Data
	in.Data = nil // runEach holds the Dataset, and lets go of its parts as it goes
	runEach(ctx, as, data, summaries, input, func(i int, r *analysis.Result, d *kexi.Dataset, err error) {
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", infos[i].Name, err)
			return
		}
		render.ExternalIDs(r, d)
		switch {
		case keep:
			results[i] = r
		case *format == "json":
			rendered[i], errs[i] = render.JSON(r)
		default:
			var b bytes.Buffer
			render.Text(&b, infos[i], render.Labelled(r, in.Settings.Labels), l, *rows)
			rendered[i] = b.Bytes()
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	// The heap profile (KEXI_MEMPROFILE) shows here what the whole run holds to the end (the
	// rendered results) and, as alloc_space, everything the load and the analyses allocated.
	writeMemProfile(env.Getenv)

	if keep { // JSON keeps the values as stored, as the API does; tables were labelled as rendered
		for i := range results {
			results[i] = render.Labelled(results[i], in.Settings.Labels)
		}
	}

	var w io.Writer = env.Stdout
	var file *os.File
	if *out != "" && *format != "xlsx" {
		if file, err = os.Create(*out); err != nil {
			return kexi.Errorf(kexi.EINVALID, "cannot write %s: %v", *out, err)
		}
		w = file
	}
	switch *format {
	case "table":
		for i, b := range rendered {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if _, err = w.Write(b); err != nil {
				break
			}
		}
	case "json":
		err = render.JSONList(w, rendered)
	case "csv":
		err = render.CSV(w, infos[0], results[0], l)
	case "xlsx":
		err = render.XLSX(*out, infos, results, l)
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// applyPeriod sets in's dates to the period req names (none when it names none): its days,
// as of the end of its last day (the web pages' period picker, analysis.Request.Choose).
func applyPeriod(in *analysis.Input, req analysis.Request, dates kexi.Dates) error {
	if req.Period == "" {
		return nil
	}
	c, err := req.Choose("all", true, in.Location(), dates, func() (time.Time, error) {
		return analysis.Defaults(*in).AsOf, nil
	}, time.Time{})
	if err != nil {
		return err
	}
	c.Apply(in)
	return nil
}

// summaryLoads counts the summaries loaded from a store: tests see that the summary path ran.
var summaryLoads atomic.Int64

// summariesFor returns the summary each analysis runs on (analysis.SummaryRunner), loaded
// from the store once per distinct window, or nil when one of them reads the orders with the
// options given. data is the Dataset loaded without the orders, whose LastOrder gives the
// default as-of date.
func summariesFor(ctx context.Context, sl kexi.SummaryLoader, as []analysis.Analysis, input func(i int) analysis.Input,
	data *kexi.Dataset) ([]*kexi.Summary, error) {
	ws := make([]kexi.Window, len(as))
	for i, a := range as {
		in := input(i)
		in.Data = data
		w, ok := a.(analysis.SummaryRunner).SummaryWindow(analysis.Defaults(in))
		if !ok {
			return nil, nil
		}
		ws[i] = w
	}
	out := make([]*kexi.Summary, len(as))
	for i := range ws {
		for j := range i {
			if ws[j].Equal(ws[i]) {
				out[i] = out[j]
				break
			}
		}
		if out[i] == nil {
			s, err := sl.LoadSummary(ctx, kexi.Scope{}, ws[i])
			if err != nil {
				return nil, fmt.Errorf("load summary: %w", err)
			}
			summaryLoads.Add(1)
			out[i] = s
		}
	}
	return out, nil
}

// interleave moves flags after positional names to the front, so that both
// "kexi analyze rfm --format json" and "kexi analyze --format json rfm" work.
func interleave(args []string) []string {
	var flags, names []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			names = append(names, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !isBoolFlag(name) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		names = append(names, a)
	}
	return append(flags, names...)
}

func isBoolFlag(name string) bool { return name == "list" || name == "h" || name == "help" }

func listAnalyses(w io.Writer, lang string) error {
	for _, a := range all.List() {
		info := a.Info()
		fmt.Fprintf(w, "%-18s %-4s %s — %s\n", info.Name, info.Code, info.Title.In(lang), info.Summary.In(lang))
		for _, o := range info.Options {
			def := o.Default
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(w, "%25s --option %s=%s  %s\n", "", o.Key, def, o.Help.In(lang))
		}
	}
	return nil
}
