package sheet

// The fast way from a CSV file of orders to the analysis table (kexi.OrderTable), for
// `kexi analyze --orders FILE`. Read turns every row into a kexi.Order and a Batch of them;
// at a million customers that is gigabytes of records that are thrown away once
// kexi.Batch.Dataset has turned them into columns. ReadTable parses the file straight into the
// columns, on every core:
//
//   - The text is cut into blocks of whole lines; workers split and parse the blocks side by
//     side, each into a small table of its own; one loop then takes the blocks in file order,
//     numbers orders and customers exactly as Batch.Dataset does, and appends each block's
//     columns to the table. A block that holds a double quote (a quoted cell may hold a line
//     break) and everything after it are cut into records by encoding/csv, one after the
//     other, as Read does; the parsing still runs on the workers.
//   - Dates in the two ISO forms that files mostly have (2006-01-02, 2006-01-02 15:04:05) are
//     read with a cache of the days seen: time.Date runs once per day rather than per row.
//     Everything else goes to the cell parsers Read uses (ParseDateWithin, ParseNumber …),
//     and the values are set by the same fields, so every value reads exactly as with Read.
//   - A row that cannot be read is handed to Read's own row builder, which rejects it with
//     the same problems, in the same order, as Read.
//
// It takes only files Read would make orders without lines of, and with no customer fields:
// anything else (XLSX, lines, customer or custom columns, a whole-file check without
// SkipInvalid) is read by Read, and the caller gets its Batch.
//
// Why: on the synthetic CLV file (1M customers, 2.77M rows of customer_id,date,amount), Read
// and Batch.Dataset took 8.7 CPU-seconds and a 1.9 GB heap to make the table; ReadTable takes
// 1.3 CPU-seconds and leaves 280 MB, the table itself (BenchmarkReadTable: 0.46M against 1.8M
// rows per CPU-second, 3M allocations against 1,000). `kexi analyze clv --orders` on that file
// went from 10–17 to 5–8 CPU-seconds and from 2.3–2.4 GB to 0.80–0.92 GB of RSS (busy 2-core
// machine, /usr/bin/time, main against this change).

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
)

// CustomerIDs numbers customers by external id the way kexi.Batch.Dataset does: first the
// customers of a customers file (numbered with ID before ReadTable), then every customer an
// order names, in the order the orders name them. Keys holds every customer numbered so far, by id.
type CustomerIDs struct {
	Keys  kexi.CustomerKeys
	dense []int64         // ids written as small plain decimal numbers, the usual case: by number
	num   map[int64]int64 // larger numbers
	text  map[string]int64
}

// maxDense bounds the numbers CustomerIDs.dense holds (32 MiB).
const maxDense = 1 << 22

// ID returns the id of the customer with external id ext, numbering it when new; "" is no
// customer (0).
func (c *CustomerIDs) ID(ext string) int64 {
	if ext == "" {
		return 0
	}
	if n, ok := decimal(ext); ok && n < maxDense {
		if int(n) >= len(c.dense) {
			c.dense = slices.Grow(c.dense, min(max(2*len(c.dense), int(n)+1, 1024), maxDense)-len(c.dense))
			c.dense = c.dense[:cap(c.dense)]
		}
		if id := c.dense[n]; id != 0 {
			return id
		}
		id := c.add(ext)
		c.dense[n] = id
		return id
	} else if ok {
		if c.num == nil {
			c.num = map[int64]int64{}
		}
		if id, ok := c.num[n]; ok {
			return id
		}
		id := c.add(ext)
		c.num[n] = id
		return id
	}
	if c.text == nil {
		c.text = map[string]int64{}
	}
	if id, ok := c.text[ext]; ok {
		return id
	}
	id := c.add(ext)
	c.text[strings.Clone(ext)] = id
	return id
}

func (c *CustomerIDs) add(ext string) int64 {
	id := int64(len(c.Keys.ID) + 1)
	c.Keys.Append(id, ext)
	return id
}

// decimal reads s when it is a number written the one way strconv writes it back (0, or no
// leading zero, at most 18 digits), so that the number alone stands for the text.
func decimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := int64(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// blockSize is how much text a worker parses at a time (a variable for tests).
var blockSize = 1 << 20

// ReadTable reads a file of orders as Read does (opt.Kind orders, opt.SkipInvalid set), but
// into an order table rather than a batch: order i has ID i+1 and the customer ids numbers
// the customers by ids, new customers appended to ids.Keys. The table's orders are in file
// order (not sorted); its Loc is the location of its first order's time, as with
// kexi.NewOrderTable. The Result counts and rejects rows as Read's does; its Batch is empty
// and its Sample and Currency are filled as Read fills them.
//
// A file ReadTable does not take (see the package's table.go) is read with Read: then the
// table is nil and the Result's Batch holds the records, which ids has not numbered.
// The errors are Read's.
func ReadTable(r io.Reader, name string, opt Options, ids *CustomerIDs) (*Result, *kexi.OrderTable, error) {
	if opt.Kind != kexi.KindOrders || !opt.SkipInvalid || opt.Progress != nil || opt.Anonymous {
		return readBatch(r, name, opt, nil, 0)
	}
	size := sizeOf(r)
	tee := &teeReader{r: r}
	br := bufio.NewReaderSize(tee, 64<<10)
	if head, _ := br.Peek(4); bytes.Equal(head, []byte("PK\x03\x04")) { // XLSX
		return readBatch(r, name, opt, tee, size)
	}
	lim := opt.Limits.orDefault()
	res := &Result{File: name, Batch: &kexi.Batch{}}
	text, delim, xlsx, format, err := openText(br, opt.Sheet, lim)
	res.Format = format
	if xlsx != nil { // a compressed XLSX
		xlsx.Close()
		return readBatch(r, name, opt, tee, size)
	}
	if err != nil {
		return res, nil, fileError(name, 0, err)
	}
	src := &blocks{r: text, delim: byte(delim), lim: lim}
	header, err := src.header()
	if err == io.EOF {
		return res, nil, fileError(name, 0, errEmpty)
	}
	if err != nil {
		return res, nil, fileError(name, 0, err)
	}
	res.Header = header
	b, err := newBuilder(res, header, opt)
	if err != nil {
		return res, nil, err
	}
	if !tableColumns(b) {
		return readBatch(r, name, opt, tee, size)
	}
	tee.buf, tee.off = nil, true
	t, err := readBlocks(src, b, opt, lim, ids, size)
	if err != nil {
		return res, nil, err
	}
	b.finish()
	return res, t, nil
}

// readBatch reads the file with Read: from the start, when tee has the bytes read so far
// (size is then the file's, which r no longer tells).
func readBatch(r io.Reader, name string, opt Options, tee *teeReader, size int64) (*Result, *kexi.OrderTable, error) {
	if tee != nil {
		r = &sized{Reader: io.MultiReader(bytes.NewReader(tee.buf), r), size: size}
	}
	res, err := Read(r, name, opt)
	return res, nil, err
}

// teeReader keeps what it reads until off.
type teeReader struct {
	r   io.Reader
	buf []byte
	off bool
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if !t.off {
		t.buf = append(t.buf, p[:n]...)
	}
	return n, err
}

// sized is a reader that says the size of the file it reads, for Read's estimate of its rows.
type sized struct {
	io.Reader
	size int64
}

func (s *sized) Size() int64 { return s.size }

// tableColumns reports whether ReadTable takes a file with b's columns: order fields only,
// no lines (or lines left out), nothing about the customer.
func tableColumns(b *builder) bool {
	if b.kind.name != kexi.KindOrders || b.side {
		return false
	}
	for _, c := range b.cols {
		if c.f == nil || c.f.line || c.f.side() {
			return false
		}
	}
	return true
}

// blocks cuts a text into blocks of whole lines, until the first block with a double quote;
// from there on encoding/csv cuts the rest into records (csv).
type blocks struct {
	r       io.Reader
	delim   byte
	lim     Limits
	carry   []byte // the start of a line the last block cut off
	eof     bool
	csv     *csvRows   // once a block had a quote
	pending [][]string // records cut but not yet returned
	perr    error      // and the error that ended them
}

// next returns the next block of whole lines as text (the last line may lack its newline),
// or once a block had a quote, the next records cut into cells (with the error that ended
// them, if any); io.EOF at the end.
func (s *blocks) next() (string, [][]string, error) {
	if len(s.pending) > 0 || s.perr != nil {
		recs, err := s.pending, s.perr
		s.pending, s.perr = nil, nil
		return "", recs, err
	}
	if s.csv != nil {
		var recs [][]string
		for len(recs) < 4096 {
			cells, err := s.csv.Next()
			if err == io.EOF && len(recs) > 0 {
				break
			}
			if err != nil {
				return "", recs, err
			}
			recs = append(recs, append([]string(nil), cells...))
		}
		return "", recs, nil
	}
	for {
		if s.eof && len(s.carry) == 0 {
			return "", nil, io.EOF
		}
		buf := make([]byte, len(s.carry), len(s.carry)+blockSize)
		copy(buf, s.carry)
		n := 0
		if !s.eof {
			var err error
			n, err = io.ReadFull(s.r, buf[len(buf):cap(buf)])
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				s.eof = true
			case err != nil:
				return "", nil, err
			}
		}
		data := buf[:len(buf)+n]
		if bytes.IndexByte(data, '"') >= 0 {
			s.carry = nil
			var rest io.Reader = bytes.NewReader(data)
			if !s.eof {
				rest = io.MultiReader(rest, s.r)
			}
			s.csv = newCSVRows(rest, rune(s.delim), s.lim)
			return s.next()
		}
		end := len(data)
		if !s.eof {
			end = bytes.LastIndexByte(data, '\n') + 1
			if end == 0 { // no line ends in a whole block
				if int64(len(data)) > s.lim.Line+csvBufSize {
					return "", nil, &overLimit{limit: "line", max: s.lim.Line}
				}
				s.carry = data
				continue
			}
		}
		s.carry = append([]byte(nil), data[end:]...)
		return string(data[:end]), nil, nil
	}
}

// header reads the first row that is not blank, as Read does.
func (s *blocks) header() ([]string, error) {
	for {
		text, recs, err := s.next()
		for i, cells := range recs {
			if !blank(cells) {
				s.pending, s.perr = recs[i+1:], err
				return headerOf(cells), nil
			}
		}
		if err != nil {
			return nil, err
		}
		for len(text) > 0 {
			line, rest := cutLine(text)
			text = rest
			if line == "" {
				continue
			}
			cells := splitCells(line, s.delim, nil)
			if err := checkCells(cells, s.lim.Cell, s.lim.Line); err != nil {
				return nil, err
			}
			if !blank(cells) {
				s.carry = append([]byte(text), s.carry...)
				if s.eof && len(s.carry) == 0 {
					s.carry = nil
				}
				return headerOf(unescapeCells(cells)), nil
			}
		}
	}
}

// headerOf is the header a row's cells name (a copy: a reader may reuse cells), trimmed and
// without a BOM.
func headerOf(cells []string) []string {
	h := make([]string, len(cells))
	for i, c := range cells {
		h[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
	}
	return h
}

// cutLine cuts the first line off text as encoding/csv reads it: without its \n or \r\n, and
// without a \r at the very end of the text.
func cutLine(text string) (line, rest string) {
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		line = text
	} else {
		line, rest = text[:i], text[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// splitCells cuts a line without quotes into its cells.
func splitCells(line string, delim byte, cells []string) []string {
	cells = cells[:0]
	for {
		i := strings.IndexByte(line, delim)
		if i < 0 {
			return append(cells, line)
		}
		cells = append(cells, line[:i])
		line = line[i+1:]
	}
}

// unescapeCells drops the apostrophe Write puts before formula-like text, as csvRows does.
func unescapeCells(cells []string) []string {
	for i, s := range cells {
		if len(s) > 1 && s[0] == '\'' {
			cells[i] = unescapeFormula(s)
		}
	}
	return cells
}

// countLines counts the records in a block of whole lines: its lines that are not empty.
func countLines(text string) int {
	if !strings.Contains(text, "\n\n") && !strings.Contains(text, "\n\r\n") &&
		!strings.HasPrefix(text, "\n") && !strings.HasPrefix(text, "\r\n") {
		n := strings.Count(text, "\n")
		if last := text[strings.LastIndexByte(text, '\n')+1:]; last != "" && last != "\r" {
			n++
		}
		return n
	}
	n := 0
	for len(text) > 0 {
		line, rest := cutLine(text)
		if line != "" {
			n++
		}
		text = rest
	}
	return n
}

// chunk is one block's work: its text or records in; the table of its good rows out, with
// what the loop that numbers them needs.
type chunk struct {
	text  string
	recs  [][]string
	first int   // records before the block's first
	err   error // the error that ended the block: about record errRow
	done  chan struct{}

	nrows  int // records (blank rows too)
	rows   int // records that are not blank
	errRow int
	t      kexi.OrderTable
	cust   []string // the customer named by each order of t
	row    []int32  // with order ids: the row of each order of t
	src    []int32  // with order ids: where each order's row is (line start in text, or record)
	bad    []badRow
	sample [][]string
	curr   string
	loc    *time.Location // of the first order's time
}

// reset makes c the chunk of a new block, keeping the room its columns have.
func (c *chunk) reset(text string, recs [][]string, first int) {
	clear(c.cust)
	*c = chunk{text: text, recs: recs, first: first, done: make(chan struct{}), t: c.t, cust: c.cust[:0],
		row: c.row[:0], src: c.src[:0]}
	c.t.Reset()
}

// badRow is a row that cannot be read, to be rejected before order at of the block's table.
type badRow struct {
	row   int
	at    int
	cells []string
}

// cells returns the cells of order i's row again, for its reject.
func (c *chunk) cells(i int, delim byte) []string {
	if c.recs != nil {
		return c.recs[c.src[i]]
	}
	line, _ := cutLine(c.text[c.src[i]:])
	return unescapeCells(splitCells(line, delim, nil))
}

// readBlocks reads the data rows of src into a table, on every core; see the file comment.
func readBlocks(src *blocks, b *builder, opt Options, lim Limits, ids *CustomerIDs, size int64) (*kexi.OrderTable, error) {
	res := b.res
	name := res.File
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	quit := make(chan struct{})
	free := make(chan *chunk, workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newRowParser(b, opt)
			for c := range jobs {
				p.parse(c, src.delim)
				close(c.done)
			}
		}()
	}
	go func() { // the reader: blocks in file order, to the workers and to the loop below
		defer close(order)
		defer close(jobs)
		rows := 0
		for {
			text, recs, err := src.next()
			if err == io.EOF && len(recs) == 0 {
				return
			}
			var c *chunk
			select {
			case c = <-free: // a block done with: its table's columns have room
			default:
				c = &chunk{}
			}
			c.reset(text, recs, rows)
			if recs != nil {
				rows += len(recs)
			} else {
				rows += countLines(text)
			}
			c.t.Grow(rows - c.first)
			if err != nil && err != io.EOF {
				c.err, c.errRow = err, rows+1
			}
			select {
			case jobs <- c:
			case <-quit:
				return
			}
			select {
			case order <- c:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(quit)
		for range order { // let the reader stop
		}
		wg.Wait()
	}()

	t := &kexi.OrderTable{}
	orderIdx := map[string]int32{} // with order ids: external id → order
	var orderCust []string         // with order ids: the customer of each order
	b.orderOf = func(ext string) (string, bool) {
		if i, ok := orderIdx[ext]; ok {
			return orderCust[i], true
		}
		return "", false
	}
	prep := &prepper{cols: b.cols, loc: opt.Location, dates: opt.Dates}
	vals := make([]val, len(b.cols))
	reject := func(row int, cells []string) {
		prep.prep(cells, vals)
		b.row(row, cells, vals)
		if len(res.Batch.Orders) > 0 {
			panic("sheet: ReadTable kept a row that Read rejects")
		}
	}
	for c := range order {
		<-c.done
		if c.err == nil && c.first+c.nrows > lim.Rows || c.err != nil && c.errRow > lim.Rows+1 {
			c.err, c.errRow = &overLimit{limit: "rows", max: int64(lim.Rows)}, lim.Rows+1
		}
		if c.err != nil {
			return nil, fileError(name, c.errRow, c.err)
		}
		res.Rows += c.rows
		for _, s := range c.sample {
			if len(res.Sample) < SampleRows {
				res.Sample = append(res.Sample, s)
			}
		}
		if res.Currency == "" {
			res.Currency = c.curr
		}
		if t.Len() == 0 && c.t.Len() > 0 {
			t.Loc = c.loc
			if size > 0 && len(c.text) > 0 { // make room for the rows to come, once
				t.Grow(int(float64(size) / float64(len(c.text)) * float64(c.first+c.nrows) / float64(c.nrows) * float64(c.t.Len()) * 1.05))
			}
		}
		// With order ids, a row of an order read before adds nothing (no lines here), or is
		// rejected when it names another customer.
		var keep []bool
		bad := c.bad
		n := t.Len()
		for i := range c.t.Len() {
			for len(bad) > 0 && bad[0].at == i {
				reject(bad[0].row, bad[0].cells)
				bad = bad[1:]
			}
			if !b.hasID {
				continue
			}
			e := c.t.ExternalID(i)
			if j, ok := orderIdx[e]; ok && e != "" {
				if keep == nil {
					keep = make([]bool, c.t.Len())
					for k := range i {
						keep[k] = true
					}
				}
				if orderCust[j] != c.cust[i] {
					reject(int(c.row[i]), c.cells(i, src.delim))
				}
				continue
			}
			if keep != nil {
				keep[i] = true
			}
			if e != "" {
				orderIdx[e] = int32(len(orderCust))
			}
			orderCust = append(orderCust, c.cust[i])
		}
		for _, r := range bad {
			reject(r.row, r.cells)
		}
		ct, cust := &c.t, c.cust
		if keep != nil {
			kt := c.t.Filter(func(i int) bool { return keep[i] })
			ct, cust = &kt, nil
			for i, k := range keep {
				if k {
					cust = append(cust, c.cust[i])
				}
			}
		}
		t.AppendTable(ct)
		prev, id := "", int64(0)
		for i, e := range cust {
			if i == 0 || e != prev {
				prev, id = e, ids.ID(e)
			}
			t.ID[n+i] = int64(n + i + 1)
			t.CustomerID[n+i] = id
		}
		select {
		case free <- c:
		default:
		}
	}
	return t, nil
}

// rowParser reads rows of orders into a block's table. Each worker has its own.
type rowParser struct {
	b      *builder // read only: the columns and what the file has
	prep   prepper
	loc    *time.Location // the business's, for times without a zone
	lo, hi int64          // the dates allowed, in Unix milliseconds
	lim    Limits
	days   map[int32]day // the days the fast date path has seen
	o      kexi.Order
	r      rec
	v      val
	cells  []string
	id     []byte
}

// day is a day the fast date path has seen: its start in Unix milliseconds, and whether its
// zone offset holds all day (the day has no daylight-saving change).
type day struct {
	start int64
	even  bool
}

func newRowParser(b *builder, opt Options) *rowParser {
	p := &rowParser{b: b, prep: prepper{cols: b.cols, loc: opt.Location, dates: opt.Dates},
		loc: opt.Location, days: map[int32]day{}, lim: opt.Limits.orDefault()}
	if p.loc == nil {
		p.loc = time.UTC
	}
	lo, hi := opt.Dates.Bounds()
	p.lo, p.hi = lo.UnixMilli(), hi.UnixMilli()
	if lo.Nanosecond()%1e6 != 0 {
		p.lo++
	}
	return p
}

// parse reads the records of c.
func (p *rowParser) parse(c *chunk, delim byte) {
	if c.err != nil && len(c.recs) == 0 && c.text == "" {
		return
	}
	if c.recs != nil {
		for i, cells := range c.recs {
			p.row(c, c.first+i+1, cells, int32(i))
		}
		c.nrows = len(c.recs)
	} else {
		text := c.text
		row := c.first
		for len(text) > 0 {
			start := int32(len(c.text) - len(text))
			line, rest := cutLine(text)
			text = rest
			if line == "" {
				continue
			}
			row++
			p.cells = unescapeCells(splitCells(line, delim, p.cells))
			if err := checkCells(p.cells, p.lim.Cell, p.lim.Line); err != nil {
				c.err, c.errRow = err, row
				break
			}
			p.row(c, row, p.cells, start)
		}
		c.nrows = row - c.first
	}
	// The dictionary's texts are cut from the block: copy them, for the block to be let go.
	for i := range c.t.Facets {
		f := &c.t.Facets[i]
		f.Channel, f.Status = strings.Clone(f.Channel), strings.Clone(f.Status)
		f.Province, f.City = strings.Clone(f.Province), strings.Clone(f.City)
	}
}

// row reads one record, row of the file, into c: an order of c.t, a bad row, or nothing
// (a blank row). It does what Read's builder does (builder.row, builder.commit) for a file
// that tableColumns takes, with the values parsed as Read parses them.
func (p *rowParser) row(c *chunk, row int, cells []string, src int32) {
	if blank(cells) {
		return
	}
	c.rows++
	if len(c.sample) < SampleRows {
		c.sample = append(c.sample, append([]string(nil), cells...))
	}
	b := p.b
	p.o = kexi.Order{}
	p.r = rec{o: &p.o}
	bad := false
	loc := p.loc
	for i := range b.cols {
		col := &b.cols[i]
		v := &p.v
		*v = val{}
		if col.idx < len(cells) {
			v.s = strings.TrimSpace(cells[col.idx])
		}
		s := v.s
		if s == "" {
			if !col.f.empty {
				continue
			}
		} else if col.f.typ == tDate {
			if ms, ok := p.fastDate(s); ok {
				v.t = time.UnixMilli(ms)
				if col.f.name == "ordered_at" {
					loc = p.loc
				}
			} else if v.err = p.prep.parse(tDate, v); v.err == nil && col.f.name == "ordered_at" {
				loc = v.t.Location()
			}
		} else {
			v.err = p.prep.parse(col.f.typ, v)
		}
		if v.err != nil {
			bad = true
			continue
		}
		if c.curr == "" && row <= currencyRows && col.f.typ == tNumber && s != "" && (s[0] < '0' || s[0] > '9' || s[len(s)-1] < '0' || s[len(s)-1] > '9') {
			c.curr = currencyOf(s)
		}
		col.f.set(&p.r, v)
	}
	o := &p.o
	if o.Customer == "" && b.hasCust && !b.opt.Anonymous || o.OrderedAt.IsZero() {
		bad = true
	}
	if bad {
		c.bad = append(c.bad, badRow{row: row, at: c.t.Len(), cells: append([]string(nil), cells...)})
		return
	}
	if p.r.paid != 0 && o.Status == "" {
		o.Status = kexi.StatusCompleted
		if p.r.paid == 1 {
			o.Status = kexi.StatusPending
		}
	}
	if c.t.Len() == 0 {
		c.loc = loc
	}
	ext := o.ExternalID
	if !b.hasID {
		p.id = strconv.AppendInt(append(append(p.id[:0], b.base...), '-'), int64(row), 10)
		ext = string(p.id)
	} else {
		c.row = append(c.row, int32(row))
		c.src = append(c.src, src)
	}
	c.t.AppendRow(0, ext, 0, o.OrderedAt.UnixMilli(), o.Amount, o.Cost, o.Shipping, o.Discount, o.Returned,
		kexi.Facets{Channel: o.Channel, Status: o.Status, Province: o.Province, City: o.City})
	c.cust = append(c.cust, o.Customer)
}

// fastDate reads the two forms parseISOFast reads, 2006-01-02 and 2006-01-02 15:04:05 (or
// with a T), as wall-clock time in p.loc, without time.Date for every row: the start of each
// day is worked out once. It declines (false) whatever it cannot read, a day when the zone
// changes its offset, and a time outside the dates allowed: ParseDateWithin reads those.
func (p *rowParser) fastDate(s string) (int64, bool) {
	if len(s) != 10 && len(s) != 19 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || !validDate(y, mo, d) {
		return 0, false
	}
	secs := 0
	if len(s) == 19 {
		if (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
			return 0, false
		}
		h, ok1 := digits(s[11:13])
		mi, ok2 := digits(s[14:16])
		sec, ok3 := digits(s[17:19])
		if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
			return 0, false
		}
		secs = h*3600 + mi*60 + sec
	}
	key := int32(y*10000 + mo*100 + d)
	dy, ok := p.days[key]
	if !ok {
		t0 := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, p.loc)
		_, end := t0.ZoneBounds()
		dy = day{start: t0.UnixMilli(), even: t0.Hour() == 0 && t0.Minute() == 0 && t0.Second() == 0 &&
			(end.IsZero() || !end.Before(t0.Add(24*time.Hour)))}
		p.days[key] = dy
	}
	ms := dy.start + int64(secs)*1000
	if !dy.even || ms < p.lo || ms > p.hi {
		return 0, false
	}
	return ms, true
}
