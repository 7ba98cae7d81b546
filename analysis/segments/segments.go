// Package segments is A11's k-means segmentation: customers clustered on chosen numeric
// features (standardised), k-means++ with a seed and restarts, k chosen by silhouette over
// 2..10 unless given, and a profile of each cluster in plain words.
package segments

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/stats"
)

// Built-in feature names; custom number fields are "custom.NAME".
const (
	Recency   = "recency"   // days from the last purchase in the period to as-of
	Frequency = "frequency" // purchases in the period
	Monetary  = "monetary"  // purchase amount in the period
	Age       = "age"
	Income    = "income"
	AOV       = "aov"    // average order value in the period
	Tenure    = "tenure" // days from the first purchase (or creation) to as-of
)

var builtin = []string{Recency, Frequency, Monetary, Age, Income, AOV, Tenure}

// Points is the feature matrix of the customers that have every chosen feature.
type Points struct {
	IDs      []int64
	Names    []string
	X        []float64 // row-major, len(IDs) × len(Names), in the features' own units
	Excluded int       // customers left out for a missing feature
}

// ParseFeatures splits a comma list of feature names and checks each one.
func ParseFeatures(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(builtin, f) && !(strings.HasPrefix(f, "custom.") && len(f) > len("custom.")) {
			return nil, fmt.Errorf("unknown feature %q: expected %s or custom.NAME", f, strings.Join(builtin, ", "))
		}
		if slices.Contains(out, f) {
			return nil, fmt.Errorf("feature %q given twice", f)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no features given")
	}
	return out, nil
}

// Collect computes the features of every customer as of asOf, counting orders for which
// inPeriod(OrderedAt) holds (nil: all up to asOf). A customer is left out when a chosen
// feature is missing: the order-based ones need a purchase in the period, age and income a
// non-zero value, custom fields a number.
func Collect(d *kexi.Dataset, asOf time.Time, inPeriod func(time.Time) bool, names []string) Points {
	aggs := purchases(d, asOf, inPeriod)
	p := Points{Names: names}
	row := make([]float64, len(names))
	for i := range d.Customers {
		c := &d.Customers[i]
		ok := true
		for j, f := range names {
			v := feature(f, c, &aggs[i], asOf)
			if math.IsNaN(v) {
				ok = false
				break
			}
			row[j] = v
		}
		if !ok {
			p.Excluded++
			continue
		}
		p.IDs = append(p.IDs, c.ID)
		p.X = append(p.X, row...)
	}
	return p
}

// bought is a customer's purchases: how many, those with a positive amount, their total, the
// first and the last.
type bought struct {
	n, paid, money float64
	first, last    time.Time
}

// purchases sums each customer's purchases (by position in d.Customers) up to asOf that
// inPeriod (nil: all) accepts.
func purchases(d *kexi.Dataset, asOf time.Time, inPeriod func(time.Time) bool) []bought {
	idx := d.CustomerIndex()
	aggs := make([]bought, len(d.Customers))
	o := &d.Orders
	asOfMs := asOf.UnixMilli() // order times are whole milliseconds: after asOf is after this
	o.Runs(func(cid int64, lo, hi int) {
		pos, ok := idx[cid]
		if !ok || cid == 0 {
			return
		}
		a := &aggs[pos]
		for k := lo; k < hi; k++ {
			if !o.IsPurchase(k) || o.At[k] > asOfMs {
				continue
			}
			at := o.Time(k)
			if inPeriod != nil && !inPeriod(at) {
				continue
			}
			a.n++
			if o.Amount[k] > 0 {
				a.paid++
			}
			a.money += o.Amount[k]
			if a.first.IsZero() {
				a.first = at
			}
			a.last = at
		}
	})
	return aggs
}

// feature returns customer c's value of feature f as of asOf (a their purchases), NaN when
// missing.
func feature(f string, c *kexi.Customer, a *bought, asOf time.Time) float64 {
	v := math.NaN()
	switch f {
	case Recency:
		if a.n > 0 {
			v = asOf.Sub(a.last).Hours() / 24
		}
	case Frequency:
		if a.n > 0 {
			v = a.n
		}
	case Monetary:
		if a.n > 0 {
			v = a.money
		}
	case AOV: // over the paid purchases: $0 ones count in frequency only
		if a.paid > 0 {
			v = a.money / a.paid
		} else if a.n > 0 {
			v = 0
		}
	case Tenure:
		start := a.first
		if !c.CreatedAt.IsZero() && (start.IsZero() || c.CreatedAt.Before(start)) {
			start = c.CreatedAt
		}
		if !start.IsZero() && !start.After(asOf) {
			v = asOf.Sub(start).Hours() / 24
		}
	case Age:
		if c.Age > 0 {
			v = float64(c.Age)
		}
	case Income:
		if c.Income > 0 {
			v = c.Income
		}
	default:
		if s := strings.TrimSpace(c.Custom[strings.TrimPrefix(f, "custom.")]); s != "" {
			if x, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(x, 0) {
				v = x
			}
		}
	}
	return v
}

// Options control Cluster. Zero values get defaults: k chosen over 2..10, 10 restarts,
// silhouette on at most 5,000 points.
type Options struct {
	K           int // 0: choose by silhouette
	KMin, KMax  int
	Standardize bool
	Log         bool // log(1+x) of frequency, monetary and aov before scaling (they are skewed)
	Restarts    int
	Seed        uint64
	Sample      int
}

// Cluster is a k-means segmentation.
type Cluster struct {
	K          int
	Labels     []int     // per point: 0..K−1, cluster 0 the largest
	Sizes      []int     // per cluster
	Centers    []float64 // K × dim, in the features' own units (mean of the members)
	Z          []float64 // K × dim, each centre's z-score against all points (for profiles)
	Tried      []Trial   // silhouette per k tried (one entry when k was given)
	Sampled    bool      // silhouettes were computed on a sample
	Silhouette float64   // of the chosen k
}

// Trial is one candidate k.
type Trial struct {
	K          int
	Silhouette float64
	Inertia    float64
}

// Segment clusters the points. The features are transformed (Log) and standardised
// (z-scores with the population standard deviation) when asked; each k runs stats.KMeans,
// scikit-learn's KMeans(n_init=Restarts, random_state=Seed) (greedy k-means++); the k with the
// highest silhouette wins (the smaller on ties). With more points than Sample, k is chosen and
// the restarts run on a seeded sample of Sample points, and the best centres are then refined
// with Lloyd's algorithm on all points. Clusters are renumbered by size, largest first. It
// returns an error when there are fewer than two points.
func Segment(p Points, o Options) (*Cluster, error) {
	dim := len(p.Names)
	n := len(p.IDs)
	if o.KMin == 0 {
		o.KMin = 2
	}
	if o.KMax == 0 {
		o.KMax = 10
	}
	if o.Restarts <= 0 {
		o.Restarts = 10
	}
	if o.Sample <= 0 {
		o.Sample = 5000
	}
	if n < 2 {
		return nil, fmt.Errorf("%d customers have every feature: too few to cluster", n)
	}
	x := slices.Clone(p.X)
	if o.Log {
		logSkewed(x, p.Names, n)
	}
	mean, sd := colStats(x, dim)
	if o.Standardize {
		standardize(x, dim, mean, sd)
	}
	c := &Cluster{}
	k := o.K
	if k == 0 {
		k = c.choose(x, dim, o)
	}
	k = min(k, n)
	var cl stats.Clustering
	if n > o.Sample {
		// Seed and restart on the sample; refine the best centres once on all points.
		sx := sampleRows(x, dim, n, o.Sample, o.Seed)
		cl = stats.Lloyd(x, dim, stats.KMeans(sx, dim, k, o.Restarts, o.Seed).Centers)
	} else {
		cl = stats.KMeans(x, dim, k, o.Restarts, o.Seed)
	}
	if o.K != 0 {
		sil := stats.Silhouette(x, dim, cl.Labels, cl.K, o.Sample, o.Seed)
		c.Tried = []Trial{{K: k, Silhouette: sil, Inertia: cl.Inertia}}
		c.Silhouette = sil
	} else {
		// The chosen k's silhouette as measured when choosing (on the sample when sampled).
		for _, t := range c.Tried {
			if t.K == k {
				c.Silhouette = t.Silhouette
			}
		}
	}
	c.assign(p, cl.Labels, k)
	c.profile(p, o.Log, mean, sd)
	return c, nil
}

// logSkewed takes log(1+x) of the skewed features (frequency, monetary, AOV) of n points.
func logSkewed(x []float64, names []string, n int) {
	dim := len(names)
	for j, f := range names {
		if f == Frequency || f == Monetary || f == AOV {
			for i := 0; i < n; i++ {
				x[i*dim+j] = math.Log1p(math.Max(x[i*dim+j], 0))
			}
		}
	}
}

// standardize turns each feature into z-scores (0 for a constant feature).
func standardize(x []float64, dim int, mean, sd []float64) {
	for i := 0; i < len(x)/dim; i++ {
		for j := 0; j < dim; j++ {
			if sd[j] > 0 {
				x[i*dim+j] = (x[i*dim+j] - mean[j]) / sd[j]
			} else {
				x[i*dim+j] = 0
			}
		}
	}
}

// choose tries each k from o.KMin to o.KMax on all points, or on a sample of them, records
// the trials and returns the k of the highest silhouette (the smaller on ties).
func (c *Cluster) choose(x []float64, dim int, o Options) int {
	n := len(x) / dim
	sx := x
	if n > o.Sample {
		c.Sampled = true
		sx = sampleRows(x, dim, n, o.Sample, o.Seed)
	}
	sn := len(sx) / dim
	var labs [][]int
	var ks []int
	for kk := o.KMin; kk <= min(o.KMax, sn-1); kk++ {
		cl := stats.KMeans(sx, dim, kk, o.Restarts, o.Seed)
		c.Tried = append(c.Tried, Trial{K: kk, Inertia: cl.Inertia})
		labs = append(labs, cl.Labels)
		ks = append(ks, cl.K)
	}
	k := 0
	best := math.Inf(-1)
	for t, s := range stats.Silhouettes(sx, dim, labs, ks, 0, 0) {
		c.Tried[t].Silhouette = s
		if s > best {
			best, k = s, c.Tried[t].K
		}
	}
	if k == 0 {
		k = min(2, n)
	}
	return k
}

// assign numbers the k clusters of labels by size (largest first; ties by the first member's
// position) and sets the labels, sizes and centres (the members' mean features).
func (c *Cluster) assign(p Points, labels []int, k int) {
	dim, n := len(p.Names), len(p.IDs)
	size := make([]int, k)
	first := make([]int, k)
	for i := range first {
		first[i] = n
	}
	for i, l := range labels {
		size[l]++
		first[l] = min(first[l], i)
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(size[b], size[a]); c != 0 {
			return c
		}
		return cmp.Compare(first[a], first[b])
	})
	rank := make([]int, k)
	for r, old := range order {
		rank[old] = r
	}
	c.K = k
	c.Labels = make([]int, n)
	c.Sizes = make([]int, k)
	c.Centers = make([]float64, k*dim)
	for i, l := range labels {
		r := rank[l]
		c.Labels[i] = r
		c.Sizes[r]++
		for j := 0; j < dim; j++ {
			c.Centers[r*dim+j] += p.X[i*dim+j]
		}
	}
	for r := 0; r < k; r++ {
		for j := 0; j < dim; j++ {
			if c.Sizes[r] > 0 {
				c.Centers[r*dim+j] /= float64(c.Sizes[r])
			}
		}
	}
}

// profile sets each cluster's mean of each (transformed) feature as a z-score against all
// points (mean, sd).
func (c *Cluster) profile(p Points, log bool, mean, sd []float64) {
	dim, n, k := len(p.Names), len(p.IDs), c.K
	xt := slices.Clone(p.X)
	if log {
		logSkewed(xt, p.Names, n)
	}
	c.Z = make([]float64, k*dim)
	for i, r := range c.Labels {
		for j := 0; j < dim; j++ {
			c.Z[r*dim+j] += xt[i*dim+j]
		}
	}
	for r := 0; r < k; r++ {
		for j := 0; j < dim; j++ {
			if c.Sizes[r] > 0 && sd[j] > 0 {
				c.Z[r*dim+j] = (c.Z[r*dim+j]/float64(c.Sizes[r]) - mean[j]) / sd[j]
			} else {
				c.Z[r*dim+j] = 0
			}
		}
	}
}

func colStats(x []float64, dim int) (mean, sd []float64) {
	n := len(x) / dim
	mean = make([]float64, dim)
	sd = make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			mean[j] += x[i*dim+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			d := x[i*dim+j] - mean[j]
			sd[j] += d * d
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
	}
	return mean, sd
}

// sampleRows returns m rows of x drawn without replacement with the seed.
func sampleRows(x []float64, dim, n, m int, seed uint64) []float64 {
	perm := seededPerm(n, seed)[:m]
	slices.Sort(perm)
	out := make([]float64, 0, m*dim)
	for _, i := range perm {
		out = append(out, x[i*dim:(i+1)*dim]...)
	}
	return out
}

// Profile describes a cluster centre in plain words from its z-scores: a feature more than
// half a standard deviation above or below the mean gets a word, strongest first.
func Profile(names []string, z []float64) (en, zh string) {
	type word struct {
		en, zh string
		w      float64
	}
	var ws []word
	for j, f := range names {
		v := z[j]
		if math.Abs(v) < 0.5 {
			continue
		}
		hi := v > 0
		var e, c string
		switch f {
		case Recency:
			e, c = pick(hi, "lapsed", "久未购买", "recent", "近期活跃")
		case Frequency:
			e, c = pick(hi, "frequent", "高频", "infrequent", "低频")
		case Monetary:
			e, c = pick(hi, "high spend", "高消费", "low spend", "低消费")
		case AOV:
			e, c = pick(hi, "large orders", "高客单价", "small orders", "低客单价")
		case Tenure:
			e, c = pick(hi, "long-standing", "老客户", "new", "新客户")
		case Age:
			e, c = pick(hi, "older", "年龄偏大", "younger", "年轻")
		case Income:
			e, c = pick(hi, "high income", "高收入", "low income", "低收入")
		default:
			name := strings.TrimPrefix(f, "custom.")
			e, c = pick(hi, "high "+name, name+"高", "low "+name, name+"低")
		}
		ws = append(ws, word{e, c, math.Abs(v)})
	}
	if len(ws) == 0 {
		return "average on every feature", "各项指标接近平均"
	}
	slices.SortStableFunc(ws, func(a, b word) int { return cmp.Compare(b.w, a.w) })
	var es, cs []string
	for _, w := range ws {
		es = append(es, w.en)
		cs = append(cs, w.zh)
	}
	return strings.Join(es, ", "), strings.Join(cs, "、")
}

func pick(hi bool, he, hz, le, lz string) (string, string) {
	if hi {
		return he, hz
	}
	return le, lz
}
