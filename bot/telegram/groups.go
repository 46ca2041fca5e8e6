package telegram

import (
	"context"
	"errors"
	"strconv"
	"unicode/utf8"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/flows"
)

// What the units' groups need of Telegram besides messages: who is a member, answers to
// the buttons pressed there, and the commands of the menu.

// memberKey is a person in a group chat.
type memberKey struct{ chat, user int64 }

// groupAnonymousBot is the sender Telegram shows for an administrator who speaks as the
// group itself; only the group's administrators can.
const groupAnonymousBot = 1087968824

// maxAnswerText is the most characters Telegram shows in the answer to a button press.
const maxAnswerText = 200

// Member reports whether user is a member of the group chat now, as getChatMember
// says: its creator, an administrator, a member, or a restricted user who is still in
// the group. Left and kicked (banned) users are not; neither is anyone Telegram does not
// know in the chat. A confirmed membership is believed for Config.MemberTTL of the
// desk's clock; a refusal is never cached, so that someone just added may act at once.
// A failure to ask Telegram (network, 5xx, 429) is an error.
func (b *Bot) Member(ctx context.Context, chat, user string) (bool, error) {
	c, err1 := strconv.ParseInt(chat, 10, 64)
	u, err2 := strconv.ParseInt(user, 10, 64)
	if err1 != nil || err2 != nil || u <= 0 {
		return false, nil
	}
	if u == groupAnonymousBot {
		return true, nil
	}
	key, now := memberKey{c, u}, b.clock.Now()
	b.mu.Lock()
	until, ok := b.members[key]
	b.mu.Unlock()
	if ok && now.Before(until) {
		return true, nil
	}
	cm, err := b.api.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: c, UserID: u})
	var tmr *tg.TooManyRequestsError
	switch {
	case err == nil:
	case errors.As(err, &tmr):
		return false, b.wrap("getChatMember", err)
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorForbidden):
		// "user not found", "member not found": not in the chat.
		cm = &models.ChatMember{Type: models.ChatMemberTypeLeft}
	default:
		return false, b.wrap("getChatMember", err)
	}
	yes := false
	switch cm.Type {
	case models.ChatMemberTypeOwner, models.ChatMemberTypeAdministrator, models.ChatMemberTypeMember:
		yes = true
	case models.ChatMemberTypeRestricted:
		yes = cm.Restricted != nil && cm.Restricted.IsMember
	}
	b.mu.Lock()
	if yes {
		b.members[key] = now.Add(b.cfg.MemberTTL)
	} else {
		delete(b.members, key)
	}
	b.mu.Unlock()
	return yes, nil
}

// answerPress delivers a press answer (flows.Notice.Press) to the person who pressed,
// whose private chat is chat: answerCallbackQuery with the notice's text (none for a
// bare acknowledgement), as an alert when the notice asks for one. A press Telegram no
// longer accepts an answer for (it is too old: the desk was busy or down) is told, when
// there is something to tell, in the person's private chat instead — which fails as
// unreachable when they never started the bot.
func (b *Bot) answerPress(ctx context.Context, chat int64, m flows.Envelope) (flows.Receipt, error) {
	text := ""
	if m.Notice.Msg != "" {
		rules := b.rules()
		t, err := b.catalog.Notice(m.Lang, m.Notice, rules.Units, rules.Calendar.Location())
		if err != nil {
			b.log.Warn("message rendering incomplete", "msg", m.Notice.Msg, "err", err)
		}
		text = t
	}
	_, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: m.Notice.Press,
		Text: shorten(text, maxAnswerText), ShowAlert: m.Notice.Alert && text != ""})
	var tmr *tg.TooManyRequestsError
	switch {
	case err == nil:
		return flows.Receipt{}, nil
	case errors.As(err, &tmr) || !errors.Is(err, tg.ErrorBadRequest):
		return flows.Receipt{}, b.failure(chat, err)
	case text == "":
		return flows.Receipt{}, nil // an acknowledgement too late is no loss
	}
	b.log.Info("telegram press answered too late, told in the private chat", "outbox_id", m.ID)
	if err := b.pace(ctx, chat, 0); err != nil {
		return flows.Receipt{}, err
	}
	msg, err := b.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: EscapeHTML(text), ParseMode: models.ParseModeHTML})
	if err != nil {
		return flows.Receipt{}, b.failure(chat, err)
	}
	return flows.Receipt{Ref: strconv.Itoa(msg.ID)}, nil
}

// shorten cuts s to at most max characters, marking a cut with "…".
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// setCommands registers the commands Telegram shows in its menu: the citizen's in
// private chats and the units' in groups, in Indonesian for every language without its
// own list and in English for English apps. A failure is logged: the commands work
// without the menu.
func (b *Bot) setCommands(ctx context.Context) {
	scopes := []struct {
		name  string
		scope models.BotCommandScope
		cmds  []flows.Command
	}{
		{"all_private_chats", &models.BotCommandScopeAllPrivateChats{}, flows.PrivateCommands},
		{"all_group_chats", &models.BotCommandScopeAllGroupChats{}, flows.GroupCommands},
	}
	for _, s := range scopes {
		for i, lang := range b.catalog.Languages() {
			var list []models.BotCommand
			for _, c := range s.cmds {
				about, err := b.catalog.Text(lang, string(c.About), nil)
				if err != nil {
					b.log.Warn("message rendering incomplete", "msg", c.About, "err", err)
				}
				list = append(list, models.BotCommand{Command: c.Name, Description: shorten(about, 256)})
			}
			code := lang
			if i == 0 {
				code = "" // the reference language: for every app language without a list of its own
			}
			if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: list, Scope: s.scope, LanguageCode: code}); err != nil {
				b.log.Warn("telegram commands not registered", "scope", s.name, "language", lang, "err", redact(err.Error(), b.cfg.Token))
			}
		}
	}
}
