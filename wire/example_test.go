package wire_test

import (
	"encoding/json"
	"fmt"

	"github.com/askfirst/askfirst/wire"
)

func ExampleSubject() {
	s := wire.Subject{Kind: wire.SubjectWork, Value: "wrk_abc"}
	b, _ := json.Marshal(s)
	fmt.Println(s, string(b))

	// Log entries written before the wire types spelt the keys in
	// capitals; they still decode.
	var old wire.Subject
	json.Unmarshal([]byte(`{"Domain":"","Kind":"work","Value":"wrk_abc"}`), &old)
	fmt.Println(old == s)
	// Output:
	// work:wrk_abc {"kind":"work","value":"wrk_abc"}
	// true
}

func ExampleUnits_Codes() {
	u := wire.Units{Meta: "ISCC:AAAS7PZO6S3JUVVK", Data: "ISCC:GAATF5EUDUUISGFR"}
	b, _ := json.Marshal(wire.MatchItem{Units: u, PDQ: &wire.PDQ{Hash: "992f83"}})
	fmt.Println(u.Codes())
	fmt.Println(string(b))
	// Output:
	// [ISCC:AAAS7PZO6S3JUVVK ISCC:GAATF5EUDUUISGFR]
	// {"units":{"meta":"ISCC:AAAS7PZO6S3JUVVK","data":"ISCC:GAATF5EUDUUISGFR"},"pdq":{"hash":"992f83","quality":0}}
}
