package kexihttp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// The customer portrait (客户画像, A19) is one page: a header with the tags that matter
// (segment, tier, stage, churn risk, CLV), a few figures, the next best actions with their
// reasons, the purchase timeline and the category mix, one merged timeline of everything the
// customer did, the profile, and the per-analysis detail folded away. Its link back goes to
// the list the user came from (?from=, else the Referer), with that list's filters.

type timelineItem struct {
	At     time.Time
	When   string // At's day in the user's language
	Class  string // order, return, interaction, survey, response, event
	Kind   string // Class in the user's language
	Title  string
	Detail string
	Amount string
}

type tagView struct {
	Key, Label, Value, Link, Class string
}

type actionView struct{ Action, Reason string }

type insightView struct {
	Title string
	Link  string
	Items []figureView
}

type portraitView struct {
	C        *kexi.Customer
	Sub      []string // external id, kind, city, owner
	Tags     []tagView
	Figures  []figureView
	Actions  []actionView
	Charts   []chartSpec
	Timeline []timelineItem // the newest
	Earlier  []timelineItem // the rest, folded
	Attrs    []figureView
	Custom   []figureView
	Insights []insightView
	Back     string // the list the user came from
	BackText string
	AllLink  bool // also link to the whole customer list
}

// portraitShown is how many timeline entries show before the fold.
const portraitShown = 12

// portraitDetails are the analyses whose per-customer rows the folded detail shows, in
// order, when they are registered.
var portraitDetails = []string{"rfm", "pyramid", "lifecycle", "value", "clv", "churn", "satisfaction"}

// portraitParts are the Dataset parts the customer page's analyses read: portrait's and
// portraitDetails'.
func (s *Server) portraitParts() kexi.Parts {
	var p kexi.Parts
	for _, name := range append([]string{"portrait"}, portraitDetails...) {
		if a := s.byName[name]; a != nil {
			p |= analysis.Parts(a)
		}
	}
	return p
}

// portraitLink is the portrait of customer id, remembering the list page from.
func portraitLink(id int64, from string) string {
	l := "/customers/" + strconv.FormatInt(id, 10)
	if from != "" {
		l += "?from=" + url.QueryEscape(from)
	}
	return l
}

// handlePortrait is the customer portrait page.
func (s *Server) handlePortrait(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.getVisible(r, entities[kexi.KindCustomers])
	if err != nil {
		return err
	}
	cust := c.(*kexi.Customer)
	p := s.newPage(w, r, "Portrait", "customers")
	p.Title = p.T("Portrait") + " · " + cust.Name
	labels := p.Settings.Labels
	shown := func(field, v string) string { return labelText(labels, field, v) }
	v := portraitView{C: cust}
	v.Back, v.BackText = s.portraitBack(r, p)
	v.AllLink = v.Back != "/customers"
	for _, x := range []string{cust.ExternalID, p.T(string(cust.Kind)), shown("city", cust.City), shown("owner", cust.Owner)} {
		if x != "" {
			v.Sub = append(v.Sub, x)
		}
	}

	// Profile.
	add := func(key, val string) {
		if val != "" {
			v.Attrs = append(v.Attrs, figureView{Key: key, Label: p.T(key), Value: val})
		}
	}
	text := func(key, val string) { add(key, shown(key, val)) }
	add("gender", p.T(cust.Gender)) // male, female; any other value as it is
	if cust.Age > 0 {
		add("age", strconv.Itoa(cust.Age))
	}
	add("birth_date", p.Date(cust.BirthDate))
	if cust.Income > 0 {
		add("income", p.Money(cust.Income))
	}
	text("income_band", cust.IncomeBand)
	text("occupation", cust.Occupation)
	text("education", cust.Education)
	text("country", cust.Country)
	text("province", cust.Province)
	add("phone", cust.Phone)
	add("email", cust.Email)
	text("channel", cust.Channel)
	text("campaign", cust.Campaign)
	add("created_at", p.Date(cust.CreatedAt))
	keys := make([]string, 0, len(cust.Custom))
	for k := range cust.Custom {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Custom = append(v.Custom, figureView{Key: k, Label: k, Value: shown("custom."+k, cust.Custom[k])})
	}

	ctx := r.Context()
	sc := scopeOf(r)
	d, err := s.dataset(ctx, sc, s.portraitParts())
	if err != nil {
		return err
	}
	id := strconv.FormatInt(cust.ID, 10)
	tag := func(key, label, value, link, class string) {
		if value != "" {
			v.Tags = append(v.Tags, tagView{Key: key, Label: label, Value: value, Link: link, Class: class})
		}
	}

	// The portrait analysis: tags, figures, actions, charts and the timeline.
	var pres *analysis.Result
	var pinfo analysis.Info
	if a := s.byName["portrait"]; a != nil {
		info := a.Info()
		res, _, err := s.runAnalysis(ctx, sc, a, analysis.Input{Options: map[string]string{"customer": id}}, d)
		if err != nil {
			return err
		}
		pres, pinfo = res, info
		fig := func(k string) analysis.Figure { f, _ := res.Figure(k); return f }
		for _, t := range []struct{ key, name, col string }{{"cn8", "rfm", "cn8"}, {"tier", "pyramid", "tier"}, {"stage", "lifecycle", "stage"}} {
			if f := fig(t.key); f.Text != "" {
				link := ""
				if s.byName[t.name] != nil {
					link = drillLink(t.name, url.Values{}, kexi.Cond{Field: t.col, Value: f.Text})
				}
				tag(t.key, p.T("pt_tag_"+t.key), label(&info, p.Lang, f.Text), link, "")
			}
		}
		if f, ok := res.Figure("monetary"); ok {
			n := fig("frequency").Value
			v.Figures = append(v.Figures, p.short(figureView{Key: "monetary", Label: label(&info, p.Lang, "monetary"), Value: p.Money(f.Value)}, f.Value, true),
				figureView{Key: "frequency", Label: label(&info, p.Lang, "frequency"), Value: p.Num(n)})
			if n > 0 {
				v.Figures = append(v.Figures, figureView{Key: "aov", Label: p.T("pt_aov"), Value: p.Money(f.Value / n)})
			}
			v.Figures = append(v.Figures, figureView{Key: "recency", Label: p.T("pt_recency"), Value: p.Num(fig("recency").Value)})
		}
		if t := res.Table("actions"); t != nil {
			for _, row := range t.Rows {
				a, _ := row[0].(string)
				why, _ := row[1].(string)
				v.Actions = append(v.Actions, actionView{Action: label(&info, p.Lang, a), Reason: label(&info, p.Lang, why)})
			}
		}
		for _, se := range res.Series {
			ch := chartOf(&info, p.Lang, se)
			ch.Symbol = currencySymbols[p.Settings.Currency]
			if se.Key == "category_mix" {
				for i, x := range se.X {
					if l, ok := labels.Label("category", x); ok {
						ch.X[i] = l
					}
				}
			}
			if se.Key == "purchases_by_month" && len(ch.Y) > 1 {
				ch.Y = ch.Y[:1] // revenue; the count, on a second axis, made the bars hard to read
			}
			if len(se.X) > 0 && se.Kind == "bar" {
				ch.Partial = partialMonth(p, se.X[len(se.X)-1], res.AsOf)
			}
			v.Charts = append(v.Charts, ch)
		}
	}

	// Churn risk and CLV from their models, and the folded per-analysis detail.
	var churnTag, clvTag tagView
	for _, name := range portraitDetails {
		a := s.byName[name]
		if a == nil {
			continue
		}
		info := a.Info()
		res, _, err := s.runAnalysis(ctx, sc, a, analysis.Input{Options: map[string]string{}}, d)
		if err != nil {
			s.log.Warn("portrait analysis", "analysis", name, "err", err)
			continue
		}
		t, row := perCustomerRow(res, cust.ID)
		if row == nil {
			continue
		}
		iv := insightView{Title: info.Title.In(p.Lang), Link: "/analyses/" + name}
		vals := res.FigureValues(func(k string) string { return label(&info, p.Lang, k) },
			func(x float64) string { return smartNum(p.Lang, x) })
		for j := 1; j < len(row) && j < len(t.Columns); j++ {
			col := t.Columns[j]
			if col.Key == "name" {
				continue
			}
			iv.Items = append(iv.Items, figureView{Key: col.Key, Label: labelIn(&info, p.Lang, col.Key, vals), Value: p.cell(&info, col.Type, row[j]).Text})
		}
		v.Insights = append(v.Insights, iv)
		switch name {
		case "churn":
			band, _ := cellOf(t, row, "risk_band").(string)
			prob, _ := cellOf(t, row, "probability").(float64)
			if band != "" {
				churnTag = tagView{Key: "churn", Label: p.T("pt_tag_churn"), Value: label(&info, p.Lang, band) + " · " + p.Pct(prob),
					Link: drillLink(name, url.Values{}, kexi.Cond{Field: "risk_band", Value: band}), Class: "risk-" + band}
			}
		case "clv":
			if x, ok := cellOf(t, row, "clv").(float64); ok {
				h := "12"
				for _, o := range info.Options {
					if o.Key == "horizon" {
						h = o.Default
					}
				}
				clvTag = tagView{Key: "clv", Label: p.Tf("pt_tag_clv", h), Value: p.Money(x)}
			}
		}
	}
	for _, t := range []tagView{churnTag, clvTag} {
		tag(t.Key, t.Label, t.Value, t.Link, t.Class)
	}
	for _, t := range cust.Tags {
		tag("tag", p.T("Tags"), shown("tags", t), "/customers?f="+url.QueryEscape("tags:eq:"+t), "own")
	}

	tl, err := s.portraitTimeline(ctx, p, cust.ID, sc, pres, &pinfo, d)
	if err != nil {
		return err
	}
	if len(tl) > portraitShown {
		v.Timeline, v.Earlier = tl[:portraitShown], tl[portraitShown:]
	} else {
		v.Timeline = tl
	}
	p.Data = v
	return s.render(w, r, http.StatusOK, "portrait", p)
}

// customerRow finds customer id's row in the first per-customer table of res.
func perCustomerRow(res *analysis.Result, id int64) (*analysis.Table, []any) {
	for ti := range res.Tables {
		t := &res.Tables[ti]
		if !t.PerCustomer {
			continue
		}
		for _, row := range t.Rows {
			if x, ok := row[0].(int64); ok && x == id {
				return t, row
			}
		}
		return t, nil
	}
	return nil, nil
}

// cellOf is the value of column key in row, nil without one.
func cellOf(t *analysis.Table, row []any, key string) any {
	for j, c := range t.Columns {
		if c.Key == key && j < len(row) {
			return row[j]
		}
	}
	return nil
}

// portraitBack is the list the portrait was opened from and the link's text: the from
// parameter, else the Referer when it is a page of this site, else the customer list.
func (s *Server) portraitBack(r *http.Request, p *page) (string, string) {
	raw := r.URL.Query().Get("from")
	if raw == "" {
		if u, err := url.Parse(r.Referer()); err == nil && u.Host == r.Host {
			raw = u.RequestURI()
		}
	}
	from := localPath(raw)
	if from == "/" && strings.TrimSpace(raw) != "/" {
		from = "" // none, or off the site
	}
	path, _, _ := strings.Cut(from, "?")
	switch {
	case path == "/customers":
		return from, p.T("pt_back_customers")
	case strings.HasPrefix(path, "/analyses/"):
		if a := s.byName[strings.TrimPrefix(path, "/analyses/")]; a != nil {
			return from, p.Tf("pt_back_to", a.Info().Title.In(p.Lang))
		}
	case strings.HasPrefix(path, "/data/"):
		if k := strings.TrimPrefix(path, "/data/"); entities[k] != nil {
			return from, p.Tf("pt_back_to", p.T(k))
		}
	case path == "/":
		return from, p.Tf("pt_back_to", p.T("Dashboard"))
	}
	return "/customers", p.T("pt_back_customers")
}

// portraitTimeline is everything customer id did, newest first, in the user's language: the
// portrait analysis's timeline res (every order and return, interaction, survey and campaign
// response to its as-of date; nil without the analysis), the orders with their items from the
// Dataset d, and the web events, which the analysis does not list, summed per day (the newest
// 500 events from the store).
func (s *Server) portraitTimeline(ctx context.Context, p *page, id int64, sc kexi.Scope, res *analysis.Result, info *analysis.Info, d *data) ([]timelineItem, error) {
	by := func(sort string) kexi.Filter {
		return kexi.Filter{Where: []kexi.Cond{{Field: "customer_id", Op: kexi.Eq, Value: strconv.FormatInt(id, 10)}},
			Sort: sort, Limit: 500, Scope: sc}
	}
	shown := func(field, v string) string { return labelText(p.Settings.Labels, field, v) }
	join := func(parts ...string) string {
		var out []string
		for _, x := range parts {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return strings.Join(out, " · ")
	}
	var tl []timelineItem
	if res != nil {
		tl = portraitEvents(p, info, res.Table("timeline"), d.ds, id, shown, join)
	}
	evs, _, err := s.st.FindEvents(ctx, by("-at"))
	if err != nil {
		return nil, err
	}
	// Web events, one entry per day: 浏览页面 ×5 · 加入购物车 ×1.
	type daySum struct {
		last  time.Time
		n     map[string]int
		order []string
	}
	days := map[string]*daySum{}
	for i := len(evs) - 1; i >= 0; i-- { // oldest first: a day reads in the order it happened
		e := evs[i]
		k := p.local(e.At).Format("2006-01-02")
		ds := days[k]
		if ds == nil {
			ds = &daySum{n: map[string]int{}}
			days[k] = ds
		}
		if e.At.After(ds.last) {
			ds.last = e.At
		}
		if ds.n[e.Type] == 0 {
			ds.order = append(ds.order, e.Type)
		}
		ds.n[e.Type]++
	}
	for _, ds := range days {
		var parts []string
		for _, t := range ds.order {
			name := shown("type", t)
			if x, ok := catalog["ev."+t]; ok {
				name = x.In(p.Lang)
			}
			parts = append(parts, fmt.Sprintf("%s ×%d", name, ds.n[t]))
		}
		tl = append(tl, timelineItem{At: ds.last, Class: "event", Title: join(parts...)})
	}
	for i := range tl {
		tl[i].Kind = p.T("pt_kind_" + tl[i].Class)
		tl[i].When = p.Date(tl[i].At)
	}
	// Newest first; at one time, orders, interactions, surveys, responses, then web events.
	rank := map[string]int{"order": 0, "return": 0, "interaction": 1, "survey": 2, "response": 3, "event": 4}
	sort.SliceStable(tl, func(i, j int) bool {
		if !tl[i].At.Equal(tl[j].At) {
			return tl[i].At.After(tl[j].At)
		}
		return rank[tl[i].Class] < rank[tl[j].Class]
	})
	return tl, nil
}

// portraitEvents turns the portrait analysis's timeline table t (newest first: at, event,
// detail, amount) into timeline items. Each row is a record of the customer's in ds (its
// order, interaction, survey or campaign response at that time, taken newest first in the
// order the analysis lists them), shown as the record has it: an order's items and channel,
// an interaction's notes and representative, a survey's channel, a response's control group.
// A row without its record shows the row's own detail.
func portraitEvents(p *page, info *analysis.Info, t *analysis.Table, ds *kexi.Dataset, id int64,
	shown func(field, v string) string, join func(parts ...string) string) []timelineItem {
	if t == nil {
		return nil
	}
	own := ds.Orders.Slice(ds.Orders.CustomerOrders(id))
	next := own.Len() - 1 // the customer's orders, newest first, as the table's order rows come
	inter := newest(ds.Interactions, func(x *kexi.Interaction) bool { return x.CustomerID == id },
		func(x *kexi.Interaction) time.Time { return x.At })
	surveys := newest(ds.Surveys, func(x *kexi.SurveyResponse) bool { return x.CustomerID == id },
		func(x *kexi.SurveyResponse) time.Time { return x.At })
	responses := newest(ds.Responses, func(x *kexi.CampaignResponse) bool { return x.CustomerID == id },
		func(x *kexi.CampaignResponse) time.Time { return x.At })
	var tl []timelineItem
	for _, row := range t.Rows {
		at, _ := row[0].(time.Time)
		kind, _ := row[1].(string)
		detail, _ := row[2].(string)
		amount, _ := row[3].(float64)
		it := timelineItem{At: at, Class: kind, Title: termsText(info, p.Lang, detail)}
		switch kind {
		case "order", "return":
			for next >= 0 && own.Time(next).After(at) {
				next-- // after the as-of date: not in the table
			}
			if next >= 0 && own.Time(next).Equal(at) {
				it.Title, it.Detail = own.ExternalID(next), orderDetail(p, &own, next, shown, join)
				next--
			}
			it.Amount = p.Money(amount)
		case "interaction":
			if x := inter.take(at); x != nil {
				mins := ""
				if x.Minutes > 0 {
					mins = p.Tf("pt_minutes", smartNum(p.Lang, x.Minutes))
				}
				it.Title = join(tr(p.Lang, x.Kind), x.Subject)
				it.Detail = join(shown("channel", x.Channel), x.Notes, mins, shown("rep", x.Rep))
			}
		case "survey":
			if x := surveys.take(at); x != nil {
				it.Title = p.Tf("pt_score", tr(p.Lang, x.Kind), smartNum(p.Lang, x.Score))
				it.Detail = join(x.Comment, shown("channel", x.Channel))
			}
		case "response":
			if x := responses.take(at); x != nil {
				kind := shown("kind", x.Kind)
				if t, ok := catalog["resp."+strings.ToLower(x.Kind)]; ok {
					kind = t.In(p.Lang)
				}
				it.Title = join(x.Campaign, kind)
				if x.Control {
					it.Detail = p.T("pt_control")
				}
				if x.Value != 0 {
					it.Amount = p.Money(x.Value)
				}
			}
		}
		tl = append(tl, it)
	}
	return tl
}

// walk is a customer's records of one kind taken from the newest, in the order the portrait
// analysis lists them: by time, ties as stored.
type walk[T any] struct {
	xs []*T
	at func(*T) time.Time
}

// newest returns the records of all that mine keeps, ready to take from the newest.
func newest[T any](all []T, mine func(*T) bool, at func(*T) time.Time) *walk[T] {
	w := &walk[T]{at: at}
	for i := range all {
		if mine(&all[i]) {
			w.xs = append(w.xs, &all[i])
		}
	}
	sort.SliceStable(w.xs, func(i, j int) bool { return at(w.xs[i]).Before(at(w.xs[j])) })
	return w
}

// take returns the newest record left at time t, passing over those after it (after the
// as-of date: not in the table), or nil.
func (w *walk[T]) take(t time.Time) *T {
	for len(w.xs) > 0 && w.at(w.xs[len(w.xs)-1]).After(t) {
		w.xs = w.xs[:len(w.xs)-1]
	}
	if len(w.xs) == 0 || !w.at(w.xs[len(w.xs)-1]).Equal(t) {
		return nil
	}
	x := w.xs[len(w.xs)-1]
	w.xs = w.xs[:len(w.xs)-1]
	return x
}

// orderDetail is what an order of the timeline holds: its first items, its channel and a
// status other than completed or return.
func orderDetail(p *page, t *kexi.OrderTable, i int, shown func(field, v string) string, join func(parts ...string) string) string {
	var names []string
	lo, hi := t.LineRange(i)
	for j := lo; j < hi; j++ {
		if j-lo == 3 {
			names = append(names, p.Tf("pt_more_items", hi-lo))
			break
		}
		x := t.Lines.ItemOf(j)
		nm := x.Name
		if nm == "" {
			nm = x.SKU
		}
		if q := t.Lines.Quantity[j]; q != 1 {
			nm += " ×" + smartNum(p.Lang, q)
		}
		names = append(names, nm)
	}
	status := ""
	if st := t.Status(i); st != "" && st != kexi.StatusCompleted && st != kexi.StatusReturn {
		status = tr(p.Lang, st)
	}
	return join(strings.Join(names, p.T("pt_list_sep")), shown("channel", t.Channel(i)), status)
}

func init() {
	for k, v := range map[string]T{
		"pt_tag_cn8":          {En: "RFM segment", Zh: "RFM 分群"},
		"pt_tag_tier":         {En: "Pyramid tier", Zh: "金字塔层级"},
		"pt_tag_stage":        {En: "Lifecycle stage", Zh: "生命周期阶段"},
		"pt_tag_churn":        {En: "Churn risk", Zh: "流失风险"},
		"pt_tag_clv":          {En: "Predicted value, next %s months", Zh: "未来 %s 个月预测价值"},
		"pt_aov":              {En: "Average order value", Zh: "客单价"},
		"pt_recency":          {En: "Days since last purchase", Zh: "距上次购买天数"},
		"pt_actions":          {En: "Next best actions", Zh: "下一步行动建议"},
		"pt_why":              {En: "Why: ", Zh: "原因："},
		"pt_timeline":         {En: "Timeline", Zh: "客户动态"},
		"pt_earlier":          {En: "%d earlier entries", Zh: "更早的 %d 条记录"},
		"pt_profile":          {En: "Profile", Zh: "客户资料"},
		"pt_details":          {En: "Every analysis about this customer", Zh: "各项分析明细"},
		"pt_back_customers":   {En: "Back to the customer list", Zh: "返回客户列表"},
		"pt_back_to":          {En: "Back to %s", Zh: "返回%s"},
		"pt_all_customers":    {En: "All customers", Zh: "全部客户"},
		"pt_no_actions":       {En: "No suggestion: no purchases yet.", Zh: "暂无建议：尚无购买记录。"},
		"pt_more_items":       {En: "%d items in all", Zh: "等共 %d 种商品"},
		"pt_list_sep":         {En: ", ", Zh: "、"},
		"pt_score":            {En: "%s score %s", Zh: "%s 评分 %s"},
		"pt_minutes":          {En: "%s min", Zh: "%s 分钟"},
		"pt_control":          {En: "control group", Zh: "对照组"},
		"pt_kind_order":       {En: "Order", Zh: "订单"},
		"pt_kind_return":      {En: "Return", Zh: "退货"},
		"pt_kind_interaction": {En: "Contact", Zh: "服务互动"},
		"pt_kind_survey":      {En: "Survey", Zh: "满意度调查"},
		"pt_kind_response":    {En: "Campaign", Zh: "营销活动"},
		"pt_kind_event":       {En: "Online", Zh: "线上行为"},
		"ev.page_view":        {En: "Page view", Zh: "浏览页面"},
		"ev.view_product":     {En: "Product view", Zh: "浏览商品"},
		"ev.click":            {En: "Click", Zh: "点击"},
		"ev.search":           {En: "Search", Zh: "搜索"},
		"ev.add_to_cart":      {En: "Add to cart", Zh: "加入购物车"},
		"ev.remove_from_cart": {En: "Remove from cart", Zh: "移出购物车"},
		"ev.checkout":         {En: "Checkout", Zh: "结算"},
		"ev.purchase":         {En: "Purchase", Zh: "购买"},
		"ev.login":            {En: "Sign-in", Zh: "登录"},
		"ev.signup":           {En: "Sign-up", Zh: "注册"},
		"ev.share":            {En: "Share", Zh: "分享"},
		"ev.favorite":         {En: "Favourite", Zh: "收藏"},
		"resp.purchase":       {En: "Purchase", Zh: "购买"},
		"resp.purchased":      {En: "Purchased", Zh: "已购买"},
		"resp.click":          {En: "Click", Zh: "点击"},
		"resp.clicked":        {En: "Clicked", Zh: "已点击"},
		"resp.open":           {En: "Open", Zh: "打开"},
		"resp.opened":         {En: "Opened", Zh: "已打开"},
		"resp.no_response":    {En: "No response", Zh: "无响应"},
		"resp.none":           {En: "No response", Zh: "无响应"},
		"resp.unsubscribe":    {En: "Unsubscribe", Zh: "退订"},
		"resp.unsubscribed":   {En: "Unsubscribed", Zh: "已退订"},
		"resp.visit":          {En: "Visit", Zh: "到访"},
	} {
		catalog[k] = v
	}
}
