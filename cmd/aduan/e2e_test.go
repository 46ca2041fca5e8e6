package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
	"aduan/store/storetest"
)

// Chats of the fixture tree's groups and of the fixture complainant.
const (
	chatComplainant = flowstest.ChatRef
	chatNational    = "-1001"
	chatRegency     = "-1002"
	chatAgency      = "-1003"
	chatTeam        = "-1004"
	chatOmbudsman   = "-1007"
)

// desk is the whole program started on a test database, with a fake clock.
type desk struct {
	t     *testing.T
	m     *Main
	clock *flowstest.Clock
	tg    *memory.Channel // nil when started without a channel
}

// newDeskDB returns the URL of a fresh migrated database with the fixture units.
func newDeskDB(t *testing.T) string {
	t.Helper()
	db, url := storetest.New(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, flowstest.Units()), flowstest.At(t, "2026-11-01 00:00")); err != nil {
		t.Fatal(err)
	}
	return url
}

// startDesk runs Main on the database at url with a "telegram" memory channel that
// renders every message with the locales (none when withChannel is false), and closes
// it when the test ends.
func startDesk(t *testing.T, url string, clock *flowstest.Clock, withChannel bool) *desk {
	t.Helper()
	cfg := config.Defaults()
	cfg.DatabaseURL = url
	cfg.Listen = "127.0.0.1:0"
	cfg.SweepEvery = time.Hour // the test sweeps itself, at the fake clock's times
	d := &desk{t: t, clock: clock}
	d.m = &Main{Config: cfg, Clock: clock, Log: slog.New(slog.DiscardHandler)}
	if withChannel {
		cat, err := locales.New()
		if err != nil {
			t.Fatal(err)
		}
		d.tg = memory.New(store.Telegram, func(env flows.Envelope) (string, error) {
			return cat.Notice(env.Lang, env.Notice, d.m.Rules().Units, cfg.Zone)
		})
		d.m.Channels = []bot.Channel{d.tg}
	}
	if err := d.m.Run(t.Context()); err != nil {
		d.m.Close()
		t.Fatalf("Main.Run: %v", err)
	}
	t.Cleanup(func() { d.close() })
	return d
}

func (d *desk) close() {
	if d.m == nil {
		return
	}
	if err := d.m.Close(); err != nil {
		d.t.Errorf("Main.Close: %v", err)
	}
	d.m = nil
}

// at moves the clock to a wall-clock time in Asia/Pontianak and returns it.
func (d *desk) at(s string) time.Time {
	d.t.Helper()
	t := flowstest.At(d.t, s)
	if t.Before(d.clock.Now()) {
		d.t.Fatalf("the clock cannot go back from %s to %s", d.clock.Now(), t)
	}
	d.clock.Set(t)
	return t
}

// file files the fixture report now.
func (d *desk) file() flows.Complaint {
	d.t.Helper()
	c, err := d.m.DB().File(d.t.Context(), d.m.Rules(), d.m.Config.Prefix, flowstest.Report(), d.clock.Now())
	if err != nil {
		d.t.Fatalf("file: %v", err)
	}
	return c
}

// apply makes ev happen to c now, as seen at c's version, and returns the complaint
// after it, in the state want.
func (d *desk) apply(c flows.Complaint, ev flows.Event, want flows.State) flows.Complaint {
	d.t.Helper()
	ch, err := d.m.DB().Apply(d.t.Context(), d.m.Rules(), c.ID, c.Version, ev, d.clock.Now())
	if err != nil {
		d.t.Fatalf("%s: %v", ev.Kind, err)
	}
	if ch.Complaint.State != want {
		d.t.Fatalf("%s: state %s, want %s", ev.Kind, ch.Complaint.State, want)
	}
	return ch.Complaint
}

// sweep runs the scheduled checks as of the clock's now and returns the event kinds
// of the steps taken.
func (d *desk) sweep() []flows.EventKind {
	d.t.Helper()
	rep, err := d.m.Sweep(d.t.Context())
	if err != nil {
		d.t.Fatalf("sweep: %v", err)
	}
	var kinds []flows.EventKind
	for _, ch := range rep.Changes {
		kinds = append(kinds, ch.Audit.Kind)
	}
	return kinds
}

// reload returns complaint c as stored.
func (d *desk) reload(c flows.Complaint) flows.Complaint {
	d.t.Helper()
	got, err := d.m.DB().Complaint(d.t.Context(), c.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return got
}

// undelivered counts the messages still waiting in the outbox.
func (d *desk) undelivered() int {
	d.t.Helper()
	var n int
	err := d.m.DB().Pool().QueryRow(d.t.Context(),
		`SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL`).Scan(&n)
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// expect waits for the background sender to empty the outbox (I/O, bounded by a few
// seconds), then checks that each chat received exactly the messages in want, in
// order, that every message about a complaint names its tracking number in its text,
// and returns what was received.
func (d *desk) expect(step, tracking string, want map[string][]flows.MsgID) []memory.Sent {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); d.undelivered() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			var why string
			_ = d.m.DB().Pool().QueryRow(d.t.Context(),
				`SELECT string_agg(chat || ' ' || (payload->>'msg') || ': ' || last_error, '; ') FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL`).Scan(&why)
			d.t.Fatalf("%s: %d messages still undelivered after 15s: %s", step, d.undelivered(), why)
		}
	}
	sent := d.tg.Take()
	got := map[string][]flows.MsgID{}
	for _, s := range sent {
		if s.Notice.Msg == flows.MsgCard {
			// A card refreshed after the change: checked by TestEndToEndCardsFollowTheComplaint.
			if s.Edit == "" || !strings.Contains(s.Text, s.Notice.Tracking) {
				d.t.Errorf("%s: card refresh in %s replaces %q: %q", step, s.Chat, s.Edit, s.Text)
			}
			continue
		}
		got[s.Chat] = append(got[s.Chat], s.Notice.Msg)
		if s.Notice.Tracking != "" && !strings.Contains(s.Text, s.Notice.Tracking) {
			d.t.Errorf("%s: %s to %s does not name %s: %q", step, s.Notice.Msg, s.Chat, s.Notice.Tracking, s.Text)
		}
		if s.Notice.Msg != flows.MsgDigest && s.Notice.Tracking != tracking {
			d.t.Errorf("%s: %s to %s is about %q, want %s", step, s.Notice.Msg, s.Chat, s.Notice.Tracking, tracking)
		}
		if s.Lang != "id" {
			d.t.Errorf("%s: %s to %s in %q, want id", step, s.Notice.Msg, s.Chat, s.Lang)
		}
	}
	for chat := range mergeKeys(got, want) {
		if !slices.Equal(got[chat], want[chat]) {
			d.t.Errorf("%s: chat %s received %v, want %v", step, chat, got[chat], want[chat])
		}
	}
	return sent
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// text returns the rendered text of the first message msg to chat in sent.
func text(t *testing.T, sent []memory.Sent, chat string, msg flows.MsgID) string {
	t.Helper()
	for _, s := range sent {
		if s.Chat == chat && s.Notice.Msg == msg {
			return s.Text
		}
	}
	t.Fatalf("no %s to %s", msg, chat)
	return ""
}

func wantText(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func wantSteps(t *testing.T, when string, got []flows.EventKind, want ...flows.EventKind) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("sweep %s: steps %v, want %v", when, got, want)
	}
}

// TestEndToEnd runs the whole desk through the eight steps of the SOP: a complaint
// routed late (reminder, overdue, escalation), distributed, worked by a technical
// team, answered, replied to, answered again and closed after the complainant's
// silence; then a second complaint nobody answers, handed to the Ombudsman after 60
// days and settled there.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	d := startDesk(t, newDeskDB(t), flowstest.NewClock(flowstest.At(t, "2026-11-30 08:30")), true)
	national, regency, agency, team := flowstest.Member(flowstest.National), flowstest.Member(flowstest.Regency),
		flowstest.Member(flowstest.Agency), flowstest.Member(flowstest.Team)

	// GET /healthz.
	resp, err := http.Get("http://" + d.m.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\\n\"", resp.StatusCode, body)
	}

	// 1. The complainant files on Monday 30 November 2026: routing due in 3 working days.
	d.at("2026-11-30 09:00")
	c := d.file()
	tr := c.Tracking
	if !strings.HasPrefix(tr, "ADU-261130-") || c.State != flows.Submitted || c.Unit != flowstest.National {
		t.Fatalf("filed %+v", c)
	}
	sent := d.expect("file", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgFiled},
		chatNational:    {flows.MsgNewCase},
	})
	wantText(t, "complainant.filed", text(t, sent, chatComplainant, flows.MsgFiled),
		"Terima kasih, aduan Anda sudah kami terima dengan nomor "+tr, "paling lambat Kamis, 3 Desember 2026,")

	// 2. The national admin routes it to the regency: distribution due Tuesday 10:00.
	d.at("2026-11-30 10:00")
	c = d.apply(c, flows.Event{Kind: flows.EvRoute, Actor: national, Target: flowstest.Regency}, flows.Routed)
	sent = d.expect("route", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgVerified},
		chatRegency:     {flows.MsgNewCase},
	})
	// The citizen is not told internal unit names, and reads the date of a deadline.
	verified := text(t, sent, chatComplainant, flows.MsgVerified)
	wantText(t, "complainant.verified", verified, "dinas yang berwenang", "paling lambat Selasa, 1 Desember 2026.")
	if strings.Contains(verified, "Admin Kabupaten") {
		t.Errorf("complainant.verified names an internal unit: %q", verified)
	}

	// Nothing is due on Monday afternoon; the regency gets its first daily digest.
	d.at("2026-11-30 15:00")
	wantSteps(t, "Monday 15:00", d.sweep())
	sent = d.expect("Monday sweep", tr, map[string][]flows.MsgID{chatRegency: {flows.MsgDigest}})
	if dg := sent[0].Notice; dg.Open != 1 || dg.DueToday != 0 || dg.Overdue != 0 {
		t.Errorf("Monday's digest: %+v", dg)
	}

	// The regency is reminded two working hours before its deadline, with its digest.
	d.at("2026-12-01 08:00")
	wantSteps(t, "Tuesday 08:00", d.sweep(), flows.EvRemind)
	sent = d.expect("reminder", tr, map[string][]flows.MsgID{
		chatRegency: {flows.MsgReminder, flows.MsgDigest},
	})
	wantText(t, "unit.reminder", text(t, sent, chatRegency, flows.MsgReminder), "Pengingat: aduan "+tr, "pukul 10.00 WIB")
	if dg := sent[1].Notice; dg.Open != 1 || dg.DueToday != 1 || dg.Overdue != 0 {
		t.Errorf("digest: %+v", dg)
	}
	// A second sweep at the same time does nothing.
	wantSteps(t, "Tuesday 08:00 again", d.sweep())

	// The deadline passes: the regency is told it is overdue, the national admin too.
	d.at("2026-12-01 10:00")
	wantSteps(t, "Tuesday 10:00", d.sweep(), flows.EvOverdue)
	sent = d.expect("overdue", tr, map[string][]flows.MsgID{
		chatRegency:  {flows.MsgOverdue},
		chatNational: {flows.MsgEscalation},
	})
	wantText(t, "unit.overdue", text(t, sent, chatRegency, flows.MsgOverdue), "Terlambat", tr)
	wantText(t, "unit.escalation", text(t, sent, chatNational, flows.MsgEscalation), "Eskalasi: Admin Kabupaten Kubu Raya melewati batas waktu aduan "+tr)
	// Alerts leave the version alone: the regency acts on the card it saw before them.

	// 3. The regency distributes it to Dukcapil: answer due Wednesday 11:00.
	d.at("2026-12-01 11:00")
	c = d.apply(c, flows.Event{Kind: flows.EvDistribute, Actor: regency, Target: flowstest.Agency}, flows.Distributed)
	d.expect("distribute", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgForwarded},
		chatAgency:      {flows.MsgNewCase},
	})

	// 4. The agency admin, prompted in its group, tasks a technical team, which reports.
	d.at("2026-12-01 11:30")
	c = d.apply(c, flows.Event{Kind: flows.EvTask, Actor: agency, Target: flowstest.Team}, flows.InProgress)
	d.expect("task", tr, map[string][]flows.MsgID{chatTeam: {flows.MsgTasked}})
	d.at("2026-12-01 13:00")
	c = d.apply(c, flows.Event{Kind: flows.EvFindings, Actor: team, Text: "Berkas KK tertahan menunggu tanda tangan."}, flows.InProgress)
	d.expect("findings", tr, map[string][]flows.MsgID{chatAgency: {flows.MsgFindings}})

	// 5. The agency answers within its working day: closure after 10 days of silence.
	d.at("2026-12-01 15:00")
	c = d.apply(c, flows.Event{Kind: flows.EvAnswer, Actor: agency, Text: "KK Bapak sudah dapat diambil di kantor kecamatan."}, flows.Answered)
	sent = d.expect("answer", tr, map[string][]flows.MsgID{chatComplainant: {flows.MsgAnswered}})
	wantText(t, "complainant.answered", text(t, sent, chatComplainant, flows.MsgAnswered),
		"KK Bapak sudah dapat diambil", "Jumat, 11 Desember 2026 pukul 15.00 WIB")

	// 6. The complainant replies: back to the agency and its team, answer due Thursday.
	d.at("2026-12-02 09:00")
	c = d.apply(c, flows.Event{Kind: flows.EvReply, Actor: flowstest.Complainant, Text: "Belum ada di kecamatan."}, flows.InProgress)
	d.expect("reply", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgReplyReceived},
		chatAgency:      {flows.MsgReplied},
		chatTeam:        {flows.MsgReplied},
	})
	d.at("2026-12-02 14:00")
	c = d.apply(c, flows.Event{Kind: flows.EvAnswer, Actor: agency, Text: "Mohon maaf, KK sudah kami antar ke rumah Bapak."}, flows.Answered)
	d.expect("second answer", tr, map[string][]flows.MsgID{chatComplainant: {flows.MsgAnswered}})

	// 7. Silence: a warning two days before, then the complaint closes on Saturday 12 December.
	d.at("2026-12-10 13:59")
	wantSteps(t, "Thursday 10 December 13:59", d.sweep())
	d.expect("before the warning", tr, nil)
	d.at("2026-12-10 14:00")
	wantSteps(t, "Thursday 10 December 14:00", d.sweep(), flows.EvWarn)
	d.expect("warning", tr, map[string][]flows.MsgID{chatComplainant: {flows.MsgClosingSoon}})
	d.at("2026-12-12 14:00")
	wantSteps(t, "Saturday 12 December 14:00", d.sweep(), flows.EvAutoClose)
	d.expect("closure", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgClosedSilence},
		chatAgency:      {flows.MsgClosedU},
	})
	c = d.reload(c)
	if c.State != flows.Closed || !c.ClosedAt.Equal(flowstest.At(t, "2026-12-12 14:00")) {
		t.Errorf("after the silence: state %s, closed %s", c.State, c.ClosedAt)
	}
	d.at("2026-12-12 15:00")
	d.apply(c, flows.Event{Kind: flows.EvRate, Actor: flowstest.Complainant, Rating: 4}, flows.Closed)
	d.expect("rating", tr, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgRated},
		chatAgency:      {flows.MsgRatedU},
	})

	// 8. A second complaint reaches Dukcapil and is never answered.
	d.at("2026-12-14 09:00")
	c2 := d.file()
	tr2 := c2.Tracking
	d.expect("file 2", tr2, map[string][]flows.MsgID{chatComplainant: {flows.MsgFiled}, chatNational: {flows.MsgNewCase}})
	d.at("2026-12-14 09:30")
	c2 = d.apply(c2, flows.Event{Kind: flows.EvRoute, Actor: national, Target: flowstest.Regency}, flows.Routed)
	d.at("2026-12-14 10:00")
	c2 = d.apply(c2, flows.Event{Kind: flows.EvDistribute, Actor: regency, Target: flowstest.Agency}, flows.Distributed)
	d.expect("route and distribute 2", tr2, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgVerified, flows.MsgForwarded},
		chatRegency:     {flows.MsgNewCase},
		chatAgency:      {flows.MsgNewCase},
	})
	// Its answer deadline passes unseen: overdue straight away, no reminder.
	d.at("2026-12-15 10:00")
	wantSteps(t, "Tuesday 15 December 10:00", d.sweep(), flows.EvOverdue)
	d.expect("overdue 2", tr2, map[string][]flows.MsgID{
		chatAgency:  {flows.MsgOverdue, flows.MsgDigest},
		chatRegency: {flows.MsgEscalation},
	})
	// One minute before 60 days nothing happens; at 60 days the Ombudsman takes it over.
	d.at("2027-02-12 08:59")
	wantSteps(t, "59 days later", d.sweep())
	sent = d.expect("59 days later", tr2, map[string][]flows.MsgID{chatAgency: {flows.MsgDigest}})
	if dg := sent[0].Notice; dg.Open != 1 || dg.Overdue != 1 {
		t.Errorf("digest 59 days later: %+v", dg)
	}
	d.at("2027-02-12 09:00")
	wantSteps(t, "60 days later", d.sweep(), flows.EvHandover)
	sent = d.expect("hand-over", tr2, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgHandedC},
		chatOmbudsman:   {flows.MsgHandover, flows.MsgRecord},
		chatAgency:      {flows.MsgHandedU},
	})
	wantText(t, "unit.handover", text(t, sent, chatOmbudsman, flows.MsgHandover), "dilimpahkan ke Ombudsman", "Dinas Dukcapil Kubu Raya")
	c2 = d.reload(c2)
	if c2.State != flows.AtOmbudsman || !c2.Due.IsZero() || !c2.NextCheck.IsZero() {
		t.Errorf("after the hand-over: state %s, due %s, next check %s", c2.State, c2.Due, c2.NextCheck)
	}
	// The agency may still answer; the Ombudsman hears it too, then settles the complaint.
	d.at("2027-02-15 09:00")
	c2 = d.apply(c2, flows.Event{Kind: flows.EvAnswer, Actor: agency, Text: "KK sudah terbit."}, flows.AtOmbudsman)
	d.expect("answer at the Ombudsman", tr2, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgAnswered},
		chatOmbudsman:   {flows.MsgOmbudsmanAns},
	})
	d.at("2027-02-16 09:00")
	d.apply(c2, flows.Event{Kind: flows.EvOutcome, Actor: flowstest.Member(flowstest.Ombudsman), Text: "Selesai: KK diterima pelapor."}, flows.Closed)
	d.expect("outcome", tr2, map[string][]flows.MsgID{
		chatComplainant: {flows.MsgOutcomeC},
		chatAgency:      {flows.MsgClosedU},
	})

	// Later sweeps find nothing to do for either complaint.
	d.at("2027-03-01 09:00")
	wantSteps(t, "1 March", d.sweep())
	d.expect("1 March", "", nil)
}

// TestEndToEndRestartDeliversQueuedMessagesOnce stops the desk before it could deliver
// anything (it has no channel, as after a crash of the network adapter) and starts a
// new one on the same database: every queued message goes out exactly once.
func TestEndToEndRestartDeliversQueuedMessagesOnce(t *testing.T) {
	t.Parallel()
	url := newDeskDB(t)
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00"))

	first := startDesk(t, url, clock, false)
	national := flowstest.Member(flowstest.National)
	var trackings []string
	for i := range 3 {
		first.at(fmt.Sprintf("2026-11-30 09:%02d", 10*i))
		c := first.file()
		first.apply(c, flows.Event{Kind: flows.EvRoute, Actor: national, Target: flowstest.Regency}, flows.Routed)
		trackings = append(trackings, c.Tracking)
	}
	queued := first.undelivered()
	// Per complaint: filed and the national card, verified, the regency's card and the
	// national card refreshed.
	if queued != 15 {
		t.Fatalf("queued %d messages, want 15", queued)
	}
	first.close()

	second := startDesk(t, url, clock, true)
	sent := second.expectAll(queued)
	ids := map[int64]bool{}
	perChat := map[string][]string{}
	for _, s := range sent {
		if ids[s.ID] {
			t.Errorf("outbox message %d delivered twice", s.ID)
		}
		ids[s.ID] = true
		perChat[s.Chat] = append(perChat[s.Chat], string(s.Notice.Msg)+" "+s.Notice.Tracking)
		if !strings.Contains(s.Text, s.Notice.Tracking) {
			t.Errorf("%s does not name %s: %q", s.Notice.Msg, s.Notice.Tracking, s.Text)
		}
	}
	// Each chat got its messages in the order they were queued.
	var wantComplainant, wantNational, wantRegency []string
	for _, tr := range trackings {
		wantComplainant = append(wantComplainant, string(flows.MsgFiled)+" "+tr, string(flows.MsgVerified)+" "+tr)
		wantNational = append(wantNational, string(flows.MsgNewCase)+" "+tr, string(flows.MsgCard)+" "+tr)
		wantRegency = append(wantRegency, string(flows.MsgNewCase)+" "+tr)
	}
	for chat, want := range map[string][]string{chatComplainant: wantComplainant, chatNational: wantNational, chatRegency: wantRegency} {
		if !slices.Equal(perChat[chat], want) {
			t.Errorf("chat %s received %v, want %v", chat, perChat[chat], want)
		}
	}
	if len(perChat) != 3 {
		t.Errorf("messages went to %d chats, want 3: %v", len(perChat), perChat)
	}
	second.close()

	// Nothing is left for a third sender on the same database.
	db, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	again := memory.New(store.Telegram, nil)
	s := &bot.Sender{Outbox: db, Channels: []bot.Channel{again}, Clock: clock, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if n, err := s.Drain(ctx); n != 0 || err != nil || len(again.Sent()) != 0 {
		t.Errorf("a third sender delivered %d messages (err %v): %v", n, err, again.Sent())
	}
}

// expectAll waits until n messages were delivered and the outbox is empty, and returns
// them.
func (d *desk) expectAll(n int) []memory.Sent {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); len(d.tg.Sent()) < n || d.undelivered() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			d.t.Fatalf("after 15s: %d of %d messages delivered, %d undelivered", len(d.tg.Sent()), n, d.undelivered())
		}
	}
	sent := d.tg.Take()
	if len(sent) != n {
		d.t.Errorf("delivered %d messages, want %d", len(sent), n)
	}
	return sent
}
