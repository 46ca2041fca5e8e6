package store_test

import (
	"cmp"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// chatsOf returns the stored chats of every unit, "unit channel chat", sorted.
func chatsOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Pool().Query(ctx, `SELECT unit || ' ' || channel || ' ' || chat FROM unit_chat ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedChats(cs []flows.ChatRef) []flows.ChatRef {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b flows.ChatRef) int {
		return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Chat, b.Chat))
	})
	return cs
}

func TestApplyUnitsKeepsEveryChat(t *testing.T) {
	db, _ := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	apply := func(units []flows.Unit) []store.UnitChange {
		t.Helper()
		dir, err := flows.NewDirectory(units)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := db.ApplyUnits(ctx, dir, at)
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	wa := func(chat string) flows.ChatRef { return flows.ChatRef{Channel: store.WhatsApp, Chat: chat} }
	tg := func(chat string) flows.ChatRef { return flows.ChatRef{Channel: store.Telegram, Chat: chat} }
	unit := func(us []flows.Unit, code string) *flows.Unit {
		i := slices.IndexFunc(us, func(u flows.Unit) bool { return u.Code == code })
		return &us[i]
	}

	// The agency works in two Telegram groups and a WhatsApp group; the team only in
	// a WhatsApp group.
	units := flowstest.Units()
	unit(units, flowstest.Agency).Chats = []flows.ChatRef{tg("-1003"), wa("1203630003@g.us"), tg("-1013")}
	unit(units, flowstest.Team).Chats = []flows.ChatRef{wa("1203630004@g.us")}
	if ch := apply(units); !slices.Equal(ch, []store.UnitChange{{flowstest.Agency, "updated"}, {flowstest.Team, "updated"}}) {
		t.Errorf("changes = %v", ch)
	}
	dir, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{flowstest.Agency, flowstest.Team, flowstest.National} {
		got, _ := dir.Unit(code)
		if want := unit(units, code).Chats; !slices.Equal(sortedChats(got.Chats), sortedChats(want)) {
			t.Errorf("stored chats of %s = %v, want %v", code, got.Chats, want)
		}
	}
	if got := dir.UnitsOfChat(store.WhatsApp, "1203630004@g.us"); !slices.Equal(got, []string{flowstest.Team}) {
		t.Errorf("UnitsOfChat of the team's WhatsApp group = %v", got)
	}
	if got := dir.UnitsOfChat(store.Telegram, "-1004"); got != nil {
		t.Errorf("the team's old Telegram group still belongs to %v", got)
	}

	// The same chats in another order change nothing.
	slices.Reverse(unit(units, flowstest.Agency).Chats)
	if ch := apply(units); len(ch) != 0 {
		t.Errorf("the same chats in another order: changes %v", ch)
	}

	// In one apply, a chat moves from a unit to another, and a retired unit's chat goes
	// to a new unit.
	unit(units, flowstest.Agency).Chats = []flows.ChatRef{tg("-1003"), wa("1203630003@g.us")}
	unit(units, flowstest.Team2).Chats = []flows.ChatRef{tg("-1013")}
	other := unit(units, flowstest.Other)
	units = append(units, flows.Unit{Code: "dinsos", Name: "Dinas Sosial", Kind: flows.Agency, Parent: flowstest.Regency, Chats: other.Chats})
	units = slices.DeleteFunc(units, func(u flows.Unit) bool { return u.Code == flowstest.Other })
	want := []store.UnitChange{{flowstest.Agency, "updated"}, {flowstest.Team2, "updated"}, {"dinsos", "added"}, {flowstest.Other, "retired"}}
	if ch := apply(units); !slices.Equal(ch, want) {
		t.Errorf("moving chats: changes %v, want %v", ch, want)
	}
	wantRows := []string{
		"dinsos telegram -1006",
		"dukcapil telegram -1003",
		"dukcapil whatsapp 1203630003@g.us",
		"kuburaya telegram -1002",
		"nasional telegram -1001",
		"ombudsman telegram -1007",
		"tim-akta telegram -1013",
		"tim-kk whatsapp 1203630004@g.us",
	}
	if got := chatsOf(t, db); !slices.Equal(got, wantRows) {
		t.Errorf("unit_chat = %q, want %q", got, wantRows)
	}

	// Restoring the retired unit gives it the chats of the file again.
	restored := flows.Unit{Code: flowstest.Other, Name: "Dinas Kesehatan", Kind: flows.Agency, Parent: flowstest.Regency, Chats: []flows.ChatRef{wa("1203630006@g.us")}}
	if ch := apply(append(units, restored)); !slices.Equal(ch, []store.UnitChange{{flowstest.Other, "restored"}}) {
		t.Errorf("restoring: changes %v", ch)
	}
	if got := chatsOf(t, db); !slices.Contains(got, "dinkes whatsapp 1203630006@g.us") {
		t.Errorf("the restored unit's chat is not stored: %q", got)
	}
}

func TestUnitChatServesOneUnit(t *testing.T) {
	db, _ := setup(t)
	_, err := db.Pool().Exec(ctx, `INSERT INTO unit_chat (unit, channel, chat) VALUES ($1, 'telegram', '-1001')`, flowstest.Regency)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.ConstraintName != "unit_chat_one_unit" {
		t.Errorf("a second unit in the national group: %v", err)
	}
}

func TestNoticesReachEveryChatOfAUnit(t *testing.T) {
	units := flowstest.Units()
	units[0].Chats = append(units[0].Chats, flows.ChatRef{Channel: store.WhatsApp, Chat: "1203630001@g.us"}, flows.ChatRef{Channel: store.Telegram, Chat: "-1011"})
	db := storetest.NewWithUnits(t, units)
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	at := flowstest.At(t, "2026-11-30 10:00")
	mustFile(t, db, rules, at)
	out, err := db.Claim(ctx, []string{store.Telegram, store.WhatsApp}, at, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var cards []string
	for _, o := range out {
		if o.Unit == flowstest.National && o.Notice.Msg == flows.MsgNewCase {
			cards = append(cards, o.Channel+" "+o.Chat)
		}
	}
	slices.Sort(cards)
	if want := []string{"telegram -1001", "telegram -1011", "whatsapp 1203630001@g.us"}; !slices.Equal(cards, want) {
		t.Errorf("the new complaint's card went to %q, want %q", cards, want)
	}
}

// migrateTo brings the database of sqldb to version (0: the latest).
func migrateTo(t *testing.T, sqldb *sql.DB, version int64) error {
	t.Helper()
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, store.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if version == 0 {
		_, err = p.Up(ctx)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// oldUnits opens an empty database migrated to just before unit_chat, with units
// written as that version stored them.
func oldUnits(t *testing.T, values string) (*sql.DB, *store.DB) {
	t.Helper()
	url := storetest.Empty(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	sqldb := stdlib.OpenDBFromPool(db.Pool())
	t.Cleanup(func() { sqldb.Close() })
	if err := migrateTo(t, sqldb, 6); err != nil {
		t.Fatal(err)
	}
	if _, err := sqldb.ExecContext(ctx, `INSERT INTO unit (code, name, kind, parent, telegram_chat, whatsapp_jid, retired, updated_at) VALUES `+values); err != nil {
		t.Fatal(err)
	}
	return sqldb, db
}

func TestMigrationMovesUnitChats(t *testing.T) {
	sqldb, db := oldUnits(t, `
		('nasional', 'Nasional', 'national', NULL, -1001, NULL, false, now()),
		('kuburaya', 'Kubu Raya', 'regency', 'nasional', -1002, '1203630002@g.us', false, now()),
		('dukcapil', 'Dukcapil', 'agency', 'kuburaya', NULL, '1203630003@g.us', false, now()),
		('tim-kk', 'Tim KK', 'team', 'dukcapil', NULL, '', false, now()),
		('tim-lama', 'Tim Lama', 'team', 'dukcapil', -1002, NULL, true, now()),
		('ombudsman', 'Ombudsman', 'ombudsman', NULL, -1007, NULL, false, now())`)
	if err := migrateTo(t, sqldb, 0); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"dukcapil whatsapp 1203630003@g.us",
		"kuburaya telegram -1002",
		"kuburaya whatsapp 1203630002@g.us",
		"nasional telegram -1001",
		"ombudsman telegram -1007",
	}
	if got := chatsOf(t, db); !slices.Equal(got, want) {
		t.Errorf("unit_chat after the migration = %q, want %q", got, want)
	}
	var left int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'unit' AND column_name IN ('telegram_chat', 'whatsapp_jid')`).Scan(&left); err != nil || left != 0 {
		t.Errorf("old unit columns left: %d, %v", left, err)
	}
	dir, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := dir.UnitsOfChat(store.WhatsApp, "1203630003@g.us"); !slices.Equal(got, []string{"dukcapil"}) {
		t.Errorf("UnitsOfChat of dukcapil's group = %v", got)
	}
	if u, _ := dir.Unit("tim-kk"); len(u.Chats) != 0 {
		t.Errorf("tim-kk has chats %v, want none", u.Chats)
	}

	// Down gives each unit its chat back in the old columns.
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, store.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	var tg int64
	var jid string
	if err := sqldb.QueryRowContext(ctx, `SELECT telegram_chat, whatsapp_jid FROM unit WHERE code = 'kuburaya'`).Scan(&tg, &jid); err != nil || tg != -1002 || jid != "1203630002@g.us" {
		t.Errorf("after Down, kuburaya's chats = %d, %q, %v", tg, jid, err)
	}
}

func TestMigrationRefusesSharedChats(t *testing.T) {
	sqldb, db := oldUnits(t, `
		('nasional', 'Nasional', 'national', NULL, -1001, NULL, false, now()),
		('kuburaya', 'Kubu Raya', 'regency', 'nasional', -1002, NULL, false, now()),
		('dukcapil', 'Dukcapil', 'agency', 'kuburaya', -1002, NULL, false, now()),
		('ombudsman', 'Ombudsman', 'ombudsman', NULL, -1007, NULL, false, now())`)
	err := migrateTo(t, sqldb, 0)
	if err == nil || !strings.Contains(err.Error(), "units dukcapil, kuburaya share the telegram chat -1002") {
		t.Fatalf("migrating units that share a group: %v", err)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'unit' AND column_name = 'telegram_chat'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the refused migration changed the unit table: %d, %v", n, err)
	}
}

func TestCardsRefreshInEveryChatOfAUnit(t *testing.T) {
	units := flowstest.Units()
	units[0].Chats = append(units[0].Chats, flows.ChatRef{Channel: store.Telegram, Chat: "-1011"}) // nasional
	db := storetest.NewWithUnits(t, units)
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	pending(t, db, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	out, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var edits []string
	for _, o := range out {
		if o.Edit != "" {
			edits = append(edits, o.Chat)
		}
	}
	slices.Sort(edits)
	if want := []string{"-1001", "-1011"}; !slices.Equal(edits, want) {
		t.Errorf("the national card was refreshed in %q, want %q", edits, want)
	}
}
