package kexihttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/render"
	"github.com/kexi/kexi/sheet"
)

// exportFormat reads ?format=csv|xlsx (default csv).
func exportFormat(r *http.Request) (string, error) {
	f := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format")))
	switch f {
	case "", "csv":
		return "csv", nil
	case "xlsx":
		return "xlsx", nil
	}
	return "", fieldError("format", f, "expected csv or xlsx")
}

// writeTable sends a header and rows as a CSV (UTF-8 with a byte-order mark, so Excel reads
// Chinese) or XLSX download named base.csv / base.xlsx.
func writeTable(w http.ResponseWriter, base, format string, head []string, rows [][]any) error {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == '"' || r < ' ' {
			return '_'
		}
		return r
	}, base) + "." + format
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		return render.RowsXLSX(w, head, rows)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	return render.RowsCSV(w, head, rows)
}

// exportEntity writes the records of a kind that match the request's filter (the whole list,
// not one page, unless a limit is given) as CSV or XLSX.
func (s *Server) exportEntity(w http.ResponseWriter, r *http.Request, e entity) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := parseFilter(r)
	if err != nil {
		return err
	}
	f = s.withLabels(r, f)
	if r.URL.Query().Get("limit") == "" {
		f.Limit = -1
	}
	var items any
	if e.kind() == kexi.KindCustomers {
		cl, err := s.findCustomers(r, f)
		if err != nil {
			return err
		}
		items = cl.items
	} else if items, _, err = e.list(r.Context(), s.st, f); err != nil {
		return err
	}
	s.audit(r, "export", e.kind(), fmt.Sprintf("format=%s filter=%s", format, r.URL.RawQuery))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, e.kind(), format))
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	// Buffer, so that a failure is still an error response rather than half a file.
	var buf bytes.Buffer
	items = s.cachedSettings(r.Context()).Labels.Relabel(items)
	if err := sheet.WriteIn(&buf, e.kind(), format, langOf(r), s.zone(r.Context()), items); err != nil {
		w.Header().Del("Content-Disposition")
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// flatten turns a slice of record pointers into columns (their JSON field names, custom fields
// as custom.NAME) and rows of cell values. Nested lists (order items, lead stages, market
// shares) become JSON text; string lists are joined with ";".
func flatten(items any) ([]string, [][]any) {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return nil, nil
	}
	t := v.Type().Elem()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	type col struct {
		name  string
		index int
	}
	var cols []col
	customIdx := -1
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		if name == "-" || name == "" || !sf.IsExported() {
			continue
		}
		if name == "custom" && sf.Type.Kind() == reflect.Map {
			customIdx = i
			continue
		}
		cols = append(cols, col{name, i})
	}
	// Custom field names across all records, sorted.
	var custom []string
	if customIdx >= 0 {
		seen := map[string]bool{}
		for i := 0; i < v.Len(); i++ {
			for _, k := range reflect.Indirect(v.Index(i)).Field(customIdx).MapKeys() {
				if !seen[k.String()] {
					seen[k.String()] = true
					custom = append(custom, k.String())
				}
			}
		}
		sort.Strings(custom)
	}
	head := make([]string, 0, len(cols)+len(custom))
	for _, c := range cols {
		head = append(head, c.name)
	}
	for _, c := range custom {
		head = append(head, "custom."+c)
	}
	rows := make([][]any, v.Len())
	for i := range rows {
		rv := reflect.Indirect(v.Index(i))
		row := make([]any, 0, len(head))
		for _, c := range cols {
			row = append(row, plainValue(rv.Field(c.index)))
		}
		if customIdx >= 0 {
			m := rv.Field(customIdx)
			for _, c := range custom {
				cv := m.MapIndex(reflect.ValueOf(c))
				if cv.IsValid() {
					row = append(row, cv.String())
				} else {
					row = append(row, "")
				}
			}
		}
		rows[i] = row
	}
	return head, rows
}

// plainValue turns a struct field into a cell value.
func plainValue(f reflect.Value) any {
	switch x := f.Interface().(type) {
	case time.Time:
		return x
	case []string:
		return strings.Join(x, ";")
	case bool:
		return x
	case string:
		return x
	case float64:
		return x
	case int64:
		return x
	case int:
		return x
	case kexi.CustomerKind:
		return string(x)
	}
	if f.Kind() == reflect.Slice {
		if f.Len() == 0 {
			return ""
		}
		b, _ := json.Marshal(f.Interface())
		return string(b)
	}
	if f.Kind() == reflect.String {
		return f.String()
	}
	return fmt.Sprint(f.Interface())
}
