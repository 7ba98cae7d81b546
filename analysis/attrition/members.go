package attrition

import (
	"math"
	"slices"
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
}

// Event is a churn (a customer became churned) or a reactivation (a churned customer bought
// again).
type Event struct {
	CustomerID   int64
	At           time.Time
	Reactivation bool
}

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
	cs, ot := d.Customers, &d.Orders
	var none kexi.OrderTable // the orders of a customer without any
	out := make([]Member, 0, len(cs)+16)
	emit := func(e Event) {
		if event != nil {
			event(e)
		}
	}
	// One walk over the customers and the orders in id order, as lifecycle.Stages makes its
	// rows, with each customer's stage from lifecycle.Stage over their own orders: no rows per
	// customer are built, and the orders are still in the cache when history reads them.
	// Each member is filled in its place in out, not copied there: a Member is large.
	add := func(cid int64, c *kexi.Customer, run *kexi.OrderTable) {
		out = append(out, Member{})
		m := &out[len(out)-1]
		m.CustomerID, m.Customer, m.Stage = cid, c, lifecycle.Stage(c, run, asOf, th)
		if !history(m, run, th, asOf, emit) {
			out[len(out)-1] = Member{} // not a member: the slot is cleared for the next
			out = out[:len(out)-1]
			return
		}
		if m.State == Churned {
			m.Before = before(m, run, th)
		}
	}
	ci := 0
	ot.Runs(func(cid int64, lo, hi int) {
		if cid == 0 {
			return // anonymous orders
		}
		for ci < len(cs) && cs[ci].ID < cid {
			add(cs[ci].ID, &cs[ci], &none)
			ci++
		}
		var c *kexi.Customer
		if ci < len(cs) && cs[ci].ID == cid {
			c = &cs[ci]
			ci++
		}
		run := ot.Slice(lo, hi)
		add(cid, c, &run)
	})
	for ; ci < len(cs); ci++ {
		add(cs[ci].ID, &cs[ci], &none)
	}
	prospects := false
	for i := range out {
		prospects = prospects || out[i].State == ""
	}
	if !prospects {
		return out
	}
	until := asOf.UnixMilli() // order times are whole milliseconds
	if slices.ContainsFunc(ot.At, func(at int64) bool { return at <= until }) {
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

// history walks one customer's orders (run, in time order), fills m and reports whether m is a member or a
// prospect that would be one in subscription data (State "" then).
func history(m *Member, run *kexi.OrderTable, th lifecycle.Thresholds, asOf time.Time, emit func(Event)) bool {
	flag, flagged := churnFlag(m.Customer, asOf)
	if member, done := m.place(flag, flagged, emit); done {
		return member
	}
	// Times as Unix nanoseconds: exact for 1678–2262, and far cheaper to compare and subtract
	// than time.Time in a loop over every order. Order times are whole milliseconds.
	at := asOf.UnixNano()
	limit := int64(th.ChurnDays) * dayNs // a gap churns when its whole days exceed ChurnDays
	f, hasFlag := flag.UnixNano(), !flag.IsZero()
	sp := spells{id: m.CustomerID, emit: emit}
	prev, n := m.purchases(run, th, at, flag, &sp)
	if n > 0 && m.State == Churned {
		m.Annual = annual(run, m.Last, prev)
	}
	if m.State == Churned {
		gap := n > 0 && at-prev >= limit+dayNs
		in := hasFlag && f >= prev && n > 0
		if gap || in {
			sp.churn(churnDate(m.Last, gap, flag, in, th))
			m.ChurnedAt = sp.churnedAt
		}
	}
	sp.flush()
	m.Reactivated = sp.reactivated
	return true
}

// dayNs and msNs are a day and a millisecond in nanoseconds.
const (
	dayNs = int64(24 * time.Hour)
	msNs  = int64(time.Millisecond)
)

// churnFlag returns the customer's churn flag as of asOf: whether flagged (an undated flag, or
// one dated at or before asOf) and the date (zero when undated).
func churnFlag(c *kexi.Customer, asOf time.Time) (flag time.Time, flagged bool) {
	if c != nil && c.Churned {
		if c.ChurnedAt.IsZero() {
			return flag, true
		} else if !c.ChurnedAt.After(asOf) {
			return c.ChurnedAt, true
		}
	}
	return flag, false
}

// place sets m's state from its lifecycle stage. It is done (member reports whether m is a
// member) for a customer not yet there and a prospect: a flagged prospect has churned at the
// flag's date.
func (m *Member) place(flag time.Time, flagged bool, emit func(Event)) (member, done bool) {
	switch m.Stage {
	case lifecycle.NotYet:
		return false, true
	case lifecycle.Prospect:
		if !flagged {
			return m.Customer != nil, true
		}
		m.State, m.ChurnedAt = Churned, flag
		if !flag.IsZero() {
			emit(Event{CustomerID: m.CustomerID, At: flag})
		}
		return true, true
	case lifecycle.Churned:
		m.State = Churned
	case lifecycle.AtRisk:
		m.State = AtRisk
	default:
		m.State = Active
	}
	return false, false
}

// purchases walks the purchases up to at (Unix nanoseconds), sets m's orders, spend and last
// purchase, and records in sp each churn (a gap of more than the churn days, or the dated
// flag between two purchases) and the comeback after it. It returns the last purchase's time
// in Unix nanoseconds and the number of purchases.
func (m *Member) purchases(run *kexi.OrderTable, th lifecycle.Thresholds, at int64, flag time.Time, sp *spells) (prev int64, n int) {
	limit := int64(th.ChurnDays) * dayNs
	f, hasFlag := flag.UnixNano(), !flag.IsZero()
	prevK := -1
	for i := range run.Len() {
		if !run.IsPurchase(i) {
			continue
		}
		t := run.At[i] * msNs
		if t > at {
			break
		}
		if n == 0 {
			if hasFlag && f < t {
				// Flagged before the first purchase: churned, then bought.
				sp.churn(flag)
				sp.comeBack(run.Time(i))
			}
		} else {
			gap := t-prev >= limit+dayNs
			in := hasFlag && f >= prev && f < t
			if gap || in {
				sp.churn(churnDate(run.Time(prevK), gap, flag, in, th))
				sp.comeBack(run.Time(i))
			}
		}
		prev, prevK = t, i
		n++
		m.Spend += run.Amount[i]
	}
	var prevAt time.Time
	if prevK >= 0 {
		prevAt = run.Time(prevK)
	}
	m.Orders, m.Last = n, prevAt
	return prev, n
}

// annual returns the purchases in the year up to the last one (last, at prev Unix
// nanoseconds).
func annual(run *kexi.OrderTable, last time.Time, prev int64) float64 {
	var sum float64
	from := last.AddDate(-1, 0, 0).UnixNano()
	for i := run.Len() - 1; i >= 0; i-- {
		if !run.IsPurchase(i) {
			continue
		}
		t := run.At[i] * msNs
		if t > prev {
			continue
		}
		if t <= from {
			break
		}
		sum += run.Amount[i]
	}
	return sum
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

// before returns the lifecycle stage a churned member was in at their last purchase, from
// their orders (run) without the customer record, whose churn flag and creation date do not
// apply before churning; NoPurchase when they have no purchase.
func before(m *Member, run *kexi.OrderTable, th lifecycle.Thresholds) string {
	if m.Orders == 0 {
		return NoPurchase
	}
	return lifecycle.Stage(nil, run, m.Last, th)
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
