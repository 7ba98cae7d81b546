package attributes

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Group keys the analysis makes itself. A value of "unknown" or "other" in the data joins the
// group of the same name.
const (
	Unknown = "unknown" // no value (empty, blank or unparsable)
	Other   = "other"   // the values beyond the top ones, folded together
)

// Attributes lists the built-in attributes, in the order the option help gives them. A custom
// field is named "custom.<field>", or by its bare name when that is not a built-in.
var Attributes = []string{"kind", "gender", "age_band", "income_band", "income", "occupation", "education",
	"country", "province", "city", "channel", "campaign", "owner", "tag"}

// Regions are the levels the market segments can be drawn at.
var Regions = []string{"province", "city", "country"}

// DefaultAgeEdges are the lower bounds of the age bands after the first: <25, 25–34, 35–44,
// 45–54, 55+.
var DefaultAgeEdges = []int{25, 35, 45, 55}

// AgeBands returns the names of the age bands that edges (increasing) cut: "<e₀", "e₀–(e₁−1)",
// …, "eₙ+".
func AgeBands(edges []int) []string {
	if len(edges) == 0 {
		return []string{"0+"}
	}
	out := make([]string, 0, len(edges)+1)
	out = append(out, "<"+strconv.Itoa(edges[0]))
	for i := 1; i < len(edges); i++ {
		out = append(out, strconv.Itoa(edges[i-1])+"–"+strconv.Itoa(edges[i]-1))
	}
	return append(out, strconv.Itoa(edges[len(edges)-1])+"+")
}

// AgeBand returns the index into AgeBands(edges) of an age: the number of edges at or below it.
func AgeBand(age int, edges []int) int {
	b := 0
	for b < len(edges) && age >= edges[b] {
		b++
	}
	return b
}

// Age returns a customer's age at asOf: Age when set, else whole years since BirthDate, else 0
// (unknown). Ages outside 1–150 are unknown.
func Age(c *kexi.Customer, asOf time.Time) int {
	if c.Age == 0 && asOf.IsZero() {
		return 0 // no date to count a birth date's years to
	}
	if a, ok := c.AgeAt(asOf); ok && a >= 1 && a <= 150 {
		return a
	}
	return 0
}

// QuantileBands cuts values into at most k bands of about equal counts. NaN values are
// unknown (band −1). A value x goes to band ⌊k·r/n⌋, where n is the number of known values and
// r the number of them below x, so equal values share a band; bands left empty by ties are
// dropped and the rest numbered from 0. Each band is named by the lowest and highest value in
// it ("15–39", or "50" when they are equal).
func QuantileBands(values []float64, k int) (band []int32, names []string) {
	k = max(k, 1)
	sorted := make([]float64, 0, len(values))
	for _, v := range values {
		if v == v {
			sorted = append(sorted, v)
		}
	}
	slices.Sort(sorted)
	n := len(sorted)
	band = make([]int32, len(values))
	if n == 0 {
		for i := range band {
			band[i] = -1
		}
		return band, nil
	}
	// raw[j] is the band of sorted[j]; renumber maps raw bands to consecutive ones.
	renumber := make([]int32, k)
	for i := range renumber {
		renumber[i] = -1
	}
	var lo, hi []float64
	for j := 0; j < n; {
		r := j // values below sorted[j]
		b := r * k / n
		e := j
		for e < n && sorted[e] == sorted[j] {
			e++
		}
		if renumber[b] < 0 {
			renumber[b] = int32(len(lo))
			lo = append(lo, sorted[j])
			hi = append(hi, sorted[j])
		}
		hi[renumber[b]] = sorted[e-1]
		j = e
	}
	for i, v := range values {
		if v != v {
			band[i] = -1
			continue
		}
		r, _ := slices.BinarySearch(sorted, v)
		band[i] = renumber[r*k/n]
	}
	names = make([]string, len(lo))
	for i := range lo {
		names[i] = num(lo[i])
		if hi[i] != lo[i] {
			names[i] += "–" + num(hi[i])
		}
	}
	return band, names
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// grouping assigns each customer (by index into Dataset.Customers) to one or more groups of an
// attribute. Single-valued attributes use of; tags use start and members.
type grouping struct {
	attr    string
	names   []string // display order; Other and Unknown last when present
	of      []int32
	start   []int32 // customer i's groups are members[start[i]:start[i+1]]
	members []int32
	size    []int // customers per group
	multi   bool
}

// groups returns the groups of customer i.
func (g *grouping) groups(i int) []int32 {
	if !g.multi {
		return g.of[i : i+1]
	}
	return g.members[g.start[i]:g.start[i+1]]
}

// Raw ids for values that join the analysis's own groups.
const (
	rawUnknown = -1
	rawOther   = -2
)

// interner numbers the values of an attribute, trimmed of spaces. It remembers the last hit
// (customers imported together often share a value) and each untrimmed spelling, so a value is
// trimmed (slow for non-ASCII text) only the first time it is seen.
type interner struct {
	idx    map[string]int32 // trimmed values and their spellings → id
	names  []string
	last   string
	lastID int32
	hit    bool
}

func newInterner() *interner { return &interner{idx: map[string]int32{}} }

func (in *interner) id(s string) int32 {
	if in.hit && s == in.last {
		return in.lastID
	}
	id, ok := in.idx[s]
	if !ok {
		id = in.add(strings.TrimSpace(s))
		in.idx[s] = id
	}
	in.last, in.lastID, in.hit = s, id, true
	return id
}

func (in *interner) add(t string) int32 {
	switch t {
	case "", Unknown:
		return rawUnknown
	case Other:
		return rawOther
	}
	if id, ok := in.idx[t]; ok {
		return id
	}
	id := int32(len(in.names))
	in.idx[t] = id
	in.names = append(in.names, t)
	return id
}

// raw is an attribute's values before ordering and folding.
type raw struct {
	attr    string
	names   []string
	of      []int32 // single-valued
	start   []int32 // multi-valued
	members []int32
	multi   bool
	// order, when set, is the display order of the raw ids (an ordered attribute: bands,
	// choices, years); such attributes are never folded and keep their empty groups. Without
	// it groups are ordered by customers (most first, ties by value) and those beyond top
	// fold into Other.
	order []int32
}

// finish orders the groups, folds those beyond top (0 = none) into Other and maps every
// customer to its final groups.
func (r *raw) finish(top int) *grouping {
	count, unknown, other := r.counts()
	order, folded := r.ranked(count, top)
	g := &grouping{attr: r.attr, multi: r.multi}
	final := make([]int32, len(r.names))
	for i := range final {
		final[i] = -1
	}
	for _, id := range order {
		final[id] = int32(len(g.names))
		g.names = append(g.names, r.names[id])
	}
	otherID, unknownID := int32(-1), int32(-1)
	if folded || other > 0 {
		otherID = int32(len(g.names))
		g.names = append(g.names, Other)
	}
	if unknown > 0 {
		unknownID = int32(len(g.names))
		g.names = append(g.names, Unknown)
	}
	mapID := func(id int32) int32 {
		switch {
		case id == rawUnknown:
			return unknownID
		case id == rawOther || final[id] < 0:
			return otherID
		}
		return final[id]
	}
	g.size = make([]int, len(g.names))
	if r.multi {
		g.mapMembers(r, mapID)
		return g
	}
	g.of = r.of // mapped in place: the raw ids are not needed again
	for i, id := range g.of {
		f := mapID(id)
		g.of[i] = f
		g.size[f]++
	}
	return g
}

// counts returns the customers (or tag memberships) of each raw id, of unknown and of other.
func (r *raw) counts() (count []int, unknown, other int) {
	count = make([]int, len(r.names))
	ids := r.of
	if r.multi {
		ids = r.members
	}
	for _, id := range ids {
		switch id {
		case rawUnknown:
			unknown++
		case rawOther:
			other++
		default:
			count[id]++
		}
	}
	return count, unknown, other
}

// ranked returns the raw ids in display order: the attribute's own order, else by count (most
// first, ties by value) without the empty ones, cut to top (folded reports a cut).
func (r *raw) ranked(count []int, top int) (order []int32, folded bool) {
	if r.order != nil {
		return r.order, false
	}
	order = make([]int32, 0, len(r.names))
	for id := range r.names {
		if count[id] > 0 {
			order = append(order, int32(id))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return cmp.Compare(r.names[a], r.names[b])
	})
	if top > 0 && len(order) > top {
		return order[:top], true
	}
	return order, false
}

// mapMembers maps each customer's raw tags to final groups (two folded tags are one Other).
func (g *grouping) mapMembers(r *raw, mapID func(int32) int32) {
	g.start = make([]int32, len(r.start))
	g.members = make([]int32, 0, len(r.members))
	for i := 0; i+1 < len(r.start); i++ {
		from := len(g.members)
		for _, id := range r.members[r.start[i]:r.start[i+1]] {
			f := mapID(id)
			if !slices.Contains(g.members[from:], f) {
				g.members = append(g.members, f)
				g.size[f]++
			}
		}
		g.start[i+1] = int32(len(g.members))
	}
}

// text builds a single-valued attribute from a text field.
func text(cs []kexi.Customer, attr string, field func(c *kexi.Customer) string) *raw {
	in := newInterner()
	r := &raw{attr: attr, of: make([]int32, len(cs))}
	for i := range cs {
		r.of[i] = in.id(field(&cs[i]))
	}
	r.names = in.names
	return r
}

// tags builds the multi-valued tag attribute: a customer is in the group of each of their
// tags, and in Unknown when they have none.
func tags(cs []kexi.Customer) *raw {
	in := newInterner()
	r := &raw{attr: "tag", multi: true, start: make([]int32, len(cs)+1), members: make([]int32, 0, len(cs))}
	for i := range cs {
		from := len(r.members)
		for _, t := range cs[i].Tags {
			id := in.id(t)
			if id == rawUnknown || slices.Contains(r.members[from:], id) {
				continue
			}
			r.members = append(r.members, id)
		}
		if len(r.members) == from {
			r.members = append(r.members, rawUnknown)
		}
		r.start[i+1] = int32(len(r.members))
	}
	r.names = in.names
	return r
}

// banded builds an ordered attribute from a number per customer (NaN = unknown) cut into
// quantile bands.
func banded(attr string, values []float64, k int) *raw {
	band, names := QuantileBands(values, k)
	r := &raw{attr: attr, of: band, names: names, order: make([]int32, len(names))}
	for i := range r.order {
		r.order[i] = int32(i)
	}
	return r
}

// ages builds the age band attribute.
func ages(cs []kexi.Customer, asOf time.Time, edges []int) *raw {
	names := AgeBands(edges)
	r := &raw{attr: "age_band", of: make([]int32, len(cs)), names: names, order: make([]int32, len(names))}
	for i := range r.order {
		r.order[i] = int32(i)
	}
	for i := range cs {
		r.of[i] = rawUnknown
		if a := Age(&cs[i], asOf); a > 0 {
			r.of[i] = int32(AgeBand(a, edges))
		}
	}
	return r
}

// incomeBands uses a customer's IncomeBand when given, else their Income (when positive) in
// quantile bands of the customers without an IncomeBand. The given bands come first, in text
// order, then the quantile bands.
func incomeBands(cs []kexi.Customer, k int) *raw {
	in := newInterner()
	values := make([]float64, len(cs))
	of := make([]int32, len(cs))
	for i := range cs {
		values[i] = nan
		of[i] = in.id(cs[i].IncomeBand)
		if of[i] == rawUnknown && cs[i].Income > 0 {
			values[i] = cs[i].Income
		}
	}
	band, bnames := QuantileBands(values, k)
	r := &raw{attr: "income_band", of: of}
	r.names = in.names
	r.order = make([]int32, len(r.names))
	for i := range r.order {
		r.order[i] = int32(i)
	}
	slices.SortFunc(r.order, func(a, b int32) int { return cmp.Compare(r.names[a], r.names[b]) })
	ids := make([]int32, len(bnames))
	for b, n := range bnames {
		if id, same := in.idx[n]; same && id >= 0 { // a given band with the same text is the same group
			ids[b] = id
			continue
		}
		ids[b] = int32(len(r.names))
		r.order = append(r.order, ids[b])
		r.names = append(r.names, n)
	}
	for i, b := range band {
		if b >= 0 {
			of[i] = ids[b]
		}
	}
	return r
}

// choices builds a choice custom field, in the order of its declared choices; values outside
// them follow in text order.
func choices(cs []kexi.Customer, attr, field string, declared []string) *raw {
	in := newInterner()
	for _, c := range declared {
		in.id(c) // the declared choices first, so that their ids are their order
	}
	nd := len(in.names)
	r := &raw{attr: attr, of: make([]int32, len(cs))}
	for i := range cs {
		r.of[i] = in.id(cs[i].Custom[field])
	}
	r.names = in.names
	r.order = make([]int32, len(r.names))
	for i := range r.order {
		r.order[i] = int32(i)
	}
	slices.SortFunc(r.order[nd:], func(a, b int32) int { return cmp.Compare(r.names[a], r.names[b]) })
	return r
}

// years builds a date custom field grouped by year, in year order; unparsable dates are
// unknown.
func years(cs []kexi.Customer, attr, field string) *raw {
	in := newInterner()
	r := &raw{attr: attr, of: make([]int32, len(cs))}
	for i := range cs {
		r.of[i] = rawUnknown
		v := strings.TrimSpace(cs[i].Custom[field])
		if v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			continue
		}
		r.of[i] = in.id(strconv.Itoa(t.Year()))
	}
	r.names = in.names
	r.order = make([]int32, len(r.names))
	for i := range r.order {
		r.order[i] = int32(i)
	}
	slices.SortFunc(r.order, func(a, b int32) int { return cmp.Compare(r.names[a], r.names[b]) })
	return r
}
