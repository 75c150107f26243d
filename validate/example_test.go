package validate_test

import (
	"context"
	"fmt"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
)

func ExampleEmailSyntax() {
	for _, addr := range []string{"ali.rezaei@gmail.com", "info@ایران.ir", `"ali"@example.com`, "ali@p\u0430ypal.com"} {
		s := validate.EmailSyntax(addr)
		fmt.Printf("%v %s %q\n", s.Valid, s.Reason, s.Domain)
	}
	// Output:
	// true ok "gmail.com"
	// true ok "xn--mgba3a4f16a.ir"
	// false quoted_local_part ""
	// false confusable ""
}

func ExampleEmailVerifier_Verify() {
	lists, err := validate.LoadLists()
	if err != nil {
		panic(err)
	}
	v := &validate.EmailVerifier{Lists: lists} // no Resolver: offline
	for _, addr := range []string{"ali@gmial.com", "Sales+eu@acme-widgets.com", "شمه@لپشهم.زخپ", "jane@example.com"} {
		r, _ := v.Verify(context.Background(), addr)
		fmt.Printf("%s %s %q\n", r.Verdict, r.Reason, r.Suggestion)
	}
	// Output:
	// risky typo_suggestion "ali@gmail.com"
	// risky role_account ""
	// risky keyboard_layout "ali@gmail.com"
	// risky reserved_domain ""
}

func ExampleIranNationalID() {
	fmt.Println(validate.IranNationalID("۰۴۹۹۳۷۰۸۹۹").Valid)
	fmt.Println(validate.IranNationalID("0499370898").Reason)
	// Output:
	// true
	// id_checksum
}

func ExampleRecord() {
	rules, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
	if err != nil {
		panic(err)
	}
	rec := steward.Record{FirstName: "علی", Email: "ali..rezaei@gmail.com", NationalID: "0499370898"}
	for _, f := range validate.Record(&rec, rules) {
		fmt.Println(f.Field, f.Code, f.Severity)
	}
	// Output:
	// email consecutive_dots error
	// national_id id_checksum error
	// contact no_valid_contact error
}
