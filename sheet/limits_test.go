package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/kexi/kexi"
)

// gzipped compresses what write writes.
func gzipped(t *testing.T, write func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	write(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// repeatTo writes unit to w over and over, n bytes in all.
func repeatTo(w io.Writer, unit string, n int) {
	chunk := []byte(strings.Repeat(unit, (64<<10)/len(unit)))
	for n > 0 {
		c := chunk[:min(n, len(chunk))]
		w.Write(c)
		n -= len(c)
	}
}

// xlsxPart is one part of a hand-made workbook; declared, when set, is the size the zip
// directory claims for it.
type xlsxPart struct {
	name     string
	write    func(w io.Writer)
	declared uint64
}

// xlsxWith makes a workbook of one sheet (the "customers" sheet at xl/worksheets/sheet1.xml,
// whose sheetData the caller writes) plus any extra parts.
func xlsxWith(t *testing.T, sheetData func(w io.Writer), extra ...xlsxPart) []byte {
	t.Helper()
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	parts := []xlsxPart{
		{name: "[Content_Types].xml", write: text(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)},
		{name: "_rels/.rels", write: text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{name: "xl/workbook.xml", write: text(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="customers" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{name: "xl/_rels/workbook.xml.rels", write: text(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)},
		{name: "xl/worksheets/sheet1.xml", write: func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			sheetData(w)
			io.WriteString(w, `</sheetData></worksheet>`)
		}},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range append(parts, extra...) {
		if p.declared == 0 {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
			if err != nil {
				t.Fatal(err)
			}
			p.write(w)
			continue
		}
		// A directory that lies about the size: write the part's deflated bytes raw.
		var raw, plain bytes.Buffer
		p.write(&plain)
		fw, _ := flate.NewWriter(&raw, flate.DefaultCompression)
		fw.Write(plain.Bytes())
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(plain.Bytes()),
			CompressedSize64: uint64(raw.Len()), UncompressedSize64: p.declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// inline is an inline-string cell.
func inline(w io.Writer, ref, s string) {
	io.WriteString(w, `<c r="`+ref+`" t="inlineStr"><is><t>`+s+`</t></is></c>`)
}

// header writes the first row of the customers sheet.
func header(w io.Writer) {
	io.WriteString(w, `<row r="1">`)
	inline(w, "A1", "external_id")
	inline(w, "B1", "name")
	inline(w, "C1", "city")
	io.WriteString(w, `</row>`)
}

// wantLimit checks that err is a limit error of code EINVALID naming the limit, its size and
// the flag that raises it.
func wantLimit(t *testing.T, what string, err error, limit, size string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want the %s limit", what, limit)
		return
	}
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("%s: code %q (%v), want invalid", what, kexi.ErrorCode(err), err)
		return
	}
	msg := kexi.ErrorMessage(err)
	if !strings.Contains(msg, "the "+limit+" limit of "+size) || !strings.Contains(msg, "--max-"+limit) {
		t.Errorf("%s: message %q does not name the %s limit of %s and --max-%s", what, msg, limit, size, limit)
	}
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != limit {
		t.Errorf("%s: %v is not a *LimitError for %s", what, err, limit)
	}
}

// TestReadRefusesBombs: compressed files that unpack to one enormous cell are refused by the
// default limits after reading little more than the limit, not after filling memory.
func TestReadRefusesBombs(t *testing.T) {
	const big = 40 << 20 // over the 16 MiB line and 1 MiB cell limits
	cases := []struct {
		name, limit, size string
		data              []byte
	}{
		{"cell.csv.gz", "line", "16 MiB", gzipped(t, func(w io.Writer) {
			io.WriteString(w, "external_id,name,city\n1,")
			repeatTo(w, "a", big)
			io.WriteString(w, ",Hangzhou\n")
		})},
		// The cell is quoted and spans many lines: still one record.
		{"lines.csv.gz", "line", "16 MiB", gzipped(t, func(w io.Writer) {
			io.WriteString(w, "external_id,name,city\n1,\"")
			repeatTo(w, "aaaaaaa\n", big)
			io.WriteString(w, "\",Hangzhou\n")
		})},
		{"header.csv.gz", "line", "16 MiB", gzipped(t, func(w io.Writer) { repeatTo(w, "a", big) })},
		{"cell.xlsx", "cell", "1 MiB", xlsxWith(t, func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>`)
			repeatTo(w, "a", big)
			io.WriteString(w, `</t></is></c></row>`)
		})},
		// A cell in the shared strings.
		{"shared.xlsx", "cell", "1 MiB", xlsxWith(t, func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>`)
		}, xlsxPart{name: "xl/sharedStrings.xml", write: func(w io.Writer) {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`)
			repeatTo(w, "a", big)
			io.WriteString(w, `</t></si></sst>`)
		}})},
		// Many cells under the cell limit make a row over the line limit.
		{"row.xlsx", "line", "16 MiB", xlsxWith(t, func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2">`)
			for i := range 40 {
				io.WriteString(w, `<c r="`+string(rune('A'+i%26))+`2" t="inlineStr"><is><t>`)
				repeatTo(w, "a", 1<<20-100)
				io.WriteString(w, `</t></is></c>`)
			}
			io.WriteString(w, `</row>`)
		})},
		// The zip directory says a part unpacks to 1.5 GiB: refused before anything is unpacked.
		{"declared.xlsx", "unzipped", "1 GiB", xlsxWith(t, func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c></row>`)
		}, xlsxPart{name: "xl/styles.xml", declared: 3 << 29, write: func(w io.Writer) { io.WriteString(w, "<styleSheet/>") }})},
	}
	for _, c := range cases {
		res, err := Read(bytes.NewReader(c.data), c.name, Options{Kind: kexi.KindCustomers})
		wantLimit(t, c.name, err, c.limit, c.size)
		if res != nil && res.Batch != nil && len(res.Batch.Customers) > 0 {
			t.Errorf("%s: %d customers read despite the error", c.name, len(res.Batch.Customers))
		}
	}
}

// TestReadLimits: each limit can be set, a file at the limit is read and one over it is not.
func TestReadLimits(t *testing.T) {
	rows := func(n int, name string) string {
		var b strings.Builder
		b.WriteString("external_id,name,city\n")
		for i := range n {
			b.WriteString(string(rune('A'+i%26)) + strings.Repeat("x", i/26) + "," + name + ",Hangzhou\n")
		}
		return b.String()
	}
	gz := func(s string) string { return string(gzipped(t, func(w io.Writer) { io.WriteString(w, s) })) }
	cases := []struct {
		name  string
		data  string
		lim   Limits
		limit string // "" when the file is within its limits
		size  string
	}{
		{"cell.csv", rows(3, strings.Repeat("n", 100)), Limits{Cell: 100}, "", ""},
		{"cell.csv", rows(3, strings.Repeat("n", 101)), Limits{Cell: 100}, "cell", "100 B"},
		{"quoted.csv", "external_id,name,city\n1,\"" + strings.Repeat("a\n", 51) + "\",x\n", Limits{Cell: 100}, "cell", "100 B"},
		{"line.csv", rows(3, strings.Repeat("n", 6000)), Limits{Line: 8 << 10}, "", ""},
		{"line.csv", rows(3, strings.Repeat("n", 20000)), Limits{Line: 8 << 10}, "line", "8 KiB"},
		{"rows.csv", rows(10, "n"), Limits{Rows: 10}, "", ""},
		{"rows.csv", rows(11, "n"), Limits{Rows: 10}, "rows", "10 rows"},
		{"rows.csv.gz", gz(rows(11, "n")), Limits{Rows: 10}, "rows", "10 rows"},
		{"unzipped.csv.gz", gz(rows(20000, "n")), Limits{Unzipped: 64 << 10}, "unzipped", "64 KiB"},
		// The unpacked limit is for compressed files; a plain file is as large as it looks.
		{"plain.csv", rows(20000, "n"), Limits{Unzipped: 64 << 10}, "", ""},
		{"small.csv.gz", gz(rows(100, "n")), Limits{Unzipped: 64 << 10}, "", ""},
		{"cell.xlsx", string(xlsxWith(t, func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c>`)
			inline(w, "B2", strings.Repeat("n", 200))
			io.WriteString(w, `</row>`)
		})), Limits{Cell: 100}, "cell", "100 B"},
		{"unzipped.xlsx", string(xlsxWith(t, func(w io.Writer) {
			header(w)
			for i := range 2000 {
				io.WriteString(w, `<row><c><v>`+string(rune('0'+i%10))+`</v></c></row>`)
			}
		})), Limits{Unzipped: 16 << 10}, "unzipped", "16 KiB"},
	}
	for _, c := range cases {
		res, err := Read(strings.NewReader(c.data), c.name, Options{Kind: kexi.KindCustomers, Limits: c.lim, SkipInvalid: true})
		if c.limit == "" {
			if err != nil {
				t.Errorf("%s %+v: %v", c.name, c.lim, err)
			} else if res.Rows == 0 {
				t.Errorf("%s: no rows", c.name)
			}
			continue
		}
		wantLimit(t, c.name, err, c.limit, c.size)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "64MB": 64 << 20, "64 MiB": 64 << 20, "1.5GiB": 3 << 29,
		"2g": 2 << 30, "512k": 512 << 10, "100B": 100} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5MB", "lots", "1e30GB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
	for n, want := range map[int64]string{1 << 20: "1 MiB", 16 << 20: "16 MiB", 1 << 30: "1 GiB", 1500: "1500 B"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestReadXLSXDamagedPart: the check before excelize looks only for limits; a part that does
// not unpack (a wrong checksum in a thumbnail) is left to excelize, which reads the workbook.
func TestReadXLSXDamagedPart(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	good := xlsxWith(t, func(w io.Writer) {
		header(w)
		io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c>`)
		inline(w, "B2", "Ann")
		io.WriteString(w, `</row>`)
	})
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "docProps/thumbnail.jpeg", Method: zip.Store, CRC32: 1, CompressedSize64: 4, UncompressedSize64: 4})
	w.Write([]byte("jpeg"))
	zw.Close()
	res, err := Read(bytes.NewReader(buf.Bytes()), "damaged.xlsx", Options{Kind: kexi.KindCustomers})
	if err != nil || len(res.Batch.Customers) != 1 || res.Batch.Customers[0].Name != "Ann" {
		t.Fatalf("damaged.xlsx: %v %+v", err, res)
	}
}

// TestReadXLSXUnderstatedPart: a zip directory that gives a part less than it unpacks to
// cannot get more past the unzipped limit, because archive/zip stops every part at its
// declared size — checkXLSX relies on this and counts no bytes itself. The 1 MiB picture
// declared as 100 bytes gives at most 100; excelize puts up with the damage (as in
// TestReadXLSXDamagedPart) and reads the customer.
func TestReadXLSXUnderstatedPart(t *testing.T) {
	data := xlsxWith(t, func(w io.Writer) {
		header(w)
		io.WriteString(w, `<row r="2"><c r="A2"><v>1</v></c>`)
		inline(w, "B2", "Ann")
		io.WriteString(w, `</row>`)
	}, xlsxPart{name: "xl/media/image1.png", declared: 100, write: func(w io.Writer) { repeatTo(w, "p", 1<<20) }})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/media/image1.png" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if n > 100 || err == nil {
			t.Errorf("archive/zip gave %d bytes of a part declared as 100 (err %v), want at most 100 and an error", n, err)
		}
	}
	res, err := Read(bytes.NewReader(data), "understated.xlsx", Options{Kind: kexi.KindCustomers, Limits: Limits{Unzipped: 64 << 10}})
	if err != nil || len(res.Batch.Customers) != 1 || res.Batch.Customers[0].Name != "Ann" {
		t.Fatalf("understated.xlsx: %v %+v", err, res)
	}
}
