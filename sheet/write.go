package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/xuri/excelize/v2"
)

// Export formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// WriteIn writes records of one kind as CSV or XLSX with headers in English (lang "en") or
// Chinese ("zh"): the first synonym of each field in that language, so Read maps them back.
// records is a slice of kexi records or of pointers to them ([]*kexi.Customer, []kexi.Order, …).
// Orders are written one row per line item, the order's fields repeated. Custom fields become
// "custom.NAME" columns. Times are written as 2006-01-02 15:04:05 (a date alone at
// midnight) in loc, the business's time zone, as wall-clock time without an offset: what Read
// with Options.Location set to loc reads back as the same instants.
//
// CSV cells that a spreadsheet would run as a formula get an apostrophe in front (see
// EscapeFormula), which Read removes again.
//
// A Chinese CSV starts with a UTF-8 byte order mark so that Excel opens it as UTF-8 rather than
// the system code page; an English one does not (Read accepts both).
//
// It returns an EINVALID error for an unknown kind, format or record type.
func WriteIn(w io.Writer, kind, format, lang string, loc *time.Location, records any) error {
	k := kinds[strings.ToLower(kind)]
	if k == nil {
		return kexi.Errorf(kexi.EINVALID, "unknown kind %q: expected one of %s", kind, strings.Join(kindNames(), ", "))
	}
	recs, err := toRecs(k.name, records)
	if err != nil {
		return err
	}
	zh := strings.HasPrefix(strings.ToLower(lang), "zh")
	var fields []*field
	for _, f := range k.fields {
		if f.get != nil {
			fields = append(fields, f)
		}
	}
	var customs []string
	if k.custom != nil {
		set := map[string]bool{}
		for i := range recs {
			for n := range *k.custom(&recs[i]) {
				set[n] = true
			}
		}
		customs = sortedKeys(set)
	}
	header := make([]string, 0, len(fields)+len(customs))
	for _, f := range fields {
		h := f.en[0]
		if zh && len(f.zh) > 0 {
			h = f.zh[0]
		}
		header = append(header, h)
	}
	for _, c := range customs {
		header = append(header, "custom."+c)
	}
	var out tableWriter
	switch strings.ToLower(format) {
	case "", CSV:
		out = newCSVWriter(w, zh)
	case XLSX:
		out, err = newXLSXWriter(w, k.name)
		if err != nil {
			return err
		}
	default:
		return kexi.Errorf(kexi.EINVALID, "unknown format %q: expected csv or xlsx", format)
	}
	if err := out.row(header, nil); err != nil {
		return err
	}
	for i := range recs {
		recs[i].loc = loc
	}
	cells := make([]string, len(header))
	nums := make([]bool, len(header))
	for i, f := range fields {
		nums[i] = f.typ == tNumber || f.typ == tInt
	}
	for i := range recs {
		r := &recs[i]
		emit := func() error {
			for j, f := range fields {
				cells[j] = f.get(r)
			}
			for j, c := range customs {
				cells[len(fields)+j] = (*k.custom(r))[c]
			}
			return out.row(cells, nums)
		}
		if k.name == kexi.KindOrders && len(r.o.Items) > 0 {
			for j := range r.o.Items {
				r.it = &r.o.Items[j]
				if err := emit(); err != nil {
					return err
				}
			}
			continue
		}
		if err := emit(); err != nil {
			return err
		}
	}
	return out.close()
}

// toRecs wraps records in recs for the field getters.
func toRecs(kind string, records any) ([]rec, error) {
	var out []rec
	add := func(r rec) { out = append(out, r) }
	empty := &kexi.OrderItem{}
	switch rs := records.(type) {
	case []*kexi.Customer:
		for _, x := range rs {
			add(rec{c: x})
		}
	case []kexi.Customer:
		for i := range rs {
			add(rec{c: &rs[i]})
		}
	case []*kexi.Order:
		for _, x := range rs {
			add(rec{o: x, it: empty})
		}
	case []kexi.Order:
		for i := range rs {
			add(rec{o: &rs[i], it: empty})
		}
	case []*kexi.Product:
		for _, x := range rs {
			add(rec{p: x})
		}
	case []kexi.Product:
		for i := range rs {
			add(rec{p: &rs[i]})
		}
	case []*kexi.Interaction:
		for _, x := range rs {
			add(rec{x: x})
		}
	case []kexi.Interaction:
		for i := range rs {
			add(rec{x: &rs[i]})
		}
	case []*kexi.WebEvent:
		for _, x := range rs {
			add(rec{e: x})
		}
	case []kexi.WebEvent:
		for i := range rs {
			add(rec{e: &rs[i]})
		}
	case []*kexi.SurveyResponse:
		for _, x := range rs {
			add(rec{s: x})
		}
	case []kexi.SurveyResponse:
		for i := range rs {
			add(rec{s: &rs[i]})
		}
	case []*kexi.Lead:
		for _, x := range rs {
			add(rec{l: x})
		}
	case []kexi.Lead:
		for i := range rs {
			add(rec{l: &rs[i]})
		}
	case []*kexi.Campaign:
		for _, x := range rs {
			add(rec{cp: x})
		}
	case []kexi.Campaign:
		for i := range rs {
			add(rec{cp: &rs[i]})
		}
	case []*kexi.CampaignResponse:
		for _, x := range rs {
			add(rec{r: x})
		}
	case []kexi.CampaignResponse:
		for i := range rs {
			add(rec{r: &rs[i]})
		}
	case []*kexi.Competitor:
		for _, x := range rs {
			add(rec{k: x})
		}
	case []kexi.Competitor:
		for i := range rs {
			add(rec{k: &rs[i]})
		}
	case []*kexi.SWOTItem:
		for _, x := range rs {
			add(rec{w: x})
		}
	case []kexi.SWOTItem:
		for i := range rs {
			add(rec{w: &rs[i]})
		}
	default:
		return nil, kexi.Errorf(kexi.EINVALID, "cannot write %T as %s: %v", records, kind, errNoRows)
	}
	if len(out) > 0 && !recMatches(kind, &out[0]) {
		return nil, kexi.Errorf(kexi.EINVALID, "cannot write %T as %s", records, kind)
	}
	// nil pointers in a pointer slice would panic in the getters
	kept := out[:0]
	for _, r := range out {
		if recMatches(kind, &r) {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

func recMatches(kind string, r *rec) bool {
	switch kind {
	case kexi.KindCustomers:
		return r.c != nil
	case kexi.KindOrders:
		return r.o != nil
	case kexi.KindProducts:
		return r.p != nil
	case kexi.KindInteractions:
		return r.x != nil
	case kexi.KindEvents:
		return r.e != nil
	case kexi.KindSurveys:
		return r.s != nil
	case kexi.KindLeads:
		return r.l != nil
	case kexi.KindCampaigns:
		return r.cp != nil
	case kexi.KindResponses:
		return r.r != nil
	case kexi.KindCompetitors:
		return r.k != nil
	case kexi.KindSWOT:
		return r.w != nil
	}
	return false
}

type tableWriter interface {
	row(cells []string, nums []bool) error
	close() error
}

type csvWriter struct {
	cw *csv.Writer
}

func newCSVWriter(w io.Writer, bom bool) *csvWriter {
	if bom {
		io.WriteString(w, "\ufeff")
	}
	return &csvWriter{cw: csv.NewWriter(w)}
}

func (c *csvWriter) row(cells []string, _ []bool) error {
	for i, s := range cells {
		cells[i] = EscapeFormula(s)
	}
	return c.cw.Write(cells)
}

func (c *csvWriter) close() error {
	c.cw.Flush()
	return c.cw.Error()
}

type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	n    int
	vals []any
}

func newXLSXWriter(w io.Writer, sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return &xlsxWriter{w: w, f: f, sw: sw}, nil
}

func (x *xlsxWriter) row(cells []string, nums []bool) error {
	x.n++
	x.vals = x.vals[:0]
	for i, c := range cells {
		if nums != nil && nums[i] && c != "" {
			if f, err := ParseNumber(c); err == nil {
				x.vals = append(x.vals, f)
				continue
			}
		}
		x.vals = append(x.vals, c)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.vals)
}

func (x *xlsxWriter) close() error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := x.f.WriteTo(x.w); err != nil {
		return err
	}
	return x.f.Close()
}
