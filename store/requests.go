package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

const (
	sqlInsertRequest = `INSERT INTO data_request (person, channel, kind, requested_at, completed_at, detail)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`
	// sqlAllRequests: every data request, the deletion requests (/hapusdata, kept with
	// the complaints they wait for in deletion_request) among them.
	sqlAllRequests = `(SELECT id, person, channel, kind, requested_at, completed_at, detail FROM data_request
UNION ALL
SELECT id, requester, channel, 'erasure', requested_at, completed_at,
	erased || ' complaints erased, ' || waiting || ' waiting to close' FROM deletion_request) r`
	sqlRequestsOf = `SELECT kind, requested_at, completed_at FROM ` + sqlAllRequests + ` WHERE person = $1 ORDER BY requested_at, id`
	// sqlRequests: the newest $4 requests the filter lets through, oldest first.
	sqlRequests = `SELECT * FROM (SELECT id, person, channel, kind, requested_at, completed_at, detail FROM ` + sqlAllRequests + `
WHERE ($1::timestamptz IS NULL OR requested_at >= $1) AND ($2 = '' OR kind = $2) AND (NOT $3 OR completed_at IS NULL)
ORDER BY requested_at DESC, id DESC LIMIT $4) newest ORDER BY requested_at, id`
	// sqlComplaintsOf: every complaint filed from a conversation, oldest first.
	sqlComplaintsOf = `SELECT ` + complaintColumns + ` FROM complaint WHERE contact_channel = $1 AND contact_chat = $2 ORDER BY id`
	// sqlStepsOf: the audit trails of complaints, what a citizen's copy shows of them.
	sqlStepsOf = `SELECT complaint_id, at, kind, actor_kind, from_state, to_state, unit_after, text FROM audit_event
WHERE complaint_id = ANY($1) ORDER BY complaint_id, id`
	sqlFileHashes = `SELECT id, sha256 FROM attachment_file WHERE id = ANY($1)`
)

// DataRequest is one citizen's request about their personal data, as recorded.
type DataRequest struct {
	ID        int64
	Person    string // the citizen's pseudonym
	Channel   string
	Kind      flows.RequestKind
	Requested time.Time
	Completed time.Time // zero while open
	Detail    string    // what was done, without personal data
}

// RequestFilter narrows DataRequests. Zero fields do not narrow.
type RequestFilter struct {
	Since time.Time
	Kind  flows.RequestKind
	Open  bool // only requests not completed
	Limit int  // at most this many, the newest (default 1000)
}

// DataRequests returns the recorded data requests f lets through, oldest first: the
// newest f.Limit of them.
func (db *DB) DataRequests(ctx context.Context, f RequestFilter) ([]DataRequest, error) {
	var since any
	if !f.Since.IsZero() {
		since = f.Since
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.pool.Query(ctx, sqlRequests, since, string(f.Kind), f.Open, limit)
	if err != nil {
		return nil, fmt.Errorf("store: data requests: %w", err)
	}
	defer rows.Close()
	var out []DataRequest
	for rows.Next() {
		var r DataRequest
		var done *time.Time
		if err := rows.Scan(&r.ID, &r.Person, &r.Channel, &r.Kind, &r.Requested, &done, &r.Detail); err != nil {
			return nil, fmt.Errorf("store: data requests: %w", err)
		}
		if done != nil {
			r.Completed = *done
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: data requests: %w", err)
	}
	return out, nil
}

// answerRequest records and answers, within tx, the data request the conversation
// asked for (flows.Outcome.Request) and returns the replies with the answer in them.
// A copy (flows.RequestAccess) is gathered now from what the desk holds about the
// conversation — the session s as it will be saved, every complaint filed from it —
// put into the replies' flows.MsgDataCopy notice, recorded as completed at now in
// data_request and in the access log, and logged (the request's ID and counts only).
// Other kinds are left to their own code.
func (db *DB) answerRequest(ctx context.Context, tx *txn, o flows.Outcome, replies []flows.Notice, now time.Time) ([]flows.Notice, error) {
	if o.Request != flows.RequestAccess {
		return replies, nil
	}
	k, err := db.pseudonyms()
	if err != nil {
		return nil, err
	}
	s := o.Session
	person := k.of("complainant", s.Channel, s.Chat)
	cp, err := dataCopy(ctx, tx, s, person, now)
	if err != nil {
		return nil, fmt.Errorf("data copy: %w", err)
	}
	detail := fmt.Sprintf("%d complaints", len(cp.Complaints))
	if cp.Session != nil && cp.Session.Draft != nil {
		detail += ", 1 draft"
	}
	id, err := recordRequest(ctx, tx, person, s.Channel, flows.RequestAccess, now, now, detail)
	if err != nil {
		return nil, err
	}
	cp.Requests = append(cp.Requests, flows.RequestCopy{Kind: flows.RequestAccess, Requested: now, Completed: now})
	if err := logAccess(ctx, tx, person, AccessDataCopy, 0, person, now); err != nil {
		return nil, err
	}
	out := make([]flows.Notice, 0, len(replies))
	filled := false
	for _, n := range replies {
		if n.Msg == flows.MsgDataCopy && !filled {
			n.Copy, filled = &cp, true
		}
		out = append(out, n)
	}
	if !filled {
		out = append(out, flows.Notice{To: flows.ToComplainant, Msg: flows.MsgDataCopy, Copy: &cp})
	}
	db.log().Info("data request completed", "kind", string(flows.RequestAccess), "request_id", id, "channel", s.Channel,
		"complaints", len(cp.Complaints))
	return out, nil
}

// recordRequest records, within tx, a data request of the citizen whose pseudonym is
// person, made on channel at requested and completed at completed (zero: still open),
// with what was done (detail, without personal data), and returns its ID. Every kind of
// request is recorded through it, so that `aduan requests list` lists them all.
func recordRequest(ctx context.Context, tx *txn, person, channel string, kind flows.RequestKind, requested, completed time.Time, detail string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, sqlInsertRequest, person, channel, string(kind), requested, nullTime(completed), detail).Scan(&id)
	return id, err
}

// dataCopy gathers everything the desk holds about the conversation of session s.
func dataCopy(ctx context.Context, tx *txn, s flows.Session, person string, now time.Time) (flows.DataCopy, error) {
	cp := flows.DataCopy{Made: now, Channel: s.Channel, Chat: s.Chat, Person: person, Lang: langOr(s.Lang), Complaints: []flows.ComplaintCopy{}}
	rows, err := tx.Query(ctx, sqlComplaintsOf, s.Channel, s.Chat)
	if err != nil {
		return cp, err
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Complaint, error) { return scanComplaint(r) })
	if err != nil {
		return cp, err
	}
	var ids []int64
	var refs []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
		refs = append(refs, fileIDs(c.Attachment)...)
	}
	refs = append(refs, fileIDs(s.Draft.Attachment)...)
	hashes := map[int64]string{}
	if len(refs) > 0 {
		rows, err := tx.Query(ctx, sqlFileHashes, refs)
		if err != nil {
			return cp, err
		}
		for rows.Next() {
			var id int64
			var sum []byte
			if err := rows.Scan(&id, &sum); err != nil {
				rows.Close()
				return cp, err
			}
			hashes[id] = hex.EncodeToString(sum)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return cp, err
		}
	}
	steps := map[int64][]flows.StepCopy{}
	if len(ids) > 0 {
		rows, err := tx.Query(ctx, sqlStepsOf, ids)
		if err != nil {
			return cp, err
		}
		for rows.Next() {
			var id int64
			var a flows.AuditEvent
			if err := rows.Scan(&id, &a.At, &a.Kind, &a.Actor.Kind, &a.FromState, &a.ToState, &a.UnitAfter, &a.Text); err != nil {
				rows.Close()
				return cp, err
			}
			steps[id] = append(steps[id], flows.CopyStep(a))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return cp, err
		}
	}
	for _, c := range cs {
		cp.Complaints = append(cp.Complaints, flows.ComplaintCopy{Complaint: c, Files: filesOf(c.Attachment, hashes), Steps: steps[c.ID]})
	}
	if s.Filing() || s.Pending != "" {
		sc := &flows.SessionCopy{Step: s.Step, Updated: s.Updated, Pending: s.Pending}
		if s.Filing() {
			d := s.Draft
			sc.Draft, sc.Files = &d, filesOf(d.Attachment, hashes)
		}
		cp.Session = sc
	}
	rows, err = tx.Query(ctx, sqlRequestsOf, person)
	if err != nil {
		return cp, err
	}
	for rows.Next() {
		var r flows.RequestCopy
		var done *time.Time
		if err := rows.Scan(&r.Kind, &r.Requested, &done); err != nil {
			rows.Close()
			return cp, err
		}
		if done != nil {
			r.Completed = *done
		}
		cp.Requests = append(cp.Requests, r)
	}
	rows.Close()
	return cp, rows.Err()
}

// fileIDs returns the attachment_file IDs of the kept files among as.
func fileIDs(as []flows.Attachment) []int64 {
	var ids []int64
	for _, a := range as {
		if id, ok := fileID(a); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func fileID(a flows.Attachment) (int64, bool) {
	if a.Kind == "location" || !strings.HasPrefix(a.Ref, "file:") {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(a.Ref, "file:"), 10, 64)
	return id, err == nil
}

// filesOf describes attachments for a citizen's copy, with the content hashes kept.
func filesOf(as []flows.Attachment, hashes map[int64]string) []flows.FileCopy {
	var out []flows.FileCopy
	for _, a := range as {
		f := flows.FileCopy{Kind: a.Kind, Name: a.Name, Size: a.Size}
		if a.Kind == "location" {
			f.Place = a.Ref
		} else if id, ok := fileID(a); ok {
			f.SHA256 = hashes[id]
		}
		out = append(out, f)
	}
	return out
}
