package flows_test

import (
	"testing"

	"aduan/flows"
)

// /hapusdata asks first, saying whether open complaints and a draft are concerned;
// "no" changes nothing; "yes" drops the draft and asks the store to erase.
func TestConverseErasure(t *testing.T) {
	t.Run("asked, then cancelled", func(t *testing.T) {
		d := newDesk(t)
		d.mine = []flows.Complaint{{ID: 1, Tracking: "ADU-261101-AAAA", State: flows.Closed}}
		o := d.do(msgCommand(flows.EraseCommand), flows.StepMenu, flows.MsgEraseAsk)
		checkData(t, o.Replies[0], "m:erase:yes", "m:erase:no")
		checkMap(t, o.Replies[0], map[string]string{})
		o = d.send(msgPress("m:erase:no"))
		if o.Erase || len(o.Replies) == 0 || o.Replies[0].Msg != flows.MsgEraseCancelled {
			t.Errorf("after no: erase %v, replies %v", o.Erase, msgIDs(o.Replies))
		}
	})
	t.Run("during a draft, with an open complaint", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhere)
		d.mine = []flows.Complaint{{ID: 2, Tracking: "ADU-261130-BBBB", State: flows.InProgress}}
		o := d.send(msgCommand(flows.EraseCommand))
		if len(o.Replies) != 1 || o.Replies[0].Msg != flows.MsgEraseAsk || d.s.Step != flows.StepWhere {
			t.Fatalf("replies %v at %q", msgIDs(o.Replies), d.s.Step)
		}
		checkMap(t, o.Replies[0], map[string]string{"StillOpen": "yes", "Draft": "yes"})
		lang := d.s.Lang
		o = d.send(msgPress("m:erase:yes"))
		if !o.Erase || len(o.Replies) != 0 || o.File || o.Event != nil {
			t.Errorf("after yes: erase %v, replies %v, file %v, event %+v", o.Erase, msgIDs(o.Replies), o.File, o.Event)
		}
		if d.s.Step != flows.StepMenu || d.s.Draft.Body != "" || len(d.s.Draft.Attachment) != 0 || d.s.Lang != lang {
			t.Errorf("session after yes: %+v", d.s)
		}
	})
}

func TestErasureDone(t *testing.T) {
	n := flows.ErasureDone(3, []string{"ADU-261130-BBBB", "ADU-261201-CCCC"})
	checkMap(t, n, map[string]string{"Erased": "3", "Waiting": "2", "List": "ADU-261130-BBBB, ADU-261201-CCCC"})
	checkMap(t, flows.ErasureDone(0, nil), map[string]string{})
}
