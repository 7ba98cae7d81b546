// Package attributes segments customers by their attributes 属性细分 and draws market segments
// 市场细分 (the attribute half of A11; the k-means half is package segments).
//
// Every customer in the Dataset belongs to a group of the attribute `by`: kind, gender,
// age_band, income_band, income, occupation, education, country, province, city, channel,
// campaign, owner, tag, or a custom field ("custom.<field>", or the field's bare name when it
// is not a built-in). Missing values (empty, blank, unparsable, or the value "unknown") form
// the group "unknown"; nothing is dropped. Groups are attributes as they are now: the data keeps
// no history of them.
//
//   - Text attributes are grouped by value. The `top` largest groups (by customers, ties by
//     value) are shown and the rest fold into "other" (a value "other" in the data joins it).
//   - age_band: the age at the as-of date (Age, else from BirthDate) in the bands cut by
//     `age_edges`, by default <25, 25–34, 35–44, 45–54, 55+ (25 is in 25–34, 55 in 55+).
//   - income and numeric custom fields: `bands` quantile bands of about equal counts. A value
//     x goes to band ⌊k·r/n⌋, where n customers have a value and r of them a smaller one, so
//     equal values share a band; each band is named by its lowest and highest value
//     ("15–39"). income_band is the customer's IncomeBand when given, else their Income banded
//     this way among the customers without one.
//   - Choice custom fields keep the order of their declared choices; date custom fields are
//     grouped by year. Ordered attributes (bands, choices, years) are never folded.
//   - tag: a customer is in the group of each of their tags (shares then add up to more than
//     100 %); customers without tags are "unknown".
//
// Revenue is the Amount of purchases (kexi.OrderTable.IsPurchase) in the period; a $0 purchase
// counts as an order (a buyer, a repeat), but the average order value divides by the purchases
// with a positive amount only. Returns are the Returned of orders that are not cancelled.
// Orders without a known customer are left out. The period is [From, end], where end is the
// as-of time, or the end of the To day when that is earlier; without From it is the 12 months
// up to end. Growth compares revenue with the
// previous period of the same length just before it: the same number of calendar months when
// the period is whole months, else the same duration. Growth, and every other ratio whose
// denominator is 0, is left empty (null), never NaN.
//
// A buyer purchased in the period; the repeat rate is the share of buyers with two purchases or
// more. The cross table counts customers for every pair of groups of `by` and `across`, with
// the row share (of the `by` group's customers) and the TGI 目标群体指数: the row share divided
// by the across group's share of all customers, × 100 (above 100: over-represented). Market
// segments are the pairs of a region (the customer's province, city or country; the `top`
// largest, the rest "other") and a `by` group, ranked by revenue.
package attributes

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

var nan = math.NaN()

// Period is the analysis period [Start, End] and the previous period [PrevStart, Start) that
// growth compares it with.
type Period struct {
	Start, End, PrevStart time.Time
}

// PeriodOf returns the period of an input (see the package doc): End is the as-of time or the
// end of the To day, whichever is earlier; Start is From, or 12 months before End (the twelve
// months of whole days when End is the last instant of a day, as the default as-of is).
func PeriodOf(in analysis.Input) Period {
	end := in.AsOf
	if !in.To.IsZero() {
		to := in.To
		if midnight(to) {
			to = analysis.EndOfDay(to, to.Location())
		}
		if end.IsZero() || to.Before(end) {
			end = to
		}
	}
	if in.From.IsZero() {
		if next := end.Add(time.Nanosecond); midnight(next) {
			// The end of a day (the as-of default): the twelve months of whole days to it.
			return Period{Start: next.AddDate(-1, 0, 0), End: end, PrevStart: next.AddDate(-2, 0, 0)}
		}
		return Period{Start: end.AddDate(-1, 0, 0), End: end, PrevStart: end.AddDate(-2, 0, 0)}
	}
	p := Period{Start: in.From, End: end}
	if p.Start.After(end) {
		p.PrevStart = p.Start
		return p
	}
	next := end.Add(time.Nanosecond)
	if midnight(p.Start) && p.Start.Day() == 1 && midnight(next) && next.Day() == 1 {
		months := (next.Year()*12 + int(next.Month())) - (p.Start.Year()*12 + int(p.Start.Month()))
		p.PrevStart = p.Start.AddDate(0, -months, 0)
		return p
	}
	length := end.Sub(p.Start)
	if midnight(next) {
		length += time.Nanosecond // a period of whole days
	}
	p.PrevStart = p.Start.Add(-length)
	return p
}

func midnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// metric is one customer's orders in the period and the previous period.
type metric struct {
	revenue, previous, returns float64
	orders, paid               int32 // purchases; those with a positive amount
}

// ceilMilli returns the first Unix millisecond at or after t: a whole-millisecond time (an
// order's) is before t exactly when it is before ceilMilli(t).
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli() // floors
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

// scan sums each customer's orders (by index into cs) in the period and the previous one.
func scan(cs []kexi.Customer, orders *kexi.OrderTable, p Period) []metric {
	ms := make([]metric, len(cs))
	find := finder(cs)
	// The period's bounds in Unix milliseconds, as order times are.
	prevStart, start, end := ceilMilli(p.PrevStart), ceilMilli(p.Start), p.End.UnixMilli()
	cids, at := orders.CustomerID, orders.At
	for i := 0; i < len(cids); {
		cid := cids[i]
		j := i + 1
		for j < len(cids) && cids[j] == cid {
			j++
		}
		k := -1
		if cid != 0 {
			k = find(cid)
		}
		if k >= 0 {
			// The run is in time order (the Dataset's invariant): from its first order in the
			// previous period, so older orders are not read.
			lo, _ := slices.BinarySearch(at[i:j], prevStart)
			ms[k].add(orders, i+lo, j, start, end)
		}
		i = j
	}
	return ms
}

// finder returns a look-up of a customer's index in cs (-1: none) for ids asked in
// ascending order, as the orders give them: a cursor when cs is sorted by id (a binary
// search when an id goes back), else a map.
func finder(cs []kexi.Customer) func(id int64) int {
	sorted := true
	for i := 1; i < len(cs) && sorted; i++ {
		sorted = cs[i-1].ID < cs[i].ID
	}
	if !sorted {
		index := make(map[int64]int, len(cs))
		for i := range cs {
			index[cs[i].ID] = i
		}
		return func(id int64) int {
			if k, ok := index[id]; ok {
				return k
			}
			return -1
		}
	}
	ci := 0
	return func(id int64) int {
		if ci < len(cs) && cs[ci].ID > id { // orders out of customer order: search
			k, ok := slices.BinarySearchFunc(cs, id, func(c kexi.Customer, id int64) int { return cmp.Compare(c.ID, id) })
			if !ok {
				return -1
			}
			ci = k
		}
		for ci < len(cs) && cs[ci].ID < id {
			ci++
		}
		if ci < len(cs) && cs[ci].ID == id {
			return ci
		}
		return -1
	}
}

// add sums orders lo to j (one customer's, in time order) up to end (Unix milliseconds):
// those from start in the period, the earlier ones in the previous period. Cancelled orders
// do not count.
func (m *metric) add(orders *kexi.OrderTable, lo, j int, start, end int64) {
	at := orders.At
	for ; lo < j; lo++ {
		if at[lo] > end {
			break
		}
		if orders.Status(lo) == kexi.StatusCancelled {
			continue
		}
		buy := orders.IsPurchase(lo)
		amount := orders.Amount[lo]
		if at[lo] < start {
			if buy {
				m.previous += amount
			}
			continue
		}
		m.returns += orders.Returned[lo]
		if buy {
			m.orders++
			if amount > 0 {
				m.paid++
			}
			m.revenue += amount
		}
	}
}

// stat sums a group.
type stat struct {
	customers, buyers, repeaters, orders int
	paid                                 int // orders with a positive amount: the AOV divides by them
	revenue, previous, returns           float64
	ageSum, incomeSum                    float64
	ageN, incomeN                        int
}

func (s *stat) add(m *metric) {
	s.customers++
	if m.orders > 0 {
		s.buyers++
		if m.orders > 1 {
			s.repeaters++
		}
	}
	s.orders += int(m.orders)
	s.paid += int(m.paid)
	s.revenue += m.revenue
	s.previous += m.previous
	s.returns += m.returns
}

// ratio returns a/b, or nil (an empty cell) when b is 0.
func ratio(a, b float64) any {
	if b == 0 {
		return nil
	}
	return a / b
}

// growth returns (cur − prev)/prev, or nil when prev is 0.
func growth(cur, prev float64) any {
	if prev == 0 {
		return nil
	}
	return (cur - prev) / prev
}

// builder makes the raw groups of an attribute.
type builder func(cs []kexi.Customer, asOf time.Time, bands int, edges []int) *raw

// field is the builder of a text attribute that kexi.Customer.Field names.
func field(name string) builder {
	return func(cs []kexi.Customer, _ time.Time, _ int, _ []int) *raw {
		return text(cs, name, func(c *kexi.Customer) string { v, _ := c.Field(name); return v })
	}
}

var builtin = map[string]builder{
	"kind":       field("kind"),
	"gender":     field("gender"),
	"occupation": field("occupation"),
	"education":  field("education"),
	"country":    field("country"),
	"province":   field("province"),
	"city":       field("city"),
	"channel":    field("channel"),
	"campaign":   field("campaign"),
	"owner":      field("owner"),
	"tag":        func(cs []kexi.Customer, _ time.Time, _ int, _ []int) *raw { return tags(cs) },
	"age_band":   func(cs []kexi.Customer, asOf time.Time, _ int, edges []int) *raw { return ages(cs, asOf, edges) },
	"income_band": func(cs []kexi.Customer, _ time.Time, k int, _ []int) *raw {
		return incomeBands(cs, k)
	},
	"income": func(cs []kexi.Customer, _ time.Time, k int, _ []int) *raw {
		v := make([]float64, len(cs))
		for i := range cs {
			v[i] = nan
			if cs[i].Income > 0 {
				v[i] = cs[i].Income
			}
		}
		return banded("income", v, k)
	},
}

// customFields returns the customer custom fields: the declared ones and any other field name
// found in the customers' values (as text), by name.
func customFields(d *kexi.Dataset) map[string]kexi.CustomField {
	out := map[string]kexi.CustomField{}
	for _, f := range d.CustomFields {
		if f.Entity == "customer" || f.Entity == "" {
			out[f.Name] = f
		}
	}
	for i := range d.Customers {
		for k := range d.Customers[i].Custom {
			if _, ok := out[k]; !ok {
				out[k] = kexi.CustomField{Entity: "customer", Name: k, Type: kexi.FieldText}
			}
		}
	}
	return out
}

// lookupCustom returns the declared customer custom field of the name, else a text field when
// some customer has a value for it.
func lookupCustom(d *kexi.Dataset, name string) (kexi.CustomField, bool) {
	for _, f := range d.CustomFields {
		if (f.Entity == "customer" || f.Entity == "") && f.Name == name {
			return f, true
		}
	}
	for i := range d.Customers {
		if _, ok := d.Customers[i].Custom[name]; ok {
			return kexi.CustomField{Entity: "customer", Name: name, Type: kexi.FieldText}, true
		}
	}
	return kexi.CustomField{}, false
}

func custom(f kexi.CustomField) builder {
	attr := "custom." + f.Name
	return func(cs []kexi.Customer, _ time.Time, k int, _ []int) *raw {
		switch f.Type {
		case kexi.FieldNumber:
			v := make([]float64, len(cs))
			for i := range cs {
				v[i] = nan
				if s := strings.TrimSpace(cs[i].Custom[f.Name]); s != "" {
					if x, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(x, 0) {
						v[i] = x
					}
				}
			}
			return banded(attr, v, k)
		case kexi.FieldDate:
			return years(cs, attr, f.Name)
		case kexi.FieldChoice:
			return choices(cs, attr, f.Name, f.Choices)
		}
		return text(cs, attr, func(c *kexi.Customer) string { return c.Custom[f.Name] })
	}
}

// resolve finds the attribute of an option value: a built-in, "custom.<field>" (or
// "custom:<field>", as it was once written) or a custom field's bare name. It returns the
// canonical name, custom.<field> for a custom field.
func resolve(d *kexi.Dataset, name string) (string, builder, bool) {
	name = strings.TrimSpace(name)
	f, ok := strings.CutPrefix(name, "custom.")
	if !ok {
		f, ok = strings.CutPrefix(name, "custom:")
	}
	if ok {
		if cf, ok := lookupCustom(d, f); ok {
			return "custom." + cf.Name, custom(cf), true
		}
		return "", nil, false
	}
	if b, ok := builtin[name]; ok {
		return name, b, true
	}
	if cf, ok := lookupCustom(d, name); ok {
		return "custom." + cf.Name, custom(cf), true
	}
	return "", nil, false
}

// badAttribute is the error for an option naming no attribute: it lists the allowed values,
// with the custom fields of this Dataset.
func badAttribute(d *kexi.Dataset, key, value string, extra ...string) error {
	allowed := append(slices.Clone(extra), Attributes...)
	cf := customFields(d)
	names := make([]string, 0, len(cf))
	for n := range cf {
		names = append(names, "custom."+n)
	}
	slices.Sort(names)
	allowed = append(allowed, names...)
	return &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{
		{Column: key, Value: value, Reason: "expected one of " + strings.Join(allowed, ", ")}}}
}

func badOption(key, value, reason string) error {
	return &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
		Problems: []kexi.FieldProblem{{Column: key, Value: value, Reason: reason}}}
}

// parseEdges reads age band edges: increasing whole ages from 1 to 150, comma separated.
func parseEdges(s string) ([]int, bool) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 150 || (len(out) > 0 && n <= out[len(out)-1]) {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0 && len(out) <= 20
}

// autoBy is the default attribute: kind when customers are of more than one kind, else gender
// when any customer has one, else province.
func autoBy(cs []kexi.Customer) string {
	var kind kexi.CustomerKind
	gender := false
	for i := range cs {
		k := kexi.CustomerKind(strings.TrimSpace(string(cs[i].Kind)))
		if k != "" {
			if kind != "" && k != kind {
				return "kind"
			}
			kind = k
		}
		if strings.TrimSpace(cs[i].Gender) != "" {
			gender = true
		}
	}
	if gender {
		return "gender"
	}
	return "province"
}

// geographic attributes: the automatic cross table of one is by age band, not province.
var geographic = map[string]bool{"country": true, "province": true, "city": true}

type attributesAnalysis struct{}

// New returns the attribute segmentation and market segments analysis (A11).
func New() analysis.Analysis { return attributesAnalysis{} }

func (attributesAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:  "attributes",
		Code:  "A11",
		Title: analysis.Text{En: "Attribute segmentation and market segments", Zh: "属性细分与市场细分"},
		Summary: analysis.Text{
			En: "How customers, revenue and growth split by kind, gender, age, income, region, channel, tags or custom fields, crossed with a second attribute and by region (market segments). Without a period: the last 12 months to the as-of date, against the 12 months before.",
			Zh: "按客户类型、性别、年龄、收入、地区、渠道、标签或自定义字段细分客户数、销售额与增长,与第二个属性交叉,并按地区划分市场细分。未指定期间时:截至分析日期的最近 12 个月,与之前 12 个月比较。"},
		Options: []analysis.Option{
			{Key: "by", Default: "auto", Type: "string", Help: analysis.Text{
				En: "Attribute to group by: auto (kind when customers are of several kinds, else gender, else province), kind, gender, age_band, income_band, income, occupation, education, country, province, city, channel, campaign, owner, tag, or a custom field (custom.NAME)",
				Zh: "细分属性:auto(客户类型不止一种时按类型,否则按性别,再否则按省份)、kind、gender、age_band、income_band、income、occupation、education、country、province、city、channel、campaign、owner、tag 或自定义字段(custom.字段名)"}},
			{Key: "across", Default: "auto", Type: "string", Help: analysis.Text{
				En: "Second attribute for the cross table (the same names; auto: province, or age_band when grouping by a region; none: no cross table)",
				Zh: "交叉表的第二个属性(取值同上;auto:省份,按地区细分时为年龄段;none:不做交叉表)"}},
			{Key: "region", Default: "province", Type: "choice", Choices: Regions, Help: analysis.Text{
				En: "Region level of the market segments", Zh: "市场细分的地区层级"}},
			{Key: "top", Default: "10", Type: "int", Help: analysis.Text{
				En: "Groups (and regions) shown before the rest fold into \"other\"; 0 shows all. Ordered attributes (bands, choices, years) are never folded",
				Zh: "显示的分组(及地区)数,其余合并为“其他”;0 为全部显示。有序属性(区间、选项、年份)不合并"}},
			{Key: "bands", Default: "4", Type: "int", Help: analysis.Text{
				En: "Quantile bands (2–20) for income and numeric custom fields; 4 = quartiles",
				Zh: "收入和数值型自定义字段的分位区间数(2–20);4 为四分位"}},
			{Key: "age_edges", Default: "25,35,45,55", Type: "string", Help: analysis.Text{
				En: "Age band edges: 25,35,45,55 gives <25, 25–34, 35–44, 45–54, 55+",
				Zh: "年龄段分界:25,35,45,55 即 <25、25–34、35–44、45–54、55+"}},
		},
		Labels: labels,
		Needs:  []string{"customers", "orders"},
		Reads:  []string{"customers", "orders", "order_details"},
	}
}

// options are the parsed options, the attributes resolved.
type options struct {
	byName, acrossName string  // acrossName "": no cross table
	by, across         builder // across nil: no cross table
	region             string
	top, bands         int
	edges              []int
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	byOpt := strings.TrimSpace(o.String("by"))
	acrossOpt := strings.TrimSpace(o.String("across"))
	op := options{region: o.String("region"), top: o.Int("top"), bands: o.Int("bands")}
	edgesOpt := o.String("age_edges")
	if err := o.Err(); err != nil {
		return op, err
	}
	if op.top < 0 || op.top > 1000 {
		return op, badOption("top", strconv.Itoa(op.top), "expected 0 (all) to 1000")
	}
	if op.bands < 2 || op.bands > 20 {
		return op, badOption("bands", strconv.Itoa(op.bands), "expected 2 to 20")
	}
	var ok bool
	if op.edges, ok = parseEdges(edgesOpt); !ok {
		return op, badOption("age_edges", edgesOpt, "expected increasing ages from 1 to 150, comma separated, like 25,35,45,55")
	}
	d := in.Data
	if byOpt == "" || byOpt == "auto" {
		byOpt = autoBy(d.Customers)
	}
	if op.byName, op.by, ok = resolve(d, byOpt); !ok {
		return op, badAttribute(d, "by", byOpt, "auto")
	}
	if acrossOpt == "" || acrossOpt == "auto" {
		acrossOpt = "province"
		if geographic[op.byName] {
			acrossOpt = "age_band"
		}
	}
	if acrossOpt != "none" {
		if op.acrossName, op.across, ok = resolve(d, acrossOpt); !ok {
			return op, badAttribute(d, "across", acrossOpt, "auto", "none")
		}
	}
	return op, nil
}

func (a attributesAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	op, err := parse(a.Info(), in)
	if err != nil {
		return nil, err
	}
	cs := in.Data.Customers
	p := PeriodOf(in)
	ms := scan(cs, &in.Data.Orders, p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sp := &split{by: op.by(cs, in.AsOf, op.bands, op.edges).finish(op.top),
		region: builtin[op.region](cs, in.AsOf, op.bands, op.edges).finish(op.top)}
	if op.across != nil {
		sp.across = op.across(cs, in.AsOf, op.bands, op.edges).finish(op.top)
	}
	sp.count(cs, ms, in.AsOf)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &analysis.Result{Name: "attributes", AsOf: in.AsOf}
	res.Summary, res.Notes = sp.figures(op, p)
	gt, custBar, revPie := sp.groupTable()
	ct, heat := sp.crossTable()
	st, segBar := sp.segmentTable()
	res.Tables = []analysis.Table{gt, ct, st}
	res.Series = []analysis.Series{custBar, revPie}
	if heat != nil {
		res.Series = append(res.Series, *heat)
	}
	res.Series = append(res.Series, segBar)
	return res, nil
}

// split is the customers' metrics summed by group of the by attribute (groups), by group and
// group of the across attribute (cross: by×across, nil without across) and by region and
// group (segs: region×by), and in total.
type split struct {
	by, across, region *grouping
	nb, na             int // groups of by and across
	groups             []stat
	cross              []stat // cross[g*na+h]
	segs               []stat // segs[r*nb+g]
	total              stat
}

// count sums each customer's metrics ms into their groups.
func (sp *split) count(cs []kexi.Customer, ms []metric, asOf time.Time) {
	sp.nb = len(sp.by.names)
	sp.groups = make([]stat, sp.nb)
	if sp.across != nil {
		sp.na = len(sp.across.names)
		sp.cross = make([]stat, sp.nb*sp.na)
	}
	sp.segs = make([]stat, len(sp.region.names)*sp.nb)
	for i := range cs {
		m := &ms[i]
		sp.total.add(m)
		age := Age(&cs[i], asOf)
		inc := cs[i].Income
		r := int(sp.region.of[i])
		for _, g := range sp.by.groups(i) {
			s := &sp.groups[g]
			s.add(m)
			if age > 0 {
				s.ageSum += float64(age)
				s.ageN++
			}
			if inc > 0 {
				s.incomeSum += inc
				s.incomeN++
			}
			sp.segs[r*sp.nb+int(g)].add(m)
			if sp.across != nil {
				for _, h := range sp.across.groups(i) {
					sp.cross[int(g)*sp.na+int(h)].add(m)
				}
			}
		}
	}
}

// leaders returns the largest known group and the known group with the most revenue per
// customer among those with revenue and at least 1 % of the customers (ties: the larger);
// -1 for none.
func (sp *split) leaders() (largest, best int) {
	largest, best = -1, -1
	groups := sp.groups
	minSize := max(1, (sp.total.customers+99)/100)
	for g, name := range sp.by.names {
		if name == Unknown || name == Other {
			continue
		}
		s := &groups[g]
		if s.customers > 0 && (largest < 0 || s.customers > groups[largest].customers) {
			largest = g
		}
		if s.customers >= minSize && s.revenue > 0 {
			if best < 0 {
				best = g
				continue
			}
			x, y := s.revenue/float64(s.customers), groups[best].revenue/float64(groups[best].customers)
			if x > y || (x == y && s.customers > groups[best].customers) {
				best = g
			}
		}
	}
	return largest, best
}

// figures returns the summary and the notes.
func (sp *split) figures(op options, p Period) ([]analysis.Figure, []analysis.Note) {
	total, groups, by := &sp.total, sp.groups, sp.by
	n := float64(total.customers)
	out := []analysis.Figure{{Key: "attribute", Text: op.byName}}
	if sp.across != nil {
		out = append(out, analysis.Figure{Key: "across_attribute", Text: op.acrossName})
	}
	out = append(out,
		analysis.Figure{Key: "customers", Value: n},
		analysis.Figure{Key: "group_count", Value: float64(sp.nb)})
	largest, best := sp.leaders()
	if largest >= 0 {
		out = append(out,
			analysis.Figure{Key: "largest_group", Text: by.names[largest]},
			analysis.Figure{Key: "largest_group_share", Value: float64(groups[largest].customers) / n, Unit: "%"})
	}
	var unknown int
	if k := slices.Index(by.names, Unknown); k >= 0 {
		unknown = groups[k].customers
	}
	out = append(out,
		analysis.Figure{Key: "unknown_share", Value: analysis.Frac(float64(unknown), n), Unit: "%"},
		analysis.Figure{Key: "buyers", Value: float64(total.buyers)},
		analysis.Figure{Key: "revenue", Value: total.revenue, Unit: "currency"},
		analysis.Figure{Key: "previous_revenue", Value: total.previous, Unit: "currency"})
	if g, ok := growth(total.revenue, total.previous).(float64); ok {
		out = append(out, analysis.Figure{Key: "revenue_growth", Value: g, Unit: "%"})
	}
	out = append(out, analysis.Figure{Key: "revenue_per_customer", Value: analysis.Frac(total.revenue, n), Unit: "currency"})
	if best >= 0 {
		out = append(out,
			analysis.Figure{Key: "best_group", Text: by.names[best]},
			analysis.Figure{Key: "best_group_revenue_per_customer", Value: groups[best].revenue / float64(groups[best].customers), Unit: "currency"})
	}
	var notes []analysis.Note
	if !p.End.IsZero() {
		cur, prev := stamp(p.Start)+" – "+stamp(p.End), stamp(p.PrevStart)+" – "+stamp(p.Start.Add(-time.Nanosecond))
		out = append(out,
			analysis.Figure{Key: "period", Text: cur},
			analysis.Figure{Key: "previous_period", Text: prev})
		notes = append(notes, analysis.NewNote("periods", "period {period}, compared with {previous}",
			"统计期间 {period}，对比期间 {previous}", analysis.V("period", cur), analysis.V("previous", prev)))
	}
	if total.orders == 0 {
		notes = append(notes, analysis.NewNote("no_purchases", "no purchases in the period", "所选期间内没有购买记录"))
	}
	if by.multi {
		notes = append(notes, analysis.NewNote("multi_tags",
			"a customer with several tags counts in the group of each: shares add up to more than 100 %",
			"有多个标签的客户会计入每个标签所在的组，因此各组占比之和超过 100%"))
	}
	return out, notes
}

// groupTable is the groups of the by attribute.
func (sp *split) groupTable() (analysis.Table, analysis.Series, analysis.Series) {
	nb, by, total := sp.nb, sp.by, &sp.total
	n := float64(total.customers)
	gt := analysis.Table{Key: "groups", Columns: []analysis.Column{
		{Key: "group", Type: "terms"}, {Key: "customers", Type: "int"}, {Key: "share", Type: "percent"},
		{Key: "buyers", Type: "int"}, {Key: "buyer_rate", Type: "percent"}, {Key: "orders", Type: "int"},
		{Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"},
		{Key: "revenue_per_customer", Type: "currency"}, {Key: "aov", Type: "currency"},
		{Key: "repeat_rate", Type: "percent"}, {Key: "previous_revenue", Type: "currency"},
		{Key: "growth", Type: "percent"}, {Key: "returns", Type: "currency"},
		{Key: "mean_age", Type: "float"}, {Key: "mean_income", Type: "float"}}}
	gt.Rows = analysis.Rows(nb, len(gt.Columns))
	custBar := analysis.Series{Key: "customers_by_group", Kind: "bar", X: by.names, Y: []analysis.Values{{Key: "customers", Data: make([]float64, nb)}}}
	revPie := analysis.Series{Key: "revenue_by_group", Kind: "pie", X: by.names, Y: []analysis.Values{{Key: "revenue", Data: make([]float64, nb)}}}
	for g, name := range by.names {
		s := &sp.groups[g]
		c := float64(s.customers)
		row := gt.Rows[g]
		row[0], row[1], row[2], row[3], row[4], row[5] = name, s.customers, analysis.Frac(c, n), s.buyers, ratio(float64(s.buyers), c), s.orders
		row[6], row[7], row[8], row[9] = s.revenue, ratio(s.revenue, total.revenue), ratio(s.revenue, c), ratio(s.revenue, float64(s.paid))
		row[10], row[11], row[12], row[13] = ratio(float64(s.repeaters), float64(s.buyers)), s.previous, growth(s.revenue, s.previous), s.returns
		row[14], row[15] = ratio(s.ageSum, float64(s.ageN)), ratio(s.incomeSum, float64(s.incomeN))
		custBar.Y[0].Data[g] = c
		revPie.Y[0].Data[g] = s.revenue
	}
	return gt, custBar, revPie
}

// crossTable is the by attribute's groups crossed with the across attribute's, with the TGI
// (a cell's share of its row against the across group's share of all customers, × 100); no
// rows and no heat map without across.
func (sp *split) crossTable() (analysis.Table, *analysis.Series) {
	ct := analysis.Table{Key: "cross", Columns: []analysis.Column{
		{Key: "group", Type: "terms"}, {Key: "across_group", Type: "terms"}, {Key: "customers", Type: "int"},
		{Key: "row_share", Type: "percent"}, {Key: "tgi", Type: "float"}, {Key: "revenue", Type: "currency"},
		{Key: "revenue_row_share", Type: "percent"}}}
	if sp.across == nil {
		return ct, nil
	}
	nb, na, by, across := sp.nb, sp.na, sp.by, sp.across
	n := float64(sp.total.customers)
	ct.Rows = analysis.Rows(nb*na, len(ct.Columns))
	heat := &analysis.Series{Key: "cross_heatmap", Kind: "heatmap", X: across.names, YCats: by.names, Cells: make([][3]float64, 0, nb*na)}
	for g := range nb {
		rs := &sp.groups[g]
		for h := range na {
			s := &sp.cross[g*na+h]
			var tgi any
			if rs.customers > 0 && across.size[h] > 0 {
				tgi = float64(s.customers) / float64(rs.customers) / (float64(across.size[h]) / n) * 100
			}
			row := ct.Rows[g*na+h]
			row[0], row[1], row[2], row[3] = by.names[g], across.names[h], s.customers, ratio(float64(s.customers), float64(rs.customers))
			row[4], row[5], row[6] = tgi, s.revenue, ratio(s.revenue, rs.revenue)
			heat.Cells = append(heat.Cells, [3]float64{float64(h), float64(g), float64(s.customers)})
		}
	}
	return ct, heat
}

// segmentTable is the market segments (region × group) with customers, by revenue, then
// customers (highest first), then region and group order; the chart shows the first 20 with
// revenue.
func (sp *split) segmentTable() (analysis.Table, analysis.Series) {
	segs, nb := sp.segs, sp.nb
	n := float64(sp.total.customers)
	st := analysis.Table{Key: "market_segments", Columns: []analysis.Column{
		{Key: "rank", Type: "int"}, {Key: "region", Type: "terms"}, {Key: "group", Type: "terms"},
		{Key: "customers", Type: "int"}, {Key: "share", Type: "percent"}, {Key: "buyers", Type: "int"},
		{Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"},
		{Key: "revenue_per_customer", Type: "currency"}, {Key: "previous_revenue", Type: "currency"},
		{Key: "growth", Type: "percent"}}}
	var cells []int
	for k := range segs {
		if segs[k].customers > 0 {
			cells = append(cells, k)
		}
	}
	slices.SortFunc(cells, func(x, y int) int {
		if c := cmp.Compare(segs[y].revenue, segs[x].revenue); c != 0 {
			return c
		}
		if c := cmp.Compare(segs[y].customers, segs[x].customers); c != 0 {
			return c
		}
		return cmp.Compare(x, y) // region order, then group order
	})
	st.Rows = analysis.Rows(len(cells), len(st.Columns))
	segBar := analysis.Series{Key: "market_segment_revenue", Kind: "bar", Y: []analysis.Values{{Key: "revenue"}}}
	for k, cell := range cells {
		s := &segs[cell]
		rn, gn := sp.region.names[cell/nb], sp.by.names[cell%nb]
		c := float64(s.customers)
		row := st.Rows[k]
		row[0], row[1], row[2], row[3], row[4], row[5] = k+1, rn, gn, s.customers, analysis.Frac(c, n), s.buyers
		row[6], row[7], row[8], row[9], row[10] = s.revenue, ratio(s.revenue, sp.total.revenue), s.revenue/c, s.previous, growth(s.revenue, s.previous)
		if k < 20 && s.revenue > 0 {
			segBar.X = append(segBar.X, rn+" · "+gn)
			segBar.Y[0].Data = append(segBar.Y[0].Data, s.revenue)
		}
	}
	return st, segBar
}

// stamp formats a period bound: the date, with the time when it is not midnight or the last
// instant of a day.
func stamp(t time.Time) string {
	if midnight(t) || midnight(t.Add(time.Nanosecond)) {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

var labels = func() map[string]analysis.Text {
	m := map[string]analysis.Text{
		// Figures.
		"attribute":                       {En: "Grouped by", Zh: "细分属性"},
		"across_attribute":                {En: "Crossed with", Zh: "交叉属性"},
		"customers":                       {En: "Customers", Zh: "客户数"},
		"group_count":                     {En: "Groups", Zh: "分组数"},
		"largest_group":                   {En: "Largest group", Zh: "最大分组"},
		"largest_group_share":             {En: "Share of the largest group", Zh: "最大分组占比"},
		"unknown_share":                   {En: "Customers with the attribute unknown", Zh: "属性未知客户占比"},
		"buyers":                          {En: "Buyers in the period", Zh: "期内购买客户数"},
		"revenue":                         {En: "Revenue", Zh: "销售额"},
		"previous_revenue":                {En: "Revenue in the previous period", Zh: "上期销售额"},
		"revenue_growth":                  {En: "Revenue growth", Zh: "销售额增长率"},
		"revenue_per_customer":            {En: "Revenue per customer", Zh: "人均销售额"},
		"best_group":                      {En: "Group with the most revenue per customer", Zh: "人均销售额最高的分组"},
		"best_group_revenue_per_customer": {En: "Its revenue per customer", Zh: "该分组人均销售额"},
		"period":                          {En: "Period", Zh: "分析期间"},
		"previous_period":                 {En: "Compared with", Zh: "对比期间(上期)"},
		// Tables and columns.
		"groups":            {En: "Groups", Zh: "分组"},
		"group":             {En: "Group", Zh: "分组"},
		"share":             {En: "Share of customers", Zh: "客户占比"},
		"buyer_rate":        {En: "Share who bought", Zh: "购买率"},
		"orders":            {En: "Orders", Zh: "订单数"},
		"revenue_share":     {En: "Share of revenue", Zh: "销售额占比"},
		"aov":               {En: "Average order value", Zh: "客单价"},
		"repeat_rate":       {En: "Repeat rate", Zh: "复购率"},
		"growth":            {En: "Growth", Zh: "增长率"},
		"returns":           {En: "Returns", Zh: "退货金额"},
		"mean_age":          {En: "Mean age", Zh: "平均年龄"},
		"mean_income":       {En: "Mean income", Zh: "平均收入"},
		"cross":             {En: "Cross table", Zh: "交叉表"},
		"across_group":      {En: "Crossed group", Zh: "交叉分组"},
		"row_share":         {En: "Share of the group", Zh: "组内占比"},
		"tgi":               {En: "TGI (100 = average)", Zh: "TGI 指数(100 = 平均)"},
		"revenue_row_share": {En: "Share of the group's revenue", Zh: "组内销售额占比"},
		"market_segments":   {En: "Market segments", Zh: "市场细分"},
		"rank":              {En: "Rank", Zh: "排名"},
		"region":            {En: "Region", Zh: "地区"},
		// Series.
		"customers_by_group":     {En: "Customers by group", Zh: "各分组客户数"},
		"revenue_by_group":       {En: "Revenue by group", Zh: "各分组销售额"},
		"cross_heatmap":          {En: "Customers by group and crossed group", Zh: "分组 × 交叉分组客户分布"},
		"market_segment_revenue": {En: "Revenue of the top market segments", Zh: "主要市场细分销售额"},
		// Options.
		"by":        {En: "Group by", Zh: "细分属性"},
		"across":    {En: "Cross with", Zh: "交叉属性"},
		"top":       {En: "Groups shown", Zh: "显示分组数"},
		"bands":     {En: "Quantile bands", Zh: "分位区间数"},
		"age_edges": {En: "Age band edges", Zh: "年龄段分界"},
		// Attributes (option values).
		"auto":     {En: "Automatic", Zh: "自动"},
		"none":     {En: "None", Zh: "无"},
		"kind":     {En: "Customer kind", Zh: "客户类型"},
		"age_band": {En: "Age band", Zh: "年龄段"},
		"income":   {En: "Income (quantile bands)", Zh: "收入(分位区间)"},
		"channel":  {En: "Acquisition channel", Zh: "获客渠道"},
		"campaign": {En: "Campaign", Zh: "营销活动"},
		"tag":      {En: "Tag", Zh: "标签"},
		// Fixed groups.
		Unknown:                 {En: "Unknown", Zh: "未知"},
		Other:                   {En: "Other", Zh: "其他"},
		string(kexi.Individual): {En: "Individual", Zh: "个人"},
		string(kexi.Enterprise): {En: "Enterprise", Zh: "企业"},
		string(kexi.Government): {En: "Government", Zh: "政府"},
		"male":                  {En: "Male", Zh: "男"},
		"female":                {En: "Female", Zh: "女"},
	}
	bands := AgeBands(DefaultAgeEdges)
	m[bands[0]] = analysis.Text{En: "Under 25", Zh: "25 岁以下"}
	for _, b := range bands[1 : len(bands)-1] {
		m[b] = analysis.Text{En: b, Zh: b + " 岁"}
	}
	m[bands[len(bands)-1]] = analysis.Text{En: "55 and over", Zh: "55 岁及以上"}
	return analysis.WithFields(m, "gender", "income_band", "occupation", "education", "country", "province", "city", "owner")
}()
