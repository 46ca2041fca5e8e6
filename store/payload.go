package store

import (
	"encoding/json"
	"strconv"
	"time"

	"aduan/flows"
)

// appendPayload appends to buf the outbox payload of n: its JSON, byte for byte as
// json.Marshal writes it. The notices of filings and transitions (a tracking number,
// a state, a unit, a deadline: no lists, maps or data copies, no text needing escapes)
// are written here without reflection, as json.Marshal's was a tenth of the store's
// own CPU per transition; any other notice goes through json.Marshal.
// TestPayloadIsJSONMarshal sets every field of flows.Notice and compares the two.
func appendPayload(buf []byte, n flows.Notice) ([]byte, error) {
	if len(n.Data) > 0 || len(n.Items) > 0 || len(n.Choices) > 0 || len(n.Files) > 0 || n.Copy != nil || !plainTime(n.Due) {
		return marshalInto(buf, n)
	}
	start := len(buf)
	w := payloadWriter{buf: append(buf, `{"msg":`...)}
	w.string(string(n.Msg))
	w.int("complaint", int64(n.Complaint))
	w.field("tracking", n.Tracking)
	w.field("report", string(n.Report))
	w.field("state", string(n.State))
	w.field("unit", n.Unit)
	w.field("actor", n.Actor)
	w.field("text", n.Text)
	if !n.Due.IsZero() {
		w.key("due")
		w.buf = append(n.Due.AppendFormat(append(w.buf, '"'), time.RFC3339Nano), '"')
	}
	w.int("rating", int64(n.Rating))
	w.int("open", int64(n.Open))
	w.int("due_today", int64(n.DueToday))
	w.int("overdue", int64(n.Overdue))
	w.field("ask", n.Ask)
	w.bool("card", n.Card)
	w.field("press", n.Press)
	w.bool("alert", n.Alert)
	if w.escaped {
		return marshalInto(buf[:start], n)
	}
	return append(w.buf, '}'), nil
}

func marshalInto(buf []byte, n flows.Notice) ([]byte, error) {
	p, err := json.Marshal(n)
	return append(buf, p...), err
}

// plainTime reports whether json.Marshal writes t as time.RFC3339Nano does: a zero
// time (left out), or one in years 0–9999 with a zone less than a day off UTC.
func plainTime(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	_, off := t.Zone()
	return t.Year() >= 0 && t.Year() <= 9999 && off > -24*3600 && off < 24*3600
}

// payloadWriter writes the members of a JSON object after its first; escaped is set
// when a string needed escaping, which is json.Marshal's to do.
type payloadWriter struct {
	buf     []byte
	escaped bool
}

func (w *payloadWriter) key(k string) {
	w.buf = append(append(append(w.buf, `,"`...), k...), `":`...)
}

// field writes k: v unless v is empty (omitempty).
func (w *payloadWriter) field(k, v string) {
	if v != "" {
		w.key(k)
		w.string(v)
	}
}

func (w *payloadWriter) int(k string, v int64) {
	if v != 0 {
		w.key(k)
		w.buf = strconv.AppendInt(w.buf, v, 10)
	}
}

func (w *payloadWriter) bool(k string, v bool) {
	if v {
		w.key(k)
		w.buf = append(w.buf, "true"...)
	}
}

// string writes s quoted when no byte of it needs an escape in json.Marshal's
// output: printable ASCII other than the quote, the backslash and <, >, & (which it
// escapes for HTML).
func (w *payloadWriter) string(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			w.escaped = true
			return
		}
	}
	w.buf = append(append(append(w.buf, '"'), s...), '"')
}
