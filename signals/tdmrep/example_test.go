package tdmrep_test

import (
	"fmt"
	"net/http"

	"github.com/askfirst/askfirst/signals/tdmrep"
)

func Example() {
	f, err := tdmrep.ParseFile([]byte(`[
		{"location": "/", "tdm-reservation": 1, "tdm-policy": "https://pub.example/tdm.json"},
		{"location": "/press/*", "tdm-reservation": 0}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var fromFile tdmrep.Statement
	if r, ok := f.Lookup("/press/release.html"); ok {
		fromFile = r.Statement()
	}
	header := tdmrep.ParseHeaders(http.Header{"Tdm-Reservation": {"1"}})
	s := tdmrep.Resolve(fromFile, header)
	fmt.Println(fromFile.Source)
	fmt.Println(s.Reservation, s.Policy, s.Source)
	// Output:
	// tdmrep.json rule 0 (location "/")
	// 1 https://pub.example/tdm.json header
}
