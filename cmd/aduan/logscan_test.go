package main

import (
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// The log scans of the end-to-end tests: a journey runs at debug level, and the whole
// log is searched for what identifies a citizen and for the desk's secrets.

// wantLogClean fails the test for every one of secrets the log holds (empty ones are
// ignored), and when the log is not at debug level: a quieter log proves little.
func wantLogClean(t testing.TB, logged string, secrets ...string) {
	t.Helper()
	if !strings.Contains(logged, "level=DEBUG") {
		t.Errorf("the log is not at debug level")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logged, s) {
			t.Errorf("the log holds %q", s)
		}
	}
}

// phoneForms returns the ways a phone number written as a citizen writes it (for
// example 0813-7777-8888) may appear: as written, its digits, without the trunk zero,
// and in the international form with and without +.
func phoneForms(phone string) []string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	national := strings.TrimPrefix(strings.TrimPrefix(digits, "62"), "0")
	return []string{phone, digits, national, "62" + national, "+62" + national}
}

// accessCodeForms returns an access code as shown (ABCD-EFGH) and as a link may carry
// it (abcdefgh, ABCDEFGH).
func accessCodeForms(code string) []string {
	bare := strings.ReplaceAll(code, "-", "")
	return []string{code, bare, strings.ToLower(bare), strings.ToLower(code)}
}

// deskSecrets returns the desk's secrets as they might leak: the Telegram token and
// its secret half, the database password, and the pseudonym keys (hex and base64).
func deskSecrets(t *testing.T, d *tgDesk) []string {
	t.Helper()
	out := []string{tgToken, tgToken[strings.Index(tgToken, ":")+1:]}
	if u, err := url.Parse(d.url); err == nil {
		if pw, ok := u.User.Password(); ok && len(pw) >= 6 {
			out = append(out, pw)
		}
	}
	var inner, outer []byte
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT inner_key, outer_key FROM pseudonym_key`).Scan(&inner, &outer); err != nil {
		t.Fatal(err)
	}
	for _, k := range [][]byte{inner, outer} {
		out = append(out, hex.EncodeToString(k), base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k))
	}
	return out
}
