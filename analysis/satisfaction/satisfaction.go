// Package satisfaction is analysis A12, customer satisfaction (满意度): NPS, CSAT and CES overall
// and by segment, survey channel, tier and month; complaints by subject and channel; what
// comments talk about (keywords, Chinese included); and how satisfaction relates to churn.
//
// Definitions. NPS answers (0–10): promoters 9–10, passives 7–8, detractors 0–6; NPS = % promoters
// − % detractors, in points (−100..100). CSAT (1–5) = share of answers of 4 or 5. CES (1–7) = the
// mean answer (lower is easier). Answers outside their kind's range are not counted (see the
// invalid_scores figure). Churn, for satisfaction vs churn: a customer is churned when their
// record says so (Customer.Churned), or — for customers with orders — when they made no purchase
// in the churn_days (default 180) after their latest answer; customers whose window has not yet
// ended by the as-of date and who are not flagged are left out of the churn rates.
package satisfaction

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/pyramid"
)

// Score accumulates survey answers of every kind.
type Score struct {
	NPS                             [11]int // answers per NPS score 0..10 (rounded)
	Promoters, Passives, Detractors int
	CSAT                            [5]int // answers per CSAT score 1..5 (rounded)
	Satisfied                       int    // CSAT answers of 4 or 5
	CESCount                        int
	CESSum                          float64
	Invalid                         int
}

// NPSGroup returns "promoter" (9–10), "passive" (7–8) or "detractor" (0–6).
func NPSGroup(score float64) string {
	switch {
	case score >= 9:
		return "promoter"
	case score > 6:
		return "passive"
	}
	return "detractor"
}

// CSATGroup returns "satisfied" (4–5), "neutral" (3) or "dissatisfied" (1–2).
func CSATGroup(score float64) string {
	switch {
	case score >= 4:
		return "satisfied"
	case score > 2:
		return "neutral"
	}
	return "dissatisfied"
}

// Add counts one answer.
func (s *Score) Add(kind string, score float64) {
	if !kexi.ValidScore(kind, score) {
		s.Invalid++
		return
	}
	switch kind {
	case kexi.NPS:
		s.NPS[int(math.Round(score))]++
		switch NPSGroup(score) {
		case "promoter":
			s.Promoters++
		case "passive":
			s.Passives++
		default:
			s.Detractors++
		}
	case kexi.CSAT:
		s.CSAT[int(math.Round(score))-1]++
		if score >= 4 {
			s.Satisfied++
		}
	case kexi.CES:
		s.CESCount++
		s.CESSum += score
	}
}

// NPSCount is the number of valid NPS answers.
func (s *Score) NPSCount() int { return s.Promoters + s.Passives + s.Detractors }

// CSATCount is the number of valid CSAT answers.
func (s *Score) CSATCount() int {
	n := 0
	for _, c := range s.CSAT {
		n += c
	}
	return n
}

// Responses is the number of valid answers of every kind.
func (s *Score) Responses() int { return s.NPSCount() + s.CSATCount() + s.CESCount }

// NPSValue returns the net promoter score in points, NaN without NPS answers.
func (s *Score) NPSValue() float64 {
	n := s.NPSCount()
	if n == 0 {
		return math.NaN()
	}
	return 100 * float64(s.Promoters-s.Detractors) / float64(n)
}

// CSATValue returns the share of CSAT answers of 4–5, NaN without CSAT answers.
func (s *Score) CSATValue() float64 {
	n := s.CSATCount()
	if n == 0 {
		return math.NaN()
	}
	return float64(s.Satisfied) / float64(n)
}

// CESValue returns the mean CES answer, NaN without CES answers.
func (s *Score) CESValue() float64 {
	if s.CESCount == 0 {
		return math.NaN()
	}
	return s.CESSum / float64(s.CESCount)
}

// Negative reports whether an answer is unhappy: NPS 0–6, CSAT 1–2 or CES 5–7.
func Negative(kind string, score float64) bool {
	switch kind {
	case kexi.NPS:
		return score <= 6
	case kexi.CSAT:
		return score <= 2
	case kexi.CES:
		return score >= 5
	}
	return false
}

// Lexicon is the built-in list of Chinese feedback words that Keywords looks for (Chinese has
// no spaces between words, so Han text is matched against this list, longest match first).
var Lexicon = []string{
	"物流", "快递", "发货", "配送", "送货", "到货", "客服", "服务", "态度", "价格", "性价比", "贵", "便宜",
	"质量", "做工", "材质", "包装", "破损", "退款", "退货", "换货", "售后", "维修", "安装", "速度", "太慢",
	"很快", "满意", "不满意", "推荐", "好评", "差评", "效果", "味道", "尺码", "颜色", "正品", "假货", "优惠",
	"活动", "赠品", "响应", "专业", "耐心", "等待", "投诉", "问题", "不错", "失望", "回复", "发票", "电话",
}

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and for was were are is be been but not with this that
	they them their you your our very too its it's had has have from just all any can could would
	will did does get got of to in on at as an or so if my me we he she him her his i a it no yes
	than then there here what when which who how also only really much more most some such`) {
		stopWords[w] = true
	}
}

var lexTrie = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range Lexicon {
		m[w] = true
	}
	return m
}()

const maxLex = 3 // longest lexicon word in runes

// Keywords returns the distinct keywords of a comment: lexicon words found in Han text (longest
// match first, left to right) and lower-cased Latin-script words of two or more letters that
// are not stop words.
func Keywords(comment string) []string { return appendKeywords(nil, comment) }

// appendKeywords is Keywords into out[:0], so that a loop over comments reuses one slice.
func appendKeywords(out []string, comment string) []string {
	out = out[:0]
	add := func(w string) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	// Walk the string by byte offsets so lexicon look-ups use substrings (no copies).
	for i := 0; i < len(comment); {
		r, size := utf8.DecodeRuneInString(comment[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			// Byte ends of the next 1..maxLex runes.
			var ends [maxLex]int
			n, j := 0, i
			for n < maxLex && j < len(comment) {
				_, sz := utf8.DecodeRuneInString(comment[j:])
				j += sz
				ends[n] = j
				n++
			}
			matched := 0
			for l := n; l >= 1; l-- {
				if lexTrie[comment[i:ends[l-1]]] {
					matched = ends[l-1]
					break
				}
			}
			if matched > 0 {
				add(comment[i:matched])
				i = matched
			} else {
				i += size
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i
			for j < len(comment) {
				r2, sz := utf8.DecodeRuneInString(comment[j:])
				if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '\'') || unicode.Is(unicode.Han, r2) {
					break
				}
				j += sz
			}
			w := strings.ToLower(comment[i:j])
			if utf8.RuneCountInString(w) >= 2 && !stopWords[w] && !isNumber(w) {
				add(w)
			}
			i = j
		default:
			i += size
		}
	}
	return out
}

func isNumber(w string) bool {
	_, err := strconv.ParseFloat(w, 64)
	return err == nil
}

// Tiers ranks the customers with spend by spend and returns each one's tier of the customer
// pyramid (package pyramid: spend in cents, ties by lower id, "vip" the top 1 %, "major" to the
// top 5 %, "ordinary" to the top 20 %, "small" the rest, sizes rounded up). Customers without
// spend (none, or only $0 purchases) are not in the map. Only purchases whose time keep
// (nil = all) accepts count.
func Tiers(d *kexi.Dataset, keep func(time.Time) bool) map[int64]string {
	var ids []int64
	var spend []float64
	t := &d.Orders
	var keepRow func(i int) bool
	if keep != nil {
		keepRow = func(i int) bool { return keep(t.Time(i)) }
	}
	t.Runs(func(cid int64, lo, hi int) {
		if cid != 0 {
			ids = append(ids, cid)
			spend = append(spend, purchases(t, lo, hi, keepRow))
		}
	})
	tiers := rankTiers(ids, spend)
	out := make(map[int64]string, len(ids))
	for i, id := range ids {
		if tiers[i] != noTier {
			out[id] = tierNames[tiers[i]]
		}
	}
	return out
}

// purchases returns the amount of the purchases among rows lo to hi of t that keep (nil = all)
// accepts.
func purchases(t *kexi.OrderTable, lo, hi int, keep func(i int) bool) float64 {
	var s float64
	for i := lo; i < hi; i++ {
		if t.IsPurchase(i) && (keep == nil || keep(i)) {
			s += t.Amount[i]
		}
	}
	return s
}

// Tier codes of rankTiers, and their names: a byte per customer rather than a string.
const (
	noTier uint8 = iota
	vip
	major
	ordinary
	small
)

var tierNames = [...]string{noTier: "", vip: "vip", major: "major", ordinary: "ordinary", small: "small"}

// rankTiers returns the tier code of each entry (ids ascending): the tiers of the customer
// pyramid (pyramid.Place: spend compared in cents, ties by id, tier sizes rounded up) among
// the entries with a cent or more of spend; noTier for the others.
func rankTiers(ids []int64, spend []float64) []uint8 {
	pos := make([]int32, 0, len(spend))
	for i, s := range spend {
		if analysis.Cents(s) > 0 {
			pos = append(pos, int32(i))
		}
	}
	placed := pyramid.Place(len(pos), func(k int) (float64, int64) { return spend[pos[k]], ids[pos[k]] })
	code := map[string]uint8{pyramid.VIP: vip, pyramid.Major: major, pyramid.Ordinary: ordinary, pyramid.Small: small}
	out := make([]uint8, len(ids))
	for k, i := range pos {
		out[i] = code[placed[k]]
	}
	return out
}

// Churned reports whether the customer counts as churned after an answer at `at`, and whether
// that can be decided yet. orders are the customer's orders in time order (for instance
// d.Orders.Slice of the rows d.Orders.CustomerOrders gives). A flagged customer
// is churned; a customer without orders and without the flag is not; otherwise the customer is
// churned when no purchase falls in (at, at+days], which is decided only when at+days ≤ asOf
// or a purchase has already come.
func Churned(c *kexi.Customer, orders *kexi.OrderTable, at, asOf time.Time, days int) (churned, decided bool) {
	if c != nil && c.Churned {
		return true, true
	}
	if orders.Len() == 0 {
		return false, true
	}
	end := at.AddDate(0, 0, days)
	// Order times are whole milliseconds: t.After(x) ⇔ At > x.UnixMilli().
	from, to := at.UnixMilli(), min(end.UnixMilli(), asOf.UnixMilli())
	for i, t := range orders.At {
		if t > from && t <= to && orders.IsPurchase(i) {
			return false, true
		}
	}
	if end.After(asOf) {
		return false, false
	}
	return true, true
}

// satisfactionAnalysis is A12 for the registry.
type satisfactionAnalysis struct{}

// New returns the satisfaction analysis.
func New() analysis.Analysis { return satisfactionAnalysis{} }

// Info describes the analysis.
func (satisfactionAnalysis) Info() analysis.Info {
	return analysis.Info{
		Name:    "satisfaction",
		Code:    "A12",
		Title:   analysis.Text{En: "Satisfaction", Zh: "满意度分析"},
		Summary: analysis.Text{En: "How satisfied is each group of customers, what do they complain about, and do unhappy customers leave?", Zh: "各类客户满意度如何、抱怨什么、不满意的客户是否流失？"},
		Options: []analysis.Option{
			{Key: "group_by", Default: "", Type: "string",
				Help: analysis.Text{En: "An extra customer field to compare by: gender, city, owner, occupation, education, income_band or custom.NAME", Zh: "额外的分组字段：gender、city、owner、occupation、education、income_band 或 custom.字段名"}},
			{Key: "churn_days", Default: "180", Type: "int",
				Help: analysis.Text{En: "A customer with no purchase this many days after their answer counts as churned", Zh: "答卷后这么多天内没有购买即视为流失"}},
			{Key: "top", Default: "30", Type: "int", Help: analysis.Text{En: "How many keywords and complaint subjects to list", Zh: "列出的关键词和投诉主题个数"}},
		},
		Labels: labels(),
		Needs:  []string{"surveys", "customers"},
		Reads:  []string{"surveys", "customers", "orders", "interactions"},
	}
}

func labels() map[string]analysis.Text {
	return analysis.WithFields(map[string]analysis.Text{
		"responses": {En: "Responses", Zh: "答卷数"}, "nps": {En: "NPS", Zh: "净推荐值"}, "csat": {En: "CSAT (share 4–5)", Zh: "满意率（4–5分）"},
		"ces": {En: "CES (mean effort)", Zh: "客户费力度"}, "promoters": {En: "Promoters", Zh: "推荐者"}, "passives": {En: "Passives", Zh: "中立者"},
		"detractors": {En: "Detractors", Zh: "贬损者"}, "invalid_scores": {En: "Scores out of range", Zh: "超出范围的分数"},
		"complaints": {En: "Complaints", Zh: "投诉数"}, "nps_responses": {En: "NPS answers", Zh: "NPS 答卷"}, "csat_responses": {En: "CSAT answers", Zh: "CSAT 答卷"},
		"ces_responses": {En: "CES answers", Zh: "CES 答卷"}, "churn_promoters": {En: "Churn rate, promoters", Zh: "推荐者流失率"},
		"churn_detractors": {En: "Churn rate, detractors", Zh: "贬损者流失率"},
		"segments":         {En: "Satisfaction by segment", Zh: "分群满意度"}, "dimension": {En: "Dimension", Zh: "维度"}, "segment": {En: "Segment", Zh: "分群"},
		"kind": {En: "Customer kind", Zh: "客户类型"}, "channel": {En: "Channel", Zh: "渠道"},
		"true": {En: "Yes", Zh: "是"}, "false": {En: "No", Zh: "否"},
		"tier": {En: "Tier (by spend)", Zh: "层级（按消费）"}, "survey_channels": {En: "By survey channel", Zh: "按调查渠道"},
		"months": {En: "By month", Zh: "按月"}, "month": {En: "Month", Zh: "月份"}, "subject": {En: "Subject", Zh: "主题"}, "count": {En: "Count", Zh: "次数"},
		"share": {En: "Share", Zh: "占比"}, "complaint_channels": {En: "Complaints by channel", Zh: "投诉渠道"},
		"keywords": {En: "Comment keywords", Zh: "评论关键词"}, "keyword": {En: "Keyword", Zh: "关键词"}, "comments": {En: "Comments", Zh: "评论数"},
		"negative_share": {En: "Share of unhappy comments", Zh: "负面评价占比"}, "churn": {En: "Satisfaction vs churn", Zh: "满意度与流失"},
		"group": {En: "Group", Zh: "分组"}, "survey_kind": {En: "Survey", Zh: "调查类型"}, "customers": {En: "Customers", Zh: "客户数"}, "churned": {En: "Churned", Zh: "已流失"},
		"churn_rate": {En: "Churn rate", Zh: "流失率"}, "customer": {En: "Customer", Zh: "客户"}, "last_nps": {En: "Latest NPS", Zh: "最近 NPS"},
		"last_csat": {En: "Latest CSAT", Zh: "最近 CSAT"}, "last_ces": {En: "Latest CES", Zh: "最近 CES"},
		"nps_distribution": {En: "NPS answers 0–10", Zh: "NPS 分布 0–10"}, "csat_distribution": {En: "CSAT answers 1–5", Zh: "CSAT 分布 1–5"},
		"trend": {En: "Satisfaction by month", Zh: "满意度月度趋势"}, "nps_by_segment": {En: "NPS by province", Zh: "各省 NPS"},
		"churn_by_group": {En: "Churn rate by satisfaction group", Zh: "各满意度组流失率"}, "per_customer": {En: "Customers' latest answers", Zh: "客户最近答卷"},
		"promoter": {En: "Promoter", Zh: "推荐者"}, "passive": {En: "Passive", Zh: "中立者"}, "detractor": {En: "Detractor", Zh: "贬损者"},
		"satisfied": {En: "Satisfied (4–5)", Zh: "满意（4–5）"}, "neutral": {En: "Neutral (3)", Zh: "一般（3）"}, "dissatisfied": {En: "Dissatisfied (1–2)", Zh: "不满意（1–2）"},
		"vip": {En: "VIP", Zh: "VIP 客户"}, "major": {En: "Major", Zh: "主要客户"}, "ordinary": {En: "Ordinary", Zh: "普通客户"}, "small": {En: "Small", Zh: "小客户"},
		"no_purchase": {En: "No purchase", Zh: "未购买"}, "(none)": {En: "(none)", Zh: "（无）"},
		string(kexi.Individual): {En: "Individual", Zh: "个人"}, string(kexi.Enterprise): {En: "Enterprise", Zh: "企业"}, string(kexi.Government): {En: "Government", Zh: "政府"},
		"questionnaire": {En: "Questionnaire", Zh: "问卷"}, "phone": {En: "Phone interview", Zh: "电话访谈"}, "online_review": {En: "Online review", Zh: "在线评价"},
	}, "gender", "income_band", "occupation", "education", "country", "province", "city", "owner")
}

// latest is a customer's latest answer of each kind, as its index in d.Surveys + 1 (0 = none):
// 12 bytes per customer rather than the answers' times and scores.
type latest [3]int32

func (l *latest) any() bool { return l[0] != 0 || l[1] != 0 || l[2] != 0 }

var kinds = []string{kexi.NPS, kexi.CSAT, kexi.CES}

// options are the parsed options.
type options struct {
	groupBy        string
	churnDays, top int
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	op := options{groupBy: strings.TrimSpace(o.String("group_by")), churnDays: o.Int("churn_days"), top: o.Int("top")}
	if err := o.Err(); err != nil {
		return op, err
	}
	if op.groupBy != "" {
		if _, ok := (&kexi.Customer{}).Field(op.groupBy); !ok {
			return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "group_by",
				Value: op.groupBy, Reason: "expected gender, city, owner, occupation, education, income_band, country, kind, province, channel or custom.NAME"}}}
		}
	}
	if op.churnDays <= 0 || op.top <= 0 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "churn_days/top",
			Reason: "expected a positive whole number"}}}
	}
	return op, nil
}

// Run computes satisfaction from the survey answers in the period.
func (a satisfactionAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	op, err := parse(info, in)
	if err != nil {
		return nil, err
	}
	d := in.Data
	if in.AsOf.IsZero() { // no orders: the latest answer
		for i := range d.Surveys {
			if d.Surveys[i].At.After(in.AsOf) {
				in.AsOf = d.Surveys[i].At
			}
		}
	}
	dims := []string{"kind", "province", "channel", "tier"}
	if op.groupBy != "" && !slices.Contains(dims, op.groupBy) {
		dims = append(dims, op.groupBy)
	}
	sc := scan(d, in, dims)
	cs := complaintsIn(d, in)
	per, churn := perCustomer(d, sc.last, in.AsOf, op.churnDays)
	return result(info.Name, in.AsOf, op.top, sc, cs, per, churn), ctx.Err()
}

// keyword counts the comments that name a keyword, and the unhappy ones among them.
type keyword struct{ comments, negative int }

// scores is every valid answer in the period counted overall and by dimension, survey
// channel, month and comment keyword, and each customer's latest answers.
type scores struct {
	total     Score
	dims      []string
	seg       []map[string]*Score // by dims[j], then the customer's value
	byChannel map[string]*Score
	byMonth   map[int]*Score // year×12 + month-1
	keywords  map[string]*keyword
	// last holds each known customer's latest answer of each kind, by position in d.Customers
	// (answers of ids missing from the customer list count in the scores but not in
	// satisfaction vs churn).
	last []latest
}

// get returns m's Score for k ("" is "(none)"), adding it.
func get(m map[string]*Score, k string) *Score {
	if k == "" {
		k = "(none)"
	}
	s := m[k]
	if s == nil {
		s = &Score{}
		m[k] = s
	}
	return s
}

// spendTiers returns each customer's tier code by spend up to asOf, per position in
// d.Customers, and a look-up of a customer's position (-1: none) that searches a compact copy
// of the ids: the Customer structs are large and a search over them misses the cache.
func spendTiers(d *kexi.Dataset, asOf time.Time) ([]uint8, func(int64) int) {
	ids := make([]int64, len(d.Customers))
	for i := range d.Customers {
		ids[i] = d.Customers[i].ID
	}
	// Both d.Customers and d.Orders are sorted by customer id, so one merge pass finds each
	// customer's orders.
	spend := make([]float64, len(d.Customers))
	ci := 0
	t, until := &d.Orders, asOf.UnixMilli() // order times are whole milliseconds
	keep := func(i int) bool { return t.At[i] <= until }
	t.Runs(func(cid int64, lo, hi int) {
		for ci < len(ids) && ids[ci] < cid {
			ci++
		}
		if ci < len(ids) && ids[ci] == cid {
			spend[ci] = purchases(t, lo, hi, keep)
		}
	})
	return rankTiers(ids, spend), analysis.Positions(ids)
}

// scan counts the answers in the input's period; the dimensions dims are customer fields and
// "tier" (the pyramid tier by spend up to in.AsOf).
func scan(d *kexi.Dataset, in analysis.Input, dims []string) *scores {
	tiers, cidx := spendTiers(d, in.AsOf)
	loc := in.Location()
	sc := &scores{dims: dims, seg: make([]map[string]*Score, len(dims)), byChannel: map[string]*Score{},
		byMonth: map[int]*Score{}, keywords: map[string]*keyword{}, last: make([]latest, len(d.Customers))}
	for i := range sc.seg {
		sc.seg[i] = map[string]*Score{}
	}
	inPeriod := in.Until(time.Time{})
	var words []string
	for i := range d.Surveys {
		s := &d.Surveys[i]
		if !inPeriod(s.At) {
			continue
		}
		sc.total.Add(s.Kind, s.Score)
		if !kexi.ValidScore(s.Kind, s.Score) {
			continue
		}
		get(sc.byChannel, s.Channel).Add(s.Kind, s.Score)
		at := s.At.In(loc) // months are cut in the business's time zone
		mk := at.Year()*12 + int(at.Month()) - 1
		if sc.byMonth[mk] == nil {
			sc.byMonth[mk] = &Score{}
		}
		sc.byMonth[mk].Add(s.Kind, s.Score)
		var c *kexi.Customer
		ci := -1
		if s.CustomerID != 0 {
			if ci = cidx(s.CustomerID); ci >= 0 {
				c = &d.Customers[ci]
			}
		}
		for j, dim := range dims {
			var v string
			if dim == "tier" {
				v = "no_purchase"
				if ci >= 0 && tiers[ci] != noTier {
					v = tierNames[tiers[ci]]
				}
			} else if c != nil {
				v, _ = c.Field(dim)
			}
			get(sc.seg[j], v).Add(s.Kind, s.Score)
		}
		if s.Comment != "" {
			words = sc.comment(words, s)
		}
		if ci >= 0 {
			l := &sc.last[ci]
			k := slices.Index(kinds, s.Kind)
			if l[k] == 0 || !s.At.Before(d.Surveys[l[k]-1].At) {
				l[k] = int32(i) + 1
			}
		}
	}
	return sc
}

// comment counts the keywords of an answer's comment, in words (reused) and returned.
func (sc *scores) comment(words []string, s *kexi.SurveyResponse) []string {
	neg := Negative(s.Kind, s.Score)
	words = appendKeywords(words, s.Comment)
	for _, w := range words {
		k := sc.keywords[w]
		if k == nil {
			k = &keyword{}
			sc.keywords[w] = k
		}
		k.comments++
		if neg {
			k.negative++
		}
	}
	return words
}

// complaints is the complaints in the period by subject and channel.
type complaints struct {
	n                  int
	subjects, channels map[string]int
}

// complaintsIn counts the complaints in the input's period.
func complaintsIn(d *kexi.Dataset, in analysis.Input) complaints {
	c := complaints{subjects: map[string]int{}, channels: map[string]int{}}
	for i := range d.Interactions {
		x := &d.Interactions[i]
		if x.Kind != kexi.Complaint || !in.InPeriod(x.At) {
			continue
		}
		c.n++
		subj := x.Subject
		if subj == "" {
			subj = "(none)"
		}
		c.subjects[subj]++
		ch := x.Channel
		if ch == "" {
			ch = "(none)"
		}
		c.channels[ch]++
	}
	return c
}

// churnGroup is the customers whose latest answer of a kind falls in a group, and the churned
// among them.
type churnGroup struct{ customers, churned int }

// answers returns a customer's latest answer of each kind: whether there is one, its time and
// score.
func answers(surveys []kexi.SurveyResponse, l latest) (has [3]bool, at [3]time.Time, score [3]float64) {
	for k, i := range l {
		if i != 0 {
			has[k], at[k], score[k] = true, surveys[i-1].At, surveys[i-1].Score
		}
	}
	return has, at, score
}

// perCustomer lists each customer with an answer: their latest scores, their group (by the
// latest NPS, else CSAT answer) and whether they churned after their latest answer; and counts
// satisfaction against churn by each customer's latest NPS and CSAT group (Churned decides,
// within churnDays of the answer).
func perCustomer(d *kexi.Dataset, last []latest, asOf time.Time, churnDays int) (analysis.Table, map[[2]string]*churnGroup) {
	churn := map[[2]string]*churnGroup{}
	per := analysis.Table{Key: "per_customer", PerCustomer: true, Columns: []analysis.Column{{Key: "customer", Type: "int"},
		{Key: "last_nps", Type: "float"}, {Key: "last_csat", Type: "float"}, {Key: "last_ces", Type: "float"},
		{Key: "group", Type: "label"}, {Key: "churned", Type: "label"}}}
	answered := 0
	for ci := range last {
		if last[ci].any() {
			answered++
		}
	}
	per.Rows = analysis.Rows(answered, len(per.Columns))
	nan, none := any(math.NaN()), any("") // boxed once for every row
	// Groups and "true"/"false" take few values: each boxed once, not once per row.
	groupCell := map[string]any{}
	boolCell := [2]any{strconv.FormatBool(false), strconv.FormatBool(true)}
	op := 0 // walks d.Orders, which is sorted by customer id like d.Customers
	r := 0
	for ci := range last {
		if !last[ci].any() {
			continue
		}
		has, at, score := answers(d.Surveys, last[ci])
		c := &d.Customers[ci]
		id := c.ID
		oc := d.Orders.CustomerID
		for op < len(oc) && oc[op] < id {
			op++
		}
		oe := op
		for oe < len(oc) && oc[oe] == id {
			oe++
		}
		orders := d.Orders.Slice(op, oe)
		row := per.Rows[r]
		r++
		row[0], row[1], row[2], row[3], row[4], row[5] = id, nan, nan, nan, none, none
		var latestAt time.Time
		for k := range kinds {
			if has[k] {
				row[1+k] = scoreCell(score[k])
				if at[k].After(latestAt) {
					latestAt = at[k]
				}
			}
		}
		for k, kind := range kinds[:2] {
			if !has[k] {
				continue
			}
			g := NPSGroup(score[k])
			if kind == kexi.CSAT {
				g = CSATGroup(score[k])
			}
			if row[4] == "" {
				if groupCell[g] == nil {
					groupCell[g] = g
				}
				row[4] = groupCell[g]
			}
			ch, ok := Churned(c, &orders, at[k], asOf, churnDays)
			if !ok {
				continue
			}
			e := churn[[2]string{kind, g}]
			if e == nil {
				e = &churnGroup{}
				churn[[2]string{kind, g}] = e
			}
			e.customers++
			if ch {
				e.churned++
			}
		}
		if ch, ok := Churned(c, &orders, latestAt, asOf, churnDays); ok {
			row[5] = boolCell[b2i(ch)]
		}
	}
	return per, churn
}

// share is n/of, NaN when of is 0.
func share(n, of int) float64 {
	if of == 0 {
		return math.NaN()
	}
	return float64(n) / float64(of)
}

// churnRate is the churn rate of a satisfaction group, NaN when it has no customers.
func churnRate(churn map[[2]string]*churnGroup, kind, g string) float64 {
	if e := churn[[2]string{kind, g}]; e != nil && e.customers > 0 {
		return float64(e.churned) / float64(e.customers)
	}
	return math.NaN()
}

// result turns the counts into the Result.
func result(name string, asOf time.Time, top int, sc *scores, cs complaints, per analysis.Table, churn map[[2]string]*churnGroup) *analysis.Result {
	res := &analysis.Result{Name: name, AsOf: asOf}
	total := &sc.total
	nn := total.NPSCount()
	res.Summary = []analysis.Figure{
		{Key: "responses", Value: float64(total.Responses())},
		{Key: "nps", Value: total.NPSValue(), Unit: "points"},
		{Key: "promoters", Value: share(total.Promoters, nn), Unit: "%"},
		{Key: "passives", Value: share(total.Passives, nn), Unit: "%"},
		{Key: "detractors", Value: share(total.Detractors, nn), Unit: "%"},
		{Key: "csat", Value: total.CSATValue(), Unit: "%"},
		{Key: "ces", Value: total.CESValue()},
		{Key: "nps_responses", Value: float64(nn)},
		{Key: "csat_responses", Value: float64(total.CSATCount())},
		{Key: "ces_responses", Value: float64(total.CESCount)},
		{Key: "complaints", Value: float64(cs.n)},
		{Key: "churn_promoters", Value: churnRate(churn, kexi.NPS, "promoter"), Unit: "%"},
		{Key: "churn_detractors", Value: churnRate(churn, kexi.NPS, "detractor"), Unit: "%"},
		{Key: "invalid_scores", Value: float64(total.Invalid)},
	}
	segT, npsProv := sc.segments()
	chT := analysis.Table{Key: "survey_channels", Columns: append([]analysis.Column{{Key: "channel", Type: "string"}}, scoreCols...)}
	for _, k := range sortedKeys(sc.byChannel) {
		chT.Rows = append(chT.Rows, append([]any{k}, scoreRow(sc.byChannel[k])...))
	}
	moT, trend := sc.months()
	kwT, kwS := sc.keywordTable(top)
	chT2, churnS := churnTable(churn)
	npsD, csD := total.distributions()
	res.Tables = []analysis.Table{segT, chT, moT, countTable("complaints", "subject", cs.subjects, cs.n, top),
		countTable("complaint_channels", "channel", cs.channels, cs.n, top), kwT, chT2, per}
	res.Series = []analysis.Series{npsD, csD, trend, npsProv, kwS, churnS}
	return res
}

// scoreCols are the columns of scoreRow.
var scoreCols = []analysis.Column{{Key: "responses", Type: "int"}, {Key: "nps", Type: "float"},
	{Key: "promoters", Type: "int"}, {Key: "detractors", Type: "int"}, {Key: "csat", Type: "percent"}, {Key: "ces", Type: "float"}}

// scoreRow is a Score's cells under scoreCols.
func scoreRow(s *Score) []any {
	return []any{s.Responses(), s.NPSValue(), s.Promoters, s.Detractors, s.CSATValue(), s.CESValue()}
}

// segments is the scores by every dimension and value, and NPS by province.
func (sc *scores) segments() (analysis.Table, analysis.Series) {
	segT := analysis.Table{Key: "segments", Columns: append([]analysis.Column{{Key: "dimension", Type: "label"}, {Key: "segment", Type: "terms"}}, scoreCols...)}
	npsProv := analysis.Series{Key: "nps_by_segment", Kind: "bar"}
	var provNPS []float64
	for j, dim := range sc.dims {
		for _, k := range sortedKeys(sc.seg[j]) {
			segT.Rows = append(segT.Rows, append([]any{dim, k}, scoreRow(sc.seg[j][k])...))
			if dim == "province" {
				npsProv.X = append(npsProv.X, k)
				provNPS = append(provNPS, sc.seg[j][k].NPSValue())
			}
		}
	}
	npsProv.Y = []analysis.Values{{Key: "nps", Data: provNPS}}
	return segT, npsProv
}

// months is the scores by month and the NPS and CSAT trend.
func (sc *scores) months() (analysis.Table, analysis.Series) {
	moT := analysis.Table{Key: "months", Columns: append([]analysis.Column{{Key: "month", Type: "string"}}, scoreCols...)}
	trend := analysis.Series{Key: "trend", Kind: "line"}
	var tn, tc []float64
	for _, mk := range slices.Sorted(maps.Keys(sc.byMonth)) {
		k := fmt.Sprintf("%04d-%02d", mk/12, mk%12+1)
		moT.Rows = append(moT.Rows, append([]any{k}, scoreRow(sc.byMonth[mk])...))
		trend.X = append(trend.X, k)
		tn = append(tn, sc.byMonth[mk].NPSValue())
		tc = append(tc, sc.byMonth[mk].CSATValue())
	}
	// NPS is in points (−100…100), CSAT a share: two units, so two axes.
	trend.Y = []analysis.Values{{Key: "nps", Data: tn}, {Key: "csat", Data: tc, Unit: "percent"}}
	return moT, trend
}

// countTable lists the first limit keys of m by count with their share of total.
func countTable(key, col string, m map[string]int, total, limit int) analysis.Table {
	tb := analysis.Table{Key: key, Columns: []analysis.Column{{Key: col, Type: "terms"}, {Key: "count", Type: "int"}, {Key: "share", Type: "percent"}}}
	for i, k := range byCount(m) {
		if i == limit {
			break
		}
		tb.Rows = append(tb.Rows, []any{k, m[k], share(m[k], total)})
	}
	return tb
}

// keywordTable is the top keywords of the comments.
func (sc *scores) keywordTable(top int) (analysis.Table, analysis.Series) {
	kwT := analysis.Table{Key: "keywords", Columns: []analysis.Column{{Key: "keyword", Type: "string"}, {Key: "comments", Type: "int"}, {Key: "negative_share", Type: "percent"}}}
	kwCount := map[string]int{}
	for k, v := range sc.keywords {
		kwCount[k] = v.comments
	}
	kwS := analysis.Series{Key: "keywords", Kind: "bar"}
	var kwv []float64
	for i, k := range byCount(kwCount) {
		if i == top {
			break
		}
		kw := sc.keywords[k]
		kwT.Rows = append(kwT.Rows, []any{k, kw.comments, share(kw.negative, kw.comments)})
		kwS.X = append(kwS.X, k)
		kwv = append(kwv, float64(kw.comments))
	}
	kwS.Y = []analysis.Values{{Key: "comments", Data: kwv}}
	return kwT, kwS
}

// churnTable is satisfaction against churn, by group.
func churnTable(churn map[[2]string]*churnGroup) (analysis.Table, analysis.Series) {
	chT := analysis.Table{Key: "churn", Columns: []analysis.Column{{Key: "survey_kind", Type: "label"}, {Key: "group", Type: "label"},
		{Key: "customers", Type: "int"}, {Key: "churned", Type: "int"}, {Key: "churn_rate", Type: "percent"}}}
	churnS := analysis.Series{Key: "churn_by_group", Kind: "bar"}
	var cr []float64
	for _, kg := range [][2]string{{kexi.NPS, "promoter"}, {kexi.NPS, "passive"}, {kexi.NPS, "detractor"},
		{kexi.CSAT, "satisfied"}, {kexi.CSAT, "neutral"}, {kexi.CSAT, "dissatisfied"}} {
		e := churn[kg]
		if e == nil {
			continue
		}
		chT.Rows = append(chT.Rows, []any{kg[0], kg[1], e.customers, e.churned, churnRate(churn, kg[0], kg[1])})
		churnS.X = append(churnS.X, kg[1])
		cr = append(cr, churnRate(churn, kg[0], kg[1]))
	}
	churnS.Y = []analysis.Values{{Key: "churn_rate", Data: cr}}
	return chT, churnS
}

// distributions are the NPS answers 0–10 and the CSAT answers 1–5.
func (s *Score) distributions() (analysis.Series, analysis.Series) {
	npsD := analysis.Series{Key: "nps_distribution", Kind: "bar"}
	var nv []float64
	for i, c := range s.NPS {
		npsD.X = append(npsD.X, strconv.Itoa(i))
		nv = append(nv, float64(c))
	}
	npsD.Y = []analysis.Values{{Key: "responses", Data: nv}}
	csD := analysis.Series{Key: "csat_distribution", Kind: "bar"}
	var cv []float64
	for i, c := range s.CSAT {
		csD.X = append(csD.X, strconv.Itoa(i+1))
		cv = append(cv, float64(c))
	}
	csD.Y = []analysis.Values{{Key: "responses", Data: cv}}
	return npsD, csD
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// byCount returns the keys by count, highest first (ties by key).
func byCount(m map[string]int) []string {
	out := sortedKeys(m)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(m[b], m[a]) })
	return out
}

// wholeScores are the scores 0–10, boxed once for table cells.
var wholeScores = func() (b [11]any) {
	for i := range b {
		b[i] = float64(i)
	}
	return b
}()

// scoreCell boxes a score for a table cell: the whole scores 0–10, nearly every answer, cost
// no allocation.
func scoreCell(f float64) any {
	if i := int(f); float64(i) == f && i >= 0 && i <= 10 && !math.Signbit(f) {
		return wholeScores[i]
	}
	return f
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
