package main

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"aduan/bot/telegram/tgfake"
	"aduan/bot/whatsapp"
	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// The end-to-end tests in the whatsapp_*_test.go files run the whole program (Main)
// with the real WhatsApp channel, built and run as serve runs it but over wafake, a
// fake whatsmeow client (Main.WhatsAppTest), beside the real Telegram channel against
// tgfake: citizens write in their private chats, the units'
// admins act in WhatsApp groups by quoting the desk's cards with a number or a short
// command, and the tests check the real WhatsApp messages the desk sent and what the
// database holds.

// WhatsApp identities: the desk's number, the fixture units' groups, the people.
var (
	waSelf = types.NewJID("6281100000000", types.DefaultUserServer)

	waNational  = types.NewJID("120363000000001001", types.GroupServer)
	waRegency   = types.NewJID("120363000000001002", types.GroupServer)
	waAgency    = types.NewJID("120363000000001003", types.GroupServer)
	waTeam      = types.NewJID("120363000000001004", types.GroupServer)
	waTeam2     = types.NewJID("120363000000001005", types.GroupServer)
	waOther     = types.NewJID("120363000000001006", types.GroupServer)
	waOmbudsman = types.NewJID("120363000000001007", types.GroupServer)

	// Admins appear in groups by LID, their phone number alongside.
	waAdminNational = waMember("100000000000001", "6285700000001", "Rina (Nasional)")
	waAdminRegency  = waMember("100000000000002", "6285700000002", "Yusuf (Kabupaten)")
	waAdminAgency   = waMember("100000000000003", "6285700000003", "Sari (Dukcapil)")
	waMemberTeam    = waMember("100000000000004", "6285700000004", "Andi (Tim KK)")
	waLiaison       = waMember("100000000000007", "6285700000007", "Dewi (Ombudsman)")

	waBudi = wafake.PN("6281234567890", "Budi")
	// Siti writes by LID: WhatsApp does not tell her number.
	waSiti = wafake.LID("123456789012345", "Siti")
)

func waMember(lid, pn, name string) wafake.Person {
	return wafake.Person{JID: types.NewJID(lid, types.HiddenUserServer), Alt: types.NewJID(pn, types.DefaultUserServer), Name: name}
}

// waGroups are the WhatsApp groups of the fixture units, and their admins.
var waGroups = map[string]struct {
	group  types.JID
	member wafake.Person
}{
	flowstest.National:  {waNational, waAdminNational},
	flowstest.Regency:   {waRegency, waAdminRegency},
	flowstest.Agency:    {waAgency, waAdminAgency},
	flowstest.Team:      {waTeam, waMemberTeam},
	flowstest.Team2:     {waTeam2, wafake.Person{}},
	flowstest.Other:     {waOther, wafake.Person{}},
	flowstest.Ombudsman: {waOmbudsman, waLiaison},
}

// waDesk is the whole program on a fresh database with the WhatsApp channel over a
// fake client beside Telegram against a fake Bot API.
type waDesk struct {
	*tgDesk
	wa     *wafake.Client
	bot    *whatsapp.Bot
	lastTG []tgfake.Call // the Telegram calls of the last do
	pace   shiftedClock  // the channel's real-time clock (pacing, how long group members are believed)
}

// shiftedClock is real time moved forward by what the test added.
type shiftedClock struct{ by atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.by.Load())) }

// Advance moves the clock forward by d.
func (c *shiftedClock) Advance(d time.Duration) { c.by.Add(int64(d)) }

// Where the fixture units work.
const (
	unitsOnWhatsApp = "whatsapp" // every unit in a WhatsApp group only
	unitsOnTelegram = "telegram" // every unit in its Telegram group only (flowstest.Units)
	unitsOnBoth     = "both"     // every unit in its Telegram group and its WhatsApp group
)

// newWADesk starts Main with both channels, the fixture units working where unitsOn
// says, every WhatsApp group known to the fake client with its admin as a member.
func newWADesk(t *testing.T, start, unitsOn string) *waDesk {
	t.Helper()
	units := flowstest.Units()
	for i := range units {
		wa := flows.ChatRef{Channel: whatsapp.Name, Chat: waGroups[units[i].Code].group.String()}
		switch unitsOn {
		case unitsOnWhatsApp:
			units[i].Chats = []flows.ChatRef{wa}
		case unitsOnBoth:
			units[i].Chats = append(units[i].Chats, wa)
		}
	}
	db, url := storetest.New(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, units), flowstest.At(t, "2026-11-01 00:00")); err != nil {
		t.Fatal(err)
	}
	fake := wafake.New(waSelf)
	for _, g := range waGroups {
		if g.member.JID.IsEmpty() {
			fake.SetGroup(g.group, "Unit")
		} else {
			fake.SetGroup(g.group, "Unit", g.member)
		}
	}
	d := &waDesk{wa: fake}
	d.tgDesk = &tgDesk{t: t, url: url, clock: flowstest.NewClock(flowstest.At(t, start)), log: &storetest.LogBuffer{},
		failed: map[string]error{}, tune: d.addWhatsApp}
	d.fake = newUnitsFake(t)
	t.Cleanup(func() {
		// Whatever the test did, the desk's log (at debug level) names no citizen or
		// admin by number, LID or name, and quotes no complaint.
		wantLogClean(t, d.log.String(), waBudi.JID.User, waSiti.JID.User, waAdminNational.JID.User, waAdminNational.Alt.User,
			waAdminAgency.Alt.User, "Budi", "Siti", "Rina", "Sari", bodyKK, bodyAkta, tgToken)
		if t.Failed() {
			t.Logf("desk log:\n%s", d.log)
		}
	})
	d.start()
	return d
}

// addWhatsApp runs Main's WhatsApp channel over the desk's fake client (see
// useWhatsAppFake), pacing kept but short: a test sends many messages a second.
func (d *waDesk) addWhatsApp(m *Main) {
	useWhatsAppFake(m, d.wa, func(cfg *whatsapp.Config) {
		cfg.Pacing, cfg.Pace = testPacing, &d.pace
	}, func(b *whatsapp.Bot) { d.bot = b })
}

// useWhatsAppFake enables WhatsApp in Main over a fake client instead of a linked
// device: serve builds the channel as always (settings, renderer, catalog, its own
// desk and sender), tune may change the channel's settings, and once the channel is
// built it sends through the client, which feeds it its messages; built is told the
// channel.
func useWhatsAppFake(m *Main, client *wafake.Client, tune func(*whatsapp.Config), built func(*whatsapp.Bot)) {
	m.Config.WhatsApp.Enabled = true
	m.WhatsAppTest = func(cfg *whatsapp.Config) func(*whatsapp.Bot) {
		if tune != nil {
			tune(cfg)
		}
		return func(b *whatsapp.Bot) {
			b.Use(client, client.Self())
			client.Attach(b.HandleMessage)
			if built != nil {
				built(b)
			}
		}
	}
}

// testPacing spaces WhatsApp sends by a millisecond: the pacing works, and a test
// still sends dozens of messages a second.
var testPacing = whatsapp.Pacing{Gap: time.Millisecond, PerChat: time.Millisecond}

// do lets a minute pass, delivers the messages to the desk through the channel's
// HandleMessage, waits until the desk has handled them and delivered everything they
// caused, and returns the WhatsApp messages sent meanwhile (the Telegram calls are
// kept in lastTG).
func (d *waDesk) do(evts ...*events.Message) []wafake.Sent {
	d.t.Helper()
	return d.deliver(false, evts...)
}

// doFailing is do for messages whose handling fails and is given up (media that
// WhatsApp no longer serves): it returns what the desk sent about them.
func (d *waDesk) doFailing(evts ...*events.Message) []wafake.Sent {
	d.t.Helper()
	return d.deliver(true, evts...)
}

func (d *waDesk) deliver(failing bool, evts ...*events.Message) []wafake.Sent {
	d.t.Helper()
	d.clock.Advance(time.Minute)
	var ids []string
	for _, evt := range evts {
		if err := d.wa.Receive(evt); err != nil {
			d.t.Fatal(err)
		}
		ids = append(ids, whatsapp.InboxID(evt.Info.Chat.String(), evt.Info.ID))
	}
	d.waitInbox(whatsapp.Name, failing, ids...)
	d.lastTG = d.settle()
	return d.wa.Take()
}

// tg pushes Telegram updates as tgDesk.do does, and returns the calls and the WhatsApp
// messages sent meanwhile.
func (d *waDesk) tg(upds ...models.Update) ([]tgfake.Call, []wafake.Sent) {
	d.t.Helper()
	calls := d.tgDesk.do(upds...)
	return calls, d.wa.Take()
}

// sweepAt runs the scheduled checks at a time and returns the WhatsApp messages they
// caused (the Telegram calls in lastTG).
func (d *waDesk) sweepAt(at time.Time) []wafake.Sent {
	d.t.Helper()
	d.lastTG = d.tgDesk.sweepAt(at)
	return d.wa.Take()
}

// msg returns the one message to chat among sent whose text (as the phone shows it)
// contains want.
func (d *waDesk) msg(sent []wafake.Sent, chat types.JID, want string) wafake.Sent {
	d.t.Helper()
	var found []wafake.Sent
	for _, s := range wafake.To(sent, chat) {
		if strings.Contains(s.Text(), want) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		d.t.Fatalf("%d messages to %s contain %q, want 1; it received:\n%s", len(found), chat, want, waTexts(wafake.To(sent, chat)))
	}
	return found[0]
}

// none checks that no message to chat among sent contains text.
func (d *waDesk) none(sent []wafake.Sent, chat types.JID, text string) {
	d.t.Helper()
	for _, s := range wafake.To(sent, chat) {
		if strings.Contains(s.Text(), text) {
			d.t.Errorf("%s received %q", chat, s.Text())
		}
	}
}

func waTexts(sent []wafake.Sent) string {
	var b strings.Builder
	for _, s := range sent {
		fmt.Fprintf(&b, "  [%s] %q\n", s.ID, s.Text())
	}
	return b.String()
}

var numberedLine = regexp.MustCompile(`(?m)^(\d+)\. (.+)$`)

// options returns the numbered choices of a message as the phone shows them.
func options(s wafake.Sent) []string {
	var out []string
	for _, m := range numberedLine.FindAllStringSubmatch(s.Text(), -1) {
		out = append(out, m[2])
	}
	return out
}

// num returns the number of the one choice of s whose label contains label.
func (d *waDesk) num(s wafake.Sent, label string) string {
	d.t.Helper()
	var found []string
	for _, m := range numberedLine.FindAllStringSubmatch(s.Text(), -1) {
		if strings.Contains(m[2], label) {
			found = append(found, m[1])
		}
	}
	if len(found) != 1 {
		d.t.Fatalf("%d choices of %q match %q, want 1", len(found), s.Text(), label)
	}
	return found[0]
}

// dm has p write text in their private chat.
func (d *waDesk) dm(p wafake.Person, text string) []wafake.Sent {
	d.t.Helper()
	return d.do(d.wa.DM(p, text))
}

// quote has p reply to the desk's message s in chat with text.
func (d *waDesk) quote(chat types.JID, p wafake.Person, s wafake.Sent, text string) []wafake.Sent {
	d.t.Helper()
	return d.do(d.wa.Quote(chat, p, s, text))
}

// pick has p in a group take the choice of card labelled label, by quoting it with its
// number.
func (d *waDesk) pick(group types.JID, p wafake.Person, card wafake.Sent, label string) []wafake.Sent {
	d.t.Helper()
	return d.quote(group, p, card, d.num(card, label))
}

// choose takes the card's choice labelled action, then the unit target named target
// among those offered, each by quoting with its number; it returns the messages of the
// second.
func (d *waDesk) choose(group types.JID, p wafake.Person, card wafake.Sent, action, target string) []wafake.Sent {
	d.t.Helper()
	sent := d.pick(group, p, card, action)
	offer := d.msg(sent, group, "Pilih unit tujuan")
	return d.pick(group, p, offer, target)
}

// act takes the card's choice labelled action that needs text, answers the request by
// quoting it with text, checks the confirmation shows it and confirms by its number;
// it returns the messages of the confirmation.
func (d *waDesk) act(group types.JID, p wafake.Person, card wafake.Sent, action, text string) []wafake.Sent {
	d.t.Helper()
	sent := d.pick(group, p, card, action)
	ask := d.msg(sent, group, "Balas pesan ini")
	sent = d.quote(group, p, ask, text)
	confirm := d.msg(sent, group, "Periksa teks berikut")
	if !strings.Contains(confirm.Text(), text) {
		d.t.Errorf("the confirmation does not show the text: %q", confirm.Text())
	}
	return d.pick(group, p, confirm, "Konfirmasi")
}

// card returns the latest message in group about tracking that offers choices: on
// WhatsApp a changed card is sent anew, and the admins act on the latest.
func (d *waDesk) card(group types.JID, tracking string) wafake.Sent {
	d.t.Helper()
	all := wafake.To(d.wa.Sent(), group)
	for i := len(all) - 1; i >= 0; i-- {
		if strings.Contains(all[i].Text(), "Aduan "+tracking) && len(options(all[i])) > 0 {
			return all[i]
		}
	}
	d.t.Fatalf("no card of %s in %s:\n%s", tracking, group, waTexts(all))
	return wafake.Sent{}
}
