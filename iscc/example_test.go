package iscc_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/askfirst/askfirst/iscc"
)

func ExampleGenTextCode() {
	c, err := iscc.GenTextCode("Hello World", 64)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ISCC, c.Characters)
	// Output: ISCC:EAASKDNZNYGUUF5A 10
}

func ExampleGenMetaCode() {
	c, err := iscc.GenMetaCode("Die Unendliche Geschichte", "Von Michael Ende", nil, 64)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ISCC)
	fmt.Println(c.Metahash)
	// Output:
	// ISCC:AAAZXZ6OU4E45RB5
	// 1e209b9077adf626061ab56c2221d44988aa85c5e126066324000b99ac9c8baf4151
}

func ExampleGenInstanceCode() {
	c, err := iscc.GenInstanceCode(strings.NewReader(""), 64)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ISCC)
	fmt.Println(c.Datahash)
	fmt.Println(c.Filesize)
	// Output:
	// ISCC:IAA26E2JXH27TING
	// 1e20af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262
	// 0
}

// Data- and Instance-Code of one stream in a single pass, composed into an
// ISCC-CODE (SubType SUM: Data and Instance only).
func ExampleNewDataHasher() {
	dh, _ := iscc.NewDataHasher(64)
	ih, _ := iscc.NewInstanceHasher(64)
	if _, err := io.Copy(io.MultiWriter(dh, ih), strings.NewReader("\xff\x00")); err != nil {
		panic(err)
	}
	data, _ := dh.Code()
	inst, _ := ih.Code()
	code, err := iscc.GenISCCCode([]string{data.ISCC, inst.ISCC}, false)
	if err != nil {
		panic(err)
	}
	fmt.Println(data.ISCC)
	fmt.Println(code.ISCC)
	// Output:
	// ISCC:GAAXL2XYM5BQIAZ3
	// ISCC:KUAHL2XYM5BQIAZ345SFEICHHSFOE
}

func ExampleDecode() {
	c, err := iscc.Decode("ISCC:KACYPXW445FTYNJ3CYSXHAFJMA2HUWULUNRFE3BLHRSCXYH2M5AEGQY")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.MainType(), c.Bits(), c.Units())
	fmt.Println(c.Explain())
	units, _ := iscc.Decompose(c.String())
	fmt.Println(units)
	// Output:
	// ISCC 256 [META CONTENT DATA INSTANCE]
	// ISCC-TEXT-V0-MCDI-87dedce74b3c353b16257380a960347a5a8ba362526c2b3c642be0fa67404343
	// [ISCC:AAAYPXW445FTYNJ3 ISCC:EAARMJLTQCUWAND2 ISCC:GAAVVC5DMJJGYKZ4 ISCC:IAAWIK7A7JTUAQ2D]
}

func ExampleDistance() {
	const text = "Their most significant and usefull property of similarity-preserving " +
		"fingerprints gets lost in the fragmentation of individual, propietary and " +
		"use case specific implementations. The real benefit lies in similarity " +
		"preservation beyond your local data archive on a global scale accross vendors."
	a, _ := iscc.GenTextCode(text, 64)
	b, _ := iscc.GenTextCode(strings.Replace(text, "Their", "The", 1), 64)
	d, err := iscc.Distance(a.ISCC, b.ISCC)
	if err != nil {
		panic(err)
	}
	s, _ := iscc.Similarity(a.ISCC, b.ISCC)
	fmt.Println(d, s)
	_, err = iscc.Distance(a.ISCC, "ISCC:GAASL4F2WZY7KBXB")
	fmt.Println(err != nil)
	// Output:
	// 1 98
	// true
}
