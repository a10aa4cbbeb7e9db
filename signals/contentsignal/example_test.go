package contentsignal_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/contentsignal"
)

func Example() {
	s := contentsignal.Parse("search=yes, ai-train=no, use=reference")
	fmt.Println("search:", s.Search)
	fmt.Println("ai-input:", s.AIInput)
	fmt.Println("ai-train:", s.AITrain)
	fmt.Println("other:", s.Other)
	// Output:
	// search: yes
	// ai-input: unset
	// ai-train: no
	// other: [{use reference}]
}
