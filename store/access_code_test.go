package store_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"aduan/flows/flowstest"
	"aduan/store"
)

// A complaint's access code is stable, differs from another complaint's, reads in two
// groups of four from the tracking numbers' alphabet, and is accepted in lower case,
// without the dash and with spaces; a wrong code and an unknown tracking number are
// the same refusal.
func TestAccessCode(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	a := mustFile(t, db, rules, at)
	b := mustFile(t, db, rules, at)

	codeA, err := db.AccessCode(ctx, a.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}$`).MatchString(codeA) {
		t.Fatalf("code %q: want XXXX-XXXX of the tracking alphabet", codeA)
	}
	again, err := db.AccessCode(ctx, strings.ToLower(a.Tracking))
	if err != nil || again != codeA {
		t.Fatalf("code again (lower-case tracking) = %q, %v; want %q", again, err, codeA)
	}
	codeB, err := db.AccessCode(ctx, b.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	if codeA == codeB {
		t.Fatalf("two complaints share the code %q", codeA)
	}
	if _, err := db.AccessCode(ctx, "KR-261130-XXXX"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("code of an unknown complaint: err %v, want ErrNotFound", err)
	}

	plain := strings.ReplaceAll(codeA, "-", "")
	for _, given := range []string{codeA, strings.ToLower(codeA), plain, strings.ToLower(plain), " " + plain[:4] + " " + plain[4:] + " "} {
		c, ok, err := db.CheckAccess(ctx, strings.ToLower(a.Tracking), given)
		if err != nil || !ok || c.ID != a.ID {
			t.Errorf("CheckAccess(%q) = %d, %v, %v; want complaint %d", given, c.ID, ok, err, a.ID)
		}
	}
	for name, tc := range map[string][2]string{
		"the other complaint's code": {a.Tracking, codeB},
		"a code one character off":   {a.Tracking, codeA[:8] + string(next(codeA[8]))},
		"a code too short":           {a.Tracking, plain[:7]},
		"no code":                    {a.Tracking, ""},
		"an unknown tracking number": {"KR-261130-XXXX", codeA},
		"no tracking number":         {"", codeA},
	} {
		c, ok, err := db.CheckAccess(ctx, tc[0], tc[1])
		if err != nil || ok || c.ID != 0 || c.Tracking != "" {
			t.Errorf("%s: CheckAccess = %+v, %v, %v; want a zero complaint, false, nil", name, c.ID, ok, err)
		}
	}

	// The key emptied (a practice desk reset): a new one is made on first use, and
	// every code changes with it.
	if _, err := db.Pool().Exec(ctx, `DELETE FROM access_code_key`); err != nil {
		t.Fatal(err)
	}
	fresh, err := db.AccessCode(ctx, a.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == codeA {
		t.Fatalf("code %q unchanged under a new key", fresh)
	}
	if again, _ := db.AccessCode(ctx, a.Tracking); again != fresh {
		t.Fatalf("code under the new key not stable: %q then %q", fresh, again)
	}
	if _, ok, _ := db.CheckAccess(ctx, a.Tracking, codeA); ok {
		t.Fatal("the old key's code still opens the complaint")
	}
}

// next returns the alphabet's character after c, so that a code differs in one place.
func next(c byte) byte {
	const alphabet = "34679ACDEFGHJKMNPQRTUVWXY"
	return alphabet[(strings.IndexByte(alphabet, c)+1)%len(alphabet)]
}
