package signals_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/askfirst/askfirst/signals"
)

// A reservation next to a licence offer is a deny with the offer attached
// (signals digest §14.2 step 4, "D(offer)").
func ExampleEvaluate() {
	stmts := []signals.Statement{
		{
			Mechanism: "content-usage", Location: "https://pub.example/a header Content-Usage", Value: "train-ai=n",
			Uses: map[signals.Use]signals.Verdict{signals.TrainGenAI: signals.Deny, signals.TrainAI: signals.Deny},
		},
		{
			Mechanism: "rsl", Location: "https://pub.example/license.xml", Value: `content "/": ai-train licence required`,
			Uses:  map[signals.Use]signals.Verdict{signals.TrainGenAI: signals.License, signals.TrainAI: signals.License},
			Offer: &signals.Offer{Price: "0.05", Currency: "USD", Per: "training", Terms: "https://pub.example/terms"},
		},
	}
	r := signals.Evaluate(stmts, signals.Options{Mode: signals.EUTDM})
	for _, u := range r.Uses {
		fmt.Printf("%s: %s, %s", u.Use, u.Verdict, u.Decision)
		if u.Offer != nil {
			fmt.Printf(", offer %s %s per %s", u.Offer.Price, u.Offer.Currency, u.Offer.Per)
		}
		fmt.Println()
	}
	// Output:
	// train-genai: deny, exclude, offer 0.05 USD per training
	// train-ai: deny, exclude, offer 0.05 USD per training
	// ai-input: unknown, include
	// search: unknown, include
}

// site is a Fetcher serving a fixed site from memory.
type site map[string]string

func (s site) Fetch(ctx context.Context, req signals.FetchRequest) (*signals.FetchResponse, error) {
	body, ok := s[req.URL]
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
	}
	h := http.Header{}
	if req.URL == "https://pub.example/article" {
		h.Set("Content-Type", "text/html")
	}
	return &signals.FetchResponse{URL: req.URL, Chain: []string{req.URL}, Status: status, Header: h, Body: []byte(body)}, nil
}

// An Inspector gathers what a URL's origin says; askfirst's internal/fetch
// client is the Fetcher in the real command.
func ExampleInspector() {
	in := &signals.Inspector{
		Fetcher:  site{"https://pub.example/robots.txt": "User-agent: *\nAllow: /\nContent-Signal: search=yes, ai-train=no\n", "https://pub.example/article": `<html><head><meta name="robots" content="noai"></head></html>`},
		AgentFor: map[signals.Use]string{signals.TrainGenAI: "askfirst-train"},
	}
	stmts, err := in.URL(context.Background(), "https://pub.example/article")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range signals.Evaluate(stmts, signals.Options{}).Uses {
		fmt.Printf("%-11s %-7s %s\n", u.Use, u.Verdict, u.Decision)
	}
	// Output:
	// train-genai deny    exclude
	// train-ai    deny    exclude
	// ai-input    deny    exclude
	// search      allow   include
}
