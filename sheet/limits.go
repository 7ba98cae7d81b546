package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
)

// Limits bounds what Read takes from one file, so that a hostile or broken file (a 1 MB
// .csv.gz or XLSX that unpacks to a gigabyte in one cell) is refused at once instead of
// filling memory or disk. A zero field means its default (DefaultLimits).
type Limits struct {
	// Cell is the most bytes one cell may hold.
	Cell int64
	// Line is the most bytes of one CSV record (one line, or several when a quoted cell spans
	// them) or of the XML of one XLSX row.
	Line int64
	// Unzipped is the most bytes a compressed file may unpack to: the text of a .csv.gz, or
	// all the parts of an XLSX together.
	Unzipped int64
	// Rows is the most rows a file may have (blank rows count).
	Rows int
}

// DefaultLimits are far above what a real business file has: Excel itself holds at most
// 32,767 characters in a cell and 1,048,576 rows in a sheet, and the largest of the public
// data sets kexi is tested on has 541,909 rows and unpacks to 45 MB.
var DefaultLimits = Limits{Cell: 1 << 20, Line: 16 << 20, Unzipped: 1 << 30, Rows: 5_000_000}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Cell > 0 {
		d.Cell = l.Cell
	}
	if l.Line > 0 {
		d.Line = l.Line
	}
	if l.Unzipped > 0 {
		d.Unzipped = l.Unzipped
	}
	if l.Rows > 0 {
		d.Rows = l.Rows
	}
	return d
}

// LimitError is what Read returns (wrapped in a *kexi.Error with code kexi.EINVALID) when a
// file goes over one of its Limits. Limit is the name of the limit: "cell", "line",
// "unzipped" or "rows"; Max is its value.
type LimitError struct {
	Limit string
	Max   int64
	err   *kexi.Error
}

func (e *LimitError) Error() string { return e.err.Error() }

// Unwrap gives the *kexi.Error, so that kexi.ErrorCode says EINVALID.
func (e *LimitError) Unwrap() error { return e.err }

// limitText says what each limit bounds and which flag raises it.
var limitText = map[string]struct{ what, flag string }{
	"cell":     {"a cell", "--max-cell"},
	"line":     {"a line (one row of the file)", "--max-line"},
	"unzipped": {"the file unpacked", "--max-unzipped"},
	"rows":     {"the number of rows", "--max-rows"},
}

// overLimit is the error of a limit the file goes over; what, when set, says what went over
// it and detail where.
type overLimit struct {
	limit  string
	max    int64
	what   string
	detail string
}

func (o *overLimit) Error() string {
	t := limitText[o.limit]
	if o.what != "" {
		t.what = o.what
	}
	amount := FormatSize(o.max)
	if o.limit == "rows" {
		amount = strconv.FormatInt(o.max, 10) + " rows"
	}
	s := fmt.Sprintf("%s is larger than the %s limit of %s", t.what, o.limit, amount)
	if o.detail != "" {
		s = o.detail + ": " + s
	}
	return s + fmt.Sprintf(" (kexi refuses such files to protect its memory; if the file is right, raise the limit with %s)", t.flag)
}

// limitErr turns an *overLimit anywhere in err into a *LimitError for the file, with the
// problem at row (0 when unknown); it returns nil for other errors.
func limitErr(err error, file string, row int) *LimitError {
	var o *overLimit
	if !errors.As(err, &o) {
		return nil
	}
	return &LimitError{Limit: o.limit, Max: o.max, err: &kexi.Error{Code: kexi.EINVALID,
		Message:  fmt.Sprintf("cannot import %s", file),
		Problems: []kexi.FieldProblem{{File: file, Row: row, Reason: o.Error()}}}}
}

// FormatSize writes a byte count the way ParseSize reads it: 1 MiB, 16 MiB, 1 GiB, 1500 B.
func FormatSize(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + " " + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + " B"
}

// ParseSize reads a size in bytes: a number with an optional unit, B, KB/KiB, MB/MiB, GB/GiB or
// TB/TiB (all powers of 1024), as in "64MB", "1.5 GiB" or "1048576".
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
		{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
		{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 || f*float64(mult) >= 1<<62 {
		return 0, fmt.Errorf("%q is not a size: expected a positive number of bytes with an optional unit, e.g. 64MiB or 2GiB", s)
	}
	return int64(f * float64(mult)), nil
}

// unzipLimit passes on at most max bytes of r; reading more is an error naming the limit.
type unzipLimit struct {
	r    io.Reader
	left int64
	max  int64
	what string // what unpacks: "the file", "the workbook"
}

func (u *unzipLimit) Read(p []byte) (int, error) {
	if u.left < 0 {
		return 0, &overLimit{limit: "unzipped", max: u.max, what: u.what + " unpacked"}
	}
	if int64(len(p)) > u.left+1 {
		p = p[:u.left+1]
	}
	n, err := u.r.Read(p)
	u.left -= int64(n)
	if u.left < 0 {
		return n, &overLimit{limit: "unzipped", max: u.max, what: u.what + " unpacked"}
	}
	return n, err
}

// recordLimit bounds the bytes of one CSV record. The csv.Reader reading through it reads at
// most its buffer's size (4 KiB) beyond the end of the record it has parsed, and csvRows
// moves start to that end after each record, so a record longer than max is an error before
// the csv.Reader holds more than about max bytes of it, whether it is one long line or a
// quoted cell spanning many.
type recordLimit struct {
	r     io.Reader
	n     int64 // bytes read
	start int64 // where the record being read starts
	max   int64
}

// csvBufSize is the size of the bufio.Reader a csv.Reader makes.
const csvBufSize = 4096

func (l *recordLimit) Read(p []byte) (int, error) {
	room := l.start + l.max + csvBufSize - l.n
	if room <= 0 {
		return 0, &overLimit{limit: "line", max: l.max}
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// checkCells reports a cell longer than max, or a row whose cells are longer than line.
func checkCells(cells []string, max, line int64) error {
	total := int64(0)
	for i, c := range cells {
		if int64(len(c)) > max {
			return &overLimit{limit: "cell", max: max, detail: fmt.Sprintf("column %d", i+1)}
		}
		total += int64(len(c))
	}
	if total > line {
		return &overLimit{limit: "line", max: line}
	}
	return nil
}

// checkXLSX looks at the parts of an XLSX archive before excelize opens it, which unpacks
// the parts into memory (or worksheets over 16 MB into temporary files) and turns each cell
// into one string however long it is. The parts' sizes in the zip directory must add up to
// at most lim.Unzipped; archive/zip stops every part at the size the directory gives it, so
// no part can unpack to more. Then each XML part is unpacked and scanned: no stretch of text
// or tag between XML markup may be longer than lim.Cell, and no <row> element longer than
// lim.Line. It unpacks the XML parts once more than excelize does, in constant memory; the
// pictures and binary parts it leaves packed. What is not about the limits (not a zip
// archive, a part that does not unpack) is left for excelize to report or to put up with.
func checkXLSX(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.Unzipped) {
			return &overLimit{limit: "unzipped", max: lim.Unzipped, what: "the workbook unpacked"}
		}
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !scanPart(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		_, err = io.Copy(&xmlScan{part: f.Name, cell: lim.Cell, line: lim.Line}, rc)
		rc.Close()
		var o *overLimit
		if errors.As(err, &o) {
			return err
		}
	}
	return nil
}

// scanPart reports whether a part of a workbook is scanned as XML: all but pictures and
// binary parts, whose bytes may run long without markup.
func scanPart(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".bin", ".wdp", ".jfif", ".ico":
		return false
	}
	return true
}

// xmlScan watches the XML of one part go by: the longest stretch between '<' and '>' and the
// length of each <row> element (by its local name, so <x:row> counts too).
type xmlScan struct {
	part       string
	cell, line int64

	pos      int64  // bytes seen
	run      int64  // bytes since the last '<' or '>'
	name     []byte // the tag name after '<', while it is being read
	naming   bool
	rowTag   bool // the tag being read opens a row
	inRow    bool
	rowStart int64
	prev     byte
}

func (x *xmlScan) Write(p []byte) (int, error) {
	for i, c := range p {
		x.pos++
		switch c {
		case '<':
			x.run, x.naming, x.name, x.rowTag = 0, true, x.name[:0], false
		case '>':
			x.run = 0
			if x.naming {
				x.endName()
			}
			if x.rowTag && x.prev == '/' { // <row .../>
				x.inRow = false
			}
			x.rowTag = false
		default:
			x.run++
			if x.naming {
				switch {
				case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' && len(x.name) > 0:
					x.endName()
				case len(x.name) < 32:
					x.name = append(x.name, c)
				}
			}
		}
		x.prev = c
		if x.run > x.cell {
			return i, &overLimit{limit: "cell", max: x.cell, detail: x.part}
		}
		if x.inRow && x.pos-x.rowStart > x.line {
			return i, &overLimit{limit: "line", max: x.line, detail: x.part}
		}
	}
	return len(p), nil
}

// endName acts on the tag name just read: a row starting or ending.
func (x *xmlScan) endName() {
	x.naming = false
	n, closing := x.name, false
	if len(n) > 0 && n[0] == '/' {
		n, closing = n[1:], true
	}
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		n = n[i+1:]
	}
	if string(n) != "row" {
		return
	}
	if closing {
		x.inRow = false
		return
	}
	x.rowTag, x.inRow, x.rowStart = true, true, x.pos
}
