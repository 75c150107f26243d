package validate

// Reason codes of identifier checks.
const (
	ReasonIDEmpty         Reason = "id_empty"
	ReasonIDNotDigits     Reason = "id_not_digits"
	ReasonIDLength        Reason = "id_length"
	ReasonIDRepeated      Reason = "id_repeated_digits"
	ReasonIDChecksum      Reason = "id_checksum"
	ReasonIDZeroSerial    Reason = "id_zero_serial"
	ReasonIDLeadingZeros  Reason = "id_leading_zeros_restored"
	ReasonNationalIDValid Reason = "national_id_ok"
	ReasonLegalIDValid    Reason = "legal_id_ok"
)

// IranNationalID checks an Iranian national ID (کد ملی): ten digits (Persian
// and Arabic-Indic digits folded, spaces and hyphens ignored) whose last
// digit is the mod-11 check digit of the first nine weighted 10 down to 2:
// with r = sum mod 11, the check digit is r when r < 2, else 11 - r. One
// digit repeated ten times is rejected although it passes the sum. Eight or
// nine digits are accepted when restoring the leading zeros a spreadsheet
// dropped makes a valid ID (reason id_leading_zeros_restored).
func IranNationalID(s string) Check {
	d, ok := digitsOnly(s)
	switch {
	case !ok:
		return Check{Reason: ReasonIDNotDigits}
	case d == "":
		return Check{Reason: ReasonIDEmpty}
	case len(d) < 8 || len(d) > 10:
		return Check{Reason: ReasonIDLength}
	}
	reason := ReasonNationalIDValid
	if len(d) < 10 {
		d = "00"[:10-len(d)] + d
		reason = ReasonIDLeadingZeros
	}
	same := true
	for i := 1; i < 10; i++ {
		if d[i] != d[0] {
			same = false
			break
		}
	}
	if same {
		return Check{Reason: ReasonIDRepeated}
	}
	sum := 0
	for i := range 9 {
		sum += int(d[i]-'0') * (10 - i)
	}
	r := sum % 11
	check := r
	if r >= 2 {
		check = 11 - r
	}
	if int(d[9]-'0') != check {
		return Check{Reason: ReasonIDChecksum}
	}
	return Check{Valid: true, Reason: reason, Normalized: d}
}

// IranLegalID checks an Iranian legal entity ID (شناسه ملی اشخاص حقوقی):
// eleven digits whose last is a check digit. With t the tens digit (the
// tenth digit) plus 2, the sum of (digit + t) × weight over the first ten
// digits, weights 29, 27, 23, 19, 17 repeated, taken mod 11 (10 counting as
// 0), must equal the last digit. The serial part (digits 4-9) must not be
// all zeros.
func IranLegalID(s string) Check {
	d, ok := digitsOnly(s)
	switch {
	case !ok:
		return Check{Reason: ReasonIDNotDigits}
	case d == "":
		return Check{Reason: ReasonIDEmpty}
	case len(d) != 11:
		return Check{Reason: ReasonIDLength}
	}
	if d[3:9] == "000000" {
		return Check{Reason: ReasonIDZeroSerial}
	}
	weights := [5]int{29, 27, 23, 19, 17}
	t := int(d[9]-'0') + 2
	sum := 0
	for i := range 10 {
		sum += (int(d[i]-'0') + t) * weights[i%5]
	}
	r := sum % 11
	if r == 10 {
		r = 0
	}
	if int(d[10]-'0') != r {
		return Check{Reason: ReasonIDChecksum}
	}
	return Check{Valid: true, Reason: ReasonLegalIDValid, Normalized: d}
}
