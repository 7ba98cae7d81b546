package sheet

import (
	"bytes"
	"strings"
	"testing"
)

// TestReasonsInLanguage: rejects carry a reason code, and the rejects file writes them in the
// reader's language; the CLI's English (lang "") is unchanged.
func TestReasonsInLanguage(t *testing.T) {
	const csv = "order_id,customer_id,date,amount\n" +
		"A1,C1,2024-06-01,£12.50\n" +
		"A2,,2024-06-02,3\n" +
		"A3,C3,someday,4\n" +
		"A4,C4,2024-06-04,lots\n"
	res, err := Read(strings.NewReader(csv), "o.csv", Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, rj := range res.Rejects {
		codes[rj.Code] = true
	}
	for _, c := range []string{ReasonNoCustomer, ReasonBadDate, ReasonBadNumber} {
		if !codes[c] {
			t.Errorf("no reject with code %q: %+v", c, res.Rejects)
		}
	}
	var zh, en, cli bytes.Buffer
	if err := WriteRejectsIn(&zh, "zh", res); err != nil {
		t.Fatal(err)
	}
	WriteRejectsIn(&en, "en", res)
	WriteRejects(&cli, res)
	for _, want := range []string{"原因", "没有客户编号", "不是日期", "不是数字"} {
		if !strings.Contains(zh.String(), want) {
			t.Errorf("zh rejects lack %q:\n%s", want, zh.String())
		}
	}
	if strings.Contains(zh.String()+en.String(), "%!") || !strings.Contains(zh.String(), "12%") {
		t.Errorf("a reason was mangled as a format:\n%s\n%s", zh.String(), en.String())
	}
	if strings.Contains(en.String(), "--anonymous") || !strings.Contains(en.String(), "no customer") {
		t.Errorf("en rejects should say no customer without CLI flags:\n%s", en.String())
	}
	if !strings.Contains(cli.String(), "--anonymous") {
		t.Errorf("the CLI's rejects lost their hint:\n%s", cli.String())
	}
	if res.Currency != "GBP" {
		t.Errorf("currency %q, want GBP", res.Currency)
	}
	if len(res.Sample) != 4 || res.Sample[0][0] != "A1" {
		t.Errorf("sample %q", res.Sample)
	}
}

func TestCurrencyOf(t *testing.T) {
	for s, want := range map[string]string{"£3.20": "GBP", "€1": "EUR", "$5": "USD", "¥12.5": "CNY", "12元": "CNY", "12": ""} {
		if got := currencyOf(s); got != want {
			t.Errorf("currencyOf(%q) = %q, want %q", s, got, want)
		}
	}
}
