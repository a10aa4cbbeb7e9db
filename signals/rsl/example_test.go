package rsl_test

import (
	"fmt"
	"net/url"

	"github.com/askfirst/askfirst/signals/rsl"
)

func Example() {
	doc, err := rsl.Parse([]byte(`<rsl xmlns="https://rslstandard.org/rsl">
  <content url="/">
    <license>
      <permits type="usage">search ai-input</permits>
      <payment type="free"/>
    </license>
    <license>
      <permits type="usage">ai-train</permits>
      <payment type="training"><amount currency="USD">0.05</amount></payment>
    </license>
  </content>
</rsl>`))
	if err != nil {
		fmt.Println(err)
		return
	}
	target, _ := url.Parse("https://example.com/articles/1")
	c, _ := doc.Select(target)
	for _, usage := range []string{"search", "ai-train", "ai-index"} {
		ev, _ := c.Evaluate(usage)
		fmt.Print(usage, ": ", ev.Status)
		if ev.Offer != nil && ev.Offer.Amount != "" {
			fmt.Print(" (", ev.Offer.Amount, " ", ev.Offer.Currency, ", ", ev.Offer.PaymentType, ")")
		}
		fmt.Println()
	}
	// Output:
	// search: free
	// ai-train: license-required (0.05 USD, training)
	// ai-index: not-covered
}
