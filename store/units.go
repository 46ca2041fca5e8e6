package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

const (
	sqlUnits = `
SELECT u.code, u.name, u.kind, coalesce(u.parent, ''), u.retired,
	coalesce(array_agg(c.channel ORDER BY c.channel, c.chat) FILTER (WHERE c.unit IS NOT NULL), '{}'),
	coalesce(array_agg(c.chat ORDER BY c.channel, c.chat) FILTER (WHERE c.unit IS NOT NULL), '{}')
FROM unit u LEFT JOIN unit_chat c ON c.unit = u.code
GROUP BY u.code ORDER BY u.code`
	sqlUpsertUnit = `
INSERT INTO unit (code, name, kind, parent, retired, updated_at)
VALUES ($1, $2, $3, nullif($4, ''), false, $5)
ON CONFLICT (code) DO UPDATE SET name = $2, kind = $3, parent = nullif($4, ''), retired = false, updated_at = $5`
	// sqlSetUnitChats replaces a unit's chats ($2 channels, $3 chat IDs, side by side);
	// unit_chat's uniqueness is checked at commit, once every unit has its new chats.
	sqlSetUnitChats = `
WITH gone AS (DELETE FROM unit_chat WHERE unit = $1)
INSERT INTO unit_chat (unit, channel, chat) SELECT $1, channel, chat FROM unnest($2::text[], $3::text[]) AS c (channel, chat)`
	sqlRetireUnit = `
WITH gone AS (DELETE FROM unit_chat WHERE unit = $1)
UPDATE unit SET retired = true, updated_at = $2 WHERE code = $1`
	sqlUnitChange  = `INSERT INTO unit_change (at, code, change, before, after) VALUES ($1, $2, $3, $4, $5)`
	sqlUnitInUse   = `SELECT count(*) FROM complaint WHERE (unit = $1 OR team = $1) AND state NOT IN ('closed', 'archived')`
	sqlUnitsLocked = `LOCK TABLE unit IN EXCLUSIVE MODE`
	sqlUnitCodes   = `SELECT code FROM unit ORDER BY code`
)

// UnitChange is one difference `units apply` made.
type UnitChange struct {
	Code   string
	Change string // "added", "updated", "retired", "restored"
}

// UnitsOptions changes what ApplyUnitsWith does.
type UnitsOptions struct {
	// DryRun computes and checks the differences, refusals included, and writes nothing.
	DryRun bool
	// Example marks dir as an example tree (placeholder chat IDs): it is applied only to
	// a database without active units, or where it changes nothing, and refused over
	// an operator's real units.
	Example bool
}

// ErrExampleUnits is returned by ApplyUnitsWith when an example tree would change a
// database that already has units.
var ErrExampleUnits = errors.New("store: an example routing tree is never applied over existing units")

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ApplyUnits makes the stored routing tree equal to dir at now: new units are added,
// changed ones updated, and units missing from dir are retired — kept, with their
// history, but no longer offered. Every difference is recorded in unit_change. It
// refuses to retire a unit that still holds open complaints. It returns the
// differences, empty when there were none.
func (db *DB) ApplyUnits(ctx context.Context, dir *flows.Directory, now time.Time) ([]UnitChange, error) {
	return db.ApplyUnitsWith(ctx, dir, now, UnitsOptions{})
}

// ApplyUnitsWith is ApplyUnits with options: a dry run returns the differences (and
// the same refusals) without writing them; an example tree is refused with
// ErrExampleUnits where it would change existing units.
func (db *DB) ApplyUnitsWith(ctx context.Context, dir *flows.Directory, now time.Time, opts UnitsOptions) ([]UnitChange, error) {
	changes, err := db.applyUnits(ctx, dir, now, opts)
	if errors.Is(err, errDryRun) {
		return changes, nil
	}
	if err != nil {
		return nil, err
	}
	return changes, nil
}

func (db *DB) applyUnits(ctx context.Context, dir *flows.Directory, now time.Time, opts UnitsOptions) ([]UnitChange, error) {
	var changes []UnitChange
	err := db.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, sqlUnitsLocked); err != nil {
			return err
		}
		stored, err := loadUnits(ctx, tx)
		if err != nil {
			return err
		}
		wanted := map[string]bool{}
		for _, u := range dir.Units() {
			wanted[u.Code] = true
			old, had := stored[u.Code]
			change := ""
			switch {
			case !had:
				change = "added"
			case old.retired:
				change = "restored"
			case !old.Equal(u):
				change = "updated"
				if old.Kind != u.Kind || old.Parent != u.Parent {
					// Moving a unit in the tree would strand what it holds.
					var open int
					if err := tx.QueryRow(ctx, sqlUnitInUse, u.Code).Scan(&open); err != nil {
						return err
					}
					if open > 0 {
						return fmt.Errorf("unit %q changes its kind or parent but holds %d open complaints: keep it until they move on", u.Code, open)
					}
				}
			default:
				continue
			}
			if _, err := tx.Exec(ctx, sqlUpsertUnit, u.Code, u.Name, u.Kind, u.Parent, now); err != nil {
				return fmt.Errorf("unit %s: %w", u.Code, err)
			}
			channels, chats := make([]string, len(u.Chats)), make([]string, len(u.Chats))
			for i, c := range u.Chats {
				channels[i], chats[i] = c.Channel, c.Chat
			}
			if _, err := tx.Exec(ctx, sqlSetUnitChats, u.Code, channels, chats); err != nil {
				return fmt.Errorf("unit %s chats: %w", u.Code, err)
			}
			var before any
			if had {
				before = old.Unit
			}
			if err := logUnitChange(ctx, tx, now, u.Code, change, before, u); err != nil {
				return err
			}
			changes = append(changes, UnitChange{u.Code, change})
		}
		for code, old := range stored {
			if wanted[code] || old.retired {
				continue
			}
			var open int
			if err := tx.QueryRow(ctx, sqlUnitInUse, code).Scan(&open); err != nil {
				return err
			}
			if open > 0 {
				return fmt.Errorf("unit %q is missing from the file but holds %d open complaints: keep it until they move on", code, open)
			}
			if _, err := tx.Exec(ctx, sqlRetireUnit, code, now); err != nil {
				return err
			}
			if err := logUnitChange(ctx, tx, now, code, "retired", old.Unit, nil); err != nil {
				return err
			}
			changes = append(changes, UnitChange{code, "retired"})
		}
		if opts.Example && len(changes) > 0 {
			active := 0
			for _, old := range stored {
				if !old.retired {
					active++
				}
			}
			if active > 0 {
				return fmt.Errorf("%w (units stored: %d; changes it would make: %d)", ErrExampleUnits, active, len(changes))
			}
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return changes, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: apply units: %w", err)
	}
	return changes, nil
}

// UnitCodes returns the code of every stored unit, retired ones included, in order.
func (db *DB) UnitCodes(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, sqlUnitCodes)
	if err != nil {
		return nil, fmt.Errorf("store: unit codes: %w", err)
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: unit codes: %w", err)
	}
	return codes, nil
}

// Units returns the active routing tree, or an error when none has been applied yet.
func (db *DB) Units(ctx context.Context) (*flows.Directory, error) {
	stored, err := loadUnits(ctx, db.pool)
	if err != nil {
		return nil, fmt.Errorf("store: load units: %w", err)
	}
	var units []flows.Unit
	for _, s := range stored {
		if !s.retired {
			units = append(units, s.Unit)
		}
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("store: no units configured: run `aduan units apply FILE`")
	}
	sortUnits(units)
	dir, err := flows.NewDirectory(units)
	if err != nil {
		return nil, fmt.Errorf("store: stored units: %w", err)
	}
	return dir, nil
}

type storedUnit struct {
	flows.Unit
	retired bool
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func loadUnits(ctx context.Context, q querier) (map[string]storedUnit, error) {
	rows, err := q.Query(ctx, sqlUnits)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedUnit{}
	for rows.Next() {
		var s storedUnit
		var channels, chats []string
		if err := rows.Scan(&s.Code, &s.Name, &s.Kind, &s.Parent, &s.retired, &channels, &chats); err != nil {
			return nil, err
		}
		for i := range channels {
			s.Chats = append(s.Chats, flows.ChatRef{Channel: channels[i], Chat: chats[i]})
		}
		out[s.Code] = s
	}
	return out, rows.Err()
}

// sortUnits orders units parents first (national, then down the tree, then the
// Ombudsman liaison), by code within a level, so that directories list them stably.
func sortUnits(units []flows.Unit) {
	rank := map[flows.UnitKind]int{flows.National: 0, flows.Regency: 1, flows.Agency: 2, flows.Team: 3, flows.Ombudsman: 4}
	slices.SortFunc(units, func(a, b flows.Unit) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(a.Code, b.Code))
	})
}

func logUnitChange(ctx context.Context, tx *txn, now time.Time, code, change string, before, after any) error {
	enc := func(v any) ([]byte, error) {
		if v == nil {
			return nil, nil
		}
		if u, ok := v.(flows.Unit); ok && u.Code == "" {
			return nil, nil
		}
		return json.Marshal(v)
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sqlUnitChange, now, code, change, b, a)
	return err
}
