package main

import "net/http"

// mountWeb adds the citizens' pages to mux when the web channel runs: the web chat
// (/lapor) and the status page (/status).
func (m *Main) mountWeb(mux *http.ServeMux) {
	if m.web == nil || !m.Config.Web.Enabled {
		return
	}
	// The pages are being built (issue 8): package web.
}
