package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// whereFlags collects repeated --where FIELD:OP:VALUE conditions.
type whereFlags []kexi.Cond

func (w *whereFlags) String() string { return "" }

func (w *whereFlags) Set(s string) error {
	field, rest, ok := strings.Cut(s, ":")
	op, value, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || field == "" {
		return fmt.Errorf("expected FIELD:OP:VALUE, e.g. province:eq:广东省 or amount:gt:100")
	}
	switch kexi.Op(op) {
	case kexi.Eq, kexi.Ne, kexi.Lt, kexi.Le, kexi.Gt, kexi.Ge, kexi.Contains, kexi.In:
	default:
		return fmt.Errorf("unknown operator %q: expected eq, ne, lt, le, gt, ge, contains or in", op)
	}
	*w = append(*w, kexi.Cond{Field: field, Op: kexi.Op(op), Value: value})
	return nil
}

// cmdExport writes an entity list to CSV or XLSX.
func cmdExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "export", "--kind KIND [flags]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	kind := fs.String("kind", "", "kind of records: "+strings.Join(sheet.Kinds(), "|"))
	format := fs.String("format", "", "csv or xlsx (default: from --out's extension, else csv)")
	lang := fs.String("lang", envOr(env, "KEXI_LANG", "en"), "header language: en or zh (env KEXI_LANG)")
	tz := fs.String("tz", "", "time `zone` the times are written in, without an offset, as import reads them (env KEXI_TZ; default: the database's setting, else Asia/Shanghai)")
	out := fs.String("out", "", "output file (default: standard output)")
	var where whereFlags
	fs.Var(&where, "where", "condition FIELD:OP:VALUE (repeatable; ops eq ne lt le gt ge contains in; custom fields as custom.NAME)")
	q := fs.String("q", "", "free-text search over name-like fields")
	sortBy := fs.String("sort", "", "sort by a field, -field for descending")
	limit := fs.Int("limit", -1, "at most this many records (-1: all)")
	noLabels := fs.Bool("no-labels", false, "write the stored values, not their labels from the settings (douyin, not 抖音): for moving data to another database")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return kexi.Errorf(kexi.EINVALID, "unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *kind == "" {
		return kexi.Errorf(kexi.EINVALID, "--kind is required: one of %s", strings.Join(sheet.Kinds(), ", "))
	}
	if *format == "" {
		*format = sheet.CSV
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = sheet.XLSX
		}
	}
	if *format != sheet.CSV && *format != sheet.XLSX {
		return kexi.Errorf(kexi.EINVALID, "--format %q: expected csv or xlsx", *format)
	}
	if *lang != "en" && *lang != "zh" {
		return kexi.Errorf(kexi.EINVALID, "--lang %q: expected en or zh", *lang)
	}
	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	set, err := st.Settings(ctx)
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	// Value labels (channel douyin → 抖音): a condition on a label finds the labelled values,
	// and the file shows the labels, as the web page's export does, unless --no-labels.
	f := kexi.Filter{Where: set.Labels.Resolve(where), Query: *q, Sort: *sortBy, Limit: *limit}
	recs, err := findAll(ctx, st, *kind, f)
	if err != nil {
		return err
	}
	if !*noLabels {
		recs = set.Labels.Relabel(recs)
	}
	loc, err := zoneOf(env, *tz, set.TimeZone)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return sheet.WriteIn(w, *kind, *format, *lang, loc, recs) }
	if *out == "" {
		return write(env.Stdout)
	}
	return writeFileAtomic(*out, write)
}

// findAll finds the records of one kind that match the filter.
func findAll(ctx context.Context, st kexi.Store, kind string, f kexi.Filter) (any, error) {
	var (
		recs any
		err  error
	)
	switch kind {
	case kexi.KindCustomers:
		recs, _, err = st.FindCustomers(ctx, f)
	case kexi.KindOrders:
		recs, _, err = st.FindOrders(ctx, f)
	case kexi.KindProducts:
		recs, _, err = st.FindProducts(ctx, f)
	case kexi.KindInteractions:
		recs, _, err = st.FindInteractions(ctx, f)
	case kexi.KindEvents:
		recs, _, err = st.FindEvents(ctx, f)
	case kexi.KindSurveys:
		recs, _, err = st.FindSurveys(ctx, f)
	case kexi.KindLeads:
		recs, _, err = st.FindLeads(ctx, f)
	case kexi.KindCampaigns:
		recs, _, err = st.FindCampaigns(ctx, f)
	case kexi.KindResponses:
		recs, _, err = st.FindResponses(ctx, f)
	case kexi.KindCompetitors:
		recs, _, err = st.FindCompetitors(ctx, f)
	case kexi.KindSWOT:
		recs, _, err = st.FindSWOTItems(ctx, f)
	default:
		return nil, kexi.Errorf(kexi.EINVALID, "unknown kind %q: expected one of %s", kind, strings.Join(sheet.Kinds(), ", "))
	}
	return recs, err
}
