package sheet

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kexi/kexi"
)

// Errors the value parsers return. Their text says what was expected, so an import problem
// reads "value "abc": expected a number like 1,234.50 or ¥12.5".
var (
	errDate   = errors.New("expected a date like 2024-06-30, 2024/6/30 8:26, 6/30/2024 or 2024年6月30日")
	errNumber = errors.New("expected a number like 1234.5, 1,234.50, ¥12.5, 12% or 1.2万")
	errBool   = errors.New("expected yes/no, true/false, 1/0 or 是/否")
	errInt    = errors.New("expected a whole number like 42")
)

// excelEpoch is day 0 of Excel's 1900 date system as Excel counts it. Excel wrongly treats
// 1900 as a leap year, so serials from 61 on are offset by one day; counting from
// 1899-12-30 gives the right date for every serial ≥ 61 (1900-03-01 and later).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseDate parses a date or date and time as ParseDateIn does, reading a time without a zone
// as UTC.
func ParseDate(s string) (time.Time, error) { return ParseDateIn(s, time.UTC) }

// ParseDateWithin is ParseDateIn that also refuses a time outside dates, with an error that
// says the range ("expected a date from 1900-01-01 to 2031-12-07").
func ParseDateWithin(s string, loc *time.Location, dates kexi.Dates) (time.Time, error) {
	t, err := ParseDateIn(s, loc)
	if err == nil && !dates.Contains(t) {
		err = dateRangeErr(dates)
	}
	return t, err
}

// ParseDateIn parses a date or date and time as people and spreadsheets write them. A time
// without a zone (and a date alone, which means the start of that day) is wall-clock time in
// loc, the business's time zone; a time with Z or an offset keeps it:
//
//   - ISO 8601: 2011-12-09, 2011-12-09 08:26, 2011-12-09 08:26:00.5, 2011-12-09T08:26:00Z,
//     2011-12-09T08:26:00+08:00
//   - year first with slashes or dots: 2011/12/9, 2011/12/9 8:26, 2011.12.9 8:26:05
//   - year last: 12/9/2011 08:26. When both the first two numbers could be a month it is read
//     as US month/day (12/9/2011 is 9 December); when the first is above 12 it is the day
//     (25/12/2011 is 25 December).
//   - Chinese: 2011年12月9日, 2011年12月9日 8时26分, 2011年12月9日 8:26
//   - compact: 20111209
//   - Excel serial day numbers, with a fraction for the time of day: 40886.35 (1900 system).
//
// Years run from 1000 to 9999. A time may end in AM/PM (上午/下午). It returns an error saying
// what was expected otherwise. A nil loc means UTC.
func ParseDateIn(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errDate
	}
	if t, ok := parseISOFast(s, loc); ok {
		return t, nil
	}
	if allDigitsDot(s) {
		return parseNumericDate(s, loc)
	}
	p := dateScanner{s: s}
	y, mo, d, ok := p.date()
	if !ok || !validDate(y, mo, d) {
		return time.Time{}, errDate
	}
	h, mi, sec, ns, zone, ok := p.clock()
	if !ok {
		return time.Time{}, errDate
	}
	if zone != nil {
		loc = zone
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, loc)
	if u := t.UTC().Year(); u < 1000 || u > 9999 {
		return time.Time{}, errDate
	}
	return t, nil
}

// parseISOFast handles "2006-01-02" and "2006-01-02 15:04:05" (wall-clock times in loc)
// without allocating; they are by far the most common forms in exported files.
func parseISOFast(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 && len(s) != 19 {
		return time.Time{}, false
	}
	if s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || !validDate(y, mo, d) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc), true
	}
	if (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digits(s[11:13])
	mi, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc), true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func allDigitsDot(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

// parseNumericDate reads YYYYMMDD or an Excel serial day number, both wall-clock times in loc.
func parseNumericDate(s string, loc *time.Location) (time.Time, error) {
	if len(s) == 8 && !strings.Contains(s, ".") {
		y, _ := digits(s[0:4])
		mo, _ := digits(s[4:6])
		d, _ := digits(s[6:8])
		if validDate(y, mo, d) {
			return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	// 2958465 is 9999-12-31, the last day Excel knows.
	if err != nil || f < 1 || f >= 2958466 {
		return time.Time{}, errDate
	}
	days := math.Floor(f)
	// Round the time of day to the millisecond: serials carry binary noise (0.35 days is not
	// exactly 8:24).
	ms := math.Round((f - days) * 86400000)
	t := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(ms) * time.Millisecond)
	if loc == time.UTC {
		return t, nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
}

func validDate(y, mo, d int) bool {
	if y < 1000 || y > 9999 || mo < 1 || mo > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, mo)
}

func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dateScanner walks a date string left to right.
type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) num(max int) (int, int, bool) {
	start := p.i
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' && p.i-start < max {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return n, p.i - start, p.i > start
}

func (p *dateScanner) lit(t string) bool {
	if strings.HasPrefix(p.s[p.i:], t) {
		p.i += len(t)
		return true
	}
	return false
}

func (p *dateScanner) spaces() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// date reads the date part: Y-M-D, Y/M/D, Y.M.D, Y年M月D日, M/D/Y or D/M/Y.
func (p *dateScanner) date() (y, mo, d int, ok bool) {
	a, na, ok := p.num(4)
	if !ok {
		return 0, 0, 0, false
	}
	if na == 4 {
		if p.lit("年") {
			if mo, _, ok = p.num(2); !ok || !p.lit("月") {
				return 0, 0, 0, false
			}
			if d, _, ok = p.num(2); !ok {
				return 0, 0, 0, false
			}
			p.lit("日")
			p.lit("号")
			return a, mo, d, true
		}
		if p.i >= len(p.s) {
			return 0, 0, 0, false
		}
		sep := p.s[p.i]
		if sep != '-' && sep != '/' && sep != '.' {
			return 0, 0, 0, false
		}
		p.i++
		if mo, _, ok = p.num(2); !ok || !p.lit(string(sep)) {
			return 0, 0, 0, false
		}
		if d, _, ok = p.num(2); !ok {
			return 0, 0, 0, false
		}
		return a, mo, d, true
	}
	if na > 2 || p.i >= len(p.s) {
		return 0, 0, 0, false
	}
	sep := p.s[p.i]
	if sep != '/' && sep != '-' && sep != '.' {
		return 0, 0, 0, false
	}
	p.i++
	b, _, ok := p.num(2)
	if !ok || !p.lit(string(sep)) {
		return 0, 0, 0, false
	}
	y, ny, ok := p.num(4)
	if !ok || ny != 4 {
		return 0, 0, 0, false
	}
	if a > 12 { // unambiguous day first: 25/12/2011
		return y, b, a, true
	}
	return y, a, b, true // US month/day
}

// clock reads an optional time part and zone after the date. The zone is nil when the text
// gives none.
func (p *dateScanner) clock() (h, mi, sec, ns int, loc *time.Location, ok bool) {
	if p.i >= len(p.s) {
		return 0, 0, 0, 0, loc, true
	}
	if p.s[p.i] == 'T' {
		p.i++
	} else {
		start := p.i
		p.spaces()
		if p.i == start && !strings.HasPrefix(p.s[p.i:], "上午") && !strings.HasPrefix(p.s[p.i:], "下午") {
			return 0, 0, 0, 0, nil, false
		}
	}
	pm := 0 // 1 am, 2 pm
	if p.lit("上午") {
		pm = 1
	} else if p.lit("下午") || p.lit("晚上") {
		pm = 2
	}
	var okh bool
	if h, _, okh = p.num(2); !okh {
		return 0, 0, 0, 0, nil, false
	}
	chinese := false
	switch {
	case p.lit(":"):
	case p.lit("时") || p.lit("點") || p.lit("点"):
		chinese = true
	default:
		return 0, 0, 0, 0, nil, false
	}
	if chinese && p.i >= len(p.s) { // 8时
		return h, 0, 0, 0, loc, h <= 23
	}
	if mi, _, okh = p.num(2); !okh {
		return 0, 0, 0, 0, nil, false
	}
	if chinese {
		p.lit("分")
		if s, _, oks := p.num(2); oks {
			sec = s
			p.lit("秒")
		}
	} else if p.lit(":") {
		if sec, _, okh = p.num(2); !okh {
			return 0, 0, 0, 0, nil, false
		}
		if p.lit(".") || p.lit(",") {
			start := p.i
			f, n, okf := p.num(9)
			if !okf {
				return 0, 0, 0, 0, nil, false
			}
			for ; n < 9; n++ {
				f *= 10
			}
			ns = f
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' { // beyond nanoseconds
				p.i++
			}
			_ = start
		}
	}
	p.spaces()
	switch {
	case p.lit("AM") || p.lit("am") || p.lit("a.m."):
		pm = 1
	case p.lit("PM") || p.lit("pm") || p.lit("p.m."):
		pm = 2
	}
	if pm != 0 {
		if h < 1 || h > 12 {
			return 0, 0, 0, 0, nil, false
		}
		if pm == 1 && h == 12 {
			h = 0
		} else if pm == 2 && h != 12 {
			h += 12
		}
	}
	if h > 23 || mi > 59 || sec > 59 {
		return 0, 0, 0, 0, nil, false
	}
	p.spaces()
	if p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == 'Z' && p.i == len(p.s)-1:
			p.i++
			loc = time.UTC
		case (c == '+' || c == '-') && !pm2(pm):
			p.i++
			zh, n, okz := p.num(2)
			if !okz || n != 2 {
				return 0, 0, 0, 0, nil, false
			}
			p.lit(":")
			zm, nm, _ := p.num(2)
			if zh > 14 || zm > 59 || nm == 1 {
				return 0, 0, 0, 0, nil, false
			}
			off := zh*3600 + zm*60
			if c == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	if p.i != len(p.s) {
		return 0, 0, 0, 0, nil, false
	}
	return h, mi, sec, ns, loc, true
}

func pm2(pm int) bool { return pm != 0 }

// ParseNumber parses a number as people and spreadsheets write it: 1234.5, -3, 1e3,
// thousands separators (1,234,567.8), a currency sign before or after (¥ ￥ £ $ € and 元),
// a percent sign (12.5% is 0.125), parentheses for negatives ((12.50) is -12.5), full-width
// digits (１２３), and the Chinese multipliers 万 (10,000) and 亿 (100,000,000): 1.2万 is 12000.
// It rejects NaN and infinities and returns an error saying what was expected otherwise.
func ParseNumber(s string) (float64, error) {
	if fastNumber(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
		return 0, errNumber
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errNumber
	}
	if !utf8.ValidString(s) {
		return 0, errNumber
	}
	s = fullWidth(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg = true
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg = !neg
		s = strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	scale := 1.0
	for _, c := range currencies {
		if strings.HasPrefix(s, c) {
			s = strings.TrimSpace(s[len(c):])
			if strings.HasPrefix(s, "-") { // ¥-12
				neg = !neg
				s = strings.TrimSpace(s[1:])
			}
			break
		}
	}
	for _, c := range currencies {
		if strings.HasSuffix(s, c) {
			s = strings.TrimSpace(s[:len(s)-len(c)])
			break
		}
	}
	switch {
	case strings.HasSuffix(s, "%"):
		scale, s = 0.01, strings.TrimSpace(s[:len(s)-1])
	case strings.HasSuffix(s, "万"):
		scale, s = 1e4, strings.TrimSpace(s[:len(s)-len("万")])
	case strings.HasSuffix(s, "亿"):
		scale, s = 1e8, strings.TrimSpace(s[:len(s)-len("亿")])
	}
	if strings.Contains(s, ",") {
		var ok bool
		if s, ok = dropThousands(s); !ok {
			return 0, errNumber
		}
	}
	if !plainNumber(s) {
		return 0, errNumber
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errNumber
	}
	f *= scale
	if neg {
		f = -f
	}
	if math.IsInf(f, 0) {
		return 0, errNumber
	}
	return f, nil
}

var currencies = []string{"¥", "￥", "£", "$", "€", "US$", "RMB", "CNY", "元"}

// fastNumber reports whether s is a plain decimal number strconv can take as it is.
func fastNumber(s string) bool {
	if len(s) == 0 || len(s) > 24 {
		return false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	dot, dig := false, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			dig = true
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return dig
}

// plainNumber accepts digits with one optional point and an optional exponent: what
// strconv.ParseFloat takes, minus hex, underscores, signs, "Inf" and "NaN".
func plainNumber(s string) bool {
	i, dig := 0, false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		dig = true
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			dig = true
		}
	}
	if !dig {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

// dropThousands removes thousands separators, insisting on groups of three digits so that
// a European "1,5" is an error rather than fifteen.
func dropThousands(s string) (string, bool) {
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, "") + frac, true
}

// fullWidth maps full-width digits and signs (１２３．５) to ASCII.
func fullWidth(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		case r == '，':
			return ','
		case r == '－':
			return '-'
		case r == '＋':
			return '+'
		case r == '％':
			return '%'
		case r == '（':
			return '('
		case r == '）':
			return ')'
		case r == '\u00a0' || r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// ParseBool parses yes/no answers: yes, no, y, n, true, false, t, f, 1, 0, 是, 否, 有, 无, 对,
// 错 (any case). It returns an error saying what was expected otherwise.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "t", "1", "是", "有", "对", "✓", "x":
		return true, nil
	case "no", "n", "false", "f", "0", "否", "无", "没有", "错", "":
		return false, nil
	}
	return false, errBool
}

// formatNumber writes a number the way the stores and exports keep it: shortest exact form.
func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// formatTime is formatTimeIn in UTC.
func formatTime(t time.Time) string { return formatTimeIn(t, time.UTC) }

// formatTimeIn writes a time for export as wall-clock time in loc (nil: UTC), without a zone,
// so that ParseDateIn with the same loc reads back the same instant: a date alone when it is
// midnight there, otherwise date and time (with fractional seconds when there are any).
func formatTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05.999999999")
	}
	return t.Format("2006-01-02 15:04:05")
}
