// Package quality is analysis A18, data quality (数据质量): how complete the customer and order
// records are, which values are invalid, which customers are probably the same person twice,
// which records have gone stale, and a 0–100 score per customer and overall.
//
// Checks. Phones are valid as a Chinese mobile number (1[3-9] and 9 more digits, optionally
// after +86 or 86) or an E.164 number (+ then 8–15 digits), after removing spaces, dashes, dots
// and brackets. Emails need one @, a non-empty local part and a dotted domain, no spaces. Dates
// after the as-of date are future dates. Amounts, costs, shipping, discounts, returns and unit
// prices below 0 are negative amounts. Ages outside 0–120 (given or from the birth date) are out
// of range; so are survey scores outside NPS 0–10, CSAT 1–5, CES 1–7.
//
// Duplicates. Customers sharing a normalised phone (digits, without the 86 prefix) or a
// lower-cased email are duplicates of the lowest id among them. Names are compared within each
// city (customers without a city form one block) by the sorted-neighbourhood method: the block
// is sorted by normalised name and each name is compared with the next `window` names; a
// similarity (1 − Levenshtein distance / longer length, over runes) at or above the threshold
// marks a likely duplicate — unless the two names carry different digits (分店1 and 分店2 are
// numbered records, not one customer twice). This keeps the work linear in the number of customers.
//
// Score. A customer starts at 100 and loses, once per kind of problem, 5 per missing field (of name, phone, email, gender,
// age/birth date, province, city, channel, owner), 15 per invalid value, 20 when a likely
// duplicate and 10 when stale, never below 0. An order loses 10 without a customer, 5 without a
// channel and 25 per invalid value. The overall score is the mean of the customers' mean score
// and the orders' mean score (either alone when the other is empty).
package quality

import (
	"cmp"
	"context"
	"hash/maphash"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/stats"
)

// CleanPhone removes spaces, dashes, dots and brackets from a phone number.
func CleanPhone(p string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(p))
}

// ValidPhone reports whether a phone number is a Chinese mobile number or in E.164 form: after
// CleanPhone it matches ^(\+?86)?1[3-9]\d{9}$ or ^\+[1-9]\d{7,14}$. The patterns are checked by
// hand, byte by byte: a regular expression costs more than the rest of the customer checks.
func ValidPhone(p string) bool {
	c := CleanPhone(p)
	return mobile(c) || e164(c)
}

// mobile reports whether s matches ^(\+?86)?1[3-9]\d{9}$.
func mobile(s string) bool {
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "86") && len(s) == 13:
		s = s[2:]
	}
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && allDigits(s[2:])
}

// e164 reports whether s matches ^\+[1-9]\d{7,14}$.
func e164(s string) bool {
	return len(s) >= 9 && len(s) <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' && allDigits(s[2:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidEmail reports whether an email address is plausibly well-formed: trimmed, it matches
// ^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$ (\s being ASCII white space), checked by hand.
func ValidEmail(e string) bool {
	e = strings.TrimSpace(e)
	at := strings.IndexByte(e, '@')
	if at <= 0 {
		return false
	}
	local, domain := e[:at], e[at+1:]
	for i := 0; i < len(local); i++ {
		if space(local[i]) {
			return false
		}
	}
	// The domain: at least two non-empty labels split by dots, without @ or white space.
	labels, n := 0, 0
	for i := 0; i < len(domain); i++ {
		switch b := domain[i]; {
		case b == '@' || space(b):
			return false
		case b == '.':
			if n == 0 {
				return false
			}
			labels, n = labels+1, 0
		default:
			n++
		}
	}
	return n > 0 && labels >= 1
}

// space reports whether b is white space as \s means in a regular expression: [\t\n\f\r ].
func space(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// PhoneKey returns the phone's digits without a leading 86 country code (for 13-digit Chinese
// numbers), or "" when fewer than 7 digits remain.
func PhoneKey(p string) string { return string(appendPhoneKey(nil, p)) }

// appendPhoneKey appends PhoneKey(p) to dst, so that keys can be hashed from one reused
// buffer instead of a string each. The digits are bytes: in UTF-8 no byte of another rune
// is an ASCII digit.
func appendPhoneKey(dst []byte, p string) []byte {
	start := len(dst)
	for i := 0; i < len(p); i++ {
		if p[i] >= '0' && p[i] <= '9' {
			dst = append(dst, p[i])
		}
	}
	if k := dst[start:]; len(k) == 13 && k[0] == '8' && k[1] == '6' {
		dst = append(dst[:start], k[2:]...)
	}
	if len(dst)-start < 7 {
		return dst[:start]
	}
	return dst
}

// NameKey normalises a name for comparison: lower case, letters and digits only.
func NameKey(n string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, n)
}

// Similarity returns 1 − Levenshtein distance / length of the longer string, over runes (1 for
// two empty strings).
func Similarity(a, b string) float64 {
	return similarity([]rune(a), []rune(b), nil)
}

// similarity is Similarity over runes, with a reusable buffer of at least 2×(len(rb)+1) ints.
func similarity(ra, rb []rune, buf []int) float64 {
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(buf) < 2*(len(rb)+1) {
		buf = make([]int, 2*(len(rb)+1))
	}
	prev, cur := buf[:len(rb)+1], buf[len(rb)+1:2*(len(rb)+1)]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
}

// Age returns a customer's age at asOf: Age when set, else from BirthDate, else -1 (unknown).
func Age(c *kexi.Customer, asOf time.Time) int {
	if a, ok := c.AgeAt(asOf); ok {
		return a
	}
	return -1
}

// Customer fields checked for completeness.
var customerFields = [...]string{"name", "phone", "email", "gender", "age", "province", "city", "channel", "owner"}

// missingKinds holds the problem kind of each missing field, "missing_" + the field.
var missingKinds = func() []string {
	k := make([]string, len(customerFields))
	for i, f := range customerFields {
		k[i] = "missing_" + f
	}
	return k
}()

// filled reports, for each of customerFields in order, whether the customer has it: one call
// per customer rather than a switch on the field's name per field. The array's length is
// customerFields', so that a field added there without a test here does not compile.
func filled(c *kexi.Customer) [len(customerFields)]bool {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	return [...]bool{!blank(c.Name), !blank(c.Phone), !blank(c.Email), !blank(c.Gender),
		c.Age != 0 || !c.BirthDate.IsZero(), !blank(c.Province), !blank(c.City), !blank(c.Channel), !blank(c.Owner)}
}

// Duplicate is a likely duplicate: customer ID is probably the same as Of.
type Duplicate struct {
	ID, Of     int64
	Reason     string // "duplicate_phone", "duplicate_email" or "duplicate_name"
	Similarity float64
}

// Duplicates finds likely duplicate customers (see the package comment), at most one per
// customer and reason, sorted by ID then reason.
func Duplicates(cs []kexi.Customer, threshold float64, window int) []Duplicate {
	g := grouper{seed: maphash.MakeSeed()}
	out := g.exact(nil, cs, "duplicate_phone", func(dst []byte, c *kexi.Customer) []byte { return appendPhoneKey(dst, c.Phone) })
	out = g.exact(out, cs, "duplicate_email", func(dst []byte, c *kexi.Customer) []byte {
		return append(dst, strings.ToLower(strings.TrimSpace(c.Email))...)
	})
	names, order := sortNames(cs)
	for _, d := range similarNames(names, order, threshold, window) {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Duplicate) int {
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	return out
}

// keyed is a customer's exact key.
type keyed struct {
	key string
	id  int64
}

// grouper groups customers by an exact key, with buffers reused from one key to the next.
// Exact keys are grouped by a radix sort of their hashes rather than through a map or a
// comparison sort of the strings; the strings are compared only within a run of equal hashes,
// so the grouping is exact. Each key is built in one reused buffer and hashed there: only the
// keys in a run of equal hashes (the duplicates, and any collision) are built again as
// strings.
type grouper struct {
	seed maphash.Seed
	at   []int32 // the customers with a key
	hs   []uint64
	buf  []byte
	run  []keyed
}

// exact appends to out a Duplicate for reason of every customer whose key (empty: none) is
// another's with a lower id, as the duplicate of the lowest.
func (g *grouper) exact(out []Duplicate, cs []kexi.Customer, reason string, key func([]byte, *kexi.Customer) []byte) []Duplicate {
	if g.at == nil {
		g.at, g.hs = make([]int32, 0, len(cs)), make([]uint64, 0, len(cs))
	}
	g.at, g.hs = g.at[:0], g.hs[:0]
	for i := range cs {
		if g.buf = key(g.buf[:0], &cs[i]); len(g.buf) > 0 {
			g.at = append(g.at, int32(i))
			g.hs = append(g.hs, maphash.Bytes(g.seed, g.buf))
		}
	}
	hs := g.hs
	order := stats.RadixOrder(hs)
	for a := 0; a < len(order); {
		b := a + 1
		for b < len(order) && hs[order[b]] == hs[order[a]] {
			b++
		}
		if b-a > 1 {
			g.run = g.run[:0]
			for _, k := range order[a:b] {
				c := &cs[g.at[k]]
				g.run = append(g.run, keyed{string(key(nil, c)), c.ID})
			}
			out = appendRun(out, g.run, reason)
		}
		a = b
	}
	return out
}

// appendRun sorts customers whose key hashes alike by key and id and appends each one that
// shares its key with a lower id as a duplicate of the lowest.
func appendRun(out []Duplicate, run []keyed, reason string) []Duplicate {
	slices.SortFunc(run, func(x, y keyed) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	for i := 0; i < len(run); {
		j := i + 1
		for j < len(run) && run[j].key == run[i].key {
			out = append(out, Duplicate{run[j].id, run[i].id, reason, 1})
			j++
		}
		i = j
	}
	return out
}

// named is a customer's normalised name for the name comparison.
type named struct {
	city   int32  // rank of the city among the distinct cities
	runes  int32  // rune count of name
	digits uint64 // digitCode(name): the window compares it, not the names' bytes
	name   string
	id     int64
}

// sortNames returns the customers with a name and their order by (city, name, id): a radix
// sort of one key per name, the city's rank among the distinct cities in the top bits and
// below it the first bytes of the name after the prefix all names share (names hold letters
// and digits, never a zero byte, so zero padding keeps the byte order). Only names whose keys
// tie are compared as strings.
func sortNames(cs []kexi.Customer) ([]named, []int32) {
	cities := map[string]int32{}
	var cityNames []string
	all := make([]named, 0, len(cs))
	for i := range cs {
		if n := NameKey(cs[i].Name); n != "" {
			c := strings.TrimSpace(cs[i].City)
			k, ok := cities[c]
			if !ok {
				k = int32(len(cityNames))
				cities[c] = k
				cityNames = append(cityNames, c)
			}
			all = append(all, named{k, int32(utf8.RuneCountInString(n)), digitCode(n), n, cs[i].ID})
		}
	}
	// Every name starts with the names' common prefix (numbered names such as "customer17"
	// share one): the bytes after it tell more names apart.
	common := 0
	if len(all) > 0 {
		common = len(all[0].name)
		for i := range all {
			common = min(common, commonPrefix(all[0].name[:common], all[i].name))
		}
	}
	rank := make([]int32, len(cityNames))
	byName := make([]int32, len(cityNames))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return cmp.Compare(cityNames[a], cityNames[b]) })
	for r, k := range byName {
		rank[k] = int32(r)
	}
	cityBits := bits.Len(uint(len(cityNames)))
	keys := make([]uint64, len(all))
	for i := range all {
		all[i].city = rank[all[i].city]
		keys[i] = uint64(all[i].city)<<(64-cityBits) | prefix8(all[i].name[common:])>>cityBits
	}
	order := stats.RadixOrder(keys)
	// Within a tie the city and the first bytes agree, so (name, id) is the whole order.
	stats.SortTies(order, keys, func(a, b int32) int {
		if c := cmp.Compare(all[a].name, all[b].name); c != 0 {
			return c
		}
		return cmp.Compare(all[a].id, all[b].id)
	})
	return all, order
}

// similarNames compares each name with the next window names of its city in order and returns
// the best likely duplicate of each customer (by the higher id of a pair): the most similar,
// then the lowest other id.
func similarNames(all []named, order []int32, threshold float64, window int) map[int64]Duplicate {
	best := map[int64]Duplicate{}
	var buf []int
	for i := range order {
		x := &all[order[i]]
		for j := i + 1; j < len(order) && j <= i+window && all[order[j]].city == x.city; j++ {
			y := &all[order[j]]
			// Equal codes are equal digits, unless both names have too many digits for a code.
			if x.digits != y.digits || (x.digits == 0 && !sameDigits(x.name, y.name)) {
				continue // 分店1 and 分店2, Customer 17 and Customer 18: numbered, not the same
			}
			// The distance is at least the difference in length: skip pairs that cannot reach
			// the threshold.
			if l := max(x.runes, y.runes); 1-float64(abs(int(x.runes-y.runes)))/float64(l) < threshold {
				continue
			}
			a, b := []rune(x.name), []rune(y.name)
			if len(buf) < 2*(len(b)+1) {
				buf = make([]int, 2*(len(b)+1))
			}
			s := similarity(a, b, buf)
			if s < threshold {
				continue
			}
			lo, hi := x.id, y.id
			if lo > hi {
				lo, hi = hi, lo
			}
			if b, ok := best[hi]; !ok || s > b.Similarity || (s == b.Similarity && lo < b.Of) {
				best[hi] = Duplicate{hi, lo, "duplicate_name", s}
			}
		}
	}
	return best
}

// prefix8 returns the first 8 bytes of s as a big-endian number, zero-padded: for strings
// without zero bytes, prefix8(a) < prefix8(b) implies a < b, and a < b implies ≤.
func prefix8(s string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}

// commonPrefix returns the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// digitCode returns the digits of s as one number, after a leading 1 so that leading zeros
// count ("07" and "7" differ): two strings have the same digits exactly when their codes are
// equal. It returns 0 when s has more than 18 digits, too many for a uint64.
func digitCode(s string) uint64 {
	code, n := uint64(1), 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if n++; n > 18 {
				return 0
			}
			code = code*10 + uint64(s[i]-'0')
		}
	}
	return code
}

// sameDigits reports whether a and b hold the same digits in the same order, whatever
// else they hold: it compares what the digit strings of the two would be, without building
// them.
func sameDigits(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] < '0' || a[i] > '9') {
			i++
		}
		for j < len(b) && (b[j] < '0' || b[j] > '9') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// qualityAnalysis is A18 for the registry.
type qualityAnalysis struct{}

// New returns the data quality analysis.
func New() analysis.Analysis { return qualityAnalysis{} }

// Info describes the analysis.
func (qualityAnalysis) Info() analysis.Info {
	l := map[string]analysis.Text{
		"score": {En: "Overall quality score", Zh: "总体质量分"}, "customer_score": {En: "Customer score", Zh: "客户数据得分"},
		"order_score": {En: "Order score", Zh: "订单数据得分"}, "customers": {En: "Customers", Zh: "客户数"}, "orders": {En: "Orders", Zh: "订单数"},
		"customers_with_problems": {En: "Customers with problems", Zh: "有问题的客户"}, "invalid_values": {En: "Invalid values", Zh: "无效值"},
		"likely_duplicates": {En: "Likely duplicates", Zh: "疑似重复"}, "stale_customers": {En: "Stale customers", Zh: "沉睡记录"},
		"completeness": {En: "Completeness by field", Zh: "字段完整度"}, "entity": {En: "Record", Zh: "记录类型"}, "field": {En: "Field", Zh: "字段"},
		"filled": {En: "Filled", Zh: "已填写"}, "total": {En: "Total", Zh: "总数"}, "share": {En: "Share filled", Zh: "完整率"},
		"problems": {En: "Problems", Zh: "问题"}, "problem": {En: "Problem", Zh: "问题"}, "count": {En: "Count", Zh: "数量"}, "example": {En: "Example", Zh: "示例"},
		"duplicates": {En: "Likely duplicates", Zh: "疑似重复客户"}, "customer": {En: "Customer", Zh: "客户"}, "duplicate_of": {En: "Same as", Zh: "疑似重复于"},
		"reason": {En: "Reason", Zh: "原因"}, "similarity": {En: "Similarity", Zh: "相似度"}, "per_customer": {En: "Customers with problems", Zh: "问题客户"},
		"name": {En: "Name", Zh: "姓名"}, "last_activity": {En: "Last activity", Zh: "最近活动"}, "problem_counts": {En: "Problems by kind", Zh: "问题分布"},
		"score_histogram": {En: "Customer scores", Zh: "客户得分分布"},
		"invalid_phone":   {En: "Invalid phone", Zh: "电话格式错误"}, "invalid_email": {En: "Invalid email", Zh: "邮箱格式错误"},
		"future_date": {En: "Date in the future", Zh: "未来日期"}, "negative_amount": {En: "Negative amount", Zh: "负金额"},
		"age_out_of_range": {En: "Age outside 0–120", Zh: "年龄超出 0–120"}, "score_out_of_range": {En: "Survey score out of range", Zh: "调查分数超出范围"},
		"duplicate_phone": {En: "Same phone", Zh: "电话相同"}, "duplicate_email": {En: "Same email", Zh: "邮箱相同"},
		"duplicate_name": {En: "Similar name, same city", Zh: "同城姓名相似"}, "stale": {En: "No activity for too long", Zh: "长期无活动"},
		"no_customer": {En: "Order without customer", Zh: "订单无客户"}, "no_channel": {En: "Order without channel", Zh: "订单无渠道"},
		"order": {En: "Order", Zh: "订单"}, "interaction": {En: "Interaction", Zh: "互动"}, "survey": {En: "Survey", Zh: "调查"},
		"amount": {En: "Amount", Zh: "金额"}, "ordered_at": {En: "Order date", Zh: "下单日期"}, "phone": {En: "Phone", Zh: "电话"}, "email": {En: "Email", Zh: "邮箱"},
		"created_at": {En: "Created", Zh: "创建日期"}, "birth_date": {En: "Birth date", Zh: "出生日期"}, "at": {En: "Date", Zh: "日期"},
		"cost": {En: "Cost", Zh: "成本"}, "shipping": {En: "Shipping", Zh: "运费"}, "discount": {En: "Discount", Zh: "折扣"}, "returned": {En: "Returned", Zh: "退货额"},
		"unit_price": {En: "Unit price", Zh: "单价"}, "nps": {En: "NPS score", Zh: "NPS 分数"}, "csat": {En: "CSAT score", Zh: "CSAT 分数"}, "ces": {En: "CES score", Zh: "CES 分数"},
	}
	l["age"] = analysis.Text{En: "Age / birth date", Zh: "年龄/出生日期"}
	l["channel"] = analysis.Text{En: "Channel", Zh: "渠道"}
	analysis.WithFields(l, "gender", "province", "city", "owner")
	for _, f := range customerFields {
		l["missing_"+f] = analysis.Text{En: "Missing " + l[f].En, Zh: "缺少" + l[f].Zh}
	}
	return analysis.Info{
		Name:    "quality",
		Code:    "A18",
		Title:   analysis.Text{En: "Data quality", Zh: "数据质量"},
		Summary: analysis.Text{En: "How complete and correct is the customer data, and which records need fixing?", Zh: "客户数据是否完整准确？哪些记录需要修正？"},
		Options: []analysis.Option{
			{Key: "stale_days", Default: "365", Type: "int", Help: analysis.Text{En: "A customer with no order, interaction or update for more days than this is stale", Zh: "超过这么多天无订单、无互动、无更新的客户视为沉睡记录"}},
			{Key: "name_threshold", Default: "0.85", Type: "float", Help: analysis.Text{En: "Name similarity (0–1) at which two customers in one city are likely duplicates", Zh: "同城客户姓名相似度达到该值即疑似重复"}},
			{Key: "window", Default: "10", Type: "int", Help: analysis.Text{En: "How many neighbouring names (sorted) each name is compared with", Zh: "每个姓名与排序后相邻的多少个姓名比较"}},
		},
		Labels: l,
		Needs:  []string{"customers", "orders", "items"},
		Reads:  []string{"customers", "orders", "order_details", "items", "interactions", "surveys"},
	}
}

type problem struct {
	entity, field, kind string
	count               int
	example             string
}

// options are the parsed options.
type options struct {
	staleDays, window int
	threshold         float64
}

func parse(info analysis.Info, in analysis.Input) (options, error) {
	o := analysis.NewOpts(info, in.Options)
	op := options{staleDays: o.Int("stale_days"), threshold: o.Float("name_threshold"), window: o.Int("window")}
	if err := o.Err(); err != nil {
		return op, err
	}
	if op.staleDays <= 0 || op.threshold <= 0 || op.threshold > 1 || op.window < 1 {
		return op, &kexi.Error{Code: kexi.EINVALID, Message: "bad option", Problems: []kexi.FieldProblem{{Column: "stale_days/name_threshold/window",
			Reason: "expected stale_days ≥ 1, name_threshold above 0 and at most 1, window ≥ 1"}}}
	}
	return op, nil
}

// Run checks the whole Dataset as of the as-of date.
func (a qualityAnalysis) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	in = analysis.Defaults(in)
	if err := analysis.Check(in); err != nil {
		return nil, err
	}
	info := a.Info()
	op, err := parse(info, in)
	if err != nil {
		return nil, err
	}
	au := check(in.Data, in.AsOf, op.staleDays, op.threshold, op.window)
	return au.result(info.Name, in.AsOf), ctx.Err()
}

// audit is the data quality of a Dataset: the problems found, each customer's score and
// problems, and the counts behind the figures.
type audit struct {
	d        *kexi.Dataset
	limit    time.Time // later is the future: the end of the as-of day
	problems map[[3]string]*problem
	pos      func(int64) int // a customer's position in d.Customers, or -1

	score      []float64  // by position in d.Customers
	issues     [][]string // each customer's kinds of problem
	lastActive []time.Time

	fillCount                             []int // by customerFields
	orderScore                            float64
	withCustomer, withAmount, withChannel int
	dups                                  []Duplicate
	dupOf                                 map[int64]int64
	stale                                 int
}

// check audits the Dataset as of asOf (zero: nothing is in the future, nothing stale).
func check(d *kexi.Dataset, asOf time.Time, staleDays int, threshold float64, window int) *audit {
	dated := !asOf.IsZero()
	if !dated {
		asOf = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // nothing is in the future
	}
	// The end of the as-of day counts as not future.
	limit := asOf
	if asOf.Hour() == 0 && asOf.Minute() == 0 && asOf.Second() == 0 && asOf.Nanosecond() == 0 {
		limit = analysis.EndOfDay(asOf, asOf.Location())
	}
	n := len(d.Customers)
	// pos searches a compact copy of the ids: the Customer structs are large.
	ids := make([]int64, n)
	for i := range d.Customers {
		ids[i] = d.Customers[i].ID
	}
	au := &audit{d: d, limit: limit, problems: map[[3]string]*problem{}, pos: analysis.Positions(ids),
		score: make([]float64, n), issues: make([][]string, n), lastActive: make([]time.Time, n)}
	for i := range au.score {
		au.score[i] = 100
	}
	au.customers(asOf)
	au.orders()
	au.activity()
	au.duplicates(threshold, window)
	if dated {
		au.stales(asOf.AddDate(0, 0, -staleDays))
	}
	return au
}

// note counts a problem of a record's field, keeping the first example.
func (au *audit) note(entity, field, kind, example string) {
	k := [3]string{entity, field, kind}
	p := au.problems[k]
	if p == nil {
		p = &problem{entity: entity, field: field, kind: kind, example: example}
		au.problems[k] = p
	}
	p.count++
}

// hit costs customer i (none when below 0) a kind of problem, once per kind.
func (au *audit) hit(i int, kind string, cost float64) {
	if i < 0 || slices.Contains(au.issues[i], kind) {
		return
	}
	au.score[i] -= cost
	au.issues[i] = append(au.issues[i], kind)
}

// later records activity of customer i (none when below 0) at a time not in the future.
func (au *audit) later(i int, at time.Time) {
	if i >= 0 && at.After(au.lastActive[i]) && !at.After(au.limit) {
		au.lastActive[i] = at
	}
}

// customers checks the customer records: missing fields, invalid phones, emails and ages,
// future dates.
func (au *audit) customers(asOf time.Time) {
	au.fillCount = make([]int, len(customerFields))
	for i := range au.d.Customers {
		c := &au.d.Customers[i]
		for k, ok := range filled(c) {
			if ok {
				au.fillCount[k]++
			} else {
				au.hit(i, missingKinds[k], 5)
			}
		}
		if strings.TrimSpace(c.Phone) != "" && !ValidPhone(c.Phone) {
			au.note("customer", "phone", "invalid_phone", c.Phone)
			au.hit(i, "invalid_phone", 15)
		}
		if strings.TrimSpace(c.Email) != "" && !ValidEmail(c.Email) {
			au.note("customer", "email", "invalid_email", c.Email)
			au.hit(i, "invalid_email", 15)
		}
		if age := Age(c, asOf); age != -1 && (age < 0 || age > 120) {
			au.note("customer", "age", "age_out_of_range", strconv.Itoa(age))
			au.hit(i, "age_out_of_range", 15)
		}
		for _, f := range []struct {
			name string
			at   time.Time
		}{{"created_at", c.CreatedAt}, {"birth_date", c.BirthDate}} {
			if f.at.After(au.limit) {
				au.note("customer", f.name, "future_date", f.at.Format("2006-01-02"))
				au.hit(i, "future_date", 15)
			}
		}
		au.later(i, c.CreatedAt)
		au.later(i, c.UpdatedAt)
	}
}

// orders checks the orders and scores each: no customer, no channel, future dates, negative
// amounts.
func (au *audit) orders() {
	ci := -1
	var cid int64 = math.MinInt64
	ot := &au.d.Orders
	for k := range ot.Len() {
		if ot.CustomerID[k] != cid {
			cid = ot.CustomerID[k]
			ci = au.pos(cid)
		}
		at := ot.Time(k)
		s := 100.0
		if cid != 0 {
			au.withCustomer++
		} else {
			s -= 10
		}
		if ot.Amount[k] != 0 || ot.Returned[k] != 0 {
			au.withAmount++
		}
		if strings.TrimSpace(ot.Channel(k)) != "" {
			au.withChannel++
		} else {
			s -= 5
		}
		if at.After(au.limit) {
			au.note("order", "ordered_at", "future_date", at.Format("2006-01-02"))
			s -= 25
			au.hit(ci, "future_date", 15)
		}
		s -= au.negatives(ot, k, ci)
		au.orderScore += max(s, 0)
		au.later(ci, at)
	}
}

// negatives checks order k's amounts and unit prices for negative values and returns what
// they cost the order.
func (au *audit) negatives(ot *kexi.OrderTable, k, ci int) float64 {
	amount, cost, shipping, discount, returned := ot.Amount[k], ot.Cost[k], ot.Shipping[k], ot.Discount[k], ot.Returned[k]
	var s float64
	// Negative amounts are rare: one test of all five before naming them (NaN, never
	// negative itself, takes the slow way so that a negative beside it is still found).
	if !(min(amount, cost, shipping, discount, returned) >= 0) {
		for _, f := range []struct {
			name string
			v    float64
		}{{"amount", amount}, {"cost", cost}, {"shipping", shipping}, {"discount", discount}, {"returned", returned}} {
			if f.v < 0 {
				au.note("order", f.name, "negative_amount", strconv.FormatFloat(f.v, 'f', -1, 64))
				s += 25
				au.hit(ci, "negative_amount", 15)
			}
		}
	}
	lo, hi := ot.LineRange(k)
	for _, p := range ot.Lines.UnitPrice[lo:hi] {
		if p < 0 {
			au.note("order", "unit_price", "negative_amount", strconv.FormatFloat(p, 'f', -1, 64))
			s += 25
			au.hit(ci, "negative_amount", 15)
			break
		}
	}
	return s
}

// activity checks interactions and surveys (future dates, scores out of range) and records
// them as activity.
func (au *audit) activity() {
	ci, cid := -1, int64(math.MinInt64)
	for k := range au.d.Interactions {
		x := &au.d.Interactions[k]
		if x.CustomerID != cid {
			cid, ci = x.CustomerID, au.pos(x.CustomerID)
		}
		if x.At.After(au.limit) {
			au.note("interaction", "at", "future_date", x.At.Format("2006-01-02"))
			au.hit(ci, "future_date", 15)
		}
		au.later(ci, x.At)
	}
	for k := range au.d.Surveys {
		s := &au.d.Surveys[k]
		if s.CustomerID != cid {
			cid, ci = s.CustomerID, au.pos(s.CustomerID)
		}
		if s.At.After(au.limit) {
			au.note("survey", "at", "future_date", s.At.Format("2006-01-02"))
			au.hit(ci, "future_date", 15)
		}
		lo, hi := 0.0, 10.0
		switch s.Kind {
		case kexi.CSAT:
			lo, hi = 1, 5
		case kexi.CES:
			lo, hi = 1, 7
		}
		if s.Score < lo || s.Score > hi {
			au.note("survey", s.Kind, "score_out_of_range", strconv.FormatFloat(s.Score, 'f', -1, 64))
			au.hit(ci, "score_out_of_range", 15)
		}
	}
}

// duplicates finds the likely duplicates; each costs a customer once.
func (au *audit) duplicates(threshold float64, window int) {
	au.dups = Duplicates(au.d.Customers, threshold, window)
	au.dupOf = map[int64]int64{}
	for _, du := range au.dups {
		i := au.pos(du.ID)
		if _, seen := au.dupOf[du.ID]; !seen {
			au.score[i] -= 20
			au.dupOf[du.ID] = du.Of
		}
		au.issues[i] = append(au.issues[i], du.Reason)
		au.note("customer", strings.TrimPrefix(du.Reason, "duplicate_"), du.Reason, strconv.FormatInt(du.ID, 10))
	}
}

// stales marks the customers without activity since before.
func (au *audit) stales(before time.Time) {
	for i := range au.d.Customers {
		if au.lastActive[i].Before(before) {
			au.stale++
			au.hit(i, "stale", 10)
			au.note("customer", "last_activity", "stale", strconv.FormatInt(au.d.Customers[i].ID, 10))
		}
	}
}

// rate is a/b, NaN when b is 0.
func rate(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// result turns the audit into the Result.
func (au *audit) result(name string, asOf time.Time) *analysis.Result {
	res := &analysis.Result{Name: name, AsOf: asOf}
	comp := au.completeness()
	pl := au.sorted()
	pt, byKind, invalid := au.problemTable(pl)
	dt := analysis.Table{Key: "duplicates", Columns: []analysis.Column{{Key: "customer", Type: "int"}, {Key: "duplicate_of", Type: "int"},
		{Key: "reason", Type: "label"}, {Key: "similarity", Type: "float"}}}
	for _, du := range au.dups {
		dt.Rows = append(dt.Rows, []any{du.ID, du.Of, du.Reason, du.Similarity})
	}
	per, custMean, hist, withProblems := au.perCustomer()
	n, no := len(au.d.Customers), au.d.Orders.Len()
	orderMean := math.NaN()
	if no > 0 {
		orderMean = au.orderScore / float64(no)
	}
	overall := math.NaN()
	switch {
	case n > 0 && no > 0:
		overall = (custMean + orderMean) / 2
	case n > 0:
		overall = custMean
	case no > 0:
		overall = orderMean
	}
	res.Summary = []analysis.Figure{{Key: "score", Value: overall}, {Key: "customer_score", Value: custMean},
		{Key: "order_score", Value: orderMean}, {Key: "customers", Value: float64(n)}, {Key: "orders", Value: float64(no)},
		{Key: "customers_with_problems", Value: float64(withProblems), Drill: analysis.Everyone("customer")}, {Key: "invalid_values", Value: float64(invalid)},
		{Key: "likely_duplicates", Value: float64(len(au.dupOf))}, {Key: "stale_customers", Value: float64(au.stale)}}

	cs := analysis.Series{Key: "completeness", Kind: "bar"}
	var cv []float64
	for _, r := range comp.Rows {
		cs.X = append(cs.X, r[0].(string)+"."+r[1].(string))
		cv = append(cv, r[4].(float64))
	}
	cs.Y = []analysis.Values{{Key: "share", Data: cv}}
	ps := analysis.Series{Key: "problem_counts", Kind: "bar"}
	var pv []float64
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		ps.X = append(ps.X, k)
		pv = append(pv, float64(byKind[k]))
	}
	ps.Y = []analysis.Values{{Key: "count", Data: pv}}
	hs := analysis.Series{Key: "score_histogram", Kind: "histogram", X: []string{"0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–100"},
		Y: []analysis.Values{{Key: "customers", Data: hist}}}
	res.Tables = []analysis.Table{per, comp, pt, dt}
	res.Series = []analysis.Series{cs, ps, hs}
	return res
}

// completeness is how many records have each field.
func (au *audit) completeness() analysis.Table {
	comp := analysis.Table{Key: "completeness", Columns: []analysis.Column{{Key: "entity", Type: "label"}, {Key: "field", Type: "label"},
		{Key: "filled", Type: "int"}, {Key: "total", Type: "int"}, {Key: "share", Type: "percent"}}}
	n, no := len(au.d.Customers), au.d.Orders.Len()
	for k, f := range customerFields {
		comp.Rows = append(comp.Rows, []any{"customer", f, au.fillCount[k], n, rate(au.fillCount[k], n)})
	}
	comp.Rows = append(comp.Rows, []any{"order", "customer", au.withCustomer, no, rate(au.withCustomer, no)},
		[]any{"order", "amount", au.withAmount, no, rate(au.withAmount, no)}, []any{"order", "channel", au.withChannel, no, rate(au.withChannel, no)})
	return comp
}

// sorted returns the problems by count, highest first, then by entity, field and kind.
func (au *audit) sorted() []*problem {
	var pl []*problem
	for _, p := range au.problems {
		pl = append(pl, p)
	}
	slices.SortFunc(pl, func(a, b *problem) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.entity+a.field+a.kind, b.entity+b.field+b.kind)
	})
	return pl
}

// problemTable lists the problems pl, and returns them counted by kind and the invalid values
// (neither duplicates nor stale records). A problem row drills down to the customers whose
// problems list its kind when it counts exactly them: a customer record's problem found in no
// other row (not an order's or a survey's, which count records and share the customer's list,
// and not a duplicate, which counts pairs).
func (au *audit) problemTable(pl []*problem) (analysis.Table, map[string]int, int) {
	pt := analysis.Table{Key: "problems", Columns: []analysis.Column{{Key: "entity", Type: "label"}, {Key: "field", Type: "label"},
		{Key: "problem", Type: "label"}, {Key: "count", Type: "int"}, {Key: "example", Type: "string"}}}
	byKind := map[string]int{}
	invalid := 0
	for _, p := range pl {
		pt.Rows = append(pt.Rows, []any{p.entity, p.field, p.kind, p.count, p.example})
		byKind[p.kind] += p.count
		if !strings.HasPrefix(p.kind, "duplicate_") && p.kind != "stale" {
			invalid += p.count
		}
	}
	withKind := map[string]int{}
	for _, is := range au.issues {
		for _, k := range slices.Compact(slices.Sorted(slices.Values(is))) {
			withKind[k]++
		}
	}
	rowsOf := map[string]int{}
	for _, p := range pl {
		rowsOf[p.kind]++
	}
	pt.Drill = analysis.Drill{Column: "problems", Key: "problem", Count: "count"}
	for _, p := range pl {
		v := ""
		if p.entity == "customer" && rowsOf[p.kind] == 1 && withKind[p.kind] == p.count {
			v = p.kind
		}
		pt.Drill.Values = append(pt.Drill.Values, v)
	}
	return pt, byKind, invalid
}

// perCustomer lists the customers with problems, lowest score first, and returns the mean
// customer score (NaN without customers), the scores' histogram by tens and how many
// customers have problems. Scores below 0 count as 0.
func (au *audit) perCustomer() (analysis.Table, float64, []float64, int) {
	per := analysis.Table{Key: "per_customer", PerCustomer: true, Columns: []analysis.Column{{Key: "customer", Type: "int"},
		{Key: "name", Type: "string"}, {Key: "score", Type: "float"}, {Key: "problems", Type: "terms"}, {Key: "last_activity", Type: "date"}}}
	score := au.score
	var sum float64
	withProblems := 0
	hist := make([]float64, 10)
	var idx []int
	for i := range au.d.Customers {
		score[i] = max(score[i], 0)
		sum += score[i]
		hist[min(int(score[i]/10), 9)]++
		if len(au.issues[i]) > 0 {
			withProblems++
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(score[a], score[b]) })
	for _, i := range idx {
		var la any = au.lastActive[i]
		if au.lastActive[i].IsZero() {
			la = nil
		}
		c := &au.d.Customers[i]
		per.Rows = append(per.Rows, []any{c.ID, c.Name, score[i], strings.Join(au.issues[i], ", "), la})
	}
	mean := math.NaN()
	if n := len(au.d.Customers); n > 0 {
		mean = sum / float64(n)
	}
	return per, mean, hist, withProblems
}
