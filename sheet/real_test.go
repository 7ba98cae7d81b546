package sheet

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
)

// readReal reads one of the real data files (skipping the test when the data is absent).
func readReal(t *testing.T, rel string, opt Options) (*Result, error) {
	t.Helper()
	f, err := os.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Read(f, rel, opt)
}

func mustReadReal(t *testing.T, rel string, opt Options) *Result {
	t.Helper()
	res, err := readReal(t, rel, opt)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

// Online Retail, SOURCE.md: 541,909 rows; 135,080 without CustomerID; 4,372 customers;
// 25,900 invoices. Among rows with a customer (computed once with a script over the file):
// 22,190 invoices, 3,654 of them cancellations (all "C…", all with a negative total), 4 with
// a zero total; 3,684 stock codes. SPEC §2: 18,532 purchase invoices after cleaning (the paid
// ones); the 4 with a zero total are purchases too (free goods), 18,536 in all.
func TestRealOnlineRetail(t *testing.T) {
	const rel = "online-retail/online_retail.csv.gz"
	res, err := readReal(t, rel, Options{})
	if kexi.ErrorCode(err) != kexi.EINVALID || res.Batch.Len() != 0 || res.Rejected != 135080 {
		t.Fatalf("without --skip-invalid: err %v, batch %d, rejected %d; want EINVALID, empty batch, 135080 rejected",
			err, res.Batch.Len(), res.Rejected)
	}
	if p := res.Rejects[0]; p.Column != "CustomerID" || p.Row == 0 || p.File != rel {
		t.Errorf("first reject %+v: want file, row and the CustomerID column", p)
	}

	res = mustReadReal(t, rel, Options{SkipInvalid: true})
	b := res.Batch
	if res.Rows != 541909 || res.Rejected != 135080 {
		t.Errorf("rows %d rejected %d, want 541909 and 135080", res.Rows, res.Rejected)
	}
	if len(b.Orders) != 22190 || len(b.Customers) != 4372 || len(b.Products) != 3684 {
		t.Errorf("orders %d customers %d products %d, want 22190 4372 3684", len(b.Orders), len(b.Customers), len(b.Products))
	}
	returns, purchases, paid, lines := 0, 0, 0, 0
	var amount, returned, top float64
	for i := range b.Orders {
		o := &b.Orders[i]
		lines += len(o.Items)
		if o.Status == kexi.StatusReturn {
			returns++
			if o.ExternalID[0] != 'C' || o.Amount != 0 {
				t.Fatalf("return %+v: want a C invoice with no amount", o)
			}
		}
		if o.IsPurchase() {
			purchases++
		}
		if o.IsPaid() {
			paid++
		}
		amount += o.Amount
		returned += o.Returned
		if o.Customer == "14646" {
			top += o.Amount
		}
	}
	if returns != 3654 || purchases != 18536 || paid != 18532 || lines != 541909-135080 {
		t.Errorf("returns %d purchases %d paid %d lines %d, want 3654 18536 18532 406829", returns, purchases, paid, lines)
	}
	// Σ quantity × price per invoice, summed over positive and negative invoices.
	if !near(amount, 8911407.90) || !near(returned, 611342.09) {
		t.Errorf("amount %.2f returned %.2f, want 8911407.90 and 611342.09", amount, returned)
	}
	// SPEC §2: top customer 14646 with £280,206.02.
	if !near(top, 280206.02) {
		t.Errorf("customer 14646 spent %.2f, want 280206.02", top)
	}
	if c := b.Customers[0]; c.ExternalID != "17850" || c.Country != "United Kingdom" {
		t.Errorf("first customer %+v, want 17850 in the United Kingdom", c)
	}

	res = mustReadReal(t, rel, Options{Anonymous: true})
	if len(res.Batch.Orders) != 25900 || len(res.Batch.Products) != 4070 || res.Rejected != 0 {
		t.Errorf("--anonymous: orders %d products %d rejected %d, want 25900 4070 0",
			len(res.Batch.Orders), len(res.Batch.Products), res.Rejected)
	}
}

// Telco, SOURCE.md: 7,043 customers; Churn Yes 1,869; Contract Month-to-month 3,875; 11
// blank TotalCharges; status table Satisfaction Score 1=922, 2=518, 3=2,665, 4=1,789, 5=1,149;
// Churn Category Competitor 841.
func TestRealTelco(t *testing.T) {
	res := mustReadReal(t, "telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv", Options{})
	b := res.Batch
	churned, monthly, blankTotal := 0, 0, 0
	for _, c := range b.Customers {
		if c.Churned {
			churned++
		}
		if c.Custom["contract"] == "Month-to-month" {
			monthly++
		}
		if _, ok := c.Custom["totalcharges"]; !ok {
			blankTotal++
		}
	}
	if res.Kind != kexi.KindCustomers || len(b.Customers) != 7043 || churned != 1869 || monthly != 3875 || blankTotal != 11 {
		t.Errorf("kind %s customers %d churned %d month-to-month %d blank total %d, want customers 7043 1869 3875 11",
			res.Kind, len(b.Customers), churned, monthly, blankTotal)
	}
	types := map[string]kexi.FieldType{}
	for _, f := range b.CustomFields {
		types[f.Name] = f.Type
	}
	if types["tenure"] != kexi.FieldNumber || types["totalcharges"] != kexi.FieldNumber || types["contract"] != kexi.FieldText {
		t.Errorf("custom field types %v", types)
	}

	q3 := time.Date(2019, 9, 30, 0, 0, 0, 0, time.UTC)
	for _, rel := range []string{"telco-churn/Telco_customer_churn_status.csv", "telco-churn/Telco_customer_churn_status.xlsx"} {
		if _, err := readReal(t, rel, Options{}); err == nil || !strings.Contains(err.Error(), "no survey date") {
			t.Errorf("%s without --at: %v, want no survey date", rel, err)
		}
		res := mustReadReal(t, rel, Options{At: q3})
		b := res.Batch
		counts := map[float64]int{}
		for _, s := range b.Surveys {
			if s.Kind != kexi.CSAT {
				t.Fatalf("%s: survey kind %q, want csat", rel, s.Kind)
			}
			counts[s.Score]++
		}
		want := map[float64]int{1: 922, 2: 518, 3: 2665, 4: 1789, 5: 1149}
		for k, v := range want {
			if counts[k] != v {
				t.Errorf("%s: score %v: %d responses, want %d", rel, k, counts[k], v)
			}
		}
		competitor, churned := 0, 0
		for _, c := range b.Customers {
			if c.Custom["churn_category"] == "Competitor" {
				competitor++
			}
			if c.Churned {
				churned++
			}
		}
		if res.Kind != kexi.KindSurveys || len(b.Surveys) != 7043 || len(b.Customers) != 7043 || competitor != 841 || churned != 1869 {
			t.Errorf("%s: kind %s surveys %d customers %d competitor %d churned %d", rel, res.Kind, len(b.Surveys), len(b.Customers), competitor, churned)
		}
		if b.Surveys[0].ExternalID != "SWSORB1252" || b.Surveys[0].Customer != "8779-QRDMV" {
			t.Errorf("%s: first survey %+v", rel, b.Surveys[0])
		}
	}
}

// Olist funnel, SOURCE.md: 8,000 MQLs, 842 closed deals (10.52 %); 60 MQLs without origin.
func TestRealOlistFunnel(t *testing.T) {
	res := mustReadReal(t, "olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv", Options{})
	noSource := 0
	for _, l := range res.Batch.Leads {
		if l.Source == "" {
			noSource++
		}
		if l.Stage != kexi.StageNew || len(l.Stages) != 1 || !l.Stages[0].EnteredAt.Equal(l.CreatedAt) || l.CreatedAt.IsZero() {
			t.Fatalf("lead %+v: want stage new entered at its first contact", l)
		}
	}
	if len(res.Batch.Leads) != 8000 || noSource != 60 {
		t.Errorf("leads %d without source %d, want 8000 and 60", len(res.Batch.Leads), noSource)
	}
	if p := res.Batch.Present[kexi.KindLeads]; contains(p, "stage") {
		t.Errorf("MQL present %v must not include stage (it would undo won)", p)
	}
	res = mustReadReal(t, "olist-marketing-funnel/olist_closed_deals_dataset.csv", Options{})
	for _, l := range res.Batch.Leads {
		if l.Stage != kexi.StageWon || len(l.Stages) != 1 || l.Stages[0].Stage != kexi.StageWon {
			t.Fatalf("closed deal %+v: want stage won with its won date", l)
		}
	}
	if len(res.Batch.Leads) != 842 {
		t.Errorf("closed deals %d, want 842", len(res.Batch.Leads))
	}
	p := res.Batch.Present[kexi.KindLeads]
	if !contains(p, "stage") || !contains(p, "stages") || contains(p, "created_at") || contains(p, "source") {
		t.Errorf("closed deals present %v: want stage and stages, not created_at or source", p)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CRM opportunities, SOURCE.md: 8,800 deals, Won 4,238 / Lost 2,473 / Engaging 1,589 /
// Prospecting 500; account empty on 1,425; 85 accounts.
func TestRealCRMOpportunities(t *testing.T) {
	res := mustReadReal(t, "crm-sales-opportunities/sales_pipeline.csv", Options{})
	stages := map[string]int{}
	noCompany := 0
	for _, l := range res.Batch.Leads {
		stages[l.Stage]++
		if l.Company == "" {
			noCompany++
		}
		switch l.Stage {
		case kexi.StageWon, kexi.StageLost:
			// engaged, then closed: two entries in time order, the last the outcome
			if len(l.Stages) != 2 || l.Stages[0].Stage != kexi.StageFollowUp || l.Stages[1].Stage != l.Stage {
				t.Fatalf("closed deal %+v: want follow_up then %s", l, l.Stage)
			}
		case kexi.StageNew:
			if len(l.Stages) != 0 {
				t.Fatalf("prospect %+v has stage dates", l)
			}
		}
	}
	want := map[string]int{kexi.StageWon: 4238, kexi.StageLost: 2473, kexi.StageFollowUp: 1589, kexi.StageNew: 500}
	for k, v := range want {
		if stages[k] != v {
			t.Errorf("stage %s: %d, want %d", k, stages[k], v)
		}
	}
	if len(res.Batch.Leads) != 8800 || noCompany != 1425 {
		t.Errorf("leads %d without company %d, want 8800 1425", len(res.Batch.Leads), noCompany)
	}
	if l := res.Batch.Leads[0]; l.ExternalID != "1C1I7A6R" || l.Owner != "Moses Frase" || l.Value != 1054 || l.Company != "Cancity" {
		t.Errorf("first lead %+v", l)
	}

	res = mustReadReal(t, "crm-sales-opportunities/accounts.csv", Options{})
	for _, c := range res.Batch.Customers {
		if c.Kind != kexi.Enterprise || c.Name != c.ExternalID || c.Name == "" {
			t.Fatalf("account %+v: want an enterprise named by its account", c)
		}
	}
	if len(res.Batch.Customers) != 85 {
		t.Errorf("accounts %d, want 85", len(res.Batch.Customers))
	}
}

// Mall customers, SOURCE.md: 200; Female 112 / Male 88; age mean 38.85; income mean 60.56
// (k$) so Σ income = 200 × 60,560 = 12,112,000; spending score mean 50.20 → Σ 10,040.
func TestRealMall(t *testing.T) {
	res := mustReadReal(t, "mall-customers/Mall_Customers.csv", Options{})
	g := map[string]int{}
	age, income, score := 0, 0.0, 0.0
	for _, c := range res.Batch.Customers {
		g[c.Gender]++
		age += c.Age
		income += c.Income
		s, err := ParseNumber(c.Custom["spending_score_1_100"])
		if err != nil {
			t.Fatal(err)
		}
		score += s
	}
	if len(res.Batch.Customers) != 200 || g["female"] != 112 || g["male"] != 88 || age != 7770 || income != 12112000 || score != 10040 {
		t.Errorf("customers %d genders %v Σage %d Σincome %v Σscore %v", len(res.Batch.Customers), g, age, income, score)
	}
	if c := res.Batch.Customers[0]; c.ExternalID != "0001" {
		t.Errorf("first id %q, want the zero-padded 0001", c.ExternalID)
	}
}

// Tmall, SOURCE.md: 28,010 orders; 24,087 paid; Σ 买家实际支付金额 1,902,487.15; Σ 退款金额
// 572,335.92; 上海 3,353, 广东省 2,463.
func TestRealTmall(t *testing.T) {
	res := mustReadReal(t, "tmall-orders-zh/tmall_order_report.csv", Options{})
	var paid, amountPos int
	var amount, refund float64
	prov := map[string]int{}
	for _, o := range res.Batch.Orders {
		if o.Status == kexi.StatusCompleted {
			paid++
		} else if o.Status != kexi.StatusPending {
			t.Fatalf("order %+v: status %q", o, o.Status)
		}
		if o.Amount > 0 {
			amountPos++
		}
		amount += o.Amount
		refund += o.Returned
		prov[o.Province]++
		if o.Customer != "" {
			t.Fatalf("order %+v has a customer", o)
		}
	}
	if res.Kind != kexi.KindOrders || len(res.Batch.Orders) != 28010 || paid != 24087 || amountPos != 18955 {
		t.Errorf("kind %s orders %d paid %d amount>0 %d", res.Kind, len(res.Batch.Orders), paid, amountPos)
	}
	if !near(amount, 1902487.15) || !near(refund, 572335.92) {
		t.Errorf("Σ amount %.2f Σ refund %.2f", amount, refund)
	}
	if prov["上海"] != 3353 || prov["广东省"] != 2463 {
		t.Errorf("provinces %v", prov)
	}
	if len(res.Unknown) != 1 || res.Unknown[0] != "总金额" {
		t.Errorf("unknown columns %v, want 总金额 reported", res.Unknown)
	}
}

// Bank marketing, SOURCE.md: bank-full 45,211 rows, y=yes 5,289; bank.csv 4,521.
func TestRealBank(t *testing.T) {
	res := mustReadReal(t, "bank-marketing/bank-full.csv", Options{})
	b := res.Batch
	yes := 0
	for _, r := range b.Responses {
		if r.Kind == "yes" {
			yes++
		}
		if r.Campaign != "bank-full" {
			t.Fatalf("response %+v: campaign %q, want the file name", r, r.Campaign)
		}
	}
	if res.Kind != kexi.KindResponses || len(b.Responses) != 45211 || len(b.Customers) != 45211 || yes != 5289 {
		t.Errorf("kind %s responses %d customers %d yes %d", res.Kind, len(b.Responses), len(b.Customers), yes)
	}
	if len(b.Campaigns) != 1 || b.Campaigns[0].ExternalID != "bank-full" {
		t.Errorf("campaigns %+v", b.Campaigns)
	}
	c := b.Customers[0]
	if c.ExternalID != "bank-full-1" || c.Age != 58 || c.Occupation != "management" || c.Education != "tertiary" ||
		c.Custom["marital"] != "married" || c.Custom["balance"] != "2143" {
		t.Errorf("first customer %+v", c)
	}
	if _, ok := c.Custom["duration"]; ok {
		t.Error("duration kept: it leaks the outcome and is dropped")
	}
	if _, ok := c.Custom["campaign"]; !ok {
		t.Error("bank's campaign column (a contact count) should be a custom field")
	}

	res = mustReadReal(t, "bank-marketing/bank.csv", Options{Campaign: "term-deposit-2008"})
	if len(res.Batch.Responses) != 4521 || res.Batch.Responses[0].Campaign != "term-deposit-2008" {
		t.Errorf("bank.csv: %d responses, campaign %q", len(res.Batch.Responses), res.Batch.Responses[0].Campaign)
	}
}
