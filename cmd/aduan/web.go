package main

import (
	"net/http"
	"time"

	"aduan/config"
	pages "aduan/web"
)

// mountWeb adds the citizens' pages to mux when the web channel runs: the web chat
// (/lapor) and the status page (/status, and Open311's read endpoint). An address has
// one budget of access-code guesses for both.
func (m *Main) mountWeb(mux *http.ServeMux) {
	if m.web == nil || !m.Config.Web.Enabled {
		return
	}
	limit := func(r config.Rate) *pages.Limiter { return pages.NewLimiter(r.Burst, r.Every, m.Clock) }
	codes := limit(m.Config.Web.Codes)
	status := pages.Status(pages.StatusOptions{Store: m.db, Catalog: m.catalog, Rules: m.Rules, Limiter: codes, Log: m.Log})
	for _, p := range pages.StatusPaths {
		mux.Handle(p, m.metrics.instrument("status", status))
	}
	lapor := pages.Lapor(pages.LaporOptions{Channel: m.web, Store: m.db, Catalog: m.catalog, Intake: m.Config.Intake,
		Clock: m.Clock, Zone: func() *time.Location { return m.zone() }, PublicURL: m.Config.Web.PublicURL,
		Chats: limit(m.Config.Web.Chats), Messages: limit(m.Config.Web.Messages), Codes: codes, Log: m.Log})
	for _, p := range pages.LaporPaths {
		mux.Handle(p, m.metrics.instrument("lapor", lapor))
	}
}

// zone is where the desk's pages show times: its calendar's.
func (m *Main) zone() *time.Location {
	if r := m.Rules(); r != nil && r.Calendar != nil {
		return r.Calendar.Location()
	}
	return time.UTC
}
