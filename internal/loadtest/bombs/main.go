// Command bombs writes, into the current folder, hostile and large import files for measuring
// kexi's import limits (issue #17, items 2 and 3; see ../README.md):
//
//	cell.csv.gz     a customers CSV whose one name cell is 1 GiB of 'a' (about 1 MB gzipped)
//	lines.csv.gz    the same cell spread over 1 GiB of quoted lines
//	cell.xlsx       an XLSX whose one inline-string cell unzips to 1 GiB (about 1 MB)
//	rows.csv.gz     10 million tiny customer rows
//	customers.csv   a realistic 10 MB customers file
//
// "bombs customers" writes only customers.csv; "bombs bigxlsx" writes only big.xlsx, a
// legitimate 300,000-row customers workbook (139 MB unpacked) for timing the XLSX check.
package main

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/xuri/excelize/v2"
)

const gib = 1 << 30

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func repeat(w io.Writer, unit string, total int) {
	chunk := make([]byte, 0, 1<<20)
	for len(chunk)+len(unit) <= cap(chunk) {
		chunk = append(chunk, unit...)
	}
	for n := 0; n < total; n += len(chunk) {
		c := chunk
		if total-n < len(c) {
			c = c[:total-n]
		}
		_, err := w.Write(c)
		must(err)
	}
}

func gz(name string, body func(w io.Writer)) {
	f, err := os.Create(name)
	must(err)
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	body(zw)
	must(zw.Close())
	must(f.Close())
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "customers":
			customers()
		case "bigxlsx":
			bigXLSX()
		default:
			fmt.Fprintln(os.Stderr, "usage: bombs [customers|bigxlsx]")
			os.Exit(2)
		}
		return
	}
	gz("cell.csv.gz", func(w io.Writer) {
		io.WriteString(w, "external_id,name,city\n1,")
		repeat(w, "a", gib)
		io.WriteString(w, ",Hangzhou\n")
	})
	gz("lines.csv.gz", func(w io.Writer) {
		io.WriteString(w, "external_id,name,city\n1,\"")
		repeat(w, "aaaaaaa\n", gib)
		io.WriteString(w, "\",Hangzhou\n")
	})
	gz("rows.csv.gz", func(w io.Writer) {
		bw := bufio.NewWriter(w)
		bw.WriteString("external_id,name,city\n")
		for i := range 10_000_000 {
			fmt.Fprintf(bw, "%d,n,c\n", i)
		}
		must(bw.Flush())
	})
	xlsx()
	customers()
}

func xlsx() {
	f, err := os.Create("cell.xlsx")
	must(err)
	zw := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := zw.Create(name)
		must(err)
		io.WriteString(w, body)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="customers" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate})
	must(err)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>external_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>city</t></is></c></row>`+
		`<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>`)
	repeat(w, "a", gib)
	io.WriteString(w, `</t></is></c><c r="C2" t="inlineStr"><is><t>Hangzhou</t></is></c></row></sheetData></worksheet>`)
	must(zw.Close())
	must(f.Close())
}

func customers() {
	f, err := os.Create("customers.csv")
	must(err)
	bw := bufio.NewWriter(f)
	bw.WriteString("external_id,name,email,phone,province,city,channel,first_order\n")
	r := rand.New(rand.NewPCG(1, 2))
	cities := []string{"杭州", "南京", "上海", "广州", "深圳", "成都", "武汉", "西安"}
	chans := []string{"wechat", "search_ads", "referral", "store", "tmall"}
	written := 0
	for i := 0; written < 10<<20; i++ {
		n, _ := fmt.Fprintf(bw, "C%07d,Customer %d %x,c%d@example.com,138%08d,省%d,%s,%s,2024-%02d-%02d\n",
			i, i, r.Uint64(), i, r.IntN(1e8), r.IntN(30), cities[r.IntN(len(cities))], chans[r.IntN(len(chans))], 1+r.IntN(12), 1+r.IntN(28))
		written += n
	}
	must(bw.Flush())
	must(f.Close())
}

// bigXLSX writes big.xlsx: a legitimate customers sheet of 300,000 rows.
func bigXLSX() {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	must(err)
	must(sw.SetRow("A1", []any{"external_id", "name", "email", "phone", "province", "city", "channel", "age"}))
	for i := range 300_000 {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		must(err)
		must(sw.SetRow(cell, []any{fmt.Sprintf("C%07d", i), fmt.Sprintf("Customer %d", i), fmt.Sprintf("c%d@example.com", i),
			fmt.Sprintf("138%08d", i), "浙江省", "杭州", "wechat", 20 + i%50}))
	}
	must(sw.Flush())
	must(f.SaveAs("big.xlsx"))
}
