// Package rfm scores customers by Recency, Frequency and Monetary value (A1) and places them in
// two segment schemes: cn8, the Chinese eight-class model (重要价值客户 …), and rfm10, the common
// ten-segment R×F map (champions … hibernating).
//
// Definitions. Only purchases (kexi.OrderTable.IsPurchase) at or before the as-of time and inside the
// period count. R is the number of whole days (24-hour periods) from the customer's last purchase
// to the as-of time; F is the number of distinct purchase orders; M is their total Amount.
//
// Scores 1–5 are quintiles of the mid-rank: values are sorted, a run of equal values occupying
// 0-based positions i…j gets the position p = (i+j)/2, and the score is 1+⌊5·(p+½)/n⌋. Equal values
// therefore always get equal scores (a customer's score never depends on their id), which matters
// for F where most customers share a handful of values. R is scored on −R, so the most recent
// customers score 5. With one customer every score is 3.
//
// cn8 compares each raw value with its mean over the scored customers: R is "high" when the
// recency is below the mean (more recent), F and M are "high" when above the mean; a value equal
// to the mean counts as low.
package rfm

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// Segment keys of the cn8 scheme, in display order.
const (
	ImportantValue   = "important_value"   // 重要价值客户: R high, F high, M high
	ImportantRetain  = "important_retain"  // 重要保持客户: R low, F high, M high
	ImportantDevelop = "important_develop" // 重要发展客户: R high, F low, M high
	ImportantWinBack = "important_winback" // 重要挽留客户: R low, F low, M high
	GeneralValue     = "general_value"     // 一般价值客户: R high, F high, M low
	GeneralRetain    = "general_retain"    // 一般保持客户: R low, F high, M low
	GeneralDevelop   = "general_develop"   // 一般发展客户: R high, F low, M low
	GeneralWinBack   = "general_winback"   // 一般挽留客户: R low, F low, M low
)

// Segment keys of the rfm10 scheme, in display order.
const (
	Champions          = "champions"
	Loyal              = "loyal"
	PotentialLoyalists = "potential_loyalists"
	NewCustomers       = "new"
	Promising          = "promising"
	NeedAttention      = "need_attention"
	AboutToSleep       = "about_to_sleep"
	AtRisk             = "at_risk"
	CantLose           = "cant_lose"
	Hibernating        = "hibernating"
)

// CN8 lists the cn8 segments in display order; RFM10 the rfm10 segments.
var (
	CN8   = []string{ImportantValue, ImportantRetain, ImportantDevelop, ImportantWinBack, GeneralValue, GeneralRetain, GeneralDevelop, GeneralWinBack}
	RFM10 = []string{Champions, Loyal, PotentialLoyalists, NewCustomers, Promising, NeedAttention, AboutToSleep, AtRisk, CantLose, Hibernating}
)

// Row is one customer's RFM values, scores and segments.
type Row struct {
	CustomerID int64
	Last       time.Time // last purchase
	Recency    int       // whole days from Last to the as-of time
	Frequency  int       // distinct purchase orders
	Monetary   float64   // total amount
	R, F, M    int       // scores 1–5
	CN8        string    // cn8 segment key
	RFM10      string    // rfm10 segment key
}

// Cell returns the three scores as text, "555" for the best customers.
func (r *Row) Cell() string {
	if r.R >= 1 && r.R <= 5 && r.F >= 1 && r.F <= 5 && r.M >= 1 && r.M <= 5 {
		return cellNames[r.R-1][r.F-1][r.M-1]
	}
	return fmt.Sprintf("%d%d%d", r.R, r.F, r.M)
}

// cellNames holds the 125 cells' texts, cellBoxed the same as interface values for table
// rows: made once, not per customer.
var cellNames, cellBoxed = func() (n [5][5][5]string, b [5][5][5]any) {
	for r := range 5 {
		for f := range 5 {
			for m := range 5 {
				n[r][f][m] = fmt.Sprintf("%d%d%d", r+1, f+1, m+1)
				b[r][f][m] = n[r][f][m]
			}
		}
	}
	return n, b
}()

// Score computes RFM rows, one per customer with at least one counted purchase, in customer id
// order. orders must be in Dataset order (sorted by customer). A purchase counts when it is at or
// before asOf and keep (nil = keep all) accepts its time. Orders without a customer are skipped.
func Score(orders *kexi.OrderTable, asOf time.Time, keep func(time.Time) bool) []Row {
	rows := Values(orders, asOf, keep)
	Assign(rows)
	return rows
}

// Values is Score without the scores and segments: each customer's Recency, Frequency,
// Monetary and Last. Assign scores them all; ScoreOne scores one.
func Values(orders *kexi.OrderTable, asOf time.Time, keep func(time.Time) bool) []Row {
	// Count the customers first (orders are grouped by customer): one light pass costs less
	// than growing a slice of a hundred thousand rows.
	cids := orders.CustomerID
	n := 0
	for i := range cids {
		if i == 0 || cids[i] != cids[i-1] {
			n++
		}
	}
	// Order times are whole milliseconds, so "after asOf" is "after asOf's millisecond".
	asOfMs := asOf.UnixMilli()
	rows := make([]Row, 0, n)
	for i := 0; i < len(cids); {
		cid := cids[i]
		r := Row{CustomerID: cid}
		last := -1 // the row of the latest counted purchase
		for ; i < len(cids) && cids[i] == cid; i++ {
			if !orders.IsPurchase(i) || orders.At[i] > asOfMs || (keep != nil && !keep(orders.Time(i))) {
				continue
			}
			r.Frequency++
			r.Monetary += orders.Amount[i]
			if last < 0 || orders.At[i] > orders.At[last] {
				last = i
			}
		}
		if cid == 0 || r.Frequency == 0 {
			continue
		}
		r.Last = orders.Time(last)
		r.Recency = int(asOf.Sub(r.Last) / (24 * time.Hour))
		rows = append(rows, r)
	}
	return rows
}

// ValuesOf is Values on the summary of the purchases to count (kexi.Summarize; its window
// ends at or before asOf): Frequency is the customer's purchases, Monetary their revenue,
// Last their last purchase. The anonymous orders (customer 0) are skipped.
func ValuesOf(s *kexi.Summary, asOf time.Time) []Row {
	n := len(s.Customers)
	if n > 0 && s.Customers[0].CustomerID == 0 {
		n--
	}
	rows := make([]Row, 0, n)
	loc := s.Window.Loc
	if loc == nil {
		loc = time.UTC
	}
	for i := range s.Customers {
		c := &s.Customers[i]
		if c.CustomerID == 0 {
			continue
		}
		last := time.UnixMilli(c.Last).In(loc)
		rows = append(rows, Row{CustomerID: c.CustomerID, Last: last, Recency: int(asOf.Sub(last) / (24 * time.Hour)),
			Frequency: int(c.Purchases), Monetary: c.Revenue})
	}
	return rows
}

// ScoreOne returns rows[i] with the scores and segments Assign would give it, in one pass over
// rows and without sorting: a score needs only how many values are below the row's value and
// how many equal it. The values must not be NaN (Values never gives NaN).
func ScoreOne(rows []Row, i int) Row {
	n := len(rows)
	r := rows[i]
	var sr, sf, sm float64
	var rBelow, rSame, fBelow, fSame, mBelow, mSame int
	for k := range rows {
		x := &rows[k]
		sr += float64(x.Recency)
		sf += float64(x.Frequency)
		sm += x.Monetary
		switch { // R is scored on −Recency: longer ago is lower
		case x.Recency > r.Recency:
			rBelow++
		case x.Recency == r.Recency:
			rSame++
		}
		switch {
		case x.Frequency < r.Frequency:
			fBelow++
		case x.Frequency == r.Frequency:
			fSame++
		}
		switch {
		case x.Monetary < r.Monetary:
			mBelow++
		case x.Monetary == r.Monetary:
			mSame++
		}
	}
	r.R, r.F, r.M = quintile(rBelow, rSame, n), quintile(fBelow, fSame, n), quintile(mBelow, mSame, n)
	mr, mf, mm := sr/float64(n), sf/float64(n), sm/float64(n)
	r.CN8 = cn8(float64(r.Recency) < mr, float64(r.Frequency) > mf, r.Monetary > mm)
	r.RFM10 = rfm10(r.R, r.F)
	return r
}

// quintile is the score of a run of equal values at sorted positions below … below+same−1
// among n values.
func quintile(below, same, n int) int {
	p := float64(below+below+same-1) / 2
	return min(1+int(math.Floor(5*(p+0.5)/float64(n))), 5)
}

// Assign fills the scores and both segments of rows from their Recency, Frequency and Monetary.
func Assign(rows []Row) {
	n := len(rows)
	if n == 0 {
		return
	}
	v := make([]float64, n)
	var sr, sf, sm float64
	for i := range rows {
		v[i] = -float64(rows[i].Recency)
		sr += float64(rows[i].Recency)
		sf += float64(rows[i].Frequency)
		sm += rows[i].Monetary
	}
	rs := Quintiles(v)
	for i := range rows {
		v[i] = float64(rows[i].Frequency)
	}
	fs := Quintiles(v)
	for i := range rows {
		v[i] = rows[i].Monetary
	}
	ms := Quintiles(v)
	mr, mf, mm := sr/float64(n), sf/float64(n), sm/float64(n)
	for i := range rows {
		r := &rows[i]
		r.R, r.F, r.M = rs[i], fs[i], ms[i]
		r.CN8 = cn8(float64(r.Recency) < mr, float64(r.Frequency) > mf, r.Monetary > mm)
		r.RFM10 = rfm10(r.R, r.F)
	}
}

// Quintiles returns a score 1–5 for each value: the quintile of its mid-rank among all values
// (see the package doc). Equal values get equal scores; larger values get higher scores.
func Quintiles(v []float64) []int {
	n := len(v)
	keys := make([]uint64, n)
	for i, x := range v {
		keys[i] = stats.FloatKey(x)
	}
	idx := stats.RadixOrder(keys) // the order cmp.Compare gives
	out := make([]int, n)
	for i := 0; i < n; {
		j := i
		for j+1 < n && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		s := quintile(i, j-i+1, n)
		for k := i; k <= j; k++ {
			out[idx[k]] = s
		}
		i = j + 1
	}
	return out
}

func cn8(r, f, m bool) string {
	switch {
	case r && f && m:
		return ImportantValue
	case !r && f && m:
		return ImportantRetain
	case r && !f && m:
		return ImportantDevelop
	case !r && !f && m:
		return ImportantWinBack
	case r && f:
		return GeneralValue
	case !r && f:
		return GeneralRetain
	case r:
		return GeneralDevelop
	}
	return GeneralWinBack
}

// rfm10 is the widely used R×F grid:
//
//	F→      1              2              3               4          5
//	R=5  new            potential      potential       champions  champions
//	R=4  promising      potential      potential       loyal      loyal
//	R=3  about to sleep about to sleep need attention  loyal      loyal
//	R=2  hibernating    hibernating    at risk         at risk    can't lose
//	R=1  hibernating    hibernating    at risk         at risk    can't lose
func rfm10(r, f int) string {
	switch {
	case r <= 2 && f <= 2:
		return Hibernating
	case r <= 2 && f <= 4:
		return AtRisk
	case r <= 2:
		return CantLose
	case r == 3 && f <= 2:
		return AboutToSleep
	case r == 3 && f == 3:
		return NeedAttention
	case f >= 4 && r <= 4:
		return Loyal
	case f >= 4:
		return Champions
	case f == 1 && r == 4:
		return Promising
	case f == 1:
		return NewCustomers
	}
	return PotentialLoyalists
}

// Segment sums one segment's customers.
type Segment struct {
	Key        string
	Customers  int
	Revenue    float64
	SumRecency float64
	SumFreq    float64
}

// Segments counts customers and revenue per segment of a scheme ("cn8" or "rfm10"), every
// segment of the scheme in display order, empty ones included.
func Segments(rows []Row, scheme string) []Segment {
	keys := CN8
	if scheme == "rfm10" {
		keys = RFM10
	}
	out := make([]Segment, len(keys))
	at := map[string]int{}
	for i, k := range keys {
		out[i].Key = k
		at[k] = i
	}
	for i := range rows {
		k := rows[i].CN8
		if scheme == "rfm10" {
			k = rows[i].RFM10
		}
		s := &out[at[k]]
		s.Customers++
		s.Revenue += rows[i].Monetary
		s.SumRecency += float64(rows[i].Recency)
		s.SumFreq += float64(rows[i].Frequency)
	}
	return out
}

type rfmAnalysis struct{}

// New returns the RFM analysis (A1).
func New() analysis.Analysis { return rfmAnalysis{} }

func (rfmAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "rfm",
		Code:    "A1",
		Title:   analysis.Text{En: "RFM", Zh: "RFM 分析"},
		Summary: analysis.Text{En: "Who buys recently, often and for much: RFM scores and segments per customer.", Zh: "谁最近买、常买、买得多:每位客户的 RFM 评分与分群。"},
		Options: []analysis.Option{
			{Key: "scheme", Default: "cn8", Type: "choice", Choices: []string{"cn8", "rfm10"},
				Help: analysis.Text{En: "Segment scheme for the segment table and charts: cn8 (eight classes by mean) or rfm10 (R×F map)", Zh: "分群方案:cn8(按均值八类)或 rfm10(R×F 十类)"}},
			{Key: "as_of", Type: "date",
				Help: analysis.Text{En: "As-of date (end of day); default the input's as-of", Zh: "分析基准日(当日结束);默认为输入的基准时间"}},
		},
		Labels: labels,
		Needs:  []string{"orders"},
		Reads:  []string{"orders"},
		// It reads only the summary: purchases, revenue and the last purchase per customer.
		OnSummary: true,
		Fields: []analysis.Field{{Key: "segment", Column: "{scheme}"}, {Key: "recency"}, {Key: "frequency"}, {Key: "monetary"},
			{Key: "r"}, {Key: "f"}, {Key: "m"}, {Key: "score", Column: "cell", Unlisted: true}},
	}
}

// options reads the options: the segment scheme, and in with its as-of time set from the
// as_of option.
func (a rfmAnalysis) options(in analysis.Input) (string, analysis.Input, error) {
	o := analysis.NewOpts(a.Info(), in.Options)
	scheme := o.String("scheme")
	if d := o.DateIn("as_of", in.Location()); !d.IsZero() {
		in.AsOf = analysis.EndOfDay(d, in.Location())
	}
	return scheme, in, o.Err()
}

// SummaryWindow returns the window Run summarises: the period, up to the as-of time.
func (a rfmAnalysis) SummaryWindow(in analysis.Input) (kexi.Window, bool) {
	_, in, err := a.options(in)
	return in.Window(in.AsOf), err == nil
}

func (a rfmAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	scheme, in, err := a.options(in)
	if err != nil {
		return nil, err
	}
	rows := ValuesOf(in.Summary(in.Window(in.AsOf)), in.AsOf)
	Assign(rows)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &analysis.Result{Name: "rfm", AsOf: in.AsOf}
	var rev, sr, sf float64
	for i := range rows {
		rev += rows[i].Monetary
		sr += float64(rows[i].Recency)
		sf += float64(rows[i].Frequency)
	}
	n := float64(len(rows))
	res.Summary = []analysis.Figure{{Key: "customers", Value: n, Drill: analysis.Everyone("customer_id")}, {Key: "revenue", Value: rev, Unit: "currency"}}
	if len(rows) > 0 {
		res.Summary = append(res.Summary,
			analysis.Figure{Key: "mean_recency", Value: sr / n, Unit: "days"},
			analysis.Figure{Key: "mean_frequency", Value: sf / n},
			analysis.Figure{Key: "mean_monetary", Value: rev / n, Unit: "currency"})
	} else {
		res.Notes = append(res.Notes, analysis.NewNote("no_purchases", "no purchases in the period", "所选期间内没有购买记录"))
	}

	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "recency", Type: "int"}, {Key: "frequency", Type: "int"},
		{Key: "monetary", Type: "currency"}, {Key: "r", Type: "int"}, {Key: "f", Type: "int"}, {Key: "m", Type: "int"},
		{Key: "cell", Type: "string"}, {Key: "cn8", Type: "label"}, {Key: "rfm10", Type: "label"}}}
	cust.Rows = analysis.Rows(len(rows), len(cust.Columns))
	var cells [5][5]float64
	for i := range rows {
		r := &rows[i]
		row := cust.Rows[i]
		row[0], row[1], row[2], row[3] = r.CustomerID, r.Recency, r.Frequency, r.Monetary
		row[4], row[5], row[6], row[7], row[8], row[9] = r.R, r.F, r.M, cellBoxed[r.R-1][r.F-1][r.M-1], boxed(r.CN8), boxed(r.RFM10)
		cells[r.R-1][r.F-1]++
	}
	seg := analysis.Table{Key: "segments", Columns: []analysis.Column{
		{Key: "segment", Type: "label"}, {Key: "customers", Type: "int"}, {Key: "customer_share", Type: "percent"},
		{Key: "revenue", Type: "currency"}, {Key: "revenue_share", Type: "percent"},
		{Key: "avg_recency", Type: "float"}, {Key: "avg_frequency", Type: "float"}, {Key: "avg_monetary", Type: "currency"}}}
	seg.Drill = analysis.Drill{Column: scheme, Key: "segment"}
	bar := analysis.Series{Key: "segment_customers", Kind: "bar", Y: []analysis.Values{{Key: "customers"}},
		Drill: analysis.Drill{Column: scheme}}
	pie := analysis.Series{Key: "segment_revenue", Kind: "pie", Y: []analysis.Values{{Key: "revenue"}},
		Drill: analysis.Drill{Column: scheme}}
	for _, s := range Segments(rows, scheme) {
		c := float64(s.Customers)
		seg.Rows = append(seg.Rows, []any{s.Key, s.Customers, frac(c, n), s.Revenue, frac(s.Revenue, rev),
			frac(s.SumRecency, c), frac(s.SumFreq, c), frac(s.Revenue, c)})
		bar.X = append(bar.X, s.Key)
		bar.Y[0].Data = append(bar.Y[0].Data, c)
		pie.X = append(pie.X, s.Key)
		pie.Y[0].Data = append(pie.Y[0].Data, s.Revenue)
	}
	heat := analysis.Series{Key: "rf_heatmap", Kind: "heatmap",
		X: []string{"R1", "R2", "R3", "R4", "R5"}, YCats: []string{"F1", "F2", "F3", "F4", "F5"},
		Drill: analysis.Drill{Column: "r", Values: []string{"1", "2", "3", "4", "5"},
			YColumn: "f", YValues: []string{"1", "2", "3", "4", "5"}}}
	for r := range 5 {
		for f := range 5 {
			heat.Cells = append(heat.Cells, [3]float64{float64(r), float64(f), cells[r][f]})
		}
	}
	res.Tables = []analysis.Table{cust, seg}
	res.Series = []analysis.Series{heat, bar, pie}
	return res, nil
}

// boxed returns a segment key as an interface value without allocating: the constants are
// boxed statically.
func boxed(segment string) any {
	switch segment {
	case ImportantValue:
		return ImportantValue
	case ImportantRetain:
		return ImportantRetain
	case ImportantDevelop:
		return ImportantDevelop
	case ImportantWinBack:
		return ImportantWinBack
	case GeneralValue:
		return GeneralValue
	case GeneralRetain:
		return GeneralRetain
	case GeneralDevelop:
		return GeneralDevelop
	case GeneralWinBack:
		return GeneralWinBack
	case Champions:
		return Champions
	case Loyal:
		return Loyal
	case PotentialLoyalists:
		return PotentialLoyalists
	case NewCustomers:
		return NewCustomers
	case Promising:
		return Promising
	case NeedAttention:
		return NeedAttention
	case AboutToSleep:
		return AboutToSleep
	case AtRisk:
		return AtRisk
	case CantLose:
		return CantLose
	case Hibernating:
		return Hibernating
	}
	return segment
}

// frac returns a/b, or 0 when b is 0.
func frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

var labels = map[string]analysis.Text{
	"customers":         {En: "Customers", Zh: "客户数"},
	"revenue":           {En: "Revenue", Zh: "销售额"},
	"mean_recency":      {En: "Mean recency (days)", Zh: "平均最近消费间隔(天)"},
	"mean_frequency":    {En: "Mean frequency (orders)", Zh: "平均消费频次(单)"},
	"mean_monetary":     {En: "Mean monetary value", Zh: "平均消费金额"},
	"customer_id":       {En: "Customer", Zh: "客户"},
	"recency":           {En: "Recency (days)", Zh: "最近消费(天前)"},
	"frequency":         {En: "Frequency (orders)", Zh: "消费频次(单)"},
	"monetary":          {En: "Monetary", Zh: "消费金额"},
	"r":                 {En: "R score", Zh: "R 分"},
	"f":                 {En: "F score", Zh: "F 分"},
	"m":                 {En: "M score", Zh: "M 分"},
	"cell":              {En: "RFM cell", Zh: "RFM 组合"},
	"cn8":               {En: "Segment (8 classes)", Zh: "八类分群"},
	"rfm10":             {En: "Segment (R×F map)", Zh: "R×F 分群"},
	"segments":          {En: "Segments", Zh: "客户分群"},
	"segment":           {En: "Segment", Zh: "分群"},
	"customer_share":    {En: "Share of customers", Zh: "客户占比"},
	"revenue_share":     {En: "Share of revenue", Zh: "销售额占比"},
	"avg_recency":       {En: "Avg recency (days)", Zh: "平均最近消费(天)"},
	"avg_frequency":     {En: "Avg frequency", Zh: "平均频次"},
	"avg_monetary":      {En: "Avg monetary", Zh: "平均金额"},
	"rf_heatmap":        {En: "Customers by R and F score", Zh: "R×F 客户分布"},
	"segment_customers": {En: "Customers per segment", Zh: "各分群客户数"},
	"segment_revenue":   {En: "Revenue per segment", Zh: "各分群销售额"},
	"R1":                {En: "R 1 (longest ago)", Zh: "R 1(最久)"},
	"R2":                {En: "R 2", Zh: "R 2"},
	"R3":                {En: "R 3", Zh: "R 3"},
	"R4":                {En: "R 4", Zh: "R 4"},
	"R5":                {En: "R 5 (most recent)", Zh: "R 5(最近)"},
	"F1":                {En: "F 1 (fewest)", Zh: "F 1(最少)"},
	"F2":                {En: "F 2", Zh: "F 2"},
	"F3":                {En: "F 3", Zh: "F 3"},
	"F4":                {En: "F 4", Zh: "F 4"},
	"F5":                {En: "F 5 (most)", Zh: "F 5(最多)"},

	ImportantValue:   {En: "Important value", Zh: "重要价值客户"},
	ImportantRetain:  {En: "Important to retain", Zh: "重要保持客户"},
	ImportantDevelop: {En: "Important to develop", Zh: "重要发展客户"},
	ImportantWinBack: {En: "Important to win back", Zh: "重要挽留客户"},
	GeneralValue:     {En: "General value", Zh: "一般价值客户"},
	GeneralRetain:    {En: "General to retain", Zh: "一般保持客户"},
	GeneralDevelop:   {En: "General to develop", Zh: "一般发展客户"},
	GeneralWinBack:   {En: "General to win back", Zh: "一般挽留客户"},

	Champions:          {En: "Champions", Zh: "冠军客户"},
	Loyal:              {En: "Loyal", Zh: "忠诚客户"},
	PotentialLoyalists: {En: "Potential loyalists", Zh: "潜在忠诚客户"},
	NewCustomers:       {En: "New customers", Zh: "新客户"},
	Promising:          {En: "Promising", Zh: "有潜力客户"},
	NeedAttention:      {En: "Need attention", Zh: "需要关注"},
	AboutToSleep:       {En: "About to sleep", Zh: "即将沉睡"},
	AtRisk:             {En: "At risk", Zh: "有流失风险"},
	CantLose:           {En: "Can't lose them", Zh: "不能失去"},
	Hibernating:        {En: "Hibernating", Zh: "沉睡客户"},
}
