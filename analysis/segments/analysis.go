package segments

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

type segmentsAnalysis struct{}

// New returns the k-means segmentation (A11).
func New() analysis.Analysis { return segmentsAnalysis{} }

func (segmentsAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:  "segments",
		Code:  "A11",
		Title: analysis.Text{En: "Segmentation (k-means)", Zh: "客户细分(K 均值聚类)"},
		Summary: analysis.Text{En: "Which natural groups do customers fall into, and what marks each group?",
			Zh: "客户自然分成哪几类,每一类有什么特征?"},
		Options: []analysis.Option{
			{Key: "features", Default: Auto, Type: "string",
				Help: analysis.Text{En: "Comma list of features: recency, frequency, monetary, age, income, aov, tenure or custom.NAME; auto: recency, frequency and monetary when most customers have purchases, otherwise the numeric attributes the data has (age, income, number custom fields)",
					Zh: "聚类特征(逗号分隔):recency、frequency、monetary、age、income、aov、tenure 或 custom.字段名;auto:多数客户有购买时用最近消费、频次和金额,否则用数据中的数值属性(年龄、收入、数值型自定义字段)"}},
			{Key: "k", Default: "0", Type: "int",
				Help: analysis.Text{En: "Number of clusters (0: choose 2–10 by silhouette)", Zh: "聚类数(0:按轮廓系数在 2–10 中自动选择)"}},
			{Key: "standardize", Default: "true", Type: "bool",
				Help: analysis.Text{En: "Standardise features to z-scores before clustering", Zh: "聚类前将特征标准化(Z 分数)"}},
			{Key: "log", Default: "true", Type: "bool",
				Help: analysis.Text{En: "Use log(1+x) of frequency, monetary and aov (they are heavily skewed)", Zh: "对频次、金额和客单价取 log(1+x)(分布高度偏斜)"}},
			{Key: "restarts", Default: "10", Type: "int",
				Help: analysis.Text{En: "k-means++ restarts per k", Zh: "每个 k 的 k-means++ 重启次数"}},
			{Key: "seed", Default: "0", Type: "int",
				Help: analysis.Text{En: "Random seed (0, like scikit-learn's random_state=0)", Zh: "随机种子(0, 同 scikit-learn 的 random_state=0)"}},
		},
		Labels: labels,
		Needs:  []string{"customers", "orders"},
		Reads:  []string{"customers", "orders"},
		Fields: []analysis.Field{{Key: "cluster"}},
	}
}

// options are the parsed options.
type options struct {
	names []string // the features, or Auto
	Options
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	fs := o.String("features")
	op := options{Options: Options{K: o.Int("k"), Standardize: o.Bool("standardize"), Log: o.Bool("log"), Restarts: o.Int("restarts")}}
	seed := o.Int("seed")
	if err := o.Err(); err != nil {
		return op, err
	}
	op.Seed = uint64(seed)
	var err error
	op.names = []string{Auto}
	if strings.TrimSpace(fs) != Auto {
		op.names, err = ParseFeatures(fs)
	}
	if err != nil {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
			Problems: []kexi.FieldProblem{{Column: "features", Value: fs, Reason: err.Error()}}}
	}
	if k := op.K; k < 0 || k == 1 || k > 50 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
			Problems: []kexi.FieldProblem{{Column: "k", Value: fmt.Sprint(k), Reason: "expected 0 (choose) or 2–50"}}}
	}
	if r := op.Restarts; r < 1 || r > 100 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option",
			Problems: []kexi.FieldProblem{{Column: "restarts", Value: fmt.Sprint(r), Reason: "expected 1–100"}}}
	}
	return op, nil
}

func (a segmentsAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	op, err := parse(a.Info(), in)
	if err != nil {
		return nil, err
	}
	pts, how, buyers := Choose(in.Data, in.AsOf, in.InPeriod, op.names)
	names := pts.Names
	if len(pts.IDs) < 3 {
		if how != ChosenGiven {
			return nil, kexi.Errorf(kexi.EINVALID,
				"segments: only %d customers have a purchase in the period, and the customers have no numeric attributes (age, income or number custom fields) to cluster on instead: import orders, or customers with such columns, or name the features (features=…)",
				buyers)
		}
		return nil, kexi.Errorf(kexi.EINVALID,
			"segments: only %d customers have every feature (%s); %d lack one: choose other features or import more data",
			len(pts.IDs), strings.Join(names, ", "), pts.Excluded)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cl, err := Segment(pts, op.Options)
	if err != nil {
		return nil, kexi.Errorf(kexi.EINVALID, "segments: %v", err)
	}
	res := &analysis.Result{Name: "segments", AsOf: in.AsOf}
	res.Summary = []analysis.Figure{
		{Key: "customers", Value: float64(len(pts.IDs)), Drill: analysis.Everyone("customer_id")},
		{Key: "excluded", Value: float64(pts.Excluded)},
		{Key: "k", Value: float64(cl.K)},
		{Key: "silhouette", Value: cl.Silhouette},
		{Key: "features", Text: strings.Join(names, ", ")},
		{Key: "feature_choice", Text: how},
	}
	res.Notes = notes(pts, cl, how, buyers, len(in.Data.Customers))
	prof, sizes := profiles(pts, cl)
	tried, sil := kChoice(cl)
	res.Tables = []analysis.Table{customerTable(pts, cl), prof, tried}
	res.Series = []analysis.Series{sizes, sil}
	if len(names) >= 2 {
		res.Series = append(res.Series, scatter(pts, cl))
	}
	return res, nil
}

// notes explains features chosen from the data, k chosen on a sample and customers left out.
func notes(pts Points, cl *Cluster, how string, buyers, customers int) []analysis.Note {
	var out []analysis.Note
	if how == ChosenAttributes {
		why := analysis.T("why", "no customer has a purchase in the period", "所选期间内没有客户有购买记录")
		if buyers > 0 {
			why = analysis.T("why", "only {buyers} of {customers} customers have a purchase in the period, too few",
				"所选期间内 {customers} 位客户中只有 {buyers} 位有购买记录，太少")
		}
		out = append(out, analysis.NewNote("features_chosen",
			"features chosen from the data: {features} ({why} for recency, frequency and monetary); features=… names others",
			"聚类特征由数据自动选定：{features}（{why}，不能按最近购买、购买频次和消费金额聚类）；可在“使用的特征”选项中指定其他特征",
			analysis.Keys("features", pts.Names...), why, analysis.V("buyers", strconv.Itoa(buyers)),
			analysis.V("customers", strconv.Itoa(customers))))
	}
	if cl.Sampled {
		out = append(out, analysis.NewNote("k_sampled",
			"k chosen by silhouette on a seeded sample of 5,000 of {customers} customers; the clusters are fitted on all of them",
			"聚类数 k 按轮廓系数选定，所用样本是从 {customers} 位客户中固定抽取的 5,000 位；聚类本身用全部客户拟合",
			analysis.V("customers", strconv.Itoa(len(pts.IDs)))))
	}
	if pts.Excluded > 0 {
		out = append(out, analysis.NewNote("not_clustered",
			"{n} customers lack a feature (no purchase in the period, unknown age/income or custom value) and are not clustered",
			"{n} 位客户缺少某项特征（所选期间没有购买、年龄或收入未知、自定义字段无值），未参与聚类",
			analysis.V("n", strconv.Itoa(pts.Excluded))))
	}
	return out
}

// customerTable lists each clustered customer's cluster (from 1) and features.
func customerTable(pts Points, cl *Cluster) analysis.Table {
	dim := len(pts.Names)
	cols := []analysis.Column{{Key: "customer_id", Type: "int"}, {Key: "cluster", Type: "int"}}
	for _, f := range pts.Names {
		cols = append(cols, analysis.Column{Key: f, Type: "float"})
	}
	cust := analysis.Table{Key: "customers", PerCustomer: true, Columns: cols, Rows: make([][]any, len(pts.IDs))}
	for i, id := range pts.IDs {
		row := []any{id, cl.Labels[i] + 1}
		for j := 0; j < dim; j++ {
			row = append(row, pts.X[i*dim+j])
		}
		cust.Rows[i] = row
	}
	return cust
}

// profiles describes each cluster: its size, share, profile in both languages and mean
// features.
func profiles(pts Points, cl *Cluster) (analysis.Table, analysis.Series) {
	names, dim := pts.Names, len(pts.Names)
	pcols := []analysis.Column{{Key: "cluster", Type: "int"}, {Key: "size", Type: "int"}, {Key: "share", Type: "percent"},
		{Key: "profile", Type: "string"}, {Key: "profile_zh", Type: "string"}}
	for _, f := range names {
		pcols = append(pcols, analysis.Column{Key: "mean_" + f, Type: "float"})
	}
	prof := analysis.Table{Key: "clusters", Columns: pcols}
	prof.Drill = analysis.Drill{Column: "cluster", Key: "cluster"}
	sizes := analysis.Series{Key: "cluster_sizes", Kind: "bar", Y: []analysis.Values{{Key: "size"}},
		Drill: analysis.Drill{Column: "cluster"}}
	for r := 0; r < cl.K; r++ {
		en, zh := Profile(names, cl.Z[r*dim:(r+1)*dim])
		row := []any{r + 1, cl.Sizes[r], float64(cl.Sizes[r]) / float64(len(pts.IDs)), en, zh}
		for j := 0; j < dim; j++ {
			row = append(row, cl.Centers[r*dim+j])
		}
		prof.Rows = append(prof.Rows, row)
		sizes.X = append(sizes.X, fmt.Sprint(r+1))
		sizes.Y[0].Data = append(sizes.Y[0].Data, float64(cl.Sizes[r]))
	}
	return prof, sizes
}

// kChoice lists the k tried with their silhouette and inertia.
func kChoice(cl *Cluster) (analysis.Table, analysis.Series) {
	tried := analysis.Table{Key: "k_choice", Columns: []analysis.Column{{Key: "k", Type: "int"},
		{Key: "silhouette", Type: "float"}, {Key: "inertia", Type: "float"}}}
	sil := analysis.Series{Key: "silhouette_by_k", Kind: "line", Y: []analysis.Values{{Key: "silhouette"}}}
	for _, t := range cl.Tried {
		tried.Rows = append(tried.Rows, []any{t.K, t.Silhouette, t.Inertia})
		sil.X = append(sil.X, fmt.Sprint(t.K))
		sil.Y[0].Data = append(sil.Y[0].Data, t.Silhouette)
	}
	return tried, sil
}

// scatter plots the first two features, at most 2,000 points (every n-th customer).
func scatter(pts Points, cl *Cluster) analysis.Series {
	names, dim := pts.Names, len(pts.Names)
	sc := analysis.Series{Key: "scatter", Kind: "scatter",
		Y: []analysis.Values{{Key: names[0]}, {Key: names[1]}, {Key: "cluster"}}}
	step := max(1, len(pts.IDs)/2000)
	for i := 0; i < len(pts.IDs); i += step {
		sc.Y[0].Data = append(sc.Y[0].Data, pts.X[i*dim])
		sc.Y[1].Data = append(sc.Y[1].Data, pts.X[i*dim+1])
		sc.Y[2].Data = append(sc.Y[2].Data, float64(cl.Labels[i]+1))
	}
	return sc
}

var labels = map[string]analysis.Text{
	"customers":         {En: "Customers clustered", Zh: "参与聚类客户数"},
	"excluded":          {En: "Customers left out (missing feature)", Zh: "未参与客户数(缺少特征)"},
	"features":          {En: "Features used", Zh: "使用的特征"},
	"feature_choice":    {En: "Features chosen by", Zh: "特征选择方式"},
	ChosenGiven:         {En: "the features option", Zh: "features 选项指定"},
	ChosenRFM:           {En: "auto: recency, frequency, monetary (customers have purchases)", Zh: "自动:最近消费、频次、金额(客户有购买记录)"},
	ChosenAttributes:    {En: "auto: the customers' numeric attributes (too few purchases for RFM)", Zh: "自动:客户的数值属性(购买记录太少,无法用 RFM)"},
	"k":                 {En: "Number of clusters", Zh: "聚类数"},
	"silhouette":        {En: "Silhouette", Zh: "轮廓系数"},
	"inertia":           {En: "Within-cluster sum of squares", Zh: "簇内平方和"},
	"customer_id":       {En: "Customer", Zh: "客户"},
	"cluster":           {En: "Cluster", Zh: "类别"},
	"clusters":          {En: "Cluster profiles", Zh: "各类画像"},
	"k_choice":          {En: "Choice of k", Zh: "聚类数选择"},
	"size":              {En: "Customers", Zh: "客户数"},
	"share":             {En: "Share", Zh: "占比"},
	"profile":           {En: "Profile", Zh: "画像"},
	"profile_zh":        {En: "Profile (Chinese)", Zh: "画像"},
	"cluster_sizes":     {En: "Customers per cluster", Zh: "各类客户数"},
	"silhouette_by_k":   {En: "Silhouette by number of clusters", Zh: "不同聚类数的轮廓系数"},
	"scatter":           {En: "Customers by the first two features", Zh: "按前两个特征的客户分布"},
	Recency:             {En: "Recency (days)", Zh: "最近消费(天前)"},
	Frequency:           {En: "Frequency (orders)", Zh: "消费频次(单)"},
	Monetary:            {En: "Monetary", Zh: "消费金额"},
	Age:                 {En: "Age", Zh: "年龄"},
	Income:              {En: "Income", Zh: "收入"},
	AOV:                 {En: "Average order value", Zh: "客单价"},
	Tenure:              {En: "Tenure (days)", Zh: "客户时长(天)"},
	"mean_" + Recency:   {En: "Mean recency (days)", Zh: "平均最近消费(天前)"},
	"mean_" + Frequency: {En: "Mean frequency", Zh: "平均频次"},
	"mean_" + Monetary:  {En: "Mean monetary", Zh: "平均消费金额"},
	"mean_" + Age:       {En: "Mean age", Zh: "平均年龄"},
	"mean_" + Income:    {En: "Mean income", Zh: "平均收入"},
	"mean_" + AOV:       {En: "Mean order value", Zh: "平均客单价"},
	"mean_" + Tenure:    {En: "Mean tenure (days)", Zh: "平均客户时长(天)"},
}
