package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// A complaint's access code is what lets its complainant, and nobody else, follow it
// on the web (the status page, the web chat): eight characters, shown grouped in two
// fours ("K7QM-3XPA"), from the tracking numbers' alphabet, which has no look-alike
// characters (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
//
// The code is derived, not stored: HMAC-SHA256 of the tracking number under the
// deployment's access-code key (table access_code_key, made by migration 00016 and
// again on first use if it was emptied). So the write paths of complaints carry no
// code, every complaint has one from the day it was filed (those filed before this
// program too), the desk can show it again whenever the complainant asks on their
// chat, and the database holds no table of codes to leak: without the key, a tracking
// number says nothing of its code. The price is that one complaint's code cannot be
// changed alone; replacing the key changes them all.
//
// Eight characters of 25 are about 37 bits: with the status page's limit of attempts
// per address, guessing one complaint's code takes longer than the complaint lives.

const (
	sqlAccessKey       = `SELECT key FROM access_code_key`
	sqlAccessKeyCreate = `INSERT INTO access_code_key (key) VALUES ($1) ON CONFLICT (one) DO NOTHING`
	sqlAccessTracking  = `SELECT tracking FROM complaint WHERE tracking = upper($1)`
)

// accessAlphabet is the alphabet of access codes, the tracking numbers' own
// (flows.NewTracking).
const accessAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// accessCodeLen is the number of characters of an access code, without the dash.
const accessCodeLen = 8

// accessKey returns the deployment's access-code key, making one from crypto/rand when
// the table is empty.
func (db *DB) accessKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := db.pool.QueryRow(ctx, sqlAccessKey).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: access-code key: %w", err)
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := db.pool.Exec(ctx, sqlAccessKeyCreate, fresh); err != nil {
		return nil, fmt.Errorf("store: make the access-code key: %w", err)
	}
	// Another replica may have made it first: read the one kept.
	if err := db.pool.QueryRow(ctx, sqlAccessKey).Scan(&key); err != nil {
		return nil, fmt.Errorf("store: access-code key: %w", err)
	}
	return key, nil
}

// accessCode derives the access code of tracking (as stored: upper case) under key,
// without the dash.
func accessCode(key []byte, tracking string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("aduan access code\x00" + tracking))
	n := binary.BigEndian.Uint64(mac.Sum(nil)) // 2^64 is 10^8 times 25^8: the bias is nil
	code := make([]byte, accessCodeLen)
	for i := range code {
		code[i] = accessAlphabet[n%uint64(len(accessAlphabet))]
		n /= uint64(len(accessAlphabet))
	}
	return string(code)
}

// FormatAccessCode returns an access code as it is shown: two groups of four joined by
// a dash.
func FormatAccessCode(code string) string {
	if len(code) != accessCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeAccessCode returns code as a person may have typed it — any case, with or
// without the dash, with spaces — in the form accessCode derives.
func NormalizeAccessCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014':
			return -1
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// AccessCode returns the access code of the complaint with the given tracking number
// (any case), as it is shown ("K7QM-3XPA"). The same complaint always has the same
// code; two complaints have different ones but by a chance of one in 25^8. It returns
// ErrNotFound when there is no such complaint.
func (db *DB) AccessCode(ctx context.Context, tracking string) (string, error) {
	var stored string
	if err := db.pool.QueryRow(ctx, sqlAccessTracking, strings.TrimSpace(tracking)).Scan(&stored); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("store: access code: %w", err)
	}
	key, err := db.accessKey(ctx)
	if err != nil {
		return "", err
	}
	return FormatAccessCode(accessCode(key, stored)), nil
}

// CheckAccess reports whether code is the access code of the complaint with the given
// tracking number, and returns the complaint when it is. The code is compared in
// constant time, and an unknown tracking number costs the same work as a wrong code
// (its code is derived and compared all the same), so neither the answer nor its time
// tells one from the other: ok is false for both, with a zero complaint and a nil
// error. The code is read in any case, with or without the dash and spaces. The error
// is for the database only.
func (db *DB) CheckAccess(ctx context.Context, tracking, code string) (flows.Complaint, bool, error) {
	tracking = strings.ToUpper(strings.TrimSpace(tracking))
	key, err := db.accessKey(ctx)
	if err != nil {
		return flows.Complaint{}, false, err
	}
	c, err := db.ComplaintByTracking(ctx, tracking)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return flows.Complaint{}, false, fmt.Errorf("store: check access: %w", err)
	}
	if found {
		tracking = c.Tracking
	}
	want := accessCode(key, tracking)
	given := NormalizeAccessCode(code)
	match := subtle.ConstantTimeCompare([]byte(want), []byte(given)) == 1
	if !found || !match {
		return flows.Complaint{}, false, nil
	}
	return c, true, nil
}
