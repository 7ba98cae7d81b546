// Package analysis defines what every analysis is: a name, a description in both languages,
// options with defaults, and a Run from an Input (the Dataset, an as-of date, a period and
// options) to a Result of plain data (summary figures, tables, chart series). The CLI, the API
// and the UI loop over the registry in analysis/all and know nothing of any one analysis.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Text is a string in English and Chinese.
type Text struct {
	En string `json:"en"`
	Zh string `json:"zh"`
}

// In returns the text in lang ("zh…" → Chinese, anything else → English).
func (t Text) In(lang string) string {
	if strings.HasPrefix(lang, "zh") && t.Zh != "" {
		return t.Zh
	}
	return t.En
}

// Option describes one option an analysis accepts (--option key=value, a form field, a query
// parameter).
type Option struct {
	Key     string   `json:"key"`
	Default string   `json:"default"`
	Type    string   `json:"type"` // int, float, string, date, choice, bool
	Choices []string `json:"choices,omitempty"`
	Help    Text     `json:"help"`
}

// Info describes an analysis.
type Info struct {
	Name    string   `json:"name"`    // lower snake case: "rfm", "cohort_retention"
	Code    string   `json:"code"`    // SPEC number: "A1"
	Title   Text     `json:"title"`   // "RFM" / "RFM 分析"
	Summary Text     `json:"summary"` // one line on what it answers
	Options []Option `json:"options,omitempty"`
	// Labels translates the keys this analysis uses in figures, columns, series and
	// categorical values (segment names …) into both languages. "help.KEY" holds a one-line
	// definition of figure KEY, which pages show on hover.
	Labels map[string]Text `json:"labels,omitempty"`
	// Needs lists the Dataset parts the analysis cannot do without ("orders", "leads", …): the
	// UI tells the user what to import when they are empty. "items" (order lines) is listed by
	// the analyses that read lines. What is loaded for it is Reads.
	Needs []string `json:"needs,omitempty"`
	// Reads lists every Dataset part the analysis reads, in the names of kexi.PartsOf: Needs
	// and what it reads when present (products for names, surveys for a driver …). The CLI and
	// the server load only these (TestReads checks that an analysis gives the same result on
	// a Dataset of only its Reads). Empty means everything.
	Reads []string `json:"reads,omitempty"`
	// OnSummary says the analysis can run on the per-customer summary of the orders
	// (kexi.Summary, Input.Summary) instead of the orders themselves, and implements
	// SummaryRunner to say which window it reads; SummaryReads then lists the other Dataset
	// parts it reads (Reads less the orders). The CLI loads a summary instead of the orders
	// when every analysis it runs can use one.
	OnSummary    bool     `json:"on_summary,omitempty"`
	SummaryReads []string `json:"summary_reads,omitempty"`
	// Headlines are the numbers of this analysis that the dashboard shows among its own, and
	// the customers behind each (Headline).
	Headlines []Headline `json:"headlines,omitempty"`
	// Fields are the columns of its per-customer table that the customer list offers as
	// fields NAME.KEY, in the order offered, with the aliases it takes (Field). Every other
	// column is taken by its key too.
	Fields []Field `json:"fields,omitempty"`
}

// SummaryRunner is an analysis that can run on a per-customer summary (Info.OnSummary).
// SummaryWindow returns the window of the summary Run reads for in (Defaults applied by the
// caller), and false when with in's options Run reads the orders themselves (or would reject
// the options): then the caller must load the orders.
type SummaryRunner interface {
	Analysis
	SummaryWindow(in Input) (kexi.Window, bool)
}

// SummaryParts returns the Dataset parts to load beside a summary for the analyses, and
// whether every one of them can run on a summary at all (Info.OnSummary and SummaryRunner).
func SummaryParts(as ...Analysis) (kexi.Parts, bool) {
	var p kexi.Parts
	for _, a := range as {
		info := a.Info()
		if _, ok := a.(SummaryRunner); !ok || !info.OnSummary {
			return 0, false
		}
		p |= kexi.PartsOf(info.SummaryReads...)
	}
	return p, true
}

// Parts returns the Dataset parts the analyses read together (kexi.AllParts when one of them
// does not say).
func Parts(as ...Analysis) kexi.Parts {
	var p kexi.Parts
	for _, a := range as {
		r := a.Info().Reads
		if len(r) == 0 {
			return kexi.AllParts
		}
		p |= kexi.PartsOf(r...)
	}
	return p
}

// Input is what an analysis runs on. AsOf is the instant the analysis looks from; callers
// default it with Defaults (the end of the last order's day in the business's time zone) and it
// is zero only for a Dataset without any times. A date the user gives means the end of that day
// (EndOfDay). From/To bound the analysis period (zero = open); a To at midnight covers its
// whole day.
type Input struct {
	Data     *kexi.Dataset
	AsOf     time.Time
	From, To time.Time
	Options  map[string]string
	Settings kexi.Settings
}

// Analysis is one analysis.
type Analysis interface {
	Info() Info
	Run(ctx context.Context, in Input) (*Result, error)
}

// Figure is one summary number ("customers", 4338) or text.
type Figure struct {
	Key   string  `json:"key"`
	Value float64 `json:"value"`
	Text  string  `json:"text,omitempty"` // set instead of Value for non-numeric figures
	Unit  string  `json:"unit,omitempty"` // "", "%", "currency", "days", "months"
	// Detail marks a figure that is not a headline (a setting used, a model parameter, a fit
	// statistic): pages show it in a collapsed section, the CLI after the headline figures.
	Detail bool `json:"detail,omitempty"`
	// Drill, when set, names the customers the figure counts (Column Op Value).
	Drill Drill `json:"drill,omitzero"`
}

// Drill says which customers stand behind a figure, a chart element or a table row: those
// whose row in the result's per-customer table has Column matching a value. The UI links the
// element to the customer table filtered on the field NAME.COLUMN (rfm.cn8, pyramid.tier).
//
// On a Series the value is the element's category: X[i] (or Values[i] when the categories
// are display names, like "R1" for the score 1); a heat map cell also matches YColumn with
// YCats[j] (or YValues[j]); a Sankey link i matches Column with Values[i] and YColumn with
// YValues[i]. On a Table the value is the row's cell in column Key (or Values[i] for row i).
// On a Figure it is Value (Everyone: Op "gt" and Value "0" on the id column, every customer in the
// table). An empty value means the element does not drill down (it counts
// more than customers, say). Op is a kexi filter operator ("eq" when empty). A table row also
// matches YColumn with YValues[i] when both are set, and its count of customers is in column
// Count (default "customers" or "size"). A column of type "terms" that lists items matches a
// value that is one of them (the campaigns a customer responded to, a cohort's active months).
type Drill struct {
	Column  string   `json:"column"`
	Op      string   `json:"op,omitempty"`
	Value   string   `json:"value,omitempty"`
	Values  []string `json:"values,omitempty"`
	YColumn string   `json:"y_column,omitempty"`
	YValues []string `json:"y_values,omitempty"`
	Key     string   `json:"key,omitempty"`
	// Count names a Table's column holding the number of customers each row drills to.
	Count string `json:"count,omitempty"`
	// Y, on a Series with several value lists, names the one whose elements drill down; the
	// others (a control group's rate beside the targeted one) do not. Empty: all of them.
	Y string `json:"y,omitempty"`
	// Edges make each element of a histogram a range of Column: X[i] holds the customers with
	// Edges[i] <= value < Edges[i+1], the last bin with value <= its upper edge.
	Edges []float64 `json:"edges,omitempty"`
}

// Bin returns the element of a histogram with these Edges that holds v: the i with
// Edges[i] <= v < Edges[i+1], the first for a lower v and the last for a higher one, as the
// drill-down's conditions count it.
func (d Drill) Bin(v float64) int {
	i := 0
	for i < len(d.Edges)-2 && v >= d.Edges[i+1] {
		i++
	}
	return i
}

// Everyone is the Drill of a figure that counts every customer of the per-customer table
// whose id column is idColumn ("customer_id", "customer"): the ids are all above 0.
func Everyone(idColumn string) Drill { return Drill{Column: idColumn, Op: "gt", Value: "0"} }

// Column is one column of a table. Type is "string", "int", "float", "currency", "percent"
// (a fraction 0..1), "date", "label" (a string that is a key into Info.Labels) or "terms"
// (parts joined by " · " or a list joined by ", ", each a key or a data value).
type Column struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

// Money reports whether the column holds money (Type "currency"): exports round it to cents.
func (c Column) Money() bool { return c.Type == "currency" }

// Cents rounds money to cents (half away from zero), so that a sum such as
// 42784.48999999999 is written as 42784.49. NaN and infinities are returned as they are.
// Money is also compared and tied in cents (pyramid ranks, migration's upgrades): summing the
// same amounts in another order can change a float total in its last bits but not its cents.
func Cents(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return math.Round(x*100) / 100
}

// Table is a table of results. Rows hold string, int, int64, float64, bool or time.Time values.
// PerCustomer tables have the customer id (int64) in the first column.
type Table struct {
	Key         string   `json:"key"`
	Columns     []Column `json:"columns"`
	Rows        [][]any  `json:"rows"`
	PerCustomer bool     `json:"per_customer,omitempty"`
	// Drill, when set, links each row to its customers (see Drill).
	Drill Drill `json:"drill,omitzero"`
}

// Series is data for one chart. Kind says how it is best drawn: "bar", "line", "pie",
// "heatmap", "sankey", "funnel", "pyramid", "scatter", "map", "histogram", "waterfall" (Y[0]
// holds a starting total, then signed changes, then the final total). X holds the
// categories (or the x axis); Y holds one or more named value lists; heat maps use X, YCats
// and Cells [x, y, value]; Sankey uses Links.
type Series struct {
	Key   string       `json:"key"`
	Kind  string       `json:"kind"`
	X     []string     `json:"x,omitempty"`
	Y     []Values     `json:"y,omitempty"`
	YCats []string     `json:"y_cats,omitempty"`
	Cells [][3]float64 `json:"cells,omitempty"`
	Links []Link       `json:"links,omitempty"`
	// Drill, when set, links each element to its customers (see Drill).
	Drill Drill `json:"drill,omitzero"`
}

// Values is one named list of numbers in a series. Unit says what the numbers are, in the
// words of Column.Type: "percent" (a fraction 0..1, drawn as 0–100 %), "currency", or ""
// (a plain number; the web page then takes the type of a table column with the same key).
// Values of different units in one series are drawn on two axes.
type Values struct {
	Key  string    `json:"key"`
	Data []float64 `json:"data"`
	Unit string    `json:"unit,omitempty"`
}

// Link is a flow between two categories (Sankey).
type Link struct {
	Source string  `json:"source"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
}

// Result is what an analysis returns: plain data, nothing about how it is shown. The first
// table is the main one (what --format csv prints).
type Result struct {
	Name    string    `json:"name"`
	AsOf    time.Time `json:"as_of"`
	Summary []Figure  `json:"summary"`
	Tables  []Table   `json:"tables"`
	Series  []Series  `json:"series,omitempty"`
	Notes   []Note    `json:"notes,omitempty"`
}

// Figure returns the figure with the key, and whether it exists.
func (r *Result) Figure(key string) (Figure, bool) {
	for _, f := range r.Summary {
		if f.Key == key {
			return f, true
		}
	}
	return Figure{}, false
}

// Table returns the table with the key, or nil.
func (r *Result) Table(key string) *Table {
	for i := range r.Tables {
		if r.Tables[i].Key == key {
			return &r.Tables[i]
		}
	}
	return nil
}

// Opts reads an Input's options against an analysis's declared defaults. Each getter records
// the first bad value; Err returns it as an EINVALID error naming the option.
type Opts struct {
	values map[string]string
	defs   map[string]Option
	err    error
}

// NewOpts returns option readers for in.Options with the defaults in info.Options. An option
// not declared in info is an error.
func NewOpts(info Info, values map[string]string) *Opts {
	o := &Opts{values: values, defs: map[string]Option{}}
	for _, d := range info.Options {
		o.defs[d.Key] = d
	}
	for k := range values {
		if _, ok := o.defs[k]; !ok {
			o.fail(k, values[k], "unknown option for "+info.Name)
		}
	}
	return o
}

func (o *Opts) raw(key string) string {
	if v, ok := o.values[key]; ok && v != "" {
		return v
	}
	return o.defs[key].Default
}

func (o *Opts) fail(key, value, reason string) {
	if o.err == nil {
		o.err = &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
			Problems: []kexi.FieldProblem{{Column: key, Value: value, Reason: reason}}}
	}
}

// String returns the option's value (checked against Choices when declared).
func (o *Opts) String(key string) string {
	v := o.raw(key)
	if d := o.defs[key]; len(d.Choices) > 0 {
		for _, c := range d.Choices {
			if c == v {
				return v
			}
		}
		o.fail(key, v, "expected one of "+strings.Join(d.Choices, ", "))
	}
	return v
}

// Int returns the option as an integer.
func (o *Opts) Int(key string) int {
	v := o.raw(key)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		o.fail(key, v, "expected a whole number")
	}
	return n
}

// Float returns the option as a number.
func (o *Opts) Float(key string) float64 {
	v := o.raw(key)
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		o.fail(key, v, "expected a number")
	}
	return f
}

// Bool returns the option as a boolean.
func (o *Opts) Bool(key string) bool {
	v := o.raw(key)
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		o.fail(key, v, "expected true or false")
	}
	return b
}

// DateIn returns the option as a date (2006-01-02) at midnight in loc (Input.Location), or
// the zero time when empty. A date outside kexi.Earliest..kexi.Latest is a bad value.
func (o *Opts) DateIn(key string, loc *time.Location) time.Time {
	v := strings.TrimSpace(o.raw(key))
	if v == "" {
		return time.Time{}
	}
	t, err := ParseDay(key, v, loc, kexi.Dates{})
	if err != nil {
		var e *kexi.Error
		if errors.As(err, &e) && len(e.Problems) > 0 {
			o.fail(key, v, e.Problems[0].Reason)
		} else {
			o.fail(key, v, "expected a date like 2024-06-30")
		}
		return time.Time{}
	}
	return t
}

// Err returns the first bad option, or nil.
func (o *Opts) Err() error { return o.err }

// Defaults fills in an Input's zero AsOf with the end of the last order's day in the business's
// time zone (EndOfDay with in.Location()), or, with no orders, the end of the day of the latest
// time of anything else in the Dataset (an interaction, web event, survey, lead stage or
// campaign response). With no times at all AsOf stays zero. Times after kexi.Latest are passed
// over. It never calls time.Now.
func Defaults(in Input) Input {
	if in.AsOf.IsZero() && in.Data != nil {
		last := latest(in.Data)
		in.AsOf = EndOfDay(last, in.Location())
	}
	if in.Options == nil {
		in.Options = map[string]string{}
	}
	return in
}

// latest returns the time of the last order in d, or with no orders the latest time of an
// interaction, web event, survey, lead stage or campaign response, or the zero time. Times
// after kexi.Latest (a record the store took before it checked dates) are passed over.
func latest(d *kexi.Dataset) time.Time {
	var t time.Time
	later := func(u time.Time) {
		if u.After(t) && !u.After(kexi.Latest) {
			t = u
		}
	}
	for i := range d.Orders.Len() {
		later(d.Orders.Time(i))
	}
	if d.Orders.Len() == 0 {
		later(d.LastOrder) // a load that left the orders out
	}
	if !t.IsZero() {
		return t
	}
	for i := range d.Interactions {
		later(d.Interactions[i].At)
	}
	for i := range d.Events {
		later(d.Events[i].At)
	}
	for i := range d.Surveys {
		later(d.Surveys[i].At)
	}
	for i := range d.Leads {
		for _, s := range d.Leads[i].Stages {
			later(s.EnteredAt)
		}
	}
	for i := range d.Responses {
		later(d.Responses[i].At)
	}
	return t
}

// Check validates an Input before Run: Data present, From not after To, and AsOf, From and To
// within kexi.Earliest..kexi.Latest (an analysis must not fail, or write a time no JSON can
// hold, on one record dated 9999-12-31).
func Check(in Input) error {
	if in.Data == nil {
		return fmt.Errorf("analysis: no dataset")
	}
	for _, d := range []struct {
		key string
		t   time.Time
	}{{"as_of", in.AsOf}, {"from", in.From}, {"to", in.To}} {
		if !(kexi.Dates{}).Contains(d.t) {
			return &kexi.Error{Code: kexi.EINVALID, Message: "bad date", Problems: []kexi.FieldProblem{
				{Column: d.key, Value: d.t.Format("2006-01-02"), Reason: (kexi.Dates{}).Reason()}}}
		}
	}
	if !in.From.IsZero() && !in.To.IsZero() && in.From.After(in.To) {
		return kexi.Errorf(kexi.EINVALID, "period: from %s is after to %s",
			in.From.Format("2006-01-02"), in.To.Format("2006-01-02"))
	}
	return nil
}

// Window returns the window of the purchases in the input's period (as InPeriod reads From and
// To) at or before until (zero: open), with days counted in in.Location(): what Until keeps, as a
// kexi.Window for Summary.
func (in Input) Window(until time.Time) kexi.Window {
	to := in.periodEnd()
	if to.IsZero() || (!until.IsZero() && until.Before(to)) {
		to = until
	}
	return kexi.Window{From: in.From, Until: to, Loc: in.Location()}
}

// Summary returns the per-customer summary of the orders in w: the one loaded with the Dataset
// when it was loaded for w, else computed from the orders (kexi.Dataset.SummaryOf).
func (in Input) Summary(w kexi.Window) *kexi.Summary { return in.Data.SummaryOf(w) }

// InPeriod reports whether t lies in [From, To] of the input (open ends when zero). To is
// inclusive of its whole day when it has no time part.
func (in Input) InPeriod(t time.Time) bool {
	if !in.From.IsZero() && t.Before(in.From) {
		return false
	}
	if to := in.periodEnd(); !to.IsZero() && t.After(to) {
		return false
	}
	return true
}

// periodEnd is the last instant of the period (zero: open): To, or the end of its day when it
// has no time part.
func (in Input) periodEnd() time.Time {
	to := in.To
	if !to.IsZero() && to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 && to.Nanosecond() == 0 {
		to = EndOfDay(to, to.Location())
	}
	return to
}
