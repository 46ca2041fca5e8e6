package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aduan/flows"
)

// What was seen or exported, as the access log names it.
const (
	AccessComplaintShow = "complaints.show"     // `aduan complaints show`
	AccessRecord        = "record"              // the whole record of a complaint sent to a unit's group (the Ombudsman)
	AccessDataCopy      = "data_copy"           // the citizen's own copy of their data (/datasaya)
	AccessBackup        = "backup"              // `aduan backup`: every citizen's data, written to a file
	AccessRestore       = "restore"             // `aduan restore`: every citizen's data, read from a file into the desk
	AccessWebDocument   = "web.document"        // a document (a complaint's record) downloaded in a unit's web group
	AccessWebFile       = "web.file"            // a complaint's attachment opened or downloaded in a unit's web group
	AccessNIK           = "nik"                 // the whole NIK shown to a member of the responsible unit (a card's button)
	AccessComplaintNIK  = "complaints.show.nik" // `aduan complaints show --nik`: the whole NIK printed
)

const (
	// sqlLogAccess appends one access: person is the pseudonym of the complainant of
	// the complaint ($4) as it is now, or $5 when no complaint is named.
	sqlLogAccess = `INSERT INTO access_log (at, who, what, complaint_id, person)
VALUES ($1, $2, $3, $4, coalesce((SELECT actor_pseudonym('complainant', contact_channel, contact_chat) FROM complaint WHERE id = $4), $5, ''))`
	// sqlLogNIKView appends the view of a complaint's ($4) whole NIK by a member ($3,
	// their channel identity, recorded by its pseudonym as the audit trail does) of
	// unit $2: who is "unit:<code> member:<pseudonym>".
	sqlLogNIKView = `INSERT INTO access_log (at, who, what, complaint_id, person)
VALUES ($1, 'unit:' || $2 || ' ' || actor_pseudonym('member', '', $3), '` + AccessNIK + `', $4,
	coalesce((SELECT actor_pseudonym('complainant', contact_channel, contact_chat) FROM complaint WHERE id = $4), ''))`
	// sqlAccessLog: the newest $4 lines the filter lets through, oldest first.
	sqlAccessLog = `SELECT * FROM (SELECT a.id, a.at, a.who, a.what, coalesce(c.tracking, ''), a.person FROM access_log a
LEFT JOIN complaint c ON c.id = a.complaint_id
WHERE ($1::bigint IS NULL OR a.complaint_id = $1) AND ($2 = '' OR a.person = $2) AND ($3::timestamptz IS NULL OR a.at >= $3)
ORDER BY a.at DESC, a.id DESC LIMIT $4) newest ORDER BY at, id`
)

// Access is one line of the access log: who saw or exported personal data, what, when,
// of which complaint and of whose data (the citizen's pseudonym).
type Access struct {
	ID       int64
	At       time.Time
	Who      string // staff: "cli:<os user>", "unit:<code>"; the citizen: their pseudonym
	What     string // AccessComplaintShow, AccessRecord, AccessDataCopy, …
	Tracking string // the complaint's tracking number; empty when none
	Person   string // the pseudonym of the citizen whose data it was; empty when unknown
}

// LogAccess records that who viewed or exported what of complaint complaintID (0: of
// no one complaint) at now. The person whose data it was is the complaint's
// complainant, by their pseudonym. who and what must not be empty; who must not hold
// personal data of citizens.
func (db *DB) LogAccess(ctx context.Context, who, what string, complaintID int64, now time.Time) error {
	if err := logAccess(ctx, db.pool, who, what, complaintID, "", now); err != nil {
		return fmt.Errorf("store: log access: %w", err)
	}
	return nil
}

// accessWriter is a pool or a transaction.
type accessWriter interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// logAccess is LogAccess on ex, with person standing for the citizen when no
// complaint is named.
func logAccess(ctx context.Context, ex accessWriter, who, what string, complaintID int64, person string, now time.Time) error {
	if strings.TrimSpace(who) == "" || strings.TrimSpace(what) == "" {
		return errors.New("who and what are required")
	}
	var id any
	if complaintID != 0 {
		id = complaintID
	}
	_, err := ex.Exec(ctx, sqlLogAccess, now, who, what, id, person)
	return err
}

// AccessFilter narrows AccessLog. Zero fields do not narrow.
type AccessFilter struct {
	Complaint int64     // one complaint's ID
	Person    string    // one citizen's pseudonym
	Since     time.Time // at or after
	Limit     int       // at most this many, the newest (default 1000)
}

// AccessLog returns the access log's lines that f lets through, oldest first: the
// newest f.Limit of them.
func (db *DB) AccessLog(ctx context.Context, f AccessFilter) ([]Access, error) {
	var complaint, since any
	if f.Complaint != 0 {
		complaint = f.Complaint
	}
	if !f.Since.IsZero() {
		since = f.Since
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.pool.Query(ctx, sqlAccessLog, complaint, f.Person, since, limit)
	if err != nil {
		return nil, fmt.Errorf("store: access log: %w", err)
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var a Access
		if err := rows.Scan(&a.ID, &a.At, &a.Who, &a.What, &a.Tracking, &a.Person); err != nil {
			return nil, fmt.Errorf("store: access log: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: access log: %w", err)
	}
	return out, nil
}

// ComplainantPseudonym returns the pseudonym that stands for the citizen of a
// conversation (channel and chat) in the audit trail, the access log and the data
// requests. It fails when the schema is older than this program.
func (db *DB) ComplainantPseudonym(ctx context.Context, channel, chat string) (string, error) {
	if err := db.loadPseudonymKey(ctx); err != nil {
		return "", err
	}
	k, err := db.pseudonyms()
	if err != nil {
		return "", fmt.Errorf("store: complainant pseudonym: %w", err)
	}
	return k.of("complainant", channel, chat), nil
}

// logExports adds to b the access log's lines of the exports among rows: each whole
// record of a complaint (flows.MsgRecord) sent to a unit's group, seen by that group
// ("unit:<code>"), and each whole NIK (flows.MsgNIKShown) told to a member alone, seen
// by that member of their unit (sqlLogNIKView).
func logExports(b *pgx.Batch, rows []outRow, now time.Time) {
	for _, r := range rows {
		switch {
		case r.notice.Complaint == 0:
		case r.notice.Msg == flows.MsgRecord:
			b.Queue(sqlLogAccess, now, "unit:"+cmp.Or(r.unit, r.chat), AccessRecord, r.notice.Complaint, "")
		case r.notice.Msg == flows.MsgNIKShown:
			b.Queue(sqlLogNIKView, now, r.notice.Unit, r.notice.To.Origin.User, r.notice.Complaint)
		}
	}
}
