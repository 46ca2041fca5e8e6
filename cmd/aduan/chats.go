package main

import (
	"fmt"
	"regexp"

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

// whatsAppGroup is a group JID: a number (an older group's: the creator's number, a
// dash and a timestamp) at g.us.
var whatsAppGroup = regexp.MustCompile(`^[0-9]+(-[0-9]+)?@g\.us$`)

// checkWhatsAppGroup checks that chat is a WhatsApp group JID (…@g.us).
func checkWhatsAppGroup(chat string) error {
	if !whatsAppGroup.MatchString(chat) {
		return fmt.Errorf("%q is not a WhatsApp group JID (…@g.us)", chat)
	}
	return nil
}
