package quality

import "testing"

func TestAppendPhoneKey(t *testing.T) {
	for _, c := range []struct{ dst, phone, want string }{
		{"", "+86 138-0013-8000", "13800138000"}, // 13 digits after 86: the prefix goes
		{"x", "138 0013 8000", "x13800138000"},   // appended after what dst holds
		{"x", "8613800138", "x8613800138"},       // 10 digits: 86 stays
		{"x", "12-34-56", "x"},                   // 6 digits: no key
		{"", "电话 1234567", "1234567"},            // other runes are skipped
	} {
		if got := string(appendPhoneKey([]byte(c.dst), c.phone)); got != c.want {
			t.Errorf("appendPhoneKey(%q, %q) = %q, want %q", c.dst, c.phone, got, c.want)
		}
	}
}

func TestSameDigits(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"分店1", "分店2", false},
		{"a1b2", "12", true},
		{"abc", "def", true}, // no digits on either side
		{"a1", "a", false},
		{"12", "123", false},
		{"", "", true},
	} {
		if got := sameDigits(c.a, c.b); got != c.want {
			t.Errorf("sameDigits(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestDigitCode(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint64
	}{
		{"客户", 1},       // no digits
		{"分店7", 17},     // 1 then 7
		{"a07b", 107},   // the leading zero counts
		{"1a2b3", 1123}, // digits wherever they are
		{"123456789012345678", 1123456789012345678}, // 18 digits: the most a code holds
		{"1234567890123456789", 0},                  // 19: no code
	} {
		if got := digitCode(c.s); got != c.want {
			t.Errorf("digitCode(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}
