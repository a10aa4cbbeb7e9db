package jcs_test

import (
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/askfirst/askfirst/internal/jcs"
)

// RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisation.
func TestFormatNumberRFC8785AppendixB(t *testing.T) {
	for _, c := range []struct{ bits, want string }{
		{"0000000000000000", "0"},
		{"8000000000000000", "0"},
		{"0000000000000001", "5e-324"},
		{"8000000000000001", "-5e-324"},
		{"7fefffffffffffff", "1.7976931348623157e+308"},
		{"ffefffffffffffff", "-1.7976931348623157e+308"},
		{"4340000000000000", "9007199254740992"},
		{"c340000000000000", "-9007199254740992"},
		{"4430000000000000", "295147905179352830000"},
		{"44b52d02c7e14af5", "9.999999999999997e+22"},
		{"44b52d02c7e14af6", "1e+23"},
		{"44b52d02c7e14af7", "1.0000000000000001e+23"},
		{"444b1ae4d6e2ef4e", "999999999999999700000"},
		{"444b1ae4d6e2ef4f", "999999999999999900000"},
		{"444b1ae4d6e2ef50", "1e+21"},
		{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
		{"3eb0c6f7a0b5ed8d", "0.000001"},
		{"41b3de4355555553", "333333333.3333332"},
		{"41b3de4355555554", "333333333.33333325"},
		{"41b3de4355555555", "333333333.3333333"},
		{"41b3de4355555556", "333333333.3333334"},
		{"41b3de4355555557", "333333333.33333343"},
		{"becbf647612f3696", "-0.0000033333333333333333"},
		{"43143ff3c1cb0959", "1424953923781206.2"},
	} {
		u, err := strconv.ParseUint(c.bits, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := jcs.FormatNumber(math.Float64frombits(u)); got != c.want {
			t.Errorf("FormatNumber(0x%s): got %s, want %s", c.bits, got, c.want)
		}
	}
}

func TestTransform(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		// RFC 8785 §3.2.2.
		{"rfc8785 3.2.2", `{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`, `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		// RFC 8785 §3.2.3: sorting by UTF-16 code units.
		{"rfc8785 3.2.3", `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`, "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
		{"nested", `{"b":[{"z":1,"a":2}],"a":{}}`, `{"a":{},"b":[{"a":2,"z":1}]}`},
		{"scalar", ` -0.0 `, `0`},
		{"u2028 kept", `"\u2028"`, "\"\u2028\""},
	} {
		got, err := jcs.Transform([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestTransformRejects(t *testing.T) {
	deep := ""
	for range jcs.MaxDepth + 1 {
		deep += "["
	}
	for _, in := range []string{`{"a":1,"a":2}`, "\"\xff\"", `[1,]`, `1 2`, `1e400`, deep, ``, `{"a"}`} {
		if got, err := jcs.Transform([]byte(in)); err == nil {
			t.Errorf("Transform(%q): got %s, want an error", in, got)
		}
	}
}

func FuzzTransform(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,null,"x"]}`, `1e-7`, `"\u0000"`, `{"\ud83d\ude00":1,"\uffff":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := jcs.Transform(data)
		if err != nil {
			return
		}
		again, err := jcs.Transform(out)
		if err != nil {
			t.Fatalf("canonical form %s does not parse: %v", out, err)
		}
		if string(again) != string(out) {
			t.Fatalf("not idempotent: %s then %s", out, again)
		}
	})
}

func ExampleTransform() {
	out, _ := jcs.Transform([]byte(`{"use": "train-genai", "decision": "deny", "price": 2.50}`))
	fmt.Println(string(out))
	// Output: {"decision":"deny","price":2.5,"use":"train-genai"}
}
