package flows

import (
	"strconv"
	"strings"
)

// EvRedact is the audit event of a complaint whose personal data was removed (its
// text says why: retention, a deletion request, an anonim report closed). It moves
// nothing.
const EvRedact EventKind = "redact"

// ErasedChat is the conversation of a complaint whose chat identity was erased: no
// channel has a chat of that name, so no message can reach it and no citizen's
// message finds the complaint.
const ErasedChat = "(erased)"

// Reasons of EvRedact, its audit text.
const (
	RedactRetention = "retention"        // the retention period after closure ended
	RedactRequest   = "deletion request" // the complainant asked (/hapusdata)
	RedactAnonim    = "anonim closed"    // an anonim report closed: its chat identity only
)

// Messages of a deletion request (/hapusdata).
const (
	MsgCmdErase MsgID = "command.hapusdata" // the command in a channel's menu
	// MsgEraseAsk asks to confirm the deletion; Data: StillOpen ("yes" when some of the
	// citizen's complaints are still being worked), Draft ("yes" when a complaint is
	// being written, which goes too).
	MsgEraseAsk       MsgID = "erasure.ask"
	MsgEraseCancelled MsgID = "erasure.cancelled" // the citizen did not confirm: nothing was deleted
	// MsgEraseDone says what was deleted; Data: Erased (how many complaints no longer
	// hold personal data; absent for none), Waiting (how many open complaints lose it
	// when they close; absent for none), List (their tracking numbers).
	MsgEraseDone MsgID = "erasure.done"
)

// EraseCommand is the citizen's command that asks for their personal data to be deleted.
const EraseCommand = "hapusdata"

// askErase answers /hapusdata: what will be deleted, now and later, with the choice to
// confirm or not. Nothing changes until they confirm.
func (in *Intake) askErase(o *Outcome, mine []Complaint) {
	data := map[string]string{}
	for _, c := range mine {
		if !c.State.Final() {
			data["StillOpen"] = "yes"
		}
	}
	if o.Session.Filing() {
		data["Draft"] = "yes"
	}
	n := o.say(MsgEraseAsk, []Choice{{Label: LabelAgree, Data: "m:erase:yes"}, {Label: LabelCancel, Data: "m:erase:no"}})
	n.Data = data
}

// chooseErase handles the answer to MsgEraseAsk: on confirmation the conversation
// starts afresh (the draft, a reply being written and kept text are dropped; the
// language stays) and the store is asked to delete (Outcome.Erase), which tells the
// citizen what it did (ErasureDone).
func (in *Intake) chooseErase(o *Outcome, answer string) {
	s := &o.Session
	if answer != "yes" {
		o.say(MsgEraseCancelled)
		in.prompt(o)
		return
	}
	*s = Session{Channel: s.Channel, Chat: s.Chat, Lang: s.Lang, Updated: s.Updated}
	o.Erase = true
}

// erasure handles /hapusdata and the answer to its question; it reports whether msg
// was one of them.
func (in *Intake) erasure(o *Outcome, msg Inbound, mine []Complaint) bool {
	switch {
	case msg.Command == EraseCommand:
		in.askErase(o, mine)
	case strings.HasPrefix(msg.Choice, "m:erase:"):
		in.chooseErase(o, strings.TrimPrefix(msg.Choice, "m:erase:"))
	default:
		return false
	}
	return true
}

// ErasureDone is what the citizen is told once their deletion request is carried out:
// how many complaints no longer hold their personal data, and which open ones will
// lose it when they close.
func ErasureDone(erased int, waiting []string) Notice {
	list := waiting
	if len(list) > 10 {
		list = append(list[:10:10], "…")
	}
	data := map[string]string{}
	if erased > 0 {
		data["Erased"] = strconv.Itoa(erased)
	}
	if len(waiting) > 0 {
		data["Waiting"], data["List"] = strconv.Itoa(len(waiting)), strings.Join(list, ", ")
	}
	return Notice{To: ToComplainant, Msg: MsgEraseDone, Data: data}
}
