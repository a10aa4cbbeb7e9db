package protect_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals"
)

// A site that reserves AI training, licenses AI input and allows search
// serves its pages through the middleware. A licence server's verifier
// accepts the tokens it issued.
func ExampleMiddleware() {
	mw, err := protect.New(protect.Config{
		Policy: protect.Policy{
			Uses: map[signals.Use]signals.Verdict{
				signals.TrainAI: signals.Deny, signals.AIInput: signals.License, signals.Search: signals.Allow,
			},
			Offer: signals.Offer{Terms: "https://pub.example/terms", Price: "0.05", Currency: "EUR"},
		},
		Links: protect.LinksFor("https://pub.example"),
		Verifier: protect.VerifierFunc(func(ctx context.Context, token string, u *url.URL, use signals.Use) error {
			if token == "issued-by-the-licence-server" {
				return nil
			}
			return protect.ErrInvalidToken
		}),
	})
	if err != nil {
		panic(err)
	}
	site := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<p>An article.</p>")
	}))

	for _, c := range []struct{ who, ua, auth string }{
		{"browser", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ""},
		{"training crawler", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", ""},
		{"AI assistant", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", ""},
		{"licensed assistant", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", "License issued-by-the-licence-server"},
	} {
		req := httptest.NewRequest(http.MethodGet, "https://pub.example/article", nil)
		req.Header.Set("User-Agent", c.ua)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-18s %d %s", c.who, w.Code, w.Header().Get("WWW-Authenticate"))))
	}
	// Every response carries the policy.
	w := httptest.NewRecorder()
	site.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "https://pub.example/", nil))
	fmt.Println("Content-Usage:", w.Header().Get("Content-Usage"))
	// Output:
	// browser            200
	// training crawler   403
	// AI assistant       402 License error="invalid_request", error_description="a licence is required for this use of the content", license_uri="https://pub.example/license.xml"
	// licensed assistant 200
	// Content-Usage: train-ai=n, search=y
}
