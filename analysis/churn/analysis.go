// Package churn is A9, churn prediction: features per customer as of a cut-off, a churn label
// (an explicit flag, or no purchase in the following H days), an L2-regularised logistic
// regression and gradient-boosted trees compared by stratified k-fold AUC, and the ranked risk
// list with each customer's probability and the features that drive it.
package churn

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

type churnAnalysis struct{}

// New returns the churn prediction analysis (A9).
func New() analysis.Analysis { return churnAnalysis{} }

func (churnAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:  "churn",
		Code:  "A9",
		Title: analysis.Text{En: "Churn prediction", Zh: "流失预测"},
		Summary: analysis.Text{En: "Who is likely to leave, how sure can we be, and why?",
			Zh: "哪些客户可能流失,预测有多可靠,原因是什么?"},
		Options: []analysis.Option{
			{Key: "model", Default: ModelGBDT, Type: "choice", Choices: []string{ModelGBDT, ModelLogit},
				Help: analysis.Text{En: "Model that scores the risk list: gradient-boosted trees or logistic regression (both are cross-validated)",
					Zh: "用于风险名单的模型:梯度提升树或逻辑回归(两者都做交叉验证)"}},
			{Key: "label", Default: LabelAuto, Type: "choice", Choices: []string{LabelAuto, LabelFlag, LabelHorizon},
				Help: analysis.Text{En: "What churn means: the customers' churn flag, no purchase within the horizon, or auto (flag when the data has churn flags)",
					Zh: "流失的定义:客户流失标记、预测期内无购买,或自动(有流失标记时用标记)"}},
			{Key: "horizon", Default: "90", Type: "int",
				Help: analysis.Text{En: "Days without a purchase that count as churn (horizon label)", Zh: "多少天无购买视为流失(按期限定义时)"}},
			{Key: "folds", Default: "5", Type: "int",
				Help: analysis.Text{En: "Cross-validation folds (0: none)", Zh: "交叉验证折数(0:不做)"}},
			{Key: "top", Default: "0.1", Type: "float",
				Help: analysis.Text{En: "Share of customers for precision at the top of the risk list", Zh: "计算风险名单头部精确率的客户比例"}},
			{Key: "lambda", Default: "1", Type: "float",
				Help: analysis.Text{En: "L2 penalty of the logistic regression", Zh: "逻辑回归的 L2 正则系数"}},
			{Key: "trees", Default: "150", Type: "int", Help: analysis.Text{En: "Number of boosted trees", Zh: "提升树棵数"}},
			{Key: "depth", Default: "3", Type: "int", Help: analysis.Text{En: "Depth of each tree", Zh: "每棵树的深度"}},
			{Key: "rate", Default: "0.1", Type: "float", Help: analysis.Text{En: "Learning rate (shrinkage)", Zh: "学习率(收缩)"}},
			{Key: "seed", Default: "1", Type: "int", Help: analysis.Text{En: "Random seed for the folds", Zh: "交叉验证分折的随机种子"}},
		},
		Labels: labels,
		Needs:  []string{"customers", "orders", "items"},
		Reads:  []string{"customers", "orders", "order_details", "items", "interactions", "surveys"},
		Fields: []analysis.Field{{Key: "probability"}, {Key: "risk_band"}},
	}
}

func (a churnAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	opt, err := parse(a.Info(), in)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep, err := Predict(in.Data, in.AsOf, opt)
	if err != nil {
		return nil, err
	}
	return result(rep, in), nil
}

// parse reads the options into the model's Options.
func parse(info analysis.Info, in analysis.Input) (Options, error) {
	o := analysis.NewOpts(info, in.Options)
	opt := Options{
		Model: o.String("model"), Label: o.String("label"), Horizon: o.Int("horizon"), Folds: o.Int("folds"),
		Top: o.Float("top"), Lambda: o.Float("lambda"), Seed: uint64(o.Int("seed")),
		GBDT: GBDTParams{Trees: o.Int("trees"), Depth: o.Int("depth"), Rate: o.Float("rate")},
	}
	if err := o.Err(); err != nil {
		return opt, err
	}
	bad := func(key string, v any, reason string) error {
		return &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
			Problems: []kexi.FieldProblem{{Column: key, Value: fmt.Sprint(v), Reason: reason}}}
	}
	switch {
	case opt.Horizon < 1 || opt.Horizon > 3650:
		return opt, bad("horizon", opt.Horizon, "expected 1–3650 days")
	case opt.Folds < 0 || opt.Folds == 1 || opt.Folds > 20:
		return opt, bad("folds", opt.Folds, "expected 0 or 2–20")
	case opt.Top <= 0 || opt.Top > 1:
		return opt, bad("top", opt.Top, "expected a share in (0, 1]")
	case opt.Lambda <= 0:
		return opt, bad("lambda", opt.Lambda, "expected a positive number")
	case opt.GBDT.Trees < 1 || opt.GBDT.Trees > 2000:
		return opt, bad("trees", opt.GBDT.Trees, "expected 1–2000")
	case opt.GBDT.Depth < 1 || opt.GBDT.Depth > 10:
		return opt, bad("depth", opt.GBDT.Depth, "expected 1–10")
	case opt.GBDT.Rate <= 0 || opt.GBDT.Rate > 1:
		return opt, bad("rate", opt.GBDT.Rate, "expected (0, 1]")
	}
	opt.NoCV = opt.Folds == 0
	return opt, nil
}

func result(rep *Report, in analysis.Input) *analysis.Result {
	res := &analysis.Result{Name: "churn", AsOf: in.AsOf, Summary: figures(rep)}
	if rep.Shortfall != "" {
		res.Notes = append(res.Notes, shortfallNote(rep))
	}
	if len(rep.CV) == 0 {
		res.Notes = append(res.Notes, analysis.NewNote("no_cv", "cross-validation skipped (folds=0)", "未做交叉验证（折数设为 0）"))
	}
	risk, hist, pie := riskTable(rep, in)
	drv, bar := driverTable(rep)
	res.Tables = []analysis.Table{risk, drv, cvTable(rep)}
	res.Series = []analysis.Series{bar, hist, pie}
	return res
}

// figures returns the summary: what the model learnt from, the risk it scores, and each
// model's cross-validated AUC.
func figures(rep *Report) []analysis.Figure {
	var expected float64
	high := 0
	for _, s := range rep.Scores {
		expected += s.Prob
		if s.Prob >= 0.5 {
			high++
		}
	}
	out := []analysis.Figure{
		{Key: "label_mode", Text: rep.Mode},
		{Key: "model", Text: rep.Model},
		{Key: "training_customers", Value: float64(rep.Rows)},
		{Key: "churn_rate", Value: float64(rep.Churned) / float64(rep.Rows), Unit: "%"},
		{Key: "features", Value: float64(len(rep.Features))},
		{Key: "scored_customers", Value: float64(len(rep.Scores)), Drill: analysis.Everyone("customer_id")},
		{Key: "high_risk", Value: float64(high), Drill: analysis.Drill{Column: "risk_band", Value: "high"}},
		{Key: "expected_churners", Value: expected},
	}
	if !rep.Cutoff.IsZero() { // data without any times has no cut-off
		out = slices.Insert(out, 2, analysis.Figure{Key: "cutoff", Text: rep.Cutoff.Format("2006-01-02")})
	}
	if rep.Shortfall != "" {
		out = append([]analysis.Figure{{Key: "too_little", Text: rep.Shortfall}}, out...)
	}
	for _, m := range []string{ModelLogit, ModelGBDT} {
		if cv := rep.CV[m]; cv != nil {
			out = append(out, analysis.Figure{Key: "auc_" + m, Value: cv.AUC})
			if m == rep.Model {
				out = append(out, analysis.Figure{Key: "precision_top", Value: cv.Precision, Unit: "%"})
			}
		}
	}
	return out
}

// cvTable is each model's cross-validation.
func cvTable(rep *Report) analysis.Table {
	cvt := analysis.Table{Key: "cross_validation", Columns: []analysis.Column{{Key: "model_name", Type: "label"},
		{Key: "auc", Type: "float"}, {Key: "pooled_auc", Type: "float"}, {Key: "precision_top", Type: "percent"},
		{Key: "lift_top", Type: "float"}, {Key: "fold_aucs", Type: "string"}}}
	for _, m := range []string{ModelLogit, ModelGBDT} {
		cv := rep.CV[m]
		if cv == nil {
			continue
		}
		var folds []string
		for _, a := range cv.FoldAUC {
			folds = append(folds, fmt.Sprintf("%.4f", a))
		}
		cvt.Rows = append(cvt.Rows, []any{m, cv.AUC, cv.PooledAUC, cv.Precision, cv.Precision / cv.BaseRate, strings.Join(folds, " ")})
	}
	return cvt
}

// riskBand is a probability's band: high from 50 %, medium from 25 %, else low.
func riskBand(p float64) string {
	switch {
	case p >= 0.5:
		return "high"
	case p >= 0.25:
		return "medium"
	}
	return "low"
}

// riskTable lists the scored customers by value at risk (the probability times the
// customer's revenue in the 365 days to the as-of date), then probability; with the
// histogram of probabilities and the customers by risk band.
func riskTable(rep *Report, in analysis.Input) (analysis.Table, analysis.Series, analysis.Series) {
	names := map[int64]string{}
	for i := range in.Data.Customers {
		names[in.Data.Customers[i].ID] = in.Data.Customers[i].Name
	}
	risk := analysis.Table{Key: "risk", PerCustomer: true, Columns: []analysis.Column{
		{Key: "customer_id", Type: "int"}, {Key: "name", Type: "string"}, {Key: "probability", Type: "percent"},
		{Key: "risk_band", Type: "label"}, {Key: "drivers", Type: "reasons"},
		{Key: "recency_days", Type: "int"}, {Key: "frequency", Type: "int"}, {Key: "monetary", Type: "currency"},
		{Key: "revenue_12m", Type: "currency"}, {Key: "value_at_risk", Type: "currency"}, {Key: "reasons", Type: "reasons"}}}
	recent := map[int64]float64{}
	// Order times are whole milliseconds: t.After(x) ⇔ At > x.UnixMilli().
	yearAgo, asOf := in.AsOf.AddDate(0, 0, -365).UnixMilli(), in.AsOf.UnixMilli()
	o := &in.Data.Orders
	for i := range o.Len() {
		if o.IsPurchase(i) && o.At[i] > yearAgo && o.At[i] <= asOf {
			recent[o.CustomerID[i]] += o.Amount[i]
		}
	}
	hist := analysis.Series{Key: "probability_histogram", Kind: "histogram", Y: []analysis.Values{{Key: "customers", Data: make([]float64, 10)}},
		Drill: analysis.Drill{Column: "probability"}}
	for b := 0; b < 10; b++ {
		hist.X = append(hist.X, fmt.Sprintf("%d–%d%%", b*10, b*10+10))
		hist.Drill.Edges = append(hist.Drill.Edges, float64(b)/10)
	}
	hist.Drill.Edges = append(hist.Drill.Edges, 1)
	bands := map[string]int{}
	for _, s := range rep.Scores {
		band := riskBand(s.Prob)
		bands[band]++
		var dr []string
		for _, d := range s.Drivers {
			dr = append(dr, d.Feature)
		}
		var rec any
		if !math.IsNaN(s.Recency) {
			rec = int(math.Floor(s.Recency)) // whole days
		}
		rev := recent[s.CustomerID]
		risk.Rows = append(risk.Rows, []any{s.CustomerID, names[s.CustomerID], s.Prob, band, strings.Join(dr, "; "),
			rec, int(s.Frequency), s.Monetary, rev, s.Prob * rev, Reasons(s)})
		hist.Y[0].Data[hist.Drill.Bin(s.Prob)]++
	}
	slices.SortStableFunc(risk.Rows, func(a, b []any) int { return cmp.Compare(b[9].(float64), a[9].(float64)) })
	pie := analysis.Series{Key: "risk_bands", Kind: "pie", X: []string{"high", "medium", "low"},
		Drill: analysis.Drill{Column: "risk_band"},
		Y:     []analysis.Values{{Key: "customers", Data: []float64{float64(bands["high"]), float64(bands["medium"]), float64(bands["low"])}}}}
	return risk, hist, pie
}

// driverTable lists the features by the chosen model's importance, with the ten first in a
// chart.
func driverTable(rep *Report) (analysis.Table, analysis.Series) {
	drv := analysis.Table{Key: "drivers", Columns: []analysis.Column{{Key: "feature", Type: "label"},
		{Key: "importance", Type: "percent"}, {Key: "logit_coefficient", Type: "float"}, {Key: "gbdt_gain", Type: "percent"}}}
	imp := rep.Importance[rep.Model]
	order := make([]int, len(rep.Features))
	for i := range order {
		order[i] = i
	}
	sortDesc(order, imp)
	bar := analysis.Series{Key: "top_drivers", Kind: "bar", Y: []analysis.Values{{Key: "importance"}}}
	for n, k := range order {
		drv.Rows = append(drv.Rows, []any{rep.Features[k], imp[k], rep.Coef[k], rep.Importance[ModelGBDT][k]})
		if n < 10 {
			bar.X = append(bar.X, rep.Features[k])
			bar.Y[0].Data = append(bar.Y[0].Data, imp[k])
		}
	}
	return drv, bar
}

// shortfallNote says in words what the model lacks and how to get it.
func shortfallNote(rep *Report) analysis.Note {
	shown := slices.Clone(rep.Features)
	if len(shown) > 6 {
		shown = append(shown[:6], "…")
	}
	auc, aucValue := analysis.T("auc", "", ""), ""
	if cv := rep.CV[rep.Model]; cv != nil {
		auc = analysis.T("auc", ", cross-validated AUC {auc_value} (0.5 is chance)", "，交叉验证 AUC 为 {auc_value}（0.5 相当于随机猜测）")
		aucValue = fmt.Sprintf("%.2f", cv.AUC)
	}
	var need analysis.Arg
	switch {
	case !rep.History && !rep.Attributes:
		need = analysis.T("need", "no purchase history: import the customers' orders; "+
			"no customer attributes beyond gender: import the customer file with all its columns "+
			"(kexi import keeps columns it does not know, such as plan, contract or tenure, as custom fields unless --skip-unknown is given)",
			"没有购买记录：请导入客户的订单；除性别外没有其他客户属性：请导入包含全部列的客户文件"+
				"（导入时 kexi 会把不认识的列，如套餐、合同、在网时长，保留为自定义字段，除非指定了 --skip-unknown）")
	case !rep.History:
		need = analysis.T("need", "no purchase history: import the customers' orders", "没有购买记录：请导入客户的订单")
	case !rep.Attributes:
		need = analysis.T("need", "no customer attributes beyond gender: import the customer file with all its columns "+
			"(kexi import keeps columns it does not know, such as plan, contract or tenure, as custom fields unless --skip-unknown is given)",
			"除性别外没有其他客户属性：请导入包含全部列的客户文件"+
				"（导入时 kexi 会把不认识的列，如套餐、合同、在网时长，保留为自定义字段，除非指定了 --skip-unknown）")
	default:
		need = analysis.T("need", "add interactions, surveys or more customer attributes", "请补充互动记录、满意度调查或更多客户属性")
	}
	return analysis.NewNote("too_little", "too little to work with: {n} features ({features}){auc}; {need}",
		"数据不足，模型难以可靠预测：只有 {n} 个特征（{features}）{auc}；{need}",
		analysis.V("n", strconv.Itoa(len(rep.Features))), analysis.Keys("features", shown...), auc, need,
		analysis.V("auc_value", aucValue))
}

func sortDesc(idx []int, v []float64) {
	for i := 1; i < len(idx); i++ { // insertion sort: stable, few features
		for j := i; j > 0 && v[idx[j]] > v[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

var labels = analysis.WithFields(map[string]analysis.Text{
	"too_little": {En: "Too little to work with", Zh: "数据不足"},
	ShortHistoryAttributes: {En: "No purchase history and no customer attributes to learn from: import orders, or the customer file with all its columns (columns kexi does not know are kept as custom fields unless --skip-unknown)",
		Zh: "没有购买记录,也没有客户属性可供学习:请导入订单,或导入包含全部列的客户文件(kexi 不认识的列默认保留为自定义字段,除非指定 --skip-unknown)"},
	ShortHistory: {En: "The model barely beats chance (AUC below 0.6) and there is no purchase history: import the customers' orders",
		Zh: "模型几乎不比随机猜测好(AUC 低于 0.6),且没有购买记录:请导入客户的订单"},
	ShortAttributes: {En: "The model barely beats chance (AUC below 0.6) and there are no customer attributes: import the customer file with all its columns (kept as custom fields)",
		Zh: "模型几乎不比随机猜测好(AUC 低于 0.6),且没有客户属性:请导入包含全部列的客户文件(保留为自定义字段)"},
	ShortWeak: {En: "The model barely beats chance (AUC below 0.6): add interactions, surveys or more customer attributes",
		Zh: "模型几乎不比随机猜测好(AUC 低于 0.6):请补充互动记录、满意度调查或更多客户属性"},
	"label_mode": {En: "Churn defined by", Zh: "流失定义"},
	LabelFlag:    {En: "Churn flag", Zh: "流失标记"},
	LabelHorizon: {En: "No purchase within the horizon", Zh: "期限内无购买"},
	LabelAuto:    {En: "Churn flag if the data has one, else the horizon", Zh: "有流失标记时用标记，否则按期限"},
	// Option labels.
	"label":                 {En: "Churn defined by", Zh: "流失定义"},
	"opt.horizon":           {En: "Horizon (days)", Zh: "流失期限(天)"},
	"folds":                 {En: "Cross-validation folds", Zh: "交叉验证折数"},
	"top":                   {En: "Top share for precision", Zh: "头部比例"},
	"lambda":                {En: "L2 penalty", Zh: "L2 正则系数"},
	"trees":                 {En: "Trees", Zh: "树的棵数"},
	"depth":                 {En: "Tree depth", Zh: "树深度"},
	"rate":                  {En: "Learning rate", Zh: "学习率"},
	"model":                 {En: "Model", Zh: "模型"},
	"model_name":            {En: "Model", Zh: "模型"},
	ModelGBDT:               {En: "Gradient-boosted trees", Zh: "梯度提升树"},
	ModelLogit:              {En: "Logistic regression", Zh: "逻辑回归"},
	"cutoff":                {En: "Feature cut-off", Zh: "特征截止日"},
	"training_customers":    {En: "Customers learned from", Zh: "训练客户数"},
	"churn_rate":            {En: "Churn rate", Zh: "流失率"},
	"features":              {En: "Features", Zh: "特征数"},
	"scored_customers":      {En: "Customers scored", Zh: "评分客户数"},
	"high_risk":             {En: "Churn probability ≥ 50 %", Zh: "流失概率≥50%的客户"},
	"expected_churners":     {En: "Expected churners", Zh: "预计流失客户数"},
	"auc_" + ModelLogit:     {En: "AUC, logistic regression", Zh: "AUC(逻辑回归)"},
	"auc_" + ModelGBDT:      {En: "AUC, gradient-boosted trees", Zh: "AUC(梯度提升树)"},
	"precision_top":         {En: "Precision in the top of the risk list", Zh: "风险名单头部精确率"},
	"cross_validation":      {En: "Cross-validation", Zh: "交叉验证"},
	"auc":                   {En: "AUC (mean of folds)", Zh: "AUC(各折平均)"},
	"pooled_auc":            {En: "AUC (pooled)", Zh: "AUC(合并)"},
	"lift_top":              {En: "Lift in the top", Zh: "头部提升度"},
	"fold_aucs":             {En: "AUC per fold", Zh: "各折 AUC"},
	"risk":                  {En: "Risk list", Zh: "流失风险名单"},
	"customer_id":           {En: "Customer", Zh: "客户"},
	"name":                  {En: "Name", Zh: "名称"},
	"probability":           {En: "Churn probability", Zh: "流失概率"},
	"risk_band":             {En: "Risk", Zh: "风险等级"},
	"high":                  {En: "High", Zh: "高"},
	"medium":                {En: "Medium", Zh: "中"},
	"low":                   {En: "Low", Zh: "低"},
	"drivers":               {En: "Main drivers", Zh: "主要驱动因素"},
	"recency_days":          {En: "Days since last purchase", Zh: "距上次购买(天)"},
	"frequency":             {En: "Purchases", Zh: "购买次数"},
	"monetary":              {En: "Spend", Zh: "消费金额"},
	"feature":               {En: "Feature", Zh: "特征"},
	"importance":            {En: "Importance", Zh: "重要性"},
	"logit_coefficient":     {En: "Logistic coefficient (per sd)", Zh: "逻辑回归系数(每标准差)"},
	"gbdt_gain":             {En: "Tree gain share", Zh: "树模型增益占比"},
	"top_drivers":           {En: "Top churn drivers", Zh: "主要流失因素"},
	"probability_histogram": {En: "Customers by churn probability", Zh: "流失概率分布"},
	"risk_bands":            {En: "Customers by risk", Zh: "风险等级分布"},
	"customers":             {En: "Customers", Zh: "客户数"},
	"revenue_12m":           {En: "Revenue, last 12 months", Zh: "近 12 个月收入"},
	"value_at_risk":         {En: "Value at risk", Zh: "风险价值"},
	"reasons":               {En: "Reasons", Zh: "原因"},
	FAOV:                    {En: "Average order value", Zh: "客单价"},
	FTenure:                 {En: "Days as a customer", Zh: "成为客户天数"},
	FSpend90:                {En: "Spend, last 90 days", Zh: "近 90 天消费"},
	FTrend:                  {En: "Spend trend, 90 days", Zh: "近 90 天消费趋势"},
	FReturnShare:            {En: "Share returned", Zh: "退货占比"},
	FInteractions:           {En: "Interactions", Zh: "互动次数"},
	FMinutes:                {En: "Service minutes", Zh: "服务分钟数"},
	FComplaints:             {En: "Complaints", Zh: "投诉次数"},
	FNPS:                    {En: "Latest NPS", Zh: "最近 NPS"},
	FCSAT:                   {En: "Latest CSAT", Zh: "最近满意度"},
	FAge:                    {En: "Age", Zh: "年龄"},
	FIncome:                 {En: "Income", Zh: "收入"},
	// The fields of one-hot features (FIELD=VALUE) and of channel shares.
	"kind":          {En: "Customer kind", Zh: "客户类型"},
	"channel":       {En: "Channel", Zh: "渠道"},
	"top_category":  {En: "Main category", Zh: "主要品类"},
	"channel_share": {En: "Share of orders via", Zh: "渠道订单占比"},
}, "gender", "province")

// Reasons describes what moves a customer's risk, for people: the drivers that raise it, then
// those that lower it, each as "FEATURE (VALUE) ↑" or "… ↓", joined by "; " (a one-hot
// feature FIELD=LEVEL has the value 1 or 0; days are whole days). Column type "reasons" tells a UI to translate the
// feature names.
func Reasons(s Score) string {
	var out []string
	add := func(d Driver, arrow string) {
		if strings.HasSuffix(d.Feature, "_days") {
			d.Value = math.Floor(d.Value) // whole days
		}
		var v string
		if math.IsNaN(d.Value) {
			v = "–"
		} else if d.Value == math.Trunc(d.Value) {
			v = strconv.FormatFloat(d.Value, 'f', 0, 64)
		} else {
			v = strconv.FormatFloat(d.Value, 'f', 2, 64)
		}
		out = append(out, d.Feature+" ("+v+") "+arrow)
	}
	for _, d := range s.Drivers {
		add(d, "↑")
	}
	for _, d := range s.Protect {
		add(d, "↓")
	}
	return strings.Join(out, "; ")
}
