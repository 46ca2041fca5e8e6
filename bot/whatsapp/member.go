package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
)

// groupSeen is a group's participants as WhatsApp told them, and until when they are
// believed.
type groupSeen struct {
	members map[types.JID]bool // each participant's JID, phone-number JID and LID
	until   time.Time
}

// Member reports whether user (a participant's JID, by phone number or LID) belongs to
// the group chat now, as WhatsApp's group info tells (GetGroupInfo, asked again after
// Config.MemberTTL). A group the desk is not in, or that is gone, has no members; a
// failure to ask is an error.
func (c *Bot) Member(ctx context.Context, chat, user string) (bool, error) {
	g, err := types.ParseJID(chat)
	if err != nil || g.Server != types.GroupServer {
		return false, nil
	}
	u, err := types.ParseJID(user)
	if err != nil || u.User == "" {
		return false, nil
	}
	u = u.ToNonAD()
	now := c.cfg.Pace.Now()
	c.mu.Lock()
	seen, ok := c.groups[g]
	c.mu.Unlock()
	if ok && now.Before(seen.until) {
		return seen.members[u], nil
	}
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	if cl == nil {
		return false, errOffline
	}
	info, err := cl.GetGroupInfo(ctx, g)
	switch {
	case errors.Is(err, whatsmeow.ErrNotInGroup), errors.Is(err, whatsmeow.ErrGroupNotFound):
		info = &types.GroupInfo{}
	case err != nil:
		return false, fmt.Errorf("whatsapp group info: %w", scrub(err))
	}
	seen = groupSeen{members: map[types.JID]bool{}, until: now.Add(c.cfg.MemberTTL)}
	for _, p := range info.Participants {
		for _, j := range []types.JID{p.JID, p.PhoneNumber, p.LID} {
			if !j.IsEmpty() {
				seen.members[j.ToNonAD()] = true
			}
		}
	}
	c.mu.Lock()
	if len(c.groups) > 1000 {
		clear(c.groups)
	}
	c.groups[g] = seen
	c.mu.Unlock()
	return seen.members[u], nil
}
