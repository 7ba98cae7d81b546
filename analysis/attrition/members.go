package attrition

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis/lifecycle"
)

// State keys: what a customer is as of the as-of date. Active and AtRisk are also lifecycle
// stage keys; Active here covers the lifecycle stages new, active, loyal and reactivated.
const (
	Active  = lifecycle.Active
	AtRisk  = lifecycle.AtRisk
	Churned = lifecycle.Churned
)

// States lists the state keys in display order.
var States = []string{Active, AtRisk, Churned}

// Member is one customer's churn history as of the as-of date.
type Member struct {
	CustomerID int64
	Customer   *kexi.Customer // nil for an id that has orders but no customer record
	Stage      string         // lifecycle stage at the as-of date
	State      string         // Active, AtRisk or Churned
	Orders     int            // purchases at or before the as-of date
	Last       time.Time      // the last of them (zero when none)
	Spend      float64        // their total amount
	// Annual is, for a churned customer, the amount of their purchases in the 12 months up to
	// and including the last one: the yearly revenue that left with them (0 for the others).
	Annual float64
	// ChurnedAt is when a churned customer became churned: the day their gap since the last
	// purchase passed churn_days, or their ChurnedAt flag date if earlier. Zero when the only
	// sign is a churn flag without a date.
	ChurnedAt time.Time
	// Reactivated is true when the customer came back at least once after churning.
	Reactivated bool
	// Before is, for a churned customer, the lifecycle stage they were in at their last
	// purchase — new, active, loyal or reactivated — or NoPurchase when they have none.
	Before string

	run []kexi.Order // the customer's orders, in time order
}

// Event is a churn (a customer became churned) or a reactivation (a churned customer bought
// again).
type Event struct {
	CustomerID   int64
	At           time.Time
	Reactivation bool
}

// chunkCustomers and chunkOrders bound the chunks Members hands to lifecycle.Stages.
const chunkCustomers, chunkOrders = 512, 4096

// Members returns every customer as of asOf, in id order: the customers in d.Customers and
// the ids that have orders without a customer record (anonymous orders are skipped), each
// with a lifecycle stage (lifecycle.Stages with th) and a State:
//
//   - Churned: the lifecycle stage is churned, or the churn flag is set (ChurnedAt unset or at
//     or before asOf) on a customer without purchases, whom lifecycle calls a prospect;
//   - AtRisk: the lifecycle stage is at_risk;
//   - Active: the stages new, active, loyal and reactivated; and, when no order at all is
//     dated at or before asOf (a customer table from a subscription business), every
//     customer record without the churn flag.
//
// Prospects and customers created after asOf are not members. Event, when not nil, is called
// for every churn and reactivation at or before asOf, customer by customer: a gap of more
// than th.ChurnDays between two purchases is a churn on the day the gap passed the threshold
// and a reactivation at the next purchase (when lifecycle calls the customer reactivated); a
// dated churn flag is a churn at that date (merged with a gap churn in the same spell, the
// earlier date kept) and a reactivation at the next purchase after it, since lifecycle no
// longer calls such a customer churned. A flag without a date marks the current state only:
// such a customer's gaps still give events (lifecycle calls them churned at every date), and
// their current churn has no event and no ChurnedAt. Churned members get Before (see before).
// d must be in Dataset order.
func Members(d *kexi.Dataset, th lifecycle.Thresholds, asOf time.Time, event func(Event)) []Member {
	cs, os := d.Customers, d.Orders
	out := make([]Member, 0, len(cs)+len(cs)/8+16)
	var buf []kexi.Order // before's shifted purchases
	emit := func(e Event) {
		if event != nil {
			event(e)
		}
	}
	// Chunks of customers: lifecycle.Stages reads a chunk's orders, and they are still in the
	// cache when history walks them (about 10 % faster than one Stages call and a second pass).
	for ci, oi := 0, 0; ci < len(cs) || oi < len(os); {
		// The chunk holds the ids below bound (everything left when all is set).
		all := true
		var bound int64
		if ci+chunkCustomers < len(cs) {
			bound, all = cs[ci+chunkCustomers].ID, false
		}
		if oi+chunkOrders < len(os) {
			if b := os[oi+chunkOrders].CustomerID; all || b < bound {
				bound, all = b, false
			}
		}
		if !all {
			// A customer with more than chunkOrders orders: take at least the first id.
			start := int64(math.MaxInt64)
			if ci < len(cs) {
				start = cs[ci].ID
			}
			if oi < len(os) {
				start = min(start, os[oi].CustomerID)
			}
			if bound <= start {
				bound = start + 1
			}
		}
		cb, ob := ci, oi
		for cb < len(cs) && (all || cs[cb].ID < bound) {
			cb++
		}
		if all {
			ob = len(os)
		} else {
			// A binary search: the chunk's orders are first read by Stages, not by a scan.
			ob += sort.Search(len(os)-oi, func(j int) bool { return os[oi+j].CustomerID >= bound })
		}
		// The rows are in id order, like the customers and the orders.
		rows := lifecycle.Stages(&kexi.Dataset{Customers: cs[ci:cb], Orders: os[oi:ob]}, th, asOf)[0]
		first := len(out)
		k, p := ci, oi
		for _, r := range rows {
			for k < cb && cs[k].ID < r.CustomerID {
				k++
			}
			var c *kexi.Customer
			if k < cb && cs[k].ID == r.CustomerID {
				c = &cs[k]
			}
			for p < ob && os[p].CustomerID < r.CustomerID {
				p++
			}
			q := p
			for q < ob && os[q].CustomerID == r.CustomerID {
				q++
			}
			m := Member{CustomerID: r.CustomerID, Customer: c, Stage: r.Stage, run: os[p:q]}
			p = q
			if history(&m, th, asOf, emit) {
				out = append(out, m)
			}
		}
		buf = before(out[first:], th, asOf, buf)
		ci, oi = cb, ob
	}
	prospects := false
	for i := range out {
		prospects = prospects || out[i].State == ""
	}
	if !prospects {
		return out
	}
	if slices.ContainsFunc(os, func(o kexi.Order) bool { return !o.OrderedAt.After(asOf) }) {
		// Drop the prospects kept for the subscription case.
		n := 0
		for _, m := range out {
			if m.State != "" {
				out[n] = m
				n++
			}
		}
		return out[:n]
	}
	for i := range out {
		if out[i].State == "" {
			out[i].State = Active
		}
	}
	return out
}

// history walks one customer's purchases, fills m and reports whether m is a member or a
// prospect that would be one in subscription data (State "" then).
func history(m *Member, th lifecycle.Thresholds, asOf time.Time, emit func(Event)) bool {
	c := m.Customer
	var flag time.Time // a dated churn flag at or before asOf
	flagged := false
	if c != nil && c.Churned {
		if c.ChurnedAt.IsZero() {
			flagged = true
		} else if !c.ChurnedAt.After(asOf) {
			flag, flagged = c.ChurnedAt, true
		}
	}
	switch m.Stage {
	case lifecycle.NotYet:
		return false
	case lifecycle.Prospect:
		if !flagged {
			return c != nil
		}
		m.State, m.ChurnedAt = Churned, flag
		if !flag.IsZero() {
			emit(Event{CustomerID: m.CustomerID, At: flag})
		}
		return true
	case lifecycle.Churned:
		m.State = Churned
	case lifecycle.AtRisk:
		m.State = AtRisk
	default:
		m.State = Active
	}
	// Times as Unix nanoseconds: exact for 1678–2262, and far cheaper to compare and subtract
	// than time.Time in a loop over every order.
	const day = int64(24 * time.Hour)
	at := asOf.UnixNano()
	limit := int64(th.ChurnDays) * day // a gap churns when its whole days exceed ChurnDays
	f, hasFlag := flag.UnixNano(), !flag.IsZero()
	var prev int64
	var prevAt time.Time
	n := 0
	sp := spells{id: m.CustomerID, emit: emit}
	for i := range m.run {
		o := &m.run[i]
		if !o.IsPurchase() {
			continue
		}
		t := o.OrderedAt.UnixNano()
		if t > at {
			break
		}
		if n == 0 {
			if hasFlag && f < t {
				// Flagged before the first purchase: churned, then bought.
				sp.churn(flag)
				sp.comeBack(o.OrderedAt)
			}
		} else {
			gap := t-prev >= limit+day
			in := hasFlag && f >= prev && f < t
			if gap || in {
				sp.churn(churnDate(prevAt, gap, flag, in, th))
				sp.comeBack(o.OrderedAt)
			}
		}
		prev, prevAt = t, o.OrderedAt
		n++
		m.Spend += o.Amount
	}
	m.Orders, m.Last = n, prevAt
	if n > 0 && m.State == Churned {
		from := prevAt.AddDate(-1, 0, 0).UnixNano()
		for i := len(m.run) - 1; i >= 0; i-- {
			o := &m.run[i]
			if !o.IsPurchase() {
				continue
			}
			t := o.OrderedAt.UnixNano()
			if t > prev {
				continue
			}
			if t <= from {
				break
			}
			m.Annual += o.Amount
		}
	}
	if m.State == Churned {
		gap := n > 0 && at-prev >= limit+day
		in := hasFlag && f >= prev && n > 0
		if gap || in {
			sp.churn(churnDate(prevAt, gap, flag, in, th))
			m.ChurnedAt = sp.churnedAt
		}
	}
	sp.flush()
	m.Reactivated = sp.reactivated
	return true
}

// spells emits one customer's churns and reactivations in time order. A reactivation is held
// back until the next churn: a churn at the same moment (a churn flag dated at the purchase
// that ended the previous spell) means the customer never came back, and the earlier churn
// goes on.
type spells struct {
	id          int64
	emit        func(Event)
	back        time.Time // a held reactivation
	held        bool
	churnedAt   time.Time // the last churn emitted
	reactivated bool
}

func (s *spells) churn(at time.Time) {
	if s.held && s.back.Equal(at) {
		s.held = false
		return
	}
	s.flush()
	s.emit(Event{CustomerID: s.id, At: at})
	s.churnedAt = at
}

func (s *spells) comeBack(at time.Time) { s.back, s.held = at, true }

func (s *spells) flush() {
	if s.held {
		s.emit(Event{CustomerID: s.id, At: s.back, Reactivation: true})
		s.reactivated, s.held = true, false
	}
}

// churnDate returns when a customer whose last purchase was at prev became churned: the first
// moment the gap passed th.ChurnDays whole days (when gap), or the flag date (when flagged)
// if that is earlier.
func churnDate(prev time.Time, gap bool, flag time.Time, flagged bool, th lifecycle.Thresholds) time.Time {
	var at time.Time
	if gap {
		at = prev.Add(time.Duration(th.ChurnDays+1) * 24 * time.Hour)
	}
	if flagged && (at.IsZero() || flag.Before(at)) {
		at = flag
	}
	return at
}

// days counts whole elapsed days, as package lifecycle does.
func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// before fills in Before for the churned members of one chunk. lifecycle.Stages gives the
// stage at one date for everyone, and each member needs it at their own last purchase, so
// their purchases are shifted in time until that purchase falls on asOf: a lifecycle stage
// depends only on time differences when no customer record is given (the record's churn flag
// and creation date do not apply before churning), and shifting keeps them exact. buf is
// reused from chunk to chunk; a shift that a Duration cannot hold (dates centuries apart)
// falls back to a call for the member alone.
func before(ms []Member, th lifecycle.Thresholds, asOf time.Time, buf []kexi.Order) []kexi.Order {
	buf = buf[:0]
	var who []int
	for i := range ms {
		m := &ms[i]
		if m.State != Churned {
			continue
		}
		if m.Orders == 0 {
			m.Before = NoPurchase
			continue
		}
		shift := asOf.Sub(m.Last)
		if !m.Last.Add(shift).Equal(asOf) {
			m.Before = lifecycle.Stages(&kexi.Dataset{Orders: m.run}, th, m.Last)[0][0].Stage
			continue
		}
		for k := range m.run {
			o := &m.run[k]
			if o.OrderedAt.After(m.Last) {
				break
			}
			if o.IsPurchase() {
				buf = append(buf, kexi.Order{CustomerID: m.CustomerID, OrderedAt: o.OrderedAt.Add(shift), Amount: 1})
			}
		}
		who = append(who, i)
	}
	if len(who) == 0 {
		return buf
	}
	rows := lifecycle.Stages(&kexi.Dataset{Orders: buf}, th, asOf)[0]
	for j, i := range who {
		ms[i].Before = rows[j].Stage
	}
	return buf
}

// Priority returns a churned customer's win-back priority: annual × ½^(daysSince ÷
// churnDays), the yearly revenue that left with them, halved for every churn_days they have
// been gone, rounded to cents. It is 0 when annual is not positive.
func Priority(annual float64, daysSince, churnDays int) float64 {
	if annual <= 0 || churnDays <= 0 {
		return 0
	}
	return math.Round(annual*math.Exp2(-float64(daysSince)/float64(churnDays))*100) / 100
}
