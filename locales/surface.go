package locales

import (
	"slices"
	"strings"
)

// Surface is what a channel's screen lets a person do, as the messages that tell them
// what to do must word it: a surface without buttons numbers the choices (Hint: "Ketik
// nomor pilihan Anda."), one without slash commands takes the command's word alone
// ("ketik “lapor”").
//
// A catalog renders every message for one surface (see Catalog.On). Templates read the
// surface's Name as the data Surface; its abilities as Buttons, Commands, Quote and
// ShareContact (booleans); and Cmd, a map from each command of the desk (start, lapor,
// status, batal, bahasa, bantuan, antrian) to how the reader types it: "/lapor" with
// slash commands, “lapor” without (and “menu” for start, which has no word of its own;
// see CommandWord).
type Surface struct {
	// Name is the surface's name, the channel's ("telegram", "whatsapp", "web").
	Name string
	// Buttons: choices are buttons to press. Without, they are numbered lines the
	// reader answers by typing the number or the label.
	Buttons bool
	// Commands: commands are typed with a slash ("/lapor") and offered in a menu.
	// Without, the command's word is typed alone ("lapor").
	Commands bool
	// Quote: the reader answers a message by replying to (quoting) it. Without, the
	// reader answers whatever was asked last, in the same place (a form).
	Quote bool
	// ShareContact: a button shares the reader's phone number.
	ShareContact bool
}

// The surfaces the desk knows.
var (
	// Telegram has inline buttons, slash commands, forced replies and a button that
	// shares the phone number.
	Telegram = Surface{Name: "telegram", Buttons: true, Commands: true, Quote: true, ShareContact: true}
	// WhatsApp (without a business account) has no buttons and no commands: choices
	// are numbered, commands are words, answers quote the message they answer.
	WhatsApp = Surface{Name: "whatsapp", Quote: true}
	// Web is a page: buttons and forms, no commands, no quoting.
	Web = Surface{Name: "web", Buttons: true}
)

// Surfaces returns every surface the desk knows: Telegram, WhatsApp and Web.
func Surfaces() []Surface { return []Surface{Telegram, WhatsApp, Web} }

// SurfaceOf returns the surface of the channel called name, Telegram's abilities for a
// name it does not know.
func SurfaceOf(name string) Surface {
	for _, s := range Surfaces() {
		if s.Name == name {
			return s
		}
	}
	s := Telegram
	s.Name = name
	return s
}

// The hints of a surface without buttons: how to take one of the choices shown.
const (
	HintNumber = "surface.hint_number" // in a private chat: type the number
	HintQuote  = "surface.hint_quote"  // in a group: reply to the message with the number
)

// Hint returns how a reader in lang takes one of the numbered choices of a message on
// c's surface: "" on a surface with buttons; in a group (inGroup) on a surface where
// answers quote, the HintQuote text (reply to this message with the number), else the
// HintNumber text (type the number).
func (c *Catalog) Hint(lang string, inGroup bool) string {
	s := c.Surface()
	if s.Buttons {
		return ""
	}
	id := HintNumber
	if inGroup && s.Quote {
		id = HintQuote
	}
	text, _ := c.render(lang, id, nil, nil)
	return text
}

// commands are the desk's commands, as the messages name them.
var commands = []string{"start", "lapor", "status", "batal", "bahasa", "bantuan", "antrian", "datasaya", "hapusdata"}

// commandWords are the words typed for commands that have no word of their own on a
// surface without slash commands.
var commandWords = map[string]string{"start": "menu"}

// data returns the template data that describe s (see Surface).
func (s Surface) data() map[string]any {
	cmd := make(map[string]string, len(commands))
	for _, c := range commands {
		switch w, ok := commandWords[c]; {
		case s.Commands:
			cmd[c] = "/" + c
		case ok:
			cmd[c] = "“" + w + "”"
		default:
			cmd[c] = "“" + c + "”"
		}
	}
	return map[string]any{"Surface": s.Name, "Buttons": s.Buttons, "Commands": s.Commands, "Quote": s.Quote,
		"ShareContact": s.ShareContact, "Cmd": cmd}
}

// CommandWord returns the command a word typed alone on a surface without slash
// commands stands for ("menu" is "start", "lapor" is "lapor"), and false when the word
// is no command of the desk. Case and surrounding spaces do not matter.
func CommandWord(word string) (string, bool) {
	w := strings.ToLower(strings.TrimSpace(word))
	for c, alias := range commandWords {
		if w == alias {
			return c, true
		}
	}
	if slices.Contains(commands, w) {
		return w, true
	}
	return "", false
}
