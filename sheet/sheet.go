// Package sheet reads CSV and XLSX files into kexi records and writes records back out.
//
// Reading detects what the file is (gzip, XLSX, delimited text in UTF-8 or GB18030, comma,
// semicolon or tab separated), maps its headers to fields by a synonym table in English and
// Chinese (case, spacing and punctuation do not matter), recognises the kind of records from the
// headers, parses dates and numbers the way people write them, and returns a kexi.Batch for the
// store's Import plus the rows it rejected, each with file, row, column, value and reason.
//
// Writing (Write) uses the same table, so a file written in either language reads back into the
// same records.
package sheet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
)

// Options says how to read a file. The zero Options detects everything and rejects the whole
// file when any row is bad.
type Options struct {
	// Kind is the kind of records in the file (kexi.KindCustomers …); empty means recognise it
	// from the headers.
	Kind string
	// Mapping maps headers the synonym table does not know.
	Mapping *Mapping
	// SkipUnknown leaves out the columns that map to no field: they are listed in
	// Result.Unknown. Without it such columns are kept as typed custom fields (of the customer,
	// or of the lead in a lead file) and listed in Result.Custom.
	SkipUnknown bool
	// SkipInvalid keeps the good rows when some are bad; the bad ones go to Result.Rejects.
	// Without it any bad row makes Read return an error and an empty batch.
	SkipInvalid bool
	// Anonymous keeps order rows whose customer cell is empty as orders without a customer,
	// rather than rejecting them. (A file with no customer column at all always gives
	// anonymous orders.)
	Anonymous bool
	// Campaign is the external id of the campaign that responses without a campaign column
	// answer; empty means the file's base name.
	Campaign string
	// At is the time given to surveys (and responses) when the file has no time for them;
	// a survey without a time is rejected otherwise.
	At time.Time
	// Sheet names the XLSX sheet to read; empty means the first sheet with data.
	Sheet string
	// Progress, when set, is called every few thousand rows with the number of rows read.
	Progress func(rows int)
	// Location is the business's time zone: a time without a zone (and a date alone) is read
	// as wall-clock time there. Nil means UTC.
	Location *time.Location
	// Dates is the range a record's times must lie in (kexi.DatesUntil(now, years)); a date
	// outside it is a bad value. The zero Dates checks kexi.Earliest to kexi.Latest.
	Dates kexi.Dates
	// Limits bounds the file's cells, lines, unpacked size and rows; zero fields mean
	// DefaultLimits.
	Limits Limits
	// NoItems leaves order lines (and the products they name) out of the batch, for a reader
	// that uses none: a million lines take 80 MB. Lines are still read when the order totals
	// come from them (a file with quantity and price but no amount).
	NoItems bool
}

// Column says what one header of a file was mapped to: a field's JSON name ("amount",
// "items.sku"), "customer.FIELD" for a field of the customer a record names, "custom.NAME" for
// a custom field, or "" when it is not imported.
type Column struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Reject is one problem with one row, with the row's cells as they were in the file.
type Reject struct {
	kexi.FieldProblem
	// Code says why (one of the Reason… constants; "" for a reason only Reason says) and Args
	// the values the reason names: ReasonIn writes them in a language.
	Code  string   `json:"code,omitempty"`
	Args  []string `json:"args,omitempty"`
	Cells []string `json:"cells,omitempty"`
}

// Result is what Read made of a file.
type Result struct {
	File     string      `json:"file"`
	Kind     string      `json:"kind"`
	Format   Format      `json:"format"`
	Header   []string    `json:"header"`
	Columns  []Column    `json:"columns"`
	Rows     int         `json:"rows"` // data rows read (not counting the header and empty rows)
	Batch    *kexi.Batch `json:"-"`
	Rejects  []Reject    `json:"rejects,omitempty"`
	Rejected int         `json:"rejected"`          // rows rejected (a row may have several problems)
	Unknown  []string    `json:"unknown,omitempty"` // columns not imported: they match no field
	Custom   []Custom    `json:"custom,omitempty"`  // columns kept as custom fields
	Warnings []string    `json:"warnings,omitempty"`
	// Sample holds the cells of the first few data rows (at most SampleRows), for a preview.
	Sample [][]string `json:"sample,omitempty"`
	// Currency is the currency (ISO code) that symbols in the first rows' amounts name: £ is
	// GBP, € EUR, $ USD, ¥ CNY; "" when they name none.
	Currency string `json:"currency,omitempty"`
	// Records counts the records Stream sent (Read leaves it 0: see Batch).
	Records int `json:"-"`
}

// SampleRows is how many data rows Result.Sample holds; Result.Currency looks at the amounts of
// the first currencyRows rows.
const (
	SampleRows   = 5
	currencyRows = 1000
)

// Custom is a column kept as a custom field: its header, the entity whose field it is
// ("customer" or "lead"), the field's name and the type inferred from its values (or given by
// the mapping file). Guessed is true for a column that matched no field and is kept only
// because unknown columns are kept by default. In a file of records that name a customer
// (orders, surveys …) a customer's value is taken from the first row naming it.
type Custom struct {
	Header  string         `json:"header"`
	Entity  string         `json:"entity"`
	Name    string         `json:"name"`
	Type    kexi.FieldType `json:"type"`
	Guessed bool           `json:"guessed,omitempty"`
}

// maxProblems caps the problems an error carries; the rejects file has them all.
const maxProblems = 1000

// Read reads one CSV, gzip-compressed CSV or XLSX file; name is its file name, used in
// messages and for generated external ids. It returns an error with code kexi.EINVALID when the
// file cannot be read as a sheet, its kind cannot be told, or (without SkipInvalid) any row is
// bad: the error's problems name file, row, column, value and what was expected, and the
// Result's batch is empty, so nothing is half-imported. A file over opt.Limits gives a
// *LimitError (code kexi.EINVALID) naming the limit, soon after the reading reaches it.
func Read(r io.Reader, name string, opt Options) (*Result, error) {
	return readRows(r, name, opt, nil)
}

// errEmpty is the reason a file without a header row cannot be imported.
var errEmpty = errors.New("the file is empty: expected a header row and data rows")

// fileError is the error for a file that cannot be read on (for the reason err gives, at
// row, 0 for none): the *LimitError when err is over a limit, else EINVALID naming the file.
func fileError(name string, row int, err error) error {
	if le := limitErr(err, name, row); le != nil {
		return le
	}
	return &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("cannot import %s", name),
		Problems: []kexi.FieldProblem{{File: name, Row: row, Reason: err.Error()}}}
}

// readRows is Read, or Stream when st is set.
func readRows(r io.Reader, name string, opt Options, st *streamer) (*Result, error) {
	res := &Result{File: name, Batch: &kexi.Batch{}}
	size := sizeOf(r)
	cr := &countReader{r: r}
	lim := opt.Limits.orDefault()
	src, format, err := openRows(cr, opt.Sheet, lim)
	res.Format = format
	if err != nil {
		return res, fileError(name, 0, err)
	}
	// The header comes straight from the file; the data rows from a reading goroutine that
	// also trims and parses their cells (see prepper), once the header says what the columns are.
	closeRows := src.Close // the prefetch's Close once there is one: it closes src too
	defer func() { closeRows() }()
	var header []string
	for {
		cells, err := src.Next()
		if err == io.EOF {
			return res, fileError(name, 0, errEmpty)
		}
		if err != nil {
			return res, fileError(name, 0, err)
		}
		if !blank(cells) {
			header = headerOf(cells)
			break
		}
	}
	res.Header = header
	b, err := newBuilder(res, header, opt)
	if err != nil {
		return res, err
	}
	rows := newPrefetch(src, cr.n.Load, &prepper{cols: b.cols, loc: opt.Location, dates: opt.Dates})
	closeRows = rows.Close
	row := 0
	for {
		cells, vals, err := rows.Next()
		if err == io.EOF {
			break
		}
		if err == nil && row >= lim.Rows {
			err = &overLimit{limit: "rows", max: int64(lim.Rows)}
		}
		if err != nil {
			res.Batch = &kexi.Batch{}
			return res, fileError(name, row+1, err)
		}
		row++
		if blank(cells) {
			continue
		}
		res.Rows++
		if len(res.Sample) < SampleRows {
			res.Sample = append(res.Sample, slices.Clone(cells))
		}
		if st != nil && b.full(st.rows) {
			if err := b.cut(st, false); err != nil {
				return res, err
			}
		}
		b.row(row, cells, vals)
		if b.spread != "" {
			return res, &spreadError{file: name, row: row, order: b.spread}
		}
		if st == nil && res.Rows == estimateAt && size > 0 && rows.read < size {
			// Extrapolate the records still to come from the bytes read so far, and make room
			// for them once. The count includes what the buffers read ahead, so it errs low.
			b.reserve(int(float64(size) / float64(rows.read) * float64(res.Rows) * 1.1))
		}
		if opt.Progress != nil && row&0x1fff == 0 {
			opt.Progress(row)
		}
	}
	if opt.Progress != nil {
		opt.Progress(row)
	}
	if st == nil || !st.cuts {
		b.finish()
	}
	if len(res.Rejects) > 0 && !opt.SkipInvalid {
		e := &kexi.Error{Code: kexi.EINVALID,
			Message: fmt.Sprintf("%s: %d of %d rows are invalid; nothing was imported from this file (fix them, or use --skip-invalid to import the good rows and write the bad ones to a rejects file)",
				name, res.Rejected, res.Rows)}
		for i, rj := range res.Rejects {
			if i == maxProblems {
				e.Problems = append(e.Problems, kexi.FieldProblem{File: name,
					Reason: fmt.Sprintf("… and %d more problems", len(res.Rejects)-i)})
				break
			}
			e.Problems = append(e.Problems, rj.FieldProblem)
		}
		res.Batch = &kexi.Batch{}
		return res, e
	}
	if st != nil {
		if st.cuts {
			return res, b.cut(st, true)
		}
		return res, st.send(b, res.Batch)
	}
	return res, nil
}

// estimateAt is the row after which Read estimates how many rows the file has.
const estimateAt = 16384

// sizeOf is the size in bytes of what r reads, or 0 when it cannot tell.
func sizeOf(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// reserve makes room for the records of rows rows in all, extrapolated from the rows so far:
// the batch's slices of large records would otherwise be copied each time they grow, and the
// garbage collector has to stop the copy to scan. Only the kind's own records are reserved;
// customers and products named by the rows grow more slowly than the rows do.
func (b *builder) reserve(rows int) {
	done := b.res.Rows
	if rows <= done {
		return
	}
	bt := b.res.Batch
	scale := func(n int) int { return n * rows / done }
	switch b.kind.name {
	case kexi.KindOrders:
		reserve(&bt.Orders, scale)
		m := make(map[string]int, scale(len(b.orderIdx)))
		for k, v := range b.orderIdx {
			m[k] = v
		}
		b.orderIdx = m
	case kexi.KindCustomers:
		reserve(&bt.Customers, scale)
	}
	// Only a file of their own kind makes these records, so the others' are empty and stay so.
	reserve(&bt.Interactions, scale)
	reserve(&bt.Events, scale)
	reserve(&bt.Surveys, scale)
	reserve(&bt.Leads, scale)
	reserve(&bt.Responses, scale)
}

// reserve gives *s room for scale(len(*s)) elements.
func reserve[T any](s *[]T, scale func(int) int) {
	if n := scale(len(*s)); n > cap(*s) {
		*s = append(make([]T, 0, n), *s...)
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// baseName is the file name without directory and extensions: "bank-full" for
// "data/bank-full.csv.gz".
func baseName(name string) string {
	b := filepath.Base(name)
	for {
		ext := filepath.Ext(b)
		switch strings.ToLower(ext) {
		case ".gz", ".csv", ".xlsx", ".txt", ".tsv":
			b = strings.TrimSuffix(b, ext)
			continue
		}
		return b
	}
}

// colMap is what one column of the file feeds.
type colMap struct {
	idx     int
	header  string
	f       *field
	custom  string // custom field name when f is nil
	unknown bool   // the column matched no field and is kept as a custom field
}

// builder turns rows into the records of a batch.
type builder struct {
	res  *Result
	opt  Options
	kind *kindDef
	cols []colMap
	base string

	mapped   map[string]bool // field names that have a column
	hasCust  bool            // the file has a column naming the record's customer
	hasID    bool            // the file has an external id column
	side     bool            // columns fill the record's customer
	customTo string          // "customer", "lead" or "" (custom values dropped)

	// scratch records, reset for every row
	r  rec
	sc struct {
		o  kexi.Order
		it kexi.OrderItem
		p  kexi.Product
		x  kexi.Interaction
		e  kexi.WebEvent
		s  kexi.SurveyResponse
		l  kexi.Lead
		cp kexi.Campaign
		r  kexi.CampaignResponse
		k  kexi.Competitor
		w  kexi.SWOTItem
	}
	cust     kexi.Customer
	custom   map[string]string
	problems []Reject

	seen      map[string]int // external id → row, for duplicate detection
	pendingID string         // the id the current row claims once it is accepted
	orderIdx  map[string]int
	items     []kexi.OrderItem // the chunk order lines are being cut from
	lastOrder int              // the order whose lines end items
	keepLines bool             // order lines are kept (see Options.NoItems)
	sideIdx   map[string]int
	prodIdx   map[string]int
	campaigns map[string]bool

	// When streaming (see Stream): the products of earlier batches as they were sent, and
	// the external id of an order whose lines came before the batch being built (a batch was
	// cut between them).
	prodSent map[string]kexi.Product
	resent   int
	spread   string
	// orderOf, when set, finds the customer of an order read earlier by its external id, for
	// a reader that keeps the orders itself (ReadTable) and calls row only for the rows it
	// rejects.
	orderOf func(externalID string) (customer string, ok bool)
}

func newBuilder(res *Result, header []string, opt Options) (*builder, error) {
	kindName := opt.Kind
	if kindName == "" && opt.Mapping != nil {
		kindName = opt.Mapping.Kind
	}
	var k *kindDef
	if kindName != "" {
		k = kinds[strings.ToLower(kindName)]
		if k == nil {
			return nil, kexi.Errorf(kexi.EINVALID, "unknown kind %q: expected one of %s", kindName, strings.Join(kindNames(), ", "))
		}
	} else {
		k = detectKind(header, opt.Mapping)
		if k == nil {
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("cannot import %s", res.File),
				Problems: []kexi.FieldProblem{{File: res.File, Reason: fmt.Sprintf(
					"cannot tell what kind of records the headers (%s) hold: give --kind (%s) or a --map file",
					strings.Join(header, ", "), strings.Join(kindNames(), "|"))}}}
		}
	}
	res.Kind = k.name
	b := &builder{res: res, opt: opt, kind: k, base: baseName(res.File), mapped: map[string]bool{},
		seen: map[string]int{}, orderIdx: map[string]int{}, lastOrder: -1, sideIdx: map[string]int{}, prodIdx: map[string]int{},
		campaigns: map[string]bool{}}
	switch {
	case k.custom != nil:
		b.customTo = "customer"
		if k.name == kexi.KindLeads {
			b.customTo = "lead"
		}
	case k.customer != nil:
		b.customTo = "customer"
	}
	used := map[*field]string{}
	var unknown []string
	for i, h := range header {
		cm := colMap{idx: i, header: h}
		target, how := mapColumn(k, h, opt.Mapping)
		switch how {
		case mapSkip:
		case mapField:
			if prev, dup := used[target.f]; dup {
				res.Warnings = append(res.Warnings, fmt.Sprintf("columns %q and %q both map to %s: the later one wins", prev, h, target.f.name))
			}
			used[target.f] = h
			cm.f = target.f
		case mapCustom:
			cm.custom = target.custom
		case mapUnknown:
			if !opt.SkipUnknown && slug(h) != "" {
				cm.custom, cm.unknown = slug(h), true
			} else {
				unknown = append(unknown, h)
			}
		}
		if cm.custom != "" && b.customTo == "" {
			if cm.unknown {
				unknown = append(unknown, h)
			} else {
				res.Warnings = append(res.Warnings, fmt.Sprintf("column %q: %s have no custom fields; skipped", h, k.name))
			}
			cm.custom = ""
		}
		field := ""
		switch {
		case cm.f != nil:
			field = cm.f.name
			b.mapped[cm.f.name] = true
		case cm.custom != "":
			field = "custom." + cm.custom
		}
		res.Columns = append(res.Columns, Column{Header: h, Field: field})
		if cm.f != nil || cm.custom != "" {
			b.cols = append(b.cols, cm)
		}
	}
	b.hasID = b.mapped["external_id"] || b.mapped["account"]
	b.hasCust = b.mapped["customer"]
	b.keepLines = !opt.NoItems || !b.mapped["amount"]
	if k.custom == nil && k.customer != nil && !b.hasCust && k.name != kexi.KindResponses {
		// custom and customer fields go to the customer a record names: none here
		kept := b.cols[:0]
		for _, c := range b.cols {
			if c.unknown {
				unknown = append(unknown, c.header)
				for j := range res.Columns {
					if res.Columns[j].Header == c.header {
						res.Columns[j].Field = ""
					}
				}
				continue
			}
			if c.custom != "" || c.f.side() {
				res.Warnings = append(res.Warnings, fmt.Sprintf("column %q skipped: the file has no customer column for it to describe", c.header))
				for j := range res.Columns {
					if res.Columns[j].Header == c.header {
						res.Columns[j].Field = ""
					}
				}
				continue
			}
			kept = append(kept, c)
		}
		b.cols = kept
	}
	res.Unknown = unknown
	if len(unknown) > 0 {
		why := "no matching field"
		switch {
		case opt.SkipUnknown:
			why += ", --skip-unknown"
		case b.customTo == "":
			why += "; " + k.name + " have no custom fields"
		default:
			why += "; the file has no customer column for them to describe"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d columns not imported (%s; a --map file can name their fields): %s",
			len(unknown), why, strings.Join(unknown, ", ")))
	}
	for _, c := range b.cols {
		if (c.f != nil && c.f.side()) || (c.custom != "" && k.custom == nil) {
			b.side = true
		}
	}
	if len(b.cols) == 0 {
		return nil, &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("cannot import %s", res.File),
			Problems: []kexi.FieldProblem{{File: res.File, Reason: fmt.Sprintf("no column maps to a field of %s", k.name)}}}
	}
	if !b.keepLines {
		// The line columns are neither parsed nor named in Present: the batch holds no lines,
		// and an upsert must not take that for "no lines".
		kept := b.cols[:0]
		for _, c := range b.cols {
			if c.f == nil || !c.f.line {
				kept = append(kept, c)
			}
		}
		b.cols = kept
	}
	b.present()
	return b, nil
}

type mapHow int

const (
	mapUnknown mapHow = iota
	mapField
	mapCustom
	mapSkip
)

type mapTarget struct {
	f      *field
	custom string
}

// mapColumn finds what a header maps to in kind k: the mapping file first, then "custom.NAME",
// then the kind's synonyms, then the synonyms of its customer's fields.
func mapColumn(k *kindDef, h string, m *Mapping) (mapTarget, mapHow) {
	nh := normHeader(h)
	if m != nil {
		for col, to := range m.Columns {
			if normHeader(col) != nh {
				continue
			}
			to = strings.TrimSpace(to)
			if to == "" || to == "-" {
				return mapTarget{}, mapSkip
			}
			if c, ok := strings.CutPrefix(to, "custom."); ok {
				return mapTarget{custom: slug(c)}, mapCustom
			}
			if f := fieldByName(k, to); f != nil {
				return mapTarget{f: f}, mapField
			}
		}
		for col, to := range m.CustomFields {
			if normHeader(col) == nh {
				return mapTarget{custom: slug(to)}, mapCustom
			}
		}
	}
	if c, ok := strings.CutPrefix(strings.TrimSpace(h), "custom."); ok && slug(c) != "" {
		return mapTarget{custom: slug(c)}, mapCustom
	}
	if nh == "" {
		return mapTarget{}, mapUnknown
	}
	if f := synonymIndex(k)[nh]; f != nil {
		return mapTarget{f: f}, mapField
	}
	return mapTarget{}, mapUnknown
}

// fieldByName finds a field of k by JSON name ("amount", "customer.country", "won_date").
func fieldByName(k *kindDef, name string) *field {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, f := range k.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

var synIndexes = map[string]map[string]*field{}

func init() {
	for name, k := range kinds {
		idx := map[string]*field{}
		for pass := 0; pass < 2; pass++ { // the kind's own fields win over its customer's
			for _, f := range k.fields {
				if f.side() != (pass == 1) {
					continue
				}
				for _, s := range append(append([]string(nil), f.en...), f.zh...) {
					n := normHeader(s)
					if _, taken := idx[n]; !taken && n != "" {
						idx[n] = f
					}
				}
			}
		}
		synIndexes[name] = idx
	}
}

func synonymIndex(k *kindDef) map[string]*field { return synIndexes[k.name] }

// detectKind scores every kind by how many headers map to its fields (plus two when one of
// its telling fields is there) and returns the best, or nil when nothing fits.
func detectKind(header []string, m *Mapping) *kindDef {
	var best *kindDef
	bestScore := 0
	for _, name := range kindNames() {
		k := kinds[name]
		score, telling := 0, false
		for _, h := range header {
			t, how := mapColumn(k, h, m)
			if how != mapField {
				continue
			}
			score++
			for _, req := range k.required {
				if t.f.name == req {
					telling = true
				}
			}
		}
		if telling {
			score += 2
		}
		if score > bestScore {
			best, bestScore = k, score
		}
	}
	if bestScore < 3 {
		return nil
	}
	return best
}

// present fills Batch.Present from the mapped columns, so upserts touch only what the file has.
func (b *builder) present() {
	k := b.kind
	own := map[string]bool{"external_id": true}
	side := map[string]bool{"external_id": true}
	for _, c := range b.cols {
		switch {
		case c.f != nil && c.f.side():
			for _, p := range c.f.present {
				side[p] = true
			}
		case c.f != nil:
			for _, p := range c.f.present {
				own[p] = true
			}
		case k.custom != nil:
			own["custom."+c.custom] = true
		default:
			side["custom."+c.custom] = true
		}
	}
	switch k.name {
	case kexi.KindOrders:
		if b.mapped["items.quantity"] || b.mapped["items.unit_price"] {
			if !b.mapped["amount"] {
				own["amount"], own["status"], own["returned"] = true, true, true
			}
		}
	case kexi.KindSurveys:
		own["kind"] = true
		if !b.opt.At.IsZero() {
			own["at"] = true
		}
	case kexi.KindResponses:
		own["campaign"], own["customer"] = true, true
		if !b.opt.At.IsZero() {
			own["at"] = true
		}
	}
	list := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for n := range m {
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	b.res.Batch.Present = map[string][]string{k.name: list(own)}
	if k.name == kexi.KindResponses && !b.hasCust {
		b.side = true // generated customers are written even with no customer column
	}
	if b.side {
		b.res.Batch.Present[kexi.KindCustomers] = list(side)
	}
}

// reset clears the scratch records for a new row.
func (b *builder) reset() {
	r := &b.r
	*r = rec{}
	b.problems = b.problems[:0]
	b.custom = nil
	switch b.kind.name {
	case kexi.KindCustomers:
		b.cust = kexi.Customer{}
		r.c = &b.cust
		return
	case kexi.KindOrders:
		b.sc.o, b.sc.it = kexi.Order{}, kexi.OrderItem{}
		r.o, r.it = &b.sc.o, &b.sc.it
	case kexi.KindProducts:
		b.sc.p = kexi.Product{}
		r.p = &b.sc.p
	case kexi.KindInteractions:
		b.sc.x = kexi.Interaction{}
		r.x = &b.sc.x
	case kexi.KindEvents:
		b.sc.e = kexi.WebEvent{}
		r.e = &b.sc.e
	case kexi.KindSurveys:
		b.sc.s = kexi.SurveyResponse{}
		r.s = &b.sc.s
	case kexi.KindLeads:
		b.sc.l = kexi.Lead{}
		r.l = &b.sc.l
	case kexi.KindCampaigns:
		b.sc.cp = kexi.Campaign{}
		r.cp = &b.sc.cp
	case kexi.KindResponses:
		b.sc.r = kexi.CampaignResponse{}
		r.r = &b.sc.r
	case kexi.KindCompetitors:
		b.sc.k = kexi.Competitor{}
		r.k = &b.sc.k
	case kexi.KindSWOT:
		b.sc.w = kexi.SWOTItem{}
		r.w = &b.sc.w
	}
	// The customer a record names is filled by the row's side columns; without any (b.side
	// false) nothing writes to it, and zeroing its 400 bytes on every row is wasted.
	if b.side {
		b.cust = kexi.Customer{}
	}
	r.c = &b.cust
}

func (b *builder) problem(row int, col, value, reason string) {
	b.problems = append(b.problems, Reject{FieldProblem: kexi.FieldProblem{File: b.res.File, Row: row, Column: col, Value: value, Reason: reason}})
}

// coded records a problem with its reason code and the code's args; reason is the English
// text the CLI shows.
func (b *builder) coded(row int, col, value, code, reason string, args ...string) {
	b.problems = append(b.problems, Reject{FieldProblem: kexi.FieldProblem{File: b.res.File, Row: row, Column: col, Value: value, Reason: reason},
		Code: code, Args: args})
}

// cellProblem records a cell that did not parse.
func (b *builder) cellProblem(row int, col, value string, err error) {
	code, args := "", []string(nil)
	var ce *codedErr
	switch {
	case errors.As(err, &ce):
		code, args = ce.code, ce.args
	case err == errDate:
		code = ReasonBadDate
	case err == errNumber:
		code = ReasonBadNumber
	case err == errInt:
		code = ReasonBadInt
	case err == errBool:
		code = ReasonBadBool
	}
	b.coded(row, col, value, code, err.Error(), args...)
}

// row reads one data row (row is its 1-based number) whose cells the prepper has trimmed and
// parsed into vals, one per column of b.cols.
func (b *builder) row(row int, cells []string, vals []val) {
	b.reset()
	r := &b.r
	for i := range b.cols {
		c := &b.cols[i]
		v := &vals[i]
		s := v.s
		if c.f == nil {
			if s != "" {
				if b.custom == nil {
					b.custom = map[string]string{}
				}
				b.custom[c.custom] = s
			}
			continue
		}
		if s == "" && !c.f.empty {
			continue
		}
		if v.err != nil {
			b.cellProblem(row, c.header, s, v.err)
			continue
		}
		if row <= currencyRows && c.f.typ == tNumber && b.res.Currency == "" && s != "" && (s[0] < '0' || s[0] > '9' || s[len(s)-1] < '0' || s[len(s)-1] > '9') {
			b.res.Currency = currencyOf(s)
		}
		switch c.f.name {
		case "stages":
			st, err := parseStages(s, b.opt.Location, b.opt.Dates)
			if err != nil {
				b.problem(row, c.header, s, err.Error())
				continue
			}
			r.l.Stages = append(r.l.Stages, st...)
		case "shares":
			sh, err := parseShares(s)
			if err != nil {
				b.problem(row, c.header, s, err.Error())
				continue
			}
			r.k.Shares = sh
		default:
			c.f.set(r, v)
		}
	}
	b.commit(row, cells)
}

// prepper trims a row's cells and parses them by their column's type. It runs on the reading
// goroutine, so it has state of its own (the last date parsed: files often repeat one) and
// reads the builder's columns, which do not change once the builder is made.
type prepper struct {
	cols     []colMap
	loc      *time.Location
	dates    kexi.Dates
	lastDate string
	lastTime time.Time
}

// prep fills vals (one per column) from cells.
func (p *prepper) prep(cells []string, vals []val) {
	for i := range p.cols {
		c := &p.cols[i]
		v := &vals[i]
		*v = val{}
		if c.idx < len(cells) {
			v.s = strings.TrimSpace(cells[c.idx])
		}
		if c.f != nil && v.s != "" {
			v.err = p.parse(c.f.typ, v)
		}
	}
}

// parse parses v.s as typ into v.
func (p *prepper) parse(typ ftype, v *val) error {
	var err error
	switch typ {
	case tNumber:
		v.f, err = ParseNumber(v.s)
	case tInt:
		v.f, err = ParseNumber(v.s)
		if err == nil && (v.f != math.Trunc(v.f) || math.Abs(v.f) > 1e15) {
			err = errInt
		}
	case tDate:
		if v.s == p.lastDate {
			v.t = p.lastTime
			return nil
		}
		v.t, err = ParseDateWithin(v.s, p.loc, p.dates)
		if err == nil {
			p.lastDate, p.lastTime = v.s, v.t
		}
	case tBool:
		v.b, err = ParseBool(v.s)
	}
	return err
}

func (b *builder) genID(row int) string { return b.base + "-" + strconv.Itoa(row) }

// commit validates the row's records and adds them to the batch, or rejects the row.
func (b *builder) commit(row int, cells []string) {
	r := &b.r
	bt := b.res.Batch
	noCustomer := "no customer: the row names no customer id"
	switch b.kind.name {
	case kexi.KindCustomers:
		c := r.c
		if c.ExternalID == "" {
			if b.hasID {
				b.coded(row, b.colOf("external_id", "account"), "", ReasonNoCustomerID, "no customer id")
			} else {
				c.ExternalID = b.genID(row)
			}
		}
		c.Custom = b.custom
		b.dup(row, c.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Customers = add(bt.Customers, *c)
	case kexi.KindOrders:
		o, it := r.o, r.it
		if o.Customer == "" && b.hasCust && !b.opt.Anonymous {
			b.coded(row, b.colOf("customer"), "", ReasonNoCustomer, noCustomer+" (use --anonymous to keep such orders without a customer, or --skip-invalid to leave them out)")
		}
		if o.OrderedAt.IsZero() {
			b.coded(row, b.colOf("ordered_at"), "", ReasonNoOrderDate, "no order date: "+errDate.Error())
		}
		if !b.hasID {
			o.ExternalID = b.genID(row)
		}
		if r.paid != 0 && o.Status == "" {
			o.Status = kexi.StatusCompleted
			if r.paid == 1 {
				o.Status = kexi.StatusPending
			}
		}
		// An order's lines usually come one after another: try the last order before the map.
		i, exists := len(bt.Orders)-1, false
		if i >= 0 && o.ExternalID != "" && bt.Orders[i].ExternalID == o.ExternalID {
			exists = true
		} else {
			i, exists = b.orderIdx[o.ExternalID]
		}
		if exists && i < 0 { // its lines went out with an earlier batch
			b.spread = o.ExternalID
			return
		}
		prev := ""
		if exists {
			prev = bt.Orders[i].Customer
		}
		if b.orderOf != nil { // ReadTable keeps the orders
			prev, exists = b.orderOf(o.ExternalID)
		}
		if exists && o.ExternalID != "" && prev != o.Customer {
			b.coded(row, b.colOf("customer"), o.Customer, ReasonOrderCustomer, fmt.Sprintf("order %s already has lines for customer %q", o.ExternalID, prev),
				o.ExternalID, prev)
		}
		if b.reject(row, cells) {
			return
		}
		if !exists || o.ExternalID == "" {
			i = len(bt.Orders)
			bt.Orders = add(bt.Orders, *o)
			if o.ExternalID != "" {
				b.orderIdx[o.ExternalID] = i
			}
		}
		if r.hasItem {
			b.addItem(&bt.Orders[i], i, it)
			if it.SKU != "" {
				b.product(it)
			}
		}
		b.sideCustomer(o.Customer)
	case kexi.KindProducts:
		if r.p.ExternalID == "" {
			b.coded(row, b.colOf("external_id"), "", ReasonNoSKU, "no SKU (product id)")
		}
		b.dup(row, r.p.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Products = add(bt.Products, *r.p)
	case kexi.KindInteractions:
		x := r.x
		if x.Customer == "" {
			b.coded(row, b.colOf("customer"), "", ReasonNoCustomer, noCustomer)
		}
		if x.At.IsZero() {
			b.coded(row, b.colOf("at"), "", ReasonNoTime, "no time: "+errDate.Error())
		}
		b.ensureID(row, &x.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Interactions = add(bt.Interactions, *x)
		b.sideCustomer(x.Customer)
	case kexi.KindEvents:
		e := r.e
		if e.At.IsZero() {
			b.coded(row, b.colOf("at"), "", ReasonNoTime, "no time: "+errDate.Error())
		}
		if e.Type == "" {
			b.coded(row, b.colOf("type"), "", ReasonNoEventType, "no event type (page_view, click, search, add_to_cart, …)")
		}
		b.ensureID(row, &e.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Events = add(bt.Events, *e)
		b.sideCustomer(e.Customer)
	case kexi.KindSurveys:
		s := r.s
		if s.Customer == "" {
			b.coded(row, b.colOf("customer"), "", ReasonNoCustomer, noCustomer)
		}
		if s.Kind == "" {
			s.Kind = kexi.CSAT
		}
		if s.At.IsZero() {
			s.At = b.opt.At
		}
		if s.At.IsZero() {
			b.coded(row, b.colOf("at"), "", ReasonNoSurveyDate, "no survey date: the row has none (give --at DATE when the file has no date column)")
		}
		if !b.mapped["score"] {
			b.coded(row, "", "", ReasonNoScore, "no score column")
		} else if lo, hi, ok := kexi.ScoreRange(s.Kind); ok && (s.Score < lo || s.Score > hi) {
			b.coded(row, b.colOf("score"), formatNumber(s.Score), ReasonScoreRange, fmt.Sprintf("expected a %s score from %g to %g", strings.ToUpper(s.Kind), lo, hi),
				strings.ToUpper(s.Kind), fmt.Sprint(lo), fmt.Sprint(hi))
		}
		b.ensureID(row, &s.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Surveys = add(bt.Surveys, *s)
		b.sideCustomer(s.Customer)
	case kexi.KindLeads:
		l := r.l
		if !r.closeAt.IsZero() {
			if l.Stage == "" {
				b.coded(row, b.colOf("close_date"), formatTime(r.closeAt), ReasonCloseNoStage, "a close date needs a stage column saying won or lost")
			} else {
				l.Stages = append(l.Stages, kexi.StageEntry{Stage: l.Stage, EnteredAt: r.closeAt})
			}
		}
		if !l.CreatedAt.IsZero() && !b.mapped["stages"] && !hasStage(l.Stages, kexi.StageNew) {
			l.Stages = append([]kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: l.CreatedAt}}, l.Stages...)
		}
		sort.SliceStable(l.Stages, func(i, j int) bool { return l.Stages[i].EnteredAt.Before(l.Stages[j].EnteredAt) })
		if l.Stage == "" {
			l.Stage = kexi.StageNew
			if n := len(l.Stages); n > 0 {
				l.Stage = l.Stages[n-1].Stage
			}
		}
		l.Custom = b.custom
		b.ensureID(row, &l.ExternalID)
		b.dup(row, l.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Leads = add(bt.Leads, *l)
	case kexi.KindCampaigns:
		c := r.cp
		b.ensureID(row, &c.ExternalID)
		if c.Name == "" {
			c.Name = c.ExternalID
		}
		if !c.Start.IsZero() && !c.End.IsZero() && c.End.Before(c.Start) {
			b.coded(row, b.colOf("end"), formatTime(c.End), ReasonCampaignEnd, "the campaign ends before it starts")
		}
		b.dup(row, c.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Campaigns = add(bt.Campaigns, *c)
	case kexi.KindResponses:
		x := r.r
		if x.Customer == "" {
			if b.hasCust {
				b.coded(row, b.colOf("customer"), "", ReasonNoCustomer, noCustomer)
			} else {
				x.Customer = b.genID(row)
			}
		}
		if x.At.IsZero() {
			x.At = b.opt.At
		}
		if x.Campaign == "" {
			x.Campaign = b.opt.Campaign
			if x.Campaign == "" {
				x.Campaign = b.base
			}
		}
		b.ensureID(row, &x.ExternalID)
		b.dup(row, x.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Responses = add(bt.Responses, *x)
		if !b.campaigns[x.Campaign] {
			b.campaigns[x.Campaign] = true
			bt.Campaigns = add(bt.Campaigns, kexi.Campaign{ExternalID: x.Campaign, Name: x.Campaign})
			if bt.Present[kexi.KindCampaigns] == nil {
				bt.Present[kexi.KindCampaigns] = []string{"external_id"}
			}
		}
		b.sideCustomer(x.Customer)
	case kexi.KindCompetitors:
		c := r.k
		if c.Name == "" {
			b.coded(row, b.colOf("name"), "", ReasonNoCompetitor, "no competitor name")
		}
		b.ensureID(row, &c.ExternalID)
		b.dup(row, c.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.Competitors = add(bt.Competitors, *c)
	case kexi.KindSWOT:
		w := r.w
		switch w.Kind {
		case "S", "W", "O", "T":
		default:
			b.coded(row, b.colOf("kind"), w.Kind, ReasonSWOTKind, "expected S, W, O or T (strength, weakness, opportunity, threat / 优势, 劣势, 机会, 威胁)")
		}
		if w.Text == "" {
			b.coded(row, b.colOf("text"), "", ReasonNoText, "no text")
		}
		if w.Impact < 0 || w.Impact > 5 {
			b.coded(row, b.colOf("impact"), strconv.Itoa(w.Impact), ReasonImpactRange, "expected an impact from 1 (low) to 5 (high)")
		}
		b.ensureID(row, &w.ExternalID)
		b.dup(row, w.ExternalID)
		if b.reject(row, cells) {
			return
		}
		bt.SWOT = add(bt.SWOT, *w)
	}
}

func hasStage(st []kexi.StageEntry, stage string) bool {
	for _, e := range st {
		if e.Stage == stage {
			return true
		}
	}
	return false
}

// ensureID gives a record without an external id column a deterministic one (file base name
// and row), so importing the same file again updates instead of duplicating.
func (b *builder) ensureID(row int, id *string) {
	if *id == "" && !b.hasID {
		*id = b.genID(row)
	}
}

// dup reports an external id that an earlier row of the file already had.
func (b *builder) dup(row int, id string) {
	if id == "" {
		return
	}
	if prev, ok := b.seen[id]; ok {
		b.coded(row, b.colOf("external_id", "account"), id, ReasonDuplicateID, fmt.Sprintf("duplicate id: row %d has it too", prev), strconv.Itoa(prev))
		return
	}
	b.pendingID = id
}

// colOf returns the header of the first column mapped to one of the named fields.
func (b *builder) colOf(names ...string) string {
	for _, n := range names {
		for _, c := range b.cols {
			if c.f != nil && c.f.name == n {
				return c.header
			}
		}
	}
	return ""
}

// reject records the row's problems and reports whether there were any.
func (b *builder) reject(row int, cells []string) bool {
	if len(b.problems) == 0 {
		if b.pendingID != "" {
			b.seen[b.pendingID] = row
			b.pendingID = ""
		}
		return false
	}
	cp := append([]string(nil), cells...)
	for _, p := range b.problems {
		p.Cells = cp
		b.res.Rejects = append(b.res.Rejects, p)
	}
	b.res.Rejected++
	b.pendingID = "" // a rejected row does not claim its id
	return true
}

// itemChunk is how many order lines the builder allocates at a time.
const itemChunk = 4096

// addItem adds a line to order i. The lines of all orders are cut from shared chunks rather
// than each order growing its own slice: an order's lines usually come one after another,
// and then they simply extend the chunk. A line of an order whose lines came earlier, with
// other orders' lines since, gets a slice of the order's own.
func (b *builder) addItem(o *kexi.Order, i int, it *kexi.OrderItem) {
	n := len(o.Items)
	switch {
	case n > 0 && i != b.lastOrder:
		o.Items = append(o.Items[:n:n], *it)
		return
	case len(b.items)+1 > cap(b.items):
		chunk := make([]kexi.OrderItem, 0, max(itemChunk, 2*(n+1)))
		b.items = append(chunk, o.Items...)
	}
	b.items = append(b.items, *it)
	end := len(b.items)
	o.Items = b.items[end-n-1 : end : end]
	b.lastOrder = i
}

// sideCustomer adds the customer a record names, with the customer fields its row carried.
// The first row naming a customer wins.
func (b *builder) sideCustomer(id string) {
	if !b.side || id == "" {
		return
	}
	if _, ok := b.sideIdx[id]; ok {
		return
	}
	c := b.cust
	c.ExternalID = id
	c.Custom = b.custom
	b.sideIdx[id] = len(b.res.Batch.Customers)
	b.res.Batch.Customers = add(b.res.Batch.Customers, c)
}

// product records a product an order line names; the first description seen is its name.
func (b *builder) product(it *kexi.OrderItem) {
	bt := b.res.Batch
	if i, ok := b.prodIdx[it.SKU]; ok {
		p := &bt.Products[i]
		if p.Name == p.ExternalID && it.Name != "" {
			p.Name = it.Name
		}
		if p.Category == "" {
			p.Category = it.Category
		}
		return
	}
	if p, ok := b.prodSent[it.SKU]; ok { // sent with an earlier batch: send again if it changes
		q := p
		if q.Name == q.ExternalID && it.Name != "" {
			q.Name = it.Name
		}
		if q.Category == "" {
			q.Category = it.Category
		}
		if q != p {
			b.prodIdx[it.SKU] = len(bt.Products)
			bt.Products = add(bt.Products, q)
			b.resent++
		}
		return
	}
	name := it.Name
	if name == "" {
		name = it.SKU
	}
	b.prodIdx[it.SKU] = len(bt.Products)
	bt.Products = add(bt.Products, kexi.Product{ExternalID: it.SKU, Name: name, Category: it.Category})
	if bt.Present[kexi.KindProducts] == nil {
		pr := []string{"external_id", "name"}
		if b.mapped["items.category"] {
			pr = append(pr, "category")
		}
		bt.Present[kexi.KindProducts] = pr
	}
}

// finish computes what needs every row: order totals and returns, custom field types.
func (b *builder) finish() {
	b.totals(b.res.Batch.Orders)
	b.customTypes()
}

// totals sets the amounts of orders from their lines when the file has no amount column.
func (b *builder) totals(orders []kexi.Order) {
	if b.kind.name == kexi.KindOrders && !b.mapped["amount"] && (b.mapped["items.quantity"] || b.mapped["items.unit_price"]) {
		for i := range orders {
			o := &orders[i]
			total := 0.0
			for _, it := range o.Items {
				total += it.Quantity * it.UnitPrice
			}
			total = math.Round(total*1e6) / 1e6
			if total < 0 {
				o.Status, o.Returned, o.Amount = kexi.StatusReturn, -total, 0
			} else {
				o.Amount = total
			}
		}
	}
}

// customTypes gives each custom field a type (number when every value is a number, date when
// every value is a date, text otherwise), rewrites the values in canonical form and declares
// the fields in the batch.
func (b *builder) customTypes() {
	maps := customMaps(b.res.Batch)
	types := b.fixTypes(b.guessTypes(nil, maps))
	canonical(maps, types)
	b.declare(types)
}

// customMaps are the custom field values of the batch's customers and leads.
func customMaps(bt *kexi.Batch) []map[string]string {
	var maps []map[string]string
	for i := range bt.Customers {
		if bt.Customers[i].Custom != nil {
			maps = append(maps, bt.Customers[i].Custom)
		}
	}
	for i := range bt.Leads {
		if bt.Leads[i].Custom != nil {
			maps = append(maps, bt.Leads[i].Custom)
		}
	}
	return maps
}

// typeGuess is what the values of one custom field seen so far allow.
type typeGuess struct{ num, date, any bool }

// guessTypes updates (or, for nil, starts) the guesses of the custom fields' types from the
// values in maps.
func (b *builder) guessTypes(g map[string]*typeGuess, maps []map[string]string) map[string]*typeGuess {
	if g == nil {
		g = map[string]*typeGuess{}
		for _, c := range b.cols {
			if c.custom != "" {
				g[c.custom] = &typeGuess{num: true, date: true}
			}
		}
	}
	for name, t := range g {
		for _, m := range maps {
			if !t.num && !t.date {
				break
			}
			s, ok := m[name]
			if !ok {
				continue
			}
			t.any = true
			if t.num {
				if _, err := ParseNumber(s); err != nil {
					t.num = false
				}
			}
			if t.date && !t.num {
				if _, err := ParseDate(s); err != nil || allDigitsDot(s) {
					t.date = false
				}
			}
		}
	}
	return g
}

// fixTypes turns the guesses into types; a type the mapping file gives wins.
func (b *builder) fixTypes(g map[string]*typeGuess) map[string]kexi.FieldType {
	forced := map[string]kexi.FieldType{}
	if b.opt.Mapping != nil {
		for _, to := range b.opt.Mapping.CustomFields {
			if n, t, ok := strings.Cut(to, ":"); ok {
				forced[slug(n)] = kexi.FieldType(strings.TrimSpace(t))
			}
		}
	}
	types := map[string]kexi.FieldType{}
	for name, t := range g {
		typ := forced[name]
		if typ == "" {
			switch {
			case !t.any:
				typ = kexi.FieldText
			case t.num:
				typ = kexi.FieldNumber
			case t.date:
				typ = kexi.FieldDate
			default:
				typ = kexi.FieldText
			}
		}
		types[name] = typ
	}
	return types
}

// canonical rewrites numbers and dates in maps in the canonical form of their field's type.
func canonical(maps []map[string]string, types map[string]kexi.FieldType) {
	for name, typ := range types {
		if typ != kexi.FieldNumber && typ != kexi.FieldDate {
			continue
		}
		for _, m := range maps {
			s, ok := m[name]
			if !ok {
				continue
			}
			switch typ {
			case kexi.FieldNumber:
				if f, err := ParseNumber(s); err == nil {
					m[name] = formatNumber(f)
				}
			case kexi.FieldDate:
				if t, err := ParseDate(s); err == nil {
					m[name] = t.Format("2006-01-02")
				}
			}
		}
	}
}

// declare adds the custom fields to the batch and the result.
func (b *builder) declare(types map[string]kexi.FieldType) {
	bt := b.res.Batch
	for _, name := range sortedKeys(types) {
		bt.CustomFields = add(bt.CustomFields, kexi.CustomField{Entity: b.customTo, Name: name, Type: types[name]})
	}
	for _, c := range b.cols {
		if c.custom != "" {
			b.res.Custom = append(b.res.Custom, Custom{Header: c.header, Entity: b.customTo, Name: c.custom,
				Type: types[c.custom], Guessed: c.unknown})
		}
	}
}

// errNoRows is returned by Write when records is not a slice of a known record type.
var errNoRows = errors.New("records must be a slice of kexi records")

// add appends v, doubling the capacity when it runs out: append grows large slices by only a
// quarter, which copies a million-order batch several times over.
func add[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		ns := make([]T, len(s), 2*len(s)+256)
		copy(ns, s)
		s = ns
	}
	return append(s, v)
}
