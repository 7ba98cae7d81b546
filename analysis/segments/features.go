package segments

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Auto is the features option that lets the data choose (see Choose).
const Auto = "auto"

// RFM are the features Choose prefers: recency, frequency and monetary.
var RFM = []string{Recency, Frequency, Monetary}

// How Choose chose.
const (
	ChosenGiven      = "given"           // the features option named them
	ChosenRFM        = "auto_rfm"        // most customers have a purchase in the period
	ChosenAttributes = "auto_attributes" // too few purchases: the customers' numeric attributes
)

// Choose returns the points for the features option: the named features, or for Auto the
// first of these that fits the data:
//
//  1. recency, frequency and monetary, when at least half the customers (and at least 3)
//     have a purchase in the period;
//  2. the numeric attributes at least half the customers have: age, income and the number
//     custom fields (declared number, or every value a number) with at least 3 different
//     values that are not all different whole numbers (those are ids or codes, not
//     measures);
//  3. recency, frequency and monetary for the customers who have them.
//
// how is one of ChosenGiven, ChosenRFM and ChosenAttributes; buyers, for Auto, is the number
// of customers with a purchase in the period.
func Choose(d *kexi.Dataset, asOf time.Time, inPeriod func(time.Time) bool, names []string) (pts Points, how string, buyers int) {
	if !slices.Equal(names, []string{Auto}) {
		return Collect(d, asOf, inPeriod, names), ChosenGiven, 0
	}
	rfm := Collect(d, asOf, inPeriod, RFM)
	buyers = len(rfm.IDs)
	if buyers >= 3 && 2*buyers >= len(d.Customers) {
		return rfm, ChosenRFM, buyers
	}
	if attrs := numericAttributes(d); len(attrs) > 0 {
		if pts := Collect(d, asOf, inPeriod, attrs); len(pts.IDs) >= 3 && len(pts.IDs) > buyers {
			return pts, ChosenAttributes, buyers
		}
	}
	return rfm, ChosenRFM, buyers
}

// numericAttributes returns the attribute features (age, income, custom.NAME) that at least
// half the customers have, for Choose.
func numericAttributes(d *kexi.Dataset) []string {
	n := len(d.Customers)
	if n == 0 {
		return nil
	}
	var out []string
	age, income := 0, 0
	for i := range d.Customers {
		if d.Customers[i].Age > 0 {
			age++
		}
		if d.Customers[i].Income > 0 {
			income++
		}
	}
	if 2*age >= n {
		out = append(out, Age)
	}
	if 2*income >= n {
		out = append(out, Income)
	}
	declared := map[string]kexi.FieldType{}
	for _, f := range d.CustomFields {
		if f.Entity == "customer" {
			declared[f.Name] = f.Type
		}
	}
	type seen struct {
		count    int
		numeric  bool
		whole    bool // every value a whole number
		distinct map[float64]bool
	}
	fields := map[string]*seen{}
	for i := range d.Customers {
		for k, v := range d.Customers[i].Custom {
			if t, ok := declared[k]; ok && t != kexi.FieldNumber {
				continue
			}
			s := fields[k]
			if s == nil {
				s = &seen{numeric: true, whole: true, distinct: map[float64]bool{}}
				fields[k] = s
			}
			if !s.numeric {
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
				s.numeric = false
				continue
			}
			s.count++
			s.whole = s.whole && x == math.Trunc(x)
			s.distinct[x] = true
		}
	}
	var custom []string
	for k, s := range fields {
		idLike := s.whole && len(s.distinct) == s.count
		if s.numeric && 2*s.count >= n && len(s.distinct) >= 3 && !idLike {
			custom = append(custom, "custom."+k)
		}
	}
	slices.Sort(custom)
	return append(out, custom...)
}
