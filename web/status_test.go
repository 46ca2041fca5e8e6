package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
	"aduan/store/storetest"
	"aduan/web"
)

var stCtx = context.Background()

// What the fixture complaint holds that the status page must never show.
const (
	stName   = "Siti Rahmawati Nurhaliza"
	stPhone  = "081298765432"
	stEmail  = "siti.rahma@contoh.id"
	stNIK    = "6112034501880003"
	stTitle  = "KK hilang waktu banjir"
	stBody   = "Kartu keluarga saya hilang saat banjir, NIK " + stNIK + ", mohon dibantu cetak ulang."
	stPlace  = "Jalan Adisucipto Gang Melati 7"
	stAnswer = "Ibu Siti, KK dengan NIK " + stNIK + " sudah dicetak ulang"
)

// stDesk is a database with a complaint filed, routed, distributed and answered, the
// status page over it, and the page's clock.
type stDesk struct {
	db       *store.DB
	rules    *flows.Rules
	cat      *locales.Catalog
	clock    *flowstest.Clock
	limiter  *web.Limiter
	page     http.Handler
	c, other flows.Complaint // the answered complaint and one just filed
	code     string          // c's access code
}

func newStDesk(t testing.TB, burst int) *stDesk {
	t.Helper()
	db := storetest.NewWithUnits(t, flowstest.Units())
	rules, err := db.Rules(stCtx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	cat = cat.WithCalendar(func() *flows.Calendar { return rules.Calendar })
	at := flowstest.At(t, "2026-11-30 10:00") // a Monday
	r := flowstest.Report()
	r.Title, r.Body, r.Place = stTitle, stBody, stPlace
	r.Contact.Name, r.Contact.Phone, r.Contact.Email = stName, stPhone, stEmail
	c, err := db.File(stCtx, rules, "KR", r, at)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: stAnswer},
	} {
		ch, err := db.Apply(stCtx, rules, c.ID, 0, ev, at.Add(time.Duration(i+1)*time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
		c = ch.Complaint
	}
	other, err := db.File(stCtx, rules, "KR", flowstest.Report(), at)
	if err != nil {
		t.Fatal(err)
	}
	code, err := db.AccessCode(stCtx, c.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	clock := flowstest.NewClock(at)
	lim := web.NewLimiter(burst, time.Minute, clock)
	page := web.Status(web.StatusOptions{Store: db, Catalog: cat, Rules: func() *flows.Rules { return rules }, Limiter: lim})
	return &stDesk{db: db, rules: rules, cat: cat, clock: clock, limiter: lim, page: page, c: c, other: other, code: code}
}

// answer is what the page answered one request.
type answer struct {
	status int
	header http.Header
	body   string
}

// get asks the page for target from addr with the headers given ("Name: value").
func (d *stDesk) get(t *testing.T, addr, target string, headers ...string) answer {
	t.Helper()
	return d.do(t, httptest.NewRequest(http.MethodGet, target, nil), addr, headers...)
}

// post sends the status form from addr.
func (d *stDesk) post(t *testing.T, addr, target, tracking, code string, headers ...string) answer {
	t.Helper()
	form := url.Values{"tracking": {tracking}, "code": {code}}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return d.do(t, r, addr, headers...)
}

func (d *stDesk) do(t *testing.T, r *http.Request, addr string, headers ...string) answer {
	t.Helper()
	r.RemoteAddr = addr
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	d.page.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return answer{status: w.Code, header: w.Result().Header, body: string(body)}
}

// With the right code — as shown, in lower case, without the dash, by link or by the
// form — the page shows the state as the complainant's chats word it, the dates, the
// next deadline's date, the unit holding it by name, and the history of its states; in
// Indonesian by default, in English by ?lang=en or the browser's preference.
func TestStatusShowsTheComplaintWithTheRightCode(t *testing.T) {
	d := newStDesk(t, 10)
	loc := d.rules.Calendar.Location()
	lower := strings.ToLower(strings.ReplaceAll(d.code, "-", ""))
	agency, _ := d.rules.Units.Unit(flowstest.Agency)
	for name, a := range map[string]answer{
		"link, code as shown":       d.get(t, "192.0.2.1:1000", "/status/"+d.c.Tracking+"?code="+d.code),
		"link, lower case, no dash": d.get(t, "192.0.2.1:1000", "/status/"+strings.ToLower(d.c.Tracking)+"?code="+lower),
		"form":                      d.post(t, "192.0.2.1:1000", "/status", strings.ToLower(d.c.Tracking), " "+strings.ToLower(d.code)+" "),
		"english by ?lang":          d.get(t, "192.0.2.1:1000", "/status/"+d.c.Tracking+"?lang=en&code="+d.code),
		"english by the browser":    d.get(t, "192.0.2.1:1000", "/status/"+d.c.Tracking+"?code="+d.code, "Accept-Language: en-GB,en;q=0.9,id;q=0.5"),
		"english form":              d.post(t, "192.0.2.1:1000", "/status?lang=en", d.c.Tracking, d.code),
	} {
		lang := "id"
		if strings.Contains(name, "english") {
			lang = "en"
		}
		if a.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200:\n%s", name, a.status, a.body)
			continue
		}
		due := locales.Date(lang, d.cat.Deadline(d.c.Due), loc)
		dueLine, _ := d.cat.Text(lang, "status.due.close", map[string]any{"DueDate": due})
		for what, want := range map[string]string{
			"tracking number":  d.c.Tracking,
			"state":            d.cat.State(lang, flows.Answered),
			"filed":            locales.Time(lang, d.c.FiledAt, loc),
			"last change":      locales.Time(lang, d.c.Updated, loc),
			"deadline":         dueLine,
			"holder":           agency.Name,
			"history: filed":   d.cat.State(lang, flows.Submitted),
			"history: routed":  d.cat.State(lang, flows.Routed),
			"history: agency":  d.cat.State(lang, flows.Distributed),
			"privacy sentence": text(t, d.cat, lang, "status.privacy"),
		} {
			if !strings.Contains(a.body, htmlText(want)) {
				t.Errorf("%s: no %s %q in the page:\n%s", name, what, want, a.body)
			}
		}
		if !strings.Contains(a.body, `<html lang="`+lang+`">`) {
			t.Errorf("%s: page not in %s:\n%s", name, lang, a.body)
		}
		for _, id := range locales.StatusPage {
			if strings.Contains(a.body, id+"<") || strings.Contains(a.body, id+`"`) || strings.Contains(a.body, "<no value>") {
				t.Errorf("%s: message %s unrendered:\n%s", name, id, a.body)
			}
		}
		for _, h := range []string{"Cache-Control: no-store", "Referrer-Policy: no-referrer", "X-Content-Type-Options: nosniff",
			"Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"} {
			k, v, _ := strings.Cut(h, ": ")
			if a.header.Get(k) != v {
				t.Errorf("%s: header %s = %q, want %q", name, k, a.header.Get(k), v)
			}
		}
	}
	// A closed complaint: closed, held by nobody, no deadline.
	if _, err := d.db.Apply(stCtx, d.rules, d.c.ID, 0, flows.Event{Kind: flows.EvSatisfied, Actor: flowstest.Complainant}, d.clock.Now().Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	a := d.get(t, "192.0.2.1:1000", "/status/"+d.c.Tracking+"?code="+d.code)
	if a.status != http.StatusOK || !strings.Contains(a.body, htmlText(d.cat.State("id", flows.Closed))) ||
		strings.Contains(a.body, htmlText(agency.Name)) || strings.Contains(a.body, text(t, d.cat, "id", "status.due")) {
		t.Errorf("closed complaint: status %d, want 200 with the closed state, no holder, no deadline:\n%s", a.status, a.body)
	}
	// Without a code, a link shows the form for its number, and the form is the form.
	for _, target := range []string{"/status/" + d.c.Tracking, "/status"} {
		a := d.get(t, "192.0.2.1:1000", target)
		if a.status != http.StatusOK || !strings.Contains(a.body, `name="code"`) || strings.Contains(a.body, htmlText(d.cat.State("id", flows.Closed))) {
			t.Errorf("%s: status %d, want 200 with the form alone:\n%s", target, a.status, a.body)
		}
	}
}

// A wrong code and an unknown number get one and the same answer — status and body —
// on the page and on the Open311 endpoint.
func TestStatusWrongCodeAndUnknownNumberAnswerAlike(t *testing.T) {
	d := newStDesk(t, 100)
	otherCode, err := d.db.AccessCode(stCtx, d.other.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	// The real code with its last character changed: never the real code itself.
	wrong := d.code[:8] + "Y"
	if strings.HasSuffix(d.code, "Y") {
		wrong = d.code[:8] + "X"
	}
	unknown := "KR-261130-ACDE"
	if _, err := d.db.ComplaintByTracking(stCtx, unknown); err == nil {
		t.Fatalf("%s exists", unknown)
	}
	for _, lang := range []string{"id", "en"} {
		q := "?lang=" + lang + "&code="
		page := []answer{
			d.get(t, "192.0.2.2:1000", "/status/"+d.c.Tracking+q+otherCode),
			d.get(t, "192.0.2.2:1000", "/status/"+d.c.Tracking+q+wrong),
			d.get(t, "192.0.2.2:1000", "/status/"+unknown+q+d.code),
			d.get(t, "192.0.2.2:1000", "/status/"+unknown+q+otherCode),
			d.post(t, "192.0.2.2:1000", "/status?lang="+lang, d.c.Tracking, otherCode),
			d.post(t, "192.0.2.2:1000", "/status?lang="+lang, unknown, d.code),
			d.post(t, "192.0.2.2:1000", "/status?lang="+lang, "", ""),
		}
		for i, a := range page {
			if a.status != http.StatusNotFound || a.body != page[0].body {
				t.Errorf("%s page answer %d: status %d, want 404 and the same body as the first:\n%s\n---\n%s", lang, i, a.status, a.body, page[0].body)
			}
		}
		if !strings.Contains(page[0].body, htmlText(text(t, d.cat, lang, "status.not_found"))) || strings.Contains(page[0].body, d.c.Tracking) {
			t.Errorf("%s: the refusal does not say not found or wrong code, or names the number:\n%s", lang, page[0].body)
		}
		api := []answer{
			d.get(t, "192.0.2.2:1000", "/open311/v2/requests/"+d.c.Tracking+".json"+q+otherCode),
			d.get(t, "192.0.2.2:1000", "/open311/v2/requests/"+unknown+".json"+q+d.code),
			d.get(t, "192.0.2.2:1000", "/open311/v2/requests/"+unknown+".json"+q),
		}
		for i, a := range api {
			if a.status != http.StatusNotFound || a.body != api[0].body {
				t.Errorf("%s open311 answer %d: status %d, want 404 and the same body as the first:\n%s\n---\n%s", lang, i, a.status, a.body, api[0].body)
			}
		}
		var errs []map[string]any
		if err := json.Unmarshal([]byte(api[0].body), &errs); err != nil || len(errs) != 1 || errs[0]["code"] != float64(404) {
			t.Errorf("%s open311 refusal %q: want one Open311 error of code 404 (%v)", lang, api[0].body, err)
		}
	}
}

// A wrong code and an unknown number take alike long to refuse: the lookups of both,
// interleaved so that the machine's load weighs on them alike, have medians within a
// half of each other (an unknown number refused before the database or the code's
// derivation would take a fraction of the time).
func TestStatusRefusesInAlikeTime(t *testing.T) {
	d := newStDesk(t, 1<<30)
	targets := [2]string{"/status/" + d.c.Tracking + "?code=AAAA-AAAA", "/status/KR-261130-ACDE?code=" + d.code}
	var took [2][]time.Duration
	for i := range 600 {
		k := i % 2
		start := time.Now()
		if a := d.get(t, "192.0.2.6:1000", targets[k]); a.status != http.StatusNotFound {
			t.Fatalf("%s: status %d, want 404", targets[k], a.status)
		}
		took[k] = append(took[k], time.Since(start))
	}
	median := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	wrong, unknown := median(took[0]), median(took[1])
	t.Logf("median refusal: wrong code %s, unknown number %s", wrong, unknown)
	if ratio := float64(max(wrong, unknown)) / float64(min(wrong, unknown)); ratio > 1.5 {
		t.Errorf("a wrong code takes %s to refuse, an unknown number %s: they can be told apart", wrong, unknown)
	}
}

// The page limits lookups per address: after the burst, wrong attempts and right ones
// alike get 429 with Retry-After, other addresses go on, and an attempt comes back
// with each minute. A right code does not count against its address.
func TestStatusLimitsAttemptsPerAddress(t *testing.T) {
	d := newStDesk(t, 3)
	wrong := "/status/" + d.c.Tracking + "?code=AAAA-AAAA"
	right := "/status/" + d.c.Tracking + "?code=" + d.code
	api := "/open311/v2/requests/" + d.c.Tracking + ".json?code=AAAAAAAA"
	const a, b = "198.51.100.7:4000", "198.51.100.8:4000"
	for i := range 10 { // right codes are given back
		if got := d.get(t, a, right); got.status != http.StatusOK {
			t.Fatalf("right code %d: status %d, want 200", i, got.status)
		}
	}
	for i, target := range []string{wrong, api, wrong} {
		if got := d.get(t, a, target); got.status != http.StatusNotFound {
			t.Fatalf("attempt %d: status %d, want 404", i, got.status)
		}
	}
	for name, got := range map[string]answer{
		"wrong code": d.get(t, a, wrong),
		"right code": d.get(t, a, right),
		"form":       d.post(t, "198.51.100.7:4001", "/status", d.c.Tracking, d.code),
		"open311":    d.get(t, a, api),
	} {
		if got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") != "60" {
			t.Errorf("%s past the limit: status %d, Retry-After %q; want 429 and 60", name, got.status, got.header.Get("Retry-After"))
		}
		if strings.Contains(got.body, d.c.Tracking) || strings.Contains(got.body, htmlText(d.cat.State("id", flows.Answered))) {
			t.Errorf("%s past the limit shows the complaint:\n%s", name, got.body)
		}
	}
	if got := d.get(t, b, wrong); got.status != http.StatusNotFound {
		t.Errorf("another address: status %d, want 404", got.status)
	}
	// The form without a code looks nothing up and is never limited.
	if got := d.get(t, a, "/status/"+d.c.Tracking); got.status != http.StatusOK {
		t.Errorf("the form past the limit: status %d, want 200", got.status)
	}
	d.clock.Advance(59 * time.Second)
	if got := d.get(t, a, wrong); got.status != http.StatusTooManyRequests || got.header.Get("Retry-After") != "1" {
		t.Errorf("59 s later: status %d, Retry-After %q; want 429 and 1", got.status, got.header.Get("Retry-After"))
	}
	d.clock.Advance(time.Second)
	if got := d.get(t, a, right); got.status != http.StatusOK {
		t.Errorf("a minute later: status %d, want 200", got.status)
	}
	if got := d.get(t, a, wrong); got.status != http.StatusNotFound {
		t.Errorf("a minute later, wrong: status %d, want 404", got.status)
	}
	if got := d.get(t, a, wrong); got.status != http.StatusTooManyRequests {
		t.Errorf("the minute's attempt spent: status %d, want 429", got.status)
	}
	d.clock.Advance(3 * time.Minute)
	for i := range 3 {
		if got := d.get(t, a, wrong); got.status != http.StatusNotFound {
			t.Errorf("after 3 minutes, attempt %d: status %d, want 404", i, got.status)
		}
	}
}

// Neither the page nor the Open311 answer ever holds the complainant's name, phone
// number, e-mail address or NIK, the complaint's title, text or place, the answer's text
// or the names of the staff — with the right code or without.
func TestStatusShowsNothingPersonal(t *testing.T) {
	d := newStDesk(t, 100)
	trail, err := d.db.Audit(stCtx, d.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{stName, "Siti", stPhone, "1298765432", stEmail, stNIK, stTitle, stBody, "banjir", stPlace, "Adisucipto", stAnswer, "dicetak ulang"}
	for _, e := range trail {
		if e.Actor.Name != "" {
			secrets = append(secrets, e.Actor.Name)
		}
		if e.Actor.Ref != "" {
			secrets = append(secrets, e.Actor.Ref)
		}
	}
	if !strings.Contains(stBody, stNIK) || len(trail) < 4 {
		t.Fatalf("fixture: trail of %d events, want the filing and three steps", len(trail))
	}
	var answers []answer
	for _, lang := range []string{"id", "en"} {
		q := "?lang=" + lang + "&code="
		answers = append(answers,
			d.get(t, "192.0.2.3:1000", "/status/"+d.c.Tracking+q+d.code),
			d.post(t, "192.0.2.3:1000", "/status?lang="+lang, d.c.Tracking, d.code),
			d.get(t, "192.0.2.3:1000", "/status/"+d.c.Tracking+q+"AAAAAAAA"),
			d.get(t, "192.0.2.3:1000", "/status/"+d.c.Tracking+"?lang="+lang),
			d.get(t, "192.0.2.3:1000", "/status?lang="+lang),
			d.get(t, "192.0.2.3:1000", "/open311/v2/requests/"+d.c.Tracking+".json"+q+d.code),
			d.get(t, "192.0.2.3:1000", "/open311/v2/requests/"+d.c.Tracking+".json"+q+"AAAAAAAA"),
		)
	}
	if answers[0].status != http.StatusOK || answers[5].status != http.StatusOK {
		t.Fatalf("right code: page %d, open311 %d; want 200", answers[0].status, answers[5].status)
	}
	for i, a := range answers {
		for _, s := range secrets {
			if strings.Contains(a.body, s) || strings.Contains(a.body, htmlText(s)) {
				t.Errorf("answer %d holds %q:\n%s", i, s, a.body)
			}
		}
	}
}

// The Open311 endpoint gives the complaint as a GeoReport v2 service request: open,
// its state as status_notes, the category's label, its times, its expected date and
// the agency by name; closed once it is.
func TestStatusOpen311(t *testing.T) {
	d := newStDesk(t, 100)
	loc := d.rules.Calendar.Location()
	agency, _ := d.rules.Units.Unit(flowstest.Agency)
	get := func(lang string) map[string]any {
		t.Helper()
		a := d.get(t, "192.0.2.4:1000", "/open311/v2/requests/"+strings.ToLower(d.c.Tracking)+".json?lang="+lang+"&code="+strings.ToLower(d.code))
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("status %d, %s: want 200 JSON:\n%s", a.status, a.header.Get("Content-Type"), a.body)
		}
		var reqs []map[string]any
		if err := json.Unmarshal([]byte(a.body), &reqs); err != nil || len(reqs) != 1 {
			t.Fatalf("%q: want one request (%v)", a.body, err)
		}
		return reqs[0]
	}
	for _, lang := range []string{"id", "en"} {
		got := get(lang)
		want := map[string]any{
			"service_request_id": d.c.Tracking,
			"status":             "open",
			"status_notes":       d.cat.State(lang, flows.Answered),
			"service_name":       d.cat.Category(lang, "kk"),
			"service_code":       "kk",
			"agency_responsible": agency.Name,
			"requested_datetime": d.c.FiledAt.In(loc).Format(time.RFC3339),
			"updated_datetime":   d.c.Updated.In(loc).Format(time.RFC3339),
			"expected_datetime":  d.cat.Deadline(d.c.Due).In(loc).Format(time.RFC3339),
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", lang, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: fields %v, want exactly %v", lang, got, want)
		}
	}
	if _, err := d.db.Apply(stCtx, d.rules, d.c.ID, 0, flows.Event{Kind: flows.EvSatisfied, Actor: flowstest.Complainant}, d.clock.Now().Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := get("id"); got["status"] != "closed" || got["expected_datetime"] != nil {
		t.Errorf("closed: %v, want status closed and no expected date", got)
	}
	if a := d.get(t, "192.0.2.4:1000", "/open311/v2/requests/"+d.c.Tracking+".xml?code="+d.code); a.status != http.StatusNotFound {
		t.Errorf(".xml: status %d, want 404", a.status)
	}
}

// A lookup posted from another site is refused before it is tried: other sites'
// visitors cannot be made to guess codes.
func TestStatusRefusesCrossSitePosts(t *testing.T) {
	d := newStDesk(t, 1)
	got := d.post(t, "192.0.2.5:1000", "/status", d.c.Tracking, "AAAAAAAA", "Sec-Fetch-Site: cross-site")
	if got.status != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", got.status)
	}
	got = d.post(t, "192.0.2.5:1000", "/status", d.c.Tracking, d.code, "Sec-Fetch-Site: same-origin")
	if got.status != http.StatusOK {
		t.Errorf("same-origin POST after the refused one: status %d, want 200 (the refusal took no attempt)", got.status)
	}
}

// text renders a message that takes no data.
func text(t *testing.T, cat *locales.Catalog, lang, id string) string {
	t.Helper()
	s, err := cat.Text(lang, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// htmlText is s as html/template writes it in a text node.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// BenchmarkStatusLookup times one lookup of the status page: the right code, a wrong
// code and an unknown number (the last two must cost alike).
func BenchmarkStatusLookup(b *testing.B) {
	d := newStDesk(b, 1<<30)
	for name, target := range map[string]string{
		"right_code":     "/status/" + d.c.Tracking + "?code=" + d.code,
		"wrong_code":     "/status/" + d.c.Tracking + "?code=AAAA-AAAA",
		"unknown_number": "/status/KR-261130-ACDE?code=" + d.code,
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.RemoteAddr = "192.0.2.9:1000"
				w := httptest.NewRecorder()
				d.page.ServeHTTP(w, r)
				if w.Code != http.StatusOK && w.Code != http.StatusNotFound {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
