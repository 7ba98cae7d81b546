package sheet

import (
	"fmt"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Reason codes say why a row was rejected, so that a reason can be written in the reader's
// language (ReasonIn). Reject.Args hold the values a reason names, in the order its texts use.
const (
	ReasonNoCustomer    = "no_customer"    // the row names no customer
	ReasonNoCustomerID  = "no_customer_id" // a customer row without its id
	ReasonNoOrderDate   = "no_order_date"  // an order without a date
	ReasonBadDate       = "bad_date"       // a cell that is not a date
	ReasonDateRange     = "date_range"     // a date outside the range: args from, to
	ReasonBadNumber     = "bad_number"     // a cell that is not a number
	ReasonBadInt        = "bad_int"        // a cell that is not a whole number
	ReasonBadBool       = "bad_bool"       // a cell that is not yes or no
	ReasonDuplicateID   = "duplicate_id"   // args: the earlier row
	ReasonOrderCustomer = "order_customer" // args: order, its customer
	ReasonNoSKU         = "no_sku"         // a product without a SKU
	ReasonNoTime        = "no_time"        // an event or interaction without a time
	ReasonNoEventType   = "no_event_type"  // an event without a type
	ReasonNoSurveyDate  = "no_survey_date" // a survey row without a date
	ReasonNoScore       = "no_score"       // a survey file without a score column
	ReasonScoreRange    = "score_range"    // args: kind, lowest, highest
	ReasonCloseNoStage  = "close_no_stage" // a close date without won or lost
	ReasonCampaignEnd   = "campaign_end"   // a campaign that ends before it starts
	ReasonNoCompetitor  = "no_competitor"  // a competitor without a name
	ReasonSWOTKind      = "swot_kind"      // not S, W, O or T
	ReasonNoText        = "no_text"        // a SWOT entry without text
	ReasonImpactRange   = "impact_range"   // an impact outside 1 to 5
	ReasonOther         = ""               // anything else: Reason says it in English
)

// reasonTexts are each code's reason in English and Chinese, as fmt formats over Args. The
// English texts name no CLI flags: those are in Reject.Reason, which the CLI writes.
var reasonTexts = map[string][2]string{
	ReasonNoCustomer:    {"no customer: the row names no customer id", "没有客户编号"},
	ReasonNoCustomerID:  {"no customer id", "没有客户编号"},
	ReasonNoOrderDate:   {"no order date", "没有下单日期"},
	ReasonBadDate:       {"expected a date like 2024-06-30, 2024/6/30 8:26, 6/30/2024 or 2024年6月30日", "不是日期：应写成 2024-06-30、2024/6/30 8:26、6/30/2024 或 2024年6月30日"},
	ReasonDateRange:     {"expected a date from %s to %s", "日期应在 %s 到 %s 之间"},
	ReasonBadNumber:     {"expected a number like 1234.5, 1,234.50, ¥12.5, 12% or 1.2万", "不是数字：应写成 1234.5、1,234.50、¥12.5、12% 或 1.2万"},
	ReasonBadInt:        {"expected a whole number like 42", "应为整数，例如 42"},
	ReasonBadBool:       {"expected yes/no, true/false, 1/0 or 是/否", "应为 是/否、yes/no、true/false 或 1/0"},
	ReasonDuplicateID:   {"duplicate id: row %s has it too", "编号重复：第 %s 行已有这个编号"},
	ReasonOrderCustomer: {"order %s already has lines for customer %q", "订单 %s 已有属于客户 %s 的明细"},
	ReasonNoSKU:         {"no SKU (product id)", "没有商品编号（SKU）"},
	ReasonNoTime:        {"no time", "没有时间"},
	ReasonNoEventType:   {"no event type (page_view, click, search, add_to_cart, …)", "没有事件类型（page_view、click、search、add_to_cart 等）"},
	ReasonNoSurveyDate:  {"no survey date", "没有调查日期"},
	ReasonNoScore:       {"no score column", "没有评分列"},
	ReasonScoreRange:    {"expected a %s score from %s to %s", "%s 评分应在 %s 到 %s 之间"},
	ReasonCloseNoStage:  {"a close date needs a stage column saying won or lost", "有成交日期的线索需要阶段列注明赢单或输单"},
	ReasonCampaignEnd:   {"the campaign ends before it starts", "活动的结束日期早于开始日期"},
	ReasonNoCompetitor:  {"no competitor name", "没有竞争对手名称"},
	ReasonSWOTKind:      {"expected S, W, O or T (strength, weakness, opportunity, threat)", "应为 S、W、O 或 T（优势、劣势、机会、威胁）"},
	ReasonNoText:        {"no text", "没有内容"},
	ReasonImpactRange:   {"expected an impact from 1 (low) to 5 (high)", "影响应在 1（低）到 5（高）之间"},
}

// ReasonIn is the reject's reason in lang ("zh" or "en"); for any other lang, or a reason
// without a code, it is Reason, as the CLI writes it.
func (rj Reject) ReasonIn(lang string) string { return ReasonText(lang, rj.Code, rj.Args, rj.Reason) }

// ReasonText writes the reason code with its args in lang ("zh" or "en"), or returns fallback
// when lang is neither or the code is unknown.
func ReasonText(lang, code string, args []string, fallback string) string {
	t, ok := reasonTexts[code]
	if !ok || (lang != "zh" && lang != "en") {
		return fallback
	}
	f := t[0]
	if lang == "zh" {
		f = t[1]
	}
	if len(args) == 0 {
		return f // the texts without args are not formats: "12%" is a percentage
	}
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	return fmt.Sprintf(f, a...)
}

// codedErr is a cell's parse error with its reason code.
type codedErr struct {
	code string
	args []string
	msg  string
}

func (e *codedErr) Error() string { return e.msg }

// dateRangeErr is the error of a date outside d.
func dateRangeErr(d kexi.Dates) error {
	lo, hi := d.Bounds()
	return &codedErr{code: ReasonDateRange, args: []string{lo.Format(time.DateOnly), hi.Format(time.DateOnly)}, msg: d.Reason()}
}

// currencySymbols are the symbols Read notices in amounts, with the currency each says.
var currencySymbols = []struct{ sym, code string }{{"£", "GBP"}, {"€", "EUR"}, {"US$", "USD"}, {"$", "USD"}, {"¥", "CNY"}, {"￥", "CNY"}, {"元", "CNY"}, {"RMB", "CNY"}}

// currencyOf returns the currency a number cell's symbol names, or "".
func currencyOf(s string) string {
	for _, c := range currencySymbols {
		if strings.Contains(s, c.sym) {
			return c.code
		}
	}
	return ""
}
