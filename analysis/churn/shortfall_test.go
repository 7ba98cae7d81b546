package churn

import (
	"fmt"
	"strings"
	"testing"
)

// TestShortfall works through when a churn model says it has too little to work with.
func TestShortfall(t *testing.T) {
	bought := &Frame{M: Matrix{Rows: 2, Cols: 2, X: []float64{0, 0, 3, 1}}} // second row: frequency 3
	never := &Frame{M: Matrix{Rows: 2, Cols: 2, X: []float64{0, 0, 0, 0}}}  // nobody bought
	for _, tc := range []struct {
		name     string
		train    *Frame
		features []string
		auc      float64 // 0: no cross-validation
		want     string
	}{
		{"gender only", never, []string{"gender=male", "gender=female"}, 0.5, ShortHistoryAttributes},
		{"gender only, no CV", never, []string{"gender=male"}, 0, ShortHistoryAttributes},
		{"custom fields, good", never, []string{"custom.tenure", "custom.contract=Two year"}, 0.84, ""},
		{"custom fields, weak", never, []string{"custom.tenure"}, 0.55, ShortHistory},
		{"orders, good", bought, []string{FRecency, FFrequency}, 0.75, ""},
		{"orders, weak", bought, []string{FRecency, FFrequency, "gender=male"}, 0.58, ShortAttributes},
		{"orders and age, weak", bought, []string{FRecency, FAge}, 0.52, ShortWeak},
		{"orders and province, good", bought, []string{FRecency, "province=上海"}, 0.6, ""},
	} {
		rep := &Report{Model: ModelGBDT, Features: tc.features, CV: map[string]*CVResult{}}
		if tc.auc > 0 {
			rep.CV[ModelGBDT] = &CVResult{AUC: tc.auc}
		}
		rep.shortfall(tc.train)
		if rep.Shortfall != tc.want {
			t.Errorf("%s: shortfall %q, want %q", tc.name, rep.Shortfall, tc.want)
		}
		if rep.Shortfall == "" {
			continue
		}
		note := shortfallNote(rep).String()
		if !rep.History && !strings.Contains(note, "import the customers' orders") ||
			!rep.Attributes && !strings.Contains(note, "custom fields") {
			t.Errorf("%s: note %q does not say how to get what is missing", tc.name, note)
		}
		// The cross-validated AUC is said, with two decimals, in both languages, when there is one.
		zh := shortfallNote(rep).In("zh", nil)
		if auc := fmt.Sprintf("%.2f", tc.auc); tc.auc > 0 != (strings.Contains(note, "cross-validated AUC "+auc+" (0.5 is chance)") &&
			strings.Contains(zh, "交叉验证 AUC 为 "+auc)) || tc.auc == 0 && strings.Contains(note+zh, "AUC") {
			t.Errorf("%s: AUC %v not said right: %q / %q", tc.name, tc.auc, note, zh)
		}
		if _, ok := labels[rep.Shortfall]; !ok {
			t.Errorf("%s: no label for %q", tc.name, rep.Shortfall)
		}
	}
}
