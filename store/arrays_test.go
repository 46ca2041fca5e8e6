package store_test

import (
	"slices"
	"testing"

	"aduan/store"
	"aduan/store/storetest"
)

// PostgreSQL reads the text forms of arrays the outbox rows are sent in back as the
// elements written: text with quotes, backslashes, braces, commas, spaces, NULL and
// nothing at all; JSON; integers at both ends of bigint; booleans; no elements.
func TestArraysReadBackAsWritten(t *testing.T) {
	db, _ := storetest.New(t)
	texts := []string{"telegram", "", "NULL", "null", `kutip "ini"`, `a\b`, `\"`, "{kurung}", "a,b", " spasi ", "baris\nbaru", "é ✓",
		`{"msg":"unit.new","text":"Jalan \"rusak\" di C:\\"}`}
	for _, elems := range [][]string{texts, {}, {"satu"}} {
		var got []string
		if err := db.Pool().QueryRow(ctx, `SELECT $1::text[]`, store.TextArray(elems)).Scan(&got); err != nil {
			t.Fatalf("%q as %s: %v", elems, store.TextArray(elems), err)
		}
		if !slices.Equal(got, elems) && len(got)+len(elems) > 0 {
			t.Errorf("%q came back as %q", elems, got)
		}
	}
	var js []string
	if err := db.Pool().QueryRow(ctx, `SELECT array_agg(j->>'text') FROM unnest($1::jsonb[]) j`, store.TextArray(texts[len(texts)-1:])).Scan(&js); err != nil || len(js) != 1 || js[0] != `Jalan "rusak" di C:\` {
		t.Errorf("jsonb element: %q, %v", js, err)
	}
	ints := []int64{0, -1, 42, 1<<63 - 1, -1 << 63}
	var gotInts []int64
	if err := db.Pool().QueryRow(ctx, `SELECT $1::bigint[]`, store.IntArray(ints)).Scan(&gotInts); err != nil || !slices.Equal(gotInts, ints) {
		t.Errorf("%v came back as %v (%v)", ints, gotInts, err)
	}
	bools := []bool{true, false, false, true}
	var gotBools []bool
	if err := db.Pool().QueryRow(ctx, `SELECT $1::boolean[]`, store.BoolArray(bools)).Scan(&gotBools); err != nil || !slices.Equal(gotBools, bools) {
		t.Errorf("%v came back as %v (%v)", bools, gotBools, err)
	}
}
