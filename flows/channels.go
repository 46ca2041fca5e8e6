package flows

import "time"

// Messages to every unit's group about a chat channel of the desk.
const (
	// MsgChannelDown tells the units that a channel stopped sending: Data Channel (its
	// name), Kind (an AlertKind); Due, when set, is when it may work again.
	MsgChannelDown MsgID = "unit.channel_down"
	// MsgChannelUp tells the units that a channel that had stopped works again: Data
	// Channel.
	MsgChannelUp MsgID = "unit.channel_up"
)

// AlertKind names what stopped a channel (or what went wrong on it).
type AlertKind string

// The alerts of a chat channel. Each but AlertMediaExpired stops the channel sending
// until it is over: messages keep queueing meanwhile, and go out once it is.
const (
	// AlertLoggedOut: the account was unlinked (from the phone, or by WhatsApp); the
	// device's keys are gone and the account must be linked again.
	AlertLoggedOut AlertKind = "logged_out"
	// AlertReplaced: another process connected with the same keys (a second desk, a
	// copied database) and took the connection.
	AlertReplaced AlertKind = "replaced"
	// AlertBanned: the network banned the account for a while (Until, when it said).
	AlertBanned AlertKind = "banned"
	// AlertOutdated: the network refuses this version of the client library; the
	// program must be rebuilt with a newer one.
	AlertOutdated AlertKind = "outdated"
	// AlertConnectFailed: the network refused the connection for another reason.
	AlertConnectFailed AlertKind = "connect_failed"
	// AlertUnreachable: reconnecting kept failing; the desk stopped trying.
	AlertUnreachable AlertKind = "unreachable"
	// AlertMediaExpired: a citizen's attachment could no longer be downloaded. It does
	// not stop the channel.
	AlertMediaExpired AlertKind = "media_expired"
)

// Blocks reports whether the alert stops the channel until it is over.
func (k AlertKind) Blocks() bool { return k != AlertMediaExpired && k != "" }

// Alert is the last thing that went wrong on a channel, as the desk keeps it.
type Alert struct {
	Channel string
	Kind    AlertKind
	// Detail is what the network said (a code and its meaning), never personal data.
	Detail string
	At     time.Time
	// Until, when set, is when the channel may try again by itself (a ban's end, or
	// the time an operator resumed it); zero for an alert that lasts until an
	// operator acts (or, for AlertOutdated, until a program with another client
	// version runs: Build).
	Until time.Time
	// Build is the client library's version that met the alert.
	Build string
	// Cleared is when the alert ended (the channel worked again, or an operator
	// cleared it); zero while it lasts.
	Cleared time.Time
}

// Active reports whether a stops the channel at now: it blocks, is not cleared, and
// has not reached its Until (an operator's resume sets Until to the time of the resume).
// Without an Until it lasts, except an AlertOutdated, which stops only the build that
// met it: a program built with another client version may try.
func (a Alert) Active(now time.Time, build string) bool {
	switch {
	case !a.Kind.Blocks() || !a.Cleared.IsZero():
		return false
	case !a.Until.IsZero():
		return now.Before(a.Until)
	case a.Kind == AlertOutdated:
		return a.Build == build
	}
	return true
}

// Notice is the message that tells every unit's group of alert a: nothing for an
// alert that does not stop the channel.
func (a Alert) Notice() (Notice, bool) {
	if !a.Kind.Blocks() {
		return Notice{}, false
	}
	return Notice{Msg: MsgChannelDown, Due: a.Until, Data: map[string]string{"Channel": ChannelTitle(a.Channel), "Kind": string(a.Kind)}}, true
}

// ChannelTitle is a channel's name as people write it ("WhatsApp" for "whatsapp").
func ChannelTitle(name string) string {
	switch name {
	case "whatsapp":
		return "WhatsApp"
	case "telegram":
		return "Telegram"
	}
	return name
}
