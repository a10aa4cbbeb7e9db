package aitxt_test

import (
	"fmt"

	"github.com/askfirst/askfirst/signals/aitxt"
)

func Example() {
	f, err := aitxt.Parse([]byte("User-Agent: *\nDisallow: *.jpg\nAllow: *.txt\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []string{"/photos/cat.jpg", "/notes.txt", "/index.html"} {
		fmt.Println(p, f.Evaluate("askfirst", p).Match)
	}
	// Output:
	// /photos/cat.jpg disallow
	// /notes.txt allow
	// /index.html none
}
