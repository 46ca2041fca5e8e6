package flows_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// Shorter names for the fixture units.
const (
	national  = flowstest.National
	regency   = flowstest.Regency
	agency    = flowstest.Agency
	team      = flowstest.Team
	team2     = flowstest.Team2
	other     = flowstest.Other
	ombudsman = flowstest.Ombudsman
)

// Units that only wideRules knows: a second regency with its own agency, and a team
// under the second agency of the fixture regency.
const (
	regency2     = "sambas"
	agency2      = "dukcapil-sambas"
	otherTeam    = "tim-dinkes"
	unknownUnit  = "ghost"
	goodLaporID  = "LAP-2026/000123"
	aReason      = "Bukan pengaduan: iklan."
	anAnswer     = "KK Anda sudah terbit dan dapat diambil di kantor kecamatan."
	someFindings = "Berkas tertahan di kecamatan; sudah diproses hari ini."
	aReply       = "Sudah saya cek, KK belum ada di kecamatan."
)

// wideRules returns the fixture rules over a tree with a second regency (and an agency
// under it) and a team under the fixture's second agency, so that targets and actors
// from elsewhere in the tree can be tried.
func wideRules(tb testing.TB) *flows.Rules {
	tb.Helper()
	r := flowstest.Rules(tb)
	units := append(flowstest.Units(),
		flows.Unit{Code: regency2, Name: "Admin Kabupaten Sambas", Kind: flows.Regency, Parent: national},
		flows.Unit{Code: agency2, Name: "Dinas Dukcapil Sambas", Kind: flows.Agency, Parent: regency2},
		flows.Unit{Code: otherTeam, Name: "Tim Teknis Dinkes", Kind: flows.Team, Parent: other},
	)
	dir, err := flows.NewDirectory(units)
	if err != nil {
		tb.Fatal(err)
	}
	r.Units = dir
	return r
}

// at is the instant of a wall-clock time in Asia/Pontianak, "2006-01-02 15:04".
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	return flowstest.At(tb, s)
}

// fmtTime writes t for failure messages; the zero time reads "none".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.In(time.FixedZone("WIB", 7*3600)).Format("Mon 2006-01-02 15:04 MST")
}

// checkTime fails unless got is the instant want.
func checkTime(tb testing.TB, name string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) {
		tb.Errorf("%s = %s, want %s", name, fmtTime(got), fmtTime(want))
	}
}

// report is the fixture report with an ID, a tracking number and an attachment, as the
// store hands it to File.
func report() flows.Complaint {
	c := flowstest.Report()
	c.ID = 42
	c.Tracking = "LPR-261130-ACDE"
	c.Attachment = []flows.Attachment{{Kind: "photo", Ref: "blob/1", Name: "kk.jpg", Size: 1234}}
	return c
}

// clone returns a deep copy of c, so that a later comparison detects changes made
// through shared slices.
func clone(c flows.Complaint) flows.Complaint {
	c.Attachment = slices.Clone(c.Attachment)
	return c
}

func mustFile(tb testing.TB, r *flows.Rules, c flows.Complaint, when string) flows.Complaint {
	tb.Helper()
	ch, err := r.File(c, at(tb, when))
	if err != nil {
		tb.Fatalf("File at %s: %v", when, err)
	}
	return ch.Complaint
}

func mustApply(tb testing.TB, r *flows.Rules, c flows.Complaint, ev flows.Event, when string) flows.Complaint {
	tb.Helper()
	ch, err := r.Apply(c, ev, at(tb, when))
	if err != nil {
		tb.Fatalf("Apply %s (%s by %s %s) at %s: %v", ev.Kind, c.State, ev.Actor.Kind, ev.Actor.Unit, when, err)
	}
	return ch.Complaint
}

// step is one event of a walk and when it happens.
type step struct {
	at string
	ev flows.Event
}

// walk files the fixture report at fileAt and applies the steps in order.
func walk(tb testing.TB, r *flows.Rules, fileAt string, steps ...step) flows.Complaint {
	tb.Helper()
	c := mustFile(tb, r, report(), fileAt)
	for _, s := range steps {
		c = mustApply(tb, r, c, s.ev, s.at)
	}
	return c
}

// Events as the right actor makes them.

func member(unit string) flows.Actor { return flowstest.Member(unit) }

func route(to string) flows.Event {
	return flows.Event{Kind: flows.EvRoute, Actor: member(national), Target: to}
}
func distribute(to string) flows.Event {
	return flows.Event{Kind: flows.EvDistribute, Actor: member(regency), Target: to}
}
func task(to string) flows.Event {
	return flows.Event{Kind: flows.EvTask, Actor: member(agency), Target: to}
}
func answer() flows.Event {
	return flows.Event{Kind: flows.EvAnswer, Actor: member(agency), Text: anAnswer}
}
func archive(by string) flows.Event {
	return flows.Event{Kind: flows.EvArchive, Actor: member(by), Text: aReason}
}
func sendBack() flows.Event {
	return flows.Event{Kind: flows.EvSendBack, Actor: member(regency), Text: aReason}
}
func notOurs() flows.Event {
	return flows.Event{Kind: flows.EvNotOurs, Actor: member(agency), Text: aReason}
}
func take(by string) flows.Event {
	return flows.Event{Kind: flows.EvTake, Actor: member(by)}
}
func findings() flows.Event {
	return flows.Event{Kind: flows.EvFindings, Actor: member(team), Text: someFindings}
}
func reply() flows.Event {
	return flows.Event{Kind: flows.EvReply, Actor: flowstest.Complainant, Text: aReply}
}
func satisfied() flows.Event {
	return flows.Event{Kind: flows.EvSatisfied, Actor: flowstest.Complainant}
}
func autoClose() flows.Event { return flows.Event{Kind: flows.EvAutoClose, Actor: flows.System} }
func handover() flows.Event  { return flows.Event{Kind: flows.EvHandover, Actor: flows.System} }
func outcome() flows.Event {
	return flows.Event{Kind: flows.EvOutcome, Actor: member(ombudsman), Text: "Maladministrasi; KK diterbitkan."}
}
func rate(n int) flows.Event {
	return flows.Event{Kind: flows.EvRate, Actor: flowstest.Complainant, Rating: n}
}
func laporID(by, id string) flows.Event {
	return flows.Event{Kind: flows.EvLaporID, Actor: member(by), Text: id}
}

// Filing time of every fixture complaint, and the moment its 60-day clock runs out.
const (
	fixtureFiled    = "2026-11-30 08:00"
	fixtureHandover = "2027-01-29 08:00" // 60×24h after filing
)

// fixture returns a complaint in the named situation, reached through the procedure on
// Monday 2026-11-30 (and, for "ombudsman", at the end of its 60-day clock). The names
// are the states, plus "in_progress_replied" (answered without a team, then replied),
// "in_progress_team_replied" (a team tasked, answered, then replied),
// "answered_noteam" (answered straight from distributed) and "ombudsman_routed" (handed
// over while at the regency).
func fixture(tb testing.TB, r *flows.Rules, name string) flows.Complaint {
	tb.Helper()
	var (
		toRegency  = step{"2026-11-30 08:30", route(regency)}
		toAgency   = step{"2026-11-30 09:00", distribute(agency)}
		toTeam     = step{"2026-11-30 09:30", task(team)}
		answered   = step{"2026-11-30 10:00", answer()}
		replied    = step{"2026-11-30 11:00", reply()}
		closed     = step{"2026-11-30 11:00", satisfied()}
		archived   = step{"2026-11-30 08:30", archive(national)}
		handedOver = step{fixtureHandover, handover()}
		steps      []step
	)
	switch name {
	case "submitted":
	case "routed":
		steps = []step{toRegency}
	case "distributed":
		steps = []step{toRegency, toAgency}
	case "in_progress":
		steps = []step{toRegency, toAgency, toTeam}
	case "in_progress_replied":
		steps = []step{toRegency, toAgency, answered, replied}
	case "in_progress_team_replied":
		steps = []step{toRegency, toAgency, toTeam, answered, replied}
	case "answered":
		steps = []step{toRegency, toAgency, toTeam, answered}
	case "answered_noteam":
		steps = []step{toRegency, toAgency, answered}
	case "closed":
		steps = []step{toRegency, toAgency, toTeam, answered, closed}
	case "ombudsman":
		steps = []step{toRegency, toAgency, handedOver}
	case "ombudsman_routed":
		steps = []step{toRegency, handedOver}
	case "archived":
		steps = []step{archived}
	default:
		tb.Fatalf("no fixture %q", name)
	}
	c := walk(tb, r, fixtureFiled, steps...)
	if !strings.HasPrefix(name, string(c.State)) {
		tb.Fatalf("fixture %q is in state %s", name, c.State)
	}
	return c
}

// note is a notice reduced to whom it goes to and what it says.
type note struct {
	To  string // unit code, or "complainant"
	Msg flows.MsgID
}

func (n note) String() string { return n.To + ":" + string(n.Msg) }

func notes(ns []flows.Notice) []note {
	out := make([]note, 0, len(ns))
	for _, n := range ns {
		to := n.To.Unit
		if n.To.Complainant {
			to = "complainant"
		}
		out = append(out, note{to, n.Msg})
	}
	return out
}

func checkNotes(tb testing.TB, got []flows.Notice, want ...note) {
	tb.Helper()
	if g := notes(got); !slices.Equal(g, want) {
		tb.Errorf("notices = %v, want %v", g, want)
	}
}

// refusal returns err as a *flows.Error, failing the test if it is not one.
func refusal(tb testing.TB, err error) *flows.Error {
	tb.Helper()
	var fe *flows.Error
	if !errors.As(err, &fe) {
		tb.Fatalf("error %v (%T) is not a *flows.Error", err, err)
	}
	return fe
}

// TestTransitions walks every row of SOP.md section 4.
func TestTransitions(t *testing.T) {
	r := flowstest.Rules(t)
	complainant := flows.Actor{Kind: flows.ByComplainant, Ref: flowstest.ChatRef}
	// Every row starts from a complaint whose alerts have all been sent, so that it
	// shows whether the row clears them.
	allSent := flows.Timers{Reminded: true, Overdue: true, Warned: true}
	const C = "complainant"

	tests := []struct {
		name    string
		from    string // fixture; "" files the fixture report
		ev      flows.Event
		at      string
		to      flows.State
		unit    string
		dueKind flows.DueKind
		due     string // "" for no deadline
		keepDue bool   // the row sets no deadline: Due, DueKind and Timers stay
		notices []note
		check   func(t *testing.T, before, after flows.Complaint, ch flows.Change)
	}{
		{
			name: "file", ev: flows.Event{Kind: flows.EvFile, Actor: complainant}, at: "2026-11-30 10:00",
			to: flows.Submitted, unit: national, dueKind: flows.DueRoute, due: "2026-12-03 10:00",
			notices: []note{{C, flows.MsgFiled}, {national, flows.MsgNewCase}, {national, flows.MsgFiles}},
		},
		{
			name: "route to a regency", from: "submitted", ev: route(regency), at: "2026-12-01 09:00",
			to: flows.Routed, unit: regency, dueKind: flows.DueDistribute, due: "2026-12-02 09:00",
			notices: []note{{C, flows.MsgVerified}, {regency, flows.MsgNewCase}, {regency, flows.MsgFiles}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				if ch.Notices[0].Unit != regency {
					t.Errorf("verified notice names unit %q, want %q", ch.Notices[0].Unit, regency)
				}
			},
		},
		{
			name: "archive when submitted", from: "submitted", ev: archive(national), at: "2026-12-01 09:00",
			to: flows.Archived, unit: national,
			notices: []note{{C, flows.MsgArchivedC}, {national, flows.MsgArchivedU}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				for _, n := range ch.Notices {
					if n.Text != aReason {
						t.Errorf("%s notice text = %q, want the reason", n.Msg, n.Text)
					}
				}
				if got, want := ch.Notices[1].Actor, member(national).Name; got != want {
					t.Errorf("archived notice actor = %q, want %q", got, want)
				}
			},
		},
		{
			name: "distribute to an agency", from: "routed", ev: distribute(agency), at: "2026-12-04 15:00", // Friday
			to: flows.Distributed, unit: agency, dueKind: flows.DueAnswer, due: "2026-12-07 15:00",
			notices: []note{{C, flows.MsgForwarded}, {agency, flows.MsgNewCase}, {agency, flows.MsgFiles}},
		},
		{
			name: "send back up", from: "routed", ev: sendBack(), at: "2026-12-04 15:00",
			to: flows.Submitted, unit: national, dueKind: flows.DueRoute, due: "2026-12-09 15:00",
			notices: []note{{national, flows.MsgReturned}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				n := ch.Notices[0]
				if n.Unit != regency || n.Text != aReason || n.Actor != member(regency).Name {
					t.Errorf("returned notice: unit %q text %q actor %q, want %q, the reason, %q", n.Unit, n.Text, n.Actor, regency, member(regency).Name)
				}
			},
		},
		{
			name: "archive when routed", from: "routed", ev: archive(regency), at: "2026-12-04 15:00",
			to: flows.Archived, unit: regency,
			notices: []note{{C, flows.MsgArchivedC}, {regency, flows.MsgArchivedU}},
		},
		{
			name: "task a technical team over Christmas", from: "distributed", ev: task(team), at: "2026-12-23 15:00",
			to: flows.InProgress, unit: agency, dueKind: flows.DueAnswer, due: "2026-12-28 15:00",
			notices: []note{{team, flows.MsgTasked}, {team, flows.MsgFiles}},
			check: func(t *testing.T, _, after flows.Complaint, _ flows.Change) {
				if after.Team != team {
					t.Errorf("Team = %q, want %q", after.Team, team)
				}
			},
		},
		{
			name: "answer when distributed", from: "distributed", ev: answer(), at: "2026-12-01 10:00",
			to: flows.Answered, unit: agency, dueKind: flows.DueClose, due: "2026-12-11 10:00",
			notices: []note{{C, flows.MsgAnswered}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				if n := ch.Notices[0]; n.Text != anAnswer || n.Unit != agency {
					t.Errorf("answered notice: text %q unit %q, want the answer from %q", n.Text, n.Unit, agency)
				}
			},
		},
		{
			name: "answer in progress, text trimmed", from: "in_progress",
			ev: flows.Event{Kind: flows.EvAnswer, Actor: member(agency), Text: "  \n" + anAnswer + "  "}, at: "2026-12-02 14:00",
			to: flows.Answered, unit: agency, dueKind: flows.DueClose, due: "2026-12-12 14:00",
			notices: []note{{C, flows.MsgAnswered}},
		},
		{
			name: "not our authority when distributed, after hours", from: "distributed", ev: notOurs(), at: "2026-12-03 16:30",
			to: flows.Routed, unit: regency, dueKind: flows.DueDistribute, due: "2026-12-07 07:30",
			notices: []note{{regency, flows.MsgReturned}},
		},
		{
			name: "not our authority in progress", from: "in_progress", ev: notOurs(), at: "2026-12-01 10:00",
			to: flows.Routed, unit: regency, dueKind: flows.DueDistribute, due: "2026-12-02 10:00",
			notices: []note{{regency, flows.MsgReturned}},
			check: func(t *testing.T, _, after flows.Complaint, _ flows.Change) {
				if after.Team != "" {
					t.Errorf("Team = %q after sending back, want none", after.Team)
				}
			},
		},
		{
			name: "report findings", from: "in_progress", ev: findings(), at: "2026-12-01 10:00",
			to: flows.InProgress, unit: agency, keepDue: true,
			notices: []note{{agency, flows.MsgFindings}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				if n := ch.Notices[0]; n.Text != someFindings || n.Unit != team || n.Actor != member(team).Name {
					t.Errorf("findings notice: text %q unit %q actor %q, want the findings of %q by %q", n.Text, n.Unit, n.Actor, team, member(team).Name)
				}
			},
		},
		{
			name: "a team member takes the task", from: "in_progress", ev: take(team), at: "2026-12-01 10:00",
			to: flows.InProgress, unit: agency, keepDue: true,
			notices: []note{{agency, flows.MsgTaken}},
			check: func(t *testing.T, _, after flows.Complaint, ch flows.Change) {
				if n := ch.Notices[0]; n.Unit != team || n.Actor != member(team).Name || n.Text != "" {
					t.Errorf("taken notice: unit %q actor %q text %q, want %q, %q and no text", n.Unit, n.Actor, n.Text, team, member(team).Name)
				}
				if after.Team != team {
					t.Errorf("Team = %q after taking, want %q", after.Team, team)
				}
			},
		},
		{
			name: "a member takes the task again after a reply", from: "in_progress_team_replied", ev: take(team), at: "2026-12-01 12:00",
			to: flows.InProgress, unit: agency, keepDue: true,
			notices: []note{{agency, flows.MsgTaken}},
		},
		{
			name: "reply on a weekend, team tasked", from: "answered", ev: reply(), at: "2026-12-05 20:00",
			to: flows.InProgress, unit: agency, dueKind: flows.DueAnswer, due: "2026-12-08 07:30",
			notices: []note{{C, flows.MsgReplyReceived}, {agency, flows.MsgReplied}, {team, flows.MsgReplied}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				if n := ch.Notices[1]; n.Text != aReply {
					t.Errorf("replied notice text = %q, want the reply", n.Text)
				}
			},
		},
		{
			name: "reply, no team", from: "answered_noteam", ev: reply(), at: "2026-12-01 12:00",
			to: flows.InProgress, unit: agency, dueKind: flows.DueAnswer, due: "2026-12-02 12:00",
			notices: []note{{C, flows.MsgReplyReceived}, {agency, flows.MsgReplied}},
		},
		{
			name: "satisfied", from: "answered", ev: satisfied(), at: "2026-12-01 10:00",
			to: flows.Closed, unit: agency,
			notices: []note{{C, flows.MsgClosedThanks}, {agency, flows.MsgClosedU}},
		},
		{
			name: "silence past the closure limit", from: "answered", ev: autoClose(), at: "2026-12-10 10:00",
			to: flows.Closed, unit: agency,
			notices: []note{{C, flows.MsgClosedSilence}, {agency, flows.MsgClosedU}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				if got := ch.Notices[1].Text; got != "silence" {
					t.Errorf("closed notice says %q, want %q", got, "silence")
				}
			},
		},
		{
			name: "60 days when submitted", from: "submitted", ev: handover(), at: fixtureHandover,
			to: flows.AtOmbudsman, unit: national,
			notices: []note{{C, flows.MsgHandedC}, {ombudsman, flows.MsgHandover}, {ombudsman, flows.MsgRecord}, {ombudsman, flows.MsgFiles}, {national, flows.MsgHandedU}},
		},
		{
			name: "60 days when routed", from: "routed", ev: handover(), at: fixtureHandover,
			to: flows.AtOmbudsman, unit: regency,
			notices: []note{{C, flows.MsgHandedC}, {ombudsman, flows.MsgHandover}, {ombudsman, flows.MsgRecord}, {ombudsman, flows.MsgFiles}, {regency, flows.MsgHandedU}},
		},
		{
			name: "60 days when distributed", from: "distributed", ev: handover(), at: fixtureHandover,
			to: flows.AtOmbudsman, unit: agency,
			notices: []note{{C, flows.MsgHandedC}, {ombudsman, flows.MsgHandover}, {ombudsman, flows.MsgRecord}, {ombudsman, flows.MsgFiles}, {agency, flows.MsgHandedU}},
		},
		{
			name: "60 days in progress", from: "in_progress", ev: handover(), at: fixtureHandover,
			to: flows.AtOmbudsman, unit: agency,
			notices: []note{{C, flows.MsgHandedC}, {ombudsman, flows.MsgHandover}, {ombudsman, flows.MsgRecord}, {ombudsman, flows.MsgFiles}, {agency, flows.MsgHandedU}},
		},
		{
			name: "answer at the Ombudsman", from: "ombudsman", ev: answer(), at: "2027-02-01 10:00",
			to: flows.AtOmbudsman, unit: agency, keepDue: true,
			notices: []note{{C, flows.MsgAnswered}, {ombudsman, flows.MsgOmbudsmanAns}},
			check: func(t *testing.T, _, _ flows.Complaint, ch flows.Change) {
				for _, n := range ch.Notices {
					if n.Text != anAnswer {
						t.Errorf("%s notice text = %q, want the answer", n.Msg, n.Text)
					}
				}
			},
		},
		{
			name: "Ombudsman's outcome", from: "ombudsman", ev: outcome(), at: "2027-02-01 10:00",
			to: flows.Closed, unit: agency,
			notices: []note{{C, flows.MsgOutcomeC}, {agency, flows.MsgClosedU}},
		},
		{
			name: "rate", from: "closed", ev: rate(4), at: "2026-12-01 10:00",
			to: flows.Closed, unit: agency, keepDue: true,
			notices: []note{{C, flows.MsgRated}, {agency, flows.MsgRatedU}},
			check: func(t *testing.T, before, after flows.Complaint, ch flows.Change) {
				if after.Rating != 4 {
					t.Errorf("Rating = %d, want 4", after.Rating)
				}
				if ch.Audit.Text != "4" {
					t.Errorf("audit text = %q, want %q", ch.Audit.Text, "4")
				}
				for _, n := range ch.Notices {
					if n.Rating != 4 {
						t.Errorf("%s notice rating = %d, want 4", n.Msg, n.Rating)
					}
				}
			},
		},
		{
			name: "LAPOR! ID when submitted, by a regency", from: "submitted", ev: laporID(regency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.Submitted, unit: national, keepDue: true,
		},
		{
			name: "LAPOR! ID when routed", from: "routed", ev: laporID(regency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.Routed, unit: regency, keepDue: true,
		},
		{
			name: "LAPOR! ID when distributed, by the agency", from: "distributed", ev: laporID(agency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.Distributed, unit: agency, keepDue: true,
		},
		{
			name: "LAPOR! ID when distributed, by the regency", from: "distributed", ev: laporID(regency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.Distributed, unit: agency, keepDue: true,
		},
		{
			name: "LAPOR! ID in progress", from: "in_progress", ev: laporID(agency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.InProgress, unit: agency, keepDue: true,
		},
		{
			name: "LAPOR! ID when answered", from: "answered", ev: laporID(agency, goodLaporID), at: "2026-12-01 10:00",
			to: flows.Answered, unit: agency, keepDue: true,
		},
		{
			name: "LAPOR! ID at the Ombudsman", from: "ombudsman", ev: laporID(regency, goodLaporID), at: "2027-02-01 10:00",
			to: flows.AtOmbudsman, unit: agency, keepDue: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(t, tt.at)
			var (
				before flows.Complaint
				ch     flows.Change
				err    error
			)
			if tt.from == "" {
				before = report()
				ch, err = r.File(before, now)
			} else {
				before = fixture(t, r, tt.from)
				before.Timers = allSent
				ch, err = r.Apply(before, tt.ev, now)
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			c := ch.Complaint

			if c.State != tt.to || c.Unit != tt.unit {
				t.Errorf("now %s at %q, want %s at %q", c.State, c.Unit, tt.to, tt.unit)
			}
			if tt.keepDue {
				checkTime(t, "Due", c.Due, before.Due)
				if c.DueKind != before.DueKind || c.Timers != before.Timers {
					t.Errorf("deadline %q with alerts %+v, want it unchanged: %q with %+v", c.DueKind, c.Timers, before.DueKind, before.Timers)
				}
			} else {
				var due time.Time
				if tt.due != "" {
					due = at(t, tt.due)
				}
				if c.DueKind != tt.dueKind {
					t.Errorf("DueKind = %q, want %q", c.DueKind, tt.dueKind)
				}
				checkTime(t, "Due", c.Due, due)
				if c.Timers != (flows.Timers{}) {
					t.Errorf("Timers = %+v, want them cleared with the new deadline", c.Timers)
				}
			}

			wantVersion, wantClock := before.Version+1, before.ClockFrom
			if tt.ev.Kind == flows.EvFile {
				wantVersion = 1
			}
			if tt.ev.Kind == flows.EvFile || tt.ev.Kind == flows.EvReply {
				wantClock = now
			}
			if c.Version != wantVersion {
				t.Errorf("Version = %d, want %d", c.Version, wantVersion)
			}
			checkTime(t, "ClockFrom", c.ClockFrom, wantClock)
			checkTime(t, "Updated", c.Updated, now)
			checkTime(t, "NextCheck", c.NextCheck, r.NextCheck(c))
			wantClosed := before.ClosedAt
			if c.State.Final() && !before.State.Final() {
				wantClosed = now
			}
			checkTime(t, "ClosedAt", c.ClosedAt, wantClosed)
			if tt.ev.Kind == flows.EvLaporID && c.LaporID != goodLaporID {
				t.Errorf("LaporID = %q, want %q", c.LaporID, goodLaporID)
			}
			if !reflect.DeepEqual(c.Contact, before.Contact) || !reflect.DeepEqual(c.Attachment, before.Attachment) || c.Body != before.Body {
				t.Errorf("the report changed: %+v / %+v, was %+v / %+v", c.Contact, c.Attachment, before.Contact, before.Attachment)
			}

			wantText := strings.TrimSpace(tt.ev.Text)
			if tt.ev.Kind == flows.EvRate {
				wantText = fmt.Sprint(tt.ev.Rating)
			}
			wantAudit := flows.AuditEvent{
				At: now, Kind: tt.ev.Kind, Actor: tt.ev.Actor,
				FromState: before.State, ToState: tt.to,
				UnitBefore: before.Unit, UnitAfter: tt.unit, Text: wantText,
			}
			if !ch.Audit.At.Equal(now) {
				t.Errorf("audit at %s, want %s", fmtTime(ch.Audit.At), fmtTime(now))
			}
			ch.Audit.At = now
			if ch.Audit != wantAudit {
				t.Errorf("audit = %+v\nwant    %+v", ch.Audit, wantAudit)
			}

			checkNotes(t, ch.Notices, tt.notices...)
			for _, n := range ch.Notices {
				if n.Complaint != c.ID || n.Tracking != c.Tracking || n.State != c.State || !n.Due.Equal(c.Due) {
					t.Errorf("%s notice is about #%d %s in %s due %s, want #%d %s in %s due %s",
						n.Msg, n.Complaint, n.Tracking, n.State, fmtTime(n.Due), c.ID, c.Tracking, c.State, fmtTime(c.Due))
				}
			}
			checkButtons(t, ch.Notices, c)
			if tt.check != nil && len(ch.Notices) == len(tt.notices) {
				tt.check(t, before, c, ch)
			}
		})
	}
}

// checkButtons checks what comes with each notice of a change to c besides its data: the
// card on unit.new, unit.tasked and unit.returned only; the satisfied and reply buttons on
// an answer that waits for the complainant; the ratings 1–5 on every closing message;
// no buttons on anything else.
func checkButtons(t *testing.T, ns []flows.Notice, c flows.Complaint) {
	t.Helper()
	tr := c.Tracking
	rates := []flows.Choice{
		{Text: "1", Data: "c:rate:" + tr + ":1"}, {Text: "2", Data: "c:rate:" + tr + ":2"}, {Text: "3", Data: "c:rate:" + tr + ":3"},
		{Text: "4", Data: "c:rate:" + tr + ":4"}, {Text: "5", Data: "c:rate:" + tr + ":5"},
	}
	for _, n := range ns {
		wantCard := n.Msg == flows.MsgNewCase || n.Msg == flows.MsgTasked || n.Msg == flows.MsgReturned || n.Msg == flows.MsgHandover
		if n.Card != wantCard {
			t.Errorf("%s notice Card = %t, want %t", n.Msg, n.Card, wantCard)
		}
		var want [][]flows.Choice
		switch n.Msg {
		case flows.MsgAnswered:
			if c.State == flows.Answered { // not when the Ombudsman has it: nothing to be satisfied with yet
				want = [][]flows.Choice{{
					{Label: flows.LabelSatisfied, Data: "c:sat:" + tr},
					{Label: flows.LabelReply, Text: tr, Data: "c:rep:" + tr},
				}}
			}
		case flows.MsgClosedThanks, flows.MsgClosedSilence, flows.MsgOutcomeC:
			want = [][]flows.Choice{rates}
		}
		if !reflect.DeepEqual(n.Choices, want) {
			t.Errorf("%s notice Choices = %+v, want %+v", n.Msg, n.Choices, want)
		}
		for _, row := range n.Choices {
			for _, ch := range row {
				if len(ch.Data) > 64 {
					t.Errorf("%s notice button data %q is %d bytes, more than 64", n.Msg, ch.Data, len(ch.Data))
				}
			}
		}
	}
}

// appliesIn is the "from" column of SOP.md section 4, written out again.
var appliesIn = map[flows.EventKind][]flows.State{
	flows.EvRoute:      {flows.Submitted},
	flows.EvArchive:    {flows.Submitted, flows.Routed},
	flows.EvDistribute: {flows.Routed},
	flows.EvSendBack:   {flows.Routed},
	flows.EvTask:       {flows.Distributed},
	flows.EvAnswer:     {flows.Distributed, flows.InProgress, flows.AtOmbudsman},
	flows.EvNotOurs:    {flows.Distributed, flows.InProgress},
	flows.EvTake:       {flows.InProgress},
	flows.EvFindings:   {flows.InProgress},
	flows.EvReply:      {flows.Answered},
	flows.EvAddInfo:    {flows.Submitted, flows.Routed, flows.Distributed, flows.InProgress, flows.AtOmbudsman},
	flows.EvSatisfied:  {flows.Answered},
	flows.EvAutoClose:  {flows.Answered},
	flows.EvHandover:   {flows.Submitted, flows.Routed, flows.Distributed, flows.InProgress},
	flows.EvOutcome:    {flows.AtOmbudsman},
	flows.EvRate:       {flows.Closed},
	flows.EvLaporID:    {flows.Submitted, flows.Routed, flows.Distributed, flows.InProgress, flows.Answered, flows.AtOmbudsman},
}

// eventKinds lists every event Apply knows, in the order of SOP.md section 4 (take
// beside findings: both are the technical team's).
var eventKinds = []flows.EventKind{
	flows.EvRoute, flows.EvArchive, flows.EvDistribute, flows.EvSendBack, flows.EvTask,
	flows.EvAnswer, flows.EvNotOurs, flows.EvTake, flows.EvFindings, flows.EvReply, flows.EvAddInfo, flows.EvSatisfied,
	flows.EvAutoClose, flows.EvHandover, flows.EvOutcome, flows.EvRate, flows.EvLaporID,
}

// plausible returns an event of kind k by actor that Apply accepts whenever the state
// and the actor are right: a valid target, text and rating (and no text for take,
// which takes none).
func plausible(k flows.EventKind, actor flows.Actor) flows.Event {
	ev := flows.Event{Kind: k, Actor: actor, Text: goodLaporID, Rating: 4}
	switch k {
	case flows.EvTake:
		ev.Text = ""
	case flows.EvRoute:
		ev.Target = regency
	case flows.EvDistribute:
		ev.Target = agency
	case flows.EvTask:
		ev.Target = team
	}
	return ev
}

// rightActor returns who makes events of kind k happen to c when the procedure allows it.
func rightActor(k flows.EventKind, c flows.Complaint) flows.Actor {
	switch k {
	case flows.EvRoute:
		return member(national)
	case flows.EvArchive:
		return member(c.Unit)
	case flows.EvDistribute, flows.EvSendBack, flows.EvLaporID:
		return member(regency)
	case flows.EvTask, flows.EvAnswer, flows.EvNotOurs:
		return member(agency)
	case flows.EvTake, flows.EvFindings:
		return member(team)
	case flows.EvReply, flows.EvSatisfied, flows.EvRate:
		return flowstest.Complainant
	case flows.EvOutcome:
		return member(ombudsman)
	}
	return flows.System
}

// stateFixtures names a fixture in each state.
var stateFixtures = map[flows.State]string{
	flows.Submitted: "submitted", flows.Routed: "routed", flows.Distributed: "distributed",
	flows.InProgress: "in_progress", flows.Answered: "answered", flows.Closed: "closed",
	flows.AtOmbudsman: "ombudsman", flows.Archived: "archived",
}

// checkRefused applies ev to c and fails unless Apply refuses with code, returns no
// change and leaves c as it was.
func checkRefused(t *testing.T, r *flows.Rules, c flows.Complaint, ev flows.Event, code flows.ErrorCode, data map[string]string) {
	t.Helper()
	was := clone(c)
	ch, err := r.Apply(c, ev, at(t, "2026-12-01 10:00"))
	if err == nil {
		t.Fatalf("Apply %s (%q by %s %q) in %s accepted, want %s", ev.Kind, ev.Text, ev.Actor.Kind, ev.Actor.Unit, c.State, code)
	}
	fe := refusal(t, err)
	if fe.Code != code {
		t.Errorf("Apply %s in %s refused with %v, want %s", ev.Kind, c.State, err, code)
	}
	for k, v := range data {
		if fe.Data[k] != v {
			t.Errorf("refusal data %q = %q, want %q (%v)", k, fe.Data[k], v, err)
		}
	}
	if !errors.Is(err, &flows.Error{Code: code}) {
		t.Errorf("errors.Is(%v, %s) = false", err, code)
	}
	if !reflect.DeepEqual(ch, flows.Change{}) {
		t.Errorf("refusal came with a change: %+v", ch)
	}
	if !reflect.DeepEqual(c, was) {
		t.Errorf("refusal changed the complaint:\n got %+v\nwant %+v", c, was)
	}
}

// TestApplyWrongState tries every event in every state it does not apply to.
func TestApplyWrongState(t *testing.T) {
	r := wideRules(t)
	for _, k := range eventKinds {
		for _, s := range flows.States {
			if slices.Contains(appliesIn[k], s) {
				continue
			}
			t.Run(string(k)+" in "+string(s), func(t *testing.T) {
				c := fixture(t, r, stateFixtures[s])
				checkRefused(t, r, c, plausible(k, rightActor(k, c)), flows.ErrWrongState, map[string]string{"State": string(s)})
			})
		}
	}
}

// TestApplyRefusals tries each event by the wrong actor and with bad data.
func TestApplyRefusals(t *testing.T) {
	r := wideRules(t)
	long := strings.Repeat("é", flows.MaxText+1) // runes, not bytes, count
	stranger := flows.Actor{Kind: flows.ByComplainant, Ref: "999999"}
	by := func(ev flows.Event, a flows.Actor) flows.Event { ev.Actor = a; return ev }
	text := func(ev flows.Event, s string) flows.Event { ev.Text = s; return ev }

	tests := []struct {
		name string
		from string
		ev   flows.Event
		want flows.ErrorCode
		data map[string]string
	}{
		// Not your turn.
		{"route by the regency", "submitted", by(route(regency), member(regency)), flows.ErrNotYourTurn, map[string]string{"Event": "route"}},
		{"route by the system", "submitted", by(route(regency), flows.System), flows.ErrNotYourTurn, nil},
		{"route by the complainant", "submitted", by(route(regency), flowstest.Complainant), flows.ErrNotYourTurn, nil},
		{"route by an unknown unit", "submitted", by(route(regency), member(unknownUnit)), flows.ErrNotYourTurn, nil},
		{"archive a submitted complaint by the regency", "submitted", archive(regency), flows.ErrNotYourTurn, nil},
		{"archive a routed complaint by the national admin", "routed", archive(national), flows.ErrNotYourTurn, nil},
		{"archive a routed complaint by another regency", "routed", archive(regency2), flows.ErrNotYourTurn, nil},
		{"distribute by the national admin", "routed", by(distribute(agency), member(national)), flows.ErrNotYourTurn, nil},
		{"distribute by the agency", "routed", by(distribute(agency), member(agency)), flows.ErrNotYourTurn, nil},
		{"distribute by another regency", "routed", by(distribute(agency), member(regency2)), flows.ErrNotYourTurn, nil},
		{"send back by the national admin", "routed", by(sendBack(), member(national)), flows.ErrNotYourTurn, nil},
		{"task by a sibling agency", "distributed", by(task(team), member(other)), flows.ErrNotYourTurn, nil},
		{"task by the regency", "distributed", by(task(team), member(regency)), flows.ErrNotYourTurn, nil},
		{"task by a team", "distributed", by(task(team), member(team)), flows.ErrNotYourTurn, nil},
		{"answer by a sibling agency", "distributed", by(answer(), member(other)), flows.ErrNotYourTurn, nil},
		{"answer by the regency", "distributed", by(answer(), member(regency)), flows.ErrNotYourTurn, nil},
		{"answer by the team tasked", "in_progress", by(answer(), member(team)), flows.ErrNotYourTurn, nil},
		{"answer by the complainant", "in_progress", by(answer(), flowstest.Complainant), flows.ErrNotYourTurn, nil},
		{"answer by the system", "in_progress", by(answer(), flows.System), flows.ErrNotYourTurn, nil},
		{"answer at the Ombudsman by the Ombudsman", "ombudsman", by(answer(), member(ombudsman)), flows.ErrNotYourTurn, nil},
		{"answer at the Ombudsman by a sibling agency", "ombudsman", by(answer(), member(other)), flows.ErrNotYourTurn, nil},
		{"answer at the Ombudsman by the regency that held it", "ombudsman_routed", by(answer(), member(regency)), flows.ErrNotYourTurn, nil},
		{"not ours by a sibling agency", "distributed", by(notOurs(), member(other)), flows.ErrNotYourTurn, nil},
		{"not ours by the team", "in_progress", by(notOurs(), member(team)), flows.ErrNotYourTurn, nil},
		{"take by the agency", "in_progress", take(agency), flows.ErrNotYourTurn, map[string]string{"Event": "take"}},
		{"take by the other team", "in_progress", take(team2), flows.ErrNotYourTurn, nil},
		{"take by another agency's team", "in_progress", take(otherTeam), flows.ErrNotYourTurn, nil},
		{"take by the regency", "in_progress", take(regency), flows.ErrNotYourTurn, nil},
		{"take by the complainant", "in_progress", by(take(team), flowstest.Complainant), flows.ErrNotYourTurn, nil},
		{"take by the system", "in_progress", by(take(team), flows.System), flows.ErrNotYourTurn, nil},
		{"take when no team is tasked", "in_progress_replied", take(team), flows.ErrNotYourTurn, nil},
		{"findings by a team not tasked", "in_progress", by(findings(), member(team2)), flows.ErrNotYourTurn, nil},
		{"findings by another agency's team", "in_progress", by(findings(), member(otherTeam)), flows.ErrNotYourTurn, nil},
		{"findings by the agency", "in_progress", by(findings(), member(agency)), flows.ErrNotYourTurn, nil},
		{"findings when no team is tasked", "in_progress_replied", findings(), flows.ErrNotYourTurn, nil},
		{"reply from another chat", "answered", by(reply(), stranger), flows.ErrNotYourTurn, nil},
		{"reply from no chat", "answered", by(reply(), flows.Actor{Kind: flows.ByComplainant}), flows.ErrNotYourTurn, nil},
		{"reply by a unit member", "answered", by(reply(), member(agency)), flows.ErrNotYourTurn, nil},
		{"reply by a unit member giving the complainant's chat", "answered", by(reply(), flows.Actor{Kind: flows.ByUnit, Unit: agency, Ref: flowstest.ChatRef}), flows.ErrNotYourTurn, nil},
		{"reply by the system", "answered", by(reply(), flows.System), flows.ErrNotYourTurn, nil},
		{"satisfied from another chat", "answered", by(satisfied(), stranger), flows.ErrNotYourTurn, nil},
		{"satisfied by the agency", "answered", by(satisfied(), member(agency)), flows.ErrNotYourTurn, nil},
		{"auto-close by the complainant", "answered", by(autoClose(), flowstest.Complainant), flows.ErrNotYourTurn, nil},
		{"auto-close by the agency", "answered", by(autoClose(), member(agency)), flows.ErrNotYourTurn, nil},
		{"handover by the agency", "distributed", by(handover(), member(agency)), flows.ErrNotYourTurn, nil},
		{"handover by the Ombudsman", "distributed", by(handover(), member(ombudsman)), flows.ErrNotYourTurn, nil},
		{"outcome by the agency", "ombudsman", by(outcome(), member(agency)), flows.ErrNotYourTurn, nil},
		{"outcome by the national admin", "ombudsman", by(outcome(), member(national)), flows.ErrNotYourTurn, nil},
		{"outcome by the complainant", "ombudsman", by(outcome(), flowstest.Complainant), flows.ErrNotYourTurn, nil},
		{"rate from another chat", "closed", by(rate(5), stranger), flows.ErrNotYourTurn, nil},
		{"rate by the agency", "closed", by(rate(5), member(agency)), flows.ErrNotYourTurn, nil},
		{"rate by the system", "closed", by(rate(5), flows.System), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by the national admin", "submitted", laporID(national, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by an agency before it has the complaint", "routed", laporID(agency, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by a sibling agency", "distributed", laporID(other, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by another regency", "distributed", laporID(regency2, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by the team", "in_progress", laporID(team, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by the Ombudsman", "ombudsman", laporID(ombudsman, goodLaporID), flows.ErrNotYourTurn, nil},
		{"LAPOR! ID by the complainant", "answered", by(laporID(agency, goodLaporID), flowstest.Complainant), flows.ErrNotYourTurn, nil},

		// Reasons and texts.
		{"archive without a reason", "submitted", text(archive(national), ""), flows.ErrReasonRequired, nil},
		{"archive with a blank reason", "routed", text(archive(regency), " \t\n "), flows.ErrReasonRequired, nil},
		{"send back without a reason", "routed", text(sendBack(), ""), flows.ErrReasonRequired, nil},
		{"not ours without a reason", "distributed", text(notOurs(), "  "), flows.ErrReasonRequired, nil},
		{"answer without text", "distributed", text(answer(), ""), flows.ErrTextRequired, nil},
		{"answer at the Ombudsman without text", "ombudsman", text(answer(), " "), flows.ErrTextRequired, nil},
		{"findings without text", "in_progress", text(findings(), ""), flows.ErrTextRequired, nil},
		{"reply without text", "answered", text(reply(), "\n"), flows.ErrTextRequired, nil},
		{"outcome without text", "ombudsman", text(outcome(), ""), flows.ErrTextRequired, nil},
		{"LAPOR! ID empty", "distributed", laporID(agency, ""), flows.ErrTextRequired, nil},
		{"archive with a reason too long", "submitted", text(archive(national), long), flows.ErrTextTooLong, map[string]string{"Max": fmt.Sprint(flows.MaxText)}},
		{"answer too long", "in_progress", text(answer(), long), flows.ErrTextTooLong, nil},
		{"findings too long", "in_progress", text(findings(), long), flows.ErrTextTooLong, nil},
		{"reply too long", "answered", text(reply(), long), flows.ErrTextTooLong, nil},
		{"outcome too long", "ombudsman", text(outcome(), long), flows.ErrTextTooLong, nil},

		// Targets.
		{"route to an agency", "submitted", route(agency), flows.ErrBadTarget, map[string]string{"Target": agency}},
		{"route to the national unit", "submitted", route(national), flows.ErrBadTarget, nil},
		{"route to an unknown code", "submitted", route(unknownUnit), flows.ErrBadTarget, map[string]string{"Target": unknownUnit}},
		{"route to nowhere", "submitted", route(""), flows.ErrBadTarget, nil},
		{"distribute to a team", "routed", distribute(team), flows.ErrBadTarget, nil},
		{"distribute to an agency under another regency", "routed", distribute(agency2), flows.ErrBadTarget, map[string]string{"Target": agency2}},
		{"distribute to the Ombudsman", "routed", distribute(ombudsman), flows.ErrBadTarget, nil},
		{"task a team of another agency", "distributed", task(otherTeam), flows.ErrBadTarget, map[string]string{"Target": otherTeam}},
		{"task an agency", "distributed", task(other), flows.ErrBadTarget, nil},
		{"task an unknown code", "distributed", task(unknownUnit), flows.ErrBadTarget, nil},

		// Ratings.
		{"rating 0", "closed", rate(0), flows.ErrBadRating, nil},
		{"rating 6", "closed", rate(6), flows.ErrBadRating, nil},
		{"rating -1", "closed", rate(-1), flows.ErrBadRating, nil},

		// LAPOR! IDs.
		{"LAPOR! ID blank", "distributed", laporID(agency, "   "), flows.ErrTextRequired, nil},
		{"LAPOR! ID x", "distributed", laporID(agency, "x"), flows.ErrBadLaporID, nil},
		{"LAPOR! ID with a space", "distributed", laporID(agency, "has space"), flows.ErrBadLaporID, nil},
		{"LAPOR! ID of 60 characters", "distributed", laporID(agency, strings.Repeat("A", 60)), flows.ErrBadLaporID, nil},
		{"LAPOR! ID of 41 characters", "distributed", laporID(agency, strings.Repeat("A", 41)), flows.ErrBadLaporID, nil},
		{"LAPOR! ID starting with a dash", "distributed", laporID(agency, "-ABC123"), flows.ErrBadLaporID, nil},

		// Unknown events.
		{"unknown event", "distributed", flows.Event{Kind: "escalate", Actor: member(agency)}, flows.ErrUnknownEvent, map[string]string{"Event": "escalate"}},
		{"empty event", "distributed", flows.Event{Actor: member(agency)}, flows.ErrUnknownEvent, nil},
		{"file through Apply", "submitted", flows.Event{Kind: flows.EvFile, Actor: flowstest.Complainant}, flows.ErrUnknownEvent, nil},
		{"remind through Apply", "distributed", flows.Event{Kind: flows.EvRemind, Actor: flows.System}, flows.ErrUnknownEvent, nil},
		{"overdue through Apply", "distributed", flows.Event{Kind: flows.EvOverdue, Actor: flows.System}, flows.ErrUnknownEvent, nil},
		{"warn through Apply", "answered", flows.Event{Kind: flows.EvWarn, Actor: flows.System}, flows.ErrUnknownEvent, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRefused(t, r, fixture(t, r, tt.from), tt.ev, tt.want, tt.data)
		})
	}

	t.Run("second rating", func(t *testing.T) {
		c := mustApply(t, r, fixture(t, r, "closed"), rate(5), "2026-12-01 10:00")
		checkRefused(t, r, c, rate(3), flows.ErrAlreadyRated, nil)
		checkRefused(t, r, c, rate(0), flows.ErrAlreadyRated, nil)
	})
}

// TestApplyLimitsAccepted checks the edges that Apply accepts.
func TestApplyLimitsAccepted(t *testing.T) {
	r := flowstest.Rules(t)
	tests := []struct {
		name string
		from string
		ev   flows.Event
	}{
		{"answer of exactly MaxText multi-byte runes", "in_progress", flows.Event{Kind: flows.EvAnswer, Actor: member(agency), Text: strings.Repeat("é", flows.MaxText)}},
		{"answer padded past MaxText with spaces", "in_progress", flows.Event{Kind: flows.EvAnswer, Actor: member(agency), Text: "  " + strings.Repeat("a", flows.MaxText) + "  "}},
		{"rating 1", "closed", rate(1)},
		{"rating 5", "closed", rate(5)},
		{"LAPOR! ID of 3 characters", "distributed", laporID(agency, "A1-")},
		{"LAPOR! ID of 40 characters", "distributed", laporID(agency, strings.Repeat("7", 40))},
		{"LAPOR! ID with spaces around", "distributed", laporID(agency, "  "+goodLaporID+" ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Apply(fixture(t, r, tt.from), tt.ev, at(t, "2026-12-01 10:00")); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

// TestActions checks the buttons each unit gets in each state, literally and against
// what Apply accepts.
func TestActions(t *testing.T) {
	r := flowstest.Rules(t)
	type acts = []flows.EventKind
	lapor := flows.EvLaporID
	want := map[string]map[string]acts{
		"submitted":                {national: {flows.EvRoute, flows.EvArchive}, regency: {lapor}},
		"routed":                   {regency: {flows.EvDistribute, flows.EvSendBack, flows.EvArchive, lapor}},
		"distributed":              {agency: {flows.EvTask, flows.EvAnswer, flows.EvNotOurs, lapor}, regency: {lapor}},
		"in_progress":              {agency: {flows.EvAnswer, flows.EvNotOurs, lapor}, regency: {lapor}, team: {flows.EvTake, flows.EvFindings}},
		"in_progress_team_replied": {agency: {flows.EvAnswer, flows.EvNotOurs, lapor}, regency: {lapor}, team: {flows.EvTake, flows.EvFindings}},
		"in_progress_replied":      {agency: {flows.EvAnswer, flows.EvNotOurs, lapor}, regency: {lapor}},
		"answered":                 {agency: {lapor}, regency: {lapor}},
		"closed":                   {},
		"ombudsman":                {agency: {flows.EvAnswer, lapor}, regency: {lapor}, ombudsman: {flows.EvOutcome}},
		"ombudsman_routed":         {regency: {lapor}, ombudsman: {flows.EvOutcome}},
		"archived":                 {},
	}
	var codes []string
	for _, u := range r.Units.Units() {
		codes = append(codes, u.Code)
	}
	codes = append(codes, unknownUnit)
	sorted := func(ks []flows.EventKind) []flows.EventKind {
		return slices.Sorted(slices.Values(ks))
	}
	for fx, byUnit := range want {
		c := fixture(t, r, fx)
		for _, unit := range codes {
			t.Run(fx+"/"+unit, func(t *testing.T) {
				got := r.Actions(c, unit)
				if w := byUnit[unit]; !slices.Equal(sorted(got), sorted(w)) {
					t.Errorf("Actions = %v, want %v", got, w)
				}
				var accepted []flows.EventKind
				for _, k := range eventKinds {
					_, err := r.Apply(c, plausible(k, member(unit)), at(t, "2027-02-01 10:00"))
					if err != nil {
						if code := refusal(t, err).Code; code == flows.ErrWrongState || code == flows.ErrNotYourTurn {
							continue
						}
					}
					accepted = append(accepted, k)
				}
				if !slices.Equal(sorted(got), sorted(accepted)) {
					t.Errorf("Actions = %v, but Apply accepts %v", got, accepted)
				}
				if len(slices.Compact(sorted(got))) != len(got) {
					t.Errorf("Actions = %v lists an event twice", got)
				}
			})
		}
	}
}

// TestFile checks what filing makes of a report.
func TestFile(t *testing.T) {
	r := flowstest.Rules(t)
	now := at(t, "2026-11-30 10:00") // Monday
	for _, p := range flows.Privacies {
		t.Run(string(p), func(t *testing.T) {
			in := report()
			in.Privacy = p
			in.Contact.Email = "budi@example.id"
			was := clone(in)
			ch, err := r.File(in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in, was) {
				t.Errorf("File changed its argument")
			}
			c := ch.Complaint
			if c.State != flows.Submitted || c.Unit != national || c.Team != "" || c.Version != 1 {
				t.Errorf("filed as %s at %q (team %q), version %d; want submitted at %q, version 1", c.State, c.Unit, c.Team, c.Version, national)
			}
			if c.DueKind != flows.DueRoute {
				t.Errorf("DueKind = %q, want %q", c.DueKind, flows.DueRoute)
			}
			checkTime(t, "Due", c.Due, at(t, "2026-12-03 10:00"))             // 3 working days
			checkTime(t, "NextCheck", c.NextCheck, at(t, "2026-12-03 08:00")) // 2 working hours before
			checkTime(t, "FiledAt", c.FiledAt, now)
			checkTime(t, "ClockFrom", c.ClockFrom, now)
			checkTime(t, "Updated", c.Updated, now)
			if c.Timers != (flows.Timers{}) || !c.ClosedAt.IsZero() {
				t.Errorf("Timers %+v, ClosedAt %s; want none", c.Timers, fmtTime(c.ClosedAt))
			}
			want := was.Contact
			if p == flows.Anonymous {
				want.Name, want.Phone, want.Email = "", "", ""
			}
			if c.Contact != want {
				t.Errorf("Contact = %+v, want %+v", c.Contact, want)
			}
			if c.Body != was.Body || c.Title != was.Title || c.Tracking != was.Tracking || c.ID != was.ID {
				t.Errorf("the report's own fields changed: %+v", c)
			}
		})
	}

	incomplete := []struct {
		field string
		edit  func(*flows.Complaint)
	}{
		{"type", func(c *flows.Complaint) { c.Type = "" }},
		{"type", func(c *flows.Complaint) { c.Type = "keluhan" }},
		{"privacy", func(c *flows.Complaint) { c.Privacy = "" }},
		{"privacy", func(c *flows.Complaint) { c.Privacy = "publik" }},
		{"body", func(c *flows.Complaint) { c.Body = "" }},
		{"body", func(c *flows.Complaint) { c.Body = " \n\t " }},
		{"contact", func(c *flows.Complaint) { c.Contact.Channel = "" }},
		{"contact", func(c *flows.Complaint) { c.Contact.Chat = "" }},
	}
	for i, tt := range incomplete {
		t.Run(fmt.Sprintf("missing %s %d", tt.field, i), func(t *testing.T) {
			in := report()
			tt.edit(&in)
			ch, err := r.File(in, now)
			if err == nil {
				t.Fatalf("filed %+v", ch.Complaint)
			}
			fe := refusal(t, err)
			if fe.Code != flows.ErrIncomplete || fe.Data["Field"] != tt.field {
				t.Errorf("refused with %v, want %s with Field %q", err, flows.ErrIncomplete, tt.field)
			}
			if !reflect.DeepEqual(ch, flows.Change{}) {
				t.Errorf("refusal came with a change: %+v", ch)
			}
		})
	}
}

// TestVisible checks who sees the complainant's identity.
func TestVisible(t *testing.T) {
	r := flowstest.Rules(t)
	full := report().Contact
	full.Email = "budi@example.id"
	hidden := full
	hidden.Name, hidden.Phone, hidden.Email = "", "", ""

	shows := map[flows.Privacy]map[flows.UnitKind]bool{
		flows.Ordinary:     {flows.National: true, flows.Regency: true, flows.Agency: true, flows.Team: true, flows.Ombudsman: true},
		flows.Confidential: {flows.National: true, flows.Regency: true, flows.Agency: false, flows.Team: false, flows.Ombudsman: true},
		flows.Anonymous:    {},
	}
	for _, p := range flows.Privacies {
		for _, u := range r.Units.Units() {
			t.Run(string(p)+"/"+u.Code, func(t *testing.T) {
				c := report()
				c.Privacy, c.Contact = p, full
				want := hidden
				if shows[p][u.Kind] {
					want = full
				}
				if got := c.Visible(u); got != want {
					t.Errorf("%s sees %+v, want %+v", u.Kind, got, want)
				}
				if c.Contact != full {
					t.Errorf("Visible changed the complaint's contact")
				}
			})
		}
	}
}

// TestNewTracking checks the form of tracking numbers.
func TestNewTracking(t *testing.T) {
	loc := flowstest.Zone(t)
	lateEvening := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC) // 23:30 WIB
	tests := []struct {
		name string
		t    time.Time
		rnd  []byte
		want string
	}{
		{"first letters", lateEvening, []byte{0, 1, 2, 3}, "LPR-261130-3467"},
		{"after midnight WIB", lateEvening.Add(time.Hour), []byte{5, 6, 7, 24}, "LPR-261201-ACDY"},
		{"bytes that would bias the draw are skipped", lateEvening, []byte{250, 255, 0, 24, 25, 249}, "LPR-261130-3Y3Y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := flows.NewTracking("LPR", tt.t, loc, bytes.NewReader(tt.rnd))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("NewTracking = %q, want %q", got, tt.want)
			}
			again, _ := flows.NewTracking("LPR", tt.t, loc, bytes.NewReader(tt.rnd))
			if again != got {
				t.Errorf("same reader gave %q then %q", got, again)
			}
		})
	}

	t.Run("reader runs dry", func(t *testing.T) {
		if got, err := flows.NewTracking("LPR", lateEvening, loc, bytes.NewReader([]byte{1, 2, 255})); err == nil {
			t.Errorf("NewTracking = %q, want an error", got)
		}
	})

	t.Run("random", func(t *testing.T) {
		form := regexp.MustCompile(`^KR-261130-[34679ACDEFGHJKMNPQRTUVWXY]{4}$`)
		seen := map[rune]bool{}
		for range 500 {
			got, err := flows.NewTracking("KR", lateEvening, loc, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !form.MatchString(got) {
				t.Fatalf("NewTracking = %q, want %s", got, form)
			}
			suffix := got[len(got)-4:]
			if i := strings.IndexAny(suffix, "0O1IL2Z5S8B"); i >= 0 {
				t.Fatalf("NewTracking = %q has the look-alike %q", got, suffix[i])
			}
			for _, r := range suffix {
				seen[r] = true
			}
		}
		if len(seen) < 20 {
			t.Errorf("500 tracking numbers used only %d of 25 characters", len(seen))
		}
	})
}

// TestNewDirectoryProblems checks that each problem is reported where it lies.
func TestNewDirectoryProblems(t *testing.T) {
	type where struct {
		Index int
		Field string
	}
	// Indexes in flowstest.Units: 0 national, 1 regency, 2 agency, 3 team, 4 team2,
	// 5 other agency, 6 ombudsman.
	tests := []struct {
		name string
		edit func([]flows.Unit) []flows.Unit
		want []where
	}{
		{"duplicate code", func(us []flows.Unit) []flows.Unit {
			return append(us, flows.Unit{Code: other, Name: "Dinas Kesehatan (lagi)", Kind: flows.Agency, Parent: regency})
		}, []where{{7, "code"}}},
		{"upper-case code", func(us []flows.Unit) []flows.Unit { us[4].Code = "Tim-Akta"; return us }, []where{{4, "code"}}},
		{"code with a space", func(us []flows.Unit) []flows.Unit { us[4].Code = "tim akta"; return us }, []where{{4, "code"}}},
		{"empty code", func(us []flows.Unit) []flows.Unit { us[4].Code = ""; return us }, []where{{4, "code"}}},
		{"code of 41 characters", func(us []flows.Unit) []flows.Unit { us[4].Code = strings.Repeat("t", 41); return us }, []where{{4, "code"}}},
		{"missing name", func(us []flows.Unit) []flows.Unit { us[2].Name = " "; return us }, []where{{2, "name"}}},
		{"bad kind", func(us []flows.Unit) []flows.Unit { us[5].Kind = "dinas"; return us }, []where{{5, "kind"}}},
		{"agency under the national unit", func(us []flows.Unit) []flows.Unit { us[5].Parent = national; return us }, []where{{5, "parent"}}},
		{"team under a regency", func(us []flows.Unit) []flows.Unit { us[3].Parent = regency; return us }, []where{{3, "parent"}}},
		{"regency under the Ombudsman", func(us []flows.Unit) []flows.Unit { us[1].Parent = ombudsman; return us }, []where{{1, "parent"}}},
		{"missing parent", func(us []flows.Unit) []flows.Unit { us[1].Parent = ""; return us }, []where{{1, "parent"}}},
		{"unknown parent", func(us []flows.Unit) []flows.Unit { us[2].Parent = "kab-x"; return us }, []where{{2, "parent"}}},
		{"national unit with a parent", func(us []flows.Unit) []flows.Unit { us[0].Parent = regency; return us }, []where{{0, "parent"}}},
		{"Ombudsman with a parent", func(us []flows.Unit) []flows.Unit { us[6].Parent = national; return us }, []where{{6, "parent"}}},
		{"two national units", func(us []flows.Unit) []flows.Unit {
			return append(us, flows.Unit{Code: "nasional2", Name: "Admin Nasional 2", Kind: flows.National})
		}, []where{{-1, ""}}},
		{"no national unit", func(us []flows.Unit) []flows.Unit { us[0].Kind = flows.Ombudsman; return us }, []where{{1, "parent"}, {-1, ""}, {-1, ""}}},
		{"no Ombudsman", func(us []flows.Unit) []flows.Unit { return us[:6] }, []where{{-1, ""}}},
		{"two Ombudsman units", func(us []flows.Unit) []flows.Unit {
			return append(us, flows.Unit{Code: "ombudsman-ri", Name: "Ombudsman RI", Kind: flows.Ombudsman})
		}, []where{{-1, ""}}},
		{"positive Telegram ID", func(us []flows.Unit) []flows.Unit { us[0].Chats = tgChat("1001"); return us }, []where{{0, "telegram"}}},
		{"WhatsApp JID of a person", func(us []flows.Unit) []flows.Unit {
			us[1].Chats = append(us[1].Chats, flows.ChatRef{Channel: "whatsapp", Chat: "628123456789@s.whatsapp.net"})
			return us
		}, []where{{1, "whatsapp"}}},
		{"channel without a check", func(us []flows.Unit) []flows.Unit {
			us[2].Chats = append(us[2].Chats, flows.ChatRef{Channel: "signal", Chat: "grup"})
			return us
		}, []where{{2, "signal"}}},
		{"chat without a channel", func(us []flows.Unit) []flows.Unit { us[2].Chats = []flows.ChatRef{{Chat: "-1003"}}; return us }, []where{{2, "chats"}}},
		{"empty chat ID", func(us []flows.Unit) []flows.Unit { us[2].Chats = tgChat(""); return us }, []where{{2, "telegram"}}},
		{"one chat twice in a unit", func(us []flows.Unit) []flows.Unit { us[2].Chats = append(us[2].Chats, us[2].Chats...); return us }, []where{{2, "telegram"}}},
		{"one chat in two units", func(us []flows.Unit) []flows.Unit { us[4].Chats = us[3].Chats; return us }, []where{{4, "telegram"}}},
		{"several at once", func(us []flows.Unit) []flows.Unit {
			us[2].Name = ""
			us[3].Chats = []flows.ChatRef{{Channel: "whatsapp", Chat: "grup"}, {Channel: "telegram", Chat: "5"}}
			return us
		}, []where{{2, "name"}, {3, "whatsapp"}, {3, "telegram"}}},
		{"empty list", func([]flows.Unit) []flows.Unit { return nil }, []where{{-1, ""}, {-1, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := flows.NewDirectoryWith(tt.edit(flowstest.Units()), groupChecks)
			if err == nil {
				t.Fatalf("NewDirectory accepted the units: %v", d.Units())
			}
			var ue *flows.UnitsError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) is not a *flows.UnitsError", err, err)
			}
			var got []where
			for _, p := range ue.Problems {
				got = append(got, where{p.Index, p.Field})
				if p.Msg == "" {
					t.Errorf("problem %+v has no message", p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems at %v, want %v (%v)", got, tt.want, err)
			}
			if d != nil {
				t.Errorf("a directory came with the error")
			}
		})
	}

	t.Run("message names the unit by its line", func(t *testing.T) {
		us := flowstest.Units()
		us[2].Name = ""
		_, err := flows.NewDirectory(us)
		if err == nil || !strings.Contains(err.Error(), "unit 3 name: is empty") {
			t.Errorf("error = %v, want it to mention %q", err, "unit 3 name: is empty")
		}
	})

	t.Run("a chat in two units names both", func(t *testing.T) {
		us := flowstest.Units()
		us[4].Chats = append(tgChat("-1"), us[3].Chats...)
		_, err := flows.NewDirectory(us)
		var ue *flows.UnitsError
		if !errors.As(err, &ue) || len(ue.Problems) != 1 {
			t.Fatalf("error = %v, want one problem", err)
		}
		if p := ue.Problems[0]; p.Index != 4 || p.Chat != 1 || p.Other != 3 || !strings.Contains(p.Msg, "unit 4") {
			t.Errorf("problem = %+v, want unit 4's chat 1, first held by unit 3 (index 3)", p)
		}
	})

	t.Run("without checks formats are not checked", func(t *testing.T) {
		us := flowstest.Units()
		us[3].Chats = []flows.ChatRef{{Channel: "whatsapp", Chat: "grup"}, {Channel: "telegram", Chat: "5"}}
		if _, err := flows.NewDirectory(us); err != nil {
			t.Error(err)
		}
	})

	t.Run("valid WhatsApp group and no Telegram group", func(t *testing.T) {
		us := flowstest.Units()
		us[1].Chats = []flows.ChatRef{{Channel: "whatsapp", Chat: "120363025246125486@g.us"}}
		if _, err := flows.NewDirectoryWith(us, groupChecks); err != nil {
			t.Error(err)
		}
	})
}

// TestUnitChats checks a unit with several chats on several channels.
func TestUnitChats(t *testing.T) {
	us := flowstest.Units()
	wa := func(chat string) flows.ChatRef { return flows.ChatRef{Channel: "whatsapp", Chat: chat} }
	us[2].Chats = append(us[2].Chats, wa("1203630001@g.us"), flows.ChatRef{Channel: "telegram", Chat: "-1009"}, wa("1203630002@g.us"))
	us[3].Chats = []flows.ChatRef{wa("1203630003@g.us")}
	d, err := flows.NewDirectoryWith(us, groupChecks)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := d.Unit(agency)
	if got := u.ChatsOn("telegram"); !slices.Equal(got, []string{"-1003", "-1009"}) {
		t.Errorf("ChatsOn(telegram) = %v", got)
	}
	if got := u.ChatsOn("whatsapp"); !slices.Equal(got, []string{"1203630001@g.us", "1203630002@g.us"}) {
		t.Errorf("ChatsOn(whatsapp) = %v", got)
	}
	if got := u.ChatsOn("web"); got != nil {
		t.Errorf("ChatsOn(web) = %v, want none", got)
	}
	for _, c := range u.Chats {
		if got := d.UnitsOfChat(c.Channel, c.Chat); !slices.Equal(got, []string{agency}) {
			t.Errorf("UnitsOfChat(%q, %q) = %v", c.Channel, c.Chat, got)
		}
	}
	if got := d.UnitsOfChat("whatsapp", "1203630003@g.us"); !slices.Equal(got, []string{team}) {
		t.Errorf("UnitsOfChat of the team's only chat = %v", got)
	}
	if got := d.UnitsOfChat("telegram", "-1004"); got != nil {
		t.Errorf("the team's old chat still leads to %v", got)
	}

	// The directory keeps its own copy: changing what it returned or was given
	// changes nothing in it.
	u.Chats[0].Chat = "-1"
	us[2].Chats[0].Chat = "-2"
	if again, _ := d.Unit(agency); again.Chats[0].Chat != "-1003" {
		t.Errorf("the directory's unit changed with a copy: %v", again.Chats)
	}

	same := u
	same.Chats = slices.Clone(u.Chats)
	slices.Reverse(same.Chats)
	if !u.Equal(same) {
		t.Errorf("the same chats in another order are a different unit")
	}
	same.Chats = same.Chats[1:]
	if u.Equal(same) {
		t.Errorf("a unit with a chat less is the same unit")
	}
	other := u
	other.Name = "Dukcapil"
	if u.Equal(other) {
		t.Errorf("a unit with another name is the same unit")
	}
}

// groupChecks stand in for the channels' checks of group chat IDs.
var groupChecks = flows.ChatChecks{
	"telegram": func(chat string) error {
		if !strings.HasPrefix(chat, "-") {
			return errors.New("not a group chat ID")
		}
		return nil
	},
	"whatsapp": func(chat string) error {
		if !strings.HasSuffix(chat, "@g.us") {
			return errors.New("not a group JID")
		}
		return nil
	},
}

func tgChat(chat string) []flows.ChatRef { return []flows.ChatRef{{Channel: "telegram", Chat: chat}} }

// TestDirectory checks the lookups of a valid directory.
func TestDirectory(t *testing.T) {
	d := flowstest.Rules(t).Units
	codes := func(us []flows.Unit) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.Code)
		}
		return out
	}
	if got, want := codes(d.Units()), codes(flowstest.Units()); !slices.Equal(got, want) {
		t.Errorf("Units = %v, want %v", got, want)
	}
	if got := d.Root().Code; got != national {
		t.Errorf("Root = %q, want %q", got, national)
	}
	if got := d.OmbudsmanLiaison().Code; got != ombudsman {
		t.Errorf("OmbudsmanLiaison = %q, want %q", got, ombudsman)
	}
	if u, ok := d.Unit(agency); !ok || u.Kind != flows.Agency || u.Parent != regency {
		t.Errorf("Unit(%q) = %+v, %t", agency, u, ok)
	}
	if u, ok := d.Unit(unknownUnit); ok {
		t.Errorf("Unit(%q) = %+v, true", unknownUnit, u)
	}

	for _, tt := range []struct {
		channel, chat string
		want          []string
	}{
		{"telegram", "-1003", []string{agency}},
		{"telegram", "-1007", []string{ombudsman}},
		{"whatsapp", "-1003", nil},
		{"telegram", "-1008", nil},
		{"telegram", "", nil},
	} {
		if got := d.UnitsOfChat(tt.channel, tt.chat); !slices.Equal(got, tt.want) {
			t.Errorf("UnitsOfChat(%q, %q) = %v, want %v", tt.channel, tt.chat, got, tt.want)
		}
	}

	children := []struct {
		of   string
		want []string // sorted by name
	}{
		{national, []string{regency}},
		{regency, []string{agency, other}},
		{agency, []string{team2, team}}, // "Tim Teknis Akta" < "Tim Teknis KK & KTP-el"
		{team, nil},
		{other, nil},
		{ombudsman, nil},
		{unknownUnit, nil},
	}
	for _, tt := range children {
		if got := codes(d.Children(tt.of)); !slices.Equal(got, tt.want) {
			t.Errorf("Children(%q) = %v, want %v", tt.of, got, tt.want)
		}
	}

	ancestors := []struct {
		anc, code string
		want      bool
	}{
		{national, regency, true},
		{national, agency, true},
		{national, team, true},
		{regency, team, true},
		{agency, team, true},
		{agency, team2, true},
		{other, team, false},
		{team, agency, false},
		{agency, agency, false},
		{national, national, false},
		{national, ombudsman, false},
		{ombudsman, agency, false},
		{regency, unknownUnit, false},
		{unknownUnit, team, false},
	}
	for _, tt := range ancestors {
		if got := d.IsAncestor(tt.anc, tt.code); got != tt.want {
			t.Errorf("IsAncestor(%q, %q) = %t, want %t", tt.anc, tt.code, got, tt.want)
		}
	}
}

// TestErrorIs checks that refusals match by code only.
func TestErrorIs(t *testing.T) {
	r := flowstest.Rules(t)
	_, err := r.Apply(fixture(t, r, "submitted"), route(agency), at(t, "2026-12-01 10:00"))
	if !errors.Is(err, &flows.Error{Code: flows.ErrBadTarget}) {
		t.Errorf("errors.Is(%v, ErrBadTarget) = false", err)
	}
	if errors.Is(err, &flows.Error{Code: flows.ErrWrongState}) {
		t.Errorf("errors.Is(%v, ErrWrongState) = true", err)
	}
	if got, want := err.Error(), "error.bad_target (Target=dukcapil)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
