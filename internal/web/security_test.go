package web_test

import (
	"bytes"

	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/internal/store"
)

const goodPassword = "correct horse battery staple"

// TestCSRFRefused: a form or an API request without the page's token, or
// one another site sends, changes nothing.
func TestCSRFRefused(t *testing.T) {
	app := startApp(t, appOptions{})
	jane := newVisitor(t, app)
	jane.join("Jane", "creator", goodPassword)
	decl := url.Values{"subject": {"account"}, "d_train-ai": {"deny"}}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no token", url.Values{"csrf": {""}}, nil},
		{"a wrong token", url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, nil},
		{"another site's Origin", url.Values{}, []string{"Origin", "https://evil.example"}},
		{"Sec-Fetch-Site cross-site", url.Values{}, []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		form := url.Values{}
		for k, v := range decl {
			form[k] = v
		}
		for k, v := range tc.form {
			form[k] = v
		}
		code, _, _ := jane.post("/declare", form, tc.header...)
		if code != http.StatusForbidden {
			t.Errorf("declare with %s: got %d, want 403", tc.name, code)
		}
	}
	ds, err := app.reg.Declarations(t.Context(), jane.account(), "", 10)
	if err != nil || len(ds) != 0 {
		t.Fatalf("after refused requests: %d declarations (%v), want none", len(ds), err)
	}
	// With the token it works.
	if code, loc, body := jane.post("/declare", decl); code != http.StatusSeeOther {
		t.Fatalf("declare with the token: %d %s\n%s", code, loc, body)
	}

	// The API takes the session only with the page's CSRF header, from
	// this site.
	works := `{"works":[{"datahash":"1e20` + strings.Repeat("ab", 32) + `"}]}`
	if code, body := jane.apiCall("POST", "/v1/works", works, false); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/works with the session cookie and no CSRF header: %d %s, want 401", code, body)
	}
	if code, body := jane.apiCall("POST", "/v1/works", works, true, "Origin", "https://evil.example"); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/works from another origin: %d %s, want 401", code, body)
	}
	if code, body := jane.apiCall("POST", "/v1/works", works, true); code != http.StatusCreated {
		t.Errorf("POST /v1/works with the session and its CSRF header: %d %s, want 201", code, body)
	}

	// Signing in is protected too (login CSRF): without the pre-session
	// cookie's token, nobody is signed in.
	anon := newVisitor(t, app)
	code, _, _ := anon.post("/signin", url.Values{"name": {"Jane"}, "password": {goodPassword}})
	if code != http.StatusForbidden {
		t.Errorf("sign in without a pre-session: %d, want 403", code)
	}
	anon.get("/signin")
	code, _, _ = anon.post("/signin", url.Values{"name": {"Jane"}, "password": {goodPassword}, "csrf": {"forged"}})
	if code != http.StatusForbidden {
		t.Errorf("sign in with a forged token: %d, want 403", code)
	}
	if code, _ := anon.get("/account"); code != http.StatusSeeOther {
		t.Errorf("account page after refused sign-ins: %d, want a redirect to sign in", code)
	}
}

// account returns the visitor's account ID, read from its account page.
func (v *visitor) account() string {
	v.t.Helper()
	_, body := v.get("/account")
	m := regexp.MustCompile(`<dt>Account ID</dt><dd><code>(acc_[a-z0-9]+)</code>`).FindStringSubmatch(body)
	if m == nil {
		v.t.Fatalf("no account ID on the account page:\n%s", body)
	}
	return m[1]
}

// TestSessionActsForItsAccountOnly: one account's session cannot change
// another's trust, campaign or works.
func TestSessionActsForItsAccountOnly(t *testing.T) {
	app := startApp(t, appOptions{})
	ada, bo := newVisitor(t, app), newVisitor(t, app)
	ada.join("Ada", "creator", goodPassword)
	bo.join("Bo", "organisation", goodPassword)
	boID := bo.account()
	// Bo makes a token and a campaign; Ada delegates to Bo.
	bo.post("/account/tokens", url.Values{"label": {"laptop"}})
	_, body := bo.get("/account")
	tok := regexp.MustCompile(`/account/tokens/(tok_[a-z0-9]+)/revoke`).FindStringSubmatch(body)
	if tok == nil {
		t.Fatalf("no token on Bo's account page")
	}
	_, loc, _ := bo.post("/campaigns", url.Values{"title": {"Ask first"}, "statement": {"No AI training without consent."}})
	cm := regexp.MustCompile(`next=%2Fcampaigns%2F(cmp_[a-z0-9]+)`).FindStringSubmatch(loc)
	if cm == nil {
		t.Fatalf("create campaign: redirect %q", loc)
	}
	campaign := cm[1]
	ada.get("/account")
	if code, loc, body := ada.post("/account/delegations", url.Values{"organisation": {boID}}); code != http.StatusSeeOther {
		t.Fatalf("delegate: %d %s %s", code, loc, body)
	}
	adaID := ada.account()

	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/account/tokens/" + tok[1] + "/revoke", url.Values{}, http.StatusNotFound},
		{"/account/delegations/" + adaID + "/revoke", url.Values{}, http.StatusNotFound}, // Bo cannot end Ada's delegation; Ada has none to Ada
		{"/campaigns/" + campaign + "/edit", url.Values{"title": {"Hijacked"}, "statement": {"x"}}, http.StatusForbidden},
		{"/campaigns/" + campaign + "/signatures/sig_x/listing", url.Values{"hidden": {"true"}}, http.StatusForbidden},
	} {
		if code, _, _ := ada.post(tc.path, tc.form); code != tc.want {
			t.Errorf("Ada posts %s: %d, want %d", tc.path, code, tc.want)
		}
	}
	if code, _ := ada.get("/campaigns/" + campaign + "/signatures.csv"); code != http.StatusForbidden {
		t.Errorf("Ada exports Bo's signatures: %d, want 403", code)
	}
	if code, _ := ada.get("/campaigns/" + campaign + "/moderate"); code != http.StatusForbidden {
		t.Errorf("Ada opens Bo's moderation page: %d, want 403", code)
	}
	// Bo's token still works; Bo's campaign kept its text.
	if _, body := bo.get("/account"); !strings.Contains(body, "/account/tokens/"+tok[1]+"/revoke") {
		t.Errorf("Bo's token was revoked by Ada")
	}
	if _, body := bo.get("/campaigns/" + campaign); !strings.Contains(body, "Ask first") {
		t.Errorf("Bo's campaign changed")
	}
	// A declaration for another account's work through the form is refused.
	bo.get("/register")
	if code, body := bo.apiCall("POST", "/v1/works", `{"works":[{"datahash":"1e20`+strings.Repeat("cd", 32)+`"}]}`, true); code != http.StatusCreated {
		t.Fatalf("Bo registers a work: %d %s", code, body)
	}
	ws, err := app.reg.Works(t.Context(), boID, "", 1)
	if err != nil || len(ws) != 1 {
		t.Fatalf("Bo's works: %v %v", ws, err)
	}
	code, _, _ := ada.post("/declare", url.Values{"subject": {"works"}, "work": {ws[0].Work.ID}, "d_train-ai": {"allow"}})
	if code != http.StatusForbidden {
		t.Errorf("Ada declares for Bo's work: %d, want 403", code)
	}
}

// TestPasswordsNeverLoggedOrReturned: the password is in no log line, no
// page, no log entry, and the store holds only its Argon2id hash.
func TestPasswordsNeverLoggedOrReturned(t *testing.T) {
	app := startApp(t, appOptions{})
	const pw = "a very secret passphrase 7731"
	v := newVisitor(t, app)
	v.get("/join")
	code, loc, body := v.post("/join", url.Values{"name": {"Cy"}, "password": {pw}, "password2": {pw}, "email": {"cy@example.org"}})
	if code != http.StatusSeeOther {
		t.Fatalf("join: %d %s", code, body)
	}
	var pages []string
	for _, p := range []string{loc, "/account", "/receipts", "/declare"} {
		_, b := v.get(p)
		pages = append(pages, b)
	}
	v.post("/signout", url.Values{})
	v.get("/signin")
	_, _, b := v.post("/signin", url.Values{"name": {"Cy"}, "password": {pw + "x"}}) // wrong
	pages = append(pages, b)
	_, _, b = v.post("/signin", url.Values{"name": {"Cy"}, "password": {pw}})
	pages = append(pages, b)
	// A failing join repeats the form without the password.
	v2 := newVisitor(t, app)
	v2.get("/join")
	_, _, b = v2.post("/join", url.Values{"name": {"Cy"}, "password": {pw}, "password2": {pw}})
	pages = append(pages, b)
	for i, p := range pages {
		if strings.Contains(p, pw) {
			t.Errorf("page %d returns the password", i)
		}
	}
	if strings.Contains(app.log.String(), pw) {
		t.Errorf("the log holds the password:\n%s", app.log.String())
	}
	err := app.reg.Store().View(t.Context(), func(tx store.ReadTx) error {
		n, _ := tx.LogSize()
		es, err := tx.LogEntries(0, n)
		for _, e := range es {
			if bytes.Contains(e, []byte(pw)) || bytes.Contains(e, []byte("cy@example.org")) {
				t.Errorf("log entry %s holds the password or the e-mail address", e)
			}
		}
		c, err2 := tx.CredentialByLogin("cy")
		if err2 != nil {
			return err2
		}
		if c.Password == pw || !strings.HasPrefix(c.Password, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("stored password %q, want an Argon2id hash", c.Password)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUploadKeepsNoFile: the upload path (the form without JavaScript,
// and POST /v1/works/upload from the page) registers the file's codes and
// leaves nothing of the file on disk.
func TestUploadKeepsNoFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	app := startApp(t, appOptions{})
	v := newVisitor(t, app)
	v.join("Dee", "creator", goodPassword)
	v.get("/register")
	photo, err := os.ReadFile("../../testdata/samples/cells.png")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", v.csrf)
	mw.WriteField("titles", "on")
	fw, _ := mw.CreateFormFile("files", "cells.png")
	fw.Write(photo)
	mw.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", app.URL+"/register/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := v.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, b)
	}
	code, out := v.apiCall("POST", "/v1/works/upload?filename=letter.txt&title=letter", "Dear Ada, the engine works.", true)
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/works/upload as the session: %d %s", code, out)
	}
	left, _ := os.ReadDir(tmp)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	// The test's own database lives in another temporary folder.
	if len(names) > 0 {
		t.Errorf("the upload left files in TMPDIR: %v", names)
	}
	ws, err := app.reg.Works(t.Context(), v.account(), "", 10)
	if err != nil || len(ws) != 2 {
		t.Fatalf("works after the uploads: %d, %v; want 2", len(ws), err)
	}
	for _, w := range ws {
		if w.Work.ISCC == "" || w.Work.Datahash == "" {
			t.Errorf("uploaded work %+v lacks its codes", w.Work)
		}
	}
	// The upload form must send the CSRF token first: without it no file
	// is read.
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ = mw.CreateFormFile("files", "cells.png")
	fw.Write(photo)
	mw.WriteField("csrf", v.csrf)
	mw.Close()
	req, _ = http.NewRequestWithContext(t.Context(), "POST", app.URL+"/register/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = v.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload with the file before the token: %d, want 403", resp.StatusCode)
	}
}

// TestCookieFlags: the session cookie is HttpOnly, SameSite=Lax, for the
// whole site, ends with the browser, is renewed at each sign-in, and over
// HTTPS is Secure with the __Host- prefix.
func TestCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		publicURL string
		name      string
		secure    bool
	}{{"", "sid", false}, {"https://registry.example", "__Host-sid", true}} {
		t.Run(tc.name, func(t *testing.T) {
			app := startApp(t, appOptions{publicURL: tc.publicURL})
			v := newVisitor(t, app)
			v.get("/join")
			form := url.Values{"name": {"Eve"}, "password": {goodPassword}, "password2": {goodPassword}, "csrf": {v.csrf}}
			req, _ := http.NewRequestWithContext(t.Context(), "POST", app.URL+"/join", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// Over a TLS proxy the browser holds the __Host- cookies.
			for _, c := range v.c.Jar.Cookies(mustURL(app.URL)) {
				req.AddCookie(c)
			}
			if tc.secure {
				pre := v.c.Jar.Cookies(mustURL(app.URL))
				for _, c := range pre {
					req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
				}
				req.Header.Set("Origin", tc.publicURL)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var sid *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == tc.name {
					sid = c
				}
			}
			if sid == nil {
				t.Fatalf("join set no %s cookie (status %d, cookies %v)", tc.name, resp.StatusCode, resp.Header["Set-Cookie"])
			}
			if !sid.HttpOnly || sid.SameSite != http.SameSiteLaxMode || sid.Path != "/" || sid.Domain != "" || sid.MaxAge != 0 || !sid.Expires.IsZero() || sid.Secure != tc.secure {
				t.Errorf("session cookie %s: HttpOnly %t SameSite %v Path %q Domain %q MaxAge %d Expires %v Secure %t",
					sid.Raw, sid.HttpOnly, sid.SameSite, sid.Path, sid.Domain, sid.MaxAge, sid.Expires, sid.Secure)
			}
			if len(sid.Value) < 43 {
				t.Errorf("session ID %q: want at least 256 random bits", sid.Value)
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSessionRenewedAtSignIn: a session ID planted before sign-in is not
// the one after it, and signing out ends the session on the server.
func TestSessionRenewedAtSignIn(t *testing.T) {
	app := startApp(t, appOptions{})
	v := newVisitor(t, app)
	v.join("Fay", "creator", goodPassword)
	first := cookieValue(v, "sid")
	v.post("/signout", url.Values{})
	if code, _ := v.get("/account"); code != http.StatusSeeOther {
		t.Errorf("account page after sign-out: %d, want a redirect", code)
	}
	// The old ID no longer signs anyone in, even sent again.
	old := newVisitor(t, app)
	old.c.Jar.SetCookies(mustURL(app.URL), []*http.Cookie{{Name: "sid", Value: first, Path: "/"}})
	if code, _ := old.get("/account"); code != http.StatusSeeOther {
		t.Errorf("account page with a signed-out session ID: %d, want a redirect", code)
	}
	v.get("/signin")
	if code, loc, body := v.post("/signin", url.Values{"name": {"fay"}, "password": {goodPassword}}); code != http.StatusSeeOther || loc != "/account" {
		t.Fatalf("sign in: %d %q\n%s", code, loc, body)
	}
	if second := cookieValue(v, "sid"); second == "" || second == first {
		t.Errorf("session ID after sign-in %q, before %q: want a new one", second, first)
	}
}

func cookieValue(v *visitor, name string) string {
	for _, c := range v.c.Jar.Cookies(mustURL(v.app.URL)) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// TestSignInLockout: repeated failures pause sign-in with the name, and
// the page says until when.
func TestSignInLockout(t *testing.T) {
	app := startApp(t, appOptions{})
	v := newVisitor(t, app)
	v.join("Gus", "creator", goodPassword)
	v.post("/signout", url.Values{})
	v.get("/signin")
	var code int
	var body string
	for i := 0; i < 6; i++ {
		code, _, body = v.post("/signin", url.Values{"name": {"Gus"}, "password": {"wrong password"}})
	}
	if code != http.StatusTooManyRequests || !strings.Contains(body, "sign-in is paused until") {
		t.Fatalf("sixth failure: %d, want 429 with the time\n%s", code, body)
	}
	if code, _, _ = v.post("/signin", url.Values{"name": {"Gus"}, "password": {goodPassword}}); code != http.StatusTooManyRequests {
		t.Errorf("the right password while locked: %d, want 429", code)
	}
}

// TestOpenRedirect: next= never sends a signed-in visitor off the site.
func TestOpenRedirect(t *testing.T) {
	app := startApp(t, appOptions{})
	v := newVisitor(t, app)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		v2 := newVisitor(t, app)
		v2.get("/join")
		name := fmt.Sprintf("User %d", len(next))
		_, loc, _ := v2.post("/join", url.Values{"name": {name + next[:3]}, "password": {goodPassword}, "password2": {goodPassword}, "next": {next}})
		u, _ := url.Parse(loc)
		if got := u.Query().Get("next"); got != "/account" {
			t.Errorf("join with next=%q: continues to %q, want /account", next, got)
		}
	}
	_ = v
}

// TestCSVExportNeutralisesFormulas: a signer's name that a spreadsheet
// would run as a formula is exported as text.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	app := startApp(t, appOptions{})
	org, mallory := newVisitor(t, app), newVisitor(t, app)
	org.join("Guild", "organisation", goodPassword)
	_, loc, _ := org.post("/campaigns", url.Values{"title": {"Ask first"}, "statement": {"Consent first."}})
	id := regexp.MustCompile(`cmp_[a-z0-9]+`).FindString(loc)
	mallory.join("Mallory", "creator", goodPassword)
	mallory.get("/campaigns/" + id)
	if code, _, body := mallory.post("/campaigns/"+id+"/sign", url.Values{"name": {`=HYPERLINK("http://evil.example","x")`}, "role": {"+1"}, "listed": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", code, body)
	}
	code, csv := org.get("/campaigns/" + id + "/signatures.csv")
	if code != http.StatusOK {
		t.Fatalf("export: %d", code)
	}
	if !strings.Contains(csv, `"'=HYPERLINK(""http://evil.example"",""x"")"`) || !strings.Contains(csv, ",'+1,") {
		t.Errorf("CSV cells not neutralised:\n%s", csv)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "signature,name,role,domain,listed,hidden,declaration,signed,log_index") {
		t.Errorf("CSV: got %q", lines)
	}

}
