package sheet

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kexi/kexi"
)

// ftype is how a column's text is parsed.
type ftype int

const (
	tText ftype = iota
	tNumber
	tInt
	tDate
	tBool
)

// val is one parsed cell.
type val struct {
	s   string
	f   float64
	t   time.Time
	b   bool
	err error // why s does not parse as its column's type
}

// rec holds the record one row is being read into. Only the pointers of the row's kind are
// set; c is the customer (the record itself in a customer file, the customer a record refers to
// in an order, survey or response file).
type rec struct {
	c  *kexi.Customer
	o  *kexi.Order
	it *kexi.OrderItem
	p  *kexi.Product
	x  *kexi.Interaction
	e  *kexi.WebEvent
	s  *kexi.SurveyResponse
	l  *kexi.Lead
	cp *kexi.Campaign
	r  *kexi.CampaignResponse
	k  *kexi.Competitor
	w  *kexi.SWOTItem

	paid    int            // orders: 0 no paid-at column, 1 empty (unpaid), 2 paid
	closeAt time.Time      // leads: when the lead closed (won or lost, whichever its stage says)
	hasItem bool           // orders: the row had an item field
	loc     *time.Location // Write: the time zone times are written in (nil: UTC)
}

// field is one importable and exportable field of a kind, with its header synonyms.
type field struct {
	name    string   // JSON name: "province", "items.sku"
	typ     ftype    // how its text parses
	en, zh  []string // header synonyms; the first of each is the header exports use
	vals    map[string]string
	set     func(*rec, *val)
	get     func(*rec) string // nil for import-only fields
	present []string          // what Batch.Present gets when the column is mapped
	line    bool              // an order line (item) field
	empty   bool              // set is called for empty cells too
}

func syn(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func newField(name string, typ ftype, en, zh string) *field {
	return &field{name: name, typ: typ, en: syn(en), zh: syn(zh), present: []string{name}}
}

func fText(name, en, zh string, p func(*rec) *string) *field {
	f := newField(name, tText, en, zh)
	id := name == "external_id" || name == "customer" || name == "campaign"
	f.set = func(r *rec, v *val) {
		s := v.s
		if id {
			s = wholeID(s)
		}
		if f.vals != nil {
			if m, ok := f.vals[strings.ToLower(s)]; ok {
				s = m
			}
		}
		*p(r) = s
	}
	f.get = func(r *rec) string { return *p(r) }
	return f
}

// wholeID drops a ".0" that spreadsheets and pandas add to numeric ids: "17850.0" → "17850".
func wholeID(s string) string {
	i := strings.IndexByte(s, '.')
	if i <= 0 {
		return s
	}
	for j := 0; j < i; j++ {
		if s[j] < '0' || s[j] > '9' {
			return s
		}
	}
	for j := i + 1; j < len(s); j++ {
		if s[j] != '0' {
			return s
		}
	}
	return s[:i]
}

func fNum(name, en, zh string, p func(*rec) *float64) *field {
	f := newField(name, tNumber, en, zh)
	f.set = func(r *rec, v *val) { *p(r) = v.f }
	f.get = func(r *rec) string {
		if *p(r) == 0 {
			return ""
		}
		return formatNumber(*p(r))
	}
	return f
}

func fInt(name, en, zh string, p func(*rec) *int) *field {
	f := newField(name, tInt, en, zh)
	f.set = func(r *rec, v *val) { *p(r) = int(v.f) }
	f.get = func(r *rec) string {
		if *p(r) == 0 {
			return ""
		}
		return strconv.Itoa(*p(r))
	}
	return f
}

func fDate(name, en, zh string, p func(*rec) *time.Time) *field {
	f := newField(name, tDate, en, zh)
	f.set = func(r *rec, v *val) { *p(r) = v.t }
	f.get = func(r *rec) string { return formatTimeIn(*p(r), r.loc) }
	return f
}

func fBool(name, en, zh string, p func(*rec) *bool) *field {
	f := newField(name, tBool, en, zh)
	f.set = func(r *rec, v *val) { *p(r) = v.b }
	f.get = func(r *rec) string {
		if *p(r) {
			return "yes"
		}
		return ""
	}
	return f
}

// importOnly is a field with synonyms and a setter only: another way of filling fields
// (a lead's won date, an income in thousands).
func importOnly(name string, typ ftype, en, zh string, set func(*rec, *val), present ...string) *field {
	f := newField(name, typ, en, zh)
	f.set, f.present = set, present
	return f
}

func (f *field) values(m map[string]string) *field {
	f.vals = make(map[string]string, len(m))
	for k, v := range m {
		f.vals[strings.ToLower(k)] = v
	}
	return f
}

// kindDef is one importable kind: its fields, and where custom and customer fields go.
type kindDef struct {
	name   string
	fields []*field
	// custom returns the record's custom-field map; nil when custom fields go to the customer.
	custom func(*rec) *map[string]string
	// customer returns the external id of the customer the record refers to (nil for customers
	// and for kinds that name no customer): customer fields in its file fill that customer.
	customer func(*rec) *string
	// required names the fields, any one of which marks a file as this kind when detecting.
	required []string
}

var (
	genderValues = map[string]string{"male": "male", "m": "male", "man": "male", "男": "male", "男性": "male",
		"female": "female", "f": "female", "woman": "female", "女": "female", "女性": "female"}
	customerKindValues = map[string]string{"individual": "individual", "person": "individual",
		"personal": "individual", "个人": "individual", "enterprise": "enterprise", "company": "enterprise",
		"business": "enterprise", "corporate": "enterprise", "企业": "enterprise", "公司": "enterprise",
		"government": "government", "gov": "government", "public": "government", "政府": "government"}
	statusValues = map[string]string{"completed": "completed", "complete": "completed", "done": "completed",
		"paid": "completed", "已完成": "completed", "完成": "completed", "已付款": "completed", "交易成功": "completed",
		"pending": "pending", "unpaid": "pending", "待付款": "pending", "未付款": "pending", "待处理": "pending",
		"cancelled": "cancelled", "canceled": "cancelled", "已取消": "cancelled", "取消": "cancelled",
		"交易关闭": "cancelled", "return": "return", "returned": "return", "refund": "return",
		"refunded": "return", "退货": "return", "已退款": "return", "退款": "return"}
	interactionValues = map[string]string{"consultation": kexi.Consultation, "inquiry": kexi.Consultation,
		"咨询": kexi.Consultation, "communication": kexi.Communication, "call": kexi.Communication,
		"沟通": kexi.Communication, "visit": kexi.Visit, "拜访": kexi.Visit, "after_sales": kexi.AfterSales,
		"after-sales": kexi.AfterSales, "after sales": kexi.AfterSales, "售后": kexi.AfterSales,
		"complaint": kexi.Complaint, "投诉": kexi.Complaint}
	surveyKindValues = map[string]string{"nps": kexi.NPS, "净推荐值": kexi.NPS, "csat": kexi.CSAT,
		"满意度": kexi.CSAT, "ces": kexi.CES, "费力度": kexi.CES}
	surveyChannelValues = map[string]string{"questionnaire": "questionnaire", "问卷": "questionnaire",
		"phone": "phone", "电话": "phone", "电话访谈": "phone", "online_review": "online_review",
		"online review": "online_review", "在线评价": "online_review"}
	stageValues = map[string]string{"new": kexi.StageNew, "prospecting": kexi.StageNew, "新建": kexi.StageNew,
		"新线索": kexi.StageNew, "contacted": kexi.StageConsultation, "consultation": kexi.StageConsultation,
		"咨询": kexi.StageConsultation, "engaging": kexi.StageFollowUp, "follow_up": kexi.StageFollowUp,
		"follow up": kexi.StageFollowUp, "follow-up": kexi.StageFollowUp, "跟进": kexi.StageFollowUp,
		"quote": kexi.StageQuote, "proposal": kexi.StageQuote, "报价": kexi.StageQuote, "won": kexi.StageWon,
		"closed won": kexi.StageWon, "成交": kexi.StageWon, "赢单": kexi.StageWon, "lost": kexi.StageLost,
		"closed lost": kexi.StageLost, "流失": kexi.StageLost, "输单": kexi.StageLost}
	swotValues = map[string]string{"s": "S", "strength": "S", "strengths": "S", "优势": "S",
		"w": "W", "weakness": "W", "weaknesses": "W", "劣势": "W", "o": "O", "opportunity": "O",
		"opportunities": "O", "机会": "O", "t": "T", "threat": "T", "threats": "T", "威胁": "T"}
)

// customerFields are the customer's fields. They also fill the customer an order, survey or
// response names, so they take the customer from r.c.
func customerFields() []*field {
	return []*field{
		fText("external_id", "External ID|customer id|customerid|cust id|client id|customer number|customer no|id",
			"客户编号|客户id|客户号|客户代码|编号", func(r *rec) *string { return &r.c.ExternalID }),
		fText("name", "Name|customer name|full name|client name", "客户名称|客户姓名|姓名|名称|客户",
			func(r *rec) *string { return &r.c.Name }),
		fText("kind", "Kind|customer kind|customer type|type", "客户类型|类型",
			func(r *rec) *string { return (*string)(&r.c.Kind) }).values(customerKindValues),
		fText("gender", "Gender|genre|sex", "性别", func(r *rec) *string { return &r.c.Gender }).values(genderValues),
		fDate("birth_date", "Birth Date|birthday|date of birth|dob", "出生日期|生日", func(r *rec) *time.Time { return &r.c.BirthDate }),
		fInt("age", "Age", "年龄", func(r *rec) *int { return &r.c.Age }),
		fNum("income", "Income|annual income|yearly income", "收入|年收入", func(r *rec) *float64 { return &r.c.Income }),
		importOnly("income", tNumber, "annual income (k$)|income (k$)|annual income k|income k", "年收入(千元)|收入(千元)",
			func(r *rec, v *val) { r.c.Income = v.f * 1000 }, "income"),
		importOnly("income", tNumber, "", "年收入(万元)|收入(万元)", func(r *rec, v *val) { r.c.Income = v.f * 1e4 }, "income"),
		fText("income_band", "Income Band|income level|income group", "收入水平|收入区间|收入等级",
			func(r *rec) *string { return &r.c.IncomeBand }),
		fText("occupation", "Occupation|job|profession", "职业", func(r *rec) *string { return &r.c.Occupation }),
		fText("education", "Education|education level", "学历|教育程度|文化程度", func(r *rec) *string { return &r.c.Education }),
		fText("country", "Country|nation", "国家", func(r *rec) *string { return &r.c.Country }),
		fText("province", "Province|state|region", "省份|省|地区|所在省份", func(r *rec) *string { return &r.c.Province }),
		fText("city", "City|town", "城市|市|所在城市", func(r *rec) *string { return &r.c.City }),
		fText("phone", "Phone|mobile|telephone|tel|phone number|mobile phone", "电话|手机|手机号|联系电话|手机号码",
			func(r *rec) *string { return &r.c.Phone }),
		fText("email", "Email|e-mail|email address|mail", "邮箱|电子邮件|电子邮箱", func(r *rec) *string { return &r.c.Email }),
		fText("channel", "Channel|acquisition channel|source|customer source", "获客渠道|渠道|来源|客户来源",
			func(r *rec) *string { return &r.c.Channel }),
		fText("campaign", "Campaign|acquisition campaign", "活动|获客活动", func(r *rec) *string { return &r.c.Campaign }),
		fText("owner", "Owner|sales rep|account manager|salesperson", "负责人|销售|客户经理|销售代表",
			func(r *rec) *string { return &r.c.Owner }),
		{name: "tags", typ: tText, en: syn("Tags|tag|labels"), zh: syn("标签"), present: []string{"tags"},
			set: func(r *rec, v *val) { r.c.Tags = splitList(v.s) },
			get: func(r *rec) string { return strings.Join(r.c.Tags, ", ") }},
		fBool("churned", "Churned|churn|churn label|churn flag|is churned", "是否流失|流失|已流失",
			func(r *rec) *bool { return &r.c.Churned }),
		fDate("churned_at", "Churned At|churn date", "流失日期|流失时间", func(r *rec) *time.Time { return &r.c.ChurnedAt }),
		fDate("created_at", "Created At|signup date|join date|registered at|registration date",
			"创建时间|注册时间|注册日期|入会日期", func(r *rec) *time.Time { return &r.c.CreatedAt }),
		// An account or company column names a company: it is the id and the name, and the
		// customer is an enterprise.
		importOnly("account", tText, "account|account name|company|company name", "企业名称|公司名称|公司",
			func(r *rec, v *val) {
				r.c.ExternalID = v.s
				if r.c.Name == "" {
					r.c.Name = v.s
				}
				r.c.Kind = kexi.Enterprise
			}, "external_id", "name", "kind"),
	}
}

// sideFields are the customer fields an order, survey or response file may carry about its
// customer: everything but the id (the record's customer column is the id).
func sideFields() []*field {
	var out []*field
	for _, f := range customerFields() {
		if f.name == "external_id" || f.name == "account" || f.name == "name" || f.name == "channel" ||
			f.name == "created_at" || f.name == "kind" || f.name == "campaign" {
			continue
		}
		out = append(out, f)
	}
	return out
}

func orderFields() []*field {
	return []*field{
		fText("external_id", "External ID|order id|orderid|order no|order number|invoice|invoice no|invoiceno|invoice number|id",
			"订单编号|订单号|单号|订单id", func(r *rec) *string { return &r.o.ExternalID }),
		fText("customer", "Customer|customer id|customerid|cust id|client id|buyer id|customer external id",
			"客户编号|客户id|客户号|买家id|客户", func(r *rec) *string { return &r.o.Customer }),
		fDate("ordered_at", "Ordered At|order date|invoice date|invoicedate|date|order time|created at|purchase date",
			"下单时间|订单创建时间|订单日期|下单日期|日期|成交时间", func(r *rec) *time.Time { return &r.o.OrderedAt }),
		fNum("amount", "Amount|order amount|total|revenue|sales|paid amount|order total",
			"订单金额|金额|买家实际支付金额|实付金额|实际支付金额|销售额|成交金额", func(r *rec) *float64 { return &r.o.Amount }),
		fNum("cost", "Cost|cost of goods|cogs", "成本|商品成本", func(r *rec) *float64 { return &r.o.Cost }),
		fNum("shipping", "Shipping|shipping cost|freight|freight value", "运费|物流成本", func(r *rec) *float64 { return &r.o.Shipping }),
		fNum("discount", "Discount", "折扣|优惠|优惠金额|折扣金额", func(r *rec) *float64 { return &r.o.Discount }),
		fNum("returned", "Returned|returned amount|refund|refund amount|refunded", "退款金额|退货金额|退款",
			func(r *rec) *float64 { return &r.o.Returned }),
		fText("channel", "Channel|sales channel|order channel", "渠道|销售渠道|下单渠道", func(r *rec) *string { return &r.o.Channel }),
		fText("status", "Status|order status", "订单状态|状态", func(r *rec) *string { return &r.o.Status }).values(statusValues),
		fText("province", "Province|ship province|shipping province|shipping state|state", "省份|收货地址|收货省份|省",
			func(r *rec) *string { return &r.o.Province }),
		fText("city", "City|ship city|shipping city", "城市|收货城市|市", func(r *rec) *string { return &r.o.City }),
		// A paid-at column: an empty cell means the order is not paid yet (pending).
		{name: "paid_at", typ: tDate, en: syn("paid at|payment date|paid date|payment time"),
			zh: syn("订单付款时间|付款时间|支付时间"), present: []string{"status"}, empty: true,
			set: func(r *rec, v *val) {
				if v.s == "" {
					r.paid = 1
				} else {
					r.paid = 2
				}
			}},
		line(fText("items.sku", "SKU|stock code|stockcode|product id|product code|item code|product",
			"商品编号|商品代码|产品编号|货号|商品id", func(r *rec) *string { return &r.it.SKU })),
		line(fText("items.name", "Item Name|description|product name|item", "商品名称|产品名称|商品|品名",
			func(r *rec) *string { return &r.it.Name })),
		line(fText("items.category", "Item Category|category|product category", "品类|商品类别|类别|产品类别",
			func(r *rec) *string { return &r.it.Category })),
		line(fNum("items.quantity", "Quantity|qty|units", "数量|购买数量|件数", func(r *rec) *float64 { return &r.it.Quantity })),
		line(fNum("items.unit_price", "Unit Price|unitprice|price|item price", "单价|商品单价|售价",
			func(r *rec) *float64 { return &r.it.UnitPrice })),
		line(fNum("items.unit_cost", "Unit Cost|item cost", "单位成本|成本单价", func(r *rec) *float64 { return &r.it.UnitCost })),
	}
}

func withPresent(f *field, present ...string) *field {
	f.present = present
	return f
}

func line(f *field) *field {
	f.line = true
	f.present = []string{"items"}
	set := f.set
	f.set = func(r *rec, v *val) { r.hasItem = true; set(r, v) }
	return f
}

func productFields() []*field {
	return []*field{
		fText("external_id", "SKU|external id|stock code|stockcode|product id|product code|item code",
			"商品编号|商品代码|产品编号|货号|商品id", func(r *rec) *string { return &r.p.ExternalID }),
		fText("name", "Name|product name|description|product", "商品名称|产品名称|名称|品名", func(r *rec) *string { return &r.p.Name }),
		fText("category", "Category|product category", "品类|商品类别|类别|产品类别", func(r *rec) *string { return &r.p.Category }),
		fNum("price", "Price|unit price|sales price|list price", "价格|单价|售价", func(r *rec) *float64 { return &r.p.Price }),
		fNum("cost", "Cost|unit cost", "成本|单位成本", func(r *rec) *float64 { return &r.p.Cost }),
	}
}

func interactionFields() []*field {
	return []*field{
		fText("external_id", "External ID|interaction id|ticket id|activity id|id", "互动编号|记录编号|工单编号",
			func(r *rec) *string { return &r.x.ExternalID }),
		fText("customer", "Customer|customer id|customerid|client id", "客户编号|客户id|客户", func(r *rec) *string { return &r.x.Customer }),
		fDate("at", "At|date|time|contact date|interaction date", "时间|日期|互动时间|联系时间", func(r *rec) *time.Time { return &r.x.At }),
		fText("kind", "Kind|type|interaction type|activity type", "类型|互动类型", func(r *rec) *string { return &r.x.Kind }).values(interactionValues),
		fText("channel", "Channel|contact channel", "渠道|沟通渠道", func(r *rec) *string { return &r.x.Channel }),
		fNum("minutes", "Minutes|duration|duration (min)|time spent", "时长|时长(分钟)|分钟|耗时", func(r *rec) *float64 { return &r.x.Minutes }),
		fText("rep", "Rep|agent|sales rep|staff", "客服|销售|负责人|员工", func(r *rec) *string { return &r.x.Rep }),
		fText("subject", "Subject|topic|title", "主题|标题", func(r *rec) *string { return &r.x.Subject }),
		fText("notes", "Notes|note|comment|description", "备注|内容|说明", func(r *rec) *string { return &r.x.Notes }),
	}
}

func eventFields() []*field {
	return []*field{
		fText("external_id", "External ID|event id|id", "事件编号", func(r *rec) *string { return &r.e.ExternalID }),
		fText("customer", "Customer|customer id|customerid|user id", "客户编号|客户id|用户id", func(r *rec) *string { return &r.e.Customer }),
		fText("anonymous_id", "Anonymous ID|visitor id|device id|cookie id", "访客id|匿名id|设备id",
			func(r *rec) *string { return &r.e.AnonymousID }),
		fDate("at", "At|time|timestamp|event time|date", "时间|事件时间|日期", func(r *rec) *time.Time { return &r.e.At }),
		fText("type", "Type|event|event type|action", "事件|事件类型|行为|行为类型", func(r *rec) *string { return &r.e.Type }),
		fText("page", "Page|url|page url|path", "页面|网址|链接", func(r *rec) *string { return &r.e.Page }),
		fNum("dwell", "Dwell|dwell seconds|duration|time on page", "停留时间|停留时长|停留秒数", func(r *rec) *float64 { return &r.e.Dwell }),
		fText("session_id", "Session ID|session", "会话id|会话", func(r *rec) *string { return &r.e.SessionID }),
	}
}

func surveyFields() []*field {
	scoreAs := func(kind string) func(*rec, *val) {
		return func(r *rec, v *val) {
			r.s.Score = v.f
			if r.s.Kind == "" {
				r.s.Kind = kind
			}
		}
	}
	return []*field{
		fText("external_id", "External ID|response id|survey id|status id|answer id|id", "问卷编号|调查编号|答卷编号",
			func(r *rec) *string { return &r.s.ExternalID }),
		fText("customer", "Customer|customer id|customerid|client id", "客户编号|客户id|客户", func(r *rec) *string { return &r.s.Customer }),
		fDate("at", "At|date|survey date|response date|submitted at", "时间|日期|调查时间|提交时间", func(r *rec) *time.Time { return &r.s.At }),
		fText("kind", "Kind|survey kind|survey type|type", "调查类型|类型", func(r *rec) *string { return &r.s.Kind }).values(surveyKindValues),
		fNum("score", "Score|rating", "得分|评分|分数", func(r *rec) *float64 { return &r.s.Score }),
		importOnly("score", tNumber, "satisfaction score|satisfaction|csat|csat score", "满意度|满意度评分|满意度得分",
			scoreAs(kexi.CSAT), "score", "kind"),
		importOnly("score", tNumber, "nps|nps score|likelihood to recommend|recommend score", "净推荐值|推荐意愿|推荐度",
			scoreAs(kexi.NPS), "score", "kind"),
		importOnly("score", tNumber, "ces|ces score|customer effort score|effort score", "费力度|客户费力度",
			scoreAs(kexi.CES), "score", "kind"),
		fText("channel", "Channel|survey channel", "渠道|调查渠道", func(r *rec) *string { return &r.s.Channel }).values(surveyChannelValues),
		fText("comment", "Comment|comments|feedback|verbatim", "评论|意见|反馈|留言", func(r *rec) *string { return &r.s.Comment }),
	}
}

func leadFields() []*field {
	enter := func(stage string) func(*rec, *val) {
		return func(r *rec, v *val) { r.l.Stages = append(r.l.Stages, kexi.StageEntry{Stage: stage, EnteredAt: v.t}) }
	}
	return []*field{
		fText("external_id", "External ID|lead id|mql id|opportunity id|opportunity|deal id|id", "线索编号|线索id|商机编号",
			func(r *rec) *string { return &r.l.ExternalID }),
		fText("name", "Name|lead name|contact name|contact", "线索名称|联系人|姓名|名称", func(r *rec) *string { return &r.l.Name }),
		fText("company", "Company|account|company name|organisation|organization", "公司|公司名称|企业名称|客户名称",
			func(r *rec) *string { return &r.l.Company }),
		fText("source", "Source|origin|lead source|channel", "来源|线索来源|渠道", func(r *rec) *string { return &r.l.Source }),
		fText("campaign", "Campaign|campaign id", "活动|营销活动", func(r *rec) *string { return &r.l.Campaign }),
		fText("owner", "Owner|sales agent|sales rep|salesperson|sr id|assigned to", "负责人|销售|销售代表|跟进人",
			func(r *rec) *string { return &r.l.Owner }),
		fText("stage", "Stage|deal stage|lead stage|status", "阶段|销售阶段|线索阶段|状态",
			func(r *rec) *string { return &r.l.Stage }).values(stageValues),
		{name: "stages", typ: tText, en: syn("Stage History|stages"), zh: syn("阶段历史"), present: []string{"stages"},
			set: func(r *rec, v *val) {}, // parsed in setStages, which needs to report errors
			get: func(r *rec) string { return formatStages(r.l.Stages, r.loc) }},
		fText("lost_reason", "Lost Reason|loss reason|reason lost", "流失原因|输单原因", func(r *rec) *string { return &r.l.LostReason }),
		fNum("value", "Value|close value|deal value|amount|expected value|opportunity value", "金额|预计金额|商机金额|成交金额",
			func(r *rec) *float64 { return &r.l.Value }),
		fText("customer", "Customer|customer id|converted customer", "客户编号|转化客户", func(r *rec) *string { return &r.l.Customer }),
		fText("province", "Province|lead province", "省份|所在省份|省", func(r *rec) *string { return &r.l.Province }),
		withPresent(fDate("created_at", "Created At|first contact date|first contact|create date|created|lead date",
			"创建时间|首次接触时间|首次联系时间|创建日期", func(r *rec) *time.Time { return &r.l.CreatedAt }), "created_at", "stages"),
		importOnly("won_date", tDate, "won date|won at|date won", "成交时间|成交日期|赢单日期", enter(kexi.StageWon), "stage", "stages"),
		importOnly("lost_date", tDate, "lost date|lost at|date lost", "流失时间|流失日期|输单日期", enter(kexi.StageLost), "stage", "stages"),
		importOnly("engage_date", tDate, "engage date|engaged at|follow up date", "跟进时间|跟进日期", enter(kexi.StageFollowUp), "stages"),
		importOnly("quote_date", tDate, "quote date|quoted at|proposal date", "报价时间|报价日期", enter(kexi.StageQuote), "stages"),
		importOnly("close_date", tDate, "close date|closed at|closed date|close time", "关闭时间|结束时间",
			func(r *rec, v *val) { r.closeAt = v.t }, "stages"),
	}
}

func campaignFields() []*field {
	return []*field{
		fText("external_id", "External ID|campaign id|id", "活动编号|活动id", func(r *rec) *string { return &r.cp.ExternalID }),
		fText("name", "Name|campaign|campaign name", "活动名称|名称|活动", func(r *rec) *string { return &r.cp.Name }),
		fText("channel", "Channel", "渠道|投放渠道", func(r *rec) *string { return &r.cp.Channel }),
		fDate("start", "Start|start date|starts", "开始时间|开始日期", func(r *rec) *time.Time { return &r.cp.Start }),
		fDate("end", "End|end date|ends", "结束时间|结束日期", func(r *rec) *time.Time { return &r.cp.End }),
		fNum("cost", "Cost|budget|spend", "成本|费用|预算|花费", func(r *rec) *float64 { return &r.cp.Cost }),
		fText("target_segment", "Target Segment|segment|target|audience", "目标客群|目标人群|目标细分", func(r *rec) *string { return &r.cp.TargetSegment }),
	}
}

func responseFields() []*field {
	return []*field{
		fText("external_id", "External ID|response id|id", "响应编号", func(r *rec) *string { return &r.r.ExternalID }),
		// Not plain "campaign": in many exports (UCI bank marketing) that is a count of contacts.
		fText("campaign", "Campaign ID|campaign external id|campaign name", "活动编号|活动", func(r *rec) *string { return &r.r.Campaign }),
		fText("customer", "Customer|customer id|customerid|client id", "客户编号|客户id|客户", func(r *rec) *string { return &r.r.Customer }),
		fDate("at", "At|date|response date|time", "时间|日期|响应时间", func(r *rec) *time.Time { return &r.r.At }),
		fText("kind", "Kind|response|response kind|outcome|result|y|subscribed", "响应|响应类型|结果",
			func(r *rec) *string { return &r.r.Kind }),
		fNum("value", "Value|response value|revenue", "金额|价值", func(r *rec) *float64 { return &r.r.Value }),
		fBool("control", "Control|control group|holdout", "对照组|控制组", func(r *rec) *bool { return &r.r.Control }),
		// How long the call lasted is known only after the call: it is dropped rather than kept
		// as a customer attribute that would leak the outcome into churn or response models.
		importOnly("duration", tText, "duration|call duration", "通话时长", func(*rec, *val) {}),
	}
}

func competitorFields() []*field {
	return []*field{
		fText("external_id", "External ID|competitor id|id", "竞争对手编号", func(r *rec) *string { return &r.k.ExternalID }),
		fText("name", "Name|competitor|competitor name", "名称|竞争对手|竞争对手名称", func(r *rec) *string { return &r.k.Name }),
		fBool("self", "Self|is self|us", "本公司|自身", func(r *rec) *bool { return &r.k.Self }),
		fText("products", "Products|product range", "产品|主要产品", func(r *rec) *string { return &r.k.Products }),
		fText("positioning", "Positioning|price positioning|price level", "定位|价格定位", func(r *rec) *string { return &r.k.Positioning }),
		{name: "shares", typ: tText, en: syn("Market Shares|shares"), zh: syn("市场份额"), present: []string{"shares"},
			set: func(r *rec, v *val) {}, get: func(r *rec) string { return formatShares(r.k.Shares) }},
		fText("notes", "Notes|note|comment", "备注|说明", func(r *rec) *string { return &r.k.Notes }),
	}
}

func swotFields() []*field {
	return []*field{
		fText("external_id", "External ID|id", "编号", func(r *rec) *string { return &r.w.ExternalID }),
		fText("kind", "Kind|type|swot|category", "类型|类别", func(r *rec) *string { return &r.w.Kind }).values(swotValues),
		fText("text", "Text|item|description", "内容|描述|条目", func(r *rec) *string { return &r.w.Text }),
		fInt("impact", "Impact", "影响|影响程度", func(r *rec) *int { return &r.w.Impact }),
		fText("scope", "Scope", "范围", func(r *rec) *string { return &r.w.Scope }),
		fText("metric", "Metric|linked metric", "指标|关联指标", func(r *rec) *string { return &r.w.Metric }),
	}
}

// kinds lists every importable kind, in kexi.Kinds order.
var kinds = buildKinds()

func buildKinds() map[string]*kindDef {
	m := map[string]*kindDef{
		kexi.KindCustomers: {fields: customerFields(), custom: func(r *rec) *map[string]string { return &r.c.Custom },
			required: []string{"external_id", "name", "account"}},
		kexi.KindOrders: {fields: orderFields(), customer: func(r *rec) *string { return &r.o.Customer },
			required: []string{"ordered_at"}},
		kexi.KindProducts: {fields: productFields(), required: []string{"external_id"}},
		kexi.KindInteractions: {fields: interactionFields(), customer: func(r *rec) *string { return &r.x.Customer },
			required: []string{"kind"}},
		kexi.KindEvents: {fields: eventFields(), customer: func(r *rec) *string { return &r.e.Customer },
			required: []string{"type"}},
		kexi.KindSurveys: {fields: surveyFields(), customer: func(r *rec) *string { return &r.s.Customer },
			required: []string{"score"}},
		kexi.KindLeads: {fields: leadFields(), custom: func(r *rec) *map[string]string { return &r.l.Custom },
			required: []string{"stage", "won_date", "created_at"}},
		kexi.KindCampaigns: {fields: campaignFields(), required: []string{"start", "cost"}},
		kexi.KindResponses: {fields: responseFields(), customer: func(r *rec) *string { return &r.r.Customer },
			required: []string{"kind"}},
		kexi.KindCompetitors: {fields: competitorFields(), required: []string{"shares", "positioning"}},
		kexi.KindSWOT:        {fields: swotFields(), required: []string{"text"}},
	}
	for name, k := range m {
		k.name = name
		if k.customer != nil {
			k.fields = append(k.fields, sideOf(sideFields())...)
		}
	}
	return m
}

// sideOf marks customer fields as applying to the customer a record refers to.
func sideOf(fs []*field) []*field {
	for _, f := range fs {
		f.name = "customer." + f.name
		f.get = nil // exports write the record's own fields only
	}
	return fs
}

func (f *field) side() bool { return strings.HasPrefix(f.name, "customer.") }

// normHeader normalises a header for matching: lower case, letters and digits only (so
// "Customer ID", "customer_id", "CustomerID" and "收货地址 " all match their synonym).
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// slug turns a header into a custom field name: lower case, words joined by underscores
// ("Spending Score (1-100)" → "spending_score_1_100").
func slug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		} else {
			gap = true
		}
	}
	return b.String()
}

// splitList splits a tag list on commas, semicolons, 、 and |.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '、' || r == '，' || r == '；' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// formatStages writes a stage history as "new@2018-02-01; won@2018-02-26 19:58:54".
func formatStages(st []kexi.StageEntry, loc *time.Location) string {
	parts := make([]string, len(st))
	for i, e := range st {
		parts[i] = e.Stage + "@" + formatTimeIn(e.EnteredAt, loc)
	}
	return strings.Join(parts, "; ")
}

// parseStages reads what formatStages writes, times without a zone in loc, each in dates.
func parseStages(s string, loc *time.Location, dates kexi.Dates) ([]kexi.StageEntry, error) {
	var out []kexi.StageEntry
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		stage, at, ok := strings.Cut(p, "@")
		if !ok {
			return nil, fmt.Errorf("expected stage history like new@2024-06-01; won@2024-06-30")
		}
		t, err := ParseDateWithin(at, loc, dates)
		if err != nil {
			return nil, fmt.Errorf("stage %q: %v", stage, err)
		}
		stage = strings.TrimSpace(stage)
		if m, ok := stageValues[strings.ToLower(stage)]; ok {
			stage = m
		}
		out = append(out, kexi.StageEntry{Stage: stage, EnteredAt: t})
	}
	return out, nil
}

// formatShares writes market shares as "2025@East=0.31; 2025-Q3=0.3" (period@region=share).
func formatShares(sh []kexi.MarketShare) string {
	parts := make([]string, len(sh))
	for i, m := range sh {
		p := m.Period
		if m.Region != "" {
			p += "@" + m.Region
		}
		parts[i] = p + "=" + formatNumber(m.Share)
	}
	return strings.Join(parts, "; ")
}

// parseShares reads what formatShares writes.
func parseShares(s string) ([]kexi.MarketShare, error) {
	var out []kexi.MarketShare
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		key, num, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("expected market shares like 2025@East=0.31; 2025-Q3=0.3")
		}
		f, err := ParseNumber(num)
		if err != nil {
			return nil, err
		}
		period, region, _ := strings.Cut(key, "@")
		out = append(out, kexi.MarketShare{Period: strings.TrimSpace(period), Region: strings.TrimSpace(region), Share: f})
	}
	return out, nil
}

// kindNames returns the kinds in kexi.Kinds order.
func kindNames() []string {
	out := make([]string, 0, len(kinds))
	for _, k := range kexi.Kinds {
		if kinds[k] != nil {
			out = append(out, k)
		}
	}
	return out
}

// Kinds lists the kinds sheet can import and export, in import order.
func Kinds() []string { return kindNames() }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Fields lists the JSON names of the fields a column of a kind's file may map to (as in
// Mapping.Columns), in the order the kind defines them; nil for an unknown kind.
func Fields(kind string) []string {
	k := kinds[kind]
	if k == nil {
		return nil
	}
	out := make([]string, 0, len(k.fields))
	for _, f := range k.fields {
		if !slices.Contains(out, f.name) { // fields may share a name (income as a number or a band)
			out = append(out, f.name)
		}
	}
	return out
}
