package kexihttp

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// Languages the UI speaks. Lang values are "en" and "zh" everywhere (cookie, settings, URLs).
const (
	langEn = "en"
	langZh = "zh"
)

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// pickLang chooses the UI language: the lang cookie, else the browser's Accept-Language, else
// the business's default from settings.
func pickLang(r *http.Request, def string) string {
	if c, err := r.Cookie("lang"); err == nil && (c.Value == langEn || c.Value == langZh) {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, idx, conf := langMatcher.Match(tags...)
			if conf != language.No {
				if idx == 1 {
					return langZh
				}
				return langEn
			}
		}
	}
	if def == langEn {
		return langEn
	}
	return langZh
}

// tr returns the UI string for key in lang, or the key itself when the catalog lacks it (a
// test checks that every key used in templates is in the catalog).
func tr(lang, key string) string {
	if t, ok := catalog[key]; ok {
		return t.In(lang)
	}
	return key
}

// printer formats numbers with the locale's grouping.
func printer(lang string) *message.Printer {
	if lang == langZh {
		return message.NewPrinter(language.SimplifiedChinese)
	}
	return message.NewPrinter(language.English)
}

// fmtNum formats a number with thousands separators and at most dec decimals (trailing zeros
// kept, so columns line up).
func fmtNum(lang string, v float64, dec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if dec == 0 {
		return printer(lang).Sprintf("%d", int64(math.Round(v)))
	}
	return printer(lang).Sprintf("%.*f", dec, v)
}

// currencySymbols are the symbols of the currencies settings usually name.
var currencySymbols = map[string]string{"CNY": "¥", "RMB": "¥", "GBP": "£", "USD": "$", "EUR": "€",
	"JPY": "¥", "HKD": "HK$", "TWD": "NT$"}

// fmtMoney formats an amount in the settings' currency: "¥1,234.50", or "1,234.50 CHF" for a
// currency without a known symbol.
func fmtMoney(lang, currency string, v float64) string {
	n := fmtNum(lang, math.Abs(v), 2)
	sign := ""
	if v < 0 {
		sign = "-"
	}
	if s, ok := currencySymbols[strings.ToUpper(currency)]; ok {
		return sign + s + n
	}
	if currency == "" {
		return sign + n
	}
	return sign + n + " " + currency
}

// fmtPct formats a fraction (0.366) as a percentage ("36.6%").
func fmtPct(lang string, frac float64) string {
	if math.IsNaN(frac) || math.IsInf(frac, 0) {
		return "–"
	}
	return fmtNum(lang, frac*100, 1) + "%"
}

// fmtDate formats a date the way the locale writes it: "2 Jan 2026" or "2026年1月2日".
func fmtDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == langZh {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2 Jan 2006")
}

// fmtDateTime formats a time to the minute in the locale's way.
func fmtDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtDate(lang, t) + " " + t.Format("15:04")
}

// label translates an analysis key with the analysis's labels, then the UI catalog, else
// returns the key unchanged.
func label(info *analysis.Info, lang, key string) string {
	if t, ok := lookup(info, lang, key); ok {
		return t
	}
	return compound(info, lang, key)
}

// optionLabel names an analysis option: its "opt.KEY" label where the key also names a value
// (churn's option horizon and its label mode horizon), else its label.
func optionLabel(info *analysis.Info, lang, key string) string {
	if t, ok := lookup(info, lang, "opt."+key); ok {
		return t
	}
	return label(info, lang, key)
}

// tableTitle names a result table where its key also names a figure or a column (the table
// "customers" lists customers, the figure "customers" counts them): the analysis's own
// "table.KEY" label, else the catalog's "table.NAME.KEY" for that analysis, else the
// catalog's "table.KEY" for every analysis; else the table's label. TestTitlesNotReused checks
// that no title reads like a figure or column, TestTableTitleOneMeaning that a catalog title
// for every analysis stands only for a key that names something else too.
func tableTitle(info *analysis.Info, lang, key string) string {
	return tableTitleIn(info, lang, key, nil)
}

// tableTitleIn is tableTitle with the "{KEY}" placeholders of a table's label filled from
// vals.
func tableTitleIn(info *analysis.Info, lang, key string, vals map[string]string) string {
	if info != nil {
		if t, ok := info.Labels["table."+key]; ok {
			return analysis.Fill(t.In(lang), nil)
		}
		if t, ok := catalog["table."+info.Name+"."+key]; ok {
			return t.In(lang)
		}
	}
	if t, ok := catalog["table."+key]; ok {
		return t.In(lang)
	}
	return labelIn(info, lang, key, vals)
}

// Label translates an analysis key (a figure, a column, a categorical value, a churn feature)
// into lang ("en" or "zh") as the pages do, with its "{KEY}" placeholders filled from vals: the
// analysis's labels, then the UI catalog, then keys made of keys; anything else is a data value
// and comes back as it is. The command line prints results with it.
func Label(info *analysis.Info, lang, key string, vals map[string]string) string {
	return labelIn(info, lang, key, vals)
}

// TableTitle names a result table in lang as the pages do (客户明细 for the table
// "customers", whose key also names the figure 客户数).
func TableTitle(info *analysis.Info, lang, key string, vals map[string]string) string {
	return tableTitleIn(info, lang, key, vals)
}

// lookup translates key by the analysis's labels, then the UI catalog.
func lookup(info *analysis.Info, lang, key string) (string, bool) {
	if info != nil {
		if t, ok := info.Labels[key]; ok {
			return analysis.Fill(t.In(lang), nil), true
		}
	}
	if t, ok := catalog[key]; ok {
		return t.In(lang), true
	}
	return "", false
}

// compound translates a key made of keys: a list "recency, frequency" (each part, joined the
// language's way), a one-hot feature "kind=individual" (field and value), a custom field
// "custom.积分" (its name), a missing-value flag "age_missing" and a share "channel_share.app"
// (the field, then the value as it is). Anything else is returned unchanged: it is a data
// value, not a key.
func compound(info *analysis.Info, lang, key string) string {
	if strings.Contains(key, " · ") { // a pair of values: 广东 · individual
		parts := strings.Split(key, " · ")
		for i, p := range parts {
			parts[i] = label(info, lang, p)
		}
		return strings.Join(parts, " · ")
	}
	if strings.Contains(key, ", ") {
		parts := strings.Split(key, ", ")
		changed := false
		for i, p := range parts {
			if t := label(info, lang, p); t != p {
				parts[i], changed = t, true
			}
		}
		if !changed {
			return key
		}
		if lang == langZh {
			return strings.Join(parts, "、")
		}
		return strings.Join(parts, ", ")
	}
	if f, v, ok := strings.Cut(key, "="); ok && isIdent(f) {
		return label(info, lang, f) + "=" + label(info, lang, v)
	}
	if base, ok := strings.CutSuffix(key, "_missing"); ok && base != "" {
		if t := label(info, lang, base); t != base || strings.HasPrefix(base, "custom.") {
			return fmt.Sprintf(tr(lang, "feature_missing"), t)
		}
	}
	if name, ok := strings.CutPrefix(key, "custom."); ok && name != "" {
		return name
	}
	if base, ok := strings.CutPrefix(key, "mean_"); ok && strings.HasPrefix(base, "custom.") { // segments' profile of a custom field
		return fmt.Sprintf(tr(lang, "feature_mean"), label(info, lang, base))
	}
	if f, v, ok := strings.Cut(key, "."); ok && isIdent(f) && v != "" {
		if t, ok := lookup(info, lang, f); ok {
			return t + ": " + label(info, lang, v)
		}
		// A linked metric "analysis.key" (SWOT) reads as its key's label.
		if t, ok := lookup(info, lang, v); ok && isIdent(v) {
			return t
		}
	}
	return key
}

// isIdent reports whether s is a lower-case key: letters, digits and underscores.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// labelIn is label with the "{KEY}" placeholders filled from vals (see analysis.Fill).
func labelIn(info *analysis.Info, lang, key string, vals map[string]string) string {
	if info != nil {
		if t, ok := info.Labels[key]; ok {
			return analysis.Fill(t.In(lang), vals)
		}
	}
	return label(info, lang, key)
}

// help returns the one-line definition of an analysis's figure key (its "help.KEY" label), or
// "".
func help(info *analysis.Info, lang, key string) string {
	if info != nil {
		if t, ok := info.Labels["help."+key]; ok {
			return t.In(lang)
		}
	}
	return ""
}

// errText returns what a person should read about err, in lang: an analysis's refusal in
// lang, the message of a kexi.Error (translated when it is one of ours), or "internal
// error".
func errText(lang string, err error) string {
	code := kexi.ErrorCode(err)
	if code == kexi.EINTERNAL {
		return tr(lang, "internal error")
	}
	if r, ok := errors.AsType[*analysis.Refusal](err); ok {
		return r.Note.In(lang, nil)
	}
	msg := kexi.ErrorMessage(err)
	if t, ok := catalog[msg]; ok {
		return t.In(lang)
	}
	return msg
}

// T is shorthand for a catalog entry.
type T = analysis.Text

// catalog holds every UI string in English and Chinese, keyed by a short English key.
var catalog = map[string]T{
	// Navigation and layout.
	"kexi":            {En: "kexi", Zh: "客析"},
	"Dashboard":       {En: "Dashboard", Zh: "仪表盘"},
	"Analyses":        {En: "Analyses", Zh: "分析"},
	"Customers":       {En: "Customers", Zh: "客户"},
	"Data":            {En: "Data", Zh: "数据"},
	"Import":          {En: "Import", Zh: "导入"},
	"Users":           {En: "Users", Zh: "用户"},
	"Settings":        {En: "Settings", Zh: "设置"},
	"Sign out":        {En: "Sign out", Zh: "退出登录"},
	"Sign in":         {En: "Sign in", Zh: "登录"},
	"Login":           {En: "Login", Zh: "账号"},
	"Password":        {En: "Password", Zh: "密码"},
	"Name":            {En: "Name", Zh: "姓名"},
	"Role":            {En: "Role", Zh: "角色"},
	"Region":          {En: "Region", Zh: "区域"},
	"Language":        {En: "Language", Zh: "语言"},
	"English":         {En: "English", Zh: "English"},
	"中文":              {En: "中文", Zh: "中文"},
	"switch_lang":     {En: "中文", Zh: "English"},
	"Signed in as":    {En: "Signed in as", Zh: "当前用户"},
	"Skip to content": {En: "Skip to content", Zh: "跳到正文"},
	"Menu":            {En: "Menu", Zh: "菜单"},
	// Chart summaries for screen readers and print (a11y.go).
	"chart_highest":       {En: "highest: %s", Zh: "最高：%s"},
	"chart_lowest":        {En: "lowest: %s", Zh: "最低：%s"},
	"chart_first":         {En: "first: %s", Zh: "起点：%s"},
	"chart_last":          {En: "last: %s", Zh: "终点：%s"},
	"chart_top":           {En: "largest: %s", Zh: "最大：%s"},
	"chart_more":          {En: "%d categories", Zh: "共 %d 个类别"},
	"chart_points":        {En: "%d points", Zh: "%d 个点"},
	"chart_cells":         {En: "%d × %d cells", Zh: "%d × %d 个单元格"},
	"chart_empty":         {En: "no data", Zh: "无数据"},
	"Set up kexi":         {En: "Set up kexi", Zh: "初始化客析"},
	"setup_intro":         {En: "Create the first administrator. This link works once.", Zh: "创建第一个管理员账号。此链接只能使用一次。"},
	"Create admin":        {En: "Create administrator", Zh: "创建管理员"},
	"bad_login":           {En: "Wrong login or password.", Zh: "登录名或密码错误。"},
	"setup_used":          {En: "This setup link is not valid (already used or mistyped). Ask the person who started kexi, or run: kexi users add --role admin", Zh: "此初始化链接无效（已使用或输入有误）。请联系启动客析的人，或运行：kexi users add --role admin"},
	"Page not found":      {En: "Page not found", Zh: "页面不存在"},
	"Error":               {En: "Error", Zh: "错误"},
	"internal error":      {En: "internal error", Zh: "内部错误"},
	"not found":           {En: "not found", Zh: "未找到"},
	"forbidden":           {En: "You are not allowed to do this.", Zh: "您无权执行此操作。"},
	"unauthorized":        {En: "Please sign in.", Zh: "请先登录。"},
	"csrf":                {En: "The form expired or came from another site; reload the page and try again.", Zh: "表单已过期或来自其他网站，请刷新页面后重试。"},
	"Back":                {En: "Back", Zh: "返回"},
	"Save":                {En: "Save", Zh: "保存"},
	"Saved.":              {En: "Saved.", Zh: "已保存。"},
	"Delete":              {En: "Delete", Zh: "删除"},
	"Add":                 {En: "Add", Zh: "添加"},
	"Apply":               {En: "Apply", Zh: "应用"},
	"Run":                 {En: "Run", Zh: "运行"},
	"Reset":               {En: "Reset", Zh: "重置"},
	"Search":              {En: "Search", Zh: "搜索"},
	"Download CSV":        {En: "Download CSV", Zh: "下载 CSV"},
	"Download XLSX":       {En: "Download XLSX", Zh: "下载 XLSX"},
	"Export CSV":          {En: "Export CSV", Zh: "导出 CSV"},
	"Export XLSX":         {En: "Export XLSX", Zh: "导出 XLSX"},
	"Previous":            {En: "Previous", Zh: "上一页"},
	"Next":                {En: "Next", Zh: "下一页"},
	"page_of":             {En: "Rows %s–%s of %s", Zh: "第 %s–%s 行，共 %s 行"},
	"No data":             {En: "No data", Zh: "暂无数据"},
	"no_data_import":      {En: "There is no data yet. Import customers and orders first.", Zh: "还没有数据，请先导入客户和订单。"},
	"needs":               {En: "This analysis reads: %s. Import them to see results.", Zh: "此分析需要：%s。导入后即可查看结果。"},
	"Options":             {En: "Options", Zh: "选项"},
	"As of":               {En: "As of", Zh: "截至日期"},
	"From":                {En: "From", Zh: "开始日期"},
	"To":                  {En: "To", Zh: "结束日期"},
	"Summary":             {En: "Summary", Zh: "概览"},
	"Charts":              {En: "Charts", Zh: "图表"},
	"Tables":              {En: "Tables", Zh: "表格"},
	"Notes":               {En: "Notes", Zh: "说明"},
	"details":             {En: "Details and settings", Zh: "更多指标与设置"},
	"as_of_note":          {En: "As of %s", Zh: "截至 %s"},
	"computed_in":         {En: "computed in %s", Zh: "计算耗时 %s"},
	"Field":               {En: "Field", Zh: "字段"},
	"Condition":           {En: "Condition", Zh: "条件"},
	"Value":               {En: "Value", Zh: "值"},
	"Sort":                {En: "Sort", Zh: "排序"},
	"Columns":             {En: "Columns", Zh: "显示列"},
	"Filter":              {En: "Filter", Zh: "筛选"},
	"Add condition":       {En: "Add condition", Zh: "添加条件"},
	"Rows per page":       {En: "Rows per page", Zh: "每页行数"},
	"Timeline":            {En: "Timeline", Zh: "时间线"},
	"Attributes":          {En: "Attributes", Zh: "属性"},
	"Custom fields":       {En: "Custom fields", Zh: "自定义字段"},
	"Tags":                {En: "Tags", Zh: "标签"},
	"Portrait":            {En: "Customer portrait", Zh: "客户画像"},
	"Orders":              {En: "Orders", Zh: "订单"},
	"Interactions":        {En: "Interactions", Zh: "互动"},
	"Surveys":             {En: "Surveys", Zh: "满意度调查"},
	"Analysis view":       {En: "In the analyses", Zh: "分析结果"},
	"Upload":              {En: "Upload", Zh: "上传"},
	"File":                {En: "File", Zh: "文件"},
	"Kind":                {En: "Kind", Zh: "类型"},
	"kind_auto":           {En: "recognise from the column headers", Zh: "根据表头自动识别"},
	"Skip bad rows":       {En: "Skip bad rows; their error details can be downloaded after the import", Zh: "跳过错误行，导入后可下载错误明细"},
	"import_intro":        {En: "Upload a CSV, CSV.GZ or XLSX file of customers, orders, leads … Chinese or English column headers are accepted. You will see what kexi recognised before anything is imported.", Zh: "上传客户、订单、线索等 CSV、CSV.GZ 或 XLSX 文件，中英文表头均可。导入前会先显示识别结果，确认后才导入。"},
	"Uploading":           {En: "Uploading…", Zh: "上传中…"},
	"Importing":           {En: "Importing…", Zh: "导入中…"},
	"Import done":         {En: "Import finished", Zh: "导入完成"},
	"Import failed":       {En: "Import failed", Zh: "导入失败"},
	"Inserted":            {En: "Inserted", Zh: "新增"},
	"Updated":             {En: "Updated", Zh: "更新"},
	"Unchanged":           {En: "Unchanged", Zh: "无变化"},
	"Rejected":            {En: "Rows not imported", Zh: "未导入的行"},
	"Download rejects":    {En: "Download the error details", Zh: "下载错误明细"},
	"Checking":            {En: "Checking the file…", Zh: "正在检查文件…"},
	"rows_read":           {En: "%s rows read", Zh: "已读取 %s 行"},
	"Check before import": {En: "Check before importing", Zh: "导入前确认"},
	"preview_intro":       {En: "%s rows, recognised as %s. Check what each column becomes, then import.", Zh: "共 %s 行，识别为「%s」。请确认每一列导入为什么字段，然后导入。"},
	"kind_change":         {En: "Another kind maps the columns anew when importing.", Zh: "改选类型后，导入时会按新类型重新识别各列。"},
	"Column in the file":  {En: "Column in the file", Zh: "文件中的列"},
	"Imported as":         {En: "Imported as", Zh: "导入为"},
	"First rows":          {En: "First rows", Zh: "前几行示例"},
	"custom field":        {En: "custom field", Zh: "自定义字段"},
	"not imported":        {En: "not imported", Zh: "不导入"},
	"Problems found":      {En: "Problems found", Zh: "发现的问题"},
	"No problems found":   {En: "No problems found: every row can be imported.", Zh: "未发现问题，所有行都可以导入。"},
	"problem_where":       {En: "(column %s, first at row %d)", Zh: "（列「%s」，首次出现在第 %d 行）"},
	"problem_row":         {En: "(first at row %d)", Zh: "（首次出现在第 %d 行）"},
	"As anonymous orders": {En: "Import them as anonymous orders (without a customer)", Zh: "作为匿名订单导入（不关联客户）"},
	"Skip these rows":     {En: "Skip these rows", Zh: "跳过这些行"},
	"skipped_note":        {En: "Rows with these problems are skipped; after the import you can download the error details.", Zh: "有这些问题的行不会导入，导入后可下载错误明细查看。"},
	"Currency of amounts": {En: "Currency of the amounts", Zh: "金额的货币"},
	"currency_symbol":     {En: "Recognised from the currency symbols in the amounts.", Zh: "根据金额中的货币符号识别。"},
	"currency_country":    {En: "Guessed from the country column: please check.", Zh: "根据“国家”列推测，请确认。"},
	"currency_unknown":    {En: "The file does not say which currency its amounts are in: please choose. Every page shows amounts in this currency.", Zh: "文件中没有标明金额的货币，请选择。所有页面都会以此货币显示金额。"},
	"currency_admin":      {En: "Only an administrator can change the currency.", Zh: "只有管理员可以更改货币。"},
	"Start import":        {En: "Import", Zh: "开始导入"},
	"Cancel import":       {En: "Cancel", Zh: "取消"},
	"Import cancelled":    {En: "Import cancelled", Zh: "已取消导入"},
	"items.sku":           {En: "Line: SKU", Zh: "明细：商品编号"},
	"items.name":          {En: "Line: product name", Zh: "明细：商品名称"},
	"items.category":      {En: "Line: category", Zh: "明细：商品类别"},
	"items.quantity":      {En: "Line: quantity", Zh: "明细：数量"},
	"items.unit_price":    {En: "Line: unit price", Zh: "明细：单价"},
	"items.unit_cost":     {En: "Line: unit cost", Zh: "明细：单位成本"},
	"customer_field":      {En: "Customer: %s", Zh: "客户：%s"},
	"the preview expired: upload the file again": {En: "The check expired after 30 minutes: upload the file again.", Zh: "确认已超过 30 分钟，请重新上传文件。"},
	"problem_line":       {En: "%s rows (%s%%): %s", Zh: "%s 行（%s%%）%s"},
	"Problems by reason": {En: "Rows not imported, by reason", Zh: "未导入的行（按原因）"},
	"Remove":             {En: "Remove", Zh: "移除"},
	"risk_up":            {En: "↑ risk", Zh: "↑风险"},
	"risk_down":          {En: "↓ risk", Zh: "↓风险"},
	"drill_title":        {En: "Show these customers", Zh: "查看这些客户"},
	// Saved views of the customer table (views_saved.go).
	"Saved views":        {En: "Saved views", Zh: "已保存的视图"},
	"No saved views yet": {En: "No saved views yet.", Zh: "还没有保存的视图。"},
	"This view":          {En: "Change this view", Zh: "修改此视图"},
	"View name":          {En: "Name", Zh: "名称"},
	"Share":              {En: "Who sees it", Zh: "可见范围"},
	"Save changes":       {En: "Save changes", Zh: "保存修改"},
	"Delete view":        {En: "Delete this view", Zh: "删除此视图"},
	"Save this list":     {En: "Save this list as a view", Zh: "将当前列表存为视图"},
	"Save view":          {En: "Save view", Zh: "保存视图"},
	"view_private":       {En: "Only me", Zh: "仅自己"},
	"view_shared":        {En: "Shared with %s", Zh: "共享给%s"},
	"view_by":            {En: "by %s", Zh: "由 %s 创建"},
	"view_replace":       {En: "Keep the current filter, sort and columns", Zh: "改为当前的筛选、排序和列"},
	"view_name_taken":    {En: "You already have a view named “%s”: choose another name, or open that view and change it.", Zh: "已有名为“%s”的视图：请换一个名称，或打开该视图修改。"},
	"view_too_many":      {En: "You have %d saved views, the most one person may keep: delete one you no longer need.", Zh: "您已保存 %d 个视图，已达上限：请先删除不再需要的视图。"},
	"view_help":          {En: "A view keeps the filter, not the rows: it shows the current customers each time, and each person only the customers they may see.", Zh: "视图保存的是筛选条件而不是结果：每次打开都显示当前的客户，且每个人只看到自己有权查看的客户。"},
	"import_unavailable": {En: "Import by upload is not available in this build.", Zh: "此版本暂不支持上传导入。"},
	"Row":                {En: "Row", Zh: "行"},
	"Column":             {En: "Column", Zh: "列"},
	"Reason":             {En: "Reason", Zh: "原因"},
	"Currency":           {En: "Currency", Zh: "货币"},
	"Time zone":          {En: "Time zone", Zh: "时区"},
	"Cost per minute":    {En: "Service cost per minute", Zh: "每分钟服务成本"},
	"Default language":   {En: "Default language", Zh: "默认语言"},
	"New user":           {En: "New user", Zh: "新用户"},
	"API tokens":         {En: "API tokens", Zh: "API 令牌"},
	"Create token":       {En: "Create API token", Zh: "创建 API 令牌"},
	"token_once":         {En: "Copy this token now; it is shown only once:", Zh: "请立即复制此令牌，它只显示一次："},
	"Token name":         {En: "Token name", Zh: "令牌名称"},
	"Audit log":          {En: "Audit log", Zh: "操作日志"},
	"Time":               {En: "Time", Zh: "时间"},
	"Action":             {En: "Action", Zh: "操作"},
	"Entity":             {En: "Entity", Zh: "对象"},
	"Detail":             {En: "Detail", Zh: "详情"},
	"Trends":             {En: "Trends (12 months to the end of the period)", Zh: "趋势（截至期末的 12 个月）"},
	"Headlines":          {En: "Headline figures", Zh: "核心指标"},
	"All analyses":       {En: "All analyses", Zh: "全部分析"},
	"Open":               {En: "Open", Zh: "打开"},
	"records":            {En: "records", Zh: "条记录"},

	// Roles.
	"admin":   {En: "Administrator", Zh: "管理员"},
	"manager": {En: "Manager", Zh: "经理"},
	"analyst": {En: "Analyst", Zh: "分析师"},
	"sales":   {En: "Sales", Zh: "销售"},

	// Entity kinds.
	"customers":    {En: "Customers", Zh: "客户"},
	"orders":       {En: "Orders", Zh: "订单"},
	"items":        {En: "Order lines", Zh: "订单明细"},
	"products":     {En: "Products", Zh: "商品"},
	"interactions": {En: "Interactions", Zh: "互动"},
	"events":       {En: "Web events", Zh: "线上行为"},
	"surveys":      {En: "Surveys", Zh: "满意度调查"},
	"leads":        {En: "Leads", Zh: "线索"},
	"campaigns":    {En: "Campaigns", Zh: "活动"},
	"responses":    {En: "Campaign responses", Zh: "活动响应"},
	"competitors":  {En: "Competitors", Zh: "竞争对手"},
	"swot":         {En: "SWOT", Zh: "SWOT"},

	// Dashboard figures and series.
	"dash_customers":  {En: "Customers", Zh: "客户数"},
	"dash_active":     {En: "Active customers", Zh: "活跃客户"},
	"dash_revenue":    {En: "Revenue", Zh: "收入"},
	"dash_margin":     {En: "Gross margin", Zh: "毛利"},
	"dash_margin_pct": {En: "Gross margin %", Zh: "毛利率"},
	"dash_nps":        {En: "NPS", Zh: "净推荐值"},
	"dash_at_risk":    {En: "At-risk stage (lifecycle)", Zh: "风险期客户（生命周期）"},
	// The lifecycle's at-risk stage with its thresholds, so that it is not taken for the churn
	// page's high-risk list (a probability ≥ 50 %).
	"dash_at_risk_days":     {En: "At risk: last purchase %.0f–%.0f days ago", Zh: "风险期客户（末次购买距今 %.0f–%.0f 天）"},
	"dash_no_cost":          {En: "no cost data", Zh: "无成本数据"},
	"dash_anonymous_orders": {En: "Orders without a customer", Zh: "无客户编号的订单"},
	"dash_clv":              {En: "Predicted CLV", Zh: "预测客户终身价值"},
	"dash_new":              {En: "New customers", Zh: "新客户"},
	"trend_revenue":         {En: "Revenue by month", Zh: "月度收入"},
	"trend_customers":       {En: "Customers by month", Zh: "月度活跃客户与新客户"},

	// Customer fields (columns, filter fields).
	"id":          {En: "ID", Zh: "编号"},
	"external_id": {En: "External ID", Zh: "外部编号"},
	"name":        {En: "Name", Zh: "名称"},
	"kind":        {En: "Kind", Zh: "类型"},
	"gender":      {En: "Gender", Zh: "性别"},
	"birth_date":  {En: "Birth date", Zh: "出生日期"},
	"age":         {En: "Age", Zh: "年龄"},
	"income":      {En: "Income", Zh: "收入"},
	"income_band": {En: "Income band", Zh: "收入区间"},
	"occupation":  {En: "Occupation", Zh: "职业"},
	"education":   {En: "Education", Zh: "学历"},
	"country":     {En: "Country", Zh: "国家"},
	"province":    {En: "Province", Zh: "省份"},
	"city":        {En: "City", Zh: "城市"},
	"phone":       {En: "Phone", Zh: "电话"},
	"email":       {En: "Email", Zh: "邮箱"},
	"channel":     {En: "Channel", Zh: "渠道"},
	"campaign":    {En: "Campaign", Zh: "活动"},
	"owner":       {En: "Owner", Zh: "负责人"},
	"tags":        {En: "Tags", Zh: "标签"},
	"churned":     {En: "Churned", Zh: "已流失"},
	"created_at":  {En: "Created", Zh: "创建时间"},
	"updated_at":  {En: "Updated", Zh: "更新时间"},
	"ordered_at":  {En: "Ordered at", Zh: "下单时间"},
	"amount":      {En: "Amount", Zh: "金额"},
	"status":      {En: "Status", Zh: "状态"},
	"at":          {En: "At", Zh: "时间"},
	"minutes":     {En: "Minutes", Zh: "时长（分钟）"},
	"subject":     {En: "Subject", Zh: "主题"},
	"score":       {En: "Score", Zh: "评分"},
	"comment":     {En: "Comment", Zh: "评价"},
	"stage":       {En: "Stage", Zh: "阶段"},
	"value":       {En: "Value", Zh: "金额"},
	"customer":    {En: "Customer", Zh: "客户"},
	"customer_id": {En: "Customer ID", Zh: "客户编号"},
	"individual":  {En: "Individual", Zh: "个人"},
	"enterprise":  {En: "Enterprise", Zh: "企业"},
	"government":  {En: "Government", Zh: "政府"},

	// Filter operators.
	"eq":       {En: "=", Zh: "等于"},
	"ne":       {En: "≠", Zh: "不等于"},
	"lt":       {En: "<", Zh: "小于"},
	"le":       {En: "≤", Zh: "小于等于"},
	"gt":       {En: ">", Zh: "大于"},
	"ge":       {En: "≥", Zh: "大于等于"},
	"contains": {En: "contains", Zh: "包含"},
	"in":       {En: "one of", Zh: "属于"},

	// Timeline kinds and interaction kinds.
	"order":         {En: "Order", Zh: "订单"},
	"interaction":   {En: "Interaction", Zh: "互动"},
	"survey":        {En: "Survey", Zh: "满意度调查"},
	"consultation":  {En: "Consultation", Zh: "咨询"},
	"communication": {En: "Communication", Zh: "沟通"},
	"visit":         {En: "Visit", Zh: "拜访"},
	"after_sales":   {En: "After-sales", Zh: "售后"},
	"complaint":     {En: "Complaint", Zh: "投诉"},
	"nps":           {En: "NPS", Zh: "NPS"},
	"csat":          {En: "CSAT", Zh: "CSAT"},
	"ces":           {En: "CES", Zh: "CES"},

	// Audit actions.
	"create":  {En: "create", Zh: "创建"},
	"update":  {En: "update", Zh: "更新"},
	"delete":  {En: "delete", Zh: "删除"},
	"import":  {En: "import", Zh: "导入"},
	"export":  {En: "export", Zh: "导出"},
	"sign_in": {En: "sign in", Zh: "登录"},

	// Sign-in throttling, password rules and API tokens.
	"sign_in_failed":        {En: "failed sign-in", Zh: "登录失败"},
	"sign_in_locked":        {En: "sign-in locked", Zh: "登录被锁定"},
	"revoke":                {En: "revoke", Zh: "撤销"},
	"too_many_signins":      {En: "Too many failed sign-ins. Try again in %s.", Zh: "登录失败次数过多，请在 %s 后重试。"},
	"sign-in busy":          {En: "Too many sign-ins at once; try again in a few seconds.", Zh: "同时登录的人太多，请几秒后重试。"},
	"password not accepted": {En: "Password not accepted.", Zh: "密码不符合要求。"},
	"Created":               {En: "Created", Zh: "创建时间"},
	"Expires":               {En: "Expires", Zh: "到期时间"},
	"expired":               {En: "expired", Zh: "已过期"},
	"Revoke":                {En: "Revoke", Zh: "撤销"},
	"Days":                  {En: "Days", Zh: "天数"},
	"days":                  {En: "days", Zh: "天"},

	// Analysis options without a label of their analysis's own (the option form's labels).
	"as_of":           {En: "As of", Zh: "截至日期"},
	"scheme":          {En: "Segment scheme", Zh: "分群方案"},
	"seed":            {En: "Random seed", Zh: "随机种子"},
	"standardize":     {En: "Standardise features", Zh: "特征标准化"},
	"restarts":        {En: "Restarts", Zh: "随机初始化次数"},
	"log":             {En: "Log scale", Zh: "取对数"},
	"window":          {En: "Comparison window", Zh: "比较窗口"},
	"window_days":     {En: "Window (days)", Zh: "窗口天数"},
	"stale_days":      {En: "Stale after (days)", Zh: "视为过期的天数"},
	"name_threshold":  {En: "Name similarity threshold", Zh: "姓名相似度阈值"},
	"reason_field":    {En: "Reason field", Zh: "原因字段"},
	"top":             {En: "How many", Zh: "显示数量"},
	"group_by":        {En: "Group by", Zh: "分组字段"},
	"churn_days":      {En: "Churned after (days)", Zh: "流失判定天数"},
	"exclude":         {En: "Exclude", Zh: "排除"},
	"max_len":         {En: "Largest item set", Zh: "组合最多商品数"},
	"max_rules":       {En: "Most rules", Zh: "最多规则数"},
	"min_confidence":  {En: "Minimum confidence", Zh: "最小置信度"},
	"min_lift":        {En: "Minimum lift", Zh: "最小提升度"},
	"min_support":     {En: "Minimum support", Zh: "最小支持度"},
	"min_campaigns":   {En: "Minimum campaigns", Zh: "最少活动数"},
	"months":          {En: "Months", Zh: "月数"},
	"negative":        {En: "Non-responses", Zh: "视为未响应的类型"},
	"metric":          {En: "Metric", Zh: "指标"},
	"response":        {En: "Response rate", Zh: "响应率"},
	"purchase":        {En: "Purchase rate", Zh: "购买率"},
	"a_from":          {En: "Period A from", Zh: "时期 A 开始"},
	"a_to":            {En: "Period A to", Zh: "时期 A 结束"},
	"b_from":          {En: "Period B from", Zh: "时期 B 开始"},
	"b_to":            {En: "Period B to", Zh: "时期 B 结束"},
	"choose_customer": {En: "Choose a customer", Zh: "选择客户"},
	"true":            {En: "Yes", Zh: "是"},
	"false":           {En: "No", Zh: "否"},
	"(none)":          {En: "(none)", Zh: "（无）"},
	"auto":            {En: "Automatic", Zh: "自动"},

	// Titles of result tables whose key also names a figure or a column (see tableTitle): for
	// every analysis's table of the key, or "table.NAME.KEY" for one analysis's.
	"table.customers":                         {En: "Customer details", Zh: "客户明细"},
	"table.campaigns.campaigns":               {En: "Campaign details", Zh: "活动明细"},
	"table.campaigns.key_customers":           {En: "Key customer details", Zh: "重点客户明细"},
	"table.churn.drivers":                     {En: "Churn drivers by importance", Zh: "流失因素（按重要性）"},
	"table.behaviour.channels":                {En: "By channel", Zh: "按渠道统计"},
	"table.behaviour.categories":              {En: "By category", Zh: "按品类统计"},
	"table.attributes.groups":                 {En: "By group", Zh: "分组汇总"},
	"table.satisfaction.complaints":           {En: "Complaint details", Zh: "投诉明细"},
	"table.basket.rules":                      {En: "Rule details", Zh: "规则明细"},
	"table.quality.problems":                  {En: "Problems by kind", Zh: "问题汇总"},
	"table.quality.per_customer":              {En: "Problems per customer", Zh: "客户问题明细"},
	"table.quality.duplicates":                {En: "Likely duplicate pairs", Zh: "疑似重复记录明细"},
	"table.attrition.complaints_before_churn": {En: "Complaints before churning, by subject", Zh: "流失前投诉（按主题）"},
	"(other)":         {En: "(other)", Zh: "（其他）"},
	"feature_missing": {En: "%s unknown", Zh: "%s未知"},
	"feature_mean":    {En: "Mean %s", Zh: "平均%s"},
	"channel_share":   {En: "Share of orders via", Zh: "渠道订单占比"},
	"male":            {En: "Male", Zh: "男"},
	"female":          {En: "Female", Zh: "女"},

	// Record fields of the other kinds (the data pages' columns).
	"anonymous_id":   {En: "Anonymous ID", Zh: "匿名访客编号"},
	"session_id":     {En: "Session ID", Zh: "会话编号"},
	"campaign_id":    {En: "Campaign ID", Zh: "活动编号"},
	"category":       {En: "Category", Zh: "类别"},
	"churned_at":     {En: "Churned at", Zh: "流失时间"},
	"company":        {En: "Company", Zh: "公司"},
	"discount":       {En: "Discount", Zh: "折扣"},
	"shipping":       {En: "Shipping", Zh: "运费"},
	"dwell":          {En: "Dwell time", Zh: "停留时长"},
	"start":          {En: "Start", Zh: "开始"},
	"end":            {En: "End", Zh: "结束"},
	"impact":         {En: "Impact", Zh: "影响程度"},
	"lost_reason":    {En: "Lost reason", Zh: "丢单原因"},
	"notes":          {En: "Notes", Zh: "备注"},
	"page":           {En: "Page", Zh: "页面"},
	"type":           {En: "Type", Zh: "类型"},
	"page_view":      {En: "Page view", Zh: "浏览页面"},
	"positioning":    {En: "Positioning", Zh: "定位"},
	"price":          {En: "Price", Zh: "价格"},
	"rep":            {En: "Representative", Zh: "经办人"},
	"scope":          {En: "Scope", Zh: "范围"},
	"shares":         {En: "Market shares", Zh: "市场份额"},
	"source":         {En: "Source", Zh: "来源"},
	"stages":         {En: "Stage history", Zh: "阶段历史"},
	"target_segment": {En: "Target segment", Zh: "目标客群"},
	"text":           {En: "Text", Zh: "内容"},

	// Order statuses (kexi.Status…) and SWOT scopes.
	"completed": {En: "Completed", Zh: "已完成"},
	"pending":   {En: "Pending", Zh: "待处理"},
	"cancelled": {En: "Cancelled", Zh: "已取消"},
	"return":    {En: "Return", Zh: "退货"},
	"product":   {En: "Product", Zh: "产品"},
	"segment":   {En: "Segment", Zh: "客群"},

	// The period picker and the change of a figure against the previous period (period.go).
	"Period":              {En: "Period", Zh: "时间范围"},
	"period_all":          {En: "All time", Zh: "全部时间"},
	"period_30d":          {En: "Last 30 days", Zh: "最近 30 天"},
	"period_90d":          {En: "Last 90 days", Zh: "最近 90 天"},
	"period_365d":         {En: "Last 365 days", Zh: "最近 365 天"},
	"period_this_month":   {En: "This month", Zh: "本月"},
	"period_last_month":   {En: "Last month", Zh: "上月"},
	"period_this_quarter": {En: "This quarter", Zh: "本季度"},
	"period_last_quarter": {En: "Last quarter", Zh: "上季度"},
	"period_this_year":    {En: "This year", Zh: "今年"},
	"period_last_year":    {En: "Last year", Zh: "去年"},
	"period_custom":       {En: "Custom range", Zh: "自定义时间"},
	"colon":               {En: ": ", Zh: "："},
	"period_vs":           {En: "compared with %s", Zh: "对比 %s"},
	"period_as_of":        {En: "data as of %s", Zh: "数据截至 %s"},
	"change_pts":          {En: " pts", Zh: " 个百分点"},
	"change_points":       {En: " pts", Zh: " 分"},
	"change_prev":         {En: "Previous period (%s): %s", Zh: "上期（%s）：%s"},
}
