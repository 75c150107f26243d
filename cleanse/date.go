package cleanse

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rule names of Date.
const (
	RuleDateISO       = "date.iso"       // written as ISO 8601 (YYYY-MM-DD)
	RuleDateJalali    = "date.jalali"    // Persian (Jalali) date converted to Gregorian
	RuleDateAmbiguous = "date.ambiguous" // flag: day and month cannot be told apart, kept
	RuleDateInvalid   = "date.invalid"   // flag: not a date steward reads, kept
)

// DateOrder says how to read a date whose day and month could be swapped
// (03/04/1980). The zero value rejects such dates.
type DateOrder int

const (
	// DateOrderReject flags ambiguous dates and keeps them as written.
	DateOrderReject DateOrder = iota
	// DateOrderDMY reads 03/04/1980 as 3 April 1980.
	DateOrderDMY
	// DateOrderMDY reads 03/04/1980 as March 4, 1980.
	DateOrderMDY
)

// ParseDateOrder reads "dmy", "mdy" or "reject" (or "").
func ParseDateOrder(s string) (DateOrder, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "reject":
		return DateOrderReject, nil
	case "dmy":
		return DateOrderDMY, nil
	case "mdy":
		return DateOrderMDY, nil
	}
	return DateOrderReject, fmt.Errorf("date order %q: want dmy, mdy or reject", s)
}

// String returns "dmy", "mdy" or "reject".
func (o DateOrder) String() string {
	switch o {
	case DateOrderDMY:
		return "dmy"
	case DateOrderMDY:
		return "mdy"
	}
	return "reject"
}

var monthNames = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
	// Gregorian months in Persian.
	"ژانویه": 1, "فوریه": 2, "مارس": 3, "اوریل": 4, "مه": 5, "می": 5, "ژوین": 6, "ژوییه": 7,
	"ژوییت": 7, "اوت": 8, "اگوست": 8, "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
}

// jalaliMonthNames are the months of the Persian calendar (MatchKey form).
var jalaliMonthNames = map[string]int{
	"فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5, "شهریور": 6,
	"مهر": 7, "ابان": 8, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}

// Date standardizes a date (a birth date) to ISO 8601, YYYY-MM-DD, from
// the forms people write without ambiguity: YYYYMMDD, YYYY-M-D, YYYY/MM/DD,
// YYYY.MM.DD, an ISO timestamp, "12 March 1980", "March 12, 1980",
// "12-Mar-1980", with Persian or Arabic-Indic digits. A day/month/year
// form is read by order when both first numbers could be the month
// (03/04/1980): DateOrderDMY or DateOrderMDY, and DateOrderReject flags
// it (RuleDateAmbiguous) and keeps it; it never guesses. When one number
// is above 12 the reading is unmistakable and order does not matter.
//
// A year from 1300 to 1420 is a Persian (Jalali, solar hijri) year — no
// living customer was born in Gregorian 1300–1420 — and the date is
// converted to Gregorian (1360/05/12 → 1981-08-03); so is a date written
// with a Persian month name (۱۲ مرداد ۱۳۶۰). Two-digit years are flagged,
// never expanded. Anything else is flagged (RuleDateInvalid) and kept.
func Date(s string, order DateOrder) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	y, m, d, jalali, err := parseDate(s, order)
	if err != nil {
		rule := RuleDateInvalid
		if err == errAmbiguous {
			rule = RuleDateAmbiguous
		}
		f = append(f, Fix{Before: s, After: s, Rule: rule})
		return s, f
	}
	if jalali {
		gy, gm, gd, ok := JalaliToGregorian(y, m, d)
		if !ok {
			f = append(f, Fix{Before: s, After: s, Rule: RuleDateInvalid})
			return s, f
		}
		return f.step(RuleDateJalali, s, isoDate(gy, gm, gd)), f
	}
	if !validDate(y, m, d) {
		f = append(f, Fix{Before: s, After: s, Rule: RuleDateInvalid})
		return s, f
	}
	return f.step(RuleDateISO, s, isoDate(y, m, d)), f
}

func isoDate(y, m, d int) string {
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func validDate(y, m, d int) bool {
	if y < 1000 || y > 2999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && int(t.Month()) == m
}

type dateError string

func (e dateError) Error() string { return string(e) }

const (
	errAmbiguous = dateError("ambiguous day and month")
	errNotDate   = dateError("not a date")
)

func isJalaliYear(y int) bool { return y >= 1300 && y <= 1420 }

// parseDate returns year, month, day and whether they are Jalali.
func parseDate(s string, order DateOrder) (y, m, d int, jalali bool, err error) {
	// ISO timestamp: keep the date part.
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') && s[4] == '-' {
		s = s[:10]
	}
	if len(s) == 8 && allDigits(s) {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
		return y, m, d, isJalaliYear(y), nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == ' ' || r == ',' || r == '\\' || r == '،'
	})
	if len(fields) != 3 {
		return 0, 0, 0, false, errNotDate
	}
	var nums, width [3]int
	var isNum [3]bool
	month, monthAt, jalaliMonth := 0, -1, false
	for i, fl := range fields {
		if allDigits(fl) && len(fl) <= 4 {
			nums[i], _ = strconv.Atoi(fl)
			isNum[i], width[i] = true, len(fl)
			continue
		}
		k := MatchKey(strings.TrimSuffix(fl, "th"))
		if mm, ok := monthNames[k]; ok && monthAt < 0 {
			month, monthAt = mm, i
			continue
		}
		if mm, ok := jalaliMonthNames[k]; ok && monthAt < 0 {
			month, monthAt, jalaliMonth = mm, i, true
			continue
		}
		// "12th", "1st": an ordinal day.
		if n := strings.TrimRight(fl, "stndrh"); allDigits(n) && n != "" && len(n) <= 2 {
			nums[i], _ = strconv.Atoi(n)
			isNum[i], width[i] = true, len(n)
			continue
		}
		return 0, 0, 0, false, errNotDate
	}
	if monthAt >= 0 {
		// Month written out: the other two are day and year; the year has
		// four digits.
		var others []int
		var widths []int
		for i := range fields {
			if i != monthAt {
				others = append(others, nums[i])
				widths = append(widths, width[i])
			}
		}
		switch {
		case widths[1] == 4 && widths[0] <= 2:
			y, d = others[1], others[0]
		case widths[0] == 4 && widths[1] <= 2:
			y, d = others[0], others[1]
		default:
			return 0, 0, 0, false, errNotDate
		}
		return y, month, d, jalaliMonth || isJalaliYear(y), nil
	}
	if !isNum[0] || !isNum[1] || !isNum[2] {
		return 0, 0, 0, false, errNotDate
	}
	switch {
	case len(fields[0]) == 4 && len(fields[1]) <= 2 && len(fields[2]) <= 2:
		return nums[0], nums[1], nums[2], isJalaliYear(nums[0]), nil
	case len(fields[2]) == 4 && len(fields[0]) <= 2 && len(fields[1]) <= 2:
		a, b := nums[0], nums[1]
		y = nums[2]
		switch {
		case a > 12 && b <= 12:
			return y, b, a, isJalaliYear(y), nil
		case b > 12 && a <= 12:
			return y, a, b, isJalaliYear(y), nil
		case a == b:
			return y, a, b, isJalaliYear(y), nil
		case order == DateOrderDMY:
			return y, b, a, isJalaliYear(y), nil
		case order == DateOrderMDY:
			return y, a, b, isJalaliYear(y), nil
		}
		return 0, 0, 0, false, errAmbiguous
	}
	return 0, 0, 0, false, errNotDate
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jalaliBreaks are the years where the 33-year leap cycles of the Persian
// calendar restart (the algorithm of Borkowski, as in jalaali-js).
var jalaliBreaks = [...]int{-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178}

// jalaliCal returns whether Jalali year jy is leap and the day of March on
// which it starts (1 Farvardin) in Gregorian year jy+621.
func jalaliCal(jy int) (leap bool, march int) {
	gy := jy + 621
	leapJ := -14
	jp := jalaliBreaks[0]
	jump := 0
	for _, jm := range jalaliBreaks[1:] {
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + jump%33/4
		jp = jm
	}
	n := jy - jp
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG
	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	l := ((n+1)%33 - 1) % 4
	if l == -1 {
		l = 4
	}
	return l == 0, march
}

// JalaliToGregorian converts a date of the Persian (Jalali, solar hijri)
// calendar to the Gregorian calendar; ok is false for a date that does not
// exist (month 13, 31 Mehr, 30 Esfand of a common year) or a year outside
// 1–3177.
func JalaliToGregorian(jy, jm, jd int) (gy, gm, gd int, ok bool) {
	if jy < 1 || jy >= 3178 || jm < 1 || jm > 12 || jd < 1 {
		return 0, 0, 0, false
	}
	leap, march := jalaliCal(jy)
	switch {
	case jm <= 6 && jd > 31, jm > 6 && jm < 12 && jd > 30, jm == 12 && jd > 29 && !(leap && jd == 30):
		return 0, 0, 0, false
	}
	days := jd - 1
	if jm <= 7 {
		days += (jm - 1) * 31
	} else {
		days += 6*31 + (jm-7)*30
	}
	t := time.Date(jy+621, time.March, march, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return t.Year(), int(t.Month()), t.Day(), true
}
