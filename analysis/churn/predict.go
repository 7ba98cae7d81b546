package churn

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Label modes.
const (
	LabelAuto    = "auto"    // flag when any customer carries a churn flag, else horizon
	LabelFlag    = "flag"    // Customer.Churned
	LabelHorizon = "horizon" // no purchase in (cut-off, cut-off + H days]
)

// Models.
const (
	ModelGBDT  = "gbdt"
	ModelLogit = "logit"
)

// Options set up a churn model. Zero values get defaults: label auto, horizon 90 days,
// 5 folds, model gbdt, λ = 1, GBDT defaults, precision among the top 10 %.
type Options struct {
	Label   string
	Horizon int // days
	Folds   int // < 2: no cross-validation
	Seed    uint64
	Model   string
	Lambda  float64 // L2 penalty of the logistic regression
	GBDT    GBDTParams
	Top     float64 // share of customers for precision at top k
	NoCV    bool
}

func (o Options) withDefaults() Options {
	if o.Label == "" {
		o.Label = LabelAuto
	}
	if o.Horizon <= 0 {
		o.Horizon = 90
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Model == "" {
		o.Model = ModelGBDT
	}
	if o.Lambda <= 0 {
		o.Lambda = 1
	}
	if o.Top <= 0 || o.Top > 1 {
		o.Top = 0.1
	}
	return o
}

// Driver is one feature's push on a customer's churn log-odds.
type Driver struct {
	Feature string
	Effect  float64 // contribution to the log-odds (positive raises churn risk)
	Value   float64 // the customer's raw value of the feature
}

// Score is one customer's predicted churn probability with the features that push it up most.
type Score struct {
	CustomerID int64
	Prob       float64
	Drivers    []Driver // up to three, largest positive effect first
	Protect    []Driver // up to two that lower the risk most, largest negative effect first
	Recency    float64  // days since the last purchase (NaN: none)
	Frequency  float64
	Monetary   float64
}

// Report is the outcome of Predict.
type Report struct {
	Mode     string    // flag or horizon
	Cutoff   time.Time // features as of this time for training; labels after it (horizon)
	Model    string
	Rows     int // training customers
	Churned  int // training customers labelled churned
	Features []string
	CV       map[string]*CVResult // by model name; empty when folds < 2
	// Importance of each feature (Features order) under each fitted model.
	Importance map[string][]float64
	Coef       []float64 // the logistic regression's standardised coefficients
	Scores     []Score   // the risk list, most at risk first
	// History says whether any training customer has a purchase before the cut-off;
	// Attributes whether any feature describes the customer beyond gender (age, income, kind,
	// province, channel, custom fields).
	History, Attributes bool
	// Shortfall is empty when the model has enough to work with; otherwise it says what is
	// missing: ShortHistoryAttributes, ShortHistory, ShortAttributes or ShortWeak.
	Shortfall string
}

// Shortfalls: what a churn model is missing when it has too little to work with.
const (
	ShortHistoryAttributes = "short_history_attributes" // neither purchase history nor customer attributes
	ShortHistory           = "short_history"            // a weak model and no purchase history
	ShortAttributes        = "short_attributes"         // a weak model and no customer attributes
	ShortWeak              = "short_weak"               // a weak model with both
)

// weakAUC is the cross-validated AUC below which a model is too weak to rank customers by.
const weakAUC = 0.6

// attributePrefixes start the feature names that describe a customer beyond gender.
var attributePrefixes = []string{FAge, FIncome, "kind=", "province=", "channel=", "custom."}

// shortfall fills the report's History, Attributes and Shortfall from the training frame and
// the encoded feature names (cross-validation, when done, must be in rep.CV).
func (rep *Report) shortfall(train *Frame) {
	for i := 0; i < train.M.Rows; i++ {
		if train.M.Row(i)[1] > 0 { // frequency
			rep.History = true
			break
		}
	}
	for _, f := range rep.Features {
		for _, p := range attributePrefixes {
			if strings.HasPrefix(f, p) {
				rep.Attributes = true
			}
		}
	}
	weak := false
	if cv := rep.CV[rep.Model]; cv != nil && cv.AUC < weakAUC {
		weak = true
	}
	switch {
	case !rep.History && !rep.Attributes:
		rep.Shortfall = ShortHistoryAttributes
	case !weak:
	case !rep.History:
		rep.Shortfall = ShortHistory
	case !rep.Attributes:
		rep.Shortfall = ShortAttributes
	default:
		rep.Shortfall = ShortWeak
	}
}

// Predict trains churn classifiers on d and scores its current customers.
//
// With label flag the training rows are all customers, features as of asOf and the label
// their Churned flag; the risk list then holds the customers not yet flagged. With label
// horizon the cut-off is asOf − H days: the training rows are the customers with a purchase
// at or before it, labelled churned when they made no purchase in (cut-off, asOf]; the risk
// list scores every customer with a purchase at or before asOf on features as of asOf, the
// probability of buying nothing in the next H days.
//
// Both models are cross-validated (stratified folds, seeded) unless NoCV; the chosen one
// scores the risk list. It returns an EINVALID error when there is nothing to learn from
// (no rows, or only one class).
func Predict(d *kexi.Dataset, asOf time.Time, o Options) (*Report, error) {
	o = o.withDefaults()
	mode := labelMode(d.Customers, o.Label)
	b := NewBuilder(d)
	rep := &Report{Mode: mode, Model: o.Model, CV: map[string]*CVResult{}, Importance: map[string][]float64{}}
	trainRows, scoreRows, labels, err := rep.split(d, b, asOf, o)
	if err != nil {
		return nil, err
	}
	train := b.Frame(rep.Cutoff, trainRows)
	train.Labels = labels
	enc := FitEncoder(train)
	if len(enc.Names) == 0 {
		return nil, analysis.Refuse(analysis.NewNote("churn_no_feature", "churn: no feature varies between customers", "没有任何特征在客户之间有差异，无法建模"))
	}
	rep.Features = enc.Names
	chosen, err := rep.fit(enc.Transform(train), labels, o)
	if err != nil {
		return nil, err
	}
	rep.shortfall(train)
	// Score: in flag mode the training frame already holds the features as of asOf.
	var frame *Frame
	if mode == LabelFlag {
		frame = unflagged(d, train, trainRows, len(scoreRows))
	} else {
		frame = b.Frame(asOf, scoreRows)
	}
	rep.score(frame, enc, chosen)
	return rep, nil
}

// labelMode returns the label mode: the option, or with auto flag when a customer is flagged
// churned, else horizon.
func labelMode(cs []kexi.Customer, label string) string {
	if label != LabelAuto {
		return label
	}
	for i := range cs {
		if cs[i].Churned {
			return LabelFlag
		}
	}
	return LabelHorizon
}

// split sets the cut-off and the counts of the training rows, and returns the training rows
// (positions in d.Customers) with their labels and the rows to score (see Predict). It
// refuses training rows of one class.
func (rep *Report) split(d *kexi.Dataset, b *Builder, asOf time.Time, o Options) (trainRows, scoreRows []int, labels []bool, err error) {
	switch rep.Mode {
	case LabelFlag:
		rep.Cutoff = asOf
		for i := range d.Customers {
			trainRows = append(trainRows, i)
			labels = append(labels, d.Customers[i].Churned)
			if !d.Customers[i].Churned {
				scoreRows = append(scoreRows, i)
			}
		}
	case LabelHorizon:
		rep.Cutoff = asOf.Add(-time.Duration(o.Horizon) * day)
		for i := range d.Customers {
			if b.HasPurchase(i, rep.Cutoff) {
				trainRows = append(trainRows, i)
				labels = append(labels, !b.PurchasedIn(i, rep.Cutoff, asOf))
			}
			if b.HasPurchase(i, asOf) {
				scoreRows = append(scoreRows, i)
			}
		}
	default:
		return nil, nil, nil, kexi.Errorf(kexi.EINVALID, "churn: label %q: expected auto, flag or horizon", o.Label)
	}
	rep.Rows = len(trainRows)
	for _, v := range labels {
		if v {
			rep.Churned++
		}
	}
	if rep.Churned == 0 || rep.Churned == rep.Rows {
		return nil, nil, nil, analysis.Refuse(analysis.NewNote("churn_one_class",
			"churn: {rows} customers to learn from, {churned} of them churned ({mode} labels, cut-off {cutoff}): a model needs both churned and retained customers",
			"可用于训练的客户有 {rows} 位，其中流失 {churned} 位（标签方式：{mode}，截止日 {cutoff}）：模型需要同时有流失和留存的客户",
			analysis.V("rows", strconv.Itoa(rep.Rows)), analysis.V("churned", strconv.Itoa(rep.Churned)),
			modeArg(rep.Mode), analysis.V("cutoff", rep.Cutoff.Format("2006-01-02"))))
	}
	return trainRows, scoreRows, labels, nil
}

// fit fits both models on all training rows and cross-validates them (unless NoCV), setting
// the report's CV results, importances and logit coefficients, and returns the chosen model.
// Every fit, the final ones and the cross-validation folds', is one job for a pool of
// GOMAXPROCS goroutines: the final fits first (the trees' bins them), then the trees'
// folds, as they take longest.
func (rep *Report) fit(x *Matrix, labels []bool, o Options) (Model, error) {
	learners := map[string]learner{
		ModelLogit: logitLearner(x, labels, o.Lambda),
		ModelGBDT:  gbdtLearner(x, labels, o.GBDT),
	}
	if _, ok := learners[o.Model]; !ok {
		return nil, kexi.Errorf(kexi.EINVALID, "churn: model %q: expected gbdt or logit", o.Model)
	}
	names := []string{ModelGBDT, ModelLogit}
	cvs := map[string]*cvRun{}
	final := make([]Model, len(names))
	finalErr := make([]error, len(names))
	var jobs []func()
	all := allRows(x.Rows)
	for k, name := range names {
		jobs = append(jobs, func() { final[k], finalErr[k] = learners[name](all) })
	}
	for _, name := range names {
		if !o.NoCV && o.Folds >= 2 {
			cv, err := newCV(x, labels, o.Folds, o.Seed, o.Top, learners[name])
			if err != nil {
				return nil, kexi.Errorf(kexi.EINVALID, "churn: %v", err)
			}
			cvs[name] = cv
			for f := 0; f < o.Folds; f++ {
				jobs = append(jobs, func() { cv.fold(f) })
			}
		}
	}
	parallel(len(jobs), func(i int) { jobs[i]() })
	for _, name := range names {
		if cvs[name] == nil {
			continue
		}
		cv, err := cvs[name].result()
		if err != nil {
			return nil, kexi.Errorf(kexi.EINVALID, "churn: %v", err)
		}
		rep.CV[name] = cv
	}
	var chosen Model
	for k, name := range names {
		m, err := final[k], finalErr[k]
		if err != nil {
			return nil, fmt.Errorf("churn: %w", err)
		}
		rep.Importance[name] = m.Importance()
		if lg, ok := m.(*Logit); ok {
			rep.Coef = lg.W
		}
		if name == o.Model {
			chosen = m
		}
	}
	return chosen, nil
}

// unflagged returns the rows of the training frame (of trainRows) whose customers are not
// flagged churned: in flag mode, the customers to score, with their features as of asOf.
func unflagged(d *kexi.Dataset, train *Frame, trainRows []int, n int) *Frame {
	keep := make([]int, 0, n)
	for r, pos := range trainRows {
		if !d.Customers[pos].Churned {
			keep = append(keep, r)
		}
	}
	frame := &Frame{Names: train.Names, IDs: make([]int64, len(keep))}
	m, _ := train.M.subset(keep, nil)
	frame.M = *m
	for k, r := range keep {
		frame.IDs[k] = train.IDs[r]
	}
	return frame
}

// score scores the frame's customers with the chosen model, each with the features that
// raise their risk most and those that lower it most, highest probability first (ties by
// id).
func (rep *Report) score(frame *Frame, enc *Encoder, chosen Model) {
	xs := enc.Transform(frame)
	rep.Scores = make([]Score, frame.M.Rows)
	// Customers are scored in chunks, concurrently; each score depends on its row only.
	const chunk = 2048
	parallel((len(rep.Scores)+chunk-1)/chunk, func(c int) {
		contrib := make([]float64, xs.Cols)
		neg := make([]float64, xs.Cols)
		for i := c * chunk; i < min((c+1)*chunk, len(rep.Scores)); i++ {
			row := xs.Row(i)
			raw := frame.M.Row(i)
			clear(contrib)
			chosen.Contrib(row, contrib)
			s := Score{CustomerID: frame.IDs[i], Prob: chosen.Prob(row),
				Recency: raw[0], Frequency: raw[1], Monetary: raw[2]}
			s.Drivers = topDrivers(contrib, 3, func(k int) Driver {
				return Driver{Feature: enc.Names[k], Effect: contrib[k], Value: enc.Raw(raw, k)}
			})
			for k, c := range contrib {
				neg[k] = -c
			}
			s.Protect = topDrivers(neg, 2, func(k int) Driver {
				return Driver{Feature: enc.Names[k], Effect: contrib[k], Value: enc.Raw(raw, k)}
			})
			rep.Scores[i] = s
		}
	})
	slices.SortStableFunc(rep.Scores, func(a, b Score) int {
		if c := cmp.Compare(b.Prob, a.Prob); c != 0 {
			return c
		}
		return cmp.Compare(a.CustomerID, b.CustomerID)
	})
}

// topDrivers returns up to n features with the largest positive contributions (above 1e-9),
// largest first, ties in feature order.
func topDrivers(c []float64, n int, mk func(k int) Driver) []Driver {
	var buf [8]int
	top := buf[:0]
	if n >= len(buf) {
		top = make([]int, 0, n+1)
	}
	for k, v := range c {
		if v <= 1e-9 || n <= 0 || len(top) == n && v <= c[top[n-1]] {
			continue
		}
		p := len(top) // after every kept feature with a contribution ≥ v
		for p > 0 && c[top[p-1]] < v {
			p--
		}
		top = slices.Insert(top, p, k)
		if len(top) > n {
			top = top[:n]
		}
	}
	out := make([]Driver, len(top))
	for i, k := range top {
		out[i] = mk(k)
	}
	return out
}

// modeArg is a label mode for a note: flag (the customers' churn flags) or horizon (no
// purchase within the horizon).
func modeArg(mode string) analysis.Arg {
	if mode == LabelFlag {
		return analysis.T("mode", "flag", "客户的流失标记")
	}
	return analysis.T("mode", "horizon", "预测期内无购买")
}
