package flows_test

import (
	"testing"
	"time"

	"aduan/flows"
)

// Every command the menu lists is one the conversation or the groups understand: none
// falls through to the hint given for unknown commands.
func TestMenuCommandsAreUnderstood(t *testing.T) {
	in := flows.DefaultIntake()
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	for _, c := range flows.PrivateCommands {
		s := flows.Session{Channel: "telegram", Chat: "1001", Lang: "id"}
		out := in.Converse(s, flows.Inbound{Channel: "telegram", Chat: "1001", User: "1001", Command: c.Name}, nil, now)
		if len(out.Replies) == 0 {
			t.Errorf("/%s: no reply", c.Name)
		}
		for _, r := range out.Replies {
			if r.Msg == flows.MsgMenuHint {
				t.Errorf("/%s is answered as an unknown command", c.Name)
			}
		}
	}
	for _, c := range flows.GroupCommands {
		n := flows.GroupCommand(c.Name, "dukcapil", nil)
		switch {
		case flows.IsChatIDCommand(c.Name):
		case c.Name == "help" && n.Msg == flows.MsgGroupHelp:
		case n.Msg == flows.MsgGroupHelp:
			t.Errorf("/%s in a group is answered with the help", c.Name)
		}
	}
}

func TestChatIDNotice(t *testing.T) {
	n := flows.ChatIDNotice("-1001234", []string{"dukcapil", "tim-kk"})
	if n.Msg != flows.MsgChatID || n.Text != "-1001234" || len(n.Items) != 2 || n.Items[1].Unit != "tim-kk" || n.Items[1].Msg != flows.MsgChatUnit {
		t.Errorf("ChatIDNotice = %+v", n)
	}
	if n := flows.ChatIDNotice("-5", nil); len(n.Items) != 0 {
		t.Errorf("a chat of no unit: %+v", n)
	}
	for cmd, want := range map[string]bool{"id": true, "chatid": true, "antrian": false, "": false} {
		if got := flows.IsChatIDCommand(cmd); got != want {
			t.Errorf("IsChatIDCommand(%q) = %v", cmd, got)
		}
	}
}
