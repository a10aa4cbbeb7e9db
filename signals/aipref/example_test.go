package aipref_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/aipref"
)

func Example() {
	p, err := aipref.Parse("train-ai=n, search=y, train-genai=n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range p.Entries {
		l, _ := aipref.LookupLabel(e.Label)
		fmt.Printf("%s=%v current=%v draft=%s covers=%v\n", e.Label, e.Value, l.Current, l.Draft, l.Covers)
	}
	// Output:
	// train-ai=n current=true draft=vocab-07 covers=[train-genai train-ai]
	// search=y current=true draft=vocab-07 covers=[search]
	// train-genai=n current=false draft=vocab-03 covers=[train-genai]
}
