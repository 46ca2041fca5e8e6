package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// LIDResolver tells which phone number WhatsApp maps a LID to, and back, as the
// connection learnt it (whatsmeow's Client.Store.LIDs is one): an empty JID and no
// error when it does not know.
type LIDResolver interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
	GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error)
}

var _ LIDResolver = store.LIDStore(nil)

// Citizens is what the channel asks of the database, when it can, to keep a citizen
// whose chat changed identity (from phone number to LID, or back) in one conversation.
type Citizens interface {
	// CitizenChat returns the first of chats under which a citizen of the channel has a
	// conversation or a complaint; "" when none has.
	CitizenChat(ctx context.Context, channel string, chats ...string) (string, error)
}

// identify returns the chat under which the desk answers a private chat's message and
// the phone number WhatsApp vouches for its sender (international digits; empty when
// WhatsApp does not say).
//
// The number is the chat's own when WhatsApp addresses the citizen by phone number
// (…@s.whatsapp.net), else the sender's other identity that came with the message
// (SenderAlt), else what the connection's LID map holds for the LID. A contact card
// or a number the citizen types is never taken for it.
//
// The rule for a chat that changed identity: the citizen is the same person under
// their phone-number chat and under their LID chat when WhatsApp maps one to the other.
// The message is handled under the chat it came from when the desk knows the citizen
// there (a conversation or a complaint), else under the other identity's chat when the
// desk knows them there, else under the chat it came from. So a citizen whose chat
// moves from phone number to LID keeps their conversation and complaints, answered
// under the phone-number chat (whatsmeow delivers to the LID itself), until a new
// conversation starts under the LID. Without the store's Citizens or a LID map, every
// chat is its own citizen.
func (c *Bot) identify(ctx context.Context, p payload) (chat, known string, err error) {
	j, err := types.ParseJID(p.Chat)
	if err != nil || p.Group {
		return p.Chat, "", nil
	}
	alt, _ := types.ParseJID(p.SenderAlt)
	var pn, lid types.JID
	switch j.Server {
	case types.DefaultUserServer:
		pn = j
		if alt.Server == types.HiddenUserServer {
			lid = alt.ToNonAD()
		}
	case types.HiddenUserServer:
		lid = j
		if alt.Server == types.DefaultUserServer {
			pn = alt.ToNonAD()
		}
	default:
		return p.Chat, "", nil
	}
	if r := c.lids(); r != nil && (pn.IsEmpty() || lid.IsEmpty()) {
		var found types.JID
		if pn.IsEmpty() {
			found, err = r.GetPNForLID(ctx, lid)
			pn = found.ToNonAD()
		} else {
			found, err = r.GetLIDForPN(ctx, pn)
			lid = found.ToNonAD()
		}
		if err != nil {
			return p.Chat, "", fmt.Errorf("whatsapp: LID map: %w", err)
		}
	}
	if !pn.IsEmpty() {
		known = pn.User
	}
	other := lid
	if j.Server == types.HiddenUserServer {
		other = pn
	}
	cs, ok := c.store.(Citizens)
	if !ok || other.IsEmpty() {
		return p.Chat, known, nil
	}
	found, err := cs.CitizenChat(ctx, Name, p.Chat, other.String())
	if err != nil {
		return p.Chat, known, err
	}
	if found == "" {
		found = p.Chat
	}
	return found, known, nil
}

// lids returns the LID map of the current connection: the client's own when it is
// one (a test's fake), whatsmeow's device store otherwise; nil without a connection.
func (c *Bot) lids() LIDResolver {
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	switch cl := cl.(type) {
	case LIDResolver:
		return cl
	case *whatsmeow.Client:
		if cl != nil && cl.Store != nil && cl.Store.LIDs != nil {
			return cl.Store.LIDs
		}
	}
	return nil
}
