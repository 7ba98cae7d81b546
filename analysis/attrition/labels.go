package attrition

import (
	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/pyramid"
)

// labels translates every figure, table, column and series key and every label value.
func labels() map[string]analysis.Text {
	return map[string]analysis.Text{
		// Figures.
		"customers":               t("Customers", "客户数"),
		"inactive":                t("Inactive (at risk or churned)", "不活跃客户(有风险或已流失)"),
		"churn_rate":              t("Churn rate", "流失率"),
		"ever_churned":            t("Ever churned", "曾流失客户"),
		"reactivation_rate":       t("Reactivation rate (of ever churned)", "回流率(占曾流失客户)"),
		"churned_in_period":       t("Churns in the period", "期内流失次数"),
		"reactivated_in_period":   t("Reactivations in the period", "期内回流次数"),
		"revenue_lost":            t("Revenue lost (12 months before leaving)", "流失销售额(流失前 12 个月)"),
		"lost_leads":              t("Lost leads", "流失线索"),
		"lost_lead_value":         t("Value of lost leads", "流失线索金额"),
		"complaint_rate_churned":  t("Complained before churning", "流失前投诉比例"),
		"complaint_rate_retained": t("Complained, retained customers", "留存客户投诉比例"),
		"mean_nps_churned":        t("Mean NPS answer, churned", "流失客户 NPS 平均分"),
		"mean_nps_retained":       t("Mean NPS answer, retained", "留存客户 NPS 平均分"),
		"mean_csat_churned":       t("Mean CSAT answer, churned", "流失客户 CSAT 平均分"),
		"mean_csat_retained":      t("Mean CSAT answer, retained", "留存客户 CSAT 平均分"),
		"churn_days":              t("Churned after (days)", "流失阈值(天)"),
		"at_risk_days":            t("At risk after (days)", "风险阈值(天)"),
		"complaint_days":          t("Complaint window (days)", "投诉统计窗口(天)"),

		// States, stages, tiers and groups (label values; some are also figure keys).
		Active:                    t("Active", "活跃客户"),
		AtRisk:                    t("At risk", "风险客户"),
		Churned:                   t("Churned", "已流失"),
		lifecycle.NewCustomer:     t("New", "新"), // a new customer (lifecycle) and a new lead (funnel)
		lifecycle.Loyal:           t("Loyal", "忠诚客户"),
		lifecycle.Reactivated:     t("Reactivated", "回流客户"),
		NoPurchase:                t("No purchase", "未购买"),
		pyramid.VIP:               t("VIP (top 1 %)", "VIP 客户(前 1%)"),
		pyramid.Major:             t("Major (to top 5 %)", "主要客户(前 5%)"),
		pyramid.Ordinary:          t("Ordinary (to top 20 %)", "普通客户(前 20%)"),
		pyramid.Small:             t("Small (the other 80 %)", "小客户(其余 80%)"),
		kexi.StageConsultation:    t("Consultation", "咨询"),
		kexi.StageFollowUp:        t("Follow-up", "跟进"),
		kexi.StageQuote:           t("Quote", "报价"),
		kexi.StageWon:             t("Won", "成交"),
		Retained:                  t("Retained (active or at risk)", "留存客户(活跃或有风险)"),
		NoReason:                  t("(none)", "(无)"),
		"stage_before":            t("Stage before churning", "流失前阶段"),
		"state":                   t("State", "状态"),
		"stage":                   t("Funnel stage reached", "到达的漏斗阶段"),
		"tier":                    t("Tier (by spend)", "层级(按消费)"),
		"group":                   t("Group", "分组"),
		"reason":                  t("Reason", "原因"),
		"subject":                 t("Subject", "主题"),
		"month":                   t("Month", "月份"),
		"count":                   t("Count", "数量"),
		"share":                   t("Share", "占比"),
		"value":                   t("Value", "金额"),
		"customer_id":             t("Customer", "客户"),
		"name":                    t("Name", "名称"),
		"owner":                   t("Owner", "负责人"),
		"churned_at":              t("Churned on", "流失日期"),
		"last_order":              t("Last order", "末单日期"),
		"days_since":              t("Days since last order", "距上次购买(天)"),
		"orders":                  t("Orders", "订单数"),
		"lifetime_spend":          t("Lifetime spend", "累计消费"),
		"annual_spend":            t("Spend in the 12 months before leaving", "流失前 12 个月消费"),
		"complaints":              t("Complaints before churning", "流失前投诉数"),
		"last_nps":                t("Latest NPS", "最近 NPS"),
		"last_csat":               t("Latest CSAT", "最近 CSAT"),
		"priority":                t("Win-back priority", "挽回优先级"),
		"with_complaint":          t("Customers who complained", "投诉客户数"),
		"complaint_rate":          t("Share who complained", "投诉客户占比"),
		"complaints_per_customer": t("Complaints per customer", "人均投诉数"),
		"nps_responses":           t("NPS answers", "NPS 答卷"),
		"mean_nps":                t("Mean NPS answer", "NPS 平均分"),
		"nps":                     t("NPS", "净推荐值"),
		"csat_responses":          t("CSAT answers", "CSAT 答卷"),
		"mean_csat":               t("Mean CSAT answer", "CSAT 平均分"),
		"csat":                    t("CSAT (share 4–5)", "满意率(4–5 分)"),

		// Tables.
		"winback":                 t("Win-back list", "挽回名单"),
		"status":                  t("Customers by state", "客户状态"),
		"churned_by_stage":        t("Churned by stage before churning", "按流失前阶段的流失客户"),
		"churned_by_tier":         t("Churn by tier", "各层级流失"),
		"lost_leads_by_stage":     t("Lost leads by funnel stage", "各漏斗阶段流失线索"),
		"lost_reasons":            t("Why leads were lost", "线索流失原因"),
		"churn_reasons":           t("Why customers left", "客户流失原因"),
		"complaints_before_churn": t("Complaints before churning", "流失前投诉"),
		"complaint_subjects":      t("What churned customers complained about", "流失客户投诉主题"),
		"satisfaction":            t("Satisfaction, churned against retained", "流失与留存客户满意度"),
		"months":                  t("Churns and reactivations by month", "按月流失与回流"),

		// Series.
		"status_share":       t("Customers by state", "客户状态分布"),
		"churn_rate_by_tier": t("Churn rate by tier", "各层级流失率"),
		"lost_leads_funnel":  t("Lost leads by funnel stage", "各漏斗阶段流失线索"),
		"monthly":            t("Churns and reactivations", "流失与回流趋势"),
	}
}
