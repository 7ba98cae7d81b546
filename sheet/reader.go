package sheet

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// maxXLSX caps how much of an XLSX file is read into memory (excelize needs it all).
const maxXLSX = 1 << 30

// rowReader yields the rows of a sheet, header first. Next returns io.EOF at the end. The
// slice it returns may be reused by the next call.
type rowReader interface {
	Next() ([]string, error)
	Close() error
}

// Format names what a file turned out to be, for messages.
type Format struct {
	Gzip      bool   `json:"gzip,omitempty"`
	XLSX      bool   `json:"xlsx,omitempty"`
	Encoding  string `json:"encoding,omitempty"` // utf-8, utf-8-bom, gb18030
	Delimiter string `json:"delimiter,omitempty"`
	Sheet     string `json:"sheet,omitempty"`
}

// openRows detects gzip (by its magic bytes), XLSX (a zip archive) or delimited text, the
// text's encoding (UTF-8 with or without BOM, otherwise GB18030, which covers GBK and GB2312)
// and its delimiter (comma, semicolon, tab or pipe, whichever the header line has most of
// outside quotes), and returns a reader of its rows. The reader keeps to lim (which has no
// zero fields): going over a limit is an error with an *overLimit in its chain.
func openRows(r io.Reader, sheet string, lim Limits) (rowReader, Format, error) {
	text, delim, xlsx, f, err := openText(r, sheet, lim)
	if err != nil || xlsx != nil {
		return xlsx, f, err
	}
	return newCSVRows(text, delim, lim), f, nil
}

// newCSVRows reads the records of a delimited text within lim.
func newCSVRows(text io.Reader, delim rune, lim Limits) *csvRows {
	rl := &recordLimit{r: text, max: lim.Line}
	cr := csv.NewReader(rl)
	cr.Comma = delim
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvRows{r: cr, lim: rl, cell: lim.Cell}
}

// openText detects what openRows detects and returns, for delimited text, the text (decoded to
// UTF-8, after any BOM) and its delimiter; for XLSX, the reader of its rows.
func openText(r io.Reader, sheet string, lim Limits) (text io.Reader, delim rune, xlsx rowReader, f Format, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, nil, f, fmt.Errorf("not a valid gzip file: %v", err)
		}
		f.Gzip = true
		br = bufio.NewReaderSize(&unzipLimit{r: gz, left: lim.Unzipped, max: lim.Unzipped, what: "the file"}, 64<<10)
	}
	head, _ = br.Peek(4)
	if bytes.Equal(head, []byte("PK\x03\x04")) {
		f.XLSX = true
		rr, name, err := openXLSX(br, sheet, lim)
		f.Sheet = name
		return nil, 0, rr, f, err
	}
	if sheet != "" {
		return nil, 0, nil, f, errors.New("--sheet applies to XLSX files only, and this is a text file")
	}
	sample, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, 0, nil, f, err
	}
	text = br
	switch {
	case bytes.HasPrefix(sample, []byte("\xef\xbb\xbf")):
		f.Encoding = "utf-8-bom"
		br.Discard(3)
		sample = sample[3:]
	case validUTF8Prefix(sample):
		f.Encoding = "utf-8"
	default:
		f.Encoding = "gb18030"
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		sample, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(trimPartial(sample))
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return nil, 0, nil, f, errors.New("this looks like a binary file, not CSV or XLSX")
	}
	delim = detectDelimiter(sample)
	f.Delimiter = string(delim)
	return text, delim, nil, f, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut off at the end of the sample.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut <= 3 && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// trimPartial drops a possibly cut-off last line so the sample decodes cleanly.
func trimPartial(b []byte) []byte {
	if i := bytes.LastIndexByte(b, '\n'); i > 0 {
		return b[:i]
	}
	return b
}

// detectDelimiter counts candidate delimiters on the first non-empty line outside quotes.
func detectDelimiter(sample []byte) rune {
	line := sample
	for len(line) > 0 {
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			break
		}
		if len(bytes.TrimSpace(line[:i])) > 0 {
			line = line[:i]
			break
		}
		line = line[i+1:]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		switch c {
		case '"':
			quoted = !quoted
		case ',', ';', '\t', '|':
			if !quoted {
				counts[c]++
			}
		}
	}
	best, n := ',', 0
	for _, c := range []rune{',', ';', '\t', '|'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return best
}

type csvRows struct {
	r    *csv.Reader
	lim  *recordLimit
	cell int64
}

func (c *csvRows) Next() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
		}
		return nil, err
	}
	c.lim.start = c.r.InputOffset()
	if err := checkCells(rec, c.cell, c.lim.max); err != nil {
		return nil, err
	}
	for i, s := range rec {
		if len(s) > 1 && s[0] == '\'' {
			rec[i] = unescapeFormula(s) // what Write escaped
		}
	}
	return rec, nil
}

func (c *csvRows) Close() error { return nil }

// openXLSX opens the named sheet, or the first sheet with any rows, once checkXLSX has found
// the workbook within lim.
func openXLSX(r io.Reader, sheet string, lim Limits) (rowReader, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxXLSX+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > maxXLSX {
		return nil, "", errors.New("XLSX file larger than 1 GiB: save it as CSV")
	}
	if err := checkXLSX(data, lim); err != nil {
		return nil, "", err
	}
	f, err := openXLSXBytes(data, lim.Unzipped)
	if err != nil {
		return nil, "", err
	}
	names := f.GetSheetList()
	if sheet != "" {
		for _, n := range names {
			if strings.EqualFold(n, sheet) {
				rr, err := xlsxSheet(f, n, lim)
				return rr, n, err
			}
		}
		f.Close()
		return nil, "", fmt.Errorf("no sheet named %q (the file has %s)", sheet, strings.Join(names, ", "))
	}
	for _, n := range names {
		dim, err := f.GetSheetDimension(n)
		if err == nil && dim != "" && dim != "A1" {
			rr, err := xlsxSheet(f, n, lim)
			return rr, n, err
		}
	}
	if len(names) > 0 {
		rr, err := xlsxSheet(f, names[0], lim)
		return rr, names[0], err
	}
	f.Close()
	return nil, "", errors.New("the workbook has no sheets")
}

// openXLSXBytes opens a workbook, turning excelize panics on malformed archives into errors.
func openXLSXBytes(data []byte, unzipped int64) (f *excelize.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("not a valid XLSX file: %v", p)
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: unzipped})
	if err != nil {
		return nil, fmt.Errorf("not a valid XLSX file: %v", err)
	}
	return f, nil
}

func xlsxSheet(f *excelize.File, name string, lim Limits) (rr rowReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rr, err = nil, fmt.Errorf("read sheet %q: %v", name, p)
		}
	}()
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %v", name, err)
	}
	return &xlsxRows{f: f, rows: rows, lim: lim}, nil
}

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	lim  Limits
}

func (x *xlsxRows) Next() (cols []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			cols, err = nil, fmt.Errorf("malformed sheet: %v", p)
		}
	}()
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	cols, err = x.rows.Columns(excelize.Options{RawCellValue: true})
	if err == nil {
		// A rich-text cell or shared strings can add up to more than checkXLSX saw in one place.
		err = checkCells(cols, x.lim.Cell, x.lim.Line)
	}
	return cols, err
}

func (x *xlsxRows) Close() error {
	x.rows.Close()
	return x.f.Close()
}

// prefetch reads rows from a rowReader on its own goroutine, a chunk at a time, and has a
// prepper trim and parse their cells on another, so that reading, parsing and building
// records run side by side (CSV tokenising and parsing cost about the same). A chunk records
// how many bytes of the file had been read when it was complete, for estimating the file's
// row count.
type prefetch struct {
	chunks chan *rowChunk
	free   chan *rowChunk
	done   chan struct{}
	src    rowReader
	width  int // vals per row

	cur  *rowChunk
	i    int   // the next row of cur
	read int64 // bytes read when cur was complete
}

type rowChunk struct {
	cells []string // the cells of every row, one after the other
	ends  []int    // where each row's cells end in cells
	vals  []val    // len(prep.cols) per row: the cells trimmed and parsed
	read  int64
	err   error // after the rows: io.EOF or what went wrong
}

const chunkRows = 256

func newPrefetch(src rowReader, read func() int64, prep *prepper) *prefetch {
	width := len(prep.cols)
	p := &prefetch{width: width, chunks: make(chan *rowChunk, 4), free: make(chan *rowChunk, 8), done: make(chan struct{}), src: src}
	raw := make(chan *rowChunk, 2)
	// Reading: rows into chunks of cells.
	go func() {
		defer close(raw)
		for {
			var c *rowChunk
			select {
			case c = <-p.free:
				c.cells, c.ends, c.vals = c.cells[:0], c.ends[:0], c.vals[:0]
			default:
				c = &rowChunk{}
			}
			for len(c.ends) < chunkRows {
				cells, err := src.Next()
				if err != nil {
					c.err = err
					break
				}
				c.cells = append(c.cells, cells...)
				c.ends = append(c.ends, len(c.cells))
			}
			c.read = read()
			select {
			case raw <- c:
			case <-p.done:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	// Parsing: the values of each chunk's rows.
	go func() {
		defer close(p.chunks)
		for c := range raw {
			c.vals = slices.Grow(c.vals, len(c.ends)*width)[:len(c.ends)*width]
			start := 0
			for r, end := range c.ends {
				prep.prep(c.cells[start:end], c.vals[r*width:(r+1)*width])
				start = end
			}
			select {
			case p.chunks <- c:
			case <-p.done:
				for range raw { // let the reader finish
				}
				return
			}
		}
	}()
	return p
}

// Next returns the next row's cells and their values; both may be reused by the next call.
func (p *prefetch) Next() ([]string, []val, error) {
	for p.cur == nil || p.i == len(p.cur.ends) {
		if p.cur != nil {
			if p.cur.err != nil {
				return nil, nil, p.cur.err
			}
			select {
			case p.free <- p.cur:
			default:
			}
		}
		c, ok := <-p.chunks
		if !ok {
			return nil, nil, io.EOF
		}
		p.cur, p.i, p.read = c, 0, c.read
	}
	start := 0
	if p.i > 0 {
		start = p.cur.ends[p.i-1]
	}
	end := p.cur.ends[p.i]
	v := p.cur.vals[p.i*p.width : (p.i+1)*p.width : (p.i+1)*p.width]
	p.i++
	return p.cur.cells[start:end:end], v, nil
}

// Close stops the reading goroutine and closes the source once the goroutine is done with it.
func (p *prefetch) Close() error {
	close(p.done)
	for range p.chunks {
	}
	return p.src.Close()
}
