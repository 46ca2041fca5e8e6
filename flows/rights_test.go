package flows_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// TestConverseDataCopy: /datasaya, /mydata and the menu's Data Saya ask for a copy of
// the citizen's data wherever the conversation stands: the store is asked to answer
// (Request) with the MsgDataCopy reply, and a draft being written is asked for again
// after it, untouched.
func TestConverseDataCopy(t *testing.T) {
	for _, msg := range []flows.Inbound{msgCommand("datasaya"), msgCommand("mydata"), msgPress("m:data")} {
		d := newDesk(t)
		o := d.send(msg)
		if o.Request != flows.RequestAccess || !slices.Equal(msgIDs(o.Replies), []flows.MsgID{flows.MsgDataCopy}) || d.s.Step != flows.StepMenu {
			t.Errorf("%+v: request %q, replies %v at %q", msg, o.Request, msgIDs(o.Replies), d.s.Step)
		}
		if o.Replies[0].Copy != nil || o.File || o.Event != nil {
			t.Errorf("%+v: the flow fills in a copy, files or acts: %+v", msg, o)
		}
	}
	d := filling(t, flows.Confidential, flows.StepWhere)
	before := d.s.Draft
	o := d.send(msgCommand("datasaya"))
	if o.Request != flows.RequestAccess || !slices.Equal(msgIDs(o.Replies), []flows.MsgID{flows.MsgDataCopy, flows.MsgAskWhere}) {
		t.Errorf("during a draft: request %q, replies %v", o.Request, msgIDs(o.Replies))
	}
	if d.s.Step != flows.StepWhere || d.s.Draft.Body != before.Body || d.s.Draft.Privacy != flows.Confidential {
		t.Errorf("the draft changed: step %q, %+v", d.s.Step, d.s.Draft)
	}
	if o := d.send(msgText("Kantor kecamatan")); o.Request != flows.RequestNone {
		t.Errorf("a later message asks for a copy again")
	}
	// The menu offers it.
	o = newDesk(t).send(msgCommand("start"))
	var data []string
	for _, row := range o.Replies[0].Choices {
		for _, c := range row {
			data = append(data, c.Data)
		}
	}
	if !slices.Contains(data, "m:data") {
		t.Errorf("the menu offers %v", data)
	}
	if !slices.ContainsFunc(flows.PrivateCommands, func(c flows.Command) bool { return c.Name == "datasaya" }) {
		t.Errorf("datasaya is not among the citizens' commands")
	}
}

// TestCopyStep: a step of the audit trail keeps its text in the citizen's copy only when
// the text was theirs or was sent to them.
func TestCopyStep(t *testing.T) {
	at := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	for kind, keep := range map[flows.EventKind]bool{flows.EvReply: true, flows.EvAnswer: true, flows.EvArchive: true,
		flows.EvOutcome: true, flows.EvAddInfo: true, flows.EvFindings: false, flows.EvSendBack: false, flows.EvNotOurs: false,
		flows.EvLaporID: false} {
		s := flows.CopyStep(flows.AuditEvent{At: at, Kind: kind, Actor: flows.Actor{Kind: flows.ByUnit, Name: "Rina", Ref: "member:x"},
			FromState: flows.InProgress, ToState: flows.Answered, UnitAfter: "dukcapil", Text: "teks"})
		if (s.Text != "") != keep {
			t.Errorf("%s: text %q, want kept %v", kind, s.Text, keep)
		}
		if s.Mine || s.Unit != "dukcapil" || s.To != flows.Answered || !s.At.Equal(at) {
			t.Errorf("%s: %+v", kind, s)
		}
	}
	if s := flows.CopyStep(flows.AuditEvent{Kind: flows.EvReply, Actor: flows.Actor{Kind: flows.ByComplainant}}); !s.Mine {
		t.Errorf("the citizen's own step is not marked")
	}
}

func TestParseNIK(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      flows.ErrorCode
		female   bool
	}{
		{in: "6112010101900001", want: "6112010101900001"},
		{in: "6112 0145 0190 0011", want: "6112014501900011", female: true}, // 5 January 1990, a woman: 05+40
		{in: "6112-01-710200-0001", err: flows.ErrNIKBirth},                 // 71 - 40: 31 February
		{in: "6112.01.711200.0001", want: "6112017112000001", female: true}, // 31 December 2000, a woman
		{in: "6112012902000001", want: "6112012902000001"},                  // 29 February 2000
		{in: "6112012902010001", err: flows.ErrNIKBirth},                    // 29 February 1901 and 2001
		{in: "611201010190000", err: flows.ErrNIKLength},
		{in: "61120101019000011", err: flows.ErrNIKLength},
		{in: "6112O10101900001", err: flows.ErrNIKDigits},
		{in: "9912010101900001", err: flows.ErrNIKProvince},
		{in: "6100010101900001", err: flows.ErrNIKRegion},
		{in: "6112000101900001", err: flows.ErrNIKRegion},
		{in: "6112013201900001", err: flows.ErrNIKBirth},
		{in: "6112010013900001", err: flows.ErrNIKBirth},
		{in: "6112014001900001", err: flows.ErrNIKBirth},
		{in: "6112017201900001", err: flows.ErrNIKBirth},
		{in: "6112010101900000", err: flows.ErrNIKSerial},
	} {
		got, err := flows.ParseNIK(tc.in)
		switch {
		case tc.err == "":
			if err != nil || string(got) != tc.want || got.Female() != tc.female {
				t.Errorf("ParseNIK(%q) = %q (female %v), %v; want %q (female %v)", tc.in, got, got.Female(), err, tc.want, tc.female)
			}
		case !errors.Is(err, &flows.Error{Code: tc.err}):
			t.Errorf("ParseNIK(%q) = %q, %v; want %s", tc.in, got, err, tc.err)
		case strings.Contains(err.Error(), strings.Map(digitsOnly, tc.in)):
			t.Errorf("ParseNIK(%q): the error %q holds the number", tc.in, err)
		}
	}
	var fe *flows.Error
	if _, err := flows.ParseNIK("611201010190000"); !errors.As(err, &fe) || fe.Data["Count"] != "15" {
		t.Errorf("a short NIK: %v; want Count 15", err)
	}
	n, _ := flows.ParseNIK("6112014501900011")
	if m := n.Masked(); m != "6112••••••••••11" || strings.Contains(m, "450190") {
		t.Errorf("masked %q", m)
	}
	if m := flows.NIK("123").Masked(); strings.ContainsAny(m, "0123456789") {
		t.Errorf("a malformed NIK masked as %q", m)
	}
}

func digitsOnly(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}
