// Package flowstest provides fixtures for tests of the domain and its adapters: a
// routing tree shaped like Kubu Raya's, the built-in calendar and the default policy.
package flowstest

import (
	"sync"
	"testing"
	"time"

	"aduan/flows"
)

// Unit codes of the fixture tree.
const (
	National  = "nasional"
	Regency   = "kuburaya"
	Agency    = "dukcapil"
	Team      = "tim-kk"
	Team2     = "tim-akta"
	Other     = "dinkes" // a second agency under the regency
	Ombudsman = "ombudsman"
)

// Units returns the fixture tree: national → regency → two agencies, two technical
// teams under Dukcapil, and the Ombudsman liaison; every unit has a Telegram group.
func Units() []flows.Unit {
	return []flows.Unit{
		{Code: National, Name: "Admin Nasional SP4N LAPOR!", Kind: flows.National, Chats: telegram("-1001")},
		{Code: Regency, Name: "Admin Kabupaten Kubu Raya", Kind: flows.Regency, Parent: National, Chats: telegram("-1002")},
		{Code: Agency, Name: "Dinas Dukcapil Kubu Raya", Kind: flows.Agency, Parent: Regency, Chats: telegram("-1003")},
		{Code: Team, Name: "Tim Teknis KK & KTP-el", Kind: flows.Team, Parent: Agency, Chats: telegram("-1004")},
		{Code: Team2, Name: "Tim Teknis Akta", Kind: flows.Team, Parent: Agency, Chats: telegram("-1005")},
		{Code: Other, Name: "Dinas Kesehatan", Kind: flows.Agency, Parent: Regency, Chats: telegram("-1006")},
		{Code: Ombudsman, Name: "Penghubung Ombudsman Kalbar", Kind: flows.Ombudsman, Chats: telegram("-1007")},
	}
}

// telegram returns the one Telegram group chat of a fixture unit.
func telegram(chat string) []flows.ChatRef {
	return []flows.ChatRef{{Channel: "telegram", Chat: chat}}
}

// Zone returns Asia/Pontianak.
func Zone(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// Rules returns rules over the fixture tree, the built-in calendar with default office
// hours, and the default policy.
func Rules(tb testing.TB) *flows.Rules {
	tb.Helper()
	dir, err := flows.NewDirectory(Units())
	if err != nil {
		tb.Fatal(err)
	}
	cal := flows.NewCalendar(Zone(tb), flows.DefaultWeekHours(), flows.BuiltinHolidays())
	return &flows.Rules{Policy: flows.DefaultPolicy(), Calendar: cal, Units: dir}
}

// At returns the instant of a wall-clock time in Asia/Pontianak, written
// "2006-01-02 15:04".
func At(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Zone(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// ChatRef is the conversation of the fixture complainant.
const ChatRef = "555001"

// Report returns a complete ordinary complaint from the fixture complainant, ready to file.
func Report() flows.Complaint {
	return flows.Complaint{
		Type:     flows.ReportComplaint,
		Privacy:  flows.Ordinary,
		Category: "kk",
		Title:    "KK belum jadi",
		Body:     "Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.",
		Place:    "Sungai Raya",
		Contact:  flows.Contact{Channel: "telegram", Chat: ChatRef, Name: "Budi", Phone: "081234567890", Lang: "id"},
	}
}

// Member returns an actor acting for unit.
func Member(unit string) flows.Actor {
	return flows.Actor{Kind: flows.ByUnit, Unit: unit, Ref: "tg:" + unit, Name: "Petugas " + unit}
}

// Complainant is the fixture complainant as an actor.
var Complainant = flows.Actor{Kind: flows.ByComplainant, Ref: ChatRef}

// Clock is a fake clock that moves only when told. Safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
