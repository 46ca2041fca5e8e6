package store

import (
	"fmt"
	"strconv"
	"strings"
)

// The outbox rows a filing or a transition queues are sent as arrays (sqlQueue's and
// sqlFile's unnest) in PostgreSQL's text form, written here: pgx sends a string
// parameter as it is, where its binary encoding of arrays boxes every element in an
// interface (and reflects over [][]byte). Sent so, a transition costs the machine
// about 2% less (docs/PERFORMANCE.md, 3 December).

// outArrays are the columns of outbox rows, each the text form of an array: those
// sqlQueue and sqlFile take.
type outArrays struct {
	channel, chat, lang, unit, payload string // text[] and jsonb[]
	complaint, editOf, ord             string // bigint[] and int[]
	answer                             string // boolean[]
}

// outColumns are the columns of rows, their notices' payloads written by appendPayload.
func outColumns(rows []outRow) (outArrays, error) {
	n := len(rows)
	ends := make([]int, n)
	buf := make([]byte, 0, 160*n)
	for i, r := range rows {
		var err error
		if buf, err = appendPayload(buf, r.notice); err != nil {
			return outArrays{}, fmt.Errorf("queue %s: %w", r.notice.Msg, err)
		}
		ends[i] = len(buf)
	}
	all := string(buf)
	payload := func(i int) string {
		if i == 0 {
			return all[:ends[0]]
		}
		return all[ends[i-1]:ends[i]]
	}
	return outArrays{
		channel:   textArray(n, func(i int) string { return rows[i].channel }),
		chat:      textArray(n, func(i int) string { return rows[i].chat }),
		lang:      textArray(n, func(i int) string { return rows[i].lang }),
		unit:      textArray(n, func(i int) string { return rows[i].unit }),
		payload:   textArray(n, payload),
		complaint: intArray(n, func(i int) int64 { return rows[i].notice.Complaint }),
		editOf:    intArray(n, func(i int) int64 { return rows[i].editOf }),
		ord:       intArray(n, func(i int) int64 { return int64(i) }),
		answer:    boolArray(n, func(i int) bool { return rows[i].answer }),
	}, nil
}

// textArray is the text form of a text (or jsonb) array of n elements: each quoted,
// its quotes and backslashes escaped.
func textArray(n int, elem func(int) string) string {
	size := 2
	for i := range n {
		size += len(elem(i)) + 3
	}
	buf := make([]byte, 1, size+size/4)
	buf[0] = '{'
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		e := elem(i)
		for j := 0; j < len(e); j++ {
			if c := e[j]; c == '"' || c == '\\' {
				buf = append(buf, '\\')
			}
			buf = append(buf, e[j])
		}
		buf = append(buf, '"')
	}
	return string(append(buf, '}'))
}

// intArray is the text form of an integer array of n elements.
func intArray(n int, elem func(int) int64) string {
	var b strings.Builder
	b.Grow(2 + 8*n)
	b.WriteByte('{')
	var digits [20]byte
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(strconv.AppendInt(digits[:0], elem(i), 10))
	}
	b.WriteByte('}')
	return b.String()
}

// boolArray is the text form of a boolean array of n elements.
func boolArray(n int, elem func(int) bool) string {
	var b strings.Builder
	b.Grow(1 + 2*n)
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if elem(i) {
			b.WriteByte('t')
		} else {
			b.WriteByte('f')
		}
	}
	b.WriteByte('}')
	return b.String()
}
