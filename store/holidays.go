package store

import (
	"context"
	"fmt"
	"time"

	"aduan/flows"
)

const (
	sqlHolidays    = `SELECT day::text, kind, name, source, provisional, builtin, removed FROM holiday ORDER BY day`
	sqlSeedHoliday = `
INSERT INTO holiday (day, kind, name, source, provisional, builtin, updated_at)
VALUES ($1::date, $2, $3, $4, $5, true, $6) ON CONFLICT (day) DO NOTHING`
	sqlPutHoliday = `
INSERT INTO holiday (day, kind, name, source, provisional, builtin, updated_at)
VALUES ($1::date, $2, $3, $4, $5, false, $6)
ON CONFLICT (day) DO UPDATE SET kind = $2, name = $3, source = $4, provisional = $5, removed = false, updated_at = $6`
	sqlRemoveHoliday = `UPDATE holiday SET removed = true, updated_at = $2 WHERE day = $1::date AND NOT removed`
)

// StoredHoliday is a day off as the database holds it.
type StoredHoliday struct {
	flows.Holiday
	Builtin bool // shipped with the program
	Removed bool // removed by an operator: not a day off
}

// SeedHolidays adds the built-in days off that the database lacks; days an operator
// changed or removed stay as they are. It returns how many were added.
func (db *DB) SeedHolidays(ctx context.Context, hs []flows.Holiday, now time.Time) (int, error) {
	added := 0
	err := db.inTx(ctx, func(tx *txn) error {
		added = 0
		for _, h := range hs {
			tag, err := tx.Exec(ctx, sqlSeedHoliday, h.Date.String(), h.Kind, h.Name, h.Source, h.Provisional, now)
			if err != nil {
				return fmt.Errorf("%s: %w", h.Date, err)
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: seed holidays: %w", err)
	}
	return added, nil
}

// PutHolidays adds or replaces days off (an operator's closure, a corrected date, next
// year's list), in one transaction.
func (db *DB) PutHolidays(ctx context.Context, hs []flows.Holiday, now time.Time) error {
	err := db.inTx(ctx, func(tx *txn) error {
		for _, h := range hs {
			if _, err := tx.Exec(ctx, sqlPutHoliday, h.Date.String(), h.Kind, h.Name, h.Source, h.Provisional, now); err != nil {
				return fmt.Errorf("%s: %w", h.Date, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put holidays: %w", err)
	}
	return nil
}

// RemoveHoliday makes day a normal day again. It returns ErrNotFound when day is not a
// day off.
func (db *DB) RemoveHoliday(ctx context.Context, day flows.Date, now time.Time) error {
	tag, err := db.pool.Exec(ctx, sqlRemoveHoliday, day.String(), now)
	if err != nil {
		return fmt.Errorf("store: remove holiday %s: %w", day, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Holidays returns every stored day, removed ones included, by date.
func (db *DB) Holidays(ctx context.Context) ([]StoredHoliday, error) {
	rows, err := db.pool.Query(ctx, sqlHolidays)
	if err != nil {
		return nil, fmt.Errorf("store: holidays: %w", err)
	}
	defer rows.Close()
	var out []StoredHoliday
	for rows.Next() {
		var h StoredHoliday
		var day string
		if err := rows.Scan(&day, &h.Kind, &h.Name, &h.Source, &h.Provisional, &h.Builtin, &h.Removed); err != nil {
			return nil, fmt.Errorf("store: holidays: %w", err)
		}
		if h.Date, err = flows.ParseDate(day); err != nil {
			return nil, fmt.Errorf("store: holidays: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Calendar returns the working-day calendar as operators left it: the stored days off
// that are not removed, with the given zone and office hours.
func (db *DB) Calendar(ctx context.Context, loc *time.Location, hours flows.WeekHours) (*flows.Calendar, error) {
	stored, err := db.Holidays(ctx)
	if err != nil {
		return nil, err
	}
	var hs []flows.Holiday
	for _, h := range stored {
		if !h.Removed {
			hs = append(hs, h.Holiday)
		}
	}
	return flows.NewCalendar(loc, hours, hs), nil
}

// Rules loads what the rules need from the database — the routing tree and the
// calendar — and combines it with the policy.
func (db *DB) Rules(ctx context.Context, p flows.Policy, loc *time.Location, hours flows.WeekHours) (*flows.Rules, error) {
	cal, err := db.Calendar(ctx, loc, hours)
	if err != nil {
		return nil, err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	return &flows.Rules{Policy: p, Calendar: cal, Units: units}, nil
}
