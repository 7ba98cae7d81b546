package analysis

// Frac returns a/b, or 0 when b is 0: a share of an empty total (no customers, no revenue)
// shows as 0 rather than NaN.
func Frac(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// fieldLabels holds the labels of the customer's profile fields (kexi.Customer) that
// analyses group or break down by, in the one wording every analysis uses.
var fieldLabels = map[string]Text{
	"gender":      {En: "Gender", Zh: "性别"},
	"income_band": {En: "Income band", Zh: "收入段"},
	"occupation":  {En: "Occupation", Zh: "职业"},
	"education":   {En: "Education", Zh: "学历"},
	"country":     {En: "Country", Zh: "国家"},
	"province":    {En: "Province", Zh: "省份"},
	"city":        {En: "City", Zh: "城市"},
	"owner":       {En: "Owner", Zh: "负责人"},
}

// WithFields adds the labels of the named customer profile fields ("province", "city",
// "gender", "income_band", "occupation", "education", "country", "owner") to labels and
// returns it, so that an analysis's Info.Labels words them as every other analysis does. It
// panics on a field it does not know, or one labels already holds: both are mistakes in the
// analysis's code that its first test shows.
func WithFields(labels map[string]Text, fields ...string) map[string]Text {
	for _, f := range fields {
		t, ok := fieldLabels[f]
		if !ok {
			panic("analysis.WithFields: unknown field " + f)
		}
		if _, dup := labels[f]; dup {
			panic("analysis.WithFields: " + f + " is labelled twice")
		}
		labels[f] = t
	}
	return labels
}
