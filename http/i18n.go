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
	"github.com/kexi/kexi/render"
)

// Languages the UI speaks. Lang values are "en" and "zh" everywhere (cookie, settings, URLs).
const (
	langEn = render.En
	langZh = render.Zh
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
func tr(lang, key string) string { return render.T(lang, key) }

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

// The pages translate analysis keys with package render, as the command line does.
func label(info *analysis.Info, lang, key string) string { return render.Label(info, lang, key) }
func labelIn(info *analysis.Info, lang, key string, vals map[string]string) string {
	return render.LabelIn(info, lang, key, vals)
}
func optionLabel(info *analysis.Info, lang, key string) string {
	return render.OptionLabel(info, lang, key)
}
func tableTitle(info *analysis.Info, lang, key string) string {
	return render.TableTitle(info, lang, key, nil)
}
func help(info *analysis.Info, lang, key string) string { return render.Help(info, lang, key) }

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

// catalog holds every UI string in English and Chinese (render.Catalog); the pages' files add
// theirs in init.
var catalog = render.Catalog
