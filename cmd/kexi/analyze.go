package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	kexihttp "github.com/kexi/kexi/http"
	"github.com/kexi/kexi/sheet"
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
	if *period != "" {
		if err := analysis.CheckPeriod("--period", *period); err != nil {
			return err
		}
	}
	in := analysis.Input{Options: map[string]string{}, Settings: kexi.DefaultSettings}
	var err error
	dates, err := recordDates(env, time.Now())
	if err != nil {
		return err
	}
	// The dates are read once the time zone is known (from the database's settings with --db).
	days := func() error {
		return in.SetDays(*asOf, *from, *to, [3]string{"--as-of", "--from", "--to"}, in.Location(), dates)
	}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return kexi.Errorf(kexi.EINVALID, "--option %q: expected key=value", o)
		}
		in.Options[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}

	input := func(i int) analysis.Input {
		ain := in
		if len(as) > 1 {
			ain.Options = optionsFor(as[i].Info(), in.Options)
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
		if err := applyPeriod(&in, *period); err != nil {
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
		if err := applyPeriod(&in, *period); err != nil {
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
	infos := make([]analysis.Info, len(as))
	errs := make([]error, len(as))
	for i, a := range as {
		infos[i] = a.Info()
	}
	data := in.Data
	in.Data = nil // runEach holds the Dataset, and lets go of its parts as it goes
	runEach(ctx, as, data, summaries, input, func(i int, r *analysis.Result, d *kexi.Dataset, err error) {
		if err != nil {
			errs[i] = fmt.Errorf("%s: %w", infos[i].Name, err)
			return
		}
		withExternalIDs(r, d)
		switch {
		case keep:
			results[i] = r
		case *format == "json":
			rendered[i], errs[i] = jsonBytes(r)
		default:
			var b bytes.Buffer
			writeTableText(&b, infos[i], labelled(r, in.Settings.Labels), l, *rows)
			rendered[i] = b.Bytes()
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if len(as) > 1 {
		for k := range in.Options {
			if !declaredByAny(infos, k) {
				return kexi.Errorf(kexi.EINVALID, "--option %s: none of the named analyses has that option", k)
			}
		}
	}
	// The heap profile (KEXI_MEMPROFILE) shows here what the whole run holds to the end (the
	// rendered results) and, as alloc_space, everything the load and the analyses allocated.
	writeMemProfile(env.Getenv)

	if keep { // JSON keeps the values as stored, as the API does; tables were labelled as rendered
		for i := range results {
			results[i] = labelled(results[i], in.Settings.Labels)
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
		err = writeJSON(w, rendered)
	case "csv":
		err = writeCSV(w, infos[0], results[0], l)
	case "xlsx":
		err = writeXLSX(*out, infos, results, l)
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// applyPeriod sets in's dates to the period named (none when ""): its days, as of the end of
// its last day (the web pages' period picker).
func applyPeriod(in *analysis.Input, period string) error {
	if period == "" {
		return nil
	}
	asOf := in.AsOf
	if asOf.IsZero() {
		asOf = analysis.Defaults(*in).AsOf
	}
	p, err := analysis.ChoosePeriod("--period", period, in.From, in.To, asOf, in.Location(), true)
	if err != nil {
		return err
	}
	p.Apply(in)
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

// zhOr returns zh when lang is Chinese, else en.
func zhOr(lang, zh, en string) string {
	if lang == "zh" {
		return zh
	}
	return en
}

// labelled returns r with the data values of its text columns shown by their value labels
// (a channel column's douyin as 抖音), as the pages and their exports show them; r itself
// when nothing is labelled.
func labelled(r *analysis.Result, ls kexi.ValueLabels) *analysis.Result {
	if len(ls) == 0 {
		return r
	}
	cp := *r
	cp.Tables = slices.Clone(r.Tables)
	for i, t := range cp.Tables {
		var cols []int
		for j, c := range t.Columns {
			if c.Type == "string" && ls.Has(c.Key) {
				cols = append(cols, j)
			}
		}
		if len(cols) == 0 {
			continue
		}
		rows := make([][]any, len(t.Rows))
		for k, row := range t.Rows {
			rows[k] = slices.Clone(row)
			for _, j := range cols {
				if j >= len(row) {
					break
				}
				if x, ok := row[j].(string); ok {
					rows[k][j], _ = ls.Label(t.Columns[j].Key, x)
				}
			}
		}
		cp.Tables[i].Rows = rows
	}
	return &cp
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

func optionsFor(info analysis.Info, all map[string]string) map[string]string {
	m := map[string]string{}
	for _, o := range info.Options {
		if v, ok := all[o.Key]; ok {
			m[o.Key] = v
		}
	}
	return m
}

func declaredByAny(infos []analysis.Info, key string) bool {
	for _, info := range infos {
		for _, o := range info.Options {
			if o.Key == key {
				return true
			}
		}
	}
	return false
}

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

// label returns the text for a key in lang as the pages show it (kexihttp.Label): the
// analysis's labels, the UI's catalog, keys made of keys; a data value as it is.
func label(info analysis.Info, key, lang string) string { return labelIn(info, key, lang, nil) }

// labelIn is label with the "{KEY}" placeholders filled from vals (analysis.Fill).
func labelIn(info analysis.Info, key, lang string, vals map[string]string) string {
	return kexihttp.Label(&info, lang, key, vals)
}

// cellText formats one table cell as text for people (table format) or machines (csv).
func cellText(info analysis.Info, col analysis.Column, v any, lang string, human bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		switch col.Type {
		case "label", "terms": // terms: each part that is a key (as the pages show it)
			return label(info, x, lang)
		case "reasons": // files keep them as the page's downloads do
			if human {
				return kexihttp.ReasonsText(&info, lang, x)
			}
		}
		return x
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		if !human {
			if col.Type == "currency" {
				return strconv.FormatFloat(x, 'f', 2, 64)
			}
			// Ten significant digits hide float noise (5391.209999999998) and keep the value.
			r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
			return strconv.FormatFloat(r, 'f', -1, 64)
		}
		switch col.Type {
		case "percent":
			return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
		case "currency":
			return strconv.FormatFloat(x, 'f', 2, 64)
		case "int":
			return strconv.FormatFloat(x, 'f', 0, 64)
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// figureText formats a figure's value for the text format, its unit in lang.
func figureText(f analysis.Figure, lang string) string {
	if f.Text != "" {
		return f.Text
	}
	unit := f.Unit
	if u, ok := map[string]string{"months": "个月", "days": "天", "weeks": "周", "points": "分"}[unit]; ok && lang == "zh" {
		unit = u
	}
	switch f.Unit {
	case "%":
		return strconv.FormatFloat(f.Value*100, 'f', 2, 64) + "%"
	case "currency":
		return strconv.FormatFloat(f.Value, 'f', 2, 64)
	case "months":
		return strconv.FormatFloat(f.Value, 'f', -1, 64) + " " + unit
	}
	if f.Value == math.Trunc(f.Value) && math.Abs(f.Value) < 1e15 {
		return strconv.FormatFloat(f.Value, 'f', 0, 64)
	}
	s := strconv.FormatFloat(f.Value, 'g', 6, 64)
	if unit != "" {
		s += " " + unit
	}
	return s
}

func writeTableText(w io.Writer, info analysis.Info, r *analysis.Result, lang string, maxRows int) {
	fmt.Fprintf(w, "== %s (%s)", info.Title.In(lang), info.Name)
	if !r.AsOf.IsZero() { // data without any times has no as-of date
		fmt.Fprintf(w, " — %s %s", zhOr(lang, "截至", "as of"), r.AsOf.Format("2006-01-02"))
	}
	fmt.Fprintln(w)
	vals := r.FigureValues(func(k string) string { return label(info, k, lang) }, func(x float64) string {
		return figureText(analysis.Figure{Value: x}, lang)
	})
	// Headline figures first, then those marked Detail (settings, model parameters) under a
	// heading of their own.
	details := false
	for _, detail := range []bool{false, true} {
		for _, f := range r.Summary {
			if f.Detail != detail {
				continue
			}
			if detail && !details {
				details = true
				head := label(info, "details", lang)
				fmt.Fprintf(w, "  -- %s\n", head)
			}
			v := figureText(f, lang)
			if f.Text != "" {
				v = label(info, f.Text, lang) // a key into the labels, or text of its own
			}
			fmt.Fprintf(w, "  %s: %s\n", labelIn(info, f.Key, lang, vals), v)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", n.In(lang, func(k string) string { return label(info, k, lang) }))
	}
	for _, t := range r.Tables {
		fmt.Fprintf(w, "\n-- %s (%s)\n", kexihttp.TableTitle(&info, lang, t.Key, vals), zhOr(lang, fmt.Sprintf("%d 行", len(t.Rows)), fmt.Sprintf("%d rows", len(t.Rows))))
		head := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			head[i] = labelIn(info, c.Key, lang, vals)
		}
		n := len(t.Rows)
		if maxRows > 0 && n > maxRows {
			n = maxRows
		}
		cells := make([][]string, n)
		for i := 0; i < n; i++ {
			cells[i] = make([]string, len(t.Columns))
			for j, c := range t.Columns {
				if j < len(t.Rows[i]) {
					cells[i][j] = cellText(info, c, t.Rows[i][j], lang, true)
				}
			}
		}
		printAligned(w, head, cells)
		if n < len(t.Rows) {
			fmt.Fprintf(w, "  … %s\n", zhOr(lang, fmt.Sprintf("另有 %d 行（--rows 0 显示全部；--format csv 输出整张表）", len(t.Rows)-n),
				fmt.Sprintf("%d more rows (--rows 0 shows all; --format csv for the whole table)", len(t.Rows)-n)))
		}
	}
}

func writeCSV(w io.Writer, info analysis.Info, r *analysis.Result, lang string) error {
	if len(r.Tables) == 0 {
		return kexi.Errorf(kexi.EINVALID, "%s has no table to print as CSV: use --format json", info.Name)
	}
	t := r.Tables[0]
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Key
		if lang == "zh" {
			head[i] = label(info, c.Key, lang)
		}
		head[i] = sheet.EscapeFormula(head[i])
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for j, c := range t.Columns {
			rec[j] = ""
			if j < len(row) {
				rec[j] = sheet.EscapeFormula(cellText(info, c, row[j], lang, false))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeJSON writes the results, each already in compact JSON, as one indented JSON value: the
// result itself when there is one, else an array of them. The bytes are those of a
// json.Encoder with SetIndent("", "  ") on the whole; each result is indented on its own, so
// that the indented text of all of them is never held at once.
func writeJSON(w io.Writer, compact [][]byte) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf bytes.Buffer
	one := len(compact) == 1
	if !one {
		bw.WriteString("[\n")
	}
	for i, b := range compact {
		buf.Reset()
		var err error
		if one {
			err = json.Indent(&buf, b, "", "  ")
		} else {
			bw.WriteString("  ")
			err = json.Indent(&buf, b, "  ", "  ")
		}
		if err != nil {
			return err
		}
		bw.Write(buf.Bytes())
		compact[i] = nil
		if !one && i < len(compact)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	if !one {
		bw.WriteString("]\n")
	}
	return bw.Flush()
}

// jsonBytes returns r in compact JSON, as a json.Encoder writes it (HTML characters escaped).
func jsonBytes(r *analysis.Result) ([]byte, error) {
	v := jsonResult(r)
	if b, ok := v.(json.RawMessage); ok {
		return b, nil // json.Marshal's own: compact already
	}
	return json.Marshal(v)
}

// jsonResult makes non-finite numbers (which JSON cannot carry) null.
func jsonResult(r *analysis.Result) any {
	b, err := json.Marshal(r)
	if err == nil {
		return json.RawMessage(b)
	}
	c := *r
	c.Summary = append([]analysis.Figure(nil), r.Summary...)
	for i := range c.Summary {
		if v := c.Summary[i].Value; math.IsNaN(v) || math.IsInf(v, 0) {
			c.Summary[i].Value = 0
			c.Summary[i].Text = "n/a"
		}
	}
	c.Tables = make([]analysis.Table, len(r.Tables))
	for i, t := range r.Tables {
		nt := t
		nt.Rows = make([][]any, len(t.Rows))
		for j, row := range t.Rows {
			nr := make([]any, len(row))
			for k, v := range row {
				if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
					v = nil
				}
				nr[k] = v
			}
			nt.Rows[j] = nr
		}
		c.Tables[i] = nt
	}
	c.Series = nil
	for _, s := range r.Series {
		ns := s
		ns.Y = nil
		for _, y := range s.Y {
			d := make([]float64, len(y.Data))
			for i, v := range y.Data {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					d[i] = v
				}
			}
			ns.Y = append(ns.Y, analysis.Values{Key: y.Key, Data: d, Unit: y.Unit})
		}
		c.Series = append(c.Series, ns)
	}
	return &c
}

// withExternalIDs replaces the internal customer ids in the first column of per-customer
// tables with the ids of the user's own system (external ids), which is what a person looks
// for; customers without one keep the internal id.
func withExternalIDs(r *analysis.Result, d *kexi.Dataset) {
	for ti := range r.Tables {
		t := &r.Tables[ti]
		if !t.PerCustomer {
			continue
		}
		if len(t.Columns) > 0 {
			t.Columns[0].Type = "string"
		}
		for _, row := range t.Rows {
			if len(row) == 0 {
				continue
			}
			if id, ok := row[0].(int64); ok {
				if e, _ := d.Keys.Of(id); e != "" {
					row[0] = e
				} else {
					row[0] = strconv.FormatInt(id, 10)
				}
			}
		}
	}
}
