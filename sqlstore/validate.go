package sqlstore

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kexi/kexi"
)

// checker collects what is wrong with one record. row is the record's 1-based position in a
// Batch (0 outside an import).
type checker struct {
	kind  string
	row   int
	ext   string
	probs []kexi.FieldProblem
}

func (c *checker) add(col, val, reason string) {
	c.probs = append(c.probs, kexi.FieldProblem{Row: c.row, Column: col, Value: val, Reason: reason})
}

func (c *checker) finite(col string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.add(col, strconv.FormatFloat(v, 'g', -1, 64), "expected a finite number")
	}
}

// finiteItem is finite for a field of line i, naming the column only when it is wrong (an
// import checks millions of lines).
func (c *checker) finiteItem(i int, name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.finite(fmt.Sprintf("items[%d].%s", i, name), v)
	}
}

// dates adds a problem for each time of record x outside kexi.Earliest..kexi.Latest: the
// callers that know the present (the API, imports) check a narrower range first.
func (c *checker) dates(x any) {
	for _, p := range (kexi.Dates{}).Problems(x) {
		c.add(p.Column, p.Value, p.Reason)
	}
}

func (c *checker) required(col, v string) {
	if strings.TrimSpace(v) == "" {
		c.add(col, "", col+" is required")
	}
}

func (c *checker) custom(m map[string]string) {
	for k := range m {
		if k == "" || strings.ContainsAny(k, "\"\\") {
			c.add("custom."+k, k, "a custom field name must not be empty or contain quotes or backslashes")
		}
	}
}

// err returns nil or the EINVALID error naming the record and its problems.
func (c *checker) err() error {
	if len(c.probs) == 0 {
		return nil
	}
	what := strings.TrimSuffix(c.kind, "s")
	if c.row > 0 {
		what = fmt.Sprintf("%s record %d", c.kind, c.row)
	}
	if c.ext != "" {
		what += fmt.Sprintf(" (external id %q)", c.ext)
	}
	for i := range c.probs {
		c.probs[i].Reason = what + ": " + c.probs[i].Reason
	}
	return &kexi.Error{Code: kexi.EINVALID, Message: "invalid " + what, Problems: c.probs}
}

func validateCustomer(x *kexi.Customer, row int) error {
	c := &checker{kind: kexi.KindCustomers, row: row, ext: x.ExternalID}
	if strings.TrimSpace(x.Name) == "" && strings.TrimSpace(x.ExternalID) == "" {
		c.add("name", "", "a customer needs a name or an external id")
	}
	switch x.Kind {
	case "", kexi.Individual, kexi.Enterprise, kexi.Government:
	default:
		c.add("kind", string(x.Kind), "expected individual, enterprise or government")
	}
	if x.Age < 0 || x.Age > 150 {
		c.add("age", strconv.Itoa(x.Age), "expected an age between 0 and 150")
	}
	c.finite("income", x.Income)
	c.custom(x.Custom)
	c.dates(x)
	return c.err()
}

func validateOrder(x *kexi.Order, row int) error {
	c := &checker{kind: kexi.KindOrders, row: row, ext: x.ExternalID}
	if x.OrderedAt.IsZero() {
		c.add("ordered_at", "", "ordered_at is required")
	}
	c.finite("amount", x.Amount)
	c.finite("cost", x.Cost)
	c.finite("shipping", x.Shipping)
	c.finite("discount", x.Discount)
	c.finite("returned", x.Returned)
	for i := range x.Items {
		it := &x.Items[i]
		c.finiteItem(i, "quantity", it.Quantity)
		c.finiteItem(i, "unit_price", it.UnitPrice)
		c.finiteItem(i, "unit_cost", it.UnitCost)
	}
	c.dates(x)
	return c.err()
}

func validateProduct(x *kexi.Product, row int) error {
	c := &checker{kind: kexi.KindProducts, row: row, ext: x.ExternalID}
	if strings.TrimSpace(x.Name) == "" && strings.TrimSpace(x.ExternalID) == "" {
		c.add("name", "", "a product needs a name or a SKU")
	}
	c.finite("price", x.Price)
	c.finite("cost", x.Cost)
	return c.err()
}

func validateInteraction(x *kexi.Interaction, row int) error {
	c := &checker{kind: kexi.KindInteractions, row: row, ext: x.ExternalID}
	if x.At.IsZero() {
		c.add("at", "", "at is required")
	}
	c.finite("minutes", x.Minutes)
	if x.Minutes < 0 {
		c.add("minutes", strconv.FormatFloat(x.Minutes, 'g', -1, 64), "minutes must not be negative")
	}
	c.dates(x)
	return c.err()
}

func validateEvent(x *kexi.WebEvent, row int) error {
	c := &checker{kind: kexi.KindEvents, row: row, ext: x.ExternalID}
	if x.At.IsZero() {
		c.add("at", "", "at is required")
	}
	c.required("type", x.Type)
	c.finite("dwell", x.Dwell)
	c.dates(x)
	return c.err()
}

func validateSurvey(x *kexi.SurveyResponse, row int) error {
	c := &checker{kind: kexi.KindSurveys, row: row, ext: x.ExternalID}
	if x.At.IsZero() {
		c.add("at", "", "at is required")
	}
	lo, hi, ok := kexi.ScoreRange(x.Kind)
	score := strconv.FormatFloat(x.Score, 'g', -1, 64)
	switch {
	case !ok:
		c.add("kind", x.Kind, "expected nps, csat or ces")
	case math.IsNaN(x.Score) || x.Score < lo || x.Score > hi:
		c.add("score", score, fmt.Sprintf("a %s score must be between %g and %g", strings.ToUpper(x.Kind), lo, hi))
	}
	c.dates(x)
	return c.err()
}

func validateLead(x *kexi.Lead, row int) error {
	c := &checker{kind: kexi.KindLeads, row: row, ext: x.ExternalID}
	c.finite("value", x.Value)
	for i, s := range x.Stages {
		if strings.TrimSpace(s.Stage) == "" {
			c.add(fmt.Sprintf("stages[%d].stage", i), "", "a stage entry needs a stage name")
		}
		if s.EnteredAt.IsZero() {
			c.add(fmt.Sprintf("stages[%d].entered_at", i), "", "a stage entry needs the time it was entered")
		}
	}
	c.custom(x.Custom)
	c.dates(x)
	return c.err()
}

func validateCampaign(x *kexi.Campaign, row int) error {
	c := &checker{kind: kexi.KindCampaigns, row: row, ext: x.ExternalID}
	if strings.TrimSpace(x.Name) == "" && strings.TrimSpace(x.ExternalID) == "" {
		c.add("name", "", "a campaign needs a name or an external id")
	}
	c.finite("cost", x.Cost)
	if !x.Start.IsZero() && !x.End.IsZero() && x.End.Before(x.Start) {
		c.add("end", x.End.Format("2006-01-02"), "the end must not be before the start")
	}
	c.dates(x)
	return c.err()
}

func validateResponse(x *kexi.CampaignResponse, row int) error {
	c := &checker{kind: kexi.KindResponses, row: row, ext: x.ExternalID}
	if x.CampaignID == 0 && strings.TrimSpace(x.Campaign) == "" {
		c.add("campaign", "", "campaign is required")
	}
	c.finite("value", x.Value)
	c.dates(x)
	return c.err()
}

func validateCompetitor(x *kexi.Competitor, row int) error {
	c := &checker{kind: kexi.KindCompetitors, row: row, ext: x.ExternalID}
	c.required("name", x.Name)
	seen := map[[2]string]bool{}
	for i, s := range x.Shares {
		if strings.TrimSpace(s.Period) == "" {
			c.add(fmt.Sprintf("shares[%d].period", i), "", "a market share needs a period")
		}
		if math.IsNaN(s.Share) || s.Share < 0 || s.Share > 1 {
			c.add(fmt.Sprintf("shares[%d].share", i), strconv.FormatFloat(s.Share, 'g', -1, 64), "a market share must be between 0 and 1")
		}
		k := [2]string{s.Period, s.Region}
		if seen[k] {
			c.add(fmt.Sprintf("shares[%d]", i), s.Period+" "+s.Region, "the same period and region twice")
		}
		seen[k] = true
	}
	return c.err()
}

func validateSWOT(x *kexi.SWOTItem, row int) error {
	c := &checker{kind: kexi.KindSWOT, row: row, ext: x.ExternalID}
	switch x.Kind {
	case "S", "W", "O", "T":
	default:
		c.add("kind", x.Kind, "expected S, W, O or T")
	}
	c.required("text", x.Text)
	if x.Impact < 0 || x.Impact > 5 {
		c.add("impact", strconv.Itoa(x.Impact), "expected an impact from 1 to 5 (0 when unknown)")
	}
	return c.err()
}
