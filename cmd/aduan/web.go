package main

import (
	"net/http"

	pages "aduan/web"
)

// mountWeb adds the citizens' pages to mux when the web channel runs: the web chat
// (/lapor) and the status page (/status).
func (m *Main) mountWeb(mux *http.ServeMux) {
	if m.web == nil || !m.Config.Web.Enabled {
		return
	}
	// The pages are being built (issue 8): package web.
	// codes limits the guesses of access codes per address: the status page's lookups
	// and the web chat's code attempts draw on one budget.
	codes := pages.NewLimiter(pages.DefaultStatusBurst, pages.DefaultStatusEvery, m.Clock)
	// The status page and its Open311 endpoint (web/status.go).
	status := m.metrics.instrument("status", pages.Status(pages.StatusOptions{Store: m.db, Catalog: m.catalog, Rules: m.Rules,
		Limiter: codes, Log: m.Log}))
	for _, p := range pages.StatusPaths {
		mux.Handle(p, status)
	}
}
