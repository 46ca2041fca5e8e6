package store_test

import (
	"slices"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// groupSays runs in as a command typed in the group of units and returns the notices
// queued for that group's chat (the outbox is drained on the way).
func groupSays(t *testing.T, db *store.DB, units []string, in flows.Inbound, at time.Time) []flows.Notice {
	t.Helper()
	if in.Channel == "" {
		in.Channel = store.Telegram
	}
	drain(t, db, at, nil)
	if err := db.GroupCommand(ctx, units, in, at); err != nil {
		t.Fatal(err)
	}
	var out []flows.Notice
	drain(t, db, at, func(o flows.Envelope) {
		if o.Chat == in.Chat {
			out = append(out, o.Notice)
		}
	})
	return out
}

// drain delivers everything the outbox holds at at, showing each message to see.
func drain(t *testing.T, db *store.DB, at time.Time, see func(flows.Envelope)) {
	t.Helper()
	for {
		batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return
		}
		for _, o := range batch {
			if see != nil {
				see(o)
			}
			if err := db.Delivered(ctx, o.ID, flows.Receipt{Ref: "ok"}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// queueOf returns the tracking numbers /antrian lists in the group of unit, in order.
func queueOf(t *testing.T, db *store.DB, unit string, at time.Time) []string {
	t.Helper()
	var chat string
	for _, u := range flowstest.Units() {
		if u.Code == unit {
			chat = u.ChatsOn(store.Telegram)[0]
		}
	}
	ns := groupSays(t, db, []string{unit}, flows.Inbound{Chat: chat, User: "7001", Command: "antrian"}, at)
	if len(ns) != 1 {
		t.Fatalf("/antrian in %s queued %+v, want one notice", unit, ns)
	}
	n := ns[0]
	if n.Unit != unit {
		t.Errorf("/antrian in %s answered for unit %q", unit, n.Unit)
	}
	switch n.Msg {
	case flows.MsgQueueEmpty:
		return nil
	case flows.MsgQueue:
	default:
		t.Fatalf("/antrian in %s answered %s", unit, n.Msg)
	}
	var out []string
	for _, item := range n.Items {
		if item.Msg != flows.MsgStatusItem || item.Complaint == 0 || item.Due.IsZero() && item.State != flows.AtOmbudsman {
			t.Errorf("/antrian in %s: item %+v", unit, item)
		}
		out = append(out, item.Tracking)
	}
	return out
}

// TestGroupCommandQueue: /antrian lists what each unit holds open, nearest deadline
// first: the holder's complaints, a technical team's tasks while they are in progress,
// and at the Ombudsman liaison everything handed over; answered, archived and closed
// complaints are not listed.
func TestGroupCommandQueue(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	if got := queueOf(t, db, flowstest.National, at); got != nil {
		t.Fatalf("an empty desk's queue: %v", got)
	}
	c1 := mustFile(t, db, rules, at)
	c2 := mustFile(t, db, rules, at.Add(time.Hour))
	c3 := mustFile(t, db, rules, at.Add(2*time.Hour))
	c4 := mustFile(t, db, rules, at.Add(3*time.Hour))
	// c2 is routed on the same day: its distribution deadline (1 working day) comes
	// before c1's routing deadline (3 working days), but in another unit.
	mustApply(t, db, rules, c2.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at.Add(4*time.Hour))
	mustApply(t, db, rules, c4.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Ganda."}, at.Add(4*time.Hour))
	now := at.Add(5 * time.Hour)
	if got, want := queueOf(t, db, flowstest.National, now), []string{c1.Tracking, c3.Tracking}; !slices.Equal(got, want) {
		t.Errorf("national queue %v, want %v (nearest deadline first, archived left out)", got, want)
	}
	if got, want := queueOf(t, db, flowstest.Regency, now), []string{c2.Tracking}; !slices.Equal(got, want) {
		t.Errorf("regency queue %v, want %v", got, want)
	}

	// Distributed and tasked: in the agency's queue and the team's, not the other team's.
	mustApply(t, db, rules, c2.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, now)
	mustApply(t, db, rules, c2.ID, flows.Event{Kind: flows.EvTask, Actor: flowstest.Member(flowstest.Agency), Target: flowstest.Team}, now)
	for unit, want := range map[string][]string{flowstest.Agency: {c2.Tracking}, flowstest.Team: {c2.Tracking}, flowstest.Team2: nil, flowstest.Regency: nil} {
		if got := queueOf(t, db, unit, now); !slices.Equal(got, want) {
			t.Errorf("%s queue %v, want %v", unit, got, want)
		}
	}
	// Answered: waiting for the complainant, in nobody's queue.
	mustApply(t, db, rules, c2.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "KK sudah dicetak."}, now)
	for _, unit := range []string{flowstest.Agency, flowstest.Team} {
		if got := queueOf(t, db, unit, now); got != nil {
			t.Errorf("%s queue after the answer: %v", unit, got)
		}
	}

	// Sixty days on, c1 and c3 go to the Ombudsman: the liaison's queue lists them,
	// and a group that is the group of several units lists what any of them holds.
	later := at.Add(61 * 24 * time.Hour)
	sweep(t, db, rules, later)
	if got, want := queueOf(t, db, flowstest.Ombudsman, later), []string{c1.Tracking, c3.Tracking}; !slices.Equal(got, want) {
		t.Errorf("Ombudsman queue %v, want %v", got, want)
	}
	ns := groupSays(t, db, []string{flowstest.Team, flowstest.National}, flows.Inbound{Chat: "-1001", Command: "status"}, later)
	if len(ns) != 1 || ns[0].Msg != flows.MsgQueue || len(ns[0].Items) != 2 {
		t.Errorf("/status in a group of two units: %+v", ns)
	}
}

// TestGroupCommandChatID: /id answers the chat's ID, with the units whose group it is;
// in a group of no unit too. /help there is only marked handled.
func TestGroupCommandChatID(t *testing.T) {
	db, _ := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	ns := groupSays(t, db, nil, flows.Inbound{Chat: "-100999", Command: "id"}, at)
	if len(ns) != 1 || ns[0].Msg != flows.MsgChatID || ns[0].Text != "-100999" || len(ns[0].Items) != 0 {
		t.Errorf("/id in a group of no unit: %+v", ns)
	}
	ns = groupSays(t, db, []string{flowstest.Agency}, flows.Inbound{Chat: "-1003", Command: "id"}, at)
	if len(ns) != 1 || ns[0].Text != "-1003" || len(ns[0].Items) != 1 || ns[0].Items[0].Unit != flowstest.Agency {
		t.Errorf("/id in the agency's group: %+v", ns)
	}
	if ns := groupSays(t, db, nil, flows.Inbound{Chat: "-100999", Command: "help"}, at); len(ns) != 0 {
		t.Errorf("/help in a group of no unit: %+v", ns)
	}
}
