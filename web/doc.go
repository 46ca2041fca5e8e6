// Package web serves the desk's pages: the citizen's web chat (/lapor) and the practice
// desk's page (/latihan), over the web channel (package aduan/bot/web).
package web
