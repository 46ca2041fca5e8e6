package main

import (
	"fmt"
	"strings"

	"aduan/bot/telegram"
	"aduan/flows"
	"aduan/store"
)

// chatChecks returns the check of a unit's group chat ID for every channel a units
// file may name, each from its channel's adapter.
func chatChecks() flows.ChatChecks {
	return flows.ChatChecks{
		telegram.Name:  telegram.CheckChat,
		store.WhatsApp: checkWhatsAppGroup,
	}
}

// checkWhatsAppGroup checks that chat is a WhatsApp group JID (…@g.us).
func checkWhatsAppGroup(chat string) error {
	if user, ok := strings.CutSuffix(chat, "@g.us"); !ok || user == "" || strings.ContainsAny(user, "@ \t") {
		return fmt.Errorf("%q is not a WhatsApp group JID (…@g.us)", chat)
	}
	return nil
}
