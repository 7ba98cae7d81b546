package clv

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kexi/kexi"
)

// Unit is the model's time unit in days: Days (1) or Weeks (7, lifetimes' days/7). Purchase
// periods are always calendar days; the unit only scales recency, age and horizons.
type Unit int

// Time units.
const (
	Days  Unit = 1
	Weeks Unit = 7
)

// String returns "days" or "weeks".
func (u Unit) String() string {
	if u == Weeks {
		return "weeks"
	}
	return "days"
}

// Purchase is one purchase: a customer, a day number (days since 1970-01-01, see Day) and an
// amount. Several purchases on one day make one purchase period whose value is their sum.
type Purchase struct {
	Customer int64
	Day      int32
	Amount   float64
}

// Day returns t's calendar date as a day number (days since 1970-01-01), in t's own location.
func Day(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Customer is one customer's summary in model time units: the input to every model.
type Customer struct {
	ID        int64
	Frequency float64 // x: repeat purchase periods (distinct purchase days after the first)
	Recency   float64 // t_x: from the first to the last purchase
	T         float64 // age: from the first purchase to the end of the calibration period
	// Monetary is the mean value of the repeat purchase periods with a positive value ($0
	// periods count in Frequency but not here); 0 when there is none.
	Monetary float64
	// Paid is how many repeat periods Monetary averages over: Frequency less the $0 periods.
	// 0 with a positive Monetary (a summary made elsewhere) means all Frequency of them.
	Paid float64
	// Weight is how many customers share this row (0 counts as 1): summaries published as
	// patterns with counts (the donations data) use it.
	Weight float64
	// HoldoutFrequency and HoldoutMonetary describe the holdout period when there is one:
	// purchase periods in it and the mean value of those with a positive value.
	HoldoutFrequency float64
	HoldoutMonetary  float64
}

// paid returns how many repeat periods Monetary averages over (see Paid).
func (c *Customer) paid() float64 {
	if c.Paid > 0 {
		return c.Paid
	}
	return c.Frequency
}

func (c *Customer) weight() float64 {
	if c.Weight == 0 {
		return 1
	}
	return c.Weight
}

// Summary is the per-customer summary of a transaction log.
type Summary struct {
	Unit Unit
	// End is the last day of the calibration period (inclusive); HoldoutEnd the last day of the
	// holdout period, or 0 when there is none.
	End, HoldoutEnd int32
	// HoldoutDuration is the holdout length in units (HoldoutEnd − End), 0 without a holdout.
	HoldoutDuration float64
	Customers       []Customer
}

// SummaryOptions says how to summarise purchases.
type SummaryOptions struct {
	Unit Unit // Days or Weeks; 0 means Weeks
	// End is the last day of the (calibration) observation period, inclusive. Customers whose
	// first purchase is after it are left out.
	End int32
	// HoldoutEnd, when after End, makes (End, HoldoutEnd] a holdout period (lifetimes'
	// calibration_and_holdout_data). Purchases after it are ignored.
	HoldoutEnd int32
}

// Summarize builds the per-customer summary lifetimes' summary_data_from_transaction_data
// (and calibration_and_holdout_data with a holdout) gives with freq="D": frequency = distinct
// purchase days − 1, recency = last − first day, T = End − first day, all divided by the
// unit; monetary = mean daily value of the repeat days. A day whose purchases add up to 0 is
// a purchase day like any other, but monetary averages only the days with a positive value
// (Paid counts them): lifetimes would average the $0 days in, and its Gamma-Gamma then refuses
// a customer whose repeat days are all $0. Customers come out sorted by ID.
// Purchases need not be sorted (sorted input takes a faster path). It returns an EINVALID
// error for a bad unit, a HoldoutEnd before End or a non-finite or negative amount.
func Summarize(p []Purchase, o SummaryOptions) (*Summary, error) {
	if o.Unit == 0 {
		o.Unit = Weeks
	}
	if o.Unit != Days && o.Unit != Weeks {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: unit must be days (1) or weeks (7), not %d", o.Unit)
	}
	last := o.End
	if o.HoldoutEnd != 0 {
		if o.HoldoutEnd <= o.End {
			return nil, kexi.Errorf(kexi.EINVALID, "clv: holdout end %s is not after calibration end %s",
				dayString(o.HoldoutEnd), dayString(o.End))
		}
		last = o.HoldoutEnd
	}
	p = byCustomer(p)
	s := &Summary{Unit: o.Unit, End: o.End}
	if o.HoldoutEnd != 0 {
		s.HoldoutEnd = o.HoldoutEnd
		s.HoldoutDuration = float64(o.HoldoutEnd-o.End) / float64(o.Unit)
	}
	u := float64(o.Unit)
	// One cheap pass counts the customers so the summary is allocated once (growing it by
	// append copied it a dozen times on a million customers).
	n := 0
	for i := range p {
		if i == 0 || p[i].Customer != p[i-1].Customer {
			n++
		}
	}
	s.Customers = make([]Customer, 0, n)
	err := eachCustomer(p, func(run []Purchase) {
		if c, ok := summarizeOne(run, o.End, last, u); ok {
			s.Customers = append(s.Customers, c)
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// FromSummary returns the summary Summarize gives without a holdout, End end, of the purchases
// a per-customer summary counts (kexi.Summarize; its window ends on day end in its time zone):
// frequency = purchase days − 1, recency = last − first day, T = end − first day, monetary =
// RepeatValue / RepeatPaid. Customers whose first purchase day is after end are left out. It
// returns an EINVALID error for a bad unit and for a customer whose revenue is not finite (an
// infinite amount: Summarize names its row).
func FromSummary(ks *kexi.Summary, unit Unit, end int32) (*Summary, error) {
	if unit == 0 {
		unit = Weeks
	}
	if unit != Days && unit != Weeks {
		return nil, kexi.Errorf(kexi.EINVALID, "clv: unit must be days (1) or weeks (7), not %d", unit)
	}
	u := float64(unit)
	s := &Summary{Unit: unit, End: end, Customers: make([]Customer, 0, len(ks.Customers))}
	for i := range ks.Customers {
		k := &ks.Customers[i]
		if math.IsNaN(k.Revenue) || math.IsInf(k.Revenue, 0) {
			return nil, &kexi.Error{Code: kexi.EINVALID, Message: "clv: bad purchase amount",
				Problems: []kexi.FieldProblem{{Column: "amount", Value: fmt.Sprint(k.Revenue),
					Reason: fmt.Sprintf("expected finite amounts ≥ 0 (customer %d)", k.CustomerID)}}}
		}
		if k.FirstDay > end {
			continue
		}
		c := Customer{ID: k.CustomerID, Frequency: float64(k.Days - 1),
			Recency: float64(k.LastDay-k.FirstDay) / u, T: float64(end-k.FirstDay) / u}
		if k.RepeatPaid > 0 {
			c.Monetary = k.RepeatValue / float64(k.RepeatPaid)
			c.Paid = float64(k.RepeatPaid)
		}
		s.Customers = append(s.Customers, c)
	}
	return s, nil
}

// eachCustomer calls fn with each customer's run of purchases in p, which is sorted by
// customer. It returns an invalid error naming the row of the first amount that is not a
// finite number ≥ 0, before fn sees that customer.
func eachCustomer(p []Purchase, fn func(run []Purchase)) error {
	for i := 0; i < len(p); {
		j := i
		for j < len(p) && p[j].Customer == p[i].Customer {
			if a := p[j].Amount; math.IsNaN(a) || math.IsInf(a, 0) || a < 0 {
				return &kexi.Error{Code: kexi.EINVALID, Message: "clv: bad purchase amount",
					Problems: []kexi.FieldProblem{{Row: j + 1, Column: "amount", Value: fmt.Sprint(a),
						Reason: "expected a finite amount ≥ 0"}}}
			}
			j++
		}
		fn(p[i:j])
		i = j
	}
	return nil
}

// summarizeOne summarises one customer's purchases (sorted by day).
func summarizeOne(p []Purchase, end, last int32, u float64) (Customer, bool) {
	first := p[0].Day
	if first > end {
		return Customer{ID: p[0].Customer}, false
	}
	c := Customer{ID: p[0].Customer}
	lastDay := first
	var repeatSum, holdSum float64
	var calDays, paidDays, holdDays, holdPaid int
	day, val := first, 0.0
	flush := func() {
		switch {
		case day <= end:
			if calDays > 0 && val > 0 {
				repeatSum += val
				paidDays++
			}
			calDays++
			lastDay = day
		case day <= last:
			holdDays++
			if val > 0 {
				holdSum += val
				holdPaid++
			}
		}
	}
	for k := range p {
		if p[k].Day != day {
			flush()
			day, val = p[k].Day, 0
		}
		val += p[k].Amount
	}
	flush()
	c.Frequency = float64(calDays - 1)
	c.Recency = float64(lastDay-first) / u
	c.T = float64(end-first) / u
	if paidDays > 0 {
		c.Monetary = repeatSum / float64(paidDays)
		c.Paid = float64(paidDays)
	}
	c.HoldoutFrequency = float64(holdDays)
	if holdPaid > 0 {
		c.HoldoutMonetary = holdSum / float64(holdPaid)
	}
	return c, true
}

// byCustomer returns p sorted by customer and day: p itself when it already is, else a
// sorted copy.
func byCustomer(p []Purchase) []Purchase {
	if sortedPurchases(p) {
		return p
	}
	p = slices.Clone(p)
	slices.SortFunc(p, func(a, b Purchase) int {
		if a.Customer != b.Customer {
			if a.Customer < b.Customer {
				return -1
			}
			return 1
		}
		return int(a.Day) - int(b.Day)
	})
	return p
}

func sortedPurchases(p []Purchase) bool {
	for i := 1; i < len(p); i++ {
		a, b := &p[i-1], &p[i]
		if a.Customer > b.Customer || (a.Customer == b.Customer && a.Day > b.Day) {
			return false
		}
	}
	return true
}

func dayString(d int32) string {
	return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
}
