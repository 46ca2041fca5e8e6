package main

import (
	"aduan/bot/telegram"
	"aduan/bot/whatsapp"
	"aduan/flows"
)

// chatChecks returns the check of a unit's group chat ID for every channel a units
// file may name, each from its channel's adapter.
func chatChecks() flows.ChatChecks {
	return flows.ChatChecks{
		telegram.Name: telegram.CheckChat,
		whatsapp.Name: whatsapp.CheckChat,
	}
}
