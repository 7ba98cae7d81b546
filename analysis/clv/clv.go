// Package clv predicts customer lifetime value with the "buy till you die" models: BG/NBD,
// Pareto/NBD and modified BG/NBD for purchase counts in continuous time, BG/BB for discrete
// purchase opportunities, and Gamma-Gamma for spend. It builds per-customer summaries from
// purchases (with an optional calibration/holdout split), fits the models by maximum
// likelihood over the distinct (frequency, recency, T) rows, and predicts per customer the
// probability of being alive, expected purchases, expected spend and discounted CLV. The Go
// API (Summarize, FitBGNBD, Predict, …) is usable on its own; New returns the "clv" analysis.
package clv

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

type clvAnalysis struct{}

// New returns the "clv" analysis (SPEC A8).
func New() analysis.Analysis { return clvAnalysis{} }

func (clvAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:  "clv",
		Code:  "A8",
		Title: analysis.Text{En: "Predictive CLV", Zh: "客户终身价值预测"},
		Summary: analysis.Text{
			En: "Who is still a customer, how much they will buy and what they are worth over the horizon (BG/NBD, Pareto/NBD, MBG/NBD, or BG/BB for one chance to buy per period, with Gamma-Gamma spend).",
			Zh: "预测客户是否仍然活跃、未来购买次数与金额，以及在预测期内的折现终身价值（BG/NBD、Pareto/NBD、MBG/NBD，或每期一次购买机会的 BG/BB，与 Gamma-Gamma 消费模型）。",
		},
		Options: []analysis.Option{
			{Key: "model", Default: "bgnbd", Type: "choice", Choices: []string{"bgnbd", "pareto", "mbgnbd", "bgbb"},
				Help: analysis.Text{En: "purchase model; bgbb for one chance to buy per period (yearly donations, monthly renewals)",
					Zh: "购买次数模型；bgbb 用于每期一次购买机会（年度捐赠、按月续费）"}},
			{Key: "unit", Default: "weeks", Type: "choice", Choices: []string{"days", "weeks"},
				Help: analysis.Text{En: "time unit of recency, T and parameters (continuous models)", Zh: "时间单位（连续时间模型）"}},
			{Key: "bgbb_period", Default: "year", Type: "choice", Choices: []string{"year", "quarter", "month"},
				Help: analysis.Text{En: "with model=bgbb: the calendar period that is one chance to buy", Zh: "model=bgbb 时：每次购买机会对应的日历周期"}},
			{Key: "horizon", Default: "12", Type: "int",
				Help: analysis.Text{En: "CLV horizon in months", Zh: "预测期（月）"}},
			{Key: "discount", Default: "0.01", Type: "float",
				Help: analysis.Text{En: "monthly discount rate", Zh: "月折现率"}},
			{Key: "holdout", Default: "", Type: "date",
				Help: analysis.Text{En: "end of calibration; purchases after it (to the as-of date) check the predictions", Zh: "校准期截止日；之后到分析日的购买用于验证预测"}},
			{Key: "penalty", Default: "0", Type: "float",
				Help: analysis.Text{En: "L2 penalty on the parameters", Zh: "参数 L2 惩罚系数"}},
		},
		Labels: map[string]analysis.Text{
			"customers": {En: "Customers", Zh: "客户数"},
			// Options and their choices.
			"model":              {En: "Model", Zh: "模型"},
			"bgnbd":              {En: "BG/NBD", Zh: "BG/NBD"},
			"pareto":             {En: "Pareto/NBD", Zh: "Pareto/NBD"},
			"mbgnbd":             {En: "MBG/NBD", Zh: "MBG/NBD"},
			"bgbb":               {En: "BG/BB (fixed periods)", Zh: "BG/BB(固定周期)"},
			"unit":               {En: "Time unit", Zh: "时间单位"},
			"bgbb_period":        {En: "Period (BG/BB)", Zh: "周期(BG/BB)"},
			"year":               {En: "Year", Zh: "年"},
			"quarter":            {En: "Quarter", Zh: "季度"},
			"month":              {En: "Month", Zh: "月"},
			"penalty":            {En: "Penalty", Zh: "正则惩罚"},
			"repeat_customers":   {En: "Repeat customers", Zh: "复购客户数"},
			"log_likelihood":     {En: "Log-likelihood of the fit", Zh: "模型拟合对数似然"},
			"mean_p_alive":       {En: "Share of customers still active", Zh: "仍活跃客户占比"},
			"total_clv":          {En: "Predicted revenue, next {horizon} months", Zh: "预测未来 {horizon} 个月收入"},
			"expected_purchases": {En: "Predicted purchases, next {horizon} months", Zh: "预测未来 {horizon} 个月购买次数"},
			"holdout_actual":     {En: "Holdout actual purchases", Zh: "验证期实际购买"},
			"holdout_predicted":  {En: "Holdout predicted purchases", Zh: "验证期预测购买"},
			"horizon":            {En: "Horizon", Zh: "预测期"},
			"discount":           {En: "Monthly discount rate", Zh: "月折现率"},
			"time_unit":          {En: "Time unit of recency, T and the parameters", Zh: "最近购买间隔、T 与参数的时间单位"},
			"details":            {En: "Model details", Zh: "模型详情"},
			"weeks":              {En: "weeks", Zh: "周"},
			"days":               {En: "days", Zh: "天"},
			"years":              {En: "years", Zh: "年"},
			"quarters":           {En: "quarters", Zh: "季度"},
			"months":             {En: "months", Zh: "月"},
			"customer_id":        {En: "Customer", Zh: "客户"},
			"frequency":          {En: "Repeat purchases", Zh: "复购次数"},
			"recency":            {En: "Recency ({time_unit})", Zh: "最近购买间隔({time_unit})"},
			"t":                  {En: "Age T ({time_unit})", Zh: "客户年龄 T({time_unit})"},
			"monetary":           {En: "Mean repeat value", Zh: "平均复购金额"},
			"p_alive":            {En: "P(still active)", Zh: "仍活跃概率"},
			"expected_spend":     {En: "Expected spend per purchase", Zh: "预期客单价"},
			"clv":                {En: "CLV, next {horizon} months", Zh: "未来 {horizon} 个月终身价值"},
			"parameters":         {En: "Model details: parameters", Zh: "模型详情:参数"},
			"parameter":          {En: "Parameter", Zh: "参数"},
			"estimate":           {En: "Estimate", Zh: "估计值"},
			"std_error":          {En: "Std. error", Zh: "标准误"},
			"at_boundary":        {En: "At boundary", Zh: "处于边界"},
			"clv_histogram":      {En: "CLV distribution", Zh: "终身价值分布"},
			"p_alive_histogram":  {En: "P(still active) distribution", Zh: "仍活跃概率分布"},
			"holdout":            {En: "Holdout: predicted vs actual by frequency", Zh: "验证期:按复购次数的预测与实际"},
			"actual":             {En: "Actual", Zh: "实际"},
			"predicted":          {En: "Predicted", Zh: "预测"},

			"help.total_clv":          {En: "Sum of every customer's predicted spend over the horizon, discounted monthly (CLV)", Zh: "全部客户预测期内的预期消费之和,按月折现(即终身价值合计)"},
			"help.mean_p_alive":       {En: "Mean probability, from the purchase model, that a customer is still buying", Zh: "购买模型估计的客户仍在购买的概率的平均值"},
			"help.expected_purchases": {En: "Purchases the model expects from these customers over the horizon", Zh: "模型预计这些客户在预测期内的购买次数之和"},
			"help.customers":          {En: "Customers with a purchase before the calibration end", Zh: "校准期截止前有购买的客户"},
			"help.repeat_customers":   {En: "Customers who bought on more than one day", Zh: "在不止一天有购买的客户"},
			"help.horizon":            {En: "Option horizon: months ahead the predictions cover", Zh: "选项 horizon:预测覆盖的未来月数"},
			"help.discount":           {En: "Option discount: monthly rate the CLV is discounted by", Zh: "选项 discount:终身价值的月折现率"},
			"help.time_unit":          {En: "Option unit (or bgbb_period with BG/BB)", Zh: "选项“时间单位”（BG/BB 模型时为“周期”）"},
			"help.log_likelihood":     {En: "Log-likelihood of the purchase model at the fitted parameters (higher is better)", Zh: "购买模型在拟合参数处的对数似然(越大越好)"},
			"help.holdout_actual":     {En: "Purchases in the holdout period", Zh: "验证期内的实际购买次数"},
			"help.holdout_predicted":  {En: "Purchases the model fitted before the holdout predicts for it", Zh: "验证期前拟合的模型对验证期的预测购买次数"},
		},
		Needs: []string{"orders"},
		Reads: []string{"orders"},
		// It reads only the summary, but for the BG/BB and a holdout (SummaryWindow).
		OnSummary: true,
		Headlines: []analysis.Headline{{Key: "clv", Figure: "total_clv", Forecast: true}},
		Fields:    []analysis.Field{{Key: "p_alive"}, {Key: "value", Column: "clv"}},
	}
}

// options are the clv analysis's options, read and checked.
type options struct {
	model, periodName string
	unit              Unit
	months            int
	discount, penalty float64
	holdout           time.Time // midnight in the business's zone, or zero
}

func (a clvAnalysis) options(in analysis.Input) (options, error) {
	o := analysis.NewOpts(a.Info(), in.Options)
	op := options{model: o.String("model"), periodName: o.String("bgbb_period"), unit: Weeks}
	unitName := o.String("unit")
	op.months, op.discount, op.penalty = o.Int("horizon"), o.Float("discount"), o.Float("penalty")
	op.holdout = o.DateIn("holdout", in.Location())
	if err := o.Err(); err != nil {
		return op, err
	}
	if op.months < 1 || op.months > 600 || op.discount < 0 || op.discount >= 1 || op.penalty < 0 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{
			Column: "horizon/discount/penalty", Value: fmt.Sprintf("%d/%g/%g", op.months, op.discount, op.penalty),
			Reason: "expected horizon 1..600 months, discount in [0, 1), penalty ≥ 0"}}}
	}
	if unitName == "days" {
		op.unit = Days
	}
	return op, nil
}

// SummaryWindow returns the window Run summarises for the BG/NBD, Pareto/NBD and MBG/NBD
// without a holdout: the period up to the end of the as-of day. The BG/BB (calendar periods)
// and a holdout (a second summary after the calibration end) read the orders.
func (a clvAnalysis) SummaryWindow(in analysis.Input) (kexi.Window, bool) {
	op, err := a.options(in)
	if err != nil || op.model == "bgbb" || !op.holdout.IsZero() || in.AsOf.IsZero() {
		return kexi.Window{}, false
	}
	return in.Window(analysis.EndOfDay(in.AsOf, in.Location())), true
}

func (a clvAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	in = analysis.Defaults(in)
	op, err := a.options(in)
	if err != nil {
		return nil, err
	}
	model, unit, months, discount, penalty := op.model, op.unit, op.months, op.discount, op.penalty
	loc := in.Location()
	asOf := Day(in.AsOf.In(loc))
	so := SummaryOptions{Unit: unit, End: asOf}
	if holdout := op.holdout; !holdout.IsZero() {
		if hd := Day(holdout); hd >= asOf {
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{
				Column: "holdout", Value: holdout.Format("2006-01-02"), Reason: "expected a date before the as-of date " + in.AsOf.Format("2006-01-02")}}}
		} else {
			so.End, so.HoldoutEnd = hd, asOf
		}
	}
	noPurchases := analysis.Refuse(analysis.NewNote("clv_no_purchases",
		"clv: no purchases to model (orders that are not returns or cancelled, up to the as-of date)",
		"没有可用于建模的购买记录（截至分析日、未退货也未取消的订单）"))
	var s *Summary
	if w, ok := a.SummaryWindow(in); ok {
		ks := in.Summary(w)
		if len(ks.Customers) == 0 {
			return nil, noPurchases
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s, err = FromSummary(ks, unit, so.End); err != nil {
			return nil, err
		}
	} else {
		var ps []Purchase
		od := &in.Data.Orders
		for i := range od.Len() {
			if !od.IsPurchase(i) {
				continue
			}
			if at := od.Time(i); in.InPeriod(at) {
				ps = append(ps, Purchase{Customer: od.CustomerID[i], Day: Day(at.In(loc)), Amount: od.Amount[i]})
			}
		}
		if len(ps) == 0 {
			return nil, noPurchases
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if model == "bgbb" {
			return runBGBB(in, ps, op.periodName, so, months, discount, penalty)
		}
		if s, err = Summarize(ps, so); err != nil {
			return nil, err
		}
	}
	if len(s.Customers) < 10 {
		return nil, analysis.Refuse(analysis.NewNote("clv_too_few",
			"clv: {n} customers before the calibration end; the models need at least 10",
			"校准期截止前只有 {n} 位客户；模型至少需要 10 位",
			analysis.V("n", strconv.Itoa(len(s.Customers)))))
	}
	fo := FitOptions{Penalty: penalty}
	var m Model
	gg, ggErr := FitSpendWhile(s.Customers, fo, func() {
		switch model {
		case "pareto":
			m, err = FitParetoNBD(s.Customers, fo)
		case "mbgnbd":
			m, err = FitMBGNBD(s.Customers, fo)
		default:
			m, err = FitBGNBD(s.Customers, fo)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var notes []analysis.Note
	gg, notes = usableSpend(gg, ggErr, notes)
	preds, err := Predict(m, gg, s.Customers, PredictOptions{Unit: unit, Months: months, Discount: discount})
	if err != nil {
		return nil, err
	}
	return buildResult(in, s, m, gg, preds, notes, view{unit: unit.String(), months: months, discount: discount}), nil
}

// view is what the result says about the options that shape its numbers: the time unit of
// recency, T and the parameters ("weeks", "days", or with BG/BB "years", "quarters",
// "months"), the horizon in months and the monthly discount rate.
type view struct {
	unit     string
	months   int
	discount float64
}

// usableSpend returns the Gamma-Gamma fit when it can price purchases, or nil with a note
// saying why not: the fit failed, or q ≤ 1 makes the population's mean spend infinite.
func usableSpend(gg *GammaGamma, err error, notes []analysis.Note) (*GammaGamma, []analysis.Note) {
	if err != nil {
		// The reason is in English; the Chinese note names the usual ones.
		return nil, append(notes, analysis.NewNote("spend_not_fitted", "spend model not fitted: {reason}",
			"消费金额模型（Gamma-Gamma）未能拟合（通常是有消费金额的回头客少于 2 位，或拟合不收敛），因此不报告消费金额和 CLV",
			analysis.V("reason", kexi.ErrorMessage(err))))
	}
	if gg.Q <= 1 {
		return nil, append(notes, analysis.NewNote("spend_infinite",
			"Gamma-Gamma q = {q} ≤ 1: the population mean spend is infinite; spend and CLV are not reported",
			"Gamma-Gamma 模型的 q = {q} ≤ 1：总体平均消费金额为无穷大，因此不报告消费金额和 CLV",
			analysis.V("q", fmt.Sprintf("%.3g", gg.Q))))
	}
	return gg, notes
}

// buildResult makes the result: the headline figures first (revenue over the horizon, the
// share still active, purchases), the model's fit and parameters as Detail figures, and the
// customers ranked by CLV (ties by id).
func buildResult(in analysis.Input, s *Summary, m Model, gg *GammaGamma, preds []Prediction, notes []analysis.Note, v view) *analysis.Result {
	fit := m.Summary()
	res := &analysis.Result{Name: "clv", AsOf: in.AsOf, Notes: notes}
	var sumAlive, sumCLV, sumPurch, repeat float64
	table := analysis.Table{Key: "customers", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "frequency", Type: "int"}, {Key: "recency", Type: "float"},
		{Key: "t", Type: "float"}, {Key: "monetary", Type: "currency"}, {Key: "p_alive", Type: "percent"},
		{Key: "expected_purchases", Type: "float"}, {Key: "expected_spend", Type: "currency"}, {Key: "clv", Type: "currency"},
	}}
	clvs := make([]float64, 0, len(preds))
	alive := make([]float64, 0, len(preds))
	// One array holds every row's cells: a million rows are then one allocation, not a
	// million, and no row slice is rounded up to a size class.
	const width = 9
	cells := make([]any, 0, width*len(preds))
	table.Rows = make([][]any, 0, len(preds))
	for i, p := range preds {
		c := &s.Customers[i]
		sumAlive += p.PAlive
		sumPurch += p.Purchases
		if c.Frequency > 0 {
			repeat++
		}
		spend, clv := finite(p.Spend), finite(p.CLV)
		sumCLV += clv
		clvs = append(clvs, clv)
		alive = append(alive, p.PAlive)
		cells = append(cells, c.ID, int64(c.Frequency), c.Recency, c.T, c.Monetary, p.PAlive, p.Purchases, spend, clv)
		table.Rows = append(table.Rows, cells[len(cells)-width:len(cells):len(cells)])
	}
	// The top customers by CLV lead the table (ties stay in id order). Positions are sorted
	// by (CLV, position) rather than the rows stably by CLV: on a 1M-customer file,
	// `kexi analyze clv --orders` took 4.3–4.5 s of CPU with the stable sort of the []any
	// rows and 2.9 s with this (internal/loadtest/clvfile, /usr/bin/time).
	order := make([]int32, len(table.Rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(clvs[b], clvs[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	rows := make([][]any, len(order))
	for i, k := range order {
		rows[i] = table.Rows[k]
	}
	table.Rows = rows
	n := float64(len(preds))
	res.Summary = []analysis.Figure{
		{Key: "total_clv", Value: sumCLV, Unit: "currency"}, {Key: "mean_p_alive", Value: sumAlive / n, Unit: "%"},
		{Key: "expected_purchases", Value: sumPurch},
		{Key: "customers", Value: n, Drill: analysis.Everyone("customer_id")},
		{Key: "repeat_customers", Value: repeat, Drill: analysis.Drill{Column: "frequency", Op: "gt", Value: "0"}},
		{Key: "horizon", Value: float64(v.months), Unit: "months", Detail: true},
		{Key: "discount", Value: v.discount, Unit: "%", Detail: true},
		{Key: "time_unit", Text: v.unit, Detail: true},
		{Key: "log_likelihood", Value: fit.LogLik, Detail: true},
	}
	params := analysis.Table{Key: "parameters", Columns: []analysis.Column{
		{Key: "parameter", Type: "string"}, {Key: "estimate", Type: "float"}, {Key: "std_error", Type: "float"}, {Key: "at_boundary", Type: "string"}}}
	addParams := func(prefix string, f Fit) {
		for i, name := range f.Names {
			b := ""
			for _, x := range f.Boundary {
				if x == name {
					b = "yes"
				}
			}
			res.Summary = append(res.Summary, analysis.Figure{Key: prefix + name, Value: f.Params[i], Detail: true})
			params.Rows = append(params.Rows, []any{prefix + name, f.Params[i], finite(f.SE[i]), b})
		}
	}
	addParams("", fit)
	if gg != nil {
		addParams("gg_", gg.Fit)
	}
	res.Tables = []analysis.Table{table, params}
	res.Series = []analysis.Series{histogram("clv_histogram", "clv", clvs, 20, 0.01), histogram("p_alive_histogram", "p_alive", alive, 10, 0)}
	if s.HoldoutDuration > 0 {
		if h, err := Holdout(m, s, 7); err == nil {
			res.Summary = append(res.Summary, analysis.Figure{Key: "holdout_actual", Value: h.Actual, Detail: true},
				analysis.Figure{Key: "holdout_predicted", Value: h.Predicted, Detail: true})
			sr := analysis.Series{Key: "holdout", Kind: "bar"}
			act, pre := analysis.Values{Key: "actual"}, analysis.Values{Key: "predicted"}
			for _, b := range h.ByFrequency {
				label := fmt.Sprint(b.Frequency)
				if b.Frequency == len(h.ByFrequency)-1 {
					label += "+"
				}
				sr.X = append(sr.X, label)
				act.Data = append(act.Data, b.Actual)
				pre.Data = append(pre.Data, b.Predicted)
			}
			sr.Y = []analysis.Values{act, pre}
			res.Series = append(res.Series, sr)
		}
	}
	return res
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// histogram counts vs in bins of a round width (1, 2 or 5 × a power of ten) from a multiple
// of it at or below their minimum to one at or above their maximum: about bins of them, never
// more. Each bin holds [lower, upper) edges, the last one also its upper edge. With tail > 0
// the bins stop at the (1 − tail) quantile and one more bin, "≥ edge", holds the values
// beyond their last edge, so a long tail (a few customers worth a hundred times the rest)
// does not squeeze everyone else into the first bin. The series drills down to the customers
// of each bin by column, a column of the per-customer table holding the values vs.
func histogram(key, column string, vs []float64, bins int, tail float64) analysis.Series {
	s := analysis.Series{Key: key, Kind: "histogram"}
	if len(vs) == 0 {
		return s
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	top := hi
	if tail > 0 && bins > 1 {
		sorted := slices.Clone(vs)
		slices.Sort(sorted)
		top = sorted[min(len(sorted)-1, int(math.Ceil((1-tail)*float64(len(sorted))))-1)]
		bins--
	}
	w, start, n := niceBins(lo, top, bins)
	over := top < hi && start+float64(n)*w <= hi
	// The edges the drill-down filters on: the first no higher than the lowest value, the last
	// (the top of the last bin, or of the "≥" bin) no lower than the highest, and each value
	// counted in the bin its comparisons with them put it in, as the customer filter does.
	edges := make([]float64, n+1, n+2)
	for i := range edges {
		edges[i] = start + float64(i)*w
	}
	edges[0] = math.Min(edges[0], lo)
	if over {
		edges = append(edges, hi)
	} else {
		edges[n] = math.Max(edges[n], hi)
	}
	s.Drill = analysis.Drill{Column: column, Edges: edges}
	counts := make([]float64, len(edges)-1)
	for _, v := range vs {
		counts[s.Drill.Bin(v)]++
	}
	digits := max(0, -int(math.Floor(math.Log10(w))))
	edge := func(i int) string { return strconv.FormatFloat(start+float64(i)*w, 'f', digits, 64) }
	for i := range n {
		s.X = append(s.X, edge(i)+"–"+edge(i+1))
	}
	if over {
		s.X = append(s.X, "≥ "+edge(n))
	}
	s.Y = []analysis.Values{{Key: "customers", Data: counts}}
	return s
}

// niceBins returns a bin width w of 1, 2 or 5 × 10^k, the first edge (a multiple of w at or
// below lo) and the number of bins (at most bins, at least 1) that cover [lo, hi].
func niceBins(lo, hi float64, bins int) (w, start float64, n int) {
	span := hi - lo
	if span <= 0 {
		span = math.Max(math.Abs(lo), 1)
	}
	raw := span / float64(bins)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10, 20, 50} {
		if w = m * p; w*float64(bins) >= span*(1-1e-12) {
			start = math.Floor(lo/w) * w
			if n = int(math.Ceil((hi-start)/w - 1e-9)); n < 1 {
				n = 1
			}
			if n <= bins {
				return w, start, n
			}
		}
	}
	return w, start, n
}
