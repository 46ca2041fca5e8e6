// Package web serves the desk's pages over the web channel (package aduan/bot/web):
// the citizens' web chat (/lapor, Lapor), the public status page (/status, Status) and
// the practice desk's page (/latihan, NewPractice over a PracticeDesk). Templates and
// the one stylesheet and script are embedded; every page works without JavaScript.
package web
