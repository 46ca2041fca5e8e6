package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// modeCitizen is one citizen of TestRightsPrivacyModesEveryOutput: their privacy mode
// and what identifies them.
type modeCitizen struct {
	mode         flows.Privacy
	chat         int64
	name, email  string
	phone, nik   string // as they write them
	phoneDigits  string // the phone's digits after the trunk zero: found however it is written out
	tracking     string
	complaintID  int64
	identityKept bool // the desk keeps name, phone and e-mail (not for anonim)
}

// body is the description a citizen writes: their NIK and phone inside, as people do.
func (m modeCitizen) body() string {
	return "Perubahan data KK saya belum diproses sejak tiga minggu. NIK saya " + m.nik + " dan nomor saya " + m.phone +
		", mohon segera dibantu petugas."
}

// needles are the strings that identify the citizen.
func (m modeCitizen) needles() []string {
	return []string{m.name, m.email, m.nik, m.phoneDigits, m.phone}
}

// as gives an update from the citizen their own display name.
func (m modeCitizen) as(u models.Update) models.Update {
	if u.Message != nil && u.Message.From != nil {
		from := *u.Message.From
		from.FirstName = m.name
		u.Message.From = &from
		u.Message.Chat.FirstName = m.name
	}
	return u
}

// fileAs takes citizen m through the intake on Telegram, with a phone shared, the NIK
// and an e-mail typed when the mode asks for them, and sends the complaint.
func (d *tgDesk) fileAs(m *modeCitizen) {
	d.t.Helper()
	calls := d.do(m.as(tgfake.TextMessage(m.chat, m.chat, "/lapor")))
	msg := d.message(calls, m.chat, "Pemberitahuan privasi")
	for _, data := range []string{"i:consent:ok", "i:type:pengaduan", "i:privacy:" + string(m.mode), "i:category:perubahan-data"} {
		calls = d.press(m.chat, m.chat, msg, data)
		msg = sent(calls, m.chat)[len(sent(calls, m.chat))-1]
	}
	calls = d.do(m.as(tgfake.TextMessage(m.chat, m.chat, m.body())))
	msg = d.message(calls, m.chat, "Kapan kejadiannya")
	calls = d.press(m.chat, m.chat, msg, "i:when:skip")
	msg = d.message(calls, m.chat, "Di mana kejadiannya")
	calls = d.press(m.chat, m.chat, msg, "i:where:skip")
	msg = d.message(calls, m.chat, "Kirim foto atau dokumen")
	calls = d.press(m.chat, m.chat, msg, "i:files:done")
	if m.mode != flows.Anonymous {
		d.message(calls, m.chat, "Nomor telepon")
		calls = d.do(m.as(tgfake.ContactMessage(m.chat, m.chat, m.phone)))
		d.message(calls, m.chat, "Ketik NIK Anda")
		calls = d.do(m.as(tgfake.TextMessage(m.chat, m.chat, m.nik)))
		d.message(calls, m.chat, "Alamat e-mail")
		calls = d.do(m.as(tgfake.TextMessage(m.chat, m.chat, m.email)))
	}
	summary := d.message(calls, m.chat, "Periksa kembali aduan Anda")
	calls = d.press(m.chat, m.chat, summary, "i:confirm:send")
	m.tracking = trackingNumber.FindString(d.message(calls, m.chat, "aduan Anda sudah kami terima dengan nomor").Text())
	c := d.complaint(m.tracking)
	m.complaintID = c.ID
	if kept := c.Contact.Name != "" || c.Contact.Phone != "" || c.Contact.Email != "" || c.Contact.NIK != ""; kept != m.identityKept {
		d.t.Errorf("%s: identity kept %v (%+v)", m.mode, kept, c.Contact)
	}
}

// seenBy returns everything the bot sent to chat among calls: texts, captions, albums'
// captions and the contents of uploaded files.
func seenBy(calls []tgfake.Call, chat int64) string {
	var b strings.Builder
	for _, c := range calls {
		if c.ChatID() != chat || c.ErrorCode != 0 {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(c.Fields)) {
			fmt.Fprintf(&b, "%s\n", c.Fields[k])
		}
		for _, f := range c.Files {
			fmt.Fprintf(&b, "%s\n", f)
		}
	}
	return b.String()
}

// TestRightsPrivacyModesEveryOutput runs one complaint of each privacy mode — biasa,
// rahasia, anonim — from filing to the Ombudsman (routed, distributed, tasked, handed
// over with the whole record) and checks every output the desk has for the citizen's
// name, phone, NIK and e-mail: the messages to every unit's group (cards, notices,
// files, the Ombudsman's record document), the command line (complaints list and show,
// the access log, the data requests) and the log at debug level. The NIK, asked for
// the category, reaches no group whole: where the identity may be seen it is masked. Rahasia: the identity
// never reaches the agency's or the team's group. Anonim: nothing identifying reaches
// any of them. The log and the command line hold no one's. Where the identity may be
// seen, it is (so that the search can fail).
func TestRightsPrivacyModesEveryOutput(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", withNIK)
	citizens := []*modeCitizen{
		{mode: flows.Ordinary, chat: 556001, name: "Ratna Kusumawati", email: "ratna.kusuma@example.id",
			phone: "0813-1111-2222", phoneDigits: "81311112222", nik: "6112014501900011", identityKept: true},
		{mode: flows.Confidential, chat: 556002, name: "Dewi Lestarini", email: "dewi.lestari@example.id",
			phone: "0813-3333-4444", phoneDigits: "81333334444", nik: "6112025702850022", identityKept: true},
		{mode: flows.Anonymous, chat: 556003, name: "Agus Salimudin", email: "agus.salim@example.id",
			phone: "0813-5555-6666", phoneDigits: "81355556666", nik: "6112031203780033"},
	}
	for _, m := range citizens {
		if _, err := flows.ParseNIK(m.nik); err != nil {
			t.Fatalf("the test's NIK %s: %v", m.nik, err)
		}
		d.fileAs(m)
		card := d.message(d.fake.Calls("sendMessage"), groupNational, "Aduan baru "+m.tracking)
		calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
		regencyCard := d.message(calls, groupRegency, "Aduan baru "+m.tracking)
		calls = d.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
		agencyCard := d.message(calls, groupAgency, "Aduan baru "+m.tracking)
		calls = d.choose(groupAgency, adminAgency, agencyCard, flows.EvTask, flowstest.Team)
		d.message(calls, groupTeam, "ditugaskan ke tim ini")
	}
	c := d.complaint(citizens[0].tracking)
	calls := d.sweepAt(c.ClockFrom.Add(61 * 24 * time.Hour))
	for _, m := range citizens {
		if st := d.complaint(m.tracking).State; st != flows.AtOmbudsman {
			t.Errorf("%s: state %s, want ombudsman", m.mode, st)
		}
		found := false
		for _, doc := range mediaTo(calls, groupOmbudsman, "sendDocument") {
			found = found || doc.FileNames["document"] == m.tracking+".txt"
		}
		if !found {
			t.Errorf("%s: no record sent to the Ombudsman", m.mode)
		}
	}
	d.noFailedCalls()

	all := d.fake.Calls()
	groups := map[string]int64{"national": groupNational, "regency": groupRegency, "agency": groupAgency, "team": groupTeam,
		"ombudsman": groupOmbudsman}
	for what, chat := range groups {
		seen := seenBy(all, chat)
		for _, m := range citizens {
			hidden := m.mode == flows.Anonymous || (m.mode == flows.Confidential && (chat == groupAgency || chat == groupTeam))
			for _, n := range m.needles() {
				if hidden && strings.Contains(seen, n) {
					t.Errorf("%s: the %s group received %q", m.mode, what, n)
				}
			}
			if !hidden && !strings.Contains(seen, m.name) {
				t.Errorf("%s: the %s group, which may see who filed, never saw the name %q", m.mode, what, m.name)
			}
			if strings.Contains(seen, m.nik) {
				t.Errorf("%s: the %s group received the whole NIK (every unit sees it masked)", m.mode, what)
			}
			if got := strings.Contains(seen, "NIK "+flows.NIK(m.nik).Masked()); got == hidden {
				t.Errorf("%s: the %s group saw the masked NIK: %t, want %t (only where it may see who filed)", m.mode, what, got, !hidden)
			}
		}
	}
	// Each citizen's own chat holds only what is theirs.
	for _, m := range citizens {
		seen := seenBy(all, m.chat)
		for _, other := range citizens {
			if other == m {
				continue
			}
			for _, n := range other.needles() {
				if strings.Contains(seen, n) {
					t.Errorf("%s's chat received %q of the %s citizen", m.mode, n, other.mode)
				}
			}
		}
	}

	// The command line prints no one's identity.
	cl := &cli{t: t, env: map[string]string{"DATABASE_URL": d.url}, clock: d.clock}
	var printed []string
	printed = append(printed, cl.ok("complaints", "list"), cl.ok("complaints", "list", "--json"))
	for _, m := range citizens {
		printed = append(printed, cl.ok("complaints", "show", m.tracking), cl.ok("complaints", "show", m.tracking, "--json", "--as", "staf-17"))
	}
	printed = append(printed, cl.ok("audit", "access"), cl.ok("requests", "list"), cl.ok("audit", "access", "--json"))
	for _, out := range printed {
		for _, m := range citizens {
			for _, n := range append(m.needles(), m.body(), fmt.Sprint(m.chat)) {
				if strings.Contains(out, n) {
					t.Errorf("the command line printed %q of the %s citizen:\n%s", n, m.mode, out)
				}
			}
		}
	}
	// The record exports and the shows are in the access log.
	for _, m := range citizens {
		out := cl.ok("audit", "access", "--complaint", m.tracking)
		if !strings.Contains(out, "unit:"+flowstest.Ombudsman) || !strings.Contains(out, "record") ||
			strings.Count(out, "complaints.show") != 2 || !strings.Contains(out, "/staf-17") {
			t.Errorf("%s: the access log of the complaint:\n%s", m.mode, out)
		}
		mine := cl.ok("audit", "access", "--person", fmt.Sprintf("telegram:%d", m.chat))
		if !strings.Contains(mine, m.tracking) || strings.Count(mine, "\n") != strings.Count(out, "\n") {
			t.Errorf("%s: the access log of the person:\n%s\nof the complaint:\n%s", m.mode, mine, out)
		}
	}

	// The log, at debug level, holds no one's identity nor what they wrote.
	secrets := deskSecrets(t, d)
	for _, m := range citizens {
		secrets = append(append(secrets, m.needles()...), m.body())
	}
	wantLogClean(t, d.log.String(), secrets...)
}
