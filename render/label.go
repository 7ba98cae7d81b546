// Package render presents an analysis.Result to people, the same way on the command line and
// in the web UI: keys translated into English or Chinese (Label, the analysis's own labels
// first, then Catalog), data values by the business's value labels (Labelled), and the result
// written as text tables (Text), CSV (CSV, Rows) and XLSX workbooks (XLSX). It imports only
// kexi, analysis and sheet; it never knows about HTTP or a store.
package render

import (
	"fmt"
	"strings"

	"github.com/kexi/kexi/analysis"
)

// The languages kexi speaks: lang values are "en" and "zh" everywhere.
const (
	En = "en"
	Zh = "zh"
)

// T returns the catalog's string for key in lang, or the key itself when the catalog lacks it.
func T(lang, key string) string {
	if t, ok := Catalog[key]; ok {
		return t.In(lang)
	}
	return key
}

// Label translates an analysis key (a figure, a column, a categorical value, a churn feature)
// into lang with info's labels (info may be nil), then Catalog, then as a key made of keys
// (see compound); anything else is a data value and comes back as it is.
func Label(info *analysis.Info, lang, key string) string {
	if t, ok := lookup(info, lang, key); ok {
		return t
	}
	return compound(info, lang, key)
}

// LabelIn is Label with the "{KEY}" placeholders of info's label filled from vals (see
// analysis.Fill).
func LabelIn(info *analysis.Info, lang, key string, vals map[string]string) string {
	if info != nil {
		if t, ok := info.Labels[key]; ok {
			return analysis.Fill(t.In(lang), vals)
		}
	}
	return Label(info, lang, key)
}

// OptionLabel names an analysis option: its "opt.KEY" label where the key also names a value
// (churn's option horizon and its label mode horizon), else its Label.
func OptionLabel(info *analysis.Info, lang, key string) string {
	if t, ok := lookup(info, lang, "opt."+key); ok {
		return t
	}
	return Label(info, lang, key)
}

// TableTitle names a result table where its key also names a figure or a column (the table
// "customers" lists customers, the figure "customers" counts them): the analysis's own
// "table.KEY" label, else the catalog's "table.NAME.KEY" for that analysis, else the
// catalog's "table.KEY" for every analysis; else the table's LabelIn with vals.
// TestTitlesNotReused (http) checks that no title reads like a figure or column,
// TestTableTitleOneMeaning that a catalog title for every analysis stands only for a key that
// names something else too.
func TableTitle(info *analysis.Info, lang, key string, vals map[string]string) string {
	if info != nil {
		if t, ok := info.Labels["table."+key]; ok {
			return analysis.Fill(t.In(lang), nil)
		}
		if t, ok := Catalog["table."+info.Name+"."+key]; ok {
			return t.In(lang)
		}
	}
	if t, ok := Catalog["table."+key]; ok {
		return t.In(lang)
	}
	return LabelIn(info, lang, key, vals)
}

// Help returns the one-line definition of an analysis's figure key (its "help.KEY" label), or
// "".
func Help(info *analysis.Info, lang, key string) string {
	if info != nil {
		if t, ok := info.Labels["help."+key]; ok {
			return t.In(lang)
		}
	}
	return ""
}

// Terms translates a "terms" cell: each part that is a key.
func Terms(info *analysis.Info, lang, s string) string {
	return Label(info, lang, s) // compound splits the parts
}

// Reasons translates a "reasons" cell ("recency_days (120) ↑; frequency (8) ↓", see
// churn.Reasons): each feature by the analysis's labels, each arrow as raising or lowering
// the risk.
func Reasons(info *analysis.Info, lang, s string) string {
	items := strings.Split(s, "; ")
	for i, it := range items {
		arrow := ""
		for _, a := range []string{"↑", "↓"} {
			if rest, ok := strings.CutSuffix(it, " "+a); ok {
				it, arrow = rest, a
			}
		}
		name, val, _ := strings.Cut(it, " (")
		text := Label(info, lang, name)
		if val != "" {
			text += " " + strings.TrimSuffix(val, ")")
		}
		switch arrow {
		case "↑":
			text += " " + T(lang, "risk_up")
		case "↓":
			text += " " + T(lang, "risk_down")
		}
		items[i] = text
	}
	return strings.Join(items, "; ")
}

// lookup translates key by the analysis's labels, then the catalog.
func lookup(info *analysis.Info, lang, key string) (string, bool) {
	if info != nil {
		if t, ok := info.Labels[key]; ok {
			return analysis.Fill(t.In(lang), nil), true
		}
	}
	if t, ok := Catalog[key]; ok {
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
			parts[i] = Label(info, lang, p)
		}
		return strings.Join(parts, " · ")
	}
	if strings.Contains(key, ", ") {
		parts := strings.Split(key, ", ")
		changed := false
		for i, p := range parts {
			if t := Label(info, lang, p); t != p {
				parts[i], changed = t, true
			}
		}
		if !changed {
			return key
		}
		if lang == Zh {
			return strings.Join(parts, "、")
		}
		return strings.Join(parts, ", ")
	}
	if f, v, ok := strings.Cut(key, "="); ok && isKey(f) {
		return Label(info, lang, f) + "=" + Label(info, lang, v)
	}
	if base, ok := strings.CutSuffix(key, "_missing"); ok && base != "" {
		if t := Label(info, lang, base); t != base || strings.HasPrefix(base, "custom.") {
			return fmt.Sprintf(T(lang, "feature_missing"), t)
		}
	}
	if name, ok := strings.CutPrefix(key, "custom."); ok && name != "" {
		return name
	}
	if base, ok := strings.CutPrefix(key, "mean_"); ok && strings.HasPrefix(base, "custom.") { // segments' profile of a custom field
		return fmt.Sprintf(T(lang, "feature_mean"), Label(info, lang, base))
	}
	if f, v, ok := strings.Cut(key, "."); ok && isKey(f) && v != "" {
		if t, ok := lookup(info, lang, f); ok {
			return t + ": " + Label(info, lang, v)
		}
		// A linked metric "analysis.key" (SWOT) reads as its key's label.
		if t, ok := lookup(info, lang, v); ok && isKey(v) {
			return t
		}
	}
	return key
}

// isKey reports whether s is a lower-case key: letters, digits and underscores.
func isKey(s string) bool {
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
