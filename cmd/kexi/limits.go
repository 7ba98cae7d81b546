package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// sizeFlag is a byte count given as 1048576, 64MiB or 2GiB.
type sizeFlag struct{ n *int64 }

func (s sizeFlag) String() string {
	if s.n == nil || *s.n == 0 {
		return ""
	}
	return sheet.FormatSize(*s.n)
}

func (s sizeFlag) Set(v string) error {
	n, err := sheet.ParseSize(v)
	if err != nil {
		return err
	}
	*s.n = n
	return nil
}

// limitFlags adds --max-cell, --max-line, --max-unzipped and --max-rows (with environment
// fallbacks KEXI_MAX_CELL …) to fs. The function it returns gives the limits once fs is
// parsed, or an EINVALID error for a bad environment value.
func limitFlags(env *Env, fs *flag.FlagSet) func() (sheet.Limits, error) {
	var lim sheet.Limits
	d := sheet.DefaultLimits
	fs.Var(sizeFlag{&lim.Cell}, "max-cell", fmt.Sprintf("refuse files with a cell larger than `SIZE` (env KEXI_MAX_CELL; default %s)", sheet.FormatSize(d.Cell)))
	fs.Var(sizeFlag{&lim.Line}, "max-line", fmt.Sprintf("refuse files with a line (CSV record, XLSX row) larger than `SIZE` (env KEXI_MAX_LINE; default %s)", sheet.FormatSize(d.Line)))
	fs.Var(sizeFlag{&lim.Unzipped}, "max-unzipped", fmt.Sprintf("refuse .csv.gz and XLSX files that unpack to more than `SIZE` (env KEXI_MAX_UNZIPPED; default %s)", sheet.FormatSize(d.Unzipped)))
	fs.IntVar(&lim.Rows, "max-rows", 0, fmt.Sprintf("refuse files with more than `N` rows (env KEXI_MAX_ROWS; default %d)", d.Rows))
	return func() (sheet.Limits, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, e := range []struct {
			flag, env string
			n         *int64
		}{{"max-cell", "KEXI_MAX_CELL", &lim.Cell}, {"max-line", "KEXI_MAX_LINE", &lim.Line}, {"max-unzipped", "KEXI_MAX_UNZIPPED", &lim.Unzipped}} {
			if v := envOr(env, e.env, ""); v != "" && !set[e.flag] {
				n, err := sheet.ParseSize(v)
				if err != nil {
					return lim, kexi.Errorf(kexi.EINVALID, "%s: %v", e.env, err)
				}
				*e.n = n
			}
		}
		if v := envOr(env, "KEXI_MAX_ROWS", ""); v != "" && !set["max-rows"] {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return lim, kexi.Errorf(kexi.EINVALID, "KEXI_MAX_ROWS %q: expected a positive number of rows", v)
			}
			lim.Rows = n
		}
		if lim.Rows < 0 {
			return lim, kexi.Errorf(kexi.EINVALID, "--max-rows %d: expected a positive number of rows", lim.Rows)
		}
		return lim, nil
	}
}
