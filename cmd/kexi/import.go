package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// cmdImport imports CSV and XLSX files into the store, one transaction per file.
func cmdImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", "[flags] FILE...")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	kind := fs.String("kind", "", "kind of records: "+strings.Join(sheet.Kinds(), "|")+" (default: recognised from the headers)")
	mapFile := fs.String("map", "", "mapping file (JSON or YAML) for headers kexi does not know: {\"kind\": …, \"columns\": {\"header\": \"field\"}, \"custom_fields\": {\"header\": \"name\"}}")
	skipUnknown := fs.Bool("skip-unknown", false, "leave out columns that match no field (default: keep them as typed custom fields)")
	custom := fs.Bool("custom-fields", false, "keep columns that match no field as custom fields: the default now, accepted so that old scripts still run")
	skip := fs.Bool("skip-invalid", false, "import the good rows of a file with bad ones, and write the bad ones to the rejects file")
	rejects := fs.String("rejects", "", "where --skip-invalid writes rejected rows (default: kexi-rejects.csv)")
	anon := fs.Bool("anonymous", false, "keep order rows with an empty customer cell as orders without a customer (default: reject them)")
	campaign := fs.String("campaign", "", "campaign external id for responses without a campaign column (default: the file name)")
	sheetName := fs.String("sheet", "", "XLSX sheet to read (default: the first with data)")
	at := fs.String("at", "", "date for surveys and responses in files without a date column (e.g. 2019-09-30)")
	dry := fs.Bool("dry-run", false, "read and check the files, write nothing")
	tz := fs.String("tz", "", tzHelp)
	lang := fs.String("lang", "en", "language of the reasons in the rejects file: en or zh")
	limits := limitFlags(env, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	lim, err := limits()
	if err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(env.Stderr, "kexi import: no files given")
		fs.Usage()
		return errUsage
	}
	if *custom && *skipUnknown {
		return kexi.Errorf(kexi.EINVALID, "--custom-fields and --skip-unknown contradict each other: give one")
	}
	if *lang != "en" && *lang != "zh" {
		return kexi.Errorf(kexi.EINVALID, "--lang %q: expected en or zh", *lang)
	}
	if *rejects != "" && !*skip {
		return kexi.Errorf(kexi.EINVALID, "--rejects needs --skip-invalid")
	}
	dates, err := recordDates(env, time.Now())
	if err != nil {
		return err
	}
	var mapping *sheet.Mapping
	if *mapFile != "" {
		data, err := os.ReadFile(*mapFile)
		if err != nil {
			return kexi.Errorf(kexi.EINVALID, "cannot read mapping file: %v", err)
		}
		if mapping, err = sheet.ParseMapping(data, *mapFile); err != nil {
			return err
		}
	}
	var st kexi.Store
	saved := "" // the database's time zone (a dry run opens no database: --tz, KEXI_TZ or the default)
	if !*dry {
		if st, err = openStore(ctx, env, *db); err != nil {
			return err
		}
		defer st.Close()
		set, err := st.Settings(ctx)
		if err != nil {
			return fmt.Errorf("read settings: %w", err)
		}
		saved = set.TimeZone
	}
	loc, err := zoneOf(env, *tz, saved)
	if err != nil {
		return err
	}
	if saved != "" && loc.String() != saved {
		fmt.Fprintf(env.Stderr, "kexi import: reading times without an offset as %s time; the database's time zone setting is %s, which the web UI and kexi analyze --db cut days and hours in (change it in Settings)\n", loc, saved)
	}
	var atTime time.Time
	if *at != "" {
		t, err := sheet.ParseDateWithin(*at, loc, dates)
		if err != nil {
			return kexi.Errorf(kexi.EINVALID, "--at %q: %v", *at, err)
		}
		atTime = t
	}
	opt := sheet.Options{Kind: *kind, Mapping: mapping, SkipUnknown: *skipUnknown, SkipInvalid: *skip,
		Anonymous: *anon, Campaign: *campaign, Sheet: *sheetName, At: atTime, Location: loc, Dates: dates, Limits: lim}
	var (
		results []*sheet.Result
		failed  []error
	)
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := importFile(ctx, env, st, path, opt)
		if res != nil && len(res.Rejects) > 0 && *skip {
			results = append(results, res)
		}
		if err != nil {
			if len(files) == 1 {
				return err
			}
			fmt.Fprintf(env.Stderr, "kexi import: %s\n", kexi.ErrorMessage(err))
			failed = append(failed, err)
		}
	}
	if len(results) > 0 {
		path := *rejects
		if path == "" {
			path = "kexi-rejects.csv"
		}
		if err := writeFileAtomic(path, func(w io.Writer) error {
			if *lang == "zh" {
				return sheet.WriteRejectsIn(w, "zh", results...)
			}
			return sheet.WriteRejects(w, results...) // English, with the flags that help
		}); err != nil {
			return fmt.Errorf("write rejects: %w", err)
		}
		n := 0
		for _, r := range results {
			n += r.Rejected
		}
		fmt.Fprintf(env.Stdout, "%d rejected rows written to %s\n", n, path)
	}
	if len(failed) > 0 {
		return &kexi.Error{Code: kexi.ErrorCode(failed[0]),
			Message: fmt.Sprintf("%d of %d files were not imported", len(failed), len(files))}
	}
	return nil
}

// streamImporter is a store that imports a file batch by batch in one transaction.
type streamImporter interface {
	ImportStream(ctx context.Context, feed func(put func(*kexi.Batch) error) error) (kexi.ImportStats, error)
}

// importRows is the number of records a batch of a streamed import holds (tests make it small).
var importRows = sheet.StreamRows

// importFile reads one file and imports it in one transaction, printing a summary. The file is
// streamed in batches (sheet.Stream), so only one batch of records is in memory; a file that cannot be
// streamed (an order whose lines are far apart) is read whole.
func importFile(ctx context.Context, env *Env, st kexi.Store, path string, opt sheet.Options) (*sheet.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, kexi.Errorf(kexi.EINVALID, "cannot open %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	cr := &countingReader{r: f, size: size}
	bar := startProgress(env, filepath.Base(path), size, cr)
	opt.Progress = bar.rows
	si, _ := st.(streamImporter)
	var (
		res      *sheet.Result
		stats    kexi.ImportStats
		sheetErr error
		records  int
	)
	switch {
	case st == nil: // dry run: read and count, keep nothing
		res, err = sheet.Stream(cr, path, opt, importRows, nil)
		sheetErr = err
	case si != nil:
		stats, err = si.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
			res, sheetErr = sheet.Stream(cr, path, opt, importRows, func(b *kexi.Batch) error {
				if err := put(b); err != nil {
					return &storeError{err}
				}
				return nil
			})
			return sheetErr
		})
		var se *storeError
		if errors.As(err, &se) {
			err, sheetErr = se.err, nil
		}
		if errors.Is(sheetErr, sheet.ErrSpread) { // rolled back: read the file whole
			fmt.Fprintf(env.Stderr, "%s: %v: reading the whole file at once\n", path, sheetErr)
			if _, err := cr.Seek(0, io.SeekStart); err != nil {
				bar.stop()
				return nil, fmt.Errorf("read %s again: %w", path, err)
			}
			si = nil
		}
	}
	if st != nil && si == nil {
		res, err = sheet.Read(cr, path, opt)
		sheetErr = err
		if err == nil {
			records = res.Batch.Len()
			stats, err = st.Import(ctx, res.Batch)
		}
	} else if res != nil {
		records = res.Records
	}
	bar.stop()
	if sheetErr != nil {
		return res, sheetErr
	}
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintf(env.Stderr, "%s: warning: %s\n", path, w)
		}
	}
	if st == nil { // dry run
		fmt.Fprintf(env.Stdout, "%s: %d rows of %s read, %d records, %d rejected (dry run: nothing written)\n",
			path, res.Rows, res.Kind, records, res.Rejected)
		printCustom(env.Stdout, res.Kind, res.Custom)
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("import %s: %w", path, err)
	}
	fmt.Fprintf(env.Stdout, "%s: %d rows of %s read", path, res.Rows, res.Kind)
	if res.Rejected > 0 {
		fmt.Fprintf(env.Stdout, ", %d rejected", res.Rejected)
	}
	fmt.Fprintln(env.Stdout)
	printCustom(env.Stdout, res.Kind, res.Custom)
	for _, k := range kexi.Kinds {
		in, up, un := stats.Inserted[k], stats.Updated[k], stats.Unchanged[k]
		if in+up+un > 0 {
			fmt.Fprintf(env.Stdout, "  %-12s %d inserted, %d updated, %d unchanged\n", k, in, up, un)
		}
	}
	if stats.Stubs > 0 {
		fmt.Fprintf(env.Stdout, "  %d stub customers created (named by records, not yet imported)\n", stats.Stubs)
	}
	return res, nil
}

// printCustom lists the columns kept as custom fields with their types, and says how to
// leave out the ones that matched no field.
func printCustom(w io.Writer, kind string, cols []sheet.Custom) {
	if len(cols) == 0 {
		return
	}
	guessed := 0
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%s (%s)", c.Name, c.Type)
		if c.Guessed {
			guessed++
		}
	}
	fmt.Fprintf(w, "  kept as custom fields of the %ss (custom.NAME in analyses and filters): %s\n",
		cols[0].Entity, strings.Join(parts, ", "))
	if cols[0].Entity == "customer" && kind != kexi.KindCustomers {
		fmt.Fprintln(w, "  (a customer's value comes from the first row naming it)")
	}
	if guessed > 0 {
		fmt.Fprintf(w, "  %d of these columns match no field of kexi's: --skip-unknown leaves them out\n", guessed)
	}
}

// writeFileAtomic writes a file through a temporary file in the same folder, so a failure
// leaves no half-written file behind.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// countingReader counts the bytes read through it, for the progress bar. Its Size is the
// file's, so that sheet.Read can tell how many rows to make room for.
type countingReader struct {
	r    io.Reader
	size int64
	n    atomic.Int64
}

func (c *countingReader) Size() int64 { return c.size }

// Seek goes back to the start of the file for a second reading (see sheet.Stream).
func (c *countingReader) Seek(offset int64, whence int) (int64, error) {
	n, err := c.r.(io.Seeker).Seek(offset, whence)
	c.n.Store(n)
	return n, err
}

// storeError is an error of the store's, passed through sheet.Stream.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress draws a progress bar on a terminal for files that take more than a second.
type progress struct {
	nrows atomic.Int64
	done  chan struct{}
	wg    sync.WaitGroup
}

func (p *progress) rows(n int) { p.nrows.Store(int64(n)) }

func (p *progress) stop() {
	if p.done != nil {
		close(p.done)
		p.wg.Wait()
	}
}

// startProgress starts drawing on env.Stderr when it is a terminal; otherwise it is silent.
func startProgress(env *Env, name string, size int64, cr *countingReader) *progress {
	p := &progress{}
	f, ok := env.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.done = make(chan struct{})
	p.wg.Add(1)
	start := time.Now()
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		drawn := false
		for {
			select {
			case <-p.done:
				if drawn {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
			}
			el := time.Since(start)
			if el < time.Second {
				continue
			}
			drawn = true
			read, rows := cr.n.Load(), p.nrows.Load()
			frac := 0.0
			if size > 0 {
				frac = min(float64(read)/float64(size), 1)
			}
			const width = 30
			fill := int(frac * width)
			fmt.Fprintf(f, "\r%s [%s%s] %3.0f%% %d rows, %.0f rows/s", name,
				strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100, rows, float64(rows)/el.Seconds())
		}
	}()
	return p
}
