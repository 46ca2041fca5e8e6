package flows

import "slices"

// Command is a command a person may type, as a channel lists it in its menu: its name
// (without "/") and the message that describes it.
type Command struct {
	Name  string
	About MsgID
}

// Messages that describe the commands in a channel's menu.
const (
	MsgCmdStart     MsgID = "command.start"      // the menu
	MsgCmdFile      MsgID = "command.lapor"      // file a complaint
	MsgCmdStatus    MsgID = "command.status"     // my complaints
	MsgCmdCancel    MsgID = "command.batal"      // cancel the draft
	MsgCmdLanguage  MsgID = "command.bahasa"     // choose the language
	MsgCmdHelp      MsgID = "command.help"       // how filing works
	MsgCmdQueue     MsgID = "command.antrian"    // a unit's open complaints
	MsgCmdGroupHelp MsgID = "command.group_help" // how the cards work
	MsgCmdChatID    MsgID = "command.id"         // the group's chat ID
)

// PrivateCommands are the commands of a citizen's conversation (Intake.Converse), in
// the order of the menu.
var PrivateCommands = []Command{
	{"start", MsgCmdStart}, {"lapor", MsgCmdFile}, {"status", MsgCmdStatus},
	{"batal", MsgCmdCancel}, {"bahasa", MsgCmdLanguage}, {"datasaya", MsgCmdMyData}, {"help", MsgCmdHelp},
	{EraseCommand, MsgCmdErase},
}

// GroupCommands are the commands of a unit's group chat (GroupCommand, ChatIDNotice),
// in the order of the menu.
var GroupCommands = []Command{{"antrian", MsgCmdQueue}, {"help", MsgCmdGroupHelp}, {"id", MsgCmdChatID}}

// Messages about a group chat itself.
const (
	// MsgChatID answers /id in a group: Text is the chat's ID on its channel; Items,
	// one MsgChatUnit per unit whose group the chat is (none for a chat no unit has).
	MsgChatID   MsgID = "group.chat_id"
	MsgChatUnit MsgID = "group.chat_unit" // a line of MsgChatID: Unit
	// MsgNotMember refuses an action of someone who is no longer a member of the
	// group the action was taken in (they left, or were removed).
	MsgNotMember MsgID = "group.not_member"
)

// ChatIDNotice answers /id typed in a group chat: the chat's ID on its channel, so that
// an operator can put it in the units file, and the codes of the units whose group it
// already is.
func ChatIDNotice(chat string, units []string) Notice {
	n := Notice{Msg: MsgChatID, Text: chat}
	for _, u := range units {
		n.Items = append(n.Items, Notice{Msg: MsgChatUnit, Unit: u})
	}
	return n
}

// IsChatIDCommand reports whether a group command asks for the chat's ID.
func IsChatIDCommand(cmd string) bool { return slices.Contains([]string{"id", "chatid"}, cmd) }
