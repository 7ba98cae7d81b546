// Package basket is analysis A16, basket analysis and recommendation (关联推荐): association
// rules between products bought together in one order, and for each customer the next products
// to offer.
//
// Baskets are purchase orders (kexi.OrderTable.IsPurchase) in the period, optionally only those of
// customers in one country or shipped to one province. An item is in a basket when its total
// quantity in the order is positive. Items named in the exclude option (postage, fees …) are
// ignored, but their orders still count as baskets, so support is always a share of all baskets
// in scope.
//
// Frequent itemsets are found with Eclat — depth-first search over vertical bitsets (one bit
// per basket per frequent item), where an itemset's support is the popcount of the AND of its
// items' bitsets. It gives the same itemsets as Apriori or FP-growth; it was chosen because it
// needs no candidate generation passes over the orders (unlike Apriori) and no tree of pointers
// (unlike FP-growth), and the bitset intersections stay fast and small for 1M baskets: a
// frequent item costs baskets/8 bytes.
package basket

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Rule is one association rule Antecedent → Consequent.
type Rule struct {
	Antecedent, Consequent []string
	// Support is the share of baskets holding both sides; Confidence = support / support of
	// the antecedent; Lift = confidence / support of the consequent.
	Support, Confidence, Lift float64
	Count                     int // baskets holding both sides
}

// Itemset is a frequent itemset with its basket count.
type Itemset struct {
	Items []int // indices into the item list, ascending
	Count int
}

// Baskets holds baskets as item indices.
type Baskets struct {
	Items []string // item names by index
	flat  []int32  // every basket's distinct item indices, one after another
	start []int32  // basket i is flat[start[i]:start[i+1]] (int32: half the memory of int)
	index map[string]int
}

// Len returns the number of baskets.
func (b *Baskets) Len() int { return len(b.start) }

// Basket returns basket i's distinct item indices.
func (b *Baskets) Basket(i int) []int32 {
	end := int32(len(b.flat))
	if i+1 < len(b.start) {
		end = b.start[i+1]
	}
	return b.flat[b.start[i]:end]
}

// begin starts a new, empty basket; items are appended to flat.
func (b *Baskets) begin() { b.start = append(b.start, int32(len(b.flat))) }

// Add adds a basket of item names (duplicates and empty names are dropped).
func (b *Baskets) Add(items []string) {
	s := len(b.flat)
	b.begin()
	for _, it := range items {
		if it == "" {
			continue
		}
		if i := b.intern(it); !slices.Contains(b.flat[s:], i) {
			b.flat = append(b.flat, i)
		}
	}
}

// intern returns an item's index in Items, adding the item when new.
func (b *Baskets) intern(item string) int32 {
	if b.index == nil {
		b.index = map[string]int{}
	}
	i, ok := b.index[item]
	if !ok {
		i = len(b.Items)
		b.index[item] = i
		b.Items = append(b.Items, item)
	}
	return int32(i)
}

type bitset []uint64

func and(dst, a, b bitset) int {
	n := 0
	for i := range dst {
		dst[i] = a[i] & b[i]
		n += bits.OnesCount64(dst[i])
	}
	return n
}

// MaxItemsets bounds the frequent itemsets one run may find. A low min_support on a large
// shop's data yields itemsets by the tens of millions (Online Retail with min_support 0.0002
// and max_len 3 ran 15 CPU-minutes and 13 GB before it was stopped): past this many the
// analysis stops and asks for a higher minimum support. The default options on Online Retail
// find a few hundred.
const MaxItemsets = 500_000

// Frequent returns the itemsets of up to maxLen items held by at least minCount baskets,
// sorted by size, then items. It stops with a Refusal when there are more than MaxItemsets of
// them, and with ctx's error when ctx is done.
func (b *Baskets) Frequent(ctx context.Context, minCount, maxLen int) ([]Itemset, error) {
	if minCount < 1 {
		minCount = 1
	}
	e := &eclat{ctx: ctx, minCount: minCount, maxLen: maxLen, words: (b.Len() + 63) / 64}
	e.counts, e.freq, e.pos = b.frequentItems(minCount)
	F := len(e.freq)
	// Pairs are counted straight from the baskets (a triangular array over the frequent
	// items) when that array is small: most pairs are infrequent, and this skips their
	// bitset intersections.
	if F >= 2 && F <= 3000 {
		e.pairs = b.countPairs(e.pos, F)
	}
	e.sets = b.bitsets(e.pos, e.need(), e.words)
	// One scratch bitset per depth: the search is depth-first, so a level's set is only
	// needed until its subtree is done.
	e.scratch = make([]bitset, maxLen+1)
	e.walk(nil, nil, -1, 0)
	if e.err != nil {
		return nil, e.err
	}
	slices.SortStableFunc(e.out, func(x, y Itemset) int { return cmp.Compare(len(x.Items), len(y.Items)) })
	return e.out, nil
}

// frequentItems returns every item's basket count, the items held by at least minCount
// baskets ordered by name (so the output is deterministic and readable), and each item's
// position among those (-1: not frequent).
func (b *Baskets) frequentItems(minCount int) (counts, freq, pos []int) {
	counts = make([]int, len(b.Items))
	for _, i := range b.flat {
		counts[i]++
	}
	for i, c := range counts {
		if c >= minCount {
			freq = append(freq, i)
		}
	}
	slices.SortFunc(freq, func(x, y int) int { return cmp.Compare(b.Items[x], b.Items[y]) })
	pos = make([]int, len(b.Items))
	for i := range pos {
		pos[i] = -1
	}
	for k, i := range freq {
		pos[i] = k
	}
	return counts, freq, pos
}

// countPairs counts the baskets of every pair of the f frequent items (by pos), in a
// triangular array (see pairIndex).
func (b *Baskets) countPairs(pos []int, f int) []int32 {
	pairs := make([]int32, f*(f-1)/2)
	var ks []int
	for bi := 0; bi < b.Len(); bi++ {
		ks = ks[:0]
		for _, i := range b.Basket(bi) {
			if k := pos[i]; k >= 0 {
				ks = append(ks, k)
			}
		}
		for x := 0; x < len(ks); x++ {
			for y := x + 1; y < len(ks); y++ {
				lo, hi := min(ks[x], ks[y]), max(ks[x], ks[y])
				pairs[pairIndex(lo, hi, f)]++
			}
		}
	}
	return pairs
}

// bitsets returns the baskets of each frequent item (by pos) that need one, as a bitset of
// words words; nil for the others.
func (b *Baskets) bitsets(pos []int, need []bool, words int) []bitset {
	sets := make([]bitset, len(need))
	built := false
	for k := range sets {
		if need[k] {
			sets[k], built = make(bitset, words), true
		}
	}
	for bi := 0; built && bi < b.Len(); bi++ {
		for _, i := range b.Basket(bi) {
			if k := pos[i]; k >= 0 && sets[k] != nil {
				sets[k][bi/64] |= 1 << (bi % 64)
			}
		}
	}
	return sets
}

// eclat is the depth-first search for frequent itemsets over the frequent items' bitsets.
type eclat struct {
	ctx                     context.Context
	err                     error // why the search stopped early: too many itemsets, or ctx
	minCount, maxLen, words int
	counts                  []int    // basket count by item
	freq                    []int    // the frequent items, by name
	pos                     []int    // an item's position in freq, or -1
	pairs                   []int32  // pair counts (pairIndex), or nil when not counted
	sets                    []bitset // by position in freq; nil where not needed
	scratch                 []bitset // one per depth
	out                     []Itemset
}

// need reports which frequent items need a bitset: those of itemsets the counts and pairs do
// not give. With pairs counted, only items in a frequent pair, and none at all when maxLen
// is 2: an item in no frequent pair is in no frequent itemset of two or more items.
func (e *eclat) need() []bool {
	F := len(e.freq)
	need := make([]bool, F)
	switch {
	case e.pairs == nil && e.maxLen >= 2:
		for k := range need {
			need[k] = true
		}
	case e.pairs != nil && e.maxLen > 2:
		for x := 0; x < F; x++ {
			for y := x + 1; y < F; y++ {
				if int(e.pairs[pairIndex(x, y, F)]) >= e.minCount {
					need[x], need[y] = true, true
				}
			}
		}
	}
	return need
}

// walk extends prefix (whose baskets are pset, last its last item's position) with each
// frequent item from position from on, adding the frequent itemsets to out.
func (e *eclat) walk(prefix []int, pset bitset, last, from int) {
	if len(prefix) == e.maxLen || e.err != nil {
		return
	}
	for k := from; k < len(e.freq) && e.err == nil; k++ {
		s, c, ok := e.extend(prefix, pset, last, k)
		if !ok || c < e.minCount {
			continue
		}
		if len(e.out) >= MaxItemsets {
			e.err = analysis.Refuse(analysis.NewNote("basket_too_many",
				"basket: more than {n} frequent item sets at this minimum support; raise min_support (or lower max_len)",
				"在此最小支持度下频繁项集超过 {n} 个；请提高最小支持度（或降低最大项数）",
				analysis.V("n", strconv.Itoa(MaxItemsets))))
			return
		}
		if len(e.out)%4096 == 0 {
			if err := e.ctx.Err(); err != nil {
				e.err = err
				return
			}
		}
		items := append(slices.Clone(prefix), e.freq[k])
		e.out = append(e.out, Itemset{Items: items, Count: c})
		e.walk(items, s, k, k+1)
	}
}

// extend returns the baskets and count of prefix plus item k; !ok when pair counts already
// show it infrequent.
func (e *eclat) extend(prefix []int, pset bitset, last, k int) (s bitset, c int, ok bool) {
	F := len(e.freq)
	switch {
	case len(prefix) == 0:
		return e.sets[k], e.counts[e.freq[k]], true
	case len(prefix) == 1 && e.pairs != nil:
		if c = int(e.pairs[pairIndex(last, k, F)]); c < e.minCount {
			return nil, 0, false
		}
		if e.maxLen > 2 {
			s = e.scratchAt(1)
			and(s, pset, e.sets[k])
		}
		return s, c, true
	}
	// With pairs counted, {last, k} must itself be frequent (which also means k has a
	// bitset).
	if e.pairs != nil && int(e.pairs[pairIndex(last, k, F)]) < e.minCount {
		return nil, 0, false
	}
	s = e.scratchAt(len(prefix))
	return s, and(s, pset, e.sets[k]), true
}

// scratchAt returns the scratch bitset of depth d.
func (e *eclat) scratchAt(d int) bitset {
	if e.scratch[d] == nil {
		e.scratch[d] = make(bitset, e.words)
	}
	return e.scratch[d]
}

// pairIndex is the position of pair (x, y), x < y < f, in a triangular array.
func pairIndex(x, y, f int) int { return x*(2*f-x-1)/2 + y - x - 1 }

// key is the map key of an itemset: its item indices as unsigned varints, which delimit
// themselves, so two itemsets share a key only when they are equal. (Indices as runes made
// every index from 55,295 on, where runes reach the surrogates, the same U+FFFD.)
func key(items []int) string {
	b := make([]byte, 0, 3*len(items))
	for _, i := range items {
		b = binary.AppendUvarint(b, uint64(i))
	}
	return string(b)
}

// Rules returns the association rules of the baskets with support ≥ minSupport (a share of
// baskets), confidence ≥ minConfidence and lift ≥ minLift, from itemsets of up to maxLen items;
// sorted by lift, confidence and support (highest first), then by antecedent and consequent.
// It fails as Frequent does.
func (b *Baskets) Rules(ctx context.Context, minSupport, minConfidence, minLift float64, maxLen int) ([]Rule, error) {
	n := b.Len()
	if n == 0 {
		return nil, nil
	}
	minCount := int(math.Ceil(minSupport*float64(n) - 1e-9))
	sets, err := b.Frequent(ctx, minCount, maxLen)
	if err != nil {
		return nil, err
	}
	count := make(map[string]int, len(sets))
	for _, s := range sets {
		count[key(s.Items)] = s.Count
	}
	names := func(ix []int) []string {
		out := make([]string, len(ix))
		for i, x := range ix {
			out[i] = b.Items[x]
		}
		return out
	}
	var rules []Rule
	for _, s := range sets {
		m := len(s.Items)
		if m < 2 {
			continue
		}
		for mask := 1; mask < 1<<m-1; mask++ {
			var a, c []int
			for j, it := range s.Items {
				if mask&(1<<j) != 0 {
					a = append(a, it)
				} else {
					c = append(c, it)
				}
			}
			conf := float64(s.Count) / float64(count[key(a)])
			lift := conf / (float64(count[key(c)]) / float64(n))
			if conf+1e-12 < minConfidence || lift+1e-12 < minLift {
				continue
			}
			rules = append(rules, Rule{Antecedent: names(a), Consequent: names(c), Count: s.Count,
				Support: float64(s.Count) / float64(n), Confidence: conf, Lift: lift})
		}
	}
	slices.SortFunc(rules, func(x, y Rule) int {
		if c := cmp.Compare(y.Lift, x.Lift); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Confidence, x.Confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Support, x.Support); c != 0 {
			return c
		}
		if c := slices.Compare(x.Antecedent, y.Antecedent); c != 0 {
			return c
		}
		return slices.Compare(x.Consequent, y.Consequent)
	})
	return rules, nil
}

// Recommendation is one product suggested to a customer, from the rule with the highest
// confidence (then lift) whose antecedent the customer bought.
type Recommendation struct {
	Item             string
	Confidence, Lift float64
}

// Recommend returns up to k items to suggest to a customer who bought the items in bought:
// consequents of rules whose whole antecedent is in bought, not already bought, best first.
func Recommend(rules []Rule, bought map[string]bool, k int) []Recommendation {
	best := map[string]Recommendation{}
	for _, r := range rules {
		ok := true
		for _, a := range r.Antecedent {
			if !bought[a] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, c := range r.Consequent {
			if bought[c] {
				continue
			}
			if b, seen := best[c]; !seen || r.Confidence > b.Confidence || (r.Confidence == b.Confidence && r.Lift > b.Lift) {
				best[c] = Recommendation{c, r.Confidence, r.Lift}
			}
		}
	}
	out := make([]Recommendation, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y Recommendation) int {
		if c := cmp.Compare(y.Confidence, x.Confidence); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Lift, x.Lift); c != 0 {
			return c
		}
		return cmp.Compare(x.Item, y.Item)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// ItemName returns the item of a line by kind ("sku", "name" or "category"): SKU falls back to
// the name and the name to the SKU; names are trimmed of spaces.
func ItemName(it *kexi.Item, kind string) string {
	sku, name := strings.TrimSpace(it.SKU), strings.TrimSpace(it.Name)
	switch kind {
	case "name":
		if name != "" {
			return name
		}
		return sku
	case "category":
		return strings.TrimSpace(it.Category)
	}
	if sku != "" {
		return sku
	}
	return name
}

// basketAnalysis is A16 for the registry.
type basketAnalysis struct{}

// New returns the basket analysis.
func New() analysis.Analysis { return basketAnalysis{} }

// Info describes the analysis.
func (basketAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "basket",
		Code:    "A16",
		Title:   analysis.Text{En: "Basket analysis and recommendations", Zh: "关联分析与推荐"},
		Summary: analysis.Text{En: "Which products are bought together, and what should each customer be offered next?", Zh: "哪些产品常被一起购买？每位客户下一步该推荐什么？"},
		Options: []analysis.Option{
			{Key: "item", Default: "sku", Type: "choice", Choices: []string{"sku", "name", "category"}, Help: analysis.Text{En: "Treat products by SKU, name or category", Zh: "按 SKU、名称或品类分析"}},
			{Key: "min_support", Default: "0.01", Type: "float", Help: analysis.Text{En: "Minimum share of baskets holding a rule's items", Zh: "最小支持度（含规则全部商品的订单占比）"}},
			{Key: "min_confidence", Default: "0.2", Type: "float", Help: analysis.Text{En: "Minimum confidence of a rule", Zh: "最小置信度"}},
			{Key: "min_lift", Default: "1", Type: "float", Help: analysis.Text{En: "Minimum lift of a rule", Zh: "最小提升度"}},
			{Key: "max_len", Default: "3", Type: "int", Help: analysis.Text{En: "Most items in one rule (both sides)", Zh: "规则最多包含的商品数"}},
			{Key: "max_rules", Default: "500", Type: "int", Help: analysis.Text{En: "Most rules to list", Zh: "最多列出的规则数"}},
			{Key: "country", Default: "", Type: "string", Help: analysis.Text{En: "Only baskets of customers in this country", Zh: "只分析该国家客户的订单"}},
			{Key: "province", Default: "", Type: "string", Help: analysis.Text{En: "Only baskets shipped to (or of customers in) this province", Zh: "只分析该省份的订单"}},
			{Key: "exclude", Default: "", Type: "string", Help: analysis.Text{En: "Items to ignore, comma separated (postage, fees)", Zh: "忽略的商品，逗号分隔（邮费、手续费等）"}},
		},
		Labels: map[string]analysis.Text{
			"baskets": {En: "Baskets", Zh: "订单数"}, "items": {En: "Distinct items", Zh: "商品种类"}, "rules": {En: "Rules", Zh: "规则"},
			"customers_with_recommendations": {En: "Customers with recommendations", Zh: "有推荐的客户"},
			"antecedent":                     {En: "If bought", Zh: "前项（已购）"}, "consequent": {En: "Then also", Zh: "后项（推荐）"},
			"antecedent_code": {En: "If bought (code)", Zh: "前项编码"}, "consequent_code": {En: "Then also (code)", Zh: "后项编码"},
			"support": {En: "Support", Zh: "支持度"}, "confidence": {En: "Confidence", Zh: "置信度"}, "lift": {En: "Lift", Zh: "提升度"},
			"count": {En: "Baskets", Zh: "订单数"}, "recommendations": {En: "Recommendations", Zh: "推荐"}, "customer": {En: "Customer", Zh: "客户"},
			"item_1": {En: "1st suggestion", Zh: "推荐一"}, "confidence_1": {En: "Confidence 1", Zh: "置信度一"},
			"item_2": {En: "2nd suggestion", Zh: "推荐二"}, "confidence_2": {En: "Confidence 2", Zh: "置信度二"},
			"item_3": {En: "3rd suggestion", Zh: "推荐三"}, "confidence_3": {En: "Confidence 3", Zh: "置信度三"},
			"frequent_items": {En: "Most frequent items", Zh: "高频商品"}, "item": {En: "Item", Zh: "商品"}, "top_rules": {En: "Top rules by lift", Zh: "提升度最高的规则"},
			"sku": {En: "SKU", Zh: "商品编号"},
		},
		Needs: []string{"orders", "items"},
		Reads: []string{"orders", "order_details", "items", "products"},
	}
}

// options are the parsed options.
type options struct {
	kind                     string
	minSup, minConf, minLift float64
	maxLen, maxRules         int
	country, province        string
	exclude                  map[string]bool
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	op := options{kind: o.String("item"), minSup: o.Float("min_support"), minConf: o.Float("min_confidence"), minLift: o.Float("min_lift"),
		maxLen: o.Int("max_len"), maxRules: o.Int("max_rules"),
		country: strings.TrimSpace(o.String("country")), province: strings.TrimSpace(o.String("province")), exclude: map[string]bool{}}
	for _, e := range strings.Split(o.String("exclude"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			op.exclude[e] = true
		}
	}
	if err := o.Err(); err != nil {
		return op, err
	}
	var probs []kexi.FieldProblem
	if op.minSup <= 0 || op.minSup > 1 {
		probs = append(probs, kexi.FieldProblem{Column: "min_support", Reason: "expected a share above 0 and at most 1"})
	}
	if op.minConf < 0 || op.minConf > 1 {
		probs = append(probs, kexi.FieldProblem{Column: "min_confidence", Reason: "expected a share from 0 to 1"})
	}
	if op.minLift < 0 {
		probs = append(probs, kexi.FieldProblem{Column: "min_lift", Reason: "expected 0 or more"})
	}
	if op.maxLen < 2 || op.maxLen > 8 {
		probs = append(probs, kexi.FieldProblem{Column: "max_len", Reason: "expected 2 to 8"})
	}
	if op.maxRules < 1 {
		probs = append(probs, kexi.FieldProblem{Column: "max_rules", Reason: "expected 1 or more"})
	}
	if len(probs) > 0 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: probs}
	}
	return op, nil
}

// Run mines rules from the baskets in scope and recommends up to three items per customer.
func (a basketAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	op, err := parse(info, in)
	if err != nil {
		return nil, err
	}
	bs, runs, items := collect(in.Data, in.Until(in.AsOf), op)
	rules, err := bs.Rules(ctx, op.minSup, op.minConf, op.minLift, op.maxLen)
	if err != nil {
		return nil, err
	}

	res := &analysis.Result{Name: info.Name, AsOf: in.AsOf}
	res.Summary = []analysis.Figure{{Key: "baskets", Value: float64(bs.Len())}, {Key: "items", Value: float64(len(bs.Items))},
		{Key: "rules", Value: float64(len(rules))}}
	// Rules read in product names where they are known (the product list, else the order
	// lines); the codes follow in columns of their own.
	name := itemNames(op.kind, in.Data.Products, items.names)
	rt, top, notes := ruleTable(rules, name, op.maxRules)
	res.Notes = notes
	rec := analysis.Table{Key: "recommendations", PerCustomer: true, Columns: []analysis.Column{{Key: "customer", Type: "int"},
		{Key: "item_1", Type: "string"}, {Key: "confidence_1", Type: "percent"}, {Key: "item_2", Type: "string"},
		{Key: "confidence_2", Type: "percent"}, {Key: "item_3", Type: "string"}, {Key: "confidence_3", Type: "percent"}}}
	if len(rules) > 0 {
		rec.Rows = recommendAll(bs, rules, runs)
	}
	// One row per customer with a recommendation: the figure drills down to them all. The
	// rules and items count baskets (orders), not customers, and do not drill.
	res.Summary = append(res.Summary, analysis.Figure{Key: "customers_with_recommendations", Value: float64(len(rec.Rows)),
		Drill: analysis.Everyone("customer")})
	res.Tables = []analysis.Table{rt, rec}
	res.Series = []analysis.Series{top, itemChart(bs, name)}
	return res, ctx.Err()
}

// run is one customer's baskets: in Orders order baskets are grouped by customer, so one run
// per customer (its id and where its baskets end) stands for the owner of each basket.
type run struct {
	customer int64
	end      int // bs.start index after the run's last basket
}

// collect returns the baskets in scope: the purchases keep accepts, of customers in the
// country option, shipped to the province option (else the customer's), with the items of a
// positive total quantity. It returns the customers' runs of baskets and the resolver of
// items.
func collect(d *kexi.Dataset, keep func(time.Time) bool, op options) (*Baskets, []run, *resolver) {
	var cust map[int64]int
	if op.country != "" || op.province != "" {
		cust = d.CustomerIndex()
	}
	t := &d.Orders
	bs := &Baskets{flat: make([]int32, 0, 3*t.Len()), start: make([]int32, 0, t.Len())}
	runs := make([]run, 0, len(d.Customers))
	items := &resolver{kind: op.kind, exclude: op.exclude, bs: bs}
	var lines []*resolved
	var qty []float64
	for i := range t.Len() {
		if !t.IsPurchase(i) || !keep(t.Time(i)) {
			continue
		}
		cid := t.CustomerID[i]
		var c *kexi.Customer
		if ci, ok := cust[cid]; ok {
			c = &d.Customers[ci]
		}
		if op.country != "" && (c == nil || !strings.EqualFold(c.Country, op.country)) {
			continue
		}
		if op.province != "" {
			p := t.Province(i)
			if p == "" && c != nil {
				p = c.Province
			}
			if p != op.province {
				continue
			}
		}
		// Sum quantities per item within the order; keep items with a positive total.
		lo, hi := t.LineRange(i)
		lines, qty = items.positive(&t.Lines, lo, hi, lines, qty)
		bs.begin()
		for _, l := range lines {
			bs.flat = append(bs.flat, items.index(l))
		}
		if len(runs) == 0 || runs[len(runs)-1].customer != cid {
			runs = append(runs, run{customer: cid})
		}
		runs[len(runs)-1].end = bs.Len()
	}
	return bs, runs, items
}

// ruleTable lists the first maxRules rules (with a note when there are more) and charts the
// lift of the first 15.
func ruleTable(rules []Rule, name func([]string) string, maxRules int) (analysis.Table, analysis.Series, []analysis.Note) {
	rt := analysis.Table{Key: "rules", Columns: []analysis.Column{{Key: "antecedent", Type: "string"}, {Key: "consequent", Type: "string"},
		{Key: "support", Type: "percent"}, {Key: "confidence", Type: "percent"}, {Key: "lift", Type: "float"}, {Key: "count", Type: "int"},
		{Key: "antecedent_code", Type: "string"}, {Key: "consequent_code", Type: "string"}}}
	top := analysis.Series{Key: "top_rules", Kind: "bar"}
	var notes []analysis.Note
	var lifts []float64
	for i, r := range rules {
		if i == maxRules {
			notes = append(notes, analysis.NewNote("rules_cut", "more rules than max_rules: only the strongest are listed",
				"规则数超过“最多规则数”，只列出最强的规则"))
			break
		}
		a, c := name(r.Antecedent), name(r.Consequent)
		rt.Rows = append(rt.Rows, []any{a, c, r.Support, r.Confidence, r.Lift, r.Count,
			strings.Join(r.Antecedent, " + "), strings.Join(r.Consequent, " + ")})
		if i < 15 {
			top.X = append(top.X, a+" → "+c)
			lifts = append(lifts, r.Lift)
		}
	}
	top.Y = []analysis.Values{{Key: "lift", Data: lifts}}
	return rt, top, notes
}

// itemChart is the support of the 20 most frequent items (ties by item).
func itemChart(bs *Baskets, name func([]string) string) analysis.Series {
	freq := make([]int, len(bs.Items))
	for _, i := range bs.flat {
		freq[i]++
	}
	order := make([]int, len(freq))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		if c := cmp.Compare(freq[y], freq[x]); c != 0 {
			return c
		}
		return cmp.Compare(bs.Items[x], bs.Items[y])
	})
	fs := analysis.Series{Key: "frequent_items", Kind: "bar"}
	var fv []float64
	for _, i := range order[:min(20, len(order))] {
		fs.X = append(fs.X, name(bs.Items[i:i+1]))
		fv = append(fv, float64(freq[i])/float64(bs.Len()))
	}
	fs.Y = []analysis.Values{{Key: "support", Data: fv}}
	return fs
}

// irule is a rule by item index.
type irule struct {
	ante, cons []int32
	conf, lift float64
}

// byFirst files the rules by item index under their first antecedent item, so each customer
// only looks at rules that start with something they bought.
func byFirst(bs *Baskets, rules []Rule) [][]irule {
	out := make([][]irule, len(bs.Items))
	for _, r := range rules {
		var ir irule
		for _, x := range r.Antecedent {
			ir.ante = append(ir.ante, int32(bs.index[x]))
		}
		for _, x := range r.Consequent {
			ir.cons = append(ir.cons, int32(bs.index[x]))
		}
		ir.conf, ir.lift = r.Confidence, r.Lift
		out[ir.ante[0]] = append(out[ir.ante[0]], ir)
	}
	return out
}

// recommendAll returns a row of up to three recommendations for each customer (by their runs
// of baskets) that gets one: what they bought in scope, against the rules. Recommend does the
// same by name; this is its fast form for every customer at once.
func recommendAll(bs *Baskets, rules []Rule, runs []run) [][]any {
	first := byFirst(bs, rules)
	bought := make([]bool, len(bs.Items))
	var rows [][]any
	var touched []int32
	var cands []Recommendation
	var candIdx []int32
	i := 0
	for _, ru := range runs {
		for _, x := range touched {
			bought[x] = false
		}
		touched = touched[:0]
		for ; i < ru.end; i++ {
			for _, x := range bs.Basket(i) {
				if !bought[x] {
					bought[x] = true
					touched = append(touched, x)
				}
			}
		}
		if ru.customer == 0 {
			continue
		}
		cands, candIdx = candidates(bs, first, bought, touched, cands[:0], candIdx[:0])
		if len(cands) == 0 {
			continue
		}
		slices.SortFunc(cands, func(x, y Recommendation) int {
			if c := cmp.Compare(y.Confidence, x.Confidence); c != 0 {
				return c
			}
			if c := cmp.Compare(y.Lift, x.Lift); c != 0 {
				return c
			}
			return cmp.Compare(x.Item, y.Item)
		})
		row := []any{ru.customer, "", math.NaN(), "", math.NaN(), "", math.NaN()}
		for k, r := range cands[:min(3, len(cands))] {
			row[1+2*k], row[2+2*k] = r.Item, r.Confidence
		}
		rows = append(rows, row)
	}
	return rows
}

// candidates appends to cands (with their item indices in candIdx) the consequents not
// bought of every rule whose whole antecedent was bought (touched lists the items bought),
// each item once at its best confidence, then lift.
func candidates(bs *Baskets, first [][]irule, bought []bool, touched []int32, cands []Recommendation, candIdx []int32) ([]Recommendation, []int32) {
	for _, x := range touched {
		for _, r := range first[x] {
			ok := true
			for _, a := range r.ante[1:] {
				if !bought[a] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			for _, c := range r.cons {
				if bought[c] {
					continue
				}
				k := slices.Index(candIdx, c)
				if k < 0 {
					candIdx = append(candIdx, c)
					cands = append(cands, Recommendation{bs.Items[c], r.conf, r.lift})
				} else if r.conf > cands[k].Confidence || (r.conf == cands[k].Confidence && r.lift > cands[k].Lift) {
					cands[k].Confidence, cands[k].Lift = r.conf, r.lift
				}
			}
		}
	}
	return cands, candIdx
}

// resolver turns order lines into basket items: a line's item (ItemName, "" when excluded)
// and the item's index in the baskets are remembered per product id, so that a line usually
// costs a slice look-up and a comparison of the line's strings with the ones remembered,
// rather than trimming them and hashing the name.
type resolver struct {
	kind    string
	exclude map[string]bool
	bs      *Baskets
	names   map[string]string // with kind "sku": a SKU's name on its lines, where it has one
	byID    []resolved        // by product id, below maxProduct
	other   resolved          // scratch for lines without a small product id
	order   int32             // counts the calls of positive
}

// itemNames returns what shows items: with kind "sku", each SKU's product name (from
// products, else from its order lines), or the SKU where neither names it; items of other
// kinds as they are. Several items are joined with " + ".
func itemNames(kind string, products []kexi.Product, lines map[string]string) func([]string) string {
	byCode := map[string]string{}
	if kind == "sku" {
		for i := range products {
			if p := &products[i]; strings.TrimSpace(p.Name) != "" {
				byCode[strings.TrimSpace(p.ExternalID)] = strings.TrimSpace(p.Name)
			}
		}
	}
	return func(items []string) string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it
			if n := byCode[it]; n != "" {
				out[i] = n
			} else if n := lines[it]; n != "" {
				out[i] = n
			}
		}
		return strings.Join(out, " + ")
	}
}

// resolved is the item of a line with these SKU, name and category.
type resolved struct {
	sku, name, category string
	item                string // "" when the line has no item or it is excluded
	idx                 int32  // the item's index in the baskets + 1; 0 = not looked up yet
	order               int32  // the resolver's order when this entry was last returned
	set                 bool
}

// maxProduct bounds the product ids the resolver remembers.
const maxProduct = 1 << 16

// line returns the resolved item of a line. A line without a small product id, or one whose
// product's entry was already returned in this order for other strings (the order's lines may
// hold that entry, so it is left alone), gets a scratch result that the next such line
// overwrites.
func (r *resolver) line(it *kexi.Item) *resolved {
	e := &r.other
	if id := it.ProductID; id > 0 && id < maxProduct {
		if int(id) >= len(r.byID) {
			r.byID = append(r.byID, make([]resolved, int(id)+1-len(r.byID))...)
		}
		p := &r.byID[id]
		if p.set && p.sku == it.SKU && p.name == it.Name && p.category == it.Category {
			p.order = r.order
			return p
		}
		if p.order != r.order {
			e = p
		}
	}
	item := ItemName(it, r.kind)
	if r.exclude[item] {
		item = ""
	}
	*e = resolved{sku: it.SKU, name: it.Name, category: it.Category, item: item, order: r.order, set: true}
	return e
}

// index returns the index of a line's item in the baskets, adding the item when new.
func (r *resolver) index(e *resolved) int32 {
	if e.idx == 0 {
		e.idx = r.bs.intern(e.item) + 1
		if r.kind == "sku" && e.name != "" && e.name != e.item && r.names[e.item] == "" {
			if r.names == nil {
				r.names = map[string]string{}
			}
			r.names[e.item] = strings.TrimSpace(e.name)
		}
	}
	return e.idx - 1
}

// positive returns the distinct items of the order whose lines are ls rows lo to hi whose
// total quantity is positive (in the order of their first line), reusing the storage of lines
// and qty. The scratch result that line overwrites is copied before it is kept.
func (r *resolver) positive(ls *kexi.LineTable, lo, hi int, lines []*resolved, qty []float64) ([]*resolved, []float64) {
	lines, qty = lines[:0], qty[:0]
	r.order++
	for j := lo; j < hi; j++ {
		e := r.line(ls.ItemOf(j))
		if e.item == "" {
			continue
		}
		// Two lines hold the same item when their item indices are equal (once looked up,
		// an int comparison), else when their item strings are.
		k := 0
		for k < len(lines) && !sameItem(lines[k], e) {
			k++
		}
		if k < len(lines) {
			qty[k] += ls.Quantity[j]
			continue
		}
		if e == &r.other {
			c := *e
			e = &c
		}
		lines = append(lines, e)
		qty = append(qty, ls.Quantity[j])
	}
	out := lines[:0]
	for k, l := range lines {
		if qty[k] > 0 {
			out = append(out, l)
		}
	}
	return out, qty
}

// sameItem reports whether two resolved lines name the same item.
func sameItem(a, b *resolved) bool {
	if a.idx != 0 && b.idx != 0 {
		return a.idx == b.idx
	}
	return a.item == b.item
}
