package flows_test

import (
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// answeredComplaint returns a complaint of the fixture citizen waiting for their reply.
func answeredComplaint(id int64, tracking string, t flows.ReportType) flows.Complaint {
	return flows.Complaint{ID: id, Tracking: tracking, Type: t, State: flows.Answered, Due: time.Date(2026, 12, 10, 3, 0, 0, 0, time.UTC)}
}

func TestTypedTextOutsideAStep(t *testing.T) {
	complainant := flows.Actor{Kind: flows.ByComplainant, Ref: "tg-chat-555"}
	one := answeredComplaint(7, "ADU-261130-K7QX", flows.ReportComplaint)
	two := answeredComplaint(8, "ADU-261201-AC3F", flows.ReportAspiration)
	reply := "Di kecamatan belum ada, petugas bilang belum dikirim."

	t.Run("the only complaint waiting", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{one, {ID: 3, Tracking: "ADU-261101-XXXX", State: flows.Closed}}
		o := d.send(msgText(reply))
		if o.Event == nil || o.Event.Kind != flows.EvReply || o.Event.Text != reply || o.Tracking != one.Tracking || len(o.Replies) != 0 {
			t.Fatalf("event %+v for %q, want the reply to %s", o.Event, o.Tracking, one.Tracking)
		}
		if o.Event.Actor.Kind != complainant.Kind {
			t.Errorf("actor %+v", o.Event.Actor)
		}
	})
	t.Run("a reply to the message about one of several", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{two, one}
		o := d.send(flows.Inbound{Text: reply, ReplyTo: "77", About: one.Tracking})
		if o.Event == nil || o.Event.Kind != flows.EvReply || o.Tracking != one.Tracking {
			t.Fatalf("event %+v for %q, want the reply to %s", o.Event, o.Tracking, one.Tracking)
		}
	})
	t.Run("a reply to the answer while writing a new complaint", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhere)
		d.mine = []flows.Complaint{one}
		o := d.send(flows.Inbound{Text: reply, About: one.Tracking})
		if len(o.Replies) != 1 || o.Replies[0].Msg != flows.MsgAskWhere || d.s.Step != flows.StepWhere {
			t.Errorf("replies %v at %q, want the step asked again", msgIDs(o.Replies), d.s.Step)
		}
		if o.Event == nil || o.Tracking != one.Tracking || d.s.Draft.Place != "" {
			t.Errorf("event %+v for %q, place %q: want the reply and the draft untouched", o.Event, o.Tracking, d.s.Draft.Place)
		}
	})
	t.Run("several waiting: which one, and the text is kept", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{two, one}
		o := d.do(msgText(reply), flows.StepMenu, flows.MsgWhichComplaint)
		checkData(t, o.Replies[0], "c:send:"+two.Tracking, "c:send:"+one.Tracking, "m:new:text")
		if o.Event != nil || d.s.Pending != reply {
			t.Fatalf("event %+v, pending %q: want no event and the text kept", o.Event, d.s.Pending)
		}
		o = d.send(msgPress("c:send:" + one.Tracking))
		if o.Event == nil || o.Event.Text != reply || o.Tracking != one.Tracking || d.s.Pending != "" {
			t.Errorf("event %+v for %q, pending %q: want the kept text as the reply to %s", o.Event, o.Tracking, d.s.Pending, one.Tracking)
		}
		// Pressed again, the button asks for a reply to write: nothing is sent twice.
		o = d.do(msgPress("c:send:"+one.Tracking), flows.StepReply, flows.MsgAskReply)
		if o.Event != nil {
			t.Errorf("second press sent %+v", o.Event)
		}
	})
	t.Run("several waiting, the text is a new complaint", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{two, one}
		d.do(msgText(otherBody), flows.StepMenu, flows.MsgWhichComplaint)
		d.do(msgPress("m:new:text"), flows.StepConsent, flows.MsgPrivacyNotice)
		if d.s.Draft.Body != otherBody || d.s.Pending != "" {
			t.Errorf("body %q pending %q: want the text as the description", d.s.Draft.Body, d.s.Pending)
		}
	})
	t.Run("thanks asks, and does not reply", func(t *testing.T) {
		for _, ack := range []string{"ok", "Terima kasih!", "makasih 🙏", "Thank you.", "Terima kasih banyak, Pak", "oke, noted 👍", "👍", "🙏🙏", "baik, terima kasih atas bantuannya", "thank you so much"} {
			d := newDesk(t)
			d.mine = []flows.Complaint{one}
			o := d.do(msgText(ack), flows.StepMenu, flows.MsgSatisfiedOrNot)
			if o.Event != nil {
				t.Errorf("%q made %+v", ack, o.Event)
			}
			checkData(t, o.Replies[0], "c:sat:"+one.Tracking, "c:rep:"+one.Tracking)
			if n := o.Replies[0]; n.Tracking != one.Tracking || n.Report != flows.ReportComplaint || !n.Due.Equal(one.Due) {
				t.Errorf("%q: %+v, want the complaint named with its closure", ack, n)
			}
		}
		d := newDesk(t)
		d.do(msgText("ok"), flows.StepMenu, flows.MsgMenuHint) // nothing waits: the menu
		// Thanks with more to say is a reply.
		d.mine = []flows.Complaint{one}
		if o := d.send(msgText("Terima kasih, tapi KK saya belum juga dikirim ke kecamatan.")); o.Event == nil || o.Event.Kind != flows.EvReply {
			t.Errorf("thanks with a complaint: event %+v, want the reply", o.Event)
		}
	})
	t.Run("a complaint typed without a command", func(t *testing.T) {
		d := newDesk(t)
		o := d.do(msgText(aBody), flows.StepConsent, flows.MsgGuided, flows.MsgPrivacyNotice)
		if o.File || o.Event != nil || d.s.Draft.Body != aBody {
			t.Fatalf("body %q", d.s.Draft.Body)
		}
		d.do(msgPress("i:consent:ok"), flows.StepType, flows.MsgAskType)
		d.do(msgPress("i:type:pengaduan"), flows.StepPrivacy, flows.MsgAskPrivacy)
		d.do(msgPress("i:privacy:biasa"), flows.StepCategory, flows.MsgAskCategory)
		d.do(msgPress("i:category:kk"), flows.StepWhen, flows.MsgAskWhen) // the description is not asked again
		if d.s.Draft.Body != aBody {
			t.Errorf("body %q, want %q", d.s.Draft.Body, aBody)
		}
	})
	t.Run("a captioned photo outside a draft", func(t *testing.T) {
		d := newDesk(t)
		photo := flows.Inbound{Text: aBody, Attachment: &flows.Attachment{Kind: "photo", Name: "foto.jpg"}}
		o := d.do(photo, flows.StepConsent, flows.MsgGuided, flows.MsgPrivacyNotice)
		checkMap(t, o.Replies[0], map[string]string{"File": "yes"})
		if d.s.Draft.Body != aBody || len(d.s.Draft.Attachment) != 0 {
			t.Errorf("body %q, %d files", d.s.Draft.Body, len(d.s.Draft.Attachment))
		}
		d = newDesk(t)
		d.mine = []flows.Complaint{one}
		photo.Text = reply
		if o := d.send(photo); o.Event == nil || o.Event.Text != reply || o.Tracking != one.Tracking {
			t.Errorf("captioned photo with a complaint waiting: event %+v", o.Event)
		}
	})
	t.Run("a short text is not a complaint", func(t *testing.T) {
		d := newDesk(t)
		d.do(msgText("jalan rusak"), flows.StepMenu, flows.MsgMenuHint)
	})
	t.Run("a greeting gets the welcome", func(t *testing.T) {
		for _, g := range []string{"halo, selamat pagi", "Assalamualaikum wr wb", "Hi!", "Selamat siang Pak", "permisi min"} {
			d := newDesk(t)
			d.do(msgText(g), flows.StepMenu, flows.MsgWelcome)
		}
		for _, g := range []string{"pak", "halo, KK saya hilang"} {
			d := newDesk(t)
			d.do(msgText(g), flows.StepMenu, flows.MsgMenuHint)
		}
	})
}

func TestDraftCommandsAndEdges(t *testing.T) {
	t.Run("/lapor at the summary asks; continue keeps, start over clears", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		before := clone(d.s.Draft)
		o := d.do(msgCommand("lapor"), flows.StepConfirm, flows.MsgDraftOpen)
		checkData(t, o.Replies[0], "m:continue", "m:restart")
		d.do(msgPress("m:continue"), flows.StepConfirm, flows.MsgSummary)
		if len(d.s.Draft.Attachment) != len(before.Attachment) || d.s.Draft.Body != before.Body {
			t.Errorf("continuing changed the draft")
		}
		d.do(msgPress("m:restart"), flows.StepConsent, flows.MsgPrivacyNotice)
		if d.s.Draft.Body != "" || len(d.s.Draft.Attachment) != 0 {
			t.Errorf("starting over kept the draft: %+v", d.s.Draft)
		}
	})
	t.Run("/batal while replying during a draft", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhere)
		c := answeredComplaint(7, "ADU-261130-K7QX", flows.ReportComplaint)
		d.mine = []flows.Complaint{c}
		d.do(msgPress("c:rep:"+c.Tracking), flows.StepReply, flows.MsgAskReply)
		o := d.do(msgCommand("batal"), flows.StepWhere, flows.MsgReplyCancelled, flows.MsgAskWhere)
		if n := o.Replies[0]; n.Tracking != c.Tracking || !n.Due.Equal(c.Due) {
			t.Errorf("%+v: want the complaint and its closure named", n)
		}
		if d.s.Draft.Body == "" {
			t.Error("the draft was lost")
		}
	})
	t.Run("a long description in two parts", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepBody)
		a, b := strings.Repeat("Antrean sangat panjang. ", 170), "Mohon diperbaiki."
		o := d.do(msgText(a), flows.StepBody, flows.MsgBodyPart)
		checkData(t, o.Replies[0], "i:body:done")
		d.do(msgText(b), flows.StepWhen, flows.MsgAskWhen)
		if want := strings.TrimSpace(a) + " " + b; d.s.Draft.Body != want || d.s.Partial {
			t.Errorf("body of %d characters (partial %t), want %d", len(d.s.Draft.Body), d.s.Partial, len(want))
		}
		// A long text typed before filing, and buttons after it: what comes next is the
		// answer to its step, not more description.
		d = newDesk(t)
		d.do(msgText(a), flows.StepConsent, flows.MsgGuided, flows.MsgPrivacyNotice)
		d.do(msgPress("i:consent:ok"), flows.StepType, flows.MsgAskType)
		if d.s.Partial || d.s.Draft.Body != strings.TrimSpace(a) {
			t.Errorf("partial %t after a button, body of %d characters", d.s.Partial, len(d.s.Draft.Body))
		}
		// A long one with no continuation goes on with the button.
		d = filling(t, flows.Ordinary, flows.StepBody)
		d.do(msgText(a), flows.StepBody, flows.MsgBodyPart)
		d.do(msgPress("i:body:done"), flows.StepWhen, flows.MsgAskWhen)
	})
	t.Run("files the channel did not fetch", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepFiles)
		for range d.in.MaxFiles {
			d.send(msgFile("photo", "blob/x"))
		}
		d.do(flows.Inbound{Attachment: &flows.Attachment{Kind: "photo", Name: "foto.jpg"}}, flows.StepFiles, flows.MsgTooManyFiles)
		if len(d.s.Draft.Attachment) != d.in.MaxFiles {
			t.Errorf("%d files, want %d", len(d.s.Draft.Attachment), d.in.MaxFiles)
		}
		d = filling(t, flows.Ordinary, flows.StepFiles)
		d.do(flows.Inbound{Attachment: &flows.Attachment{Kind: "photo", Name: "foto.jpg"}}, flows.StepFiles, flows.MsgFailed)
	})
	t.Run("explanations", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhen)
		o := d.do(flows.Inbound{Unsupported: "too_large"}, flows.StepWhen, flows.MsgUnsupported, flows.MsgAskWhen)
		checkMap(t, o.Replies[0], map[string]string{"What": "too_large", "MaxMB": "10"})
		o = d.do(flows.Inbound{Unsupported: "edited"}, flows.StepWhen, flows.MsgUnsupported, flows.MsgAskWhen)
		checkMap(t, o.Replies[0], map[string]string{"What": "edited"})
	})
	t.Run("the reminder says when the draft goes", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhen)
		o, ok := d.in.Tick(d.s, d.s.Updated.Add(d.in.RemindAfter))
		if !ok || len(o.Replies) != 1 || !o.Replies[0].Due.Equal(d.s.Updated.Add(d.in.ExpireAfter)) {
			t.Errorf("reminder %+v, want Due at %s", o.Replies, d.s.Updated.Add(d.in.ExpireAfter))
		}
	})
	t.Run("Concerns", func(t *testing.T) {
		for in, want := range map[flows.Inbound]string{
			{Choice: "c:rate:ADU-1:5"}: "ADU-1", {Choice: "c:send:ADU-2"}: "ADU-2", {About: "ADU-3"}: "ADU-3",
			{Choice: "m:new"}: "", {Text: "halo"}: "",
		} {
			if got := in.Concerns(); got != want {
				t.Errorf("%+v.Concerns() = %q, want %q", in, got, want)
			}
		}
	})
}

// TestTextAboutAComplaintBeingWorked: what a citizen writes while nothing waits for
// their reply but the government side works one of their complaints (their reply went
// in a moment ago, in several messages) is never dropped nor mistaken for a new
// complaint: a reply to a message about it is added to it, plain text asks.
func TestTextAboutAComplaintBeingWorked(t *testing.T) {
	working := flows.Complaint{ID: 9, Tracking: "ADU-261130-W0RK", Type: flows.ReportComplaint, State: flows.InProgress}
	more := "Saya sudah datang dua kali ke kantor kecamatan dan petugas bilang datanya belum masuk."

	t.Run("plain text asks, keeps the text, and the choice adds it", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{working}
		o := d.do(msgText(more), flows.StepMenu, flows.MsgAddOrNew)
		checkData(t, o.Replies[0], "c:send:"+working.Tracking, "m:new:text")
		if o.Event != nil || d.s.Pending != more || o.Replies[0].Tracking != working.Tracking {
			t.Fatalf("event %+v, pending %q, tracking %q: want no event yet and the text kept", o.Event, d.s.Pending, o.Replies[0].Tracking)
		}
		o = d.send(msgPress("c:send:" + working.Tracking))
		if o.Event == nil || o.Event.Kind != flows.EvAddInfo || o.Event.Text != more || o.Tracking != working.Tracking {
			t.Fatalf("event %+v for %q, want the text added to %s", o.Event, o.Tracking, working.Tracking)
		}
		if d.s.Pending != "" {
			t.Errorf("pending %q after it was sent", d.s.Pending)
		}
	})
	t.Run("a reply to a message about it is added at once", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{working}
		o := d.send(flows.Inbound{Text: more, ReplyTo: "41", About: working.Tracking})
		if o.Event == nil || o.Event.Kind != flows.EvAddInfo || o.Tracking != working.Tracking {
			t.Fatalf("event %+v for %q, want the text added to %s", o.Event, o.Tracking, working.Tracking)
		}
	})
	t.Run("a closed complaint is not worked: the text starts a new one", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{{ID: 3, Tracking: "ADU-261101-XXXX", State: flows.Closed}}
		o := d.send(msgText(more))
		if o.Event != nil || d.s.Draft.Body != more {
			t.Fatalf("event %+v, body %q: want a new draft with the text", o.Event, d.s.Draft.Body)
		}
	})
}
